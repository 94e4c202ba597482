"""Swing xlsx exports: Thema's reports with labelled footer blocks, and the table exports of other
Swing portals (Rotterdam's onderzoek010.nl) with year and category header rows.

The files in tests/data/swing are written by tests/data/swing/make_files.py; variants and refusals
are written in tmp_path from the same rows.
"""

import sys

import openpyxl
import pytest

from conftest import ROOT, SHARED_DATA
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers import detect_format, read_file, swing_table, themas
from wijkmonitor.readers.sample import take_sample
from wijkmonitor.readers.swing_table import read_swing_table_xlsx
from wijkmonitor.readers.themas import read_swing_themas_xlsx

DATA = ROOT / "tests" / "data" / "swing"
sys.path.insert(0, str(DATA))
import make_files  # noqa: E402  (the rows the committed files were written from)

MERGED_FILE = DATA / "zzp_buurten_merged.xlsx"
REPEATED_FILE = DATA / "woningen_wijken_repeated.xlsx"
SINGLE_FILE = DATA / "vsv_gebieden_single.xlsx"
THEMAS_FILE = DATA / "themas_footer_blocks.xlsx"


def replaced(rows, number, row):
    """`rows` with row `number` (1-based) replaced."""
    return [row if i == number else r for i, r in enumerate(rows, start=1)]


def cells(frame, columns):
    return sorted(frame[columns].astype(object).where(frame[columns].notna(), None).itertuples(index=False,
                                                                                              name=None))


def refusal(path, reader=read_swing_table_xlsx, **options):
    with pytest.raises(ReaderError) as error:
        reader(path, **options)
    return str(error.value)


# ------------------------------------------------------------ Thema's footer blocks

INWONERS, GEZONDHEID = "Aantal inwoners [aantal] (1)", "Ervaren gezondheid goed [%]"


def test_themas_footer_blocks_do_not_stop_the_read():
    frame = read_swing_themas_xlsx(THEMAS_FILE).table
    assert cells(frame, ["source_row", "source_column", "area_name", "value", "status", "provisional"]) == sorted([
        (3, INWONERS, "Wijk 03 Overvecht", 35120.0, "ok", True), (3, GEZONDHEID, "Wijk 03 Overvecht", 68.5, "ok", False),
        (4, INWONERS, "Wijk 06 Binnenstad", 18050.0, "ok", True),
        (4, GEZONDHEID, "Wijk 06 Binnenstad", None, "suppressed", False),
        (5, INWONERS, "Utrecht", 374238.0, "ok", True), (5, GEZONDHEID, "Utrecht", None, "missing", False),
    ])
    assert set(frame["period"]) == {2025}


def test_themas_continuation_rows_are_skipped_with_their_block_and_noted():
    # "voorlopig." stands on the footnote's continuation row 14: the flag above depends on it.
    result = read_file(THEMAS_FILE, "auto")[1]
    assert result.skipped == {
        "title row": [1], "header row": [2], "blank row": [6], "legend": [7, 8, 9],
        "source line": [10, 11, 12], "footnote": [13, 14], "portal name": [15], "export date": [16],
    }
    assert result.notes == [
        "Thema's - 2025 - Wijken", "Bron: CBS, Kerncijfers wijken en buurten",
        "Bron: Gemeente Utrecht, Basisregistratie Personen", "Bron: RIVM, Gezondheidsmonitor",
        "(1) Cijfers van 2025 zijn voorlopig.", "Utrecht in Cijfers", "Datum export: woensdag 19 maart 2025",
    ]
    assert result.layout == "Thema's report; footer blocks with continuation rows"


def test_themas_one_cell_source_line_with_a_continuation_and_a_second_footnote(tmp_path):
    rows = replaced(replaced(make_files.THEMAS, 10, ["Bron: CBS"]), 14, [None, "(2) Peildatum 1 januari."])
    result = read_swing_themas_xlsx(make_files.write(tmp_path / "t.xlsx", rows))
    assert "Bron: CBS" in result.notes and "Bron: Gemeente Utrecht, Basisregistratie Personen" in result.notes
    # Row 14 opens footnote (2); footnote (1) no longer says "voorlopig", so nothing is provisional.
    assert ["(1) Cijfers van 2025 zijn", "(2) Peildatum 1 januari."] == [n for n in result.notes if n.startswith("(")]
    assert result.skipped["footnote"] == [13, 14] and not result.table["provisional"].any()


def test_themas_text_row_without_a_label_after_a_blank_is_footer_text(tmp_path):
    rows = make_files.THEMAS[:6] + [[None, "Zie ook de toelichting."]] + make_files.THEMAS[6:]
    result = read_swing_themas_xlsx(make_files.write(tmp_path / "t.xlsx", rows))
    assert result.skipped["footer text"] == [7] and "Zie ook de toelichting." in result.notes
    assert result.layout == "Thema's report; footer blocks with continuation rows"


