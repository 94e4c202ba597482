"""End-to-end runs of the Snakemake workflow in temporary working directories."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT, job_counts, skip_without_shared

pytestmark = pytest.mark.pipeline
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
WIJKEN = ["West", "Noordwest", "Overvecht", "Noordoost", "Oost", "Binnenstad", "Zuid", "Zuidwest",
          "Leidsche Rijn", "Vleuten-De Meern"]


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "2",
         "--configfile", str(workdir / "config.yaml"), *args],
        capture_output=True, text=True, cwd=workdir, timeout=1800,
    )


def write_config(workdir: Path, config: dict) -> None:
    config = {"catalogue": str(ROOT / "catalogue"), "area_register": str(ROOT / "catalogue/areas.csv")} | config
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ demo run


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """The default demo run, in a copy of the demo data so that touching files is harmless."""
    workdir = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "data/raw/demo", workdir / "data/raw/demo")
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config.pop("catalogue"), config.pop("area_register")
    write_config(workdir, config)
    started = time.perf_counter()
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir, result, time.perf_counter() - started


def test_demo_report_names_every_wijk_and_the_overvecht_gap(demo_run):
    workdir, _, _ = demo_run
    pages = pdf_pages(workdir / "reports/utrecht-2023.pdf")
    text = "\n".join(pages)
    for wijk in WIJKEN:
        assert wijk in text, wijk
    # The Overvecht gap with its numbers (WijkWijzer 2017 and the latest year).
    assert re.search(r"huishoudens met\s+bijstand 18,2% tegen 6,5%", text)
    assert "Overvecht: huishoudens met bijstand" in text
    assert all("DEMONSTRATIEDATA" in page for page in pages)
    assert len(pages) >= 10
    # One profile page per wijk: its spine chart and its "if nothing changes" outlook.
    assert sorted(p.name for p in (workdir / "reports/figures").glob("profile_*.svg")) == [
        f"profile_WK0344{i:02d}.svg" for i in range(1, 11)]
    profiles = [page for page in pages if "open vierkant: geen toets mogelijk" in " ".join(page.split())]
    assert len(profiles) == 10 and all("Als er niets verandert" in page for page in profiles)
    flat = " ".join(" ".join(pages).split())
    assert "Huishoudens met bijstand: in 2030 naar verwachting" in flat
    assert "Huishoudens met bijstand (2023) per wijk, schematische kaart (één vlak per gebied)" in flat
    # Per theme: the wijken now and four years earlier; in the summary the significant changes.
    assert "Nu en vier jaar eerder" in flat and "Significante veranderingen in vier jaar" in flat
    # Definitions of the indicators shown, in the report's language, from the catalogue.
    assert "Definities" in flat and "Percentage huishoudens met een bijstandsuitkering (Participatiewet)." in flat
    # Fastest-widening gaps first, with their pace: Overvecht's bijstand gap grows 0.33 points a year, 5.6% of
    # the city's 5.9%.
    assert ("Overvecht: het verschil met de stad in huishoudens met bijstand groeide van +10,5 procentpunt in 2014 "
            "tot +13,5 procentpunt in 2023, gemiddeld +0,3 procentpunt per jaar (trendlijn over 10 metingen, "
            "p < 0,001; q < 0,001)") in flat
    # How many gap tests the summary rests on, and what chance alone would give.
    assert re.search(r"Van de \d+ reeksen van wijken waarvan het verschil met de stad getoetst kon worden", flat)
    assert "toeval alleen zou zonder correctie er ongeveer" in flat and "Verdeelde triomf" in flat
    context = json.loads((workdir / "reports/build/report-data.json").read_text(encoding="utf-8"))
    table = next(t for t in context["themes"] if t["id"] == "sociaal_economisch")["then_now"]
    column = next(i for i, h in enumerate(table["header"]) if h.startswith("Huishoudens met bijstand"))
    gaps = pd.read_parquet(workdir / "data/processed/analysis/gaps.parquet")
    overvecht = gaps[(gaps["indicator_id"] == "huishoudens_bijstand") & (gaps["area_code"] == "WK034403")]
    assert overvecht.set_index("period").loc[[2019, 2023], "value"].tolist() == [18.5, 19.4]
    assert next(r for r in table["rows"] if r[0] == "Overvecht")[column] == "19,4% (18,5%) ↓"  # lower is better
    assert table["rows"][-1][0] == "Utrecht (stad)"
    # Bijstand 18,5% -> 19,4% (2019 -> 2023) is significant alone (p < 0.05) but not among the six four-year
    # changes of the focus areas after the Benjamini-Hochberg correction: the summary says so.
    assert ("Van 6 getoetste veranderingen in vier jaar bij de focusgebieden zou toeval alleen er zonder "
            "correctie ongeveer 0,3 significant noemen") in flat
    assert "Geen van deze veranderingen is significant na die correctie (q < 0,05)." in flat
    # "Wat als we niets doen?": a chart per focus area and key indicator, and the outlook in the summary.
    assert len(list((workdir / "reports/figures").glob("projection_*.svg"))) == 2 * 6
    assert re.search(r"Als er niets verandert, staat Overvecht in 2030 nog altijd ongunstiger dan de stad bij .*"
                     r"huishoudens met bijstand \(\+17,6 procentpunt\)", flat)
    # Ten city waves: both city scenarios, and the city-trend one in the projection table.
    projections = pd.read_parquet(workdir / "data/processed/analysis/projections.parquet")
    assert set(projections["scenario"]) == {"status_quo", "city_trend"}
    assert "stad volgt eigen trend" in flat


def test_demo_warehouse_tables_and_views(demo_run):
    workdir, _, _ = demo_run
    con = duckdb.connect(str(workdir / "data/processed/warehouse.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert {"area", "indicator", "observation", "source_file", "gaps", "trends", "observation_current"} <= tables
        files = con.execute("SELECT count(*), bool_and(is_demo), min(length(sha256)), sum(rows_read) >= sum(rows_kept) "
                            "FROM source_file").fetchone()
        assert files == (16, True, 64, True)
        os.chdir(workdir)  # the analysis views read parquet relative to the working directory
        gap = con.execute("SELECT value, city_value, abs_gap FROM gaps WHERE indicator_id = 'huishoudens_bijstand' "
                          "AND area_code = 'WK034403' AND period = 2017").fetchone()
        assert gap[0] == 18.2 and gap[1] == 6.5 and gap[2] == pytest.approx(11.7)
        trend = con.execute("SELECT gap_trend FROM trends WHERE indicator_id = 'huishoudens_bijstand' "
                            "AND area_code = 'WK034403'").fetchone()
        assert trend == ("widening",)
    finally:
        os.chdir(ROOT)
        con.close()
    results = yaml.safe_load((workdir / "reports/validation/results.json").read_text())
    assert results["success"] and results["failed_critical"] == 0


def test_outputs_are_byte_identical_when_rebuilt(demo_run):
    workdir, _, _ = demo_run
    outputs = [workdir / "reports/utrecht-2023.pdf", *sorted((workdir / "reports/figures").glob("*.svg")),
               *sorted((workdir / "reports/data").glob("*.csv"))]
    assert len(outputs) > 1 + 8 + 8
    before = {p.name: sha(p) for p in outputs}
    rerun = snakemake(workdir, "--forcerun", "analyse", "figures", "bundle")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert {p.name: sha(p) for p in outputs} == before


def test_a_new_years_file_reruns_only_its_own_ingest_and_the_shared_steps(demo_run, tmp_path):
    """A researcher adds next year's kwb file: a dry run plans one ingest (of that file) and the shared
    steps after it, not the other 16 ingests; with nothing added, nothing is planned."""
    workdir = tmp_path / "next"
    shutil.copytree(demo_run[0], workdir, symlinks=True)
    nothing = snakemake(workdir, "--dry-run")
    assert nothing.returncode == 0 and "Nothing to be done" in nothing.stdout + nothing.stderr
    kwb = workdir / "data/raw/demo/cbs-kwb"
    shutil.copyfile(kwb / "kwb-2023.xlsx", kwb / "kwb-2024.xlsx")
    planned = snakemake(workdir, "--dry-run")
    assert planned.returncode == 0, planned.stderr[-2000:]
    output = planned.stdout + planned.stderr
    assert job_counts(output) == {"ingest": 1, "warehouse": 1, "validate": 1, "analyse": 1, "bundle": 1,
                                  "edition": 1, "figures": 1, "report": 1, "all": 1, "total": 9}
    assert "kwb-2024" in output and "kwb-2022" not in output


def test_english_report_from_the_same_run(demo_run, tmp_path):
    """`report.language: en` switches every label, sentence and number format; only the figures and
    the report are redone."""
    workdir = tmp_path / "en"
    shutil.copytree(demo_run[0], workdir, symlinks=True)
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["report"]["language"] = "en"
    write_config(workdir, config)
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Drawing the figures" in result.stdout + result.stderr and "Reading" not in result.stdout + result.stderr
    assert "Computing gaps" not in result.stdout + result.stderr
    pages = pdf_pages(workdir / "reports/utrecht-2023.pdf")
    flat = " ".join(" ".join(pages).split())
    for wijk in WIJKEN:
        assert wijk in flat, wijk
    assert all("DEMONSTRATION DATA" in page for page in pages)
    assert re.search(r"households on social assistance 18\.2% against 6\.5%", flat)
    assert "Overvecht: households on social assistance 19.4% against 5.9% in all of Utrecht in 2023 " \
           "(+13.5 percentage points; 3.3× the city level)" in flat
    assert "If nothing changes, Overvecht will in 2030 still be worse than the city in" in flat
    assert "Summary" in flat and "Profiles" in flat and "Appendix: provenance" in flat
    assert "Share of households receiving a social-assistance benefit (Participatiewet)." in flat
    for dutch in ("procentpunt", "Samenvatting", "tegen", "ongunstiger", "18,2%", "pagina"):
        assert dutch not in flat, dutch
    svg = (workdir / "reports/figures/profile_WK034403.svg").read_text(encoding="utf-8")
    assert "significantly worse" in svg and "ongunstiger" not in svg
    manifest = json.loads((workdir / "reports/build/figures.json").read_text(encoding="utf-8"))
    assert {m["title"] for m in manifest if m["kind"] == "profile"} >= {"Profile Overvecht", "Profile Zuidwest"}


def test_data_bundle_opens_as_the_right_columns_with_the_analysis_values(demo_run):
    from wijkmonitor.bundle import load_dictionary, read_csv

    workdir, _, _ = demo_run
    dictionary = load_dictionary(ROOT / "schemas/tables.yaml")
    for table in dictionary["table"].unique():
        frame = read_csv(workdir / f"reports/data/{table}.csv")
        assert frame.columns.tolist() == dictionary.loc[dictionary["table"] == table, "column"].tolist(), table
    gaps = read_csv(workdir / "reports/data/gaps.csv")
    parquet = pd.read_parquet(workdir / "data/processed/analysis/gaps.parquet")
    assert len(gaps) == len(parquet)
    assert np.allclose(gaps["abs_gap"].to_numpy(float), parquet["abs_gap"].to_numpy(float, na_value=np.nan),
                       equal_nan=True)
    observations = read_csv(workdir / "reports/data/observations.csv")
    overvecht = observations[(observations["indicator_id"] == "huishoudens_bijstand")
                             & (observations["area_code"] == "WK034403") & (observations["period"] == 2017)]
    assert overvecht[["value", "source_row"]].values.tolist()[0][0] == 18.2  # WijkWijzer 2017
    assert read_csv(workdir / "reports/data/data-dictionary.csv").columns.tolist() == [
        "table", "column", "type", "description_nl", "description_en"]


def test_second_run_does_nothing_and_changing_one_file_reruns_only_its_dependants(demo_run):
    workdir, _, _ = demo_run
    again = snakemake(workdir)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr
    # A newer time stamp alone is not a change: Snakemake compares the file's checksum.
    changed = workdir / "data/raw/demo/incijfers/subwijken_bijstand.csv"
    os.utime(changed)
    assert "Nothing to be done" in snakemake(workdir, "--dry-run").stdout
    changed.write_bytes(changed.read_bytes() + b"\r\n")  # a trailing blank line: new bytes, same data
    dry = snakemake(workdir, "--dry-run")
    stats = dict(re.findall(r"^(\w+)\s+(\d+)$", dry.stdout, flags=re.M))
    assert stats.get("ingest") == "1", dry.stdout
    downstream = ("warehouse", "validate", "analyse", "figures", "report", "bundle")
    assert {k: stats.get(k) for k in downstream} == dict.fromkeys(downstream, "1")
    assert "subwijken_bijstand.csv" in dry.stdout and "kwb-2019.xlsx" not in dry.stdout


# ------------------------------------------------------------- real exports


@skip_without_shared
@pytest.mark.realdata
def test_real_utrecht_exports_through_a_config_file(shared_data, tmp_path):
    write_config(tmp_path, {
        "city": {"name": "Utrecht", "code": "GM0344"},
        "periods": {"first": 2000, "last": 2024},  # the monitor transcription has one figure for 2000
        "sources": [
            {"id": "incijfers", "files": [str(shared_data / "utrecht/incijfers/*.csv")]},
            {"id": "cbs_kwb", "format": "cbs_kwb_xlsx", "files": [str(shared_data / "utrecht/cbs-kwb/*.xlsx")]},
            {"id": "rivm", "format": "auto", "files": [str(shared_data / "national/rivm-50090NED/20*_18+.xlsx"),
                                                         str(shared_data / "national/rivm-50090NED/RIVM_gezondheid2020_18+.xlsx")]},
            {"id": "monitor", "format": "tidy_csv",
             "files": [str(shared_data / "utrecht/monitor-transcribed/utrecht_monitor_city_series.csv")]},
            {"id": "statline", "files": [str(shared_data / "utrecht/statline/*.csv")]},
        ],
        "report": {"focus_areas": ["WK034403"], "key_indicators": ["ervaren_gezondheid_goed", "moeite_met_rondkomen"]},
    })
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    con = duckdb.connect(str(tmp_path / "data/processed/warehouse.duckdb"), read_only=True)
    good = con.execute("SELECT period, value FROM observation WHERE indicator_id = 'ervaren_gezondheid_goed' "
                       "AND area_code = 'WK034403' ORDER BY period").fetchall()
    assert good == [(2012, 65.8), (2016, 63.5), (2020, 69.9)]
    files = con.execute("SELECT reader, count(*), sum(rows_read), sum(rows_kept), bool_or(is_demo) FROM source_file "
                        "GROUP BY reader ORDER BY reader").fetchall()
    assert files == [("cbs_kwb_xlsx", 2, 244, 244, False), ("rivm_50090_xlsx", 3, 3 * 17341, 3 * 122, False),
                     ("statline_csv", 1, 123, 122, False), ("swing_csv", 3, 105, 105, False),
                     ("tidy_csv", 1, 240, 240, False)]
    # StatLine 85830NED: Wijk 03 Overvecht (row 30), distance to the nearest large supermarket.
    assert con.execute("SELECT value, source_row, provisional FROM observation WHERE source_id = 'statline' AND "
                       "area_code = 'WK034403' AND source_column = 'Detailhandel/Winkels dagelijkse boodschappen/"
                       "Afstand tot grote supermarkt (km)'").fetchall() == [(0.5, 30, False)]
    dropped = con.execute("SELECT rows_dropped, rows_skipped FROM source_file WHERE reader = 'statline_csv'").fetchone()
    assert dropped == ('{"outside the municipality": 1}', '{"header row": 1}')
    con.close()
    text = "\n".join(pdf_pages(tmp_path / "reports/utrecht-2024.pdf"))
    assert "Overvecht" in text and "DEMONSTRATIEDATA" not in text
    # The culture-participation export has ten columns the catalogue does not know: kept, and warned about.
    assert ("UIC_deelname_culturele_activiteiten_2023_Subwijken.csv: 10 column(s) not in the indicator "
            "catalogue, kept as uncatalogued") in result.stderr


# ---------------------------------------------------------------- bad input


SWING_OK = ('"Niveau";"% huishoudens met bijstand|2016";"% huishoudens met bijstand|2017";'
            '"% huishoudens met bijstand|2018"\n'
            '"Wijk Overvecht";"17,9";"18,2";"18,6"\n"Wijk Zuidwest";"12,0";"12,4";"12,8"\n"Utrecht";"6,4";"6,5";"6,4"\n')


def small_run(tmp_path: Path, swing_text: str, name: str = "export.csv", data: bytes | None = None):
    raw = tmp_path / "data/raw" / name
    raw.parent.mkdir(parents=True)
    raw.write_bytes(data if data is not None else swing_text.encode("utf-8"))
    write_config(tmp_path, {"city": {"name": "Utrecht", "code": "GM0344"}, "periods": {"first": 2010, "last": 2023},
                            "sources": [{"id": "incijfers", "files": [f"data/raw/{name}"]}]})
    before = sha(raw)
    result = snakemake(tmp_path)
    assert sha(raw) == before, "the raw file was modified"
    return result, result.stdout + result.stderr


def test_unknown_area_stops_with_file_row_and_suggestion(tmp_path):
    result, output = small_run(tmp_path, SWING_OK.replace("Wijk Zuidwest", "Wijk Zuidwets"))
    assert result.returncode != 0
    assert re.search(r"data/raw/export\.csv: 1 area\(s\) not in the area register: row 3: name 'Wijk Zuidwets' "
                     r"\(closest: Zuidwest", output)
    # The run's last line is that error, with the log it is in, not Snakemake's summary.
    last = result.stderr.strip().splitlines()[-1]
    assert re.match(r"wijkmonitor: error: data/raw/export\.csv: 1 area\(s\) not in the area register: row 3: "
                    r".*\(log: logs/ingest/.*export\.csv\.log\)$", last), last
    assert "Traceback" not in output
    assert not (tmp_path / "data/processed/warehouse.duckdb").exists()
    assert not list((tmp_path / "data/processed").rglob("*.parquet"))
    assert not (tmp_path / "reports/utrecht-2023.pdf").exists()


def test_value_out_of_range_stops_at_validation_naming_the_cell(tmp_path):
    result, output = small_run(tmp_path, SWING_OK.replace('"18,2"', '"182,0"'))
    assert result.returncode != 0
    assert "values in per cent are in [0, 100]" in output
    assert result.stderr.strip().splitlines()[-1].startswith("wijkmonitor: error: data validation failed: values in per cent")
    assert "data/raw/export.csv, row 2, column '% huishoudens met bijstand|2017'" in output
    assert "Traceback" not in output
    assert not (tmp_path / "reports/validation/results.json").exists()
    assert not (tmp_path / "data/processed/analysis").exists()
    assert not list((tmp_path / "data/processed").rglob("*.tmp"))


def test_unreadable_file_is_named(tmp_path):
    result, output = small_run(tmp_path, "", name="export.xlsx", data=b"PK\x03\x04 this is not a workbook")
    assert result.returncode != 0
    assert "data/raw/export.xlsx: cannot be opened as an Excel workbook" in output
    assert "Traceback" not in output


def test_step_logs_hold_the_runs_own_lines_not_library_noise(demo_run):
    """Each rule's log says what the step did; great-expectations' INFO housekeeping (about 200 lines
    of registering functions and temporary folders per validation) stays out."""
    workdir, _, _ = demo_run
    validate_log = (workdir / "logs" / "validate.log").read_text(encoding="utf-8").splitlines()
    assert validate_log == ["INFO validation: 24 of 24 checks passed"]
    for log in (workdir / "logs").glob("*.log"):
        text = log.read_text(encoding="utf-8")
        assert "Skipping registering function" not in text and "ephemeral docs site" not in text, log.name


def test_invalid_config_is_one_message(tmp_path):
    write_config(tmp_path, {"city": {"name": "Utrecht", "code": "Utrecht"}, "periods": {"first": 2010, "last": 2023},
                            "sources": [{"id": "x", "files": ["nothing/*.csv"]}]})
    result = snakemake(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "wijkmonitor: error: invalid configuration" in output and "'Utrecht' does not match" in output


def two_sheet_workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "kwb-2023"
    sheet.append(["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi", "a_inw"])
    sheet.append(["GM0344", "0344", "Utrecht", "Utrecht", "Gemeente", "GM0344", 1, 367947])
    book.create_sheet("Toelichting").append(["a_inw", "Aantal inwoners"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# One file of each kind of bad input: each stops the run with its own message naming the file.
BAD_INPUTS = {
    "truncated": ("export.csv", SWING_OK[: SWING_OK.index('"12,4"') + 3].encode(),
                  r"data/raw/export\.csv, row 3: has 3 fields where the header has 4; the file may be cut off"),
    "truncated workbook": ("kwb-2023.xlsx", None,
                           r"data/raw/kwb-2023\.xlsx: cannot be opened as an Excel workbook .*it may be truncated"),
    "wrong separator": ("export.csv", SWING_OK.replace(";", ",").encode(),
                        r"data/raw/export\.csv: format could not be detected from its first lines \(a text file "
                        r"whose first line has 4 fields separated by ','\)"),
    "binary": ("export.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
               r"data/raw/export\.csv: is a binary file, not text although its suffix is '\.csv'"),
    "empty": ("export.csv", b"", r"data/raw/export\.csv: is empty \(0 bytes\)"),
    "header only": ("export.csv", SWING_OK.splitlines(keepends=True)[0].encode(),
                    r"data/raw/export\.csv: holds no data rows: read as swing_csv"),
    "duplicate rows": ("export.csv", (SWING_OK + '"Overvecht";"17,9";"18,3";"18,6"\n').encode(),
                       r"data/raw/export\.csv, row 5, column '% huishoudens met bijstand\|2017': gives "
                       r"huishoudens_bijstand for WK034403 in 2017 twice with different values"),
    "percentage of 140": ("export.csv", SWING_OK.replace('"18,2"', '"140"').encode(),
                          r"values in per cent are in \[0, 100\].*data/raw/export\.csv, row 2, column "
                          r"'% huishoudens met bijstand\|2017'"),
    "several sheets": ("kwb-2023.xlsx", two_sheet_workbook(),
                       r"data/raw/kwb-2023\.xlsx: has 2 sheets with data \('kwb-2023', 'Toelichting'\); which one "
                       r"to read is not certain\. Set `sheet:`"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_corpus(tmp_path, case):
    name, data, message = BAD_INPUTS[case]
    if data is None:
        data = (ROOT / "data/raw/demo/cbs-kwb/kwb-2023.xlsx").read_bytes()[:3000]
    result, output = small_run(tmp_path, "", name=name, data=data)
    assert result.returncode != 0
    assert re.search(message, output, re.DOTALL), output[-2000:]
    assert "Traceback" not in output
    processed = tmp_path / "data/processed"
    # Bad cells are found when the file is read; bad values (140%) when the complete warehouse is validated.
    assert (processed / "warehouse.duckdb").exists() == (case == "percentage of 140")
    assert not list(processed.rglob("*.tmp")) and not list(processed.rglob(".*.tmp"))
    assert not (processed / "analysis").exists() and not list((tmp_path / "reports").glob("*.pdf"))


# ------------------------------------------------------------- another city


def kwb_file_for(path: Path, regions: list[tuple[str, str]], municipality: str) -> None:
    """A kwb-shaped workbook (CBS short-name header) for the given (code, level) regions plus a
    region of another municipality, as the national kwb file holds them all. Names are made up:
    the RIVM file the codes come from carries no names."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi", "a_inw"])
    sheet.append(["GM0344", "0344", "Utrecht", "Utrecht", "Gemeente", "GM0344", 1, 374238])
    for code, level in regions:
        digits = code[2:]
        name = {"Gemeente": municipality, "Wijk": f"Wijk {digits[-2:]} Noord-{digits[-2:]}",
                "Buurt": f"Buurt-{digits[-4:]}"}[level]
        sheet.append([code, digits, name, municipality, level, code, 1, 1000])
    book.save(path)


