"""Series joined across boundary changes (series_links.join_across_links): one-to-one links carried,
merges summed or population-weighted, splits apportioned (counts) or carried (rates), and breaks
where a series cannot be joined. The last tests use link tables built by boundaries.py from the
constructed kwb files of tests/data/boundaries/ (see test_boundaries.py)."""

import importlib.util

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from wijkmonitor.boundaries import LINK_COLUMNS, build_history_register
from wijkmonitor.canonical import OBSERVATION_COLUMNS, observation_frame
from wijkmonitor.series_links import BREAK_CAUSES, BREAK_COLUMNS, join_across_links

DATA = ROOT / "tests" / "data" / "boundaries"
K2022, K2023, K2024 = DATA / "kwb-2022.xlsx", DATA / "kwb-2023.xlsx", DATA / "kwb-2024.xlsx"
K2025 = DATA / "kwb-2025-merged.xlsx"
UNITS = {"inwoners": "count", "roker": "percent", "bevolkingsdichtheid": "per_km2", "stedelijkheid": "code"}


def _generator():
    spec = importlib.util.spec_from_file_location("make_boundary_files", DATA / "make_boundary_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def obs(*rows):
    """Observations from (indicator, area, period, value[, status][, n]) or dicts."""
    records = []
    for row in rows:
        if isinstance(row, dict):
            records.append(row)
            continue
        indicator, area, period, value, *rest = row
        status = rest[0] if rest else ("ok" if value is not None else "missing")
        n = rest[1] if len(rest) > 1 else None
        records.append({"indicator_id": indicator, "area_code": area, "area_name": f"name {area}", "period": period,
                        "value": value, "status": status, "n": n, "source_id": "src", "provisional": False,
                        "source_file": "data/raw/src.csv", "source_row": len(records) + 2})
    return observation_frame(records)


def links(*rows):
    return pd.DataFrame([(*r, "test") for r in rows], columns=LINK_COLUMNS)


def one(frame, **where):
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column].isna()] if value is None else rows[rows[column] == value]
    assert len(rows) == 1, f"{len(rows)} rows match {where}"
    return rows.iloc[0]


def carried(result):
    return result.observations[result.observations["link"].notna()]


SPLIT = links(("BU03440112", "BU03440115", "split", 0.6, 2022, 2023),
              ("BU03440112", "BU03440116", "split", 0.4, 2022, 2023))


def test_split_apportions_counts_and_carries_rates():
    observations = obs(("inwoners", "BU03440112", 2022, 100.0), ("roker", "BU03440112", 2022, 12.5, "ok", 80.0),
                       ("inwoners", "BU03440112", 2021, None, "suppressed"),
                       ("inwoners", "BU03440115", 2023, 61.0), ("inwoners", "BU03440116", 2023, 41.0))
    observations.loc[1, ["sd", "ci_low", "ci_high"]] = [1.2, 9.0, 16.0]
    result = join_across_links(observations, SPLIT, UNITS)
    out = result.observations
    for area, count in (("BU03440115", 60.0), ("BU03440116", 40.0)):
        row = one(out, indicator_id="inwoners", area_code=area, period=2022)
        assert row["value"] == pytest.approx(count)
        assert (row["link"], row["linked_from"], row["status"]) == ("split", "BU03440112", "ok")
        rate = one(out, indicator_id="roker", area_code=area, period=2022)
        assert rate["value"] == 12.5 and rate["link"] == "split" and rate["linked_from"] == "BU03440112"
        assert pd.isna(rate["n"]) and pd.isna(rate["sd"]) and pd.isna(rate["ci_low"]) and pd.isna(rate["ci_high"])
        assert rate["source_row"] == 3  # where the figure came from
        secret = one(out, indicator_id="inwoners", area_code=area, period=2021)
        assert secret["status"] == "suppressed" and pd.isna(secret["value"]) and secret["link"] == "split"
        assert pd.isna(one(out, indicator_id="inwoners", area_code=area, period=2023)["link"])  # its own figure
    assert len(carried(result)) == 6
    assert result.breaks.empty and list(result.breaks.columns) == list(BREAK_COLUMNS)


