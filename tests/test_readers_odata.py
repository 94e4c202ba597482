"""The CBS OData reader (cbs_odata): TypedDataSet/UntypedDataSet tables as xlsx or JSON.

The small files are written here in the shape of table 85984NED "Kerncijfers wijken en buurten
2024" (real Keys from its DataProperties.json in ../shared/data); the RIVM 50090NED files in
../shared/data are the same OData shape saved as xlsx.
"""

import json
import shutil

import openpyxl
import pytest

from conftest import ROOT, SHARED_DATA, cell, skip_without_shared
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers import detect_format, odata, read_file
from wijkmonitor.readers.odata import read_cbs_odata
from wijkmonitor.readers.rivm import read_rivm_50090_xlsx
from wijkmonitor.readers.sample import take_sample

METADATA = SHARED_DATA / "national/cbs-85984NED-metadata/DataProperties.json"
RIVM = SHARED_DATA / "national/rivm-50090NED"


def needs_shared(test):
    """A test on the files in ../shared/data: marked realdata, skipped when the folder is absent."""
    return pytest.mark.realdata(skip_without_shared(test))


HEADER = ["ID", "WijkenEnBuurten", "Gemeentenaam_1", "SoortRegio_2", "Codering_3",
          "IndelingswijzigingGemeenteWijkBuurt_4", "AantalInwoners_5", "Mannen_6", "Vrouwen_7",
          "GemiddeldeHuishoudensgrootte_33", "Koopwoningen_47", "GemiddeldInkomenPerInwoner_83"]
# A TypedDataSet as the OData feed gives it: padded codes and names, numbers, null for no figure.
RECORDS = [
    [0, "GM0344    ", "Utrecht   ", "Gemeente  ", "GM0344    ", "1         ", 374238, 182799, 191439, 1.9, 45, 39.6],
    [1, "WK034403  ", "Utrecht   ", "Wijk      ", "WK034403  ", "1         ", 35105, 17310, 17795, 2.4, 27, None],
    [2, "BU03440300", "Utrecht   ", "Buurt     ", "BU03440300", "3         ", 0, None, None, None, None, None],
]
# The same table saved as xlsx: numbers as padded text, "." for a suppressed figure, empty cells.
ROWS = [
    [0, "GM0344    ", "Utrecht   ", "Gemeente  ", "GM0344    ", "1         ", "  374238", "  182799", "  191439",
     "     1.9", "      45", "    39.6"],
    [1, "WK034403  ", "Utrecht   ", "Wijk      ", "WK034403  ", "1         ", "   35105", "   17310", "   17795",
     "     2.4", "      27", "       ."],
    [2, "BU03440300", "Utrecht   ", "Buurt     ", "BU03440300", "3         ", "       0", "       .", None,
     None, "       .", "       ."],
]
INDICATORS = ["AantalInwoners", "Mannen", "Vrouwen", "GemiddeldeHuishoudensgrootte", "Koopwoningen",
              "GemiddeldInkomenPerInwoner"]


def write_json(path, header=HEADER, records=RECORDS, *, feed=True, encoding="utf-8", **extra):
    values = [dict(zip(header, record, strict=True)) for record in records]
    body = {"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata"
                              "#Cbs.OData.WebAPI.TypedDataSet", **extra, "value": values} if feed else values
    path.write_text(json.dumps(body, ensure_ascii=False), encoding=encoding)
    return path


