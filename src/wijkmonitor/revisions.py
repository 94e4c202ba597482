"""Revised figures: the same indicator, area, category and year given with another value by another
edition (vintage) or file of the same source.

The warehouse keeps every edition (`observation`); the analyses use one figure per key
(`observation_current`: the newest edition, or the one `analysis.vintage` names). `revision_table`
lists, for each figure the analyses use, the other editions' different values. Disclosure control
applies: a revision is listed only where the figure used is published, and only with an earlier value
that would itself pass the primary rule (a count of 8 in last year's edition is as disclosive as one
in this year's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .canonical import OK

KEY = ["indicator_id", "category", "area_code", "period", "source_id"]
EDITION = ["value", "vintage", "source_file", "source_row"]


def revision_table(history: pd.DataFrame, figures: pd.DataFrame, indicators: pd.DataFrame,
                   min_cases: int) -> pd.DataFrame:
    """Per published figure, each other edition's different value (`other_*`) next to the one the
    analyses use; `change` = value - other_value. `history`: every observation of the warehouse;
    `figures`: the analysis step's protected figures (status, disclosure, n, n_source)."""
    from .canonical import REVISIONS_COLUMNS, typed_frame
    from .disclosure import REGISTER_DENOMINATORS, primary

    used = figures[(figures["status"] == OK) & figures.get("disclosure", pd.Series(pd.NA, index=figures.index)).isna()
                   & figures["source_file"].notna()]
    used = used.assign(category=used["category"].astype("string"))[[*KEY, *EDITION, "n", "n_source"]]
    others = history[history["status"] == OK].assign(category=history["category"].astype("string"))
    pairs = used.merge(others[[*KEY, *EDITION, "n"]].rename(columns={c: f"other_{c}" for c in [*EDITION, "n"]}),
                       on=KEY, how="inner")
    same_edition = (pairs["other_source_file"] == pairs["source_file"]) & (pairs["other_source_row"] == pairs["source_row"])
    pairs = pairs[~same_edition & ~np.isclose(pairs["value"].astype(float), pairs["other_value"].astype(float))]
    if pairs.empty:
        return typed_frame(pd.DataFrame(columns=list(REVISIONS_COLUMNS)), REVISIONS_COLUMNS)
    # The other edition's value as a figure of its own: its own n where the source gave one, else the
    # denominator the figure used has (a register share's households).
    register = pairs["n_source"].isin(REGISTER_DENOMINATORS)
    own_n = pairs["n"].where(register, pairs["other_n"])
    as_figure = pd.DataFrame({"indicator_id": pairs["indicator_id"], "value": pairs["other_value"],
                              "status": OK, "n": own_n, "n_source": pairs["n_source"], "count": np.nan},
                             index=pairs.index)
    pairs = pairs[~primary(as_figure, indicators, min_cases)]
    pairs = pairs.assign(change=pairs["value"].astype(float) - pairs["other_value"].astype(float))
    pairs = pairs.sort_values(["indicator_id", "area_code", "category", "period", "other_vintage", "other_source_row"],
                              na_position="first")
    return typed_frame(pairs, REVISIONS_COLUMNS).reset_index(drop=True)
