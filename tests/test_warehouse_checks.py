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


def set_interval(db, indicator, area, low, high):
    """Give one observation the 95% interval a source would publish (ci_low, ci_high)."""
    con = duckdb.connect(str(db))
    con.execute("UPDATE observation SET ci_low = ?, ci_high = ? WHERE indicator_id = ? AND area_code = ?",
                [low, high, indicator, area])
    con.close()


def test_the_source_interval_must_contain_the_value(tmp_path, catalogue, matcher, register):
    db, raw = build(tmp_path, catalogue, matcher, register)
    set_interval(db, "slechte_gezondheid", "WK034403", 26.2, 31.9)  # slechte gezondheid 29 in Overvecht: inside
    report = validate_warehouse(str(db), 2010, 2023)
    assert report["success"]
    interval = {r["description"]: r for r in report["results"] if "interval" in r["description"]}
    assert len(interval) == 4 and all(r["success"] for r in interval.values())
    assert interval["the source's 95% interval, where given, starts at or below the value (ci_low <= value)"][
        "description_nl"] == "het 95%-interval van de bron begint, waar gegeven, bij of onder de waarde (ci_low <= value)"

    set_interval(db, "slechte_gezondheid", "WK034403", 29.5, 31.9)
    report = validate_warehouse(str(db), 2010, 2023)
    failed = [r for r in report["results"] if not r["success"]]
    assert [(r["description"], r["severity"], r["unexpected_count"]) for r in failed] == [
        ("the source's 95% interval, where given, starts at or below the value (ci_low <= value)", "critical", 1)]
    with pytest.raises(ValidationFailed) as error:
        raise_on_failure(report)
    assert (f"{raw}, row 2, column 'value': value = 29.0, ci_low = 29.5 (slechte_gezondheid, WK034403, 2017)"
            in str(error.value))

    set_interval(db, "slechte_gezondheid", "WK034403", 26.2, 28.0)
    failed = [r for r in validate_warehouse(str(db), 2010, 2023)["results"] if not r["success"]]
    assert [r["description"] for r in failed] == [
        "the source's 95% interval, where given, ends at or above the value (value <= ci_high)"]
    assert failed[0]["examples"] == [f"{raw}, row 2, column 'value': ci_high = 28.0, value = 29.0 "
                                     "(slechte_gezondheid, WK034403, 2017)"]


def test_no_interval_without_a_value(tmp_path, catalogue, matcher, register):
    db, raw = build(tmp_path, catalogue, matcher, register)
    set_interval(db, "buurtoordeel", "WK034401", 4.1, 5.3)  # the suppressed mark of West (row 6)
    report = validate_warehouse(str(db), 2010, 2023)
    failed = {r["description"]: r["examples"] for r in report["results"] if not r["success"]}
    assert failed == {
        "no interval bound (ci_low) where the status is not ok": [
            f"{raw}, row 6, column 'value': ci_low = 4.1 (buurtoordeel, WK034401, 2017)"],
        "no interval bound (ci_high) where the status is not ok": [
            f"{raw}, row 6, column 'value': ci_high = 5.3 (buurtoordeel, WK034401, 2017)"]}
    assert not report["success"]


def test_outputs_get_the_usual_permissions(tmp_path):
    import os

    write_json({"a": 1}, tmp_path / "out.json")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == 0o666 & ~umask
    assert not [p for p in tmp_path.iterdir() if p.name != "out.json"]


def test_one_uncatalogued_id_for_two_different_headers_is_refused(catalogue):
    """Uncatalogued ids come from a header's last part; two files whose different headers give the
    same id must not be merged into one indicator."""
    import pandas as pd

    from wijkmonitor.warehouse import indicator_table

    observed = pd.DataFrame({
        "indicator_id": ["aantal_binnen_1_km", "aantal_binnen_1_km", "aantal_binnen_1_km", "inwoners"],
        "source_indicator": ["Huisartsenpraktijk/Aantal binnen 1 km", "Huisartsenpraktijk|Aantal  binnen 1 km",
                             "Apotheek/Aantal binnen 1 km", "a_inw"],
        "source_file": ["a.csv", "b.csv", "c.csv", "kwb.xlsx"],
    })
    with pytest.raises(ValidationFailed) as caught:
        indicator_table(catalogue, observed)
    message = caught.value.render()
    assert "'aantal_binnen_1_km' stands for two different headers" in message
    assert "'Huisartsenpraktijk/Aantal binnen 1 km' (a.csv)" in message
    assert "'Apotheek/Aantal binnen 1 km' (c.csv)" in message
    # The same header written with `|` and other spacing in a second file is the same indicator.
    table = indicator_table(catalogue, observed.drop(index=2))
    assert table.loc[table["id"] == "aantal_binnen_1_km", "catalogued"].tolist() == [False]


BAD_IN_TWO_INDICATORS = TIDY + """slechte gezondheid,WK034401,West,2017,140,300
rapportcijfer buurtoordeel,WK034402,Noordwest,2017,11.5,200
"""


def test_checking_the_observations_in_parts_gives_the_same_results(tmp_path, catalogue, matcher, register):
    """In parts of one indicator each (chunk_rows=1), every check sums its counts over the parts and
    fails with the examples of every part, exactly as on the whole table at once."""
    db, raw = build(tmp_path, catalogue, matcher, register, text=BAD_IN_TWO_INDICATORS)
    whole = validate_warehouse(str(db), 2010, 2023)
    parts = validate_warehouse(str(db), 2010, 2023, chunk_rows=1)
    assert parts == whole
    failed = {r["description"]: r for r in parts["results"] if not r["success"]}
    assert failed["values in per cent are in [0, 100]"]["unexpected_count"] == 1
    assert failed["values in mark (1-10) are in [1, 10]"]["unexpected_count"] == 1
    assert any("row 8" in e for e in failed["values in mark (1-10) are in [1, 10]"]["examples"])
    unique = next(r for r in parts["results"] if r["expectation"] == "expect_column_values_to_be_unique"
                  and r["table"] == "observation")
    assert unique["success"] and unique["element_count"] == 7  # every observation, over both parts


def test_analysis_views_leave_an_analysis_folder_outside_the_working_directory_alone(
        tmp_path, catalogue, matcher, register):
    """The warehouse's views over the analysis tables are bound against placeholders in a temporary
    folder; with the analysis folder outside the working directory (`../../tmp/...`, as here) no
    placeholder may land in the real folder (a later warehouse would empty finished tables), and the
    view reads the real table once the analysis has written it."""
    import pandas as pd

    from wijkmonitor.canonical import ANALYSIS_COLUMNS

    db, _ = build(tmp_path, catalogue, matcher, register)
    analysis = tmp_path / "analysis"
    assert not analysis.exists()
    analysis.mkdir()
    gaps = pd.DataFrame({c: pd.Series(dtype=t) for c, t in ANALYSIS_COLUMNS["gaps"].items()})
    gaps = pd.concat([gaps, pd.DataFrame({"indicator_id": ["x"], "area_code": ["WK034403"]})], ignore_index=True)
    gaps.to_parquet(analysis / "gaps.parquet", index=False)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT indicator_id, area_code FROM gaps").fetchall() == [("x", "WK034403")]
    finally:
        con.close()