@pytest.mark.parametrize(
    ("number", "row", "message"),
    [(11, [None, 12, "Gemeente Utrecht"], "row 11: has values but no area name in the first column."),
     (12, [None, ".", "?"], "row 12: has values but no area name in the first column."),
     (4, [None, "18.050", "."], "row 4: has values but no area name in the first column.")],
    ids=["number under a source block", "markers only under a source block", "numbers in the table"],
)
def test_themas_rows_with_values_but_no_area_are_still_refused(tmp_path, number, row, message):
    path = make_files.write(tmp_path / "t.xlsx", replaced(make_files.THEMAS, number, row))
    assert refusal(path, read_swing_themas_xlsx).startswith(f"{path}, {message}")


# ------------------------------------------------------------ Swing table exports

ZZP = [  # (row, area, period, category, value, status) of every cell of zzp_buurten_merged.xlsx
    (4, "Buurt Stadsdriehoek", 2009, "zzp", 120.0, "ok"), (4, "Buurt Stadsdriehoek", 2009, "geen zzp", 1500.0, "ok"),
    (4, "Buurt Stadsdriehoek", 2014, "zzp", None, "suppressed"),
    (4, "Buurt Stadsdriehoek", 2014, "geen zzp", 1620.0, "ok"),
    (4, "Buurt Stadsdriehoek", 2022, "zzp", 12.5, "ok"), (4, "Buurt Stadsdriehoek", 2022, "geen zzp", None, "missing"),
    (5, "Buurt Afrikaanderwijk", 2009, "zzp", 85.0, "ok"), (5, "Buurt Afrikaanderwijk", 2009, "geen zzp", 2310.0, "ok"),
    (5, "Buurt Afrikaanderwijk", 2014, "zzp", 90.0, "ok"),
    (5, "Buurt Afrikaanderwijk", 2014, "geen zzp", None, "missing"),
    (5, "Buurt Afrikaanderwijk", 2022, "zzp", 110.0, "ok"),
    (5, "Buurt Afrikaanderwijk", 2022, "geen zzp", 2405.0, "ok"),
    (6, "Gemeente Rotterdam", 2009, "zzp", 31200.0, "ok"), (6, "Gemeente Rotterdam", 2009, "geen zzp", 298000.0, "ok"),
    (6, "Gemeente Rotterdam", 2014, "zzp", 36100.0, "ok"), (6, "Gemeente Rotterdam", 2014, "geen zzp", 301500.0, "ok"),
    (6, "Gemeente Rotterdam", 2022, "zzp", 45000.0, "ok"), (6, "Gemeente Rotterdam", 2022, "geen zzp", 305000.0, "ok"),
]
ZZP_COLUMNS = ["source_row", "area_name", "period", "category", "value", "status"]


def test_table_merged_year_row_cell_by_cell():
    frame = read_swing_table_xlsx(MERGED_FILE).table
    assert cells(frame, ZZP_COLUMNS) == sorted(ZZP)
    assert set(zip(frame["period"], frame["period_label"], frame["category"], frame["source_column"],
                   strict=True)) >= {(2014, "2014", "zzp", "2014 | zzp"), (2022, "2022", "geen zzp", "2022 | geen zzp")}
    assert set(frame["source_indicator"]) == {"ZZP-ers"} and set(frame["source_unit"]) == {"aantal"}
    assert frame["area_code"].isna().all() and not frame["provisional"].any()


def test_table_merged_skipped_rows_notes_layout_and_detection():
    fmt, result = read_file(MERGED_FILE, "auto")
    assert fmt == "swing_table_xlsx"
    assert result.skipped == {
        "title row": [1], "header row": [2, 3], "blank row": [7], "legend": [8, 9, 10], "unit": [11],
        "source line": [12, 13], "portal name": [14, 15], "export date": [16],
    }
    assert result.notes == [
        "ZZP-ers - Buurten", "Eenheid: aantal", "Bron: CBS, bewerking OBI",
        "Bron: Gemeente Rotterdam, Basisregistratie Personen", "onderzoek010", "Website: https://onderzoek010.nl",
        "Datum export: 12-03-2024",
    ]
    assert result.layout == ("Swing table export: title, year row (merged cells) and category row "
                             "(one label per column); values stored as text")


