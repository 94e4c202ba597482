"""95% intervals from the `Marges` dimension of RIVM/CBS survey tables (50090NED and similar).

The small files are written here in the shape of 50090NED as StatLine gives it with every margin
(UntypedDataSet: padded codes, numbers as padded text; the estimates MW00000, then the lower
bounds MOG0095, then the upper bounds MBG0095, each a block of rows as the real table orders
them), as xlsx (read by both the rivm and the cbs_odata reader) and as an OData JSON feed. The
figures are made up; the real national files in ../shared/data carry estimates only.
"""

import json

import duckdb
import openpyxl
import pandas as pd
import pytest

from conftest import cell
from wijkmonitor.checks import raise_on_failure, validate_warehouse
from wijkmonitor.errors import ReaderError
from wijkmonitor.ingest import ingest_file
from wijkmonitor.readers import detect_format
from wijkmonitor.readers.common import MARGIN_ROW
from wijkmonitor.readers.odata import read_cbs_odata
from wijkmonitor.readers.rivm import read_rivm_50090_xlsx
from wijkmonitor.steps import write_json, write_parquet
from wijkmonitor.warehouse import build_warehouse

HEADER = ["ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "Gemeentenaam_1", "SoortRegio_2",
          "Codering_3", "ErvarenGezondheidGoedZeerGoed_4", "Roker_11", "BeperktVanwegeGezondheid_17"]
REGION = {"GM0344": ["Utrecht                                 ", "Gemeente  ", "GM0344              "],
          "WK034403": ["Utrecht                                 ", "Wijk      ", "WK034403            "]}
# (margin, region, age, good health, smoker, limited by health: not measured, so empty throughout)
FIGURES = [
    ("MW00000", "GM0344", "20300", "    80.8", "    17.9", None),  # xlsx row 2, JSON record 1
    ("MW00000", "GM0344", "80200", "    74.0", "     9.6", None),
    ("MW00000", "WK034403", "20300", "    69.9", "    27.5", None),
    ("MW00000", "WK034403", "80200", "    76.1", "       .", None),  # row 5: smokers suppressed
    ("MOG0095", "GM0344", "20300", "    80.1", "    17.1", None),  # row 6
    ("MOG0095", "GM0344", "80200", "    72.3", "       .", None),  # row 7: a suppressed bound
    ("MOG0095", "WK034403", "20300", "    67.2", "    25.0", None),
    ("MOG0095", "WK034403", "80200", "    73.4", "       .", None),  # row 9
    ("MBG0095", "GM0344", "20300", "    81.5", "    18.7", None),  # row 10
    ("MBG0095", "GM0344", "80200", "    75.6", "    10.9", None),
    ("MBG0095", "WK034403", "20300", "    72.5", None, None),  # row 12: an empty bound
    ("MBG0095", "WK034403", "80200", "    78.6", "       .", None),  # row 13
]


def table_rows(figures=FIGURES):
    return [[number, age, margin, f"{region:10}", "2020JJ00", *REGION[region], good, smoker, limited]
            for number, (margin, region, age, good, smoker, limited) in enumerate(figures)]


def write_xlsx(path, figures=FIGURES):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "50090NED_UntypedDataSet_1305202"
    sheet.append(HEADER)
    for row in table_rows(figures):
        sheet.append(row)
    book.save(path)
    return path


def write_feed(path, figures=FIGURES):
    values = [dict(zip(HEADER, row, strict=True)) for row in table_rows(figures)]
    body = {"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/50090NED/$metadata"
                              "#Cbs.OData.WebAPI.UntypedDataSet", "value": values}
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def with_figure(index, **changes):
    """FIGURES with one row changed (columns by name: margin, region, age, good, smoker)."""
    names = ("margin", "region", "age", "good", "smoker", "limited")
    figures = [list(f) for f in FIGURES]
    for name, new in changes.items():
        figures[index][names.index(name)] = new
    return [tuple(f) for f in figures]


# (reader, file writer, age code of 65+ as that reader writes it, first data row)
READERS = {
    "rivm xlsx": (read_rivm_50090_xlsx, write_xlsx, "65+", 2),
    "odata xlsx": (read_cbs_odata, write_xlsx, "80200", 2),
    "odata json": (read_cbs_odata, write_feed, "80200", 1),
}