def test_recoded_wijk_continues_under_the_new_code_without_duplicates():
    observations = obs(("inwoners", "WK034499", 2019, 23000.0), ("inwoners", "WK034499", 2020, 23100.0),
                       ("roker", "WK034499", 2019, 9.5, "ok", 300.0),
                       ("inwoners", "WK034410", 2020, 23150.0),  # the source gave 2020 under the new code too
                       ("inwoners", "WK034410", 2024, 23570.0),
                       ("inwoners", "WK034499", 2024, 1.0))  # dated after the change: not carried
    observations.loc[2, ["ci_low", "ci_high"]] = [8.0, 11.0]
    recode = links(("WK034499", "WK034410", "recoded", 1.0, 2023, 2024), ("WK034401", "WK034401", "same", 1.0, 2023, 2024))
    result = join_across_links(observations, recode, UNITS)
    out = result.observations
    new = out[out["area_code"] == "WK034410"].set_index(["indicator_id", "period"])
    assert not new.index.duplicated().any()
    assert new.loc[("inwoners", 2019), "value"] == 23000 and new.loc[("inwoners", 2019), "link"] == "recoded"
    assert new.loc[("inwoners", 2019), "linked_from"] == "WK034499"
    assert new.loc[("inwoners", 2020), "value"] == 23150 and pd.isna(new.loc[("inwoners", 2020), "link"])
    assert pd.isna(new.loc[("inwoners", 2024), "link"]) and new.loc[("inwoners", 2024), "value"] == 23570
    rate = new.loc[("roker", 2019)]  # one-to-one: n and interval go along
    assert (rate["value"], rate["n"], rate["ci_low"], rate["ci_high"]) == (9.5, 300, 8.0, 11.0)
    assert len(carried(result)) == 2 and result.breaks.empty


def test_merge_sums_counts_and_weights_rates_by_population():
    merge = links(("BU03440111", "BU03440118", "merged", 0.25, 2024, 2025),
                  ("BU03440113", "BU03440118", "merged", 0.75, 2024, 2025))
    observations = obs(("roker", "BU03440111", 2024, 10.0, "ok", 40.0), ("roker", "BU03440113", 2024, 20.0, "ok", 60.0),
                       ("inwoners", "BU03440111", 2024, 30.0), ("inwoners", "BU03440113", 2024, 50.0),
                       ("roker", "BU03440111", 2023, 11.0, "ok", 40.0), ("roker", "BU03440113", 2023, 21.0))
    result = join_across_links(observations, merge, UNITS)
    out = result.observations
    rate = one(out, indicator_id="roker", area_code="BU03440118", period=2024)
    assert rate["value"] == pytest.approx(0.25 * 10 + 0.75 * 20) == 17.5
    assert (rate["link"], rate["linked_from"], rate["n"]) == ("merged", "BU03440111+BU03440113", 100)
    assert rate["area_name"] == "name BU03440111 + name BU03440113" and rate["status"] == "ok"
    assert pd.isna(rate["source_row"]) and rate["source_file"] == "data/raw/src.csv"  # shared by the parts
    count = one(out, indicator_id="inwoners", area_code="BU03440118", period=2024)
    assert count["value"] == 80 and count["link"] == "merged" and pd.isna(count["n"])
    partly = one(out, indicator_id="roker", area_code="BU03440118", period=2023)  # one part without n
    assert partly["value"] == pytest.approx(0.25 * 11 + 0.75 * 21) and pd.isna(partly["n"])
    assert result.breaks.empty


def test_merge_with_a_part_missing_gives_no_figure_and_a_break():
    merge = links(("BU03440111", "BU03440118", "merged", 0.25, 2024, 2025),
                  ("BU03440113", "BU03440118", "merged", 0.75, 2024, 2025))
    observations = obs(("inwoners", "BU03440111", 2023, 30.0), ("inwoners", "BU03440113", 2023, None, "suppressed"),
                       ("inwoners", "BU03440111", 2024, 31.0),  # no row at all for BU03440113
                       ("inwoners", "BU03440111", 2022, 29.0), ("inwoners", "BU03440113", 2022, 48.0))
    result = join_across_links(observations, merge, UNITS)
    derived = carried(result)
    assert derived[["area_code", "period", "value"]].values.tolist() == [["BU03440118", 2022, 77.0]]
    assert result.breaks.to_dict("records") == [{
        "area_code": "BU03440118", "indicator_id": "inwoners", "from_year": 2024, "to_year": 2025, "relation": "merged",
        "reason": "merged from BU03440111+BU03440113: no figure for BU03440113, so none for the merged area (2023-2024)",
        "cause": "part_missing"}]


