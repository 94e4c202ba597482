"""Readers refuse bad input with one message naming the file, the row and the column."""

import openpyxl
import pytest

from wijkmonitor.errors import ReaderError
from wijkmonitor.readers.kwb import read_cbs_kwb_xlsx
from wijkmonitor.readers.swing import read_swing_csv
from wijkmonitor.readers.tidy import read_tidy_csv


def kwb_workbook(path, cell):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "kwb-2023"
    sheet.append(["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi", "a_inw", "p_koopw"])
    sheet.append(["GM0344", "0344", "Utrecht", "Utrecht", "Gemeente", "GM0344", 1, 367947, 44])
    sheet.append(["WK034403", "034403", "Wijk 03 Overvecht", "Utrecht", "Wijk", "WK034403", 1, 34910, cell])
    book.save(path)
    return path


def test_kwb_bad_cell_is_located(tmp_path):
    path = kwb_workbook(tmp_path / "kwb-2023.xlsx", "twintig")
    with pytest.raises(ReaderError) as error:
        read_cbs_kwb_xlsx(path)
    assert str(error.value) == (f"{path}, row 3, column 'p_koopw': 'twintig' is not a number or a known "
                                "missing marker (. x - ? or empty). Correct the cell in the export, or "
                                "download the file again.")


def test_kwb_marker_cells_are_kept(tmp_path):
    frame = read_cbs_kwb_xlsx(kwb_workbook(tmp_path / "kwb-2023.xlsx", ".")).table
    row = frame[(frame["area_code"] == "WK034403") & (frame["source_indicator"] == "p_koopw")].iloc[0]
    assert row["status"] == "suppressed" and row["source_row"] == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [('"Niveau";"% a|2020";"% a|2021"\n"Wijk West";"3,1";"drie"\n',
      r"x\.csv, row 2, column '% a\|2021': 'drie' is not a number"),
     ('"Niveau";"% a|2020";"% a|2020"\n"Wijk West";"3,1";"4"\n',
      r"x\.csv, row 1, column '% a\|2020': columns 2 and 3 describe the same indicator, category and year"),
     ('"Niveau";"% a|vorig jaar"\n"Wijk West";"3,1"\n',
      r"x\.csv, row 1, column '% a\|vorig jaar': header .* names no indicator or no year")],
    ids=["bad value", "same header twice", "header without year"],
)
def test_swing_refusals_are_located(tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReaderError, match=message):
        read_swing_csv(path)


def test_tidy_status_must_agree_with_value(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("indicator,area_name,period,value,status\nx,Utrecht,2020,5,suppressed\n", encoding="utf-8")
    with pytest.raises(ReaderError, match=r"t\.csv, row 2, column 'status': status 'suppressed' does not agree"):
        read_tidy_csv(path)


def test_tidy_missing_column_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("indicator,area_name,value\nx,Utrecht,5\n", encoding="utf-8")
    with pytest.raises(ReaderError, match="missing column\\(s\\) period"):
        read_tidy_csv(path)


def test_every_refusal_of_a_reader_says_what_to_do():
    """Each `ReaderError(...)` in the readers carries a `hint` (what the user does next), besides
    the file and the row or column it names."""
    import ast

    from conftest import ROOT

    without = []
    for path in sorted((ROOT / "src" / "wijkmonitor" / "readers").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ReaderError":
                if "hint" not in {keyword.arg for keyword in node.keywords}:
                    without.append(f"{path.name}:{node.lineno}")
    assert without == []
