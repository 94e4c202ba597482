"""Comparison of an area's value with the city's value, Fingertips style (confidence interval vs benchmark).

Vectorised like `intervals`: scalars, lists, numpy arrays or pandas Series in (pandas NA counts as
missing), a numpy object array of labels out (a single label or None when every input is a scalar).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import as_float

REFERENCES: dict[str, str] = {
    "benchmark_comparison": (
        "Public Health England. Fingertips Public Health Technical Guidance: 'Comparators briefing - "
        "technical' and 'Technical guide: assessing the statistical significance of differences' "
        "(https://fingertips.phe.org.uk/profile/guidance): an area is significantly higher or lower "
        "than the benchmark when its confidence interval (95% or 99.8%) lies entirely above or below "
        "the benchmark value, otherwise similar; with a polarity, higher/lower become better/worse."
    ),
}

# Result labels.
BETTER, SIMILAR, WORSE = "better", "similar", "worse"
HIGHER, LOWER = "higher", "lower"

_POLARITIES = ("higher_is_better", "lower_is_better", "neutral")


def _polarity_codes(polarity) -> np.ndarray:
    """+1 higher_is_better, -1 lower_is_better, 0 neutral or missing; ValueError for unknown text."""
    if isinstance(polarity, (pd.Series, pd.Index)):
        values = polarity.astype(object).to_numpy()
    else:
        values = np.asarray(polarity, dtype=object)
    flat = pd.Series(values.ravel(), dtype=object)
    missing = flat.isna()
    unknown = sorted({str(v) for v in flat[~missing] if v not in _POLARITIES})
    if unknown:
        raise ValueError(f"unknown polarity {', '.join(unknown)}; use one of {', '.join(_POLARITIES)} or None")
    codes = flat.map({"higher_is_better": 1, "lower_is_better": -1, "neutral": 0}).fillna(0)
    return codes.to_numpy(dtype="int8").reshape(values.shape)


def compare_with_benchmark(ci_low, ci_high, benchmark, polarity=None) -> np.ndarray:
    """Significance of an area's difference from a benchmark (the city) by its confidence interval.

    Rule (PHE Fingertips): with the area's confidence interval [ci_low, ci_high] at the chosen level
    (95% or 99.8%) and the benchmark value B,

        ci_low > B   -> "higher"
        ci_high < B  -> "lower"
        otherwise    -> "similar"  (the interval contains or touches B)

    then, by polarity: "higher_is_better" maps higher -> "better", lower -> "worse";
    "lower_is_better" maps higher -> "worse", lower -> "better"; "neutral" or a missing polarity keeps
    "higher" / "lower" / "similar". `polarity` is one value for all rows or one per row.

    Why not a test of the difference of two proportions (e.g. Newcombe's hybrid score interval for
    p1 - p2)? The city includes the area, so the two estimates are not independent; like Fingertips,
    the city's value is treated as a fixed benchmark and only the area's sampling uncertainty counts.

    Inputs are in the indicator's unit (all three on the same scale). Returns a numpy object array
    of the labels above, with None ("not tested": no test is possible) where ci_low, ci_high or the
    benchmark is missing, or the interval is inverted (ci_low > ci_high).
    """
    low, high, bench, codes = np.broadcast_arrays(
        as_float(ci_low), as_float(ci_high), as_float(benchmark), _polarity_codes(polarity))
    tested = np.isfinite(low) & np.isfinite(high) & np.isfinite(bench) & (low <= high)
    with np.errstate(invalid="ignore"):
        above = tested & (low > bench)
        below = tested & (high < bench)
    result = np.full(low.shape, None, dtype=object)
    result[tested] = SIMILAR
    result[above & (codes == 0)] = HIGHER
    result[below & (codes == 0)] = LOWER
    result[(above & (codes > 0)) | (below & (codes < 0))] = BETTER
    result[(above & (codes < 0)) | (below & (codes > 0))] = WORSE
    return result[()] if result.ndim == 0 else result
