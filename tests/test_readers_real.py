"""Every reader on the real exports in ../shared/data, with values read off the files by hand."""

import shutil

import pandas as pd
import pytest

from conftest import cell, skip_without_shared
from wijkmonitor.errors import ReaderError
from wijkmonitor.readers import detect_format
from wijkmonitor.readers.kwb import read_cbs_kwb_xlsx
from wijkmonitor.readers.rivm import read_rivm_50090_xlsx
from wijkmonitor.readers.swing import read_swing_csv
from wijkmonitor.readers.tidy import read_tidy_csv

pytestmark = [skip_without_shared, pytest.mark.realdata]


# --------------------------------------------------------------- RIVM 50090NED


@pytest.fixture(scope="module")
def rivm_2016(shared_data):
    return read_rivm_50090_xlsx(shared_data / "national/rivm-50090NED/2016_18+.xlsx").table


def test_rivm_2016_good_health_overvecht_and_city(rivm_2016):
    # Row 14592 (WK034403) and row 14565 (GM0344), column ErvarenGezondheidGoedZeerGoed_4.
    overvecht = cell(rivm_2016, area_code="WK034403", source_indicator="ErvarenGezondheidGoedZeerGoed")
    city = cell(rivm_2016, area_code="GM0344", source_indicator="ErvarenGezondheidGoedZeerGoed")
    assert (overvecht["value"], overvecht["status"], overvecht["source_row"]) == (63.5, "ok", 14592)
    assert (city["value"], city["source_row"]) == (77.0, 14565)
    assert overvecht["category"] == "18+" and overvecht["period"] == 2016
    assert overvecht["period_label"] == "2016JJ00"
    assert overvecht["source_column"] == "ErvarenGezondheidGoedZeerGoed_4"


def test_rivm_2016_moeite_met_rondkomen(rivm_2016):
    assert cell(rivm_2016, area_code="WK034403", source_indicator="MoeiteMetRondkomen")["value"] == 36.0
    assert cell(rivm_2016, area_code="GM0344", source_indicator="MoeiteMetRondkomen")["value"] == 22.2
    assert cell(rivm_2016, area_code="NL01", source_indicator="MoeiteMetRondkomen")["value"] == 19.2


def test_rivm_every_cell_kept_with_status(rivm_2016):
    # 17,341 regions x 35 indicators: nothing dropped, empty cells are "missing", "." is "suppressed".
    assert len(rivm_2016) == 17341 * 35
    not_measured = rivm_2016[rivm_2016["source_indicator"] == "BeperktVanwegeGezondheid"]
    assert (not_measured["status"] == "missing").all() and not_measured["value"].isna().all()
    suppressed = rivm_2016[rivm_2016["status"] == "suppressed"]
    assert len(suppressed) > 0 and suppressed["value"].isna().all()
    assert (rivm_2016.loc[rivm_2016["status"] == "ok", "value"].notna()).all()


def test_rivm_estimates_only_have_no_intervals(shared_data):
    # The real files hold only Marges MW00000 (the estimates): no margin rows, ci_low/ci_high all NULL.
    # Row 2 of 2020 65+ is NL01, column ErvarenGezondheidGoedZeerGoed_4: '    66.7'.
    result = read_rivm_50090_xlsx(shared_data / "national/rivm-50090NED/RIVM_gezondheid2020_65+.xlsx")
    frame = result.table
    nl = cell(frame, area_code="NL01", source_indicator="ErvarenGezondheidGoedZeerGoed")
    assert (nl["value"], nl["source_row"], nl["category"]) == (66.7, 2, "65+")
    assert pd.isna(nl["ci_low"]) and pd.isna(nl["ci_high"])
    assert frame["ci_low"].isna().all() and frame["ci_high"].isna().all()
    assert frame["ci_low"].dtype == "Float64" and result.skipped == {"header row": [1]}
    assert len(frame) == 17341 * 35


@pytest.mark.parametrize(
    ("name", "overvecht", "city", "age"),
    [("2012_18+.xlsx", 65.8, 78.3, "18+"), ("2012_65+.xlsx", 49.4, 55.2, "65+"),
     ("2016_18_65.xlsx", 67.0, 80.0, "18-65"), ("RIVM_gezondheid2020_18+.xlsx", 69.9, 80.8, "18+")],
)
def test_rivm_other_years_and_age_groups(shared_data, name, overvecht, city, age):
    frame = read_rivm_50090_xlsx(shared_data / "national/rivm-50090NED" / name).table
    key = "ErvarenGezondheidGoedZeerGoed"
    assert cell(frame, area_code="WK034403", source_indicator=key)["value"] == overvecht
    assert cell(frame, area_code="GM0344", source_indicator=key)["value"] == city
    assert set(frame["category"]) == {age}


# ------------------------------------------------------------------- CBS kwb


@pytest.fixture(scope="module")
def kwb_2023(shared_data):
    return read_cbs_kwb_xlsx(shared_data / "utrecht/cbs-kwb/CBS-Utrecht-kwb-2023.xlsx").table


def test_kwb_2023_counts(kwb_2023):
    assert cell(kwb_2023, area_code="GM0344", source_indicator="a_inw")["value"] == 367947
    assert cell(kwb_2023, area_code="WK034403", source_indicator="a_inw")["value"] == 34910
    bu = cell(kwb_2023, area_code="BU03440311", source_indicator="a_inw")
    assert (bu["value"], bu["source_row"], bu["area_name"]) == (4195, 30, "Taag- en Rubicondreef en omgeving")
    assert cell(kwb_2023, area_code="WK034403", source_indicator="a_soz_wb")["value"] == 2680
    assert cell(kwb_2023, area_code="GM0344", source_indicator="g_hhgro")["value"] == 1.9
    assert cell(kwb_2023, area_code="WK034403", source_indicator="p_wcorpw")["value"] == 61


