"""The `wijkmonitor` command: inspect, ingest and register, as an analyst runs them."""

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, skip_without_shared
from wijkmonitor.cli import main

INCIJFERS = "utrecht/incijfers/UIC_cultuurdeelname_2023_subwijken.csv"


def run(*args, cwd=None):
    """`python -m wijkmonitor ARGS` as a user runs it: (exit status, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "wijkmonitor", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
    return done.returncode, done.stdout, done.stderr


def flat(text):
    """Messages are wrapped to the terminal; compare them as one line."""
    return " ".join(text.split())


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "wijkmonitor"
    done = subprocess.run([str(script), "formats"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()] == [
        "tidy_csv", "swing_csv", "swing_themas_xlsx", "swing_table_xlsx", "swing_tiles_csv", "statline_csv",
        "statline_transposed_csv", "cbs_odata", "cbs_kwb_xlsx", "rivm_50090_xlsx"]


@skip_without_shared
def test_inspect_with_register(shared_data):
    status, out, err = run("inspect", shared_data / INCIJFERS, "--register", ROOT / "catalogue/areas.csv",
                           "--catalogue", ROOT / "catalogue")
    assert status == 0, err
    assert "format     swing_csv (detected; detectors that recognise the file: swing_csv)" in out
    assert "encoding   utf-8" in out
    assert "rows       35 with observations, 35 kept; skipped: 1 header row" in out
    assert "35 register areas matched (34 subwijk, 1 gemeente)" in out
    assert "'Subwijk Nieuw Engeland, Schepenbrt' -> SW0344013 (Nieuw Engeland, Schepenbuurt)" in out
    assert "statuses   ok 33, suppressed 2" in out
    assert "periods    2023 (as written: 2023)" in out
    assert "cultuurdeelname    GM0344" in out  # first canonical row: the city, 89


@skip_without_shared
def test_unknown_areas_listed_by_inspect_and_stopping_ingest(shared_data, tmp_path):
    text = (shared_data / INCIJFERS).read_text(encoding="utf-8").replace("Subwijk Votulast", "Subwijk Votulats")
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    status, out, _ = run("inspect", path, "--register", ROOT / "catalogue/areas.csv")
    assert status == 0
    assert "NOT in the register: row 13 'Subwijk Votulats' (closest: Votulast" in out
    assert "1 rows dropped: area not in the register (quarantined)" in out
    status, out, err = run("ingest", path, "--register", ROOT / "catalogue/areas.csv", "--out", tmp_path / "o.csv")
    assert status == 1 and out == ""
    assert "1 area(s) not in the area register: row 13: name 'Subwijk Votulats' (closest: Votulast" in flat(err)
    assert not (tmp_path / "o.csv").exists()
    status, out, _ = run("ingest", path, "--register", ROOT / "catalogue/areas.csv", "--quarantine",
                         "--out", tmp_path / "o.csv")
    assert status == 0 and "wrote 34 observations" in out


@skip_without_shared
def test_ingest_without_register_keeps_the_source_names(shared_data, tmp_path):
    out = tmp_path / "cultuur.csv"
    assert main(["ingest", str(shared_data / INCIJFERS), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns)[:3] == ["indicator_id", "area_code", "area_name"]
    assert len(table) == 35 and (table["area_code"] == "").all()
    first = table.iloc[0]
    assert (first["area_name"], first["value"], first["source_row"]) == ("Subwijk Oog in Al, Welgelegen", "94.0", "2")
    rijnenburg = table[table["area_name"] == "Subwijk Rijnenburg"].iloc[0]
    assert (rijnenburg["value"], rijnenburg["status"]) == ("", "suppressed")


@skip_without_shared
def test_ingest_with_register_to_parquet(shared_data, tmp_path):
    out = tmp_path / "cultuur.parquet"
    status, stdout, err = run("ingest", shared_data / INCIJFERS, "--register", ROOT / "catalogue/areas.csv",
                              "--catalogue", ROOT / "catalogue", "--out", out)
    assert status == 0, err
    assert stdout.strip().endswith(f"read as swing_csv; wrote 35 observations to {out}")
    table = pd.read_parquet(out).set_index("area_code")
    assert table.loc["SW0344013", "value"] == 90 and table.loc["GM0344", "value"] == 89
    assert set(table["indicator_id"]) == {"cultuurdeelname"}


@skip_without_shared
@pytest.mark.realdata
def test_ingest_the_national_rivm_file(shared_data, tmp_path):
    out = tmp_path / "rivm.parquet"
    assert main(["ingest", str(shared_data / "national/rivm-50090NED/2016_18+.xlsx"), "--out", str(out)]) == 0
    table = pd.read_parquet(out)
    assert len(table) == 17341 * 35 and table["area_name"].nunique() == 17341
    overvecht = table[(table["area_name"] == "WK034403") & (table["source_indicator"] == "ErvarenGezondheidGoedZeerGoed")]
    assert overvecht[["value", "source_row"]].values.tolist() == [[63.5, 14592]]
    # Without --register the CBS code stays in area_code, stripped: the file writes 'NL01      ',
    # 'GM0344    ' with '    75.2', '    77.0' in rows 2 and 14565.
    good = table[table["source_indicator"] == "ErvarenGezondheidGoedZeerGoed"].set_index("area_code")
    assert good.loc["NL01", ["value", "source_row"]].tolist() == [75.2, 2]
    assert good.loc["GM0344", ["value", "source_row"]].tolist() == [77.0, 14565]
    assert len(good) == 17341 and good.index.notna().all() and good.index.is_unique


def test_unreadable_file_is_one_paragraph_and_nothing_is_written(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    status, stdout, err = run("ingest", path, "--out", out)
    assert status == 1 and stdout == ""
    assert flat(err).startswith(f"wijkmonitor ingest: {path}: format could not be detected from its first lines")
    assert "Traceback" not in err and err.count("\n\n") == 0
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_out_must_be_csv_or_parquet(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("indicator,area_name,period,value\nx,Utrecht,2020,5\n", encoding="utf-8")
    status, _, err = run("ingest", path, "--out", tmp_path / "t.xlsx")
    assert status == 1 and "--out must end in .csv or .parquet, not '.xlsx'" in flat(err)


def kwb_national(path):
    """A kwb-shaped file holding two municipalities (as the national kwb file does)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "KWB2024"
    sheet.append(["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi", "a_inw"])
    rows = [
        ("NL00", "0", "Nederland", "Nederland", "Land", "NL00", ".", 17942942),
        ("GM0307", "0307", "Amersfoort", "Amersfoort", "Gemeente", "GM0307", "1", 160000),
        ("WK030701", "030701", "Wijk 01 Binnenstad", "Amersfoort", "Wijk", "WK030701", "1", 11000),
        ("BU03070100", "03070100", "Binnenstad", "Amersfoort", "Buurt", "BU03070100", "1", 6000),
        ("BU03070101", "03070101", "Elleboogkwartier", "Amersfoort", "Buurt", "BU03070101", "1", 5000),
        ("WK030702", "030702", "Wijk 02 Kruiskamp", "Amersfoort", "Wijk", "WK030702", "1", 9000),
        ("BU03070200", "03070200", "Kruiskamp-Noord", "Amersfoort", "Buurt", "BU03070200", "1", 9000),
        ("GM0344", "0344", "Utrecht", "Utrecht", "Gemeente", "GM0344", "1", 374238),
        ("WK034403", "034403", "Wijk 03 Overvecht", "Utrecht", "Wijk", "WK034403", "1", 35000),
    ]
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_register_for_another_municipality(tmp_path):
    kwb = kwb_national(tmp_path / "kwb-2024.xlsx")
    out = tmp_path / "areas.csv"
    status, stdout, err = run("register", kwb, "--municipality", "GM0307", "--out", out)
    assert status == 0, err
    assert stdout.strip() == f"wrote {out}: 6 areas (3 buurt, 2 wijk, 1 gemeente)"
    register = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("code")
    assert register.loc["WK030702", "name"] == "Kruiskamp" and register.loc["WK030702", "parent_code"] == "GM0307"
    assert register.loc["BU03070101", "parent_code"] == "WK030701"
    assert "WK034403" not in register.index and "NL00" not in register.index