def test_original_rows_are_unchanged():
    observations = obs(("inwoners", "BU03440112", 2022, 100.0), ("roker", "BU03440112", 2022, 12.5, "ok", 80.0),
                       ("roker", "BU03440111", 2024, 10.0, "ok", 40.0), ("roker", "BU03440113", 2024, 20.0),
                       ("inwoners", "WK034499", 2020, 23100.0),
                       {"indicator_id": "inwoners", "area_code": "BU03440112", "category": "vrouw", "period": 2022,
                        "value": 52.0, "status": "ok"})
    before = observations.copy()
    table = pd.concat([SPLIT, links(("BU03440111", "BU03440118", "merged", 0.25, 2024, 2025),
                                    ("BU03440113", "BU03440118", "merged", 0.75, 2024, 2025),
                                    ("WK034499", "WK034410", "recoded", 1.0, 2023, 2024))])
    result = join_across_links(observations, table, UNITS)
    pd.testing.assert_frame_equal(observations, before)  # the input is not changed
    out = result.observations
    assert list(out.columns) == [*OBSERVATION_COLUMNS, "link", "linked_from"]
    originals = out[out["link"].isna()].drop(columns=["link", "linked_from"]).reset_index(drop=True)
    expected = before.sort_values(["indicator_id", "area_code", "category", "period"], na_position="first")
    pd.testing.assert_frame_equal(originals, expected.reset_index(drop=True))
    assert out["linked_from"].isna().equals(out["link"].isna())
    # categories are kept apart: the women of the old buurt are apportioned on their own
    assert one(out, indicator_id="inwoners", area_code="BU03440115", category="vrouw")["value"] == pytest.approx(31.2)
    assert one(out, indicator_id="inwoners", area_code="BU03440115", category=None)["value"] == pytest.approx(60)
    # sorted, and the same result twice
    assert out.equals(join_across_links(observations.iloc[::-1], table.iloc[::-1], UNITS).observations)


def test_what_cannot_be_joined_is_a_break():
    observations = obs(("bevolkingsdichtheid", "BU03440112", 2022, 5000.0), ("stedelijkheid", "BU03440111", 2024, 1.0),
                       ("stedelijkheid", "BU03440113", 2024, 1.0), ("inwoners", "BU03440114", 2024, 40.0),
                       ("inwoners", "BU03440120", 2024, 10.0), ("onbekend", "BU03440112", 2022, 3.0))
    table = pd.concat([SPLIT, links(("BU03440111", "BU03440118", "merged", 0.25, 2024, 2025),
                                    ("BU03440113", "BU03440118", "merged", 0.75, 2024, 2025),
                                    ("BU03440114", "BU03440119", "moved", 1.0, 2024, 2025),
                                    ("BU03440120", "BU03440121", "split", None, 2024, 2025),
                                    ("BU03440120", "BU03440122", "split", None, 2024, 2025))])
    result = join_across_links(observations, table, UNITS)
    assert carried(result).empty
    reasons = {(r.area_code, r.indicator_id, r.relation): r.reason for r in result.breaks.itertuples()}
    assert reasons == {
        ("BU03440115", "bevolkingsdichtheid", "split"):
            "split of BU03440112: unit 'per_km2' cannot be apportioned by population (2022)",
        ("BU03440116", "bevolkingsdichtheid", "split"):
            "split of BU03440112: unit 'per_km2' cannot be apportioned by population (2022)",
        ("BU03440115", "onbekend", "split"): "split of BU03440112: no unit known cannot be apportioned by population (2022)",
        ("BU03440116", "onbekend", "split"): "split of BU03440112: no unit known cannot be apportioned by population (2022)",
        ("BU03440118", "stedelijkheid", "merged"):
            "merged from BU03440111+BU03440113: unit 'code' cannot be combined by population (2024)",
        ("BU03440119", "inwoners", "moved"):
            "relation 'moved' is not one of same, renamed, recoded, split, merged: figures of BU03440114 are not "
            "carried (2024)",
        ("BU03440121", "inwoners", "split"): "the shares of the split of BU03440120 are missing: figures are not carried (2024)",
        ("BU03440122", "inwoners", "split"): "the shares of the split of BU03440120 are missing: figures are not carried (2024)",
    }
    causes = {(r.area_code, r.indicator_id, r.relation): r.cause for r in result.breaks.itertuples()}
    assert causes == {
        ("BU03440115", "bevolkingsdichtheid", "split"): "not_apportionable",
        ("BU03440116", "bevolkingsdichtheid", "split"): "not_apportionable",
        ("BU03440115", "onbekend", "split"): "not_apportionable",
        ("BU03440116", "onbekend", "split"): "not_apportionable",
        ("BU03440118", "stedelijkheid", "merged"): "not_combinable",
        ("BU03440119", "inwoners", "moved"): "unknown_relation",
        ("BU03440121", "inwoners", "split"): "shares_missing",
        ("BU03440122", "inwoners", "split"): "shares_missing",
    }
    assert result.breaks.dtypes.astype(str).to_dict() == BREAK_COLUMNS


