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
    """`bh_qvalues` within each family of rows (rows grouped by the `family` columns; NaN keys form
    families of their own), returned as a Series aligned with `frame`."""
    q = pd.Series(np.nan, index=frame.index, dtype="float64")
    if frame.empty:
        return q
    if not family:
        q[:] = bh_qvalues(frame[p_column])
        return q
    for _, rows in frame.groupby(family, dropna=False, sort=False):
        q.loc[rows.index] = bh_qvalues(rows[p_column])
    return q


def expected_false_positives(n_tests: int, alpha: float) -> float:
    """How many of `n_tests` true null hypotheses chance alone calls significant at level alpha."""
    return float(n_tests) * float(alpha)
