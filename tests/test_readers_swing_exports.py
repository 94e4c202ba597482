"""Swing "Thema's" xlsx reports and dashboard tile CSVs, in the shapes utrecht.incijfers.nl exports them.

No real file of these shapes is in ../shared/data, so each test writes one that reproduces the shape.
"""

import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, SHARED_DATA
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers import detect_format, read_file, themas, tiles
from wijkmonitor.readers.sample import take_sample
from wijkmonitor.readers.themas import read_swing_themas_xlsx
from wijkmonitor.readers.tiles import read_swing_tiles_csv

# ------------------------------------------------------------------ Thema's xlsx

INWONERS = "Aantal inwoners [aantal] (1)"
LAAG_INKOMEN = "Huishoudens met laag inkomen [%]"
WONINGEN = "Woningvoorraad (2)"
RAPPORTCIJFER = "Rapportcijfer buurt"

# A "Thema's" report as the portal writes it: title, blank, header, areas, total, footer.
THEMAS_ROWS = [
    ["Thema's - 2024 - Buurten"],                                    # 1
    [],                                                             # 2
    [None, INWONERS, LAAG_INKOMEN, WONINGEN, RAPPORTCIJFER],        # 3
    ["Lombok", 1600, "18,2", "1.600", 7.125],                       # 4
    ["Oog in Al", "2.345", 9.5, 800, "."],                          # 5
    ["Onbekend", "?", "-", "x", None],                              # 6
    [],                                                             # 7
    ["Buurten totaal", 3945, "12,5%", 2400, "7,3"],                 # 8
    [],                                                             # 9
    ["- Niet van toepassing"],                                      # 10
    ["? Ontbreekt"],                                                # 11
    [". Geheim"],                                                   # 12
    [],                                                             # 13
    ["Bron: CBS"],                                                  # 14
    ["Bronnen: Basisregistratie Personen; Inwonersenquête"],        # 15
    ["(1) Cijfers van 2024 zijn voorlopig."],                       # 16
    ["(2) Peildatum 1 januari."],                                   # 17
    [],                                                             # 18
    ["Utrecht in Cijfers"],                                         # 19
    ["Datum export; woensdag 19 maart 2025"],                       # 20
]