def test_a_kept_code_in_a_split_gets_a_break_not_a_figure():
    """K -> K and K -> N: the new part gets the estimate; K keeps its own (old-boundary) figures, and a break."""
    table = links(("BU03440111", "BU03440111", "split", 0.55, 2024, 2025),
                  ("BU03440111", "BU03440119", "split", 0.45, 2024, 2025))
    observations = obs(("inwoners", "BU03440111", 2024, 1800.0), ("inwoners", "BU03440111", 2025, 1000.0))
    result = join_across_links(observations, table, UNITS)
    assert carried(result)[["area_code", "period", "value"]].values.tolist() == [["BU03440119", 2024, 810.0]]
    assert one(result.observations, area_code="BU03440111", period=2024)["value"] == 1800
    assert result.breaks[["area_code", "relation", "reason", "cause"]].values.tolist() == [[
        "BU03440111", "split", "BU03440111 keeps its code through its split: its figures before 2025 are of its old, "
        "larger area (2024)", "code_kept_split"]]


def test_each_break_has_its_cause_and_a_row_with_two_reasons_has_both():
    """The causes the tests above do not meet: a code kept through a merge, shares that do not sum to 1
    or include a negative one, two links to one figure; and a kept code that is also the target of
    another split, whose row joins two reasons (sorted) and their causes in the same order."""
    table = links(("BU03440111", "BU03440111", "merged", 0.6, 2024, 2025),
                  ("BU03440113", "BU03440111", "merged", 0.4, 2024, 2025),
                  ("BU03440114", "BU03440121", "split", 0.5, 2024, 2025),
                  ("BU03440114", "BU03440122", "split", 0.4, 2024, 2025),
                  ("BU03440115", "BU03440123", "merged", 1.2, 2024, 2025),
                  ("BU03440116", "BU03440123", "merged", -0.2, 2024, 2025),
                  ("BU03440117", "BU03440130", "recoded", 1.0, 2024, 2025),
                  ("BU03440118", "BU03440130", "recoded", 1.0, 2024, 2025))
    observations = obs(("inwoners", "BU03440111", 2024, 50.0), ("inwoners", "BU03440113", 2024, 60.0),
                       ("inwoners", "BU03440114", 2024, 60.0), ("inwoners", "BU03440115", 2024, 60.0),
                       ("inwoners", "BU03440117", 2024, 70.0), ("inwoners", "BU03440118", 2023, 80.0),
                       ("inwoners", "BU03440118", 2024, 81.0))
    result = join_across_links(observations, table, UNITS)
    assert carried(result)[["area_code", "period", "value"]].values.tolist() == [["BU03440130", 2023, 80.0]]
    assert result.breaks[["area_code", "relation", "reason", "cause"]].values.tolist() == [
        ["BU03440111", "merged", "BU03440111 keeps its code through the merge with BU03440113: its figures before "
         "2025 are of its old, smaller area (2024)", "code_kept_merge"],
        ["BU03440121", "split", "the shares of the split of BU03440114 sum to 0.9, not 1: figures are not carried "
         "(2024)", "shares_not_one"],
        ["BU03440122", "split", "the shares of the split of BU03440114 sum to 0.9, not 1: figures are not carried "
         "(2024)", "shares_not_one"],
        ["BU03440123", "merged", "the shares of the merge into BU03440123 include a negative share: figures are "
         "not carried (2024)", "shares_negative"],
        ["BU03440130", "recoded", "two links of this step lead to the same figure (2024)", "link_clash"]]
    # BU03440111 keeps its code through its split and gets a part of BU03440112 too.
    table = links(("BU03440111", "BU03440111", "split", 0.55, 2024, 2025),
                  ("BU03440111", "BU03440119", "split", 0.45, 2024, 2025),
                  ("BU03440112", "BU03440111", "split", 0.3, 2024, 2025),
                  ("BU03440112", "BU03440120", "split", 0.7, 2024, 2025))
    observations = obs(("bevolkingsdichtheid", "BU03440111", 2024, 5000.0),
                       ("bevolkingsdichtheid", "BU03440112", 2023, 3000.0))
    breaks = join_across_links(observations, table, UNITS).breaks
    assert breaks[["area_code", "reason", "cause"]].values.tolist() == [
        ["BU03440111", "BU03440111 keeps its code through its split: its figures before 2025 are of its old, larger "
         "area (2024); split of BU03440112: unit 'per_km2' cannot be apportioned by population (2023)",
         "code_kept_split;not_apportionable"],
        ["BU03440119", "split of BU03440111: unit 'per_km2' cannot be apportioned by population (2024)",
         "not_apportionable"],
        ["BU03440120", "split of BU03440112: unit 'per_km2' cannot be apportioned by population (2023)",
         "not_apportionable"]]
    assert {c for cause in breaks["cause"] for c in cause.split(";")} <= set(BREAK_CAUSES)


