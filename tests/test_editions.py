"""Edition records and what changed between two editions, on hand-made tables."""

from types import SimpleNamespace

import pandas as pd

from wijkmonitor.editions import changes, edition_order, headline_numbers, previous_edition
from wijkmonitor.i18n import Language
from wijkmonitor.report.context import _changes_since


def published(rows):
    """(indicator, area, period, value, vintage, status[, link, linked_from]) rows: without link, observed."""
    rows = [(*r, None, None) if len(r) == 6 else r for r in rows]
    frame = pd.DataFrame(rows, columns=["indicator_id", "area_code", "period", "value", "vintage", "status", "link",
                                        "linked_from"])
    return frame.assign(category=pd.Series(pd.NA, index=frame.index, dtype="string"),
                        link=frame["link"].astype("string"), linked_from=frame["linked_from"].astype("string"))


def run_with(lang: str, names: dict[str, str]):
    """The little of a RunData that `_changes_since` reads: the language and the names of the areas."""
    return SimpleNamespace(lang=Language(lang), _area_name=names, area_name=names.__getitem__, _label={},
                           label=str, unit_of=lambda indicator: None)


MANIFESTS = ({"edition": "2023", "inputs": []}, {"edition": "2024", "inputs": []})
# Edition 2023 has Oud-Oost (WK034499), buurt BU03440112 and the merge's parts BU03440115 and -16.
PREVIOUS = published([("inwoners", "WK034499", 2022, 23000.0, "kwb-2023", "ok"),
                      ("inwoners", "BU03440112", 2022, 4200.0, "kwb-2023", "ok"),
                      ("inwoners", "BU03440115", 2022, 2500.0, "kwb-2023", "ok"),
                      ("inwoners", "BU03440116", 2022, 1700.0, "kwb-2023", "ok")])
# Edition 2024: WK034499 recoded WK034410 (its own code gone); BU03440112 split into BU03440121 and -22
# (its own 2022 figure still published); BU03440115 and -16 merged into BU03440117, whose oldest figure
# came over the earlier split and the merge; BU03440130 simply new.
CURRENT = published([
    ("inwoners", "WK034410", 2022, 23000.0, "kwb-2023", "ok", "recoded", "WK034499"),
    ("inwoners", "WK034410", 2023, 23300.0, "kwb-2024", "ok"),
    ("inwoners", "BU03440112", 2022, 4200.0, "kwb-2023", "ok"),
    ("inwoners", "BU03440121", 2022, 2520.0, "kwb-2023", "ok", "split", "BU03440112"),
    ("inwoners", "BU03440122", 2022, None, "kwb-2023", "suppressed", "split", "BU03440112"),
    ("inwoners", "BU03440122", 2023, 1710.0, "kwb-2024", "ok"),
    ("inwoners", "BU03440117", 2021, 4100.0, "kwb-2022", "ok", "split>merged", "BU03440112"),
    ("inwoners", "BU03440117", 2022, 4200.0, "kwb-2023", "ok", "merged", "BU03440115+BU03440116"),
    ("inwoners", "BU03440130", 2023, 80.0, "kwb-2024", "ok")])


