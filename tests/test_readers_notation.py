"""Numbers read exactly or refused: one decimal notation per column, and `1.250`/`1,250` read only by a
convention that is known (the format's, or the column's other cells), never guessed."""

import openpyxl
import pandas as pd
import pytest
from test_readers_odata import ROWS, write_xlsx
from test_readers_swing_exports import LAAG_INKOMEN, THEMAS_ROWS, replaced, workbook

from conftest import cell
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers.common import parse_long_cells, parse_series
from wijkmonitor.readers.kwb import read_cbs_kwb_xlsx
from wijkmonitor.readers.odata import read_cbs_odata
from wijkmonitor.readers.statline import read_statline_csv
from wijkmonitor.readers.swing import read_swing_csv
from wijkmonitor.readers.themas import read_swing_themas_xlsx


def swing(tmp_path, *cells):
    """A Swing wide CSV (decimal comma declared) with one value column; cell i is in row i + 2."""
    lines = ['"Niveau";"Inwoners|2023"'] + [f'"Wijk {i}";"{c}"' for i, c in enumerate(cells)]
    path = tmp_path / "inwoners.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def refused(read, *args, **options) -> ReaderError:
    with pytest.raises(ReaderError) as error:
        read(*args, **options)
    assert error.value.hint  # every refusal says what to do
    return error.value


def values(table):
    return table.sort_values("source_row")["value"].tolist()


# -------------------------------------------------------------- mixed notations in one column


def test_swing_column_mixing_comma_and_point_is_refused_naming_both_cells(tmp_path):
    path = swing(tmp_path, "3", "12,5", "7", "12.5")
    error = refused(read_swing_csv, path)
    assert str(error) == (
        f"{path}, row 5, column 'Inwoners|2023': mixes decimal notations: row 3 has '12,5' (decimal comma), "
        "row 5 has '12.5' (decimal point); a column is written in one notation. Correct the cell written in the "
        "other notation, or download or export the file again.")
    assert (error.file, error.row, error.column) == (str(path), 5, "Inwoners|2023")


def test_thousands_separators_show_the_notation_too(tmp_path):
    # `1,250,000` can only be read with a decimal point (commas group the thousands): a mix with `12,5`.
    error = refused(read_swing_csv, swing(tmp_path, "12,5", "1,250,000"))
    assert ("mixes decimal notations: row 2 has '12,5' (decimal comma), row 3 has '1,250,000' "
            "(',' as thousands separator, so a decimal point)") in str(error)
    # `1.250.000` and `1.250,5` are Dutch: they go with `12,5`.
    assert values(read_swing_csv(swing(tmp_path, "12,5", "1.250.000", "1.250,5")).table) == [12.5, 1250000, 1250.5]


def test_odata_xlsx_mixed_cells_are_named_rather_than_called_no_number(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][9] = "     1,9"  # GemiddeldeHuishoudensgrootte of GM0344 (row 2); WK034403 (row 3) has "2.4"
    error = refused(read_cbs_odata, write_xlsx(tmp_path / "t.xlsx", rows=rows), period=2024)
    assert (error.row, error.column) == (3, "GemiddeldeHuishoudensgrootte_33")
    assert "mixes decimal notations: row 2 has '1,9' (decimal comma), row 3 has '2.4' (decimal point)" in str(error)


def test_themas_text_cells_mixing_notations_are_refused(tmp_path):
    # Row 4 has "18,2" as text; row 5's 9.5 stored as a number has no notation, but as text "9.5" it has one.
    assert read_swing_themas_xlsx(workbook(tmp_path / "ok.xlsx", THEMAS_ROWS)).table is not None
    rows = replaced(THEMAS_ROWS, 5, ["Oog in Al", "2.345", "9.5", 800, "."])
    error = refused(read_swing_themas_xlsx, workbook(tmp_path / "Themas_Buurten.xlsx", rows))
    assert error.column == LAAG_INKOMEN and error.row == 5
    assert "row 4 has '18,2' (decimal comma), row 5 has '9.5' (decimal point)" in str(error)


# ------------------------------------------------------- 1.250 and 1,250: decided or refused


def test_swing_declares_the_dutch_notation(tmp_path):
    # Swing writes a decimal comma and a `.` between thousands: 1.250 is 1250, 1,250 is 1.25 (the
    # count check of the warehouse refuses 1.25 inhabitants).
    assert values(read_swing_csv(swing(tmp_path, "1.250", "1,250", "12,5")).table) == [1250, 1.25, 12.5]


def test_swing_column_in_point_notation_cannot_decide_against_the_format(tmp_path):
    path = swing(tmp_path, "12.5", "1.250")
    error = refused(read_swing_csv, path)
    assert str(error).startswith(
        f"{path}, row 3, column 'Inwoners|2023': '1.250' could be 1250 (thousands separator) or 1.25 (decimal "
        "point); this format writes a decimal comma, but row 2 of this column has '12.5' (decimal point).")
    # Without the ambiguous cell, a point-notation column is read as it was before.
    assert values(read_swing_csv(swing(tmp_path, "12.5", "7")).table) == [12.5, 7]


def long_cells(*cells, column="x"):
    return pd.DataFrame({"cell": list(cells), "source_row": range(2, len(cells) + 2), "column": column})