def test_refuses_observations_with_two_figures_per_key():
    observations = obs(("inwoners", "BU03440112", 2022, 100.0), ("inwoners", "BU03440112", 2022, 101.0))
    with pytest.raises(ValueError, match="more than one row for inwoners, BU03440112, 2022"):
        join_across_links(observations, SPLIT, UNITS)


# ------------------------------------------------------------- links built by boundaries.py


def test_join_across_links_built_from_kwb_files():
    """Links 2022-2025 from the constructed kwb files: BU03440112 split (2023) into BU03440115 and
    -16, which merge (2025) into BU03440117; WK034499 recoded WK034410 (2024); BU03440111 and -13
    merged into BU03440118 (2025)."""
    _, table = build_history_register([K2022, K2023, K2024, K2025])
    share_115 = one(table, old_code="BU03440112", new_code="BU03440115")["share"]
    assert share_115 == pytest.approx(2520 / 4210, abs=1e-6)
    observations = obs(("inwoners", "BU03440112", 2021, 4180.0), ("inwoners", "BU03440112", 2022, 4200.0),
                       ("roker", "BU03440112", 2022, 12.5, "ok", 80.0),
                       ("inwoners", "BU03440115", 2024, 2555.0), ("inwoners", "BU03440116", 2024, 1700.0),
                       ("inwoners", "WK034499", 2022, 23070.0), ("inwoners", "WK034499", 2023, 23315.0),
                       ("inwoners", "WK034410", 2024, 23570.0), ("inwoners", "BU03440111", 2024, 1800.0))
    result = join_across_links(observations, table, UNITS)
    out = result.observations.set_index(["indicator_id", "area_code", "period"])
    assert out.loc[("inwoners", "BU03440115", 2022), "value"] == pytest.approx(4200 * share_115)
    assert out.loc[("inwoners", "BU03440116", 2022), "value"] == pytest.approx(4200 * (1 - share_115), abs=1e-3)
    # split, then merged again: the old buurt's figures come back whole, under the new code
    back = out.loc[("inwoners", "BU03440117")]
    assert back["value"].tolist() == pytest.approx([4180, 4200, 4255])
    assert back["link"].tolist() == ["split>merged", "split>merged", "merged"]
    assert back["linked_from"].tolist() == ["BU03440112", "BU03440112", "BU03440115+BU03440116"]
    assert out.loc[("roker", "BU03440117", 2022), "value"] == pytest.approx(12.5)
    assert pd.isna(out.loc[("roker", "BU03440117", 2022), "n"])
    wijk = out.loc[("inwoners", "WK034410")]
    assert wijk["value"].tolist() == [23070, 23315, 23570] and wijk["link"].tolist()[:2] == ["recoded", "recoded"]
    assert result.breaks[["area_code", "indicator_id", "from_year", "to_year", "relation"]].values.tolist() == [
        ["BU03440118", "inwoners", 2024, 2025, "merged"]]  # BU03440113 has no figure for 2024
    assert "no figure for BU03440113" in result.breaks["reason"].iloc[0]
    assert result.breaks["cause"].tolist() == ["part_missing"]


