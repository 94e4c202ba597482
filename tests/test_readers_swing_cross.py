"""Swing cross-tables of two area dimensions, and exports whose headers lost a dimension."""

import pandas as pd
import pytest

from conftest import cell
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers import detect_format, read_file
from wijkmonitor.readers.swing import read_swing_csv

# The shape of a Swing cross-table download: pupils by wijk of residence (rows) and wijk of the
# school (columns), an unlabelled row-total column, an unlabelled column-total row, blank
# `;;;` rows and stray text rows after the table.
CROSS_TABLE = (
    'Wijken;"Leerlingen basisonderwijs|West|schooljaar 2022/2023";'
    '"Leerlingen basisonderwijs|Noordwest|schooljaar 2022/2023";\n'
    '"Wijk West";"1.234";"56";"1.290"\n'
    '"Wijk Noordwest";"12";"x";"12"\n'
    '"Wijk Overvecht";"-";"?";"0"\n'
    '"";"1.246";"56";"1.302"\n'
    ';;;\n'
    '"Bron: DUO, bewerking gemeente Utrecht"\n'
    '"Filter: basisonderwijs"\n'
)


@pytest.fixture
def cross_table(tmp_path):
    path = tmp_path / "leerlingen_woonwijk_schoolwijk.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CROSS_TABLE.replace("\n", "\r\n").encode("utf-8"))
    return path


def test_cross_table_cells(cross_table):
    result = read_swing_csv(cross_table)
    frame = result.table
    assert len(frame) == 3 * 2  # three row areas x two column areas; totals are not observations
    west_west = cell(frame, area_name="Wijk West", category="West")
    assert (west_west["value"], west_west["status"], west_west["source_row"]) == (1234, "ok", 2)
    assert west_west["source_column"] == "Leerlingen basisonderwijs|West|schooljaar 2022/2023"
    assert (west_west["period"], west_west["period_label"]) == (2023, "schooljaar 2022/2023")
    assert cell(frame, area_name="Wijk West", category="Noordwest")["value"] == 56
    suppressed = cell(frame, area_name="Wijk Noordwest", category="Noordwest")
    assert suppressed["status"] == "suppressed" and pd.isna(suppressed["value"])
    assert cell(frame, area_name="Wijk Overvecht", category="West")["status"] == "not_applicable"
    assert cell(frame, area_name="Wijk Overvecht", category="Noordwest")["status"] == "missing"
    assert set(frame["source_indicator"]) == {"Leerlingen basisonderwijs"}


def test_cross_table_rows_accounted_for(cross_table):
    result = read_swing_csv(cross_table)
    assert result.skipped == {
        "header row": [1], "column-total row": [5], "blank row": [6], "text row after the table": [7, 8],
    }
    assert result.encoding == "utf-8-sig"
    assert "Bron: DUO, bewerking gemeente Utrecht" in result.notes
    assert any("row total" in note for note in result.notes)


def test_cross_table_is_detected_as_swing(cross_table):
    assert detect_format(cross_table) == "swing_csv"


def test_table_rows_after_stray_text_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('Wijken;"a|West|2023"\n"Wijk West";"1"\n"Bron: DUO"\n"Wijk Oost";"2"\n', encoding="utf-8")
    with pytest.raises(ReaderError, match=r"x\.csv, row 4: has table rows after a text row \(row 3: 'Bron: DUO'\)"):
        read_swing_csv(path)


def test_unlabelled_column_in_the_middle_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('Wijken;"a|2023";;"b|2023"\n"Wijk West";"1";"2";"3"\n', encoding="utf-8")
    with pytest.raises(ReaderError, match=r"x\.csv, row 1: column 3 has no header"):
        read_swing_csv(path)


# An export in which every value column carries the same header: the category was lost.
SAME_HEADERS = (
    '"Niveau";"% huishoudens met bijstand|2023";"% huishoudens met bijstand|2023"\n'
    '"Wijk Overvecht";"18,2";"17,9"\n'
    '"Utrecht";"6,5";"6,4"\n'
)


def test_same_headers_are_refused_without_a_mapping(tmp_path):
    path = tmp_path / "bijstand.csv"
    path.write_text(SAME_HEADERS, encoding="utf-8")
    with pytest.raises(ReaderError) as error:
        read_file(path, "auto")
    message = str(error.value)
    assert "columns 2 and 3 describe the same indicator" in message and "(2 columns carry this header)" in message
    assert "`columns:`" in message


def test_same_headers_read_with_a_mapping_from_the_config(tmp_path):
    path = tmp_path / "bijstand.csv"
    path.write_text(SAME_HEADERS, encoding="utf-8")
    mapping = ["% huishoudens met bijstand|alle huishoudens|2023", "% huishoudens met bijstand|met kinderen|2023"]
    fmt, result = read_file(path, "auto", columns=mapping)
    frame = result.table
    assert fmt == "swing_csv"
    with_children = cell(frame, area_name="Wijk Overvecht", category="met kinderen")
    assert (with_children["value"], with_children["source_row"]) == (17.9, 2)
    assert with_children["source_column"] == "column 3: % huishoudens met bijstand|2023"
    assert cell(frame, area_name="Utrecht", category="alle huishoudens")["value"] == 6.5


def test_mapping_must_cover_every_value_column(tmp_path):
    path = tmp_path / "bijstand.csv"
    path.write_text(SAME_HEADERS, encoding="utf-8")
    with pytest.raises(ReaderError, match="the config maps 1 column\\(s\\) but the file has 2 value column\\(s\\)"):
        read_swing_csv(path, columns=["% bijstand|2023"])
