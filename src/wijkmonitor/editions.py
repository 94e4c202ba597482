"""Editions: a record of each published edition, and what changed since the previous one.

Each run writes `reports/editions/<edition>/manifest.json` (the edition, the package version and code
digest, every input file with its SHA-256, the headline numbers) and `observations.parquet` (the
published observations, after disclosure control). When the folder holds an earlier edition, the
report gets a chapter on what changed since it: years and indicators added or dropped, areas added,
removed or recoded, split or merged, figures revised (old -> new) and headline numbers that moved.
Editions are ordered by their name, numerically where the names are numbers (`2023` < `2024` < `2024b`).

Areas are compared on the published figures (status ok). An area code that is new in this edition and
has figures carried over a boundary change (published column `link`, series_links.py) is not simply
new: `changes()` lists it under `areas_linked` with the relation it was carried over (`recoded`,
`split`, `merged`, or a chain such as `split>merged`) and the old code(s) its figures were observed
under (`linked_from`), and takes it out of `areas_added`; an old code that no longer has figures and is
one of those codes is taken out of `areas_dropped` (it lives on under the new code). When an area has
figures carried over more than one relation (`merged` for the last years, `split>merged` for years
before an earlier split), the one with the fewest steps is listed: the change that made the code.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .canonical import OK

KEY = ["indicator_id", "category", "area_code", "period"]
MANIFEST, OBSERVATIONS = "manifest.json", "observations.parquet"


def edition_order(name: str) -> tuple:
    """Sort key of an edition name: its numbers as numbers, the rest as text."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def previous_edition(folder: str | Path, edition: str) -> str | None:
    """The newest edition in `folder` (one subfolder each, with a manifest) before `edition`."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    names = [p.name for p in folder.iterdir() if (p / MANIFEST).is_file() and (p / OBSERVATIONS).is_file()]
    earlier = [n for n in names if edition_order(n) < edition_order(edition)]
    return max(earlier, key=edition_order) if earlier else None


def headline_numbers(published: pd.DataFrame, key_indicators: list[str], city_code: str) -> list[dict]:
    """The city's value of each key indicator in its latest published year (no category, else 18+)."""
    ok = published[(published["status"] == OK) & (published["area_code"] == city_code)
                   & published["indicator_id"].isin(key_indicators)]
    ok = ok[ok["category"].isna() | (ok["category"] == "18+")]
    rows = []
    for indicator in key_indicators:
        mine = ok[ok["indicator_id"] == indicator].sort_values("period")
        if len(mine):
            last = mine.iloc[-1]
            rows.append({"indicator_id": indicator, "period": int(last["period"]), "value": float(last["value"])})
    return rows


def manifest(edition: str, source_files: pd.DataFrame, code: str, version: str, headline: list[dict]) -> dict:
    """The record of one edition (no clock time, so that a rerun gives the same bytes)."""
    inputs = [{"path": r.path, "sha256": r.sha256, "source_id": r.source_id, "vintage": r.vintage}
              for r in source_files.sort_values("path").itertuples()]
    return {"edition": edition, "wijkmonitor": version, "code_sha256": code, "inputs": inputs,
            "headline": headline}


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[frame["status"] == OK]
    return frame.assign(category=frame["category"].astype("string").fillna(""))


def linked_areas(current: pd.DataFrame, codes: list[str]) -> list[dict]:
    """Of the area `codes`, those with rows carried over a boundary change in `current` (the published
    observations, any status): per code {"area_code", "relation", "from_codes"}, the relation with the
    fewest steps (then the first by name) and the sorted old codes of its rows' `linked_from`."""
    if "link" not in current.columns or not codes:  # an edition from before the links
        return []
    carried = current[current["link"].notna() & current["area_code"].isin(codes)]
    out = []
    for code, rows in carried.groupby("area_code", sort=True):
        relation = min(rows["link"].astype(str).unique(), key=lambda r: (r.count(">"), r))
        origins = rows.loc[rows["link"] == relation, "linked_from"].dropna().astype(str)
        out.append({"area_code": str(code), "relation": relation,
                    "from_codes": sorted({c for o in origins for c in o.split("+") if c})})
    return out


def changes(previous: pd.DataFrame, current: pd.DataFrame, previous_manifest: dict, current_manifest: dict,
            tolerance: float = 1e-9) -> dict:
    """What changed from the previous edition's published observations to this one's: lists of years,
    indicators and areas added and dropped, the new areas carried over a boundary change
    (`areas_linked`, see the module docstring; not in `areas_added`, and their old codes not in
    `areas_dropped`), the figures revised (both published, values differ), the inputs added, changed
    and dropped (by path and SHA-256) and the headline numbers that moved."""
    old, new = _keyed(previous), _keyed(current)

    def added(column: str) -> tuple[list, list]:
        a, b = set(old[column]), set(new[column])
        return sorted(b - a), sorted(a - b)

    years_added, years_dropped = added("period")
    indicators_added, indicators_dropped = added("indicator_id")
    areas_added, areas_dropped = added("area_code")
    areas_linked = linked_areas(current, areas_added)
    successors = {a["area_code"] for a in areas_linked}
    predecessors = {c for a in areas_linked for c in a["from_codes"]}
    areas_added = [a for a in areas_added if a not in successors]
    areas_dropped = [a for a in areas_dropped if a not in predecessors]
    both = old[[*KEY, "value", "vintage"]].merge(new[[*KEY, "value", "vintage"]], on=KEY, suffixes=("_old", "_new"))
    revised = both[~np.isclose(both["value_old"].astype(float), both["value_new"].astype(float), rtol=0,
                               atol=tolerance)].sort_values(KEY)
    old_inputs = {i["path"]: i["sha256"] for i in previous_manifest.get("inputs", [])}
    new_inputs = {i["path"]: i["sha256"] for i in current_manifest.get("inputs", [])}
    old_head = {h["indicator_id"]: h for h in previous_manifest.get("headline", [])}
    moved = [{"indicator_id": h["indicator_id"], "old_period": old_head[h["indicator_id"]]["period"],
              "old_value": old_head[h["indicator_id"]]["value"], "period": h["period"], "value": h["value"]}
             for h in current_manifest.get("headline", []) if h["indicator_id"] in old_head
             and (h["period"], round(h["value"], 9)) != (old_head[h["indicator_id"]]["period"],
                                                         round(old_head[h["indicator_id"]]["value"], 9))]
    return {
        "previous": previous_manifest["edition"], "edition": current_manifest["edition"],
        "years_added": [int(y) for y in years_added], "years_dropped": [int(y) for y in years_dropped],
        "indicators_added": indicators_added, "indicators_dropped": indicators_dropped,
        "areas_added": areas_added, "areas_dropped": areas_dropped, "areas_linked": areas_linked,
        "revised": [{"indicator_id": r.indicator_id, "category": r.category or None, "area_code": r.area_code,
                     "period": int(r.period), "old_value": float(r.value_old), "new_value": float(r.value_new),
                     "old_vintage": r.vintage_old, "new_vintage": r.vintage_new} for r in revised.itertuples()],
        "inputs_added": sorted(set(new_inputs) - set(old_inputs)),
        "inputs_dropped": sorted(set(old_inputs) - set(new_inputs)),
        "inputs_changed": sorted(p for p in set(old_inputs) & set(new_inputs) if old_inputs[p] != new_inputs[p]),
        "headline_moved": moved,
    }