@skip_without_shared
@pytest.mark.realdata
def test_another_municipality_by_configuration_alone(shared_data, tmp_path):
    from wijkmonitor.readers.excel import read_sheet

    rivm = shared_data / "national/rivm-50090NED"
    _, table = read_sheet(rivm / "2016_18+.xlsx")
    table.columns = [str(c).strip() for c in table.iloc[0]]
    regions = table.iloc[1:].assign(code=lambda t: t["WijkenEnBuurten"].str.strip(),
                                    level=lambda t: t["SoortRegio_2"].str.strip())
    castricum = regions[regions["Gemeentenaam_1"].str.strip() == "Castricum"]
    gm = castricum.loc[castricum["level"] == "Gemeente", "code"].item()
    kwb_file_for(tmp_path / "kwb-2020.xlsx", list(zip(castricum["code"], castricum["level"], strict=True)), "Castricum")
    done = subprocess.run([sys.executable, "-m", "wijkmonitor", "register", "kwb-2020.xlsx", "--municipality", gm,
                           "--out", "areas.csv"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote areas.csv: 28 areas (19 buurt, 8 wijk, 1 gemeente)"
    wijk = castricum[castricum["level"] == "Wijk"].iloc[0]
    write_config(tmp_path, {
        "city": {"name": "Castricum", "code": gm},
        "area_register": "areas.csv",
        "periods": {"first": 2012, "last": 2020},
        "sources": [{"id": "rivm", "files": [str(rivm / "2012_18+.xlsx"), str(rivm / "2016_18+.xlsx"),
                                             str(rivm / "RIVM_gezondheid2020_18+.xlsx")]}],
        "report": {"title": "Wijkmonitor Castricum", "focus_areas": [wijk["code"]],
                   "key_indicators": ["ervaren_gezondheid_goed", "moeite_met_rondkomen"]},
    })
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    con = duckdb.connect(str(tmp_path / "data/processed/warehouse.duckdb"), read_only=True)
    good = con.execute("SELECT value FROM observation WHERE indicator_id = 'ervaren_gezondheid_goed' AND "
                       "area_code = ? AND period = 2016", [wijk["code"]]).fetchone()[0]
    assert good == float(wijk["ErvarenGezondheidGoedZeerGoed_4"])
    kept = con.execute("SELECT sum(rows_kept), sum(rows_read) FROM source_file").fetchone()
    assert kept == (3 * 28, 3 * 17341)
    con.close()
    text = "\n".join(pdf_pages(tmp_path / "reports/castricum-2020.pdf"))
    assert "Wijkmonitor Castricum" in text and f"Noord-{wijk['code'][-2:]}" in text


def test_unknown_areas_quarantined_and_reported_and_reader_options_applied(tmp_path):
    raw = tmp_path / "data/raw/export.csv"
    raw.parent.mkdir(parents=True)
    raw.write_text(SWING_OK.replace("Wijk Zuidwest", "Wijk Zuidwets"), encoding="utf-8")
    # An export whose two value columns carry the same header, read with a mapping from the config.
    (tmp_path / "data/raw/same.csv").write_text(
        '"Niveau";"% werkloos|2023";"% werkloos|2023"\n"Wijk Overvecht";"9,1";"12,3"\n"Utrecht";"4,0";"5,2"\n',
        encoding="utf-8")
    write_config(tmp_path, {"city": {"name": "Utrecht", "code": "GM0344"}, "periods": {"first": 2010, "last": 2023},
                            "sources": [{"id": "incijfers", "files": ["data/raw/export.csv"]},
                                        {"id": "mapped", "files": ["data/raw/same.csv"],
                                         "columns": ["% werkloos|vrouwen|2023", "% werkloos|mannen|2023"]}],
                            "ingest": {"unknown_areas": "quarantine"}})
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "data/raw/export.csv: 1 row(s) with areas not in the register quarantined: 'Wijk Zuidwets'" in result.stderr
    con = duckdb.connect(str(tmp_path / "data/processed/warehouse.duckdb"), read_only=True)
    assert con.execute("SELECT source_file, source_row, area_name, observations FROM quarantine").fetchall() == [
        ("data/raw/export.csv", 3, "Wijk Zuidwets", 3)]
    assert con.execute("SELECT count(*) FROM observation WHERE area_code = 'WK034408'").fetchone() == (0,)
    assert con.execute("SELECT category, value, source_column FROM observation WHERE source_id = 'mapped' "
                       "AND area_code = 'WK034403' ORDER BY category").fetchall() == [
        ("mannen", 12.3, "column 3: % werkloos|2023"), ("vrouwen", 9.1, "column 2: % werkloos|2023")]
    con.close()
    text = " ".join(" ".join(pdf_pages(tmp_path / "reports/utrecht-2023.pdf")).split())
    assert "Gebieden die niet in het gebiedsregister staan" in text and "Wijk Zuidwets" in text


# ------------------------------------------------------- statistics on real data


@pytest.fixture(scope="module")
def open_run(tmp_path_factory):
    """The committed real run (config/utrecht-open-data.yaml on data/raw/open), in a temporary folder."""
    workdir = tmp_path_factory.mktemp("open")
    config = yaml.safe_load((ROOT / "config/utrecht-open-data.yaml").read_text(encoding="utf-8"))
    for source in config["sources"]:
        source["files"] = [str(ROOT / f) for f in source["files"]]
    config["report"]["boundaries"] = [str(ROOT / b) for b in config["report"]["boundaries"]]
    config.pop("outputs")
    config.pop("catalogue"), config.pop("area_register")
    write_config(workdir, config)
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def test_statistics_on_the_real_utrecht_files(open_run, monkeypatch):
    tmp_path = open_run
    analysis = tmp_path / "data/processed/analysis"
    gaps = pd.read_parquet(analysis / "gaps.parquet")
    bijstand = gaps[(gaps["indicator_id"] == "bijstand_per_1000_inwoners") & (gaps["area_code"] == "WK034403")]
    # kwb 2023: 2,680 persons on social assistance among 34,910 inhabitants; the city 10,410 of 367,947. A share
    # of persons (derived kind: share), so Wilson's interval on 2,680 / 34,910.
    row = bijstand[bijstand["period"] == 2023].iloc[0]
    assert row["value"] == pytest.approx(2680 / 34910 * 1000)
    assert row["city_value"] == pytest.approx(10410 / 367947 * 1000)
    assert (row["ci_method"], row["count"], row["n"]) == ("wilson", 2680, 34910)
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert (row["comparison_95"], row["comparison_998"], row["comparison_fdr"]) == ("worse", "worse", "worse")
    assert 2024 not in set(bijstand["period"])  # a_soz_wb is secret ('.') in kwb 2024
    health = gaps[(gaps["indicator_id"] == "ervaren_gezondheid_goed") & (gaps["area_code"] == "WK034403")
                  & (gaps["category"] == "18+")].sort_values("period")
    assert health["value"].tolist() == [65.8, 63.5, 69.9]
    assert health["city_value"].tolist() == [78.3, 77.0, 80.8]
    assert health["ci_method"].isna().all() and health["comparison_fdr"].isna().all()  # no n, no margins
    assert health["city_p"].isna().all()

    inequality = pd.read_parquet(analysis / "inequality.parquet")
    buurten = inequality[(inequality["indicator_id"] == "ervaren_gezondheid_goed") & (inequality["level"] == "buurt")
                         & (inequality["category"] == "18+")]
    assert set(buurten["period"]) == {2012, 2016, 2020} and (buurten["n_areas"] > 90).all()
    assert (buurten["theil_between"] + buurten["theil_within"] - buurten["theil"]).abs().max() < 1e-12
    assert buurten["sii"].notna().all() and buurten["dissimilarity"].isna().all()
    assert set(buurten["weights"]) == {"inhabitants 18+ 2023"}  # the age band, from kwb 2023 (nearest year)
    assert buurten["rii_ends"].notna().all() and (buurten["rii_method"] == "mean").all()
    ranking = inequality[inequality["indicator_id"] == "bijstand_per_1000_inwoners"]
    assert ranking["sii"].isna().all()  # the ranking indicator is not ranked against itself
    wijk_bijstand = ranking[ranking["level"] == "wijk"].iloc[0]
    assert wijk_bijstand["n_areas"] == 10 and 0 < wijk_bijstand["dissimilarity"] < 1
    trends = pd.read_parquet(analysis / "trends.parquet")
    overvecht = trends[(trends["indicator_id"] == "ervaren_gezondheid_goed") & (trends["area_code"] == "WK034403")
                       & (trends["category"] == "18+")]
    assert overvecht["n_periods"].tolist() == [3] and overvecht["trend_test"].tolist() == ["no_test"]
    for table in ("convergence", "projections", "composite", "inequality_change"):
        assert len(pd.read_parquet(analysis / f"{table}.parquet")) > 0, table
    monkeypatch.chdir(tmp_path)  # the analysis views read their parquet files relative to the run's folder
    con = duckdb.connect("data/processed/warehouse.duckdb", read_only=True)
    assert con.execute("SELECT count(*) FROM inequality").fetchone()[0] == len(inequality)
    con.close()

    text = " ".join(" ".join(pdf_pages(tmp_path / "reports/utrecht-2024.pdf")).split())
    assert "Ervaren gezondheid (zeer) goed: 69,9% tegen" in text
    assert "geen toets mogelijk" in text
    assert "Personen met bijstand per 1.000 inwoners: 76,8 tegen 28,3 in de stad (2023)" in text
    assert "Wilson-interval" in text and "significant ongunstiger dan de stad (p < 0,001; q < 0,001)" in text
    # Maps from the real wijk boundaries, with their class breaks stated.
    assert "Kaarten" in text and "per wijk, kaart van de grenzen; klassen met elk ongeveer evenveel gebieden" in text
    figures = tmp_path / "reports/figures"
    assert len(list(figures.glob("map_wijk_*.svg"))) == 6
    # Buurt maps from the real buurt boundaries: RIVM and kwb give these figures per buurt.
    assert len(list(figures.glob("map_buurt_*.svg"))) == 6
    assert "Ervaren gezondheid (zeer) goed (2020) per buurt, kaart van de grenzen" in text
    # Profile pages per wijk (report.profile_levels).
    profiles = sorted(p.stem for p in figures.glob("profile_*.svg"))
    assert profiles == [f"profile_WK0344{i:02d}" for i in range(1, 11)]
    # Inequality over time per key indicator with more than one wave: Theil split and SII per wave.
    assert (figures / "inequality_moeite_met_rondkomen.svg").is_file()
    # The bibliography names each method's reference.
    for reference in ("Wilson EB (1927)", "Breslow NE, Day NE (1987)", "Theil H (1967)",
                      "Duncan OD, Duncan B (1955)", "Barro, R. J. & Sala-i-Martin, X. (1992)"):
        assert reference in text, reference


def test_the_real_run_answers_the_policy_questions_honestly(open_run):
    """Issue 10's contract on the committed open data: tests that mean what they say, projections that say
    something, and the divided triumph of 'moeite met rondkomen'."""
    analysis = open_run / "data/processed/analysis"
    tables = {name: pd.read_parquet(analysis / f"{name}.parquet")
              for name in ("gaps", "trends", "projections", "inequality_change")}
    # No p-value of exactly 0 anywhere (an exact fit is not estimable), and q-values where there are p-values.
    p_columns = {"gaps": ["city_p"], "trends": ["slope_p", "change_p", "gap_p"],
                 "inequality_change": ["theil_change_p", "sii_change_p", "city_change_p"]}
    for table, columns in p_columns.items():
        for column in columns:
            assert not (tables[table][column].astype(float) == 0).any(), (table, column)
    assert tables["gaps"]["city_q"].notna().sum() > 0
    assert (tables["gaps"]["city_p"].notna() == tables["gaps"]["city_q"].notna()).all()
    # RIVM's figures come without margins: no p-values for them, trends included.
    rivm = tables["trends"]["indicator_id"].isin(["ervaren_gezondheid_goed", "moeite_met_rondkomen"])
    assert tables["trends"].loc[rivm, ["trend_p", "gap_p"]].isna().all().all()
    # No published projection interval clipped at (or rounding to) 0 or 100%.
    p = tables["projections"]
    shares = p["indicator_id"].isin(["ervaren_gezondheid_goed", "moeite_met_rondkomen", "eenzaam",
                                     "hoog_risico_angst_depressie"])
    published = p[shares & (p["projection_status"] == "ok")]
    assert len(published) > 0
    assert (published["pi_low"].round(1) > 0).all() and (published["pi_high"].round(1) < 100).all()
    # Overvecht in 2029 relative to the city, status quo: an interval narrower than 10 percentage points.
    overvecht = p[(p["area_code"] == "WK034403") & (p["target_period"] == 2029) & (p["scenario"] == "status_quo")]
    for indicator in ("ervaren_gezondheid_goed", "moeite_met_rondkomen"):
        row = overvecht[overvecht["indicator_id"] == indicator].iloc[0]
        assert row["projection_status"] == "ok" and row["n_waves"] == 3
        assert row["model"].startswith("mixedlm_buurten_")  # the population-weighted combination of its buurten
        assert 0 < row["gap_pi_high"] - row["gap_pi_low"] < 10, indicator
        assert row["gap_pi_low"] < row["projected_gap"] < row["gap_pi_high"]
    assert set(p["scenario"]) == {"status_quo"}  # three city waves: no city-trend scenario
    # "Years until the gap closes" only as a range, and only where the slope's interval excludes zero.
    closing = p[p["years_to_close_low"].notna()]
    assert (closing["years_to_close_low"] <= closing["years_to_close_high"]).all()
    excludes_zero = np.sign(closing["position_slope_ci_low"]) == np.sign(closing["position_slope_ci_high"])
    assert excludes_zero.all()
    # The divided triumph: the city's difficulty making ends meet fell 28.6% -> 17.2%, inequality between the
    # buurten grew beyond its uncertainty.
    divided = tables["inequality_change"]
    rondkomen = divided[(divided["indicator_id"] == "moeite_met_rondkomen") & (divided["category"] == "18+")
                        & (divided["level"] == "buurt")].iloc[0]
    assert (rondkomen["city_first"], rondkomen["city_last"]) == (28.6, 17.2)
    assert rondkomen["theil_change_ci_low"] > 0 and rondkomen["theil_change_q"] < 0.05
    assert bool(rondkomen["divided_triumph"]) is True
    text = " ".join(" ".join(pdf_pages(open_run / "reports/utrecht-2024.pdf")).split())
    assert ("Moeite met rondkomen: in heel Utrecht daalde het van 28,6% (2012) naar 17,2% (2020)" in text
            and "maar de ongelijkheid tussen de buurten nam toe: Theil" in text)
    assert "Verdeelde triomf" in text and "zonder correctie zou toeval er ongeveer" in text


def test_theil_of_the_issue_holds_with_all_inhabitants_as_weights(open_run):
    """The population-weighted Theil of 'moeite met rondkomen' across buurten as measured when issue 10 was
    filed (weights: all inhabitants, kwb 2023): 0.0461 / 0.0674 / 0.0627. The default now weighs by the
    figure's age band (18+), which gives other numbers; the setting reproduces the old ones."""
    from wijkmonitor.analysis import run_analysis
    from wijkmonitor.catalogue import Catalogue
    from wijkmonitor.config import analysis_settings, load_config
    from wijkmonitor.warehouse import CURRENT_IN_ORDER, connect_read_only

    config = load_config(open_run / "config.yaml")
    config["analysis"]["population_weights"] = "inhabitants"
    con = connect_read_only(str(open_run / "data/processed/warehouse.duckdb"))
    try:
        observations = con.execute(CURRENT_IN_ORDER).df()
        areas, indicators = con.execute("SELECT * FROM area").df(), con.execute("SELECT * FROM indicator").df()
    finally:
        con.close()
    units = dict(zip(indicators["id"], indicators["unit"], strict=True))
    tables, _ = run_analysis(observations, areas, indicators, units, Catalogue.load(config["catalogue"]).derived,
                             "GM0344", analysis_settings(config), 2024)
    i = tables["inequality"]
    theil = i[(i["indicator_id"] == "moeite_met_rondkomen") & (i["category"] == "18+") & (i["level"] == "buurt")]
    assert theil.sort_values("period")["theil"].round(4).tolist() == [0.0461, 0.0674, 0.0627]


# The rules in the order a run reaches them, and the log each writes when its step starts.
STAGES = [("ingest", "logs/ingest"), ("warehouse", "logs/warehouse.log"), ("validate", "logs/validate.log"),
          ("analyse", "logs/analyse.log"), ("figures", "logs/figures.log"), ("bundle", "logs/bundle.log"),
          ("edition", "logs/edition.log"), ("report", "logs/report.log")]


def published(workdir: Path) -> list[Path]:
    return sorted(p for folder in ("data/processed", "reports") for p in (workdir / folder).rglob("*")
                  if p.is_file() and "templates" not in p.parts and "captions" not in p.parts[-2:])


def kill_during(workdir: Path, started: Path) -> None:
    """Start the run and SIGKILL its whole process group as soon as `started` (a step's log) exists."""
    import signal

    with open(workdir / "killed-run.txt", "w") as out:
        run = subprocess.Popen(
            [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "2",
             "--configfile", str(workdir / "config.yaml")],
            stdout=out, stderr=subprocess.STDOUT, cwd=workdir, start_new_session=True)
        deadline = time.monotonic() + 600
        while not started.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()


@pytest.mark.parametrize("stage, started", STAGES, ids=[s for s, _ in STAGES])
def test_sigkill_during_each_stage_leaves_no_partial_output_and_the_rerun_is_identical(
        demo_run, tmp_path, stage, started):
    import xml.etree.ElementTree as ET

    import pyarrow.parquet as pq

    baseline_dir = demo_run[0]
    workdir = tmp_path / "run"
    workdir.mkdir()
    shutil.copytree(ROOT / "data/raw/demo", workdir / "data/raw/demo")
    shutil.copy(baseline_dir / "config.yaml", workdir / "config.yaml")
    kill_during(workdir, workdir / started)
    # Right after the kill: no temporary or cut-off file among the outputs.
    files = published(workdir)
    assert not [p for p in files if p.name.endswith((".tmp", ".partial"))
                or p.name.startswith(".") and p.name != ".snakemake_timestamp"], stage
    for path in files:
        if path.suffix == ".svg":
            ET.parse(path)
        elif path.suffix == ".parquet":
            pq.read_table(path)
        elif path.suffix == ".pdf":
            PdfReader(path)
    # The README's troubleshooting: unlock, then rerun the incomplete jobs.
    assert snakemake(workdir, "--unlock").returncode == 0
    rerun = snakemake(workdir, "--rerun-incomplete")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    outputs = [workdir / "reports/utrecht-2023.pdf", *sorted((workdir / "reports/figures").glob("*.svg")),
               *sorted((workdir / "reports/data").glob("*.csv"))]
    assert {p.name: sha(p) for p in outputs} == {
        p.name: sha(baseline_dir / p.relative_to(workdir)) for p in outputs}
    assert len(outputs) == 1 + len(list((baseline_dir / "reports/figures").glob("*.svg"))) + len(
        list((baseline_dir / "reports/data").glob("*.csv")))


# --------------------------------------------------------------------- disclosure control, end to end

def withheld_and_attacker_intervals(workdir: Path, min_cases: int = 10) -> pd.DataFrame:
    """Every figure the run withheld for itself (the source published it, on fewer than `min_cases`
    cases), with the narrowest interval someone can derive for its cases from the published bundle
    alone: observations.csv (counts, survey n, shares), gaps.csv (derived rates with their numerator and
    denominator, subwijk sums, the n of register shares) and the area register, by the linear programme
    of `disclosure.attacker_intervals`."""
    from wijkmonitor.analysis import register_denominators
    from wijkmonitor.bundle import read_csv
    from wijkmonitor.catalogue import Catalogue
    from wijkmonitor.disclosure import KEY, Structure, Table, attacker_intervals, cases, table_keys
    from wijkmonitor.warehouse import CURRENT_IN_ORDER

    con = duckdb.connect(str(workdir / "data/processed/warehouse.duckdb"), read_only=True)
    truth, areas = con.execute(CURRENT_IN_ORDER).df(), con.execute("SELECT * FROM area").df()
    indicators = con.execute("SELECT * FROM indicator").df()
    con.close()
    keyed = {"category": "string", "area_code": "string", "indicator_id": "string"}
    observations = read_csv(workdir / "reports/data/observations.csv").astype(keyed)
    gaps = read_csv(workdir / "reports/data/gaps.csv").astype(keyed)
    # What the bundle publishes, per figure: value and n (gaps adds derived rates and subwijk sums).
    published = observations[observations["status"] == "ok"][[*KEY, "value", "n", "status"]]
    extra = gaps.merge(published[KEY], on=KEY, how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"][[*KEY, "value"]].assign(status="ok")
    published = pd.concat([published, extra], ignore_index=True).assign(count=np.nan)
    published = register_denominators(published, indicators)
    published = pd.concat([published, cases(published, indicators)], axis=1)
    # A published derived rate and its denominator give its numerator back.
    catalogue = Catalogue.load(ROOT / "catalogue")
    numerators = gaps[gaps["count"].notna()].merge(
        catalogue.derived, left_on="indicator_id", right_on="id")[["numerator", "category", "area_code", "period",
                                                                     "count"]]
    numerators = numerators.rename(columns={"numerator": "indicator_id", "count": "cases"})
    known = pd.concat([published.loc[published["family"].notna(), [*KEY, "cases"]], numerators], ignore_index=True)
    # The figures withheld for themselves: published by the source, withheld in the bundle, few cases.
    truth = truth[truth["status"] == "ok"].assign(count=np.nan, category=truth["category"].astype("string"))
    truth = register_denominators(truth, indicators)
    truth = pd.concat([truth.reset_index(drop=True), cases(truth, indicators).reset_index(drop=True)], axis=1)
    small = truth[truth["family"].notna() & (truth["cases"] < min_cases)
                  & ((truth["cases"] > 0) | (truth["family"] == "survey"))]
    withheld = observations.loc[observations["status"] == "suppressed", KEY]
    targets = small.merge(withheld, on=KEY)[KEY]
    structure = Structure.of(areas, catalogue.breakdowns)
    known = known.assign(_table=table_keys(known, structure))
    targets = targets.assign(_table=table_keys(targets, structure))
    rows = []
    for name, mine in targets.groupby("_table"):
        them = known[known["_table"] == name]
        cells = list(zip(them["indicator_id"], them["area_code"], strict=True))
        wanted = list(zip(mine["indicator_id"], mine["area_code"], strict=True))
        table = Table(cases=dict(zip(cells, them["cases"].astype(float), strict=True)), withheld=set(),
                      primary=set(wanted))
        relations = structure.relations(set(cells) | set(wanted))
        for (indicator, area), (low, high) in attacker_intervals(table, relations).items():
            first = mine.iloc[0]
            rows.append({"indicator_id": indicator, "category": first["category"], "period": first["period"],
                         "area_code": area, "low": low, "high": high})
    return pd.DataFrame(rows, columns=["indicator_id", "category", "period", "area_code", "low", "high"]), gaps


@pytest.mark.parametrize("run", ["demo_run", "open_run"])
def test_no_withheld_figure_can_be_derived_from_what_is_published(run, request):
    workdir = request.getfixturevalue(run)
    workdir = workdir[0] if isinstance(workdir, tuple) else workdir
    intervals, gaps = withheld_and_attacker_intervals(workdir)
    assert len(intervals) > 0, "the run withholds figures, so the audit has something to check"
    width = intervals["high"] - intervals["low"]
    narrow = intervals[width < 10 - 1e-6]
    assert narrow.empty, narrow.head(10).to_string()
    # Not one withheld figure has a value in an analysis table, and the report reads the same published table.
    keys = intervals[["indicator_id", "category", "area_code", "period"]]
    assert keys.merge(gaps, on=["indicator_id", "category", "area_code", "period"]).empty
    published = pd.read_parquet(workdir / "data/processed/analysis/published_observations.parquet").astype(
        {"category": "string"})
    shown = keys.astype({"category": "string"}).merge(published, on=["indicator_id", "category", "area_code",
                                                                      "period"])
    assert (shown["status"] == "suppressed").all() and shown["value"].isna().all()


# ------------------------------------------------------------------------------- revisions

def test_a_revised_figure_is_listed_and_an_older_edition_can_be_chosen(tmp_path):
    """Two editions of one export: the 2024 edition revises Overvecht's 2017 share (18,2 -> 18,4) and adds
    2019. The analyses use the newest edition, and the revision is listed in the bundle and the report;
    `analysis.vintage` makes them use the older one instead."""
    from wijkmonitor.bundle import read_csv

    newer = (SWING_OK.replace('"18,2"', '"18,4"').replace('|2018"\n', '|2018";"% huishoudens met bijstand|2019"\n')
             .replace('"18,6"\n', '"18,6";"19,0"\n').replace('"12,8"\n', '"12,8";"13,0"\n')
             .replace('"6,4"\n', '"6,4";"6,3"\n'))
    (tmp_path / "data/raw").mkdir(parents=True)
    (tmp_path / "data/raw/bijstand-2023.csv").write_text(SWING_OK, encoding="utf-8")
    (tmp_path / "data/raw/bijstand-2024.csv").write_text(newer, encoding="utf-8")
    config = {"city": {"name": "Utrecht", "code": "GM0344"}, "periods": {"first": 2010, "last": 2023},
              "sources": [{"id": "incijfers", "files": ["data/raw/bijstand-2023.csv", "data/raw/bijstand-2024.csv"]}]}
    write_config(tmp_path, config)
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    revisions = read_csv(tmp_path / "reports/data/revisions.csv")
    assert revisions[["area_code", "period", "value", "vintage", "other_value", "other_vintage", "other_source_row"]
                     ].values.tolist() == [["WK034403", 2017, 18.4, "bijstand-2024", 18.2, "bijstand-2023", 2]]
    gaps = pd.read_parquet(tmp_path / "data/processed/analysis/gaps.parquet")
    overvecht = gaps[(gaps["area_code"] == "WK034403")].set_index("period")["value"]
    assert overvecht[2017] == pytest.approx(18.4) and overvecht[2019] == pytest.approx(19.0)
    text = " ".join(pdf_pages(tmp_path / "reports/utrecht-2023.pdf"))
    assert re.search(r"Herziene cijfers.*18,2% \(bijstand-2023\)\s+18,4% \(bijstand-2024\)", text, re.S)

    write_config(tmp_path, config | {"analysis": {"vintage": "bijstand-2023"}})
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    gaps = pd.read_parquet(tmp_path / "data/processed/analysis/gaps.parquet")
    overvecht = gaps[(gaps["area_code"] == "WK034403")].set_index("period")["value"]
    assert overvecht[2017] == pytest.approx(18.2) and overvecht[2019] == pytest.approx(19.0)  # 2019: only in 2024
    revisions = read_csv(tmp_path / "reports/data/revisions.csv")
    assert revisions[["value", "vintage", "other_value", "other_vintage"]].values.tolist() == [
        [18.2, "bijstand-2023", 18.4, "bijstand-2024"]]

    write_config(tmp_path, config | {"analysis": {"vintage": "bijstand-2022"}})
    result = snakemake(tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith(
        "wijkmonitor: error: analysis.vintage 'bijstand-2022' is not the vintage of any figure in the warehouse.")


# ------------------------------------------------------------------------------- editions

def test_a_second_edition_reports_what_changed_since_the_first(tmp_path):
    """Edition 2023 from one export; edition 2024 adds next year's export, which adds 2019 and revises
    Overvecht's 2017 share (18,2 -> 18,4). Each run records its edition; the second report has a chapter
    on what changed since the first."""
    newer = (SWING_OK.replace('"18,2"', '"18,4"').replace('|2018"\n', '|2018";"% huishoudens met bijstand|2019"\n')
             .replace('"18,6"\n', '"18,6";"19,0"\n').replace('"12,8"\n', '"12,8";"13,0"\n')
             .replace('"6,4"\n', '"6,4";"6,3"\n'))
    (tmp_path / "data/raw").mkdir(parents=True)
    first, second = tmp_path / "data/raw/bijstand-2023.csv", tmp_path / "data/raw/bijstand-2024.csv"
    first.write_text(SWING_OK, encoding="utf-8")
    config = {"city": {"name": "Utrecht", "code": "GM0344"}, "periods": {"first": 2010, "last": 2023},
              "sources": [{"id": "incijfers", "files": ["data/raw/bijstand-*.csv"]}],
              "report": {"key_indicators": ["huishoudens_bijstand"]}}
    write_config(tmp_path, config)
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads((tmp_path / "reports/editions/2023/manifest.json").read_text(encoding="utf-8"))
    assert record["edition"] == "2023" and record["inputs"] == [
        {"path": "data/raw/bijstand-2023.csv", "sha256": sha(first), "source_id": "incijfers", "vintage": "bijstand-2023"}]
    assert {"indicator_id": "huishoudens_bijstand", "period": 2018, "value": 6.4} in record["headline"]
    assert "veranderd sinds editie" not in " ".join(pdf_pages(tmp_path / "reports/utrecht-2023.pdf"))
    first_record = (tmp_path / "reports/editions/2023/manifest.json").read_bytes()

    second.write_text(newer, encoding="utf-8")
    write_config(tmp_path, config | {"periods": {"first": 2010, "last": 2024}})
    result = snakemake(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "reports/editions/2023/manifest.json").read_bytes() == first_record  # the record stays
    record = json.loads((tmp_path / "reports/editions/2024/manifest.json").read_text(encoding="utf-8"))
    assert [i["path"] for i in record["inputs"]] == ["data/raw/bijstand-2023.csv", "data/raw/bijstand-2024.csv"]
    text = " ".join(" ".join(pdf_pages(tmp_path / "reports/utrecht-2024.pdf")).split())
    chapter = text[text.index("Wat is er veranderd sinds editie 2023"):]
    assert "Nieuwe jaren (1): 2019." in chapter
    assert "Nieuwe bronbestanden (1): data/raw/bijstand-2024.csv." in chapter
    assert re.search(r"Huishoudens met bijstand: 6,4% \(2018\) werd 6,3% \(2019\)", chapter, re.I)
    assert re.search(r"1 gepubliceerde cijfer\(s\) hebben een andere waarde dan in de vorige editie: .*"
                     r"Overvecht 2017 18,2% \(bijstand-2023\) 18,4% \(bijstand-2024\)", chapter)