def test_editions_are_ordered_by_their_numbers(tmp_path):
    assert sorted(["2024", "2023b", "999", "2023"], key=edition_order) == ["999", "2023", "2023b", "2024"]
    for name in ("2022", "2023", "2025"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text("{}")
        (tmp_path / name / "observations.parquet").write_text("")
    (tmp_path / "2023b").mkdir()  # no record: not an edition
    assert previous_edition(tmp_path, "2024") == "2023"
    assert previous_edition(tmp_path, "2022") is None and previous_edition(tmp_path / "none", "2024") is None


def test_what_changed_between_two_editions():
    old = published([("bijstand", "GM0344", 2022, 6.5, "kwb-2023", "ok"), ("bijstand", "WK034403", 2022, 18.2,
                     "kwb-2023", "ok"), ("werk", "GM0344", 2022, 70.0, "kwb-2023", "ok"),
                     ("bijstand", "BU1", 2022, None, "kwb-2023", "suppressed")])
    new = published([("bijstand", "GM0344", 2022, 6.5, "kwb-2024", "ok"), ("bijstand", "WK034403", 2022, 18.4,
                     "kwb-2024", "ok"), ("bijstand", "GM0344", 2023, 6.1, "kwb-2024", "ok"),
                     ("bijstand", "BU1", 2022, 12.0, "kwb-2024", "ok")])
    old_manifest = {"edition": "2023", "inputs": [{"path": "a.xlsx", "sha256": "1"}, {"path": "b.xlsx", "sha256": "2"}],
                    "headline": headline_numbers(old, ["bijstand"], "GM0344")}
    new_manifest = {"edition": "2024", "inputs": [{"path": "a.xlsx", "sha256": "9"}, {"path": "c.xlsx", "sha256": "3"}],
                    "headline": headline_numbers(new, ["bijstand"], "GM0344")}
    result = changes(old, new, old_manifest, new_manifest)
    assert (result["years_added"], result["indicators_dropped"], result["areas_added"]) == ([2023], ["werk"], ["BU1"])
    assert (result["inputs_added"], result["inputs_changed"], result["inputs_dropped"]) == (["c.xlsx"], ["a.xlsx"],
                                                                                          ["b.xlsx"])
    # BU1 was withheld in 2023: it is a new area in the published figures, not a revision of a withheld value.
    assert result["revised"] == [{"indicator_id": "bijstand", "category": None, "area_code": "WK034403",
                                  "period": 2022, "old_value": 18.2, "new_value": 18.4, "old_vintage": "kwb-2023",
                                  "new_vintage": "kwb-2024"}]
    assert result["headline_moved"] == [{"indicator_id": "bijstand", "old_period": 2022, "old_value": 6.5,
                                         "period": 2023, "value": 6.1}]


def test_recoded_split_and_merged_areas_are_listed_with_their_old_codes():
    result = changes(PREVIOUS, CURRENT, *MANIFESTS)
    assert result["areas_linked"] == [
        # the merge, not the longer chain split>merged of its 2021 figure
        {"area_code": "BU03440117", "relation": "merged", "from_codes": ["BU03440115", "BU03440116"]},
        {"area_code": "BU03440121", "relation": "split", "from_codes": ["BU03440112"]},
        # a carried figure that is withheld still says where the area came from
        {"area_code": "BU03440122", "relation": "split", "from_codes": ["BU03440112"]},
        {"area_code": "WK034410", "relation": "recoded", "from_codes": ["WK034499"]}]
    # Only the area without carried figures is new; the old codes that have no figures any more went on
    # under the new ones, so none is dropped.
    assert (result["areas_added"], result["areas_dropped"]) == (["BU03440130"], [])
    assert result["revised"] == []
    # Without the merge and the recode, their old codes are simply dropped and the new ones added.
    observed = CURRENT[CURRENT["link"].isna()].reset_index(drop=True)
    plain = changes(PREVIOUS, observed, *MANIFESTS)
    assert plain["areas_linked"] == [] and plain["areas_dropped"] == ["BU03440115", "BU03440116", "WK034499"]
    assert plain["areas_added"] == ["BU03440122", "BU03440130", "WK034410"]


def test_a_chain_only_area_and_an_edition_from_before_the_links():
    current = published([("inwoners", "BU03440117", 2021, 4100.0, "kwb-2022", "ok", "split>merged", "BU03440112")])
    assert changes(PREVIOUS, current, *MANIFESTS)["areas_linked"] == [
        {"area_code": "BU03440117", "relation": "split>merged", "from_codes": ["BU03440112"]}]
    without = current.drop(columns=["link", "linked_from"])  # published before the column existed
    result = changes(PREVIOUS, without, *MANIFESTS)
    assert result["areas_linked"] == [] and result["areas_added"] == ["BU03440117"]


def test_the_chapter_lists_recoded_split_and_merged_areas_by_name():
    names = {"WK034499": "Oud-Oost", "WK034410": "Oost", "BU03440112": "Lombok", "BU03440121": "Lombok-Noord",
             "BU03440130": "Nieuwbouw"}
    result = changes(PREVIOUS, CURRENT, *MANIFESTS)
    nl = _changes_since(run_with("nl", names), result)
    assert nl["previous"] == "2023" and nl["items"] == [
        "Nieuwe jaren (2): 2021, 2023.",
        "Nieuwe gebieden (1): Nieuwbouw.",
        "Omgecodeerd (1): Oud-Oost (WK034499) → Oost (WK034410).",
        "Gesplitst (1): Lombok (BU03440112) → Lombok-Noord (BU03440121), BU03440122.",
        "Samengevoegd (1): BU03440115 + BU03440116 → BU03440117."]
    en = _changes_since(run_with("en", names), result)
    assert en["items"][2:] == ["Recoded (1): Oud-Oost (WK034499) → Oost (WK034410).",
                               "Split (1): Lombok (BU03440112) → Lombok-Noord (BU03440121), BU03440122.",
                               "Merged (1): BU03440115 + BU03440116 → BU03440117."]
    # A chain in words, step by step; more than 20 changes of a kind: the first 20 and an ellipsis.
    chain = dict(result, years_added=[], areas_added=[], areas_linked=[
        {"area_code": "BU03440117", "relation": "split>merged", "from_codes": ["BU03440112"]}])
    assert _changes_since(run_with("nl", names), chain)["items"] == [
        "Naar een nieuwe code overgezet (gesplitst > samengevoegd, 1): Lombok (BU03440112) → BU03440117."]
    many = dict(result, years_added=[], areas_added=[], areas_linked=[
        {"area_code": f"WK0344{i + 50:02d}", "relation": "recoded", "from_codes": [f"WK0344{i + 10:02d}"]}
        for i in range(21)])
    text = _changes_since(run_with("en", {}), many)["items"][0]
    assert text.startswith("Recoded (21): WK034410 → WK034450, WK034411 → WK034451, ")
    assert text.endswith("WK034429 → WK034469 ….") and "WK034430" not in text