def test_register_needs_the_municipality_when_the_file_has_several(tmp_path):
    kwb = kwb_national(tmp_path / "kwb-2024.xlsx")
    status, _, err = run("register", kwb, "--out", tmp_path / "areas.csv")
    assert status == 1 and "holds 2 municipalities; say which one (--municipality GM....)" in flat(err)
    status, _, err = run("register", kwb, "--municipality", "GM0363", "--out", tmp_path / "areas.csv")
    assert status == 1 and "holds no municipality 'GM0363' (it holds 2: GM0307, GM0344)" in flat(err)
    assert not (tmp_path / "areas.csv").exists()


@skip_without_shared
def test_inspect_statline_shows_units_codes_and_statuses(shared_data, capsys):
    path = shared_data / "utrecht/statline/CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv"
    assert main(["inspect", str(path), "--rows", "2"]) == 0
    out = capsys.readouterr().out
    assert "format     statline_csv (detected; detectors that recognise the file: statline_csv)" in out
    assert "encoding   utf-8-sig" in out and "indicators (110)" in out
    assert "  Afstand tot brandweerkazerne [km] (123 cells)" in out
    assert "123 area codes in the file: BU03440111, BU03440112" in " ".join(out.split())
    assert "statuses   ok 4356, suppressed 9174" in out and "... and 95 more" in out


