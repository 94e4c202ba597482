"""Warehouse loading and the great-expectations checks on it."""

import json

import duckdb
import pytest

from wijkmonitor.checks import raise_on_failure, validate_warehouse
from wijkmonitor.errors import ValidationFailed
from wijkmonitor.ingest import ingest_file
from wijkmonitor.steps import write_json, write_parquet
from wijkmonitor.warehouse import build_warehouse

TIDY = """indicator,area_code,area_name,period,value,n
slechte gezondheid,WK034403,Overvecht,2017,29,412
slechte gezondheid,GM0344,Utrecht,2017,14,4302
rapportcijfer buurtoordeel,WK034403,Overvecht,2017,4.9,410
rapportcijfer buurtoordeel,GM0344,Utrecht,2017,7.1,4290
rapportcijfer buurtoordeel,WK034401,West,2017,.,
"""


def build(tmp_path, catalogue, matcher, register, text=TIDY, first=2010, last=2023):
    raw = tmp_path / "survey.csv"
    raw.write_text(text, encoding="utf-8")
    result = ingest_file(raw, fmt="tidy_csv", source_id="survey", catalogue=catalogue, matcher=matcher)
    write_parquet(result.observations, tmp_path / "survey.parquet")
    write_json(result.log, tmp_path / "survey.json")
    db = tmp_path / "warehouse.duckdb"
    manifest = tmp_path / "MANIFEST.json"
    manifest.write_text(json.dumps({"files": {"survey.csv": result.log["sha256"]}}))
    build_warehouse(db, [(str(tmp_path / "survey.parquet"), str(tmp_path / "survey.json"))], register, catalogue,
                    {"survey": 0}, str(manifest), tmp_path / "analysis")
    return db, raw


def test_warehouse_tables(tmp_path, catalogue, matcher, register):
    db, raw = build(tmp_path, catalogue, matcher, register)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM area").fetchone()[0] == 156
    assert con.execute("SELECT value, n, source_row FROM observation WHERE indicator_id = 'slechte_gezondheid' "
                       "AND area_code = 'WK034403'").fetchone() == (29.0, 412.0, 2)
    row = con.execute("SELECT status, value FROM observation WHERE area_code = 'WK034401'").fetchone()
    assert row == ("suppressed", None)
    f = con.execute("SELECT path, reader, rows_read, rows_kept, is_demo, length(sha256) FROM source_file").fetchone()
    assert f == (str(raw), "tidy_csv", 5, 5, True, 64)
    assert con.execute("SELECT count(*) FROM observation_current").fetchone()[0] == 5
    assert con.execute("SELECT catalogued FROM indicator WHERE id = 'buurtoordeel'").fetchone() == (True,)
    con.close()


def test_checks_pass_on_good_data(tmp_path, catalogue, matcher, register):
    db, _ = build(tmp_path, catalogue, matcher, register)
    report = validate_warehouse(str(db), 2010, 2023)
    assert report["success"] and report["failed_critical"] == 0
    descriptions = {r["description"] for r in report["results"]}
    assert "values in mark (1-10) are in [1, 10]" in descriptions
    assert "values in per cent are in [0, 100]" in descriptions
    raise_on_failure(report)


def test_out_of_range_value_named_with_file_and_row(tmp_path, catalogue, matcher, register):
    db, raw = build(tmp_path, catalogue, matcher, register, TIDY.replace("Overvecht,2017,29,", "Overvecht,2017,129,"))
    report = validate_warehouse(str(db), 2010, 2023)
    failed = [r for r in report["results"] if not r["success"]]
    assert [r["description"] for r in failed] == ["values in per cent are in [0, 100]"]
    with pytest.raises(ValidationFailed) as error:
        raise_on_failure(report)
    message = str(error.value)
    assert f"{raw}, row 2, column 'value'" in message and "129.0" in message


def test_rating_out_of_range_and_period_outside_config(tmp_path, catalogue, matcher, register):
    db, _ = build(tmp_path, catalogue, matcher, register, TIDY.replace("4.9", "0.4"), first=2010, last=2023)
    report = validate_warehouse(str(db), 2018, 2023)
    failed = {r["description"]: r["unexpected_count"] for r in report["results"] if not r["success"]}
    assert failed == {"values in mark (1-10) are in [1, 10]": 1, "periods lie within 2018-2023 (config periods)": 5}


def test_outputs_get_the_usual_permissions(tmp_path):
    import os

    write_json({"a": 1}, tmp_path / "out.json")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == 0o666 & ~umask
    assert not [p for p in tmp_path.iterdir() if p.name != "out.json"]
