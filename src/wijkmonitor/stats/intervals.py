"""Confidence intervals for an area's value: Wilson (proportions), Byar / exact Poisson (counts), t (means).

All functions are vectorised: they take scalars, lists, numpy arrays or pandas Series (nullable
dtypes included; pandas NA counts as missing), broadcast their inputs against each other and return
numpy float arrays (a numpy float scalar when every input is a scalar). Missing or degenerate input
gives NaN for that element, never an invented number and never an exception; only an impossible
`confidence` (a setting, not data) raises ValueError.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from . import as_float

REFERENCES: dict[str, str] = {
    "wilson": (
        "Wilson EB (1927). Probable inference, the law of succession, and statistical inference. "
        "Journal of the American Statistical Association 22(158):209-212; as evaluated in Newcombe RG "
        "(1998). Two-sided confidence intervals for the single proportion: comparison of seven methods. "
        "Statistics in Medicine 17(8):857-872 (method 3); the method of PHEindicatormethods::phe_proportion "
        "(Fingertips Public Health Technical Guidance, 'Proportions')."
    ),
    "design_effect": (
        "Kish L (1965). Survey Sampling. New York: Wiley. Effective sample size n_eff = n / deff, "
        "used in place of n in the Wilson interval for survey indicators."
    ),
    "byar": (
        "Breslow NE, Day NE (1987). Statistical Methods in Cancer Research, Volume II: The Design and "
        "Analysis of Cohort Studies. IARC Scientific Publications No. 82. Lyon: IARC (Byar's "
        "approximation); Association of Public Health Observatories / Public Health England, Technical "
        "Guide: Confidence Intervals (Eayres D, 2008; updated 2018); PHEindicatormethods::byars_lower, "
        "byars_upper, phe_rate."
    ),
    "exact_poisson": (
        "Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika 28(3/4):437-442; "
        "Armitage P, Berry G, Matthews JNS (2002). Statistical Methods in Medical Research, 4th edn. "
        "Oxford: Blackwell (chi-square form, used by PHE for counts below 10)."
    ),
    "t_mean": (
        "Student (1908). The probable error of a mean. Biometrika 6(1):1-25; t interval for a mean as "
        "in PHEindicatormethods::phe_mean (Fingertips Public Health Technical Guidance, 'Means')."
    ),
}

# Below this count the exact (chi-square) Poisson interval is used instead of Byar's approximation,
# as PHE/Fingertips do ("Byar's method is within 0.2% of the exact value for numerators of 10 or more").
BYAR_MIN_COUNT = 10


def _out(array: np.ndarray) -> np.ndarray:
    """0-d results as a numpy float scalar, arrays unchanged."""
    return array[()] if array.ndim == 0 else array


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile z = Phi^-1(1 - alpha/2) for a confidence level 1 - alpha.

    `confidence` is a fraction in (0, 1), e.g. 0.95 -> 1.959964, 0.998 -> 3.090232. Raises
    ValueError outside (0, 1): the confidence level is a setting, and 95 (a percentage) or 1.0 would
    otherwise silently give nonsense or infinite intervals.
    """
    confidence = float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be a fraction strictly between 0 and 1, got {confidence!r}")
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(proportion, n, confidence: float = 0.95, deff=1.0) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion, with an optional design effect.

    Formula (Wilson 1927; Newcombe 1998 method 3), with m = n / deff the effective sample size,
    p the proportion and z = z_value(confidence):

        centre     = (p + z^2 / (2m)) / (1 + z^2 / m)
        half-width = z / (1 + z^2 / m) * sqrt(p (1 - p) / m + z^2 / (4 m^2))
        low, high  = centre -/+ half-width

    which equals the Fingertips form (2O + z^2 -/+ z sqrt(z^2 + 4 O q)) / (2 (n + z^2)) with O = p n,
    q = 1 - p when deff = 1 (as PHEindicatormethods::phe_proportion / wilson_lower / wilson_upper).

    Inputs: `proportion` a fraction in [0, 1] (the caller divides percentages by 100); `n` the number
    of units the proportion is based on (persons, households, respondents); `deff` the design effect
    of a survey indicator (Kish 1965; 1 for a simple random sample or a register count; any positive
    value, > 1 widens the interval). Returns (low, high) as fractions in [0, 1]; the interval always
    contains p (enforced against rounding). NaN where the proportion is missing or outside [0, 1], n
    is missing or <= 0, or deff is missing or <= 0.
    """
    z = z_value(confidence)
    p, size, design = np.broadcast_arrays(as_float(proportion), as_float(n), as_float(deff))
    valid = (p >= 0) & (p <= 1) & (size > 0) & (design > 0) & np.isfinite(size) & np.isfinite(design)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = size / design
        z2m = z * z / m
        centre = (p + z2m / 2) / (1 + z2m)
        half = z / (1 + z2m) * np.sqrt(p * (1 - p) / m + z2m / (4 * m))
    low = np.clip(np.minimum(centre - half, p), 0.0, 1.0)
    high = np.clip(np.maximum(centre + half, p), 0.0, 1.0)
    return _out(np.where(valid, low, np.nan)), _out(np.where(valid, high, np.nan))


def byar_interval(count, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a Poisson count: Byar's approximation, exact (Garwood) below 10.

    For an observed count O and z = z_value(confidence), alpha = 1 - confidence:

      O >= 10 (Byar; Breslow & Day 1987):
          low  = O (1 - 1/(9 O) - z / (3 sqrt(O)))^3
          high = (O + 1) (1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))^3
      O < 10 (exact, Garwood 1936, via the chi-square distribution):
          low  = chi2.ppf(alpha/2, 2 O) / 2          (0 when O = 0)
          high = chi2.ppf(1 - alpha/2, 2 O + 2) / 2

    This is the PHE/Fingertips rule for crude rates (PHEindicatormethods::phe_rate). `count` is the
    number of events (registered crimes, cases, ...); a non-integer count (e.g. a multi-year average)
    is accepted and used as is. The caller scales to a rate:
    rate CI = count CI / denominator * multiplier. Returns (low, high) in count units (Byar's low
    limit floored at 0, which only matters at extreme confidence levels); NaN where the count is
    missing, negative or infinite.
    """
    z = z_value(confidence)
    alpha = 1.0 - confidence
    o = as_float(count)
    valid = np.isfinite(o) & (o >= 0)
    o_safe = np.where(valid, o, 1.0)
    with np.errstate(all="ignore"):  # Byar is evaluated (and discarded) for tiny counts too
        byar_low = o_safe * (1 - 1 / (9 * o_safe) - z / (3 * np.sqrt(o_safe))) ** 3
        o1 = o_safe + 1
        byar_high = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
        exact_low = np.where(o_safe > 0, stats.chi2.ppf(alpha / 2, np.where(o_safe > 0, 2 * o_safe, 1.0)) / 2, 0.0)
        exact_high = stats.chi2.ppf(1 - alpha / 2, 2 * o_safe + 2) / 2
    use_byar = o_safe >= BYAR_MIN_COUNT
    low = np.where(use_byar, np.maximum(byar_low, 0.0), exact_low)
    high = np.where(use_byar, byar_high, exact_high)
    return _out(np.where(valid, low, np.nan)), _out(np.where(valid, high, np.nan))