def test_a_break_goes_along_when_the_series_is_carried_on(tmp_path):
    """A buurt keeps its code through a split in 2025 (its figures before are of the larger area), then
    is recoded in 2026: the new code's series holds the same break."""
    generator = _generator()
    west = [("BU03440113", "Halve Maan Zuid-West", 1, 1420), ("BU03440114", "Bedrijventerrein Cartesiusweg", 1, 40),
            ("BU03440115", "Oog in Al-Noord", 1, 2555), ("BU03440116", "Oog in Al-Zuid", 1, 1700)]
    rijn = ("WK034410", "Wijk 10 Leidsche Rijn", 1, [("BU03441001", "Vleuterweide", 1, 14500),
                                                      ("BU03441002", "Terwijde", 1, 9240)])
    k2025, k2026 = tmp_path / "kwb-2025.xlsx", tmp_path / "kwb-2026.xlsx"
    generator.write_kwb(k2025, "kwb-2025", generator.kwb_rows([("WK034401", "Wijk 01 West", 1, [
        ("BU03440111", "Welgelegen", 3, 1000), *west, ("BU03440119", "Den Hommel", 3, 805)]), rijn]))
    generator.write_kwb(k2026, "kwb-2026", generator.kwb_rows([("WK034401", "Wijk 01 West", 1, [
        ("BU03440131", "Welgelegen", 2, 1010), *west, ("BU03440119", "Den Hommel", 1, 810)]), rijn]))
    _, table = build_history_register([K2024, k2025, k2026])
    assert table.query("relation != 'same'")[["old_code", "new_code", "relation"]].values.tolist() == [
        ["BU03440111", "BU03440111", "split"], ["BU03440111", "BU03440119", "split"],
        ["BU03440111", "BU03440131", "recoded"]]
    observations = obs(("inwoners", "BU03440111", 2024, 1800.0), ("inwoners", "BU03440111", 2025, 1000.0))
    result = join_across_links(observations, table, UNITS)
    out = result.observations.set_index(["area_code", "period"])
    assert out.loc[("BU03440119", 2024), "value"] == pytest.approx(1800 * 805 / 1805, abs=1e-3)
    assert out.loc[("BU03440131", 2024), "link"] == "recoded" and out.loc[("BU03440131", 2025), "value"] == 1000
    breaks = result.breaks[["area_code", "from_year", "to_year", "relation"]].values.tolist()
    assert breaks == [["BU03440111", 2024, 2025, "split"], ["BU03440131", 2024, 2025, "split"]]
    assert result.breaks["reason"].iloc[1].endswith("; inherited from BU03440111 through the recoded 2025-2026")
    # The inherited break keeps the original's cause: its figures before 2025 are of the larger area.
    assert result.breaks["cause"].tolist() == ["code_kept_split", "code_kept_split"]


def test_observations_with_numpy_columns_as_duckdb_returns_them():
    """The warehouse gives float64 and int32 columns (NaN for missing): carried rows fit in; a merged
    row's differing source rows make source_row nullable."""
    observations = obs(("inwoners", "BU03440112", 2022, 100.0), ("roker", "BU03440112", 2022, 12.5, "ok", 80.0),
                       ("inwoners", "BU03440111", 2024, 30.0), ("inwoners", "BU03440113", 2024, 50.0))
    observations = observations.astype({"value": "float64", "n": "float64", "sd": "float64", "ci_low": "float64",
                                        "ci_high": "float64", "period": "int32", "source_row": "int32",
                                        "provisional": "bool"})
    table = pd.concat([SPLIT, links(("BU03440111", "BU03440118", "merged", 0.25, 2024, 2025),
                                    ("BU03440113", "BU03440118", "merged", 0.75, 2024, 2025))])
    out = join_across_links(observations, table, UNITS).observations
    assert out["value"].dtype == "float64" and out["n"].dtype == "float64" and out["period"].dtype == "int32"
    assert one(out, indicator_id="inwoners", area_code="BU03440116")["value"] == pytest.approx(40)
    assert np.isnan(one(out, indicator_id="roker", area_code="BU03440115")["n"])
    merged = one(out, indicator_id="inwoners", area_code="BU03440118")
    assert merged["value"] == 80 and pd.isna(merged["source_row"]) and out["source_row"].dtype == "Int64"
