"""Edition records and what changed between two editions, on hand-made tables."""

import pandas as pd

from wijkmonitor.editions import changes, edition_order, headline_numbers, previous_edition


def published(rows):
    """(indicator, area, period, value, vintage, status) rows."""
    frame = pd.DataFrame(rows, columns=["indicator_id", "area_code", "period", "value", "vintage", "status"])
    return frame.assign(category=pd.Series(pd.NA, index=frame.index, dtype="string"))


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
