"""StatLine CSV layouts as real downloads have them (issue 11): a region-code column, the plain CSV
(decimal comma, BOM, CRLF, Perioden first), national files keyed by code, the older layout (title,
Onderwerp, subject and unit lines) and the real transposed download (unit in column 2)."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, cell
from wijkmonitor.cli import main
from wijkmonitor.errors import ReaderError
from wijkmonitor.ingest import ingest_file
from wijkmonitor.readers import candidates, read_file
from wijkmonitor.readers.sample import take_sample
from wijkmonitor.readers.statline import read_statline_csv, read_statline_transposed_csv

DATA = ROOT / "tests" / "data" / "statline"
OLDER = DATA / "kwb_older_layout_2009.csv"
TRANSPOSED = DATA / "kwb_transposed_2021.csv"
REGIOCODE = DATA / "ses_woa_regiocode_2021.csv"
REGIOAANDUIDING = DATA / "kwb_regioaanduiding_plain_2023.csv"

INWONERS = "Bevolking/Aantal inwoners"
GROEI = "Bevolking/Bevolkingsgroei/Relatief"
INKOMEN = "Inkomen/Gemiddeld inkomen per inwoner"

# The plain download ("CSV", not "met statistische symbolen"): Perioden first, numbers unquoted with a
# decimal comma, empty = missing; municipalities told apart by their suffix; a former municipality
# (Abcoude) with every figure empty.
PLAIN = (
    '"Perioden";"Regio\'s";"Bevolking/Aantal inwoners (aantal)";"Bevolking/Bevolkingsgroei/Relatief (%)";'
    '"Inkomen/Gemiddeld inkomen per inwoner (x 1 000 euro)"\r\n'
    '"2022";"Nederland";17590672;0,9;32,5\r\n'
    '"2022";"Bergen (NH.)";29941;-0,4;42,1\r\n'
    '"2022";"Bergen (L.)";13146;;.\r\n'
    '"2022";"Abcoude";;;\r\n'
    '"2023*";"Bergen (NH.)";30012;0,2;\r\n'
)


def write(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def only_format(path: Path) -> str:
    """The one format whose detector recognises the file (and `auto` agrees)."""
    found = candidates(take_sample(path))
    assert len(found) == 1, found
    assert read_file(path, "auto")[0] == found[0]
    return found[0]


# ------------------------------------------------------------------ 1. region-code columns


def test_regiocode_column_gives_the_area_codes():
    result = read_statline_csv(REGIOCODE)
    table = result.table
    assert only_format(REGIOCODE) == "statline_csv"
    assert len(table) == 4 * 3 and set(table["period"]) == {2021}
    west = cell(table, area_code="WK034401", source_indicator="SES-WOA/Totaalscore/Gemiddelde score")
    assert (west["value"], west["status"], west["area_name"], west["source_row"], west["source_unit"]) == (
        -0.031, "ok", "Wijk 01 West", 3, "Getal")
    assert west["source_column"] == "SES-WOA/Totaalscore/Gemiddelde score (Getal)"
    oog = cell(table, area_code="BU03440112", source_indicator="Financiële Welvaart/Gemiddelde percentielgroep")
    assert oog["status"] == "suppressed" and pd.isna(oog["value"])
    empty = cell(table, area_code="BU03440112", source_indicator="SES-WOA/Totaalscore/Gemiddelde score")
    assert empty["status"] == "missing" and pd.isna(empty["value"])
    assert cell(table, area_code="GM0344", source_indicator="Particuliere huishoudens/Aantal huishoudens")[
        "value"] == 177630
    assert not table["source_indicator"].str.startswith("Regiocode").any()
    assert result.layout == ("regions as rows; plain CSV (decimal comma); "
                             "codes from 'Regiocode (gemeente, wijk, buurt) (code)'")


def test_regioaanduiding_codes_stripped_and_attributes_noted():
    result = read_statline_csv(REGIOAANDUIDING)
    table = result.table
    assert only_format(REGIOAANDUIDING) == "statline_csv"
    assert sorted(table["area_code"].unique()) == ["BU03440112", "GM0344", "NL01", "WK034401"]
    assert len(table) == 4 * 3 and set(table["source_indicator"]) == {INWONERS, GROEI, INKOMEN}
    nl = cell(table, area_code="NL01", source_indicator=INWONERS)
    assert (nl["value"], nl["area_name"], nl["source_row"], nl["period"]) == (17811291, "Nederland", 2, 2023)
    assert cell(table, area_code="WK034401", source_indicator=GROEI)["value"] == -0.2
    assert cell(table, area_code="WK034401", source_indicator=INKOMEN)["status"] == "suppressed"
    oog = cell(table, area_code="BU03440112", source_indicator=GROEI)
    assert (oog["status"], oog["source_column"]) == ("missing", "Bevolking/Bevolkingsgroei/Relatief (%)")
    assert result.notes == ["region attributes, not indicators: Regioaanduiding/Gemeentenaam (naam), "
                            "Regioaanduiding/Soort regio (omschrijving), "
                            "Regioaanduiding/Indelingswijziging wijken en buurten (code)"]


def test_two_code_columns_that_agree_are_read_once(tmp_path):
    text = REGIOAANDUIDING.read_text(encoding="utf-8-sig").replace(
        '"Wijken en buurten";', '"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";', 1)
    lines = text.splitlines()
    codes = ["NL01", "GM0344", "WK034401", "BU03440112"]
    lines[1:] = [line.replace('";', f'";"{code}";', 1) for line, code in zip(lines[1:], codes, strict=True)]
    result = read_statline_csv(write(tmp_path / "kwb_2023.csv", "\r\n".join(lines)))
    assert set(result.table["area_code"]) == set(codes) and len(result.table) == 12
    assert result.notes[0].endswith("Regioaanduiding/Codering (code)")


def test_two_code_columns_that_disagree_are_refused(tmp_path):
    path = write(tmp_path / "kwb_2023.csv",
                 '"Regio\'s";"Regiocode (gemeente, wijk, buurt) (code)";"Regioaanduiding/Codering (code)";'
                 '"Bevolking/Aantal inwoners (aantal)"\r\n'
                 '"Utrecht";"GM0344    ";"GM0344    ";367984\r\n'
                 '"Wijk 01 West";"WK034401  ";"WK034402  ";40120\r\n')
    with pytest.raises(ReaderError) as error:
        read_statline_csv(path)
    assert str(error.value).startswith(
        f"{path}, row 3, column 'Regioaanduiding/Codering (code)': columns 'Regiocode (gemeente, wijk, buurt) "
        "(code)' and 'Regioaanduiding/Codering (code)' both give region codes, and they differ: 'WK034401' and "
        "'WK034402'.")


def test_a_code_that_is_no_cbs_code_is_refused(tmp_path):
    text = REGIOAANDUIDING.read_text(encoding="utf-8-sig").replace('"WK034401  "', '"WK3440    "')
    path = write(tmp_path / "kwb_2023.csv", text)
    with pytest.raises(ReaderError) as error:
        read_statline_csv(path)
    assert str(error.value).startswith(
        f"{path}, row 4, column 'Regioaanduiding/Codering (code)': 'WK3440' is not a CBS region code (such as "
        "NL01, PV26, GM0363, WK036300 or BU03630000), and this column gives the regions' codes.")


# ---------------------------------------------------------------------- 2. plain CSV


def test_plain_csv_with_bom_crlf_and_decimal_comma(tmp_path):
    path = write(tmp_path / "83765NED.csv", PLAIN)
    assert path.read_bytes().startswith(b'\xef\xbb\xbf"Perioden"') and b"\r\n" in path.read_bytes()
    assert only_format(path) == "statline_csv"
    result = read_statline_csv(path)
    table = result.table
    assert result.encoding == "utf-8-sig" and result.skipped == {"header row": [1]}
    assert result.layout == "regions as rows; plain CSV (decimal comma); no region codes: areas by name"
    assert len(table) == 5 * 3 and table["area_code"].isna().all()
    nh = cell(table, area_name="Bergen (NH.)", period=2022, source_indicator=GROEI)
    assert (nh["value"], nh["status"], nh["source_row"], nh["source_column"], nh["source_unit"]) == (
        -0.4, "ok", 3, "Bevolking/Bevolkingsgroei/Relatief (%)", "%")
    nl = cell(table, area_name="Nederland", source_indicator=INWONERS)
    assert (nl["value"], nl["period_label"], nl["provisional"]) == (17590672, "2022", False)
    assert cell(table, area_name="Nederland", source_indicator=INKOMEN)["value"] == 32.5
    limburg = table[table["area_name"] == "Bergen (L.)"].set_index("source_indicator")
    assert limburg.loc[INWONERS, "value"] == 13146
    assert limburg.loc[GROEI, "status"] == "missing" and limburg.loc[INKOMEN, "status"] == "suppressed"
    assert limburg[[GROEI in i for i in limburg.index]]["value"].isna().all()
    # A former municipality: every figure missing, never 0.
    abcoude = table[table["area_name"] == "Abcoude"]
    assert len(abcoude) == 3 and (abcoude["status"] == "missing").all() and abcoude["value"].isna().all()
    assert set(abcoude["source_row"]) == {5}
    later = cell(table, area_name="Bergen (NH.)", period=2023, source_indicator=INWONERS)
    assert (later["value"], later["period_label"], later["provisional"], later["source_row"]) == (
        30012, "2023*", True, 6)
    assert set(table["source_indicator"]) == {INWONERS, GROEI, INKOMEN}  # no area name read as a topic


def test_former_municipality_as_last_row_is_data_not_a_footnote(tmp_path):
    path = write(tmp_path / "bevolking_2022.csv",
                 '"Regio\'s";"Bevolking/Aantal inwoners (aantal)";"Bevolking/Bevolkingsgroei/Relatief (%)"\r\n'
                 '"Bergen (L.)";13146;-0,3\r\n'
                 '"Abcoude";;\r\n'
                 '"Bron: CBS"\r\n')
    result = read_statline_csv(path)
    abcoude = result.table[result.table["area_name"] == "Abcoude"]
    assert len(abcoude) == 2 and (abcoude["status"] == "missing").all() and set(abcoude["source_row"]) == {3}
    assert result.skipped == {"header row": [1], "source line": [4]} and result.notes == ["Bron: CBS"]
    assert set(result.table["period"]) == {2022}


def test_mixed_decimal_separators_are_refused(tmp_path):
    path = write(tmp_path / "83765NED.csv", PLAIN.replace(";0,9;", ";0.9;"))
    with pytest.raises(ReaderError) as error:
        read_statline_csv(path)
    assert str(error.value).startswith(
        f"{path}, row 3, column 'Bevolking/Bevolkingsgroei/Relatief (%)': mixes decimal separators: '0.9' (row 2, "
        "column 'Bevolking/Bevolkingsgroei/Relatief (%)') and '-0,4' here; StatLine writes one decimal separator")


def test_whole_numbers_only_need_no_decimal_separator(tmp_path):
    path = write(tmp_path / "bevolking_2022.csv",
                 '"Regio\'s";"Bevolking/Aantal inwoners (aantal)"\r\n"Utrecht";361966\r\n"Bergen (L.)";\r\n')
    result = read_statline_csv(path)
    assert result.layout == "regions as rows; plain CSV (whole numbers only); no region codes: areas by name"
    assert cell(result.table, area_name="Utrecht")["value"] == 361966
    assert cell(result.table, area_name="Bergen (L.)")["status"] == "missing"


# ------------------------------------------------------------- 3. national files keyed by code


def national(tmp_path: Path, extra: str = "") -> Path:
    """A national kwb-like download: three regions called Centrum (two of them Utrecht buurten)."""
    return write(tmp_path / "kwb_2023.csv",
                 '"Wijken en buurten";"Regioaanduiding/Codering (code)";"Bevolking/Aantal inwoners (aantal)";'
                 '"Bevolking/Bevolkingsgroei/Relatief (%)"\r\n'
                 '"Utrecht";"GM0344    ";367984;1,7\r\n'
                 '"Centrum";"BU03630000";1050;-0,8\r\n'
                 '"Centrum";"BU03440112";5010;0,2\r\n'
                 '"Centrum";"BU03440121";2930;.\r\n' + extra)


def test_regions_with_the_same_name_stay_distinct_by_code(tmp_path, catalogue, matcher):
    table = read_statline_csv(national(tmp_path)).table
    centrum = table[(table["area_name"] == "Centrum") & (table["source_indicator"] == INWONERS)]
    assert centrum.set_index("area_code")["value"].to_dict() == {"BU03630000": 1050, "BU03440112": 5010,
                                                                 "BU03440121": 2930}
    result = ingest_file(national(tmp_path), fmt="auto", source_id="kwb", catalogue=catalogue, matcher=matcher)
    kept = result.observations[result.observations["source_indicator"] == INWONERS].set_index("area_code")
    assert kept["value"].to_dict() == {"BU03440112": 5010, "BU03440121": 2930, "GM0344": 367984}
    assert result.log["rows_dropped"] == {"outside the municipality": 1}
    assert result.log["layout"] == ("regions as rows; plain CSV (decimal comma); "
                                    "codes from 'Regioaanduiding/Codering (code)'")


def test_a_figure_given_twice_for_one_code_is_caught_by_ingest(tmp_path, catalogue, matcher):
    path = national(tmp_path, '"Centrum (oud)";"BU03440112";5020;0,2\r\n')
    with pytest.raises(ReaderError) as error:
        ingest_file(path, fmt="auto", source_id="kwb", catalogue=catalogue, matcher=matcher)
    message = str(error.value)
    assert message.startswith(f"{path}, row 6, column 'Bevolking/Aantal inwoners (aantal)': gives ")
    assert "for BU03440112 in 2023 twice with different values: 5010.0 (row 4" in message


# ------------------------------------------------------------------ 4. the older layout


def test_older_layout():
    result = read_statline_csv(OLDER)
    table = result.table
    assert only_format(OLDER) == "statline_csv" and result.encoding == "cp1252"
    assert len(table) == 5 * 5 and table["area_code"].isna().all() and set(table["period"]) == {2009}
    ontvangers = "Inkomen/Inkomen van personen/Aantal inkomensontvangers"
    west = cell(table, area_name="Wijk 01 West", source_indicator=ontvangers)
    assert (west["value"], west["status"], west["source_row"], west["source_unit"], west["period_label"]) == (
        31500, "ok", 7, "aantal", "2009")
    assert west["source_column"] == "Inkomen|Inkomen van personen|Aantal inkomensontvangers"
    utrecht = cell(table, area_name="Utrecht", source_indicator=INWONERS)
    assert (utrecht["value"], utrecht["source_row"]) == (299891, 6)
    inkomen = cell(table, area_name="Oog in Al",
                   source_indicator="Inkomen/Inkomen van personen/Gemiddeld inkomen per inkomensontvanger")
    assert inkomen["status"] == "suppressed" and pd.isna(inkomen["value"]) and inkomen["source_unit"] == "x 1 000 euro"
    assert cell(table, area_name="Oog in Al", source_indicator=GROEI)["status"] == "missing"
    assert cell(table, area_name="Bergen (NH.)", source_indicator=GROEI)["value"] == -1.2
    assert cell(table, area_name="Súdwest-Fryslân", source_indicator=INWONERS)["value"] == 83960
    assert cell(table, area_name="Utrecht",
                source_indicator="Inkomen/Inkomen van personen/Gemiddeld inkomen per inkomensontvanger")["value"] == 28.1
    assert result.skipped == {"title row": [1], "blank row": [2], "header row": [3, 4, 5], "source line": [11]}
    assert result.notes == ["Kerncijfers wijken en buurten 2009", "Bron: CBS"]
    assert result.layout == ("older layout: title, Onderwerp/subject/unit lines; regions as rows by name, "
                             "no region codes (decimal comma)")


def test_older_layout_with_one_subject_line_per_level(tmp_path):
    path = write(tmp_path / "kwb.csv", "\r\n".join([
        '"Kerncijfers wijken en buurten 2009"', "", '"";"Onderwerp";""',
        '"";"Bevolking";"Inkomen"', '"";"Aantal inwoners";"Gemiddeld inkomen per inwoner"',
        '"Wijken en buurten";"aantal";"x 1 000 euro"', '"Utrecht";"299891";"21,3"', '"Bron: CBS"']), "cp1252")
    table = read_statline_csv(path).table
    assert cell(table, source_indicator=INWONERS)["value"] == 299891
    income = cell(table, source_indicator=INKOMEN)
    assert (income["value"], income["source_column"], income["source_row"]) == (
        21.3, "Inkomen|Gemiddeld inkomen per inwoner", 7)


def test_older_layout_refusals(tmp_path):
    lines = OLDER.read_text(encoding="cp1252").splitlines()
    ragged = [*lines]
    ragged[7] = ragged[7].rsplit(";", 1)[0]
    path = write(tmp_path / "kwb_2009.csv", "\r\n".join(ragged), "cp1252")
    with pytest.raises(ReaderError, match=r"kwb_2009\.csv, row 8: has 5 fields where the header \(row 5\) has 6\."):
        read_statline_csv(path)
    gap = [*lines[:4], '"";"Bevolking";"";"Inkomen";"";""', *lines[3:]]
    path = write(tmp_path / "kwb_2009.csv", "\r\n".join(gap), "cp1252")
    with pytest.raises(ReaderError) as error:
        read_statline_csv(path)
    assert str(error.value).startswith(
        f"{path}, row 5: names no topic above column 3: with several subject lines each must name every column")


# ------------------------------------------------------------ 5. the real transposed download


def test_real_transposed_layout():
    result = read_statline_transposed_csv(TRANSPOSED)
    table = result.table
    assert only_format(TRANSPOSED) == "statline_transposed_csv"
    assert len(table) == 4 * 4 and set(table["period"]) == {2021} and result.encoding == "utf-8-sig"
    city = cell(table, area_code="GM0344", source_indicator=INWONERS)
    assert (city["value"], city["area_name"], city["source_row"], city["source_column"], city["source_unit"]) == (
        361966, "Utrecht", 8, "Utrecht", "aantal")
    west = cell(table, area_code="WK034401", source_indicator=INKOMEN)
    assert west["status"] == "suppressed" and pd.isna(west["value"]) and west["source_unit"] == "x 1 000 euro"
    assert cell(table, area_code="GM0344", source_indicator=INKOMEN)["value"] == 32.5
    lombok = cell(table, area_code="BU03440121", source_indicator=INKOMEN)
    assert lombok["status"] == "missing" and lombok["area_name"] == "Lombok-Oost" and lombok["source_row"] == 10
    assert cell(table, area_code="WK034401", source_indicator=GROEI)["value"] == -0.4
    oog = cell(table, area_name="Oog in Al", source_indicator="Bevolking/Leeftijdsgroepen/0 tot 15 jaar")
    assert (oog["value"], oog["area_code"], oog["source_unit"]) == (21, "BU03440112", "%")
    assert not table["source_indicator"].str.startswith("Regioaanduiding").any()
    assert result.skipped == {"title row": [1], "blank row": [2, 12], "header row": [3, 4],
                              "region attribute": [5, 6, 7], "source line": [13]}
    assert result.layout == ("topics as rows (transposed); unit in column 2; codes from the "
                             "'Regioaanduiding|Codering' row (decimal comma)")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [('"2930"', '"2930";"1"', r"row 8: has 7 fields where the header \(row 4\) has 6\."),
     ('"WK034401"', '"WK3440"', r"row 7, column 'Wijk 01 West': 'WK3440' is not a CBS region code"),
     ('"32,5"', '"32.5"', r"row 11, column 'Utrecht': mixes decimal separators: '32\.5' \(row 10, column 'Utrecht'\) "
                          r"and '1,3' here")],
    ids=["ragged row", "bad code", "mixed decimals"],
)
def test_real_transposed_refusals(tmp_path, old, new, message):
    text = TRANSPOSED.read_text(encoding="utf-8-sig")
    assert old in text
    path = write(tmp_path / "kwb_2021.csv", text.replace(old, new, 1))
    with pytest.raises(ReaderError, match=r"kwb_2021\.csv, " + message):
        read_statline_transposed_csv(path)


# -------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize("path", [OLDER, TRANSPOSED, REGIOCODE, REGIOAANDUIDING], ids=lambda p: p.stem)
def test_cli_ingest_writes_each_layout(tmp_path, path):
    out = tmp_path / "out.csv"
    assert main(["ingest", str(path), "--out", str(out)]) == 0
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    expected = {OLDER: 25, TRANSPOSED: 16, REGIOCODE: 12, REGIOAANDUIDING: 12}[path]
    assert len(rows) == expected and "0" not in set(rows.loc[rows["status"] != "ok", "value"])
    assert (rows.loc[rows["status"] != "ok", "value"] == "").all()