def write_xlsx(path, header=HEADER, rows=ROWS, *, blank_after=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "85984NED_TypedDataSet"
    sheet.append(header)
    for number, row in enumerate(rows):
        sheet.append(row)
        if number == blank_after:
            sheet.append([None] * len(header))
    book.save(path)
    return path


def write_text(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def observed(frame, area, indicator):
    row = cell(frame, area_code=area, source_indicator=indicator)
    value = None if row["status"] != "ok" else row["value"]
    return value, row["status"], row["source_row"], row["source_column"]


# ------------------------------------------------------------------ TypedDataSet 85984NED


@needs_shared
def test_json_feed_with_metadata_cell_by_cell(tmp_path):
    result = read_cbs_odata(write_json(tmp_path / "85984NED.json"), metadata=str(METADATA))
    frame = result.table
    # source_row is the record's 1-based position in `value`.
    assert observed(frame, "GM0344", "AantalInwoners") == (374238.0, "ok", 1, "AantalInwoners_5")
    assert observed(frame, "WK034403", "GemiddeldeHuishoudensgrootte") == (
        2.4, "ok", 2, "GemiddeldeHuishoudensgrootte_33")
    assert observed(frame, "WK034403", "GemiddeldInkomenPerInwoner") == (
        None, "missing", 2, "GemiddeldInkomenPerInwoner_83")
    assert observed(frame, "BU03440300", "AantalInwoners") == (0.0, "ok", 3, "AantalInwoners_5")
    assert observed(frame, "BU03440300", "Mannen") == (None, "missing", 3, "Mannen_6")
    units = dict(zip(frame["source_column"], frame["source_unit"], strict=True))
    assert units == {"AantalInwoners_5": "aantal", "Mannen_6": "aantal", "Vrouwen_7": "aantal",
                     "GemiddeldeHuishoudensgrootte_33": "aantal", "Koopwoningen_47": "%",
                     "GemiddeldInkomenPerInwoner_83": "x 1 000 euro"}
    # The String topics (names, codes, Indelingswijziging 1/2/3) are region attributes.
    assert list(frame["source_indicator"].unique()) == INDICATORS
    assert len(frame) == 3 * 6
    # No Perioden column: the period is TableInfos.json's "Period" beside the metadata.
    assert set(frame["period"]) == {2024} and set(frame["period_label"]) == {"2024"}
    assert (frame["area_name"] == frame["area_code"]).all() and frame["category"].isna().all()
    assert result.notes == [
        f"metadata {METADATA}: 85984NED Kerncijfers wijken en buurten 2024",
        "OData feed https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata#Cbs.OData.WebAPI.TypedDataSet",
        "region attributes, not indicators: Gemeentenaam_1, SoortRegio_2, Codering_3, "
        "IndelingswijzigingGemeenteWijkBuurt_4",
    ]
    assert result.skipped == {}


@needs_shared
def test_xlsx_with_metadata_reads_padded_text_and_markers(tmp_path):
    result = read_cbs_odata(write_xlsx(tmp_path / "85984NED.xlsx", blank_after=0), metadata=str(METADATA))
    frame = result.table
    # Row 1 header, row 2 GM0344, row 3 blank, rows 4 and 5 the wijk and the buurt.
    assert result.skipped == {"header row": [1], "blank row": [3]}
    assert observed(frame, "GM0344", "AantalInwoners") == (374238.0, "ok", 2, "AantalInwoners_5")
    assert observed(frame, "GM0344", "GemiddeldInkomenPerInwoner") == (
        39.6, "ok", 2, "GemiddeldInkomenPerInwoner_83")
    assert observed(frame, "WK034403", "GemiddeldInkomenPerInwoner") == (
        None, "suppressed", 4, "GemiddeldInkomenPerInwoner_83")
    assert observed(frame, "BU03440300", "Mannen") == (None, "suppressed", 5, "Mannen_6")
    assert observed(frame, "BU03440300", "Vrouwen") == (None, "missing", 5, "Vrouwen_7")
    assert observed(frame, "BU03440300", "Koopwoningen") == (None, "suppressed", 5, "Koopwoningen_47")
    assert cell(frame, area_code="WK034403", source_indicator="Koopwoningen")["source_unit"] == "%"
    assert len(frame) == 3 * 6 and set(frame["period"]) == {2024}


def test_xlsx_without_metadata_judges_attributes_by_their_cells(tmp_path):
    result = read_cbs_odata(write_xlsx(tmp_path / "85984NED.xlsx"), period=2024)
    frame = result.table
    # Text topics are attributes; Indelingswijziging holds numbers-as-text, so without the
    # metadata it is read as an indicator.
    assert "region attributes, not indicators: Gemeentenaam_1, SoortRegio_2, Codering_3" in result.notes
    assert list(frame["source_indicator"].unique()) == ["IndelingswijzigingGemeenteWijkBuurt", *INDICATORS]
    assert observed(frame, "BU03440300", "IndelingswijzigingGemeenteWijkBuurt") == (
        3.0, "ok", 4, "IndelingswijzigingGemeenteWijkBuurt_4")
    assert observed(frame, "WK034403", "Vrouwen") == (17795.0, "ok", 3, "Vrouwen_7")
    assert frame["source_unit"].isna().all()
    assert set(frame["period"]) == {2024} and set(frame["period_label"]) == {"2024"}


def test_json_bare_list_with_bom_without_metadata(tmp_path):
    path = write_json(tmp_path / "typed.json", feed=False, encoding="utf-8-sig")
    result = read_cbs_odata(path, period=2024)
    assert result.encoding == "utf-8-sig"
    assert observed(result.table, "GM0344", "GemiddeldeHuishoudensgrootte") == (
        1.9, "ok", 1, "GemiddeldeHuishoudensgrootte_33")
    assert observed(result.table, "BU03440300", "Koopwoningen") == (None, "missing", 3, "Koopwoningen_47")


# ---------------------------------------------------------------- other dimensions, periods

UNTYPED_HEADER = ["ID", "Geslacht", "Leeftijd", "Marges", "RegioS", "Perioden", "Inwoners_1", "Aandeel_2"]


def untyped(marges="MW00000", period="2023JJ00"):
    return [
        [0, "T001038", "10000", "MW00000", "GM0344  ", "2022JJ00", "   361699", "    100.0"],
        [1, "3000   ", "10000", marges, "GM0344  ", period, "   182799", "     48.8"],
        [2, "4000   ", "52052", "MW00000", "WK034403", "2023JJ00", "       .", "         "],
    ]


def test_several_dimensions_make_the_category_and_perioden_the_period(tmp_path):
    frame = read_cbs_odata(write_json(tmp_path / "u.json", UNTYPED_HEADER, untyped(), feed=False)).table
    assert list(frame["category"][frame["source_column"] == "Inwoners_1"]) == [
        "Geslacht=T001038;Leeftijd=10000", "Geslacht=3000;Leeftijd=10000", "Geslacht=4000;Leeftijd=52052"]
    men = cell(frame, area_code="GM0344", source_indicator="Inwoners", period=2023)
    assert (men["value"], men["status"], men["source_row"], men["period_label"]) == (182799.0, "ok", 2, "2023JJ00")
    assert cell(frame, area_code="GM0344", source_indicator="Aandeel", period=2022)["value"] == 100.0
    wijk = cell(frame, area_code="WK034403", source_indicator="Aandeel")
    assert (wijk["status"], wijk["source_row"], wijk["source_column"]) == ("missing", 3, "Aandeel_2")
    assert cell(frame, area_code="WK034403", source_indicator="Inwoners")["status"] == "suppressed"
    assert len(frame) == 3 * 2  # ID is no indicator


@pytest.mark.parametrize(
    ("rows", "options", "message"),
    [(untyped(marges="MOG0095"), {}, ", row 2, column 'Marges': is a lower bound of the 95% interval (Marges "
      "MOG0095) without an estimate row (MW00000) for the same RegioS, Geslacht, Leeftijd, Perioden (GM0344, 3000, "
      "10000, 2023JJ00)."),
     (untyped(marges="MOG0090"), {}, ", row 2, column 'Marges': Marges code 'MOG0090' is not one of MW00000 "
      "(estimate), MOG0095 (lower bound of the 95% interval), MBG0095 (upper bound of the 95% interval)."),
     (untyped(period="2023KW01"), {}, ", row 2, column 'Perioden': period '2023KW01' is not a year"),
     (untyped(), {"period": 2023}, ": names its periods in column 'Perioden'; the `period` option does not apply.")],
    ids=["bound without its estimate", "unknown margin", "quarter", "period option beside Perioden"],
)
def test_untyped_refusals(tmp_path, rows, options, message):
    path = write_json(tmp_path / "u.json", UNTYPED_HEADER, rows, feed=False)
    with pytest.raises(ReaderError) as error:
        read_cbs_odata(path, **options)
    assert str(error.value).startswith(f"{path}{message}")


# ------------------------------------------------------------------------------ refusals


@needs_shared
@pytest.mark.parametrize("kind", ["json", "xlsx"])
def test_key_missing_from_metadata_is_refused(tmp_path, kind):
    header = [*HEADER, "Fantasie_999"]
    if kind == "json":
        path, where = write_json(tmp_path / "t.json", header, [[*r, 1] for r in RECORDS]), ""
    else:
        path, where = write_xlsx(tmp_path / "t.xlsx", header, [[*r, "1"] for r in ROWS]), "row 1, "
    with pytest.raises(ReaderError) as error:
        read_cbs_odata(path, metadata=str(METADATA))
    assert str(error.value).startswith(f"{path}, {where}column 'Fantasie_999': is not a Key in the metadata {METADATA}.")


def test_bad_cell_is_located_in_xlsx_and_json(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][7] = "veel"
    path = write_xlsx(tmp_path / "t.xlsx", rows=rows)
    with pytest.raises(ReaderError) as error:
        read_cbs_odata(path, period=2024)
    assert str(error.value) == (f"{path}, row 3, column 'Mannen_6': 'veel' is not a number or a known "
                                "missing marker (. x - ? or empty). Correct the cell in the export, or "
                                "download the file again.")
    records = [list(r) for r in RECORDS]
    records[2][11] = True
    path = write_json(tmp_path / "t.json", records=records)
    with pytest.raises(ReaderError, match=r"t\.json, row 3, column 'GemiddeldInkomenPerInwoner_83': True is not"):
        read_cbs_odata(path, period=2024)


@pytest.mark.parametrize(
    ("write", "message"),
    [(lambda p: write_xlsx(p / "t.xlsx"), ": has no time dimension (Perioden) and no period is known."),
     (lambda p: write_json(p / "t.json", **{"odata.nextLink": "https://opendata.cbs.nl/...?$skip=10000"}),
      ": holds one page of an OData feed"),
     (lambda p: write_text(p / "t.json", '{"value": [{"ID": 0, "WijkenEnBuurten": "GM0344", "Mannen_6": 1},'
                                         ' {"ID": 1, "WijkenEnBuurten": "WK034403"}]}'),
      ", row 2, column 'Mannen_6': record 2 has other keys than record 1"),
     (lambda p: write_xlsx(p / "t.xlsx", rows=[[0, "GM0344", *ROWS[0][2:]], [1, "Wijk 03", *ROWS[1][2:]]]),
      ", row 3, column 'WijkenEnBuurten': WijkenEnBuurten code 'Wijk 03' is not a CBS region code."),
     (lambda p: write_json(p / "t.json", ["ID", "Regio", "Mannen_6"], [[0, "Utrecht", 1]]),
      ": has no region dimension: no column without a _<n> suffix holds CBS region codes")],
    ids=["no period", "paged feed", "records differ", "bad region code", "no region codes"],
)
def test_file_refusals(tmp_path, write, message):
    path = write(tmp_path)
    with pytest.raises(ReaderError) as error:
        read_cbs_odata(path)
    assert str(error.value).startswith(f"{path}{message}")


@needs_shared
def test_period_without_tableinfos_and_conflicting_period(tmp_path):
    alone = tmp_path / "meta" / "DataProperties.json"
    alone.parent.mkdir()
    shutil.copyfile(METADATA, alone)  # no TableInfos.json beside it: the period is unknown
    path = write_json(tmp_path / "t.json")
    with pytest.raises(ReaderError, match="has no time dimension"):
        read_cbs_odata(path, metadata=str(alone))
    assert set(read_cbs_odata(path, metadata=str(alone.parent), period=2024).table["period"]) == {2024}
    with pytest.raises(ReaderError) as error:
        read_cbs_odata(path, metadata=str(METADATA), period=2023)
    assert str(error.value).startswith(
        f"{path}: the `period` option (2023) differs from the table's period in TableInfos.json (2024).")


def test_metadata_that_is_not_dataproperties_is_refused(tmp_path):
    wrong = tmp_path / "DataProperties.json"
    wrong.write_text('[{"ID": 0, "Title": "x"}]', encoding="utf-8")
    with pytest.raises(ReaderError) as error:
        read_cbs_odata(write_json(tmp_path / "t.json"), metadata=str(wrong))
    assert str(error.value).startswith(f"{wrong}: is not a CBS OData DataProperties.json")


# ------------------------------------------------------------------ detection, read_file


def test_fixtures_are_detected_as_cbs_odata(tmp_path):
    assert detect_format(write_xlsx(tmp_path / "t.xlsx")) == "cbs_odata"
    assert detect_format(write_json(tmp_path / "feed.json")) == "cbs_odata"
    assert detect_format(write_json(tmp_path / "list.json", feed=False, encoding="utf-8-sig")) == "cbs_odata"
    assert detect_format(write_json(tmp_path / "u.json", UNTYPED_HEADER, untyped(), feed=False)) == "cbs_odata"


@needs_shared
def test_read_file_auto_passes_metadata(tmp_path):
    fmt, result = read_file(write_json(tmp_path / "t.json"), "auto", metadata=str(METADATA))
    assert fmt == "cbs_odata" and result.encoding == "utf-8" and len(result.table) == 18


@needs_shared
def test_real_files_keep_their_formats():
    files = [p for root in (SHARED_DATA, ROOT / "data/raw/demo") for p in sorted(root.rglob("*"))
             if p.is_file() and p.suffix != ".pdf"]
    rivm = [p for p in files if p.parent.name in ("rivm-50090NED", "rivm")]
    assert len(rivm) == 12
    for path in files:
        sample = take_sample(path)
        # The generic detector recognises the RIVM files too; the registry prefers the specialised reader.
        assert odata.looks_like(sample) == (path in rivm), path
        if path in rivm:
            assert detect_format(path, sample) == "rivm_50090_xlsx"


# ----------------------------------------------------------------- RIVM 50090NED as OData


@pytest.fixture(scope="module")
def rivm_2016():
    path = RIVM / "2016_18+.xlsx"
    return read_cbs_odata(path), read_rivm_50090_xlsx(path).table


@needs_shared
def test_rivm_cells_read_as_the_rivm_reader_reads_them(rivm_2016):
    result, specialised = rivm_2016
    frame = result.table
    key = "ErvarenGezondheidGoedZeerGoed"
    assert observed(frame, "WK034403", key) == (63.5, "ok", 14592, "ErvarenGezondheidGoedZeerGoed_4")
    assert observed(frame, "GM0344", key) == (77.0, "ok", 14565, "ErvarenGezondheidGoedZeerGoed_4")
    assert observed(frame, "NL01", "MoeiteMetRondkomen") == (19.2, "ok", 2, "MoeiteMetRondkomen_38")
    overvecht = cell(frame, area_code="WK034403", source_indicator=key)
    # One other dimension (Leeftijd): its code is the category; Marges is MW00000 throughout, so
    # there are no margin rows and no intervals.
    assert (overvecht["category"], overvecht["period"], overvecht["period_label"]) == ("20300", 2016, "2016JJ00")
    assert result.skipped == {"header row": [1]}
    assert frame["ci_low"].isna().all() and frame["ci_high"].isna().all()
    columns = ["source_indicator", "area_code", "period", "period_label", "value", "status", "source_row",
               "source_column"]
    assert frame[columns].reset_index(drop=True).equals(specialised[columns].reset_index(drop=True))
    assert len(frame) == 17341 * 35 and (frame["status"] == "suppressed").any()
