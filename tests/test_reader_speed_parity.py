"""The fast paths of the readers give exactly what the plain pandas paths gave (issue 11, item 10).

`read_sheet` parses a workbook once and converts it column by column; `parse_series` parses text
numbers on whole columns. Both are compared here with the slow definitions they replace: pandas'
`read_excel(header=None, dtype=str)` and `parse_cell` cell by cell.
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, skip_without_shared
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers import excel
from wijkmonitor.readers.common import CellError, parse_cell, parse_series
from wijkmonitor.readers.excel import read_sheet
from wijkmonitor.readers.sample import take_sample

# Every kind of cell calamine returns, and text pandas reads as missing (NA, null, '') or not ('  NA').
ODD_ROWS = [
    ["code", "count", "share", "when", "flag", "text", "NA"],
    ["NL01      ", 20300.0, "    76.1", dt.datetime(2023, 1, 31, 12, 30), True, "NA", "null"],
    ["GM0344", 3, 2.675, dt.date(2020, 2, 29), False, "  NA", "NULL"],
    [None, -0.0, 1e20, dt.time(7, 5), None, "null", "n/a"],
    ["#N/A", 1.5, -12.25, None, None, "n/a", "None"],
    ["", "17", 123456789012.0, "2016JJ00", "x", ".", "nan"],
]


def pandas_text(path, sheet):
    return pd.read_excel(path, sheet_name=sheet, header=None, dtype=str, engine="calamine")


@pytest.fixture
def odd_xlsx(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "odd"
    for row in ODD_ROWS:
        sheet.append(row)
    book.create_sheet("empty")
    path = tmp_path / "odd.xlsx"
    book.save(path)
    return path


def test_read_sheet_gives_the_cells_pandas_gives(odd_xlsx):
    name, table = read_sheet(odd_xlsx, "odd")
    expected = pandas_text(odd_xlsx, "odd")
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    assert name == "odd"
    # The conversions themselves, read off the sheet: whole floats lose `.0`, dates get a time,
    # pandas' missing strings are NaN, padded text stays padded.
    assert table.iloc[1].tolist()[:4] == ["NL01      ", "20300", "    76.1", "2023-01-31 12:30:00"]
    assert table.iloc[2, 2] == "2.675" and table.iloc[4, 2] == "-12.25" and table.iloc[2, 3] == "2020-02-29 00:00:00"
    assert table.iloc[3, 1] == "0" and table.iloc[3, 2] == "100000000000000000000"
    assert table.iloc[1, 4] == "True" and table.iloc[2, 5] == "  NA"
    assert table[5].isna().tolist() == [False, True, False, True, True, False]
    assert table[6].isna().all() and table[6].dtype == expected[6].dtype


def test_read_sheet_of_an_empty_sheet_and_of_an_xls(odd_xlsx):
    pd.testing.assert_frame_equal(read_sheet(odd_xlsx, "empty")[1], pandas_text(odd_xlsx, "empty"))
    # A committed BIFF file (tests/data/kwb/make_kwb_files.py wrote it with xlwt, which is not a
    # dependency): numbers stored as numbers, text with spaces, markers and an empty cell.
    path = ROOT / "tests" / "data" / "kwb" / "kwb-2012.xls"
    name, table = read_sheet(path)
    pd.testing.assert_frame_equal(table, pandas_text(path, "KWB2012"), check_exact=True)
    assert (name, table.iloc[1, 0], table.iloc[2, 0], table.iloc[1, 4], table.iloc[3, 6]) == (
        "KWB2012", "344", "034401", "316275", "x")


def test_sample_and_read_parse_the_workbook_once(odd_xlsx, monkeypatch):
    opened = []
    real = excel.CalamineWorkbook.from_path
    monkeypatch.setattr(excel.CalamineWorkbook, "from_path", lambda path: opened.append(path) or real(path))
    excel._LAST.clear()
    sample = take_sample(odd_xlsx)
    _, table = read_sheet(odd_xlsx, "odd")
    assert len(opened) == 1
    assert sample.sheets["odd"][1][:3] == ["NL01", "20300", "76.1"]
    assert list(sample.sheets) == ["odd", "empty"] and sample.sheets["empty"] == []
    # The reader takes the table over: the workbook is not kept, a later read parses it again.
    assert excel._LAST == []
    table.columns = [f"c{i}" for i in range(table.shape[1])]
    assert list(read_sheet(odd_xlsx, "odd")[1].columns) == list(range(7))
    assert len(opened) == 2


def test_a_changed_workbook_is_read_again(odd_xlsx):
    assert read_sheet(odd_xlsx, "odd")[1].iloc[1, 0] == "NL01      "
    book = openpyxl.load_workbook(odd_xlsx)
    book["odd"]["A2"] = "GM0363"
    book.save(odd_xlsx)
    os.utime(odd_xlsx, ns=(1, 1))  # even with an old modification time, the size or inode differs
    assert read_sheet(odd_xlsx, "odd")[1].iloc[1, 0] == "GM0363"
    odd_xlsx.write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(ReaderError, match="cannot be opened as an Excel workbook"):
        read_sheet(odd_xlsx, "odd")


# Cells parse_series must agree on with parse_cell: markers, padding, signs, %, thousands, junk.
CELLS = ["    76.1", "76.1", "", ".", "x", "X", "?", "-", "  -  ", "\u22123.5", "-3.5", "+2", "1e3", "1E-2",
         ".5", "5.", "12%", " 12 % ", "1,234", "1,234.5", "1.234", "1.234,5", "18,2", "1 234", "12\u00a0345",
         "3,1415", "abc", "1..2", "inf", "nan", "--1", "12,34,5", "0x10", "1_000", "\u22121.600", None, np.nan]


@pytest.mark.parametrize("decimal", [".", ","])
def test_parse_series_agrees_with_parse_cell_on_every_cell(decimal):
    value, status, bad = parse_series(pd.Series(CELLS, dtype=object), decimal=decimal)
    for i, text in enumerate(CELLS):
        try:
            expected = parse_cell(text, decimal=decimal)
        except CellError:
            assert bool(bad.iloc[i]), (text, decimal)
            continue
        assert not bool(bad.iloc[i]), (text, decimal)
        got = (None if pd.isna(value.iloc[i]) else float(value.iloc[i]), status.iloc[i])
        assert got == expected, (text, decimal)
    # Spot checks read off the rules, so the test fails even if parse_cell drifted along.
    at = {text: i for i, text in enumerate(CELLS) if isinstance(text, str)}
    assert value.iloc[at["    76.1"]] == 76.1 and value.iloc[at["\u22123.5"]] == -3.5
    assert value.iloc[at["1.234"]] == (1.234 if decimal == "." else 1234.0)
    assert value.iloc[at["18,2"]] == 18.2 if decimal == "," else bool(bad.iloc[at["18,2"]])
    assert status.iloc[at["  -  "]] == "not_applicable" and pd.isna(value.iloc[at["."]])


@skip_without_shared
@pytest.mark.realdata
@pytest.mark.parametrize("name", ["national/rivm-50090NED/RIVM_gezondheid2020_65+.xlsx",
                                  "utrecht/cbs-kwb/CBS-Utrecht-kwb-2024.xlsx"])
def test_real_workbooks_read_as_pandas_reads_them(shared_data, name):
    path = shared_data / name
    sheet, table = read_sheet(path)
    pd.testing.assert_frame_equal(table, pandas_text(path, sheet), check_exact=True)