def workbook(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Thema's"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def replaced(rows, number, row):
    """`rows` with row `number` (1-based) replaced."""
    return [row if i == number else r for i, r in enumerate(rows, start=1)]


def cells(frame, columns):
    return sorted(frame[columns].astype(object).where(frame[columns].notna(), None).itertuples(index=False,
                                                                                              name=None))


@pytest.fixture
def themas_path(tmp_path):
    return workbook(tmp_path / "Themas_Buurten.xlsx", THEMAS_ROWS)


def test_themas_values_cell_by_cell(themas_path):
    frame = read_swing_themas_xlsx(themas_path).table
    assert cells(frame, ["source_row", "source_column", "area_name", "value", "status"]) == sorted([
        (4, INWONERS, "Lombok", 1600.0, "ok"), (4, LAAG_INKOMEN, "Lombok", 18.2, "ok"),
        (4, WONINGEN, "Lombok", 1600.0, "ok"), (4, RAPPORTCIJFER, "Lombok", 7.125, "ok"),
        (5, INWONERS, "Oog in Al", 2345.0, "ok"), (5, LAAG_INKOMEN, "Oog in Al", 9.5, "ok"),
        (5, WONINGEN, "Oog in Al", 800.0, "ok"), (5, RAPPORTCIJFER, "Oog in Al", None, "suppressed"),
        (6, INWONERS, "Onbekend", None, "missing"), (6, LAAG_INKOMEN, "Onbekend", None, "not_applicable"),
        (6, WONINGEN, "Onbekend", None, "suppressed"), (6, RAPPORTCIJFER, "Onbekend", None, "missing"),
        (8, INWONERS, "Buurten totaal", 3945.0, "ok"), (8, LAAG_INKOMEN, "Buurten totaal", 12.5, "ok"),
        (8, WONINGEN, "Buurten totaal", 2400.0, "ok"), (8, RAPPORTCIJFER, "Buurten totaal", 7.3, "ok"),
    ])


def test_themas_indicator_unit_period_and_provisional(themas_path):
    frame = read_swing_themas_xlsx(themas_path).table
    per_column = frame.groupby("source_column").agg(
        indicator=("source_indicator", "unique"), unit=("source_unit", "unique"),
        provisional=("provisional", "unique"),
    )
    assert {c: (list(r.indicator), list(r.unit), list(r.provisional)) for c, r in per_column.iterrows()} == {
        INWONERS: (["Aantal inwoners"], ["aantal"], [True]),
        LAAG_INKOMEN: (["Huishoudens met laag inkomen"], ["%"], [False]),
        WONINGEN: (["Woningvoorraad"], [pd.NA], [False]),
        RAPPORTCIJFER: (["Rapportcijfer buurt"], [pd.NA], [False]),
    }
    assert set(frame["period"]) == {2024} and set(frame["period_label"]) == {"2024"}
    assert frame["area_code"].isna().all() and frame["category"].isna().all()


def test_themas_skipped_rows_and_notes(themas_path):
    result = read_swing_themas_xlsx(themas_path)
    assert result.skipped == {
        "title row": [1], "blank row": [2, 7, 9, 13, 18], "header row": [3], "legend": [10, 11, 12],
        "source line": [14, 15], "footnote": [16, 17], "portal name": [19], "export date": [20],
    }
    assert result.notes == [
        "Thema's - 2024 - Buurten", "Bron: CBS", "Bronnen: Basisregistratie Personen; Inwonersenquête",
        "(1) Cijfers van 2024 zijn voorlopig.", "(2) Peildatum 1 januari.", "Utrecht in Cijfers",
        "Datum export; woensdag 19 maart 2025",
    ]


# Another export of the same report type: typographic apostrophe, no year in the title (the file
# name has it), no blank rows, an area with no values at all, a two-cell legend, an area after the
# legend, a `Datum export:` line and footer text the reader does not know.
VARIANT_ROWS = [
    ["Thema\u2019s - Wijken"],                                      # 1
    [None, "Bevolking (1)", "Werkloosheid [%]"],                    # 2
    ["Wijk 03 Overvecht", 34910, "8,4"],                            # 3
    ["Onbekend"],                                                   # 4
    ["x", "Geheim"],                                                # 5
    ["Wijk 06 Binnenstad", "17.900", "?"],                          # 6
    ["Bron: CBS"],                                                  # 7
    ["(1) Voorlopige cijfers."],                                    # 8
    ["Gemeente Utrecht, afdeling Onderzoek"],                       # 9
    ["incijfers.nl"],                                               # 10
    ["Datum export: woensdag 3 april 2024"],                        # 11
]


def test_themas_variant_year_from_file_name(tmp_path):
    path = workbook(tmp_path / "themas_wijken_2019.xlsx", VARIANT_ROWS)
    result = read_swing_themas_xlsx(path)
    frame = result.table
    assert cells(frame, ["source_row", "source_indicator", "area_name", "value", "status", "provisional",
                         "source_unit"]) == sorted([
        (3, "Bevolking", "Wijk 03 Overvecht", 34910.0, "ok", True, None),
        (3, "Werkloosheid", "Wijk 03 Overvecht", 8.4, "ok", False, "%"),
        (4, "Bevolking", "Onbekend", None, "missing", True, None),
        (4, "Werkloosheid", "Onbekend", None, "missing", False, "%"),
        (6, "Bevolking", "Wijk 06 Binnenstad", 17900.0, "ok", True, None),
        (6, "Werkloosheid", "Wijk 06 Binnenstad", None, "missing", False, "%"),
    ])
    assert set(frame["period"]) == {2019} and set(frame["period_label"]) == {"2019"}
    assert result.skipped == {"title row": [1], "header row": [2], "legend": [5], "source line": [7],
                              "footnote": [8], "footer text": [9], "portal name": [10], "export date": [11]}
    assert result.notes == ["Thema\u2019s - Wijken", "Bron: CBS", "(1) Voorlopige cijfers.",
                            "Gemeente Utrecht, afdeling Onderzoek", "incijfers.nl",
                            "Datum export: woensdag 3 april 2024"]


def test_themas_text_after_the_area_block_is_footer_not_an_area(tmp_path):
    # Row 9 is blank, so the unknown line in row 10 is footer text: skipped and noted, not an area.
    rows = replaced(THEMAS_ROWS, 10, ["Toelichting: zie de website."])
    result = read_swing_themas_xlsx(workbook(tmp_path / "t.xlsx", rows))
    assert set(result.table["area_name"]) == {"Lombok", "Oog in Al", "Onbekend", "Buurten totaal"}
    assert (result.skipped["footer text"], result.skipped["legend"]) == ([10], [11, 12])
    assert "Toelichting: zie de website." in result.notes


def test_themas_year_in_title_without_separators(tmp_path):
    frame = read_swing_themas_xlsx(workbook(tmp_path / "t.xlsx", replaced(VARIANT_ROWS, 1, ["Thema's 2022"]))).table
    assert set(zip(frame["period"], frame["period_label"], strict=True)) == {(2022, "2022")}


def test_themas_period_option_and_refusal_without_year(tmp_path):
    path = workbook(tmp_path / "themas_wijken.xlsx", VARIANT_ROWS)
    assert set(read_swing_themas_xlsx(path, period=2020).table["period"]) == {2020}
    assert set(read_file(path, period=2020)[1].table["period_label"]) == {"2020"}
    with pytest.raises(ReaderError) as error:
        read_swing_themas_xlsx(path)
    assert str(error.value) == (f"{path}: names no year in its title ('Thema\u2019s - Wijken') or file name. "
                                "Set `period:` for this source in the config to the report's year.")


def test_themas_period_option_contradicting_title_is_refused(themas_path):
    with pytest.raises(ReaderError, match=r"row 1: its title \(\"Thema's - 2024 - Buurten\"\) says 2024, "
                                          r"but `period` is set to 2023\."):
        read_swing_themas_xlsx(themas_path, period=2023)


def test_themas_footnote_for_another_year_flags_nothing(tmp_path):
    rows = replaced(replaced(THEMAS_ROWS, 1, ["Thema's - 2019 - Buurten"]),
                    16, ["(1) Cijfers van 2025 zijn voorlopig."])
    result = read_swing_themas_xlsx(workbook(tmp_path / "t.xlsx", rows))
    assert not result.table["provisional"].any()
    assert "(1) Cijfers van 2025 zijn voorlopig." in result.notes
    assert result.notes[-1] == "footnote (1) calls 2025 provisional, not 2019: its cells are not flagged provisional"


@pytest.mark.parametrize(
    ("number", "row", "message"),
    [(4, ["Lombok", 1600, "veel", "1.600", 7.1],
      "row 4, column 'Huishoudens met laag inkomen [%]': 'veel' is not a number or a known missing marker "
      "(. x - ? or empty)."),
     (14, ["Bron: CBS", 12],
      "row 14: reads like a source line ('Bron: CBS 12') but has numbers in its value cells."),
     (7, [None, 5, 6, 7, 8], "row 7: has values but no area name in the first column."),
     (5, ["Oog in Al", 1, 2, 3, 4, 99], "row 5, column 'F': has a value ('99') in a column without a header."),
     (1, ["Rapport - 2024"],
      "row 1: is not a Swing Thema's report: its first row ('Rapport - 2024') does not start with \"Thema's\"."),
     (3, ["Buurt", INWONERS], "row 3: is not a Swing Thema's report: the row after the title should have an "
                              "empty first cell and indicator names after it.")],
    ids=["bad value", "footer with numbers", "values without area", "value without header", "no title",
         "no header"],
)
def test_themas_refusals_are_located(tmp_path, number, row, message):
    path = workbook(tmp_path / "t.xlsx", replaced(THEMAS_ROWS, number, row))
    with pytest.raises(ReaderError) as error:
        read_swing_themas_xlsx(path)
    assert str(error.value).startswith(f"{path}, {message}")


def test_themas_detection(tmp_path, themas_path):
    assert detect_format(themas_path) == "swing_themas_xlsx"
    assert detect_format(workbook(tmp_path / "themas_wijken_2019.xlsx", VARIANT_ROWS)) == "swing_themas_xlsx"
    no_header = workbook(tmp_path / "n.xlsx", replaced(THEMAS_ROWS, 3, ["Buurt", INWONERS]))
    assert not themas.looks_like(take_sample(no_header))


# --------------------------------------------------------------- dashboard tiles

TILES_HEADER = '"Mosaic";"Tegel";"Indicator";"Eenheid";"Periode";"gebied / dimensie";"Waarde";"Bron";"Omschrijving"'
LAAG = "Huishoudens met een inkomen onder de lage-inkomensgrens."
ONVEILIG = "Aandeel inwoners dat zich wel eens onveilig voelt in de eigen buurt."
TILES_LINES = [
    TILES_HEADER,
    f'"Wijkprofiel";"Inkomen";"Laag inkomen";"%";"november 2021";"Overvecht";"18,2";"CBS";"{LAAG}";',
    f'"Wijkprofiel";"Inkomen";"Laag inkomen";"%";"november 2021";"Utrecht";"9,1";"CBS";"{LAAG}";',
    f'"Wijkprofiel";"Inkomen";"Laag inkomen";"%";"november 2022";"Overvecht";"?";"CBS";"{LAAG}";',
    '"Wijkprofiel";"Bevolking";"Aantal inwoners";"aantal";"2022";"Overvecht";"34.910";"CBS";"Op 1 januari.";',
    '"Wijkprofiel";"Bevolking";"Aantal inwoners";"aantal";"2022";"Utrecht";"361924";"CBS";"Op 1 januari.";',
    f'"Wijkprofiel";"Veiligheid";"Onveilig";"";"2023";"Overvecht";"41%";"Inwonersenquête";"{ONVEILIG}";',
    f'"Wijkprofiel";"Veiligheid";"Onveilig";"";"2023";"Utrecht";".";"Inwonersenquête";"{ONVEILIG}";',
    f'"Wijkprofiel";"Veiligheid";"Onveilig";"";"2023";"Zuilen";"-";"Inwonersenquête";"{ONVEILIG}";',
    f'"Wijkprofiel";"Veiligheid";"Onveilig";"";"2023";"Kanaleneiland";"";"Inwonersenquête";"{ONVEILIG}";',
]
TILES_CELLS = sorted([
    (2, "Laag inkomen", "Overvecht", 2021, "november 2021", 18.2, "ok", "%"),
    (3, "Laag inkomen", "Utrecht", 2021, "november 2021", 9.1, "ok", "%"),
    (4, "Laag inkomen", "Overvecht", 2022, "november 2022", None, "missing", "%"),
    (5, "Aantal inwoners", "Overvecht", 2022, "2022", 34910.0, "ok", "aantal"),
    (6, "Aantal inwoners", "Utrecht", 2022, "2022", 361924.0, "ok", "aantal"),
    (7, "Onveilig", "Overvecht", 2023, "2023", 41.0, "ok", "%"),
    (8, "Onveilig", "Utrecht", 2023, "2023", None, "suppressed", None),
    (9, "Onveilig", "Zuilen", 2023, "2023", None, "not_applicable", None),
    (10, "Onveilig", "Kanaleneiland", 2023, "2023", None, "missing", None),
])
TILES_COLUMNS = ["source_row", "source_indicator", "area_name", "period", "period_label", "value", "status",
                 "source_unit"]


def tiles_file(path, lines, encoding="utf-8", newline="\n"):
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def test_tiles_values_row_by_row(tmp_path):
    frame = read_swing_tiles_csv(tiles_file(tmp_path / "tegel.csv", TILES_LINES)).table
    assert cells(frame, TILES_COLUMNS) == TILES_CELLS
    assert set(frame["source_column"]) == {"Waarde"}
    assert frame["area_code"].isna().all() and frame["category"].isna().all()
    assert not frame["provisional"].any()


def test_tiles_skipped_rows_and_notes_once_per_value(tmp_path):
    result = read_swing_tiles_csv(tiles_file(tmp_path / "tegel.csv", TILES_LINES[:3] + [""] + TILES_LINES[3:]))
    assert result.skipped == {"header row": [1], "blank row": [4]}
    assert result.table["source_row"].max() == 11
    assert result.notes == [
        "Mosaic: Wijkprofiel", "Tegel: Inkomen", "Tegel: Bevolking", "Tegel: Veiligheid", "Bron: CBS",
        "Bron: Inwonersenquête", f"Omschrijving Laag inkomen: {LAAG}", "Omschrijving Aantal inwoners: Op 1 januari.",
        f"Omschrijving Onveilig: {ONVEILIG}",
    ]


def test_tiles_source_row_after_a_field_spanning_two_lines(tmp_path):
    two_line = TILES_LINES[1].replace(LAAG, "Inkomen onder de\nlage-inkomensgrens.")
    frame = read_swing_tiles_csv(tiles_file(tmp_path / "tegel.csv", [TILES_HEADER, two_line, TILES_LINES[2]])).table
    assert list(frame["source_row"]) == [2, 4]


@pytest.mark.parametrize(
    ("encoding", "newline", "read_as"),
    [("utf-8", "\n", "utf-8"), ("utf-8-sig", "\r\n", "utf-8-sig"), ("cp1252", "\r\n", "cp1252"),
     ("cp1252", "\n", "cp1252")],
)
def test_tiles_encodings_and_line_endings(tmp_path, encoding, newline, read_as):
    path = tiles_file(tmp_path / "tegel.csv", TILES_LINES, encoding, newline)
    assert detect_format(path) == "swing_tiles_csv"
    fmt, result = read_file(path)
    assert (fmt, result.encoding) == ("swing_tiles_csv", read_as)
    assert cells(result.table, TILES_COLUMNS) == TILES_CELLS
    assert "Bron: Inwonersenquête" in result.notes


@pytest.mark.parametrize(
    ("line", "message"),
    [(TILES_LINES[2][:-1] + ';"x"',
      "row 3: has 'x' after its last column (Omschrijving), where a tile row ends with an empty field. "
      "A field may hold an unquoted ';'; check the export."),
     (TILES_LINES[2][:-1],
      "row 3: has 9 fields where a tile row has 10 (the 9 named in the header and an empty one after the "
      "closing ';'). The file may be cut off, or a field may hold an unquoted ';'."),
     (TILES_LINES[2].replace('"9,1"', '"veel"'),
      "row 3, column 'Waarde': 'veel' is not a number or a known missing marker (. x - ? or empty). "
      "Correct the cell in the export, or download the file again."),
     (TILES_LINES[2].replace('"november 2021"', '"vorige maand"'),
      "row 3, column 'Periode': period 'vorige maand' names no year. Export the tiles again from the dashboard."),
     (TILES_LINES[2].replace('"Utrecht"', '""'),
      "row 3, column 'gebied / dimensie': has no gebied / dimensie. Export the tiles again from the dashboard.")],
    ids=["extra field filled", "no trailing separator", "bad value", "period without year", "no area"],
)
def test_tiles_refusals_are_located(tmp_path, line, message):
    path = tiles_file(tmp_path / "tegel.csv", [TILES_HEADER, TILES_LINES[1], line])
    with pytest.raises(ReaderError) as error:
        read_swing_tiles_csv(path)
    assert str(error.value) == f"{path}, {message}"


def test_tiles_reader_refuses_another_header(tmp_path):
    path = tiles_file(tmp_path / "x.csv", ['"Niveau";"% a|2020"', '"Wijk West";"3,1"'])
    with pytest.raises(ReaderError, match=r"x\.csv, row 1: is not a Swing dashboard tile CSV: the first line "
                                          r"should be Mosaic;Tegel;Indicator;"):
        read_swing_tiles_csv(path)


@pytest.mark.parametrize(
    "header",
    [TILES_HEADER.replace(';"Omschrijving"', ""), TILES_HEADER + ';"Extra"', TILES_HEADER.replace(";", ",")],
    ids=["column missing", "column extra", "comma separated"],
)
def test_tiles_detector_wants_exactly_the_header(tmp_path, header):
    path = tiles_file(tmp_path / "t.csv", [header, TILES_LINES[1]])
    assert not tiles.looks_like(take_sample(path))


# ----------------------------------------- the detectors say no to every other file

OTHER_FOLDERS = {"shared": SHARED_DATA, "demo": ROOT / "data" / "raw" / "demo"}
OTHER_FILES = {
    f"{name}/{p.relative_to(folder)}": p for name, folder in OTHER_FOLDERS.items() if folder.is_dir()
    for p in sorted(folder.rglob("*")) if p.suffix.lower() in (".csv", ".xlsx", ".json", ".geojson")
}


@pytest.mark.parametrize("path", list(OTHER_FILES.values()), ids=list(OTHER_FILES))
def test_detectors_say_no_to_other_formats(path):
    sample = take_sample(path)
    assert not themas.looks_like(sample)
    assert not tiles.looks_like(sample)