def test_table_year_repeated_over_its_columns_reads_the_same_as_merged(tmp_path):
    rows = replaced(make_files.MERGED, 2, [None, "2009", "2009", "2014", "2014", "2022", "2022"])
    result = read_swing_table_xlsx(make_files.write(tmp_path / "t.xlsx", rows))
    assert cells(result.table, ZZP_COLUMNS) == sorted(ZZP)
    assert result.layout.startswith("Swing table export: title, year row (labels repeated over their columns)")


def test_table_category_row_above_the_year_row():
    fmt, result = read_file(REPEATED_FILE, "auto")
    assert fmt == "swing_table_xlsx"
    assert cells(result.table, ["source_row", "area_name", "category", "period", "value", "status",
                                "source_column"]) == sorted([
        (4, "Wijk Delfshaven", "koop", 2019, 8900.0, "ok", "koop | 2019"),
        (4, "Wijk Delfshaven", "koop", 2023, 9400.0, "ok", "koop | 2023"),
        (4, "Wijk Delfshaven", "huur", 2019, 21300.0, "ok", "huur | 2019"),
        (4, "Wijk Delfshaven", "huur", 2023, None, "suppressed", "huur | 2023"),
        (5, "Wijk Charlois", "koop", 2019, 12010.0, "ok", "koop | 2019"),
        (5, "Wijk Charlois", "koop", 2023, 12500.0, "ok", "koop | 2023"),
        (5, "Wijk Charlois", "huur", 2019, 19800.0, "ok", "huur | 2019"),
        (5, "Wijk Charlois", "huur", 2023, 19650.0, "ok", "huur | 2023"),
    ])
    assert result.layout == ("Swing table export: title, category row (labels repeated over their columns) "
                             "and year row (one label per column); values stored as text")


def test_table_single_row_of_school_years():
    fmt, result = read_file(SINGLE_FILE, "auto")
    assert fmt == "swing_table_xlsx"
    assert cells(result.table, ["source_row", "area_name", "period", "period_label", "value", "status"]) == sorted([
        (3, "Gebied Feijenoord", 2020, "2019/2020", 2.9, "ok"), (3, "Gebied Feijenoord", 2021, "2020/2021", 3.4, "ok"),
        (3, "Gebied Feijenoord", 2022, "2021/2022", None, "suppressed"),
        (4, "Gebied Noord", 2020, "2019/2020", 1.8, "ok"), (4, "Gebied Noord", 2021, "2020/2021", None, "missing"),
        (4, "Gebied Noord", 2022, "2021/2022", 2.1, "ok"),
    ])
    assert result.table["category"].isna().all() and set(result.table["source_unit"]) == {"%"}
    assert result.skipped == {"title row": [1], "header row": [2], "legend": [5], "unit": [6], "source line": [7]}
    assert result.layout == ("Swing table export: title and year row (one label per column); no category; "
                             "values stored as text")


CATEGORIES_ONLY = [
    ["Woningen naar eigendom - Wijken - 2022"],
    [None, "koop", "huur"],
    ["Wijk Delfshaven", "9.100", "21.000"],
    ["Eenheid", "aantal"],
]


def test_table_category_row_only_takes_the_year_from_the_title_or_the_period_option(tmp_path):
    path = make_files.write(tmp_path / "t.xlsx", CATEGORIES_ONLY)
    fmt, result = read_file(path, "swing_table_xlsx")
    assert cells(result.table, ["area_name", "category", "period", "period_label", "value", "source_column"]) == [
        ("Wijk Delfshaven", "huur", 2022, "2022", 21000.0, "huur"),
        ("Wijk Delfshaven", "koop", 2022, "2022", 9100.0, "koop"),
    ]
    assert result.layout == ("Swing table export: title and category row (one label per column); "
                             "period from the title or `period`; values stored as text")
    assert refusal(path, period=2021).startswith(f"{path}, row 1: its title says 2022, but `period` is set to 2021.")
    untitled = make_files.write(tmp_path / "u.xlsx", replaced(CATEGORIES_ONLY, 1, ["Woningen naar eigendom - Wijken"]))
    assert set(read_file(untitled, "swing_table_xlsx", period=2021)[1].table["period"]) == {2021}
    assert refusal(untitled).startswith(f"{untitled}, row 1: has no year row and names no year in its title.")
    # Without years in the header the shape is too like others to detect: it needs `format:`.
    with pytest.raises(ReaderError, match="format could not be detected"):
        detect_format(path)


def test_table_values_stored_as_numbers_are_not_read_as_dutch_text(tmp_path):
    rows = replaced(make_files.SINGLE, 3, ["Gebied Feijenoord", 1.625, "3,4", "."])
    result = read_swing_table_xlsx(make_files.write(tmp_path / "t.xlsx", rows))
    assert cells(result.table, ["source_row", "period", "value"])[:3] == [(3, 2020, 1.625), (3, 2021, 3.4), (3, 2022, None)]
    assert result.layout.endswith("values stored as text and numbers")