def read(kind, tmp_path, figures=FIGURES):
    reader, writer, _, _ = READERS[kind]
    path = writer(tmp_path / ("50090NED.json" if writer is write_feed else "50090NED.xlsx"), figures)
    return path, reader(path)


def figure(frame, area, indicator, category):
    row = cell(frame, area_code=area, source_indicator=indicator, category=category)
    as_float = [None if pd.isna(row[c]) else float(row[c]) for c in ("value", "ci_low", "ci_high")]
    return (*as_float, row["status"], int(row["source_row"]), row["source_column"])


@pytest.mark.parametrize("kind", list(READERS))
def test_estimates_are_observations_with_the_bounds_as_their_interval(tmp_path, kind):
    _, _, old, first = READERS[kind]
    adults = "18+" if kind == "rivm xlsx" else "20300"
    _, result = read(kind, tmp_path)
    frame = result.table
    row = first - 2  # rows are numbered from 2 in xlsx (header = 1), from 1 in JSON
    assert figure(frame, "WK034403", "ErvarenGezondheidGoedZeerGoed", old) == (
        76.1, 73.4, 78.6, "ok", 5 + row, "ErvarenGezondheidGoedZeerGoed_4")
    assert figure(frame, "GM0344", "Roker", adults) == (17.9, 17.1, 18.7, "ok", 2 + row, "Roker_11")
    # A bound suppressed (row 7) or empty (row 12) while the estimate has a value: no interval.
    assert figure(frame, "GM0344", "Roker", old) == (9.6, None, None, "ok", 3 + row, "Roker_11")
    assert figure(frame, "WK034403", "Roker", adults) == (27.5, None, None, "ok", 4 + row, "Roker_11")
    assert figure(frame, "WK034403", "Roker", old) == (None, None, None, "suppressed", 5 + row, "Roker_11")
    not_measured = frame[frame["source_indicator"] == "BeperktVanwegeGezondheid"]
    assert (not_measured["status"] == "missing").all() and not_measured[["ci_low", "ci_high"]].isna().all().all()
    # Only the four estimate rows are observations; the eight bound rows are accounted as skipped.
    assert len(frame) == 4 * 3 and sorted(set(frame["source_row"])) == [r + row for r in (2, 3, 4, 5)]
    assert result.skipped[MARGIN_ROW] == [r + row for r in range(6, 14)]
    assert result.skipped.get("header row") == ([1] if first == 2 else None)
    assert frame["ci_low"].dtype == "Float64" and frame["ci_high"].dtype == "Float64"
    assert (f"2 figure(s) without a complete 95% interval (a bound empty, suppressed or absent): ci_low and "
            f"ci_high left empty (first: row {3 + row}, column 'Roker_11')") in result.notes


def test_xlsx_with_margins_is_still_detected_as_rivm(tmp_path):
    assert detect_format(write_xlsx(tmp_path / "50090NED.xlsx")) == "rivm_50090_xlsx"
    assert detect_format(write_feed(tmp_path / "50090NED.json")) == "cbs_odata"


