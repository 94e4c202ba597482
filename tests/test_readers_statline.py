"""CBS StatLine CSV downloads: the real 85830NED file (regions as rows), the English and the
transposed shapes written in tmp_path from a few of its rows and columns, detection and refusals."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, cell
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers import detect_format, read_file
from wijkmonitor.readers.common import period_from_label
from wijkmonitor.readers.sample import take_sample
from wijkmonitor.readers.statline import (
    first_year,
    looks_like,
    looks_like_transposed,
    read_statline_csv,
    read_statline_transposed_csv,
)

REAL = "utrecht/statline/CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv"
HUISARTS = "Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk"
SUPERMARKT = "Detailhandel/Winkels dagelijkse boodschappen/Afstand tot grote supermarkt"
SUPERMARKTEN_1KM = "Detailhandel/Winkels dagelijkse boodschappen/Aantal grote supermarkten/Binnen 1 km"
RESTAURANT = "Horeca/Restaurants/Afstand tot restaurant"
CAFE = "Horeca/Cafés en dergelijke/Afstand tot café e.d."
# The English download's topics and the Dutch topics they translate.
ENGLISH = {
    "Health and welfare/General practitioner/Distance to GP practice": HUISARTS,
    "Retail/Shops for daily groceries/Distance to large supermarket": SUPERMARKT,
    "Retail/Shops for daily groceries/Number of large supermarkets/Within 1 km": SUPERMARKTEN_1KM,
    "Hotels and restaurants/Cafés and similar/Distance to café etc.": CAFE,
}


def write(path: Path, lines: list[str], encoding: str = "utf-8-sig", newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


# Five rows and nine columns of the real file, as the English download writes them (`,`).
ENGLISH_CSV = [
    '"Districts and neighbourhoods","Regional characteristics/Municipality name (name)",'
    '"Regional characteristics/Type of region (description)","Regional characteristics/Codes (code)",'
    '"Regional characteristics/Indicator of district/neighbourhood change (code)",'
    '"Health and welfare/General practitioner/Distance to GP practice (km)",'
    '"Retail/Shops for daily groceries/Distance to large supermarket (km)",'
    '"Retail/Shops for daily groceries/Number of large supermarkets/Within 1 km (number)",'
    '"Hotels and restaurants/Cafés and similar/Distance to café etc. (km)"',
    '"The Netherlands","The Netherlands                         ","Country   ","NL00      ",".",'
    '"       .","     1.0","     1.8","     1.4"',
    '"Utrecht","Utrecht                                 ","Municipality","GM0344    ","1",'
    '"       .","     0.7","     2.7","     1.1"',
    '"Wijk 01 West","Utrecht                                 ","District  ","WK034401  ","1",'
    '"       .","     0.6","     2.9","     0.8"',
    '"Welgelegen, Den Hommel","Utrecht                                 ","Neighbourhood","BU03440111","1",'
    '"       .","     0.9","     0.9","     1.9"',
    '"Bedrijventerrein De Wetering","Utrecht                                 ","Neighbourhood","BU03440911","1",'
    '"       .","       .","       .","       ."',
]

REGIONS = '"Utrecht";"Wijk 01 West";"Welgelegen, Den Hommel";"Bedrijventerrein De Wetering"'
TOPIC_ROWS = [
    f'"{HUISARTS} (km)";"       .";"       .";"       .";"       ."',
    f'"{SUPERMARKT} (km)";"     0.7";"     0.6";"     0.9";"       ."',
    f'"{SUPERMARKTEN_1KM} (aantal)";"     2.7";"     2.9";"     0.9";"       ."',
    f'"{RESTAURANT} (km)";"     0.5";"     0.3";"     0.3";"       ."',
]
# Transposed, a line of region codes and the names on the "Onderwerp" line (UTF-8 with BOM, CRLF).
TRANSPOSED_CODES_LINE = [
    '"Nabijheid voorzieningen; buurt 2023"',
    "",
    '"Codering";"GM0344    ";"WK034401  ";"BU03440111";"BU03440911"',
    f'"Onderwerp";{REGIONS}',
    '"Perioden";"2023";"2023";"2023";"2023"',
    *TOPIC_ROWS,
    "",
    '"Bron: CBS"',
]
# Transposed, a "Wijken en buurten" line, provisional periods and region attributes as topic rows (cp1252, CRLF).
TRANSPOSED_REGION_LINE = [
    '"Nabijheid voorzieningen; buurt 2023"',
    "",
    f'"Wijken en buurten";{REGIONS}',
    '"Perioden";"2023*";"2023*";"2023*";"2023*"',
    '"Onderwerp";"";"";"";""',
    '"Regioaanduiding/Gemeentenaam (naam)";"Utrecht   ";"Utrecht   ";"Utrecht   ";"Utrecht   "',
    '"Regioaanduiding/Codering (code)";"GM0344    ";"WK034401  ";"BU03440111";"BU03440911"',
    *TOPIC_ROWS,
    "",
    '"Bron: CBS"',
    '"© Centraal Bureau voor de Statistiek, Den Haag/Heerlen 14-10-2024"',
]
# Transposed English download: `,`, one header line, no codes, the period only in the title.
TRANSPOSED_ENGLISH = [
    '"Proximity to facilities; districts and neighbourhoods 2023"',
    "",
    '"Topics","Utrecht","Wijk 01 West","Welgelegen, Den Hommel","Bedrijventerrein De Wetering"',
    '"Retail/Shops for daily groceries/Distance to large supermarket (km)","     0.7","     0.6","     0.9","       ."',
    '"Source: CBS"',
]


@pytest.fixture
def english(tmp_path):
    return write(tmp_path / "85830ENG_2023.csv", ENGLISH_CSV, "utf-8")


@pytest.fixture
def transposed_codes_line(tmp_path):
    return write(tmp_path / "nabijheid_transposed.csv", TRANSPOSED_CODES_LINE, "utf-8-sig", "\r\n")


@pytest.fixture
def transposed_region_line(tmp_path):
    return write(tmp_path / "nabijheid_transposed.csv", TRANSPOSED_REGION_LINE, "cp1252", "\r\n")


@pytest.fixture
def transposed_english(tmp_path):
    return write(tmp_path / "proximity.csv", TRANSPOSED_ENGLISH, "utf-8")


@pytest.fixture(scope="module")
def real_path(shared_data):
    return shared_data / REAL


@pytest.fixture(scope="module")
def real(real_path):
    return read_statline_csv(real_path)


# ------------------------------------------------------------- the real 85830NED download


@pytest.mark.realdata
def test_real_file_is_detected_and_read_as_statline_csv(real_path):
    assert detect_format(real_path) == "statline_csv"
    fmt, result = read_file(real_path, "auto")
    assert fmt == "statline_csv" and len(result.table) == 123 * 110


@pytest.mark.realdata
def test_real_gemeente_row(real):
    # Row 3: "Utrecht";...;"GM0344    ";...;"     0.7";"     2.7";... (columns 25 and 26)
    distance = cell(real.table, area_code="GM0344", source_indicator=SUPERMARKT)
    assert (distance["value"], distance["status"], distance["source_row"]) == (0.7, "ok", 3)
    assert (distance["area_name"], distance["source_unit"], distance["period"], distance["period_label"]) == (
        "Utrecht", "km", 2023, "2023")
    assert distance["source_column"] == SUPERMARKT + " (km)"
    assert not distance["provisional"] and pd.isna(distance["category"])
    count = cell(real.table, area_code="GM0344", source_indicator=SUPERMARKTEN_1KM)
    assert (count["value"], count["source_unit"]) == (2.7, "aantal")
    assert count["source_column"] == SUPERMARKTEN_1KM + " (aantal)"
    library = cell(real.table, area_code="GM0344", source_indicator="Vrije tijd en cultuur/Afstand tot bibliotheek")
    assert library["value"] == 1.4


@pytest.mark.realdata
def test_real_wijk_and_buurt_rows(real):
    west = cell(real.table, area_code="WK034401", source_indicator="Horeca/Restaurants/Aantal restaurants/Binnen 1 km")
    assert (west["value"], west["area_name"], west["source_row"]) == (15.5, "Wijk 01 West", 4)
    overvecht = cell(real.table, area_code="WK034403", source_indicator=SUPERMARKT)
    assert (overvecht["value"], overvecht["area_name"], overvecht["source_row"]) == (0.5, "Wijk 03 Overvecht", 30)
    buurt = cell(real.table, area_code="BU03440111", source_indicator=RESTAURANT)
    assert (buurt["value"], buurt["area_name"], buurt["source_row"]) == (0.3, "Welgelegen, Den Hommel", 5)
    zero = cell(real.table, area_code="BU03441041", source_indicator=SUPERMARKTEN_1KM)
    assert (zero["value"], zero["status"], zero["area_name"], zero["source_row"]) == (0.0, "ok", "Rijnenburg", 124)
    nl = cell(real.table, area_code="NL00", source_indicator=SUPERMARKT)
    assert (nl["value"], nl["area_name"], nl["source_row"]) == (1.0, "Nederland", 2)


@pytest.mark.realdata
def test_real_dot_cells_are_suppressed_not_zero(real):
    # Column 6 is "       ." on every row; row 97 (BU03440911) has "." where other buurten have figures.
    gp = real.table[real.table["source_indicator"] == HUISARTS]
    assert len(gp) == 123 and (gp["status"] == "suppressed").all() and gp["value"].isna().all()
    wetering = cell(real.table, area_code="BU03440911", source_indicator=SUPERMARKT)
    assert (wetering["status"], wetering["source_row"]) == ("suppressed", 97) and pd.isna(wetering["value"])
    assert wetering["area_name"] == "Bedrijventerrein De Wetering"
    assert real.table["status"].value_counts().to_dict() == {"suppressed": 9174, "ok": 4356}
    assert real.table.loc[real.table["status"] == "ok", "value"].notna().all()


@pytest.mark.realdata
def test_real_every_row_kept_and_region_attributes_are_not_observations(real, real_path):
    table = real.table
    assert len(table) == 123 * 110  # 123 regions x (115 columns - name column - 4 Regioaanduiding columns)
    assert table["area_code"].nunique() == 123
    assert {"NL00", "GM0344", "WK034410", "BU03441041"} <= set(table["area_code"])
    header = real_path.read_text(encoding="utf-8-sig").splitlines()[0].split('";"')
    assert set(table["source_column"]) == {h.strip('"') for h in header[5:]}
    assert not table["source_column"].str.startswith("Regioaanduiding/").any()
    assert not table["source_indicator"].str.contains(r"\(km\)|\(aantal\)").any()
    assert (table["area_code"] == table["area_code"].str.strip()).all()
    assert real.skipped == {"header row": [1]} and real.encoding == "utf-8-sig"
    assert real.notes == ["region attributes, not indicators: Regioaanduiding/Gemeentenaam (naam), "
                          "Regioaanduiding/Soort regio (omschrijving), "
                          "Regioaanduiding/Indelingswijziging wijken en buurten (code)"]
    assert real.layout == ("regions as rows; CSV met statistische symbolen (decimal point); "
                           "codes from 'Regioaanduiding/Codering (code)'")
    assert set(table["period"]) == {2023} and not table["provisional"].any()


@pytest.mark.realdata
@pytest.mark.parametrize(("encoding", "newline"), [("cp1252", "\r\n"), ("utf-8", "\r\n")])
def test_real_file_in_other_encodings_and_line_endings(real, real_path, tmp_path, encoding, newline):
    text = real_path.read_text(encoding="utf-8-sig")  # "Cafés" in the header needs cp1252's é
    variant = tmp_path / real_path.name
    variant.write_bytes(text.replace("\n", newline).encode(encoding))
    result = read_statline_csv(variant)
    assert result.encoding == encoding and result.table.equals(real.table)


# ------------------------------------------------------------------------------ periods


def test_first_year_skips_the_download_date():
    name = "CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv"
    assert first_year(name) == 2023
    # period_from_label takes the last year, which in a name with a separated download date is wrong.
    dated = "nabijheid_buurt_2022_download_2024-10-14.csv"
    assert (first_year(dated), period_from_label(dated)) == (2022, 2024)
    assert first_year("85830NED.csv") is None


@pytest.mark.realdata
def test_real_period_from_file_name_option_or_refused(real_path, tmp_path):
    dated = tmp_path / "nabijheid_buurt_2022_download_2024-10-14.csv"
    shutil.copy(real_path, dated)
    assert set(read_statline_csv(dated).table["period"]) == {2022}
    assert set(read_statline_csv(dated, period=2023).table["period_label"]) == {"2023"}
    undated = tmp_path / "nabijheid.csv"
    shutil.copy(real_path, undated)
    with pytest.raises(ReaderError) as error:
        read_statline_csv(undated)
    assert str(error.value).startswith(
        f"{undated}: names no period: it has no Perioden dimension and no year in its file name. Set `period:`")


def test_perioden_and_further_dimension_columns(tmp_path):
    path = write(tmp_path / "bevolking.csv", [
        '"Geslacht";"Perioden";"Regio\'s";"Bevolking/Aantal inwoners (aantal)";'
        '"Bevolking/Bevolkingsdichtheid (aantal inwoners per km²)"',
        '"Mannen";"2022";"Utrecht";"  180100";"    3900"',
        '"Vrouwen";"2023*";"Utrecht";"  185250";"       x"',
    ])
    table = read_statline_csv(path, period=None).table
    men = cell(table, category="Mannen", source_indicator="Bevolking/Aantal inwoners")
    assert (men["value"], men["period"], men["period_label"], men["provisional"], men["source_row"]) == (
        180100, 2022, "2022", False, 2)
    women = cell(table, category="Vrouwen", source_indicator="Bevolking/Bevolkingsdichtheid")
    assert (women["status"], women["period"], women["period_label"], women["provisional"]) == (
        "suppressed", 2023, "2023*", True)
    assert women["source_unit"] == "aantal inwoners per km²" and pd.isna(women["area_code"])
    assert len(table) == 4 and set(table["area_name"]) == {"Utrecht"}
    with pytest.raises(ReaderError, match=r"row 3, column 'Perioden': period '2023\*' contradicts the `period: 2022`"):
        read_statline_csv(path, period=2022)


# ---------------------------------------------------------------------- English download


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("cp1252", "\r\n")])
def test_english_download(tmp_path, encoding, newline):
    path = write(tmp_path / "85830ENG_2023.csv", ENGLISH_CSV, encoding, newline)
    result = read_statline_csv(path)
    table = result.table
    assert len(table) == 5 * 4 and result.encoding == encoding and result.skipped == {"header row": [1]}
    west = cell(table, area_code="WK034401",
                source_indicator="Retail/Shops for daily groceries/Distance to large supermarket")
    assert (west["value"], west["status"], west["source_row"], west["source_unit"], west["period"]) == (
        0.6, "ok", 4, "km", 2023)
    count = cell(table, area_code="BU03440111",
                 source_indicator="Retail/Shops for daily groceries/Number of large supermarkets/Within 1 km")
    assert (count["value"], count["source_unit"], count["area_name"]) == (0.9, "number", "Welgelegen, Den Hommel")
    assert count["source_column"] == (
        "Retail/Shops for daily groceries/Number of large supermarkets/Within 1 km (number)")
    assert cell(table, area_code="NL00", source_indicator=next(iter(ENGLISH)))["status"] == "suppressed"
    assert not table["source_column"].str.startswith("Regional characteristics/").any()


@pytest.mark.realdata
def test_english_cells_agree_with_the_dutch_file(english, real):
    table = read_statline_csv(english).table
    for row in table.itertuples():
        dutch = cell(real.table, area_code=row.area_code, source_indicator=ENGLISH[row.source_indicator])
        assert (dutch["status"], dutch["value"] if dutch["status"] == "ok" else None) == (
            row.status, row.value if row.status == "ok" else None), row


# --------------------------------------------------------------------- transposed download


def test_transposed_with_codes_line(transposed_codes_line):
    result = read_statline_transposed_csv(transposed_codes_line)
    table = result.table
    assert len(table) == 4 * 4 and result.encoding == "utf-8-sig"
    west = cell(table, area_code="WK034401", source_indicator=SUPERMARKT)
    assert (west["value"], west["status"], west["source_row"], west["source_column"], west["area_name"]) == (
        0.6, "ok", 7, "Wijk 01 West", "Wijk 01 West")
    assert (west["period"], west["period_label"], west["source_unit"], west["provisional"]) == (
        2023, "2023", "km", False)
    wetering = cell(table, area_code="BU03440911", source_indicator=RESTAURANT)
    assert (wetering["status"], wetering["source_row"], wetering["source_column"]) == (
        "suppressed", 9, "Bedrijventerrein De Wetering") and pd.isna(wetering["value"])
    assert result.skipped == {"title row": [1], "blank row": [2, 10], "header row": [3, 4, 5], "source line": [11]}
    assert result.notes == ["Nabijheid voorzieningen; buurt 2023", "Bron: CBS"]


def test_transposed_with_region_line_and_attribute_rows(transposed_region_line):
    result = read_statline_transposed_csv(transposed_region_line)
    table = result.table
    assert len(table) == 4 * 4 and result.encoding == "cp1252"
    city = cell(table, area_code="GM0344", source_indicator=SUPERMARKTEN_1KM)
    assert (city["value"], city["area_name"], city["source_row"], city["source_unit"]) == (2.7, "Utrecht", 10, "aantal")
    assert set(table["period_label"]) == {"2023*"} and table["provisional"].all() and set(table["period"]) == {2023}
    assert result.skipped == {"title row": [1], "blank row": [2, 12], "header row": [3, 4, 5],
                              "region attribute": [6, 7], "source line": [13, 14]}
    assert result.notes[-1] == "© Centraal Bureau voor de Statistiek, Den Haag/Heerlen 14-10-2024"
    assert not table["source_indicator"].str.startswith("Regioaanduiding").any()


def test_transposed_english_period_from_title(transposed_english):
    result = read_statline_transposed_csv(transposed_english)
    table = result.table
    assert len(table) == 4 and table["area_code"].isna().all() and set(table["period"]) == {2023}
    buurt = cell(table, area_name="Welgelegen, Den Hommel")
    assert (buurt["value"], buurt["source_row"], buurt["source_unit"]) == (0.9, 4, "km")
    assert result.skipped == {"title row": [1], "blank row": [2], "header row": [3], "source line": [5]}
    assert read_statline_transposed_csv(transposed_english, period=2021).table["period"].unique().tolist() == [2021]


def test_transposed_period_from_file_name_when_title_has_none(tmp_path):
    lines = ['"Nabijheid voorzieningen; buurt"', "", *TRANSPOSED_ENGLISH[2:]]
    path = write(tmp_path / "proximity_2022_14102024.csv", lines)
    assert set(read_statline_transposed_csv(path).table["period"]) == {2022}
    undated = write(tmp_path / "proximity.csv", lines)
    with pytest.raises(ReaderError, match=r"proximity\.csv: names no period: it has no Perioden dimension and no "
                                          r"year in its title or file name\. Set `period:`"):
        read_statline_transposed_csv(undated)


def test_transposed_topic_with_empty_cells_is_data_and_padded_footer_is_not(tmp_path):
    lines = [*TRANSPOSED_ENGLISH[:4], '"Retail/Department store/Distance to department store (km)","","","",""',
             '"Source: CBS","","","",""']
    result = read_statline_transposed_csv(write(tmp_path / "proximity_2023.csv", lines))
    empty = result.table[result.table["source_indicator"] == "Retail/Department store/Distance to department store"]
    assert len(empty) == 4 and (empty["status"] == "missing").all() and set(empty["source_row"]) == {5}
    assert result.skipped["source line"] == [6] and result.notes[-1] == "Source: CBS"


@pytest.mark.realdata
@pytest.mark.parametrize("variant", ["transposed_codes_line", "transposed_region_line", "transposed_english"])
def test_transposed_cells_agree_with_the_wide_file(request, real, variant):
    table = read_statline_transposed_csv(request.getfixturevalue(variant)).table
    for row in table.itertuples():
        dutch = cell(real.table, area_name=row.area_name,
                     source_indicator=ENGLISH.get(row.source_indicator, row.source_indicator))
        assert pd.isna(row.area_code) or row.area_code == dutch["area_code"]
        assert (dutch["status"], dutch["value"] if dutch["status"] == "ok" else None) == (
            row.status, row.value if row.status == "ok" else None), row


# ------------------------------------------------------------------------------ refusals


def test_tab_separated_file_is_refused(tmp_path):
    path = write(tmp_path / "nabijheid_2023.csv", [line.replace('","', '"\t"') for line in ENGLISH_CSV])
    with pytest.raises(ReaderError) as error:
        read_statline_csv(path)
    assert str(error.value).startswith(
        f"{path}: is not a StatLine CSV: neither ';' nor ',' splits its header line and the next line")


def test_bad_cell_is_located(tmp_path):
    lines = [*ENGLISH_CSV]
    lines[3] = lines[3].replace('"     0.6"', '"    zes"')
    path = write(tmp_path / "85830ENG_2023.csv", lines)
    with pytest.raises(ReaderError) as error:
        read_statline_csv(path)
    assert str(error.value) == (
        f"{path}, row 4, column 'Retail/Shops for daily groceries/Distance to large supermarket (km)': "
        "'zes' is not a number or a known missing marker (. x - ? or empty). Correct the cell in the export, "
        "or download the file again.")


def test_ragged_row_is_refused(tmp_path):
    lines = [*ENGLISH_CSV]
    lines[4] = lines[4].rsplit(",", 1)[0]
    path = write(tmp_path / "85830ENG_2023.csv", lines)
    with pytest.raises(ReaderError,
                       match=r"85830ENG_2023\.csv, row 5: has 8 fields where the header \(row 1\) has 9\."):
        read_statline_csv(path)


def test_file_without_region_column_is_refused(tmp_path):
    path = write(tmp_path / "x_2023.csv", ['"Niveau";"Afstand tot school (km)"', '"Wijk West";"0,5"'])
    with pytest.raises(ReaderError, match=r"x_2023\.csv, row 1: is not a StatLine table with regions as rows: "
                                          r"row 1 names no region column"):
        read_statline_csv(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [((9, '"     0.3";"       ."', '"     0.3"'), r"row 9: has 4 fields where the header \(row 3\) has 5\."),
     ((7, '"     0.7"', '"     n/a"'), r"row 7, column 'Utrecht': 'n/a' is not a number"),
     ((5, '"Perioden"', '"Geslacht"'), r"row 5: header line 'Geslacht' is not one this reader knows"),
     ((5, '"Perioden";"2023"', '"Perioden";"vorig jaar"'),
      r"row 5, column 'Utrecht': period 'vorig jaar' names no year")],
    ids=["ragged row", "bad cell", "unknown header line", "period without year"],
)
def test_transposed_refusals_are_located(tmp_path, change, message):
    index, old, new = change
    lines = [*TRANSPOSED_CODES_LINE]
    assert old in lines[index - 1]
    lines[index - 1] = lines[index - 1].replace(old, new, 1)
    path = write(tmp_path / "nabijheid_transposed.csv", lines)
    with pytest.raises(ReaderError, match=r"nabijheid_transposed\.csv, " + message):
        read_statline_transposed_csv(path)


# ----------------------------------------------------------------------------- detection


def test_detection_of_the_written_shapes(english, transposed_codes_line, transposed_region_line, transposed_english):
    assert detect_format(english) == "statline_csv"
    for path in (transposed_codes_line, transposed_region_line, transposed_english):
        assert detect_format(path) == "statline_transposed_csv"
        assert read_file(path, "auto")[0] == "statline_transposed_csv"
    assert not looks_like_transposed(take_sample(english))
    assert not looks_like(take_sample(transposed_codes_line))


def other_files(shared_data):
    """Every file in ../shared/data and the demo data except the StatLine download itself."""
    folders = (shared_data, ROOT / "data" / "raw" / "demo")
    return [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file() and p.name != Path(REAL).name]


@pytest.mark.realdata
def test_detectors_say_no_to_every_other_file(shared_data):
    checked = []
    for path in other_files(shared_data):
        try:
            sample = take_sample(path)
        except ReaderError:  # the PDF codebooks are not data files
            continue
        assert not looks_like(sample), path
        assert not looks_like_transposed(sample), path
        checked.append(path.name)
    assert {"UIC_cultuurdeelname_2023_subwijken.csv", "utrecht_monitor_city_series.csv", "CBS-Utrecht-kwb-2023.xlsx",
            "wijkwijzer_bewonersenquete.csv", "subwijken_bijstand.csv", "50090NED_2016_18+.xlsx"} <= set(checked)