FORWARD_FILL = ("row 2, column 'C': header row has no label over column C; the label '2009' in column B is "
                "neither merged over it nor repeated in it, and is not assumed to extend over it (no forward filling).")


@pytest.mark.parametrize(
    ("rows", "merged", "message"),
    [(make_files.MERGED, [], FORWARD_FILL),
     (make_files.MERGED, ["B2:C2", "D2:E2"], FORWARD_FILL.replace("'C'", "'G'").replace("over column C", "over column G")
      .replace("'2009' in column B", "'2022' in column F")),
     (replaced(make_files.MERGED, 5, [None, "85", "2310"]), make_files.MERGED_RANGES,
      "row 5: has values but no area name in the first column."),
     (replaced(make_files.MERGED, 13, [None, "4500"]), make_files.MERGED_RANGES,
      "row 13: has values but no area name in the first column."),
     (replaced(make_files.MERGED, 4, ["Buurt Stadsdriehoek", "120", "veel"]), make_files.MERGED_RANGES,
      "row 4, column '2009 | geen zzp': 'veel' is not a number or a known missing marker (. x - ? or empty)."),
     (replaced(make_files.MERGED, 3, [None, "zzp", "geen zzp", "zzp", "zzp", "zzp", "geen zzp"]),
      make_files.MERGED_RANGES,
      "row 3, column 'E': column E ('2014 | zzp') holds the same period and category as column D."),
     (replaced(make_files.SINGLE, 2, [None, "2019/2020", "2020/2021", "Totaal"]), [],
      "row 2, column 'D': header row names years over some columns but 'Totaal' over column D; "
      "every column of a year row needs a year."),
     (replaced(make_files.MERGED, 3, [None, "2019", "2020", "2019", "2020", "2019", "2020"]), make_files.MERGED_RANGES,
      "row 3: both header rows name a year over every column; which one is the period is not certain."),
     (replaced(make_files.REPEATED, 8, [None, "%"]), [],
      "row 7: its Eenheid footer names several units ('aantal', '%'); which column has which is not certain.")],
    ids=["forward fill", "forward fill after merges", "numbers without area", "numbers in the footer",
         "text value", "same figure twice", "year row with a non-year", "two year rows", "two units"],
)
def test_table_refusals_name_file_row_and_column(tmp_path, rows, merged, message):
    path = make_files.write(tmp_path / "t.xlsx", rows, merged)
    assert refusal(path).startswith(f"{path}, {message}")


def test_table_period_option_is_refused_when_the_header_has_years():
    assert refusal(MERGED_FILE, period=2020) == (
        f"{MERGED_FILE}: names its years in header row 2; the `period` option does not apply. "
        "Remove `period:` for this source.")


def test_table_forward_fill_is_detected_then_refused_by_the_reader(tmp_path):
    path = make_files.write(tmp_path / "t.xlsx", make_files.MERGED)
    assert detect_format(path) == "swing_table_xlsx"
    with pytest.raises(ReaderError, match="no forward filling"):
        read_file(path, "auto")


# ------------------------------------------------------------ detection

def test_themas_and_table_detectors_exclude_each_other():
    for path in (MERGED_FILE, REPEATED_FILE, SINGLE_FILE):
        assert not themas.looks_like(take_sample(path))
    assert not swing_table.looks_like(take_sample(THEMAS_FILE))
    assert detect_format(THEMAS_FILE) == "swing_themas_xlsx"


def _other_files():
    folders = {"shared": SHARED_DATA, "demo": ROOT / "data" / "raw" / "demo", "tests": ROOT / "tests" / "data"}
    return {f"{name}/{p.relative_to(folder)}": p for name, folder in folders.items() if folder.is_dir()
            for p in sorted(folder.rglob("*")) if p.suffix.lower() in (".csv", ".xlsx", ".xls", ".json")
            and p.parent != DATA}


OTHER_FILES = _other_files()


@pytest.mark.parametrize("path", list(OTHER_FILES.values()), ids=list(OTHER_FILES))
def test_table_detector_says_no_to_other_formats(path):
    try:
        sample = take_sample(path)
    except ReaderError:
        pytest.skip("a deliberately broken file")
    assert not swing_table.looks_like(sample)


def test_table_detector_says_no_to_the_themas_reports_of_other_tests(tmp_path):
    book = openpyxl.Workbook()
    for row in [["Thema's - 2019 - Buurten"], [None, "2019", "2020"], ["Lombok", "1", "2"]]:
        book.active.append(row)
    book.save(tmp_path / "t.xlsx")
    assert not swing_table.looks_like(take_sample(tmp_path / "t.xlsx"))
