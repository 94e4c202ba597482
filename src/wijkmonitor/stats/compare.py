"""Comparison of an area's value with the city's value, Fingertips style (confidence interval vs benchmark).

Vectorised like `intervals`: scalars, lists, numpy arrays or pandas Series in (pandas NA counts as
missing), a numpy object array of labels out (a single label or None when every input is a scalar).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import as_float
from .intervals import standard_error_from_interval

REFERENCES: dict[str, str] = {
    "benchmark_comparison": (
        "Public Health England. Fingertips Public Health Technical Guidance: 'Comparators briefing - "
        "technical' and 'Technical guide: assessing the statistical significance of differences' "
        "(https://fingertips.phe.org.uk/profile/guidance): an area is significantly higher or lower "
        "than the benchmark when its confidence interval (95% or 99.8%) lies entirely above or below "
        "the benchmark value, otherwise similar; with a polarity, higher/lower become better/worse."
    ),
    "model_based_small_area_estimates": (
        "van de Kassteele J, Zwakhals L, Breugelmans O, Ameling C, van den Brink C (2017). Estimating the "
        "prevalence of 26 health-related indicators at neighbourhood level in the Netherlands using structured "
        "additive regression. International Journal of Health Geographics 16:23. doi:10.1186/s12942-017-0097-5 "
        "(the model behind RIVM/CBS Gezondheid per wijk en buurt; its margins are the 95% interval the source "
        "publishes, used as they are)."
    ),
    "difference_of_estimates": (
        "Altman DG, Bland JM. Interaction revisited: the difference between two estimates. BMJ "
        "2003;326:219. doi:10.1136/bmj.326.7382.219"
    ),
}

# Result labels.
BETTER, SIMILAR, WORSE = "better", "similar", "worse"
HIGHER, LOWER = "higher", "lower"

_POLARITIES = ("higher_is_better", "lower_is_better", "neutral")


@dataclass(frozen=True)
class Change:
    """A change between two independent estimates: the difference, its SE, z and two-sided p."""

    difference: float
    se: float
    z: float
    p: float


# The smallest p-value a double holds (z above about 37.5 underflows to 0): stored instead of 0, so that no
# table ever says p = 0. The report prints anything below 0.001 as "p < 0,001".
P_FLOOR = float(np.finfo(float).tiny)


def two_sided_p(z) -> np.ndarray:
    """Two-sided normal p-value of z, never 0 (floored at `P_FLOOR`); NaN where z is NaN."""
    z = as_float(z)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(z), np.maximum(2 * stats.norm.sf(np.abs(z)), P_FLOOR), np.nan)


def change_between(value, ci_low, ci_high, earlier, earlier_low, earlier_high, confidence: float = 0.95) -> Change | None:
    """Did a figure change significantly between two years? (Altman & Bland 2003.)

    The standard error of each estimate comes from its interval (SE = width / 2z), the difference
    d = value - earlier has SE = sqrt(SE1^2 + SE2^2), z = d / SE and p = 2 (1 - Phi(|z|)). The two
    years are treated as independent samples (true for separate survey waves and register years).
    None when either interval is missing (no test possible) or both widths are zero.
    """
    se_now, se_then = (float(standard_error_from_interval(lo, hi, confidence))
                       for lo, hi in ((ci_low, ci_high), (earlier_low, earlier_high)))
    now, then = float(as_float(value)), float(as_float(earlier))
    se = math.hypot(se_now, se_then)
    if not (math.isfinite(se) and se > 0 and math.isfinite(now) and math.isfinite(then)):
        return None
    z = (now - then) / se
    return Change(difference=now - then, se=se, z=z, p=float(two_sided_p(z)))


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
