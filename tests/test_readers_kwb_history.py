"""Historic kwb workbooks (.xls, BIFF): older names and code variants read into one series per indicator.

The .xls files in tests/data/kwb are written by tests/data/kwb/make_kwb_files.py (xlwt, run by hand).
"""

import shutil

import pandas as pd
import pytest

from conftest import ROOT, cell, skip_without_shared
from wijkmonitor.errors import ReaderError
from wijkmonitor.ingest import ingest_file, with_lineage
from wijkmonitor.readers import read_file

KWB = ROOT / "tests/data/kwb"


def test_2013_lower_case_names_codes_from_gwb_code():
    fmt, read = read_file(KWB / "kwb-2013.xls", "auto")
    assert fmt == "cbs_kwb_xlsx"
    assert read.layout == "kwb 2013 (.xls): lower-case short names, codes from 'gwb_code'; decimal comma in text cells"
    table = read.table
    assert set(table["period"]) == {2013} and set(table["period_label"]) == {"2013"}
    assert sorted(table["area_code"].unique()) == ["BU03440111", "BU03440112", "GM0344", "WK034401"]  # 'GM0344  '
    oog = cell(table, source_indicator="a_inw", area_code="BU03440112")
    assert (oog["value"], oog["status"], oog["area_name"], oog["source_row"]) == (4505, "ok", "Oog in Al", 6)
    assert cell(table, source_indicator="a_soz_wb", area_code="BU03440111")["status"] == "suppressed"
    assert cell(table, source_indicator="a_soz_wb", area_code="GM0344")["value"] == 10280
    assert cell(table, source_indicator="p_stadsv", area_code="WK034401")["value"] == 1.5  # text "1,5"
    assert set(table["source_indicator"]) == {"a_inw", "a_man", "a_soz_wb", "g_woz", "p_stadsv"}  # not ind_wbi
    assert read.skipped == {"header row": [1], "blank row": [4]}


def test_2012_upper_case_names_codes_without_prefix():
    fmt, read = read_file(KWB / "kwb-2012.xls")
    assert fmt == "cbs_kwb_xlsx"
    assert read.layout == ("kwb 2012 (.xls): upper-case short names, codes from 'GWB_CODE12', codes without "
                           "GM/WK/BU prefix (level from 'RECS'), leading zeros restored")
    table = read.table
    city = cell(table, source_indicator="AANT_INW", area_code="GM0344")  # written as the number 344, RECS G
    assert (city["value"], city["area_name"], city["period"]) == (316275, "Utrecht", 2012)
    assert cell(table, source_indicator="AANT_INW", area_code="WK034401")["value"] == 25125  # '034401', W
    assert cell(table, source_indicator="WWB_UITTOT", area_code="BU03440111")["status"] == "suppressed"  # 'x'
    assert cell(table, source_indicator="P_00_14_JR", area_code="BU03440111")["value"] == 12


def test_period_of_a_reissued_file_is_the_kwb_year_not_the_version_date(tmp_path):
    _, read = read_file(KWB / "kwb-2016-versie-2018-03-01.xls")
    assert set(read.table["period"]) == {2016}
    assert cell(read.table, source_indicator="a_w_all", area_code="BU03440111")["value"] == 215
    path = tmp_path / "kwb-2009-versie-2014-06-01.xls"
    shutil.copy(KWB / "kwb-2013.xls", path)
    assert set(read_file(path)[1].table["period"]) == {2009}
    assert set(read_file(path, period=2011)[1].table["period"]) == {2011}


@pytest.mark.parametrize(("name", "message"), [
    ("wijken-2012-2014.xls", "names several years (2012, 2014) in 'wijken-2012-2014.xls'"),
    ("kerncijfers.xls", "names no year in its file name or sheet name ('Blad1')"),
])
def test_period_not_certain_is_refused(tmp_path, name, message):
    path = tmp_path / name
    shutil.copy(KWB / "kwb-2013.xls", path)
    with pytest.raises(ReaderError, match="period") as caught:
        read_file(path)
    assert message in str(caught.value) and caught.value.file == str(path)


def test_code_that_cannot_be_a_cbs_code_is_refused_with_row_and_column():
    with pytest.raises(ReaderError) as caught:
        read_file(KWB / "kwb-2014-bad-code.xls")
    assert (caught.value.row, caught.value.column) == (3, "gwb_code")
    assert "area code 'WK-3441' is not a CBS code (GM…, WK…, BU…) and cannot be made one for level 'Wijk'" in str(
        caught.value)


def test_code_whose_level_disagrees_with_recs_is_refused():
    with pytest.raises(ReaderError) as caught:
        read_file(KWB / "kwb-2015-bad-level.xls")
    assert (caught.value.row, caught.value.column) == (3, "gwb_code")
    assert "area code 'WK034401' is a WK code but recs says 'Buurt'" in str(caught.value)


def test_renamed_columns_join_one_indicator_and_changed_ones_do_not(catalogue):
    ids = {}
    for name in ("kwb-2012.xls", "kwb-2013.xls", "kwb-2016-versie-2018-03-01.xls"):
        _, read = read_file(KWB / name)
        ids.update(with_lineage(read.table, name, "kwb", catalogue, None)[1])
    assert ids["AANT_INW"] == ids["a_inw"] == "inwoners"
    assert ids["WWB_UITTOT"] == ids["a_soz_wb"] == "personen_bijstand"
    assert ids["AANT_MAN"] == ids["a_man"] == "mannen"
    # meaning changed: not joined with woz_waarde (g_wozbag), inwoners_0_14 (a count) or herkomst (since 2022)
    assert (ids["g_woz"], ids["P_00_14_JR"], ids["a_w_all"]) == ("g_woz", "p_00_14_jr", "a_w_all")


@skip_without_shared
@pytest.mark.realdata
def test_2013_and_2024_ingest_into_one_series(shared_data, catalogue, matcher):
    series = []
    for path in (KWB / "kwb-2013.xls", shared_data / "utrecht/cbs-kwb/CBS-Utrecht-kwb-2024.xlsx"):
        result = ingest_file(path, fmt="auto", source_id="kwb", catalogue=catalogue, matcher=matcher)
        obs = result.observations
        series.append(obs[(obs["area_code"] == "WK034401") & obs["indicator_id"].isin(["inwoners", "personen_bijstand"])])
    got = {(r.indicator_id, r.period): (r.value, r.status) for r in pd.concat(series).itertuples()}
    assert got[("inwoners", 2013)] == (25640, "ok")
    assert got[("inwoners", 2024)] == (29710, "ok")
    assert got[("personen_bijstand", 2013)] == (1360, "ok")
    assert got[("personen_bijstand", 2024)][1] == "suppressed"  # "." in the 2024 file (income, benefits not yet out)
