"""Ingest: areas and indicators resolved, rows accounted for, unknown areas refused clearly."""

import pytest

from conftest import skip_without_shared
from wijkmonitor.errors import AreaMatchError, ReaderError
from wijkmonitor.ingest import ingest_file

SWING = (
    '"Niveau";"% huishoudens met bijstand|2016";"% huishoudens met bijstand|2017";"% nieuwe kop|2017"\r\n'
    '"Wijk Overvecht";"17,9";"18,2";"3"\r\n'
    '"Wijk Zuidwest";"12,0";".";"-"\r\n'
    '"Onbekend";"1,0";"1,1";"2"\r\n'
    '"Utrecht";"6,4";"6,5";"?"\r\n'
)


def write(tmp_path, text, name="export.csv", encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_swing_export_ingested(tmp_path, catalogue, matcher):
    result = ingest_file(write(tmp_path, SWING), fmt="auto", source_id="incijfers", catalogue=catalogue,
                         matcher=matcher)
    obs = result.observations.set_index(["indicator_id", "area_code", "period"])
    assert obs.loc[("huishoudens_bijstand", "WK034403", 2017), "value"] == 18.2
    assert obs.loc[("huishoudens_bijstand", "GM0344", 2017), "value"] == 6.5
    assert obs.loc[("huishoudens_bijstand", "WK034408", 2017), "status"] == "suppressed"
    assert obs.loc[("pct_nieuwe_kop", "WK034408", 2017), "status"] == "not_applicable"
    assert obs.loc[("pct_nieuwe_kop", "GM0344", 2017), "status"] == "missing"
    row = obs.loc[("huishoudens_bijstand", "WK034403", 2017)]
    assert (row["source_row"], row["source_column"], row["area_name"]) == (2, "% huishoudens met bijstand|2017", "Wijk Overvecht")
    log = result.log
    assert (log["rows_read"], log["rows_kept"]) == (4, 3)
    assert log["rows_dropped"] == {"total, country or unknown-area row": 1}
    assert log["observations_read"] == 12 and log["observations_kept"] == 9
    assert log["uncatalogued"] == [{"source_indicator": "% nieuwe kop", "indicator_id": "pct_nieuwe_kop"}]
    assert log["reader"] == "swing_csv" and len(log["sha256"]) == 64


def test_unknown_area_names_file_row_and_suggestion(tmp_path, catalogue, matcher):
    text = SWING.replace("Wijk Zuidwest", "Wijk Zuidwets")
    path = write(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(AreaMatchError) as error:
        ingest_file(path, fmt="swing_csv", source_id="x", catalogue=catalogue, matcher=matcher)
    message = str(error.value)
    assert str(path) in message and "row 3" in message and "'Wijk Zuidwets'" in message
    assert "closest: Zuidwest" in message
    assert path.read_bytes() == before


@skip_without_shared
@pytest.mark.realdata
def test_national_rivm_file_filtered_to_the_city(shared_data, catalogue, matcher):
    result = ingest_file(shared_data / "national/rivm-50090NED/2016_18+.xlsx", fmt="auto", source_id="rivm",
                         catalogue=catalogue, matcher=matcher)
    log = result.log
    assert (log["rows_read"], log["rows_kept"]) == (17341, 122)
    assert log["rows_dropped"] == {"outside the municipality": 17219}
    assert log["uncatalogued"] == []
    obs = result.observations
    good = obs[(obs["indicator_id"] == "ervaren_gezondheid_goed") & (obs["area_code"] == "WK034403")]
    assert good["value"].tolist() == [63.5]
    # Estimates only (Marges MW00000): no interval anywhere.
    assert log["with_interval"] == 0 and obs[["ci_low", "ci_high"]].isna().all().all()
    assert set(obs["area_code"]) <= set(matcher.register["code"]) and obs["area_code"].nunique() == 122


@skip_without_shared
@pytest.mark.realdata
def test_incijfers_subwijken_resolve_to_register_codes(shared_data, catalogue, matcher):
    result = ingest_file(shared_data / "utrecht/incijfers/UIC_cultuurdeelname_2023_subwijken.csv", fmt="auto",
                         source_id="incijfers", catalogue=catalogue, matcher=matcher)
    obs = result.observations.set_index("area_code")
    assert obs.loc["SW0344013", "value"] == 90  # "Subwijk Nieuw Engeland, Schepenbrt"
    assert obs.loc["SW0344034", "value"] == 75  # "Subwijk Zambesidreef, Tigrisdreef"
    assert set(obs["indicator_id"]) == {"cultuurdeelname"}


def test_every_row_is_accounted_for_in_the_log(tmp_path, catalogue, matcher):
    text = SWING + ';;;\r\n"Bron: enquête 2017"\r\n'
    log = ingest_file(write(tmp_path, text), fmt="auto", source_id="incijfers", catalogue=catalogue,
                      matcher=matcher).log
    assert log["rows_skipped"] == {"blank row": 1, "header row": 1, "text row after the table": 1}
    assert log["rows_skipped_at"]["text row after the table"] == [7]
    assert log["notes"] == ["Bron: enquête 2017"]
    assert log["status_counts"] == {"missing": 1, "not_applicable": 1, "ok": 6, "suppressed": 1}
    assert log["encoding"] == "utf-8-sig" and log["provisional"] == 0
    # 7 lines = 1 header + 4 area rows (3 kept, 1 total) + 1 blank + 1 text row.
    assert log["rows_read"] + sum(log["rows_skipped"].values()) == 7


def test_unknown_areas_quarantined_when_configured(tmp_path, catalogue, matcher):
    text = SWING.replace("Wijk Zuidwest", "Wijk Zuidwets")
    result = ingest_file(write(tmp_path, text), fmt="swing_csv", source_id="x", catalogue=catalogue,
                         matcher=matcher, unknown_areas="quarantine")
    quarantine = result.quarantine
    assert quarantine[["source_row", "area_name", "observations", "closest"]].values.tolist() == [
        [3, "Wijk Zuidwets", 3, "Zuidwest, Zuid, Zuilen-West"]]
    assert "WK034408" not in set(result.observations["area_code"])
    assert result.log["rows_dropped"]["area not in the register (quarantined)"] == 1
    assert result.log["quarantined"] == [{"source_row": 3, "area_code": None, "area_name": "Wijk Zuidwets",
                                          "observations": 3, "closest": "Zuidwest, Zuid, Zuilen-West"}]
    assert result.log["observations_kept"] == 6


def test_a_figure_given_twice_with_different_values_is_refused(tmp_path, catalogue, matcher):
    text = SWING + '"Overvecht";"17,9";"18,4";"3"\r\n'
    with pytest.raises(ReaderError) as error:
        ingest_file(write(tmp_path, text), fmt="swing_csv", source_id="x", catalogue=catalogue, matcher=matcher)
    assert str(error.value).startswith(
        f"{tmp_path / 'export.csv'}, row 6, column '% huishoudens met bijstand|2017': gives huishoudens_bijstand "
        "for WK034403 in 2017 twice with different values: 18.2 (row 2, column '% huishoudens met bijstand|2017') "
        "and 18.4 (row 6).")


def test_a_row_repeated_with_the_same_values_is_kept_once(tmp_path, catalogue, matcher):
    text = SWING + '"Overvecht";"17,9";"18,2";"3"\r\n'
    result = ingest_file(write(tmp_path, text), fmt="swing_csv", source_id="x", catalogue=catalogue, matcher=matcher)
    assert result.log["duplicate_observations_dropped"] == 3 and result.log["observations_kept"] == 9
    overvecht = result.observations[result.observations["area_code"] == "WK034403"]
    assert set(overvecht["source_row"]) == {2}


def test_a_figure_given_twice_with_different_intervals_is_refused():
    from wijkmonitor.canonical import observation_frame
    from wijkmonitor.ingest import check_duplicates

    figure = {"indicator_id": "roker", "area_code": "WK034403", "category": "18+", "period": 2020,
              "vintage": "2020", "value": 27.5, "status": "ok", "source_column": "Roker_11"}
    kept = observation_frame([{**figure, "ci_low": 25.0, "ci_high": 30.1, "source_row": 4},
                              {**figure, "ci_low": 25.0, "ci_high": 30.1, "source_row": 9}])
    assert check_duplicates(kept, "f.xlsx").tolist() == [False, True]  # an exact repeat is kept once
    kept.loc[1, "ci_high"] = 31.0
    with pytest.raises(ReaderError) as error:
        check_duplicates(kept, "f.xlsx")
    assert str(error.value).startswith(
        "f.xlsx, row 9, column 'Roker_11': gives roker for WK034403 in 2020 twice with different 95% intervals: "
        "[25.0, 30.1] (row 4, column 'Roker_11') and [25.0, 31.0] (row 9).")


def test_old_codes_padded_codes_and_other_municipalities(tmp_path, catalogue, register):
    from wijkmonitor.areas import AreaMatcher

    renamed = register.copy()
    renamed.loc[renamed["code"] == "BU03441014", "aliases"] += "|BU03440999"  # an old code of Maximapark
    text = ("indicator,area_code,period,value\n"
            "p_koopw,BU03440999,2020,40\np_koopw,GM0344    ,2020,44\np_koopw,GM0307,2020,60\n")
    result = ingest_file(write(tmp_path, text, "t.csv", "utf-8"), fmt="tidy_csv", source_id="t",
                         catalogue=catalogue, matcher=AreaMatcher(renamed))
    obs = result.observations.set_index("area_code")["value"]
    assert obs.to_dict() == {"BU03441014": 40, "GM0344": 44}
    assert result.log["rows_dropped"] == {"outside the municipality": 1}