@pytest.mark.parametrize("kind", list(READERS))
@pytest.mark.parametrize(
    ("figures", "row", "column", "message"),
    [(with_figure(4, margin="MOG0090"), 6, "Marges",
      "Marges code 'MOG0090' is not one of MW00000 (estimate), MOG0095 (lower bound of the 95% interval), "
      "MBG0095 (upper bound of the 95% interval)."),
     (FIGURES[:3] + FIGURES[4:], 8, "Marges",
      "is a lower bound of the 95% interval (Marges MOG0095) without an estimate row (MW00000) for the same "
      "WijkenEnBuurten, Leeftijd, Perioden (WK034403, 80200, 2020JJ00)."),
     (FIGURES + [FIGURES[9]], 14, "Marges",
      "gives the upper bound of the 95% interval (Marges MBG0095) of the same WijkenEnBuurten, Leeftijd, Perioden "
      "a second time (first in row 11)."),
     (with_figure(7, good="    77.0"), 9, "ErvarenGezondheidGoedZeerGoed_4",
      "the lower bound of the 95% interval (Marges MOG0095) 77 lies above its estimate 76.1 (row 5); the "
      "interval must contain the estimate."),
     (with_figure(11, good="    76.0"), 13, "ErvarenGezondheidGoedZeerGoed_4",
      "the upper bound of the 95% interval (Marges MBG0095) 76 lies below its estimate 76.1 (row 5); the "
      "interval must contain the estimate.")],
    ids=["unknown margin", "bound without estimate", "bound twice", "low above value", "high below value"],
)
def test_margin_refusals_name_file_row_and_column(tmp_path, kind, figures, row, column, message):
    _, writer, _, first = READERS[kind]
    shift = first - 2
    path = writer(tmp_path / ("t.json" if writer is write_feed else "t.xlsx"), figures)
    with pytest.raises(ReaderError) as error:
        READERS[kind][0](path)
    message = message.replace("(row 5)", f"(row {5 + shift})").replace("(first in row 11)", f"(first in row {11 + shift})")
    assert str(error.value).startswith(f"{path}, row {row + shift}, column {column!r}: {message}")


def test_a_bound_for_a_suppressed_estimate_is_not_read(tmp_path):
    # Row 5's smokers are suppressed; a lower bound with a number would reveal about where the figure lies.
    path, result = read("rivm xlsx", tmp_path, with_figure(7, smoker="    20.0"))
    assert figure(result.table, "WK034403", "Roker", "65+")[:4] == (None, None, None, "suppressed")
    assert ("1 interval bound(s) given for figures without a value, not read (first: row 5, column 'Roker_11')"
            in result.notes)


# --------------------------------------------------------------- ingest and the warehouse


def test_intervals_reach_the_observation_table(tmp_path, catalogue, matcher, register):
    raw = write_xlsx(tmp_path / "50090NED.xlsx")
    result = ingest_file(raw, fmt="auto", source_id="rivm", catalogue=catalogue, matcher=matcher)
    log = result.log
    assert log["reader"] == "rivm_50090_xlsx"
    assert log["rows_skipped"] == {"header row": 1, MARGIN_ROW: 8}
    assert log["rows_skipped_at"][MARGIN_ROW] == list(range(6, 14))
    # 13 lines = 1 header + 4 estimate rows + 8 bound rows: every row accounted for.
    assert log["rows_read"] + sum(log["rows_skipped"].values()) == 13
    assert log["observations_read"] == 12 and log["with_interval"] == 5
    write_parquet(result.observations, tmp_path / "rivm.parquet")
    write_json(log, tmp_path / "rivm.json")
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, [(str(tmp_path / "rivm.parquet"), str(tmp_path / "rivm.json"))], register, catalogue,
                    {"rivm": 0}, None, tmp_path / "analysis")
    con = duckdb.connect(str(db), read_only=True)
    try:
        query = ("SELECT value, ci_low, ci_high, source_row FROM {} WHERE indicator_id = 'ervaren_gezondheid_goed' "
                 "AND area_code = 'WK034403' AND category = '65+' AND period = 2020")
        assert con.execute(query.format("observation")).fetchall() == [(76.1, 73.4, 78.6, 5)]
        assert con.execute(query.format("observation_current")).fetchall() == [(76.1, 73.4, 78.6, 5)]
        assert con.execute("SELECT count(ci_low), count(ci_high), count(*) FROM observation").fetchone() == (5, 5, 12)
        smokers = con.execute("SELECT value, ci_low, ci_high FROM observation WHERE indicator_id = 'roker' "
                              "AND area_code = 'GM0344' ORDER BY category").fetchall()
        assert smokers == [(17.9, 17.1, 18.7), (9.6, None, None)]  # 18+, then 65+ (its lower bound suppressed)
    finally:
        con.close()
    report = validate_warehouse(str(db), 2010, 2023)
    raise_on_failure(report)
    interval_checks = [r for r in report["results"] if "interval" in r["description"]]
    assert len(interval_checks) == 4 and all(r["success"] for r in interval_checks)