@skip_without_shared
def test_ingest_without_register_keeps_cbs_codes_of_a_kwb_file(shared_data, tmp_path):
    out = tmp_path / "kwb.csv"
    assert main(["ingest", str(shared_data / "utrecht/cbs-kwb/CBS-Utrecht-kwb-2024.xlsx"), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index(["indicator_id", "area_code"])
    assert table.loc[("a_inw", "GM0344"), "value"] == "374238.0"
    assert table.loc[("a_inw", "WK034401"), "area_name"] == "Wijk 01 West"
    assert table.loc[("a_man", "BU03440111"), "value"] == "840.0"
    assert table.index.get_level_values("area_code").nunique() == 122 and "" not in table.index.get_level_values(1)


def test_cbs_codes_kept_only_when_they_are_cbs_codes():
    from wijkmonitor.cli import cbs_codes

    codes = pd.Series(["GM0344  ", " WK0363MB", "BU03440111", "NL00", "PV26", "SW0344011", "0344", "GM344", pd.NA])
    assert cbs_codes(codes).tolist() == ["GM0344", "WK0363MB", "BU03440111", "NL00", "PV26", pd.NA, pd.NA, pd.NA, pd.NA]


def test_step_errors_gives_each_error_of_this_run_once_with_its_log(tmp_path):
    import os

    from wijkmonitor.steps import step_errors

    (tmp_path / "ingest").mkdir()
    old = tmp_path / "ingest" / "old.csv.log"
    old.write_text("ERROR from an earlier run\n", encoding="utf-8")
    os.utime(old, (1_000_000, 1_000_000))
    (tmp_path / "ingest" / "a.csv.log").write_text(
        "INFO a.csv: swing_csv\nERROR a.csv, row 3: bad cell. Fix it.\nERROR a.csv, row 3: bad cell. Fix it.\n",
        encoding="utf-8")
    (tmp_path / "validate.log").write_text("INFO validation: 23 of 23 checks passed\n", encoding="utf-8")
    assert step_errors(tmp_path, since=2_000_000) == [
        f"a.csv, row 3: bad cell. Fix it. (log: {tmp_path / 'ingest' / 'a.csv.log'})"]