def test_decimal_point_formats_read_commas_as_thousands_and_refuse_a_mix():
    value, status = parse_long_cells(long_cells("1,250", " 12.5", "1.250", "."), "t.xlsx", "column", decimal=".")
    assert value.tolist()[:3] == [1250, 12.5, 1.25] and status.tolist() == ["ok", "ok", "ok", "suppressed"]
    with pytest.raises(ReaderError, match=r"row 3, column 'x': mixes decimal notations: row 2 has '12,5' "
                                          r"\(decimal comma\), row 3 has '12.5' \(decimal point\)"):
        parse_long_cells(long_cells("12,5", "12.5"), "t.xlsx", "column", decimal=".")


def test_without_a_declared_notation_each_column_decides_its_own_cells():
    both = pd.concat([long_cells("12,5", "1.250", column="a"), long_cells("12.5", "1.250", column="b")],
                     ignore_index=True)
    assert parse_long_cells(both, "t.xlsx", "column", decimal=None)[0].tolist() == [12.5, 1250, 12.5, 1.25]


def test_leading_zero_is_never_a_thousands_group():
    comma = parse_series(pd.Series(["0.250", "0,250", "1.250"]), decimal=",")
    assert comma[0].tolist() == [0.25, 0.25, 1250]
    point = parse_series(pd.Series(["0.250", "0,250", "1,250"]), decimal=".")
    assert point[0].tolist()[0::2] == [0.25, 1250] and point[2].tolist() == [False, True, False]


# --------------------------------------------------------- kwb: no declared notation


def kwb(tmp_path, first, second):
    """A kwb workbook whose column p_koopw holds `first` (row 3) and `second` (row 4), text or numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "kwb-2023"
    sheet.append(["gwb_code_10", "regio", "recs", "a_inw", "p_koopw"])
    sheet.append(["GM0344", "Utrecht", "Gemeente", 367947, 44])
    sheet.append(["WK034401", "Wijk 01 West", "Wijk", 1250, first])
    sheet.append(["WK034403", "Wijk 03 Overvecht", "Wijk", 34910, second])
    book.save(tmp_path / "kwb-2023.xlsx")
    return tmp_path / "kwb-2023.xlsx"


@pytest.mark.parametrize(("first", "second", "expected"), [
    ("5,5", "1,234", 1.234),   # the column writes a decimal comma
    (5.5, "1,234", 1234),      # a number stored as a number reads as 5.5: the comma groups thousands
    ("5,5", "1.234", 1234),
    ("5.5", "1.234", 1.234),
    ("1.234,5", "1.234", 1234),
])
def test_kwb_columns_decide_by_their_own_cells(tmp_path, first, second, expected):
    table = read_cbs_kwb_xlsx(kwb(tmp_path, first, second)).table
    assert cell(table, source_indicator="p_koopw", area_code="WK034403")["value"] == expected
    assert cell(table, source_indicator="a_inw", area_code="WK034401")["value"] == 1250


def test_kwb_ambiguous_cell_without_evidence_is_refused(tmp_path):
    path = kwb(tmp_path, 12, "1,234")
    error = refused(read_cbs_kwb_xlsx, path)
    assert str(error).startswith(
        f"{path}, row 4, column 'p_koopw': '1,234' could be 1234 (thousands separator) or 1.234 (decimal comma); "
        "no other cell of this column shows which notation it uses, and the format declares none.")


def test_kwb_mixed_column_is_refused(tmp_path):
    error = refused(read_cbs_kwb_xlsx, kwb(tmp_path, "5,5", 6.5))
    assert (error.row, error.column) == (4, "p_koopw")
    assert "row 3 has '5,5' (decimal comma), row 4 has '6.5' (decimal point)" in str(error)


# ----------------------------------------------------------- StatLine: no thousands separators


def statline(tmp_path, figure):
    path = tmp_path / "bevolking_2022.csv"
    path.write_text(f'"Regio\'s";"Bevolking/Aantal inwoners (aantal)"\r\n"Utrecht";{figure}\r\n"Bunnik";15\r\n',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("figure", "value"), [("1.250", 1.25), ("1,250", 1.25), ('"     1.250"', 1.25)])
def test_statline_one_separator_is_the_decimal_one(tmp_path, figure, value):
    assert cell(read_statline_csv(statline(tmp_path, figure)).table, area_name="Utrecht")["value"] == value


@pytest.mark.parametrize("figure", ["1.250.000", "1.250,5", "1,250.5"])
def test_statline_thousands_separator_is_refused(tmp_path, figure):
    path = statline(tmp_path, figure)
    error = refused(read_statline_csv, path)
    assert str(error).startswith(f"{path}, row 2, column 'Bevolking/Aantal inwoners (aantal)': '{figure}' has a "
                                 "thousands separator, which StatLine does not write")


def test_tidy_csv_refuses_a_comma_in_a_number(tmp_path):
    from wijkmonitor.readers.tidy import read_tidy_csv

    path = tmp_path / "tidy.csv"
    path.write_text('indicator,area_code,period,value,n\nx,WK034401,2023,12.5,"1,250"\nx,WK034402,2023,7,300\n',
                    encoding="utf-8")
    error = refused(read_tidy_csv, path)
    assert (error.row, error.column) == (2, "n") and "'1,250' has a comma" in str(error)
    path.write_text("indicator,area_code,period,value,n\nx,WK034401,2023,12.5,1250\n", encoding="utf-8")
    table = read_tidy_csv(path).table
    assert table[["value", "n"]].values.tolist() == [[12.5, 1250.0]]