def mean_t_interval(mean, sd, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student t interval for a mean from its standard deviation and sample size.

        low, high = mean -/+ t(1 - alpha/2; n - 1) * sd / sqrt(n)

    (Student 1908; as PHEindicatormethods::phe_mean.) `mean` is the sample mean in the indicator's
    own unit (e.g. a report mark 1-10), `sd` the sample standard deviation in that unit, `n` the
    number of respondents. Returns (low, high) in the same unit; NaN where the mean, sd or n is
    missing, sd < 0, or n < 2 (no degrees of freedom). sd = 0 gives a zero-width interval.
    """
    z_value(confidence)  # validates the confidence level
    m, s, size = np.broadcast_arrays(as_float(mean), as_float(sd), as_float(n))
    valid = np.isfinite(m) & np.isfinite(s) & (s >= 0) & np.isfinite(size) & (size >= 2)
    size_safe = np.where(valid, size, 2.0)
    half = stats.t.ppf(0.5 + confidence / 2.0, size_safe - 1) * np.where(valid, s, 0.0) / np.sqrt(size_safe)
    return _out(np.where(valid, m - half, np.nan)), _out(np.where(valid, m + half, np.nan))


def standard_error_from_interval(low, high, confidence: float = 0.95) -> np.ndarray:
    """Standard error implied by a confidence interval: SE = (high - low) / (2 z).

    Exact for a symmetric normal interval (z = z_value(confidence) of the level the interval was
    computed at); for the asymmetric Wilson / Byar intervals it is the average half-width on the
    normal scale, an approximation good enough to simulate the uncertainty of a value. `low` and
    `high` are in the indicator's unit; the SE is in that unit. NaN where either limit is missing
    or high < low.
    """
    z = z_value(confidence)
    lo, hi = np.broadcast_arrays(as_float(low), as_float(high))
    valid = np.isfinite(lo) & np.isfinite(hi) & (hi >= lo)
    with np.errstate(invalid="ignore"):
        se = (hi - lo) / (2 * z)
    return _out(np.where(valid, se, np.nan))
