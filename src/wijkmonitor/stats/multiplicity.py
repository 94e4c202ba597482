"""Control of false discoveries when a report prints many tests at once (Benjamini-Hochberg q-values)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import as_float

REFERENCES: dict[str, str] = {
    "false_discovery_rate": (
        "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful "
        "approach to multiple testing. Journal of the Royal Statistical Society B 57(1), 289-300. q-values as "
        "adjusted p-values: Yekutieli, D. & Benjamini, Y. (1999), Journal of Statistical Planning and "
        "Inference 82, 171-196; the same numbers as R's p.adjust(method = 'BH')."
    ),
}


def bh_qvalues(p: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of one family of tests.

    Method: with the m non-missing p-values sorted p(1) <= ... <= p(m),
        q(i) = min over j >= i of min(1, m * p(j) / j).
    Calling every test with q < alpha significant keeps the expected share of false discoveries among
    the significant results at most alpha (independent or positively dependent tests).

    Reference: Benjamini & Hochberg (1995), JRSS B 57:289-300; equals R's p.adjust(p, "BH") and
    statsmodels' multipletests(method="fdr_bh").

    Inputs: an array-like of p-values in [0, 1]; missing values (NaN, None, NA) are not tests: they are
    left out of m and get a NaN q. Returns a float ndarray of q-values in the input's order.
    """
    values = as_float(p).ravel()
    q = np.full(values.shape, np.nan)
    tested = np.flatnonzero(np.isfinite(values))
    m = len(tested)
    if m == 0:
        return q
    order = tested[np.argsort(values[tested], kind="stable")]
    scaled = values[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return q


def bh_by_family(frame: pd.DataFrame, p_column: str, family: list[str]) -> pd.Series:
    """`bh_qvalues` within each family of rows (rows grouped by the `family` columns; missing keys form
    families of their own), returned as a Series aligned with `frame`.

    Vectorised (one sort, grouped cumulative minima), so thousands of families take milliseconds: within
    a family sorted by p, q(i) = min over j >= i of m p(j) / j, capped at 1."""
    q = pd.Series(np.nan, index=frame.index, dtype="float64")
    p = pd.to_numeric(frame[p_column], errors="coerce").astype("float64")
    tested = p.notna() & np.isfinite(p)
    if not tested.any():
        return q
    keys = [frame.loc[tested, c] for c in family] if family else [pd.Series(0, index=frame.index[tested])]
    data = pd.DataFrame({f"_k{i}": k for i, k in enumerate(keys)}).assign(_p=p[tested])
    names = [c for c in data.columns if c.startswith("_k")]
    data = data.sort_values([*names, "_p"], kind="stable")
    grouped = data.groupby(names, dropna=False, sort=False)["_p"]
    scaled = data["_p"] * grouped.transform("size") / (grouped.cumcount() + 1)
    backwards = scaled.iloc[::-1]
    running_min = backwards.groupby([data[c].iloc[::-1] for c in names], dropna=False, sort=False).cummin()
    q[running_min.index] = running_min.clip(upper=1.0).to_numpy()
    return q


def expected_false_positives(n_tests: int, alpha: float) -> float:
    """How many of `n_tests` true null hypotheses chance alone calls significant at level alpha."""
    return float(n_tests) * float(alpha)