def test_kwb_suppressed_income_is_null_not_zero(kwb_2023):
    income = cell(kwb_2023, area_code="WK034403", source_indicator="p_hh_li")
    assert income["status"] == "suppressed" and pd.isna(income["value"])


def test_kwb_shape_and_period_from_file_name(kwb_2023, shared_data):
    assert len(kwb_2023) == 122 * 112  # 122 regions, 121 columns minus 9 region attributes
    assert set(kwb_2023["period"]) == {2023}
    kwb_2024 = read_cbs_kwb_xlsx(shared_data / "utrecht/cbs-kwb/CBS-Utrecht-kwb-2024.xlsx").table  # sheet "Gemeente-Utrecht"
    assert set(kwb_2024["period"]) == {2024}
    assert cell(kwb_2024, area_code="GM0344", source_indicator="a_inw")["value"] == 374238


def test_kwb_period_when_neither_name_says(shared_data, tmp_path):
    copy = tmp_path / "kerncijfers.xlsx"
    shutil.copy(shared_data / "utrecht/cbs-kwb/CBS-Utrecht-kwb-2024.xlsx", copy)
    with pytest.raises(ReaderError, match="names no year"):
        read_cbs_kwb_xlsx(copy)
    assert set(read_cbs_kwb_xlsx(copy, period=2024).table["period"]) == {2024}


# ------------------------------------------------------------- Swing / incijfers


def test_swing_single_indicator(shared_data):
    frame = read_swing_csv(shared_data / "utrecht/incijfers/UIC_cultuurdeelname_2023_subwijken.csv").table
    assert len(frame) == 35
    first = cell(frame, area_name="Subwijk Oog in Al, Welgelegen")
    assert (first["value"], first["source_row"], first["period"]) == (94, 2, 2023)
    assert first["source_indicator"] == "% cultuurdeelname"
    assert cell(frame, area_name="Utrecht")["value"] == 89
    suppressed = cell(frame, area_name="Subwijk Leidsche Rijn-zuid")
    assert suppressed["status"] == "suppressed" and pd.isna(suppressed["value"])


def test_swing_category_in_header(shared_data):
    frame = read_swing_csv(shared_data / "utrecht/incijfers/UIC_tevredenheid_culturele_voorzieningen_buurt_2023.csv").table
    city = frame[frame["area_name"] == "Utrecht"].set_index("category")["value"]
    assert city.to_dict() == {"(zeer) tevreden": 50, "neutraal": 33, "(zeer) ontevreden": 16}
    assert set(frame["source_indicator"]) == {"% inwoners dat tevreden is over culturele voorzieningen in de buurt"}


def test_swing_non_ascii_header(shared_data):
    frame = read_swing_csv(shared_data / "utrecht/incijfers/UIC_deelname_culturele_activiteiten_2023_Subwijken.csv").table
    cafe = cell(frame, area_name="Utrecht", source_indicator="% dat restaurant of café bezoekt")
    assert cafe["value"] == 92
    assert len(frame) == 35 * 10


@pytest.mark.parametrize(("encoding", "newline", "bom"), [("utf-8", "\r\n", True), ("cp1252", "\r\n", False)])
def test_swing_encodings_and_line_endings(shared_data, tmp_path, encoding, newline, bom):
    source = shared_data / "utrecht/incijfers/UIC_deelname_culturele_activiteiten_2023_Subwijken.csv"
    text = source.read_text(encoding="utf-8")
    variant = tmp_path / "variant.csv"
    data = text.replace("\n", newline).encode(encoding)
    variant.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    assert read_swing_csv(variant).table.equals(read_swing_csv(source).table)


# -------------------------------------------------------------------- tidy CSV


def test_tidy_reader_on_transcribed_monitor(shared_data):
    frame = read_tidy_csv(shared_data / "utrecht/monitor-transcribed/utrecht_monitor_city_series.csv").table
    assert len(frame) == 240
    first = frame.iloc[0]
    assert (first["source_indicator"], first["period"], first["value"]) == (
        "% inwoners dat zich wel eens onveilig voelt", 2015, 39.0)
    # Two editions give 2016 twice; both are kept, each with its own vintage (publication).
    bijstand = frame[(frame["source_indicator"] == "% huishoudens met bijstand") & (frame["period"] == 2016)]
    assert sorted(bijstand["value"]) == [5.7, 5.7] and bijstand["vintage"].nunique() == 2
    growth = frame[frame["period_label"] == "2017-2018"]
    assert len(growth) > 0 and set(growth["period"]) == {2018}


# ------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("relative", "expected"),
    [("utrecht/incijfers/UIC_cultuurdeelname_2023_subwijken.csv", "swing_csv"),
     ("utrecht/cbs-kwb/CBS-Utrecht-kwb-2023.xlsx", "cbs_kwb_xlsx"),
     ("national/rivm-50090NED/2016_65+.xlsx", "rivm_50090_xlsx"),
     ("utrecht/monitor-transcribed/utrecht_monitor_city_series.csv", "tidy_csv")],
)
def test_detect_format(shared_data, relative, expected):
    assert detect_format(shared_data / relative) == expected
