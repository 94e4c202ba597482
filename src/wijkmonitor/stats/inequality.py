"""Inequality between the areas of one level (per indicator and year): spread, Gini, Theil T with its
between/within decomposition, the index of dissimilarity, and the slope and relative index of inequality;
over time, the change of Theil T / SII between two waves with a paired bootstrap, and the 'divided
triumph' (the city improved while inequality between its areas grew).

Conventions shared by every function:
- Inputs are 1-d numpy arrays, lists or pandas Series (nullable Float64/Int64 included), aligned by
  position (not by index): element i of every argument describes area i.
- `values` are area-level rates, percentages or means (e.g. % low-income households, mean income in
  EUR); `weights` are the areas' populations (persons or households: whatever the value is a rate of).
- An area whose value, weight (or order / group, where used) is missing or not finite
  is left out; a weight <= 0 counts as missing. When fewer than 2 areas remain, or the measure is
  undefined for the data (a mean of 0, a negative value in a measure for non-negative quantities), the
  result is NaN: never an invented number, and never an exception for ordinary missing data. Only
  impossible settings (confidence outside (0, 1), n_sim < 1, arguments of different lengths where
  areas are paired) raise ValueError.
- numpy only inside the functions (pandas is used just to read a Series and to code group labels), so a
  call on ~100 areas costs microseconds; `sii_rii` simulates its interval as one (n_sim x areas) matrix,
  `inequality_change` its paired bootstrap likewise. `divided_triumph` takes and returns a DataFrame
  (one row per indicator).
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from . import as_float
from .compare import _polarity_codes

REFERENCES: dict[str, str] = {
    "spread": (
        "Range (max - min), max/min ratio and coefficient of variation CV = population standard deviation "
        "(ddof = 0) / mean, unweighted across areas; the CV as a measure of sigma convergence follows "
        "Barro RJ, Sala-i-Martin X (1992). Convergence. Journal of Political Economy 100(2):223-251."
    ),
    "weighted_cv": (
        "Williamson JG (1965). Regional inequality and the process of national development: a description "
        "of the patterns. Economic Development and Cultural Change 13(4, part 2):1-84 (the population-"
        "weighted coefficient of variation, 'Williamson index')."
    ),
    "gini": (
        "Gini C (1912). Variabilita e mutabilita. Bologna: Cuppini; weighted form (each area's value "
        "counted for its population) as in Lerman RI, Yitzhaki S (1989). Improving the accuracy of "
        "estimates of Gini coefficients. Journal of Econometrics 42(1):43-47; equal weights give the "
        "Gini of PySAL inequality.gini.Gini and R ineq::Gini (without small-sample correction)."
    ),
    "theil_t": (
        "Theil H (1967). Economics and Information Theory. Amsterdam: North-Holland; decomposition into "
        "between- and within-group parts: Shorrocks AF (1980). The class of additively decomposable "
        "inequality measures. Econometrica 48(3):613-625; equal weights give PySAL inequality.theil.Theil "
        "and inequality.theil.TheilD."
    ),
    "dissimilarity": (
        "Duncan OD, Duncan B (1955). A methodological analysis of segregation indexes. American "
        "Sociological Review 20(2):210-217."
    ),
    "sii_rii": (
        "Slope index of inequality by population-weighted least squares on the relative rank (midpoint of "
        "the cumulative population share), with a Monte Carlo confidence interval, as in "
        "PHEindicatormethods::phe_sii (Public Health England / UKHSA) and Low A, Low A (2004). Measuring "
        "the gap: quantifying and comparing local health inequalities. Journal of Public Health "
        "26(4):388-395; Mackenbach JP, Kunst AE (1997). Measuring the magnitude of socio-economic "
        "inequalities in health: an overview of available measures illustrated with two examples from "
        "Europe. Social Science & Medicine 44(6):757-771. RII = SII / population-weighted mean: Pamuk ER "
        "(1985). Social class inequality in mortality from 1921 to 1972 in England and Wales. Population "
        "Studies 39(1):17-31 (rii_method='ends' gives the phe_sii ratio of the fitted ends instead). "
        "Bootstrap percentile interval: Efron B, Tibshirani RJ (1993). An Introduction to the Bootstrap. "
        "New York: Chapman & Hall. transform='logit' / 'log' as phe_sii(transform = TRUE) for proportions / "
        "rates (PHEindicatormethods R/SII_function.R): the line fitted to the transformed values, its ends and "
        "the simulated limits back-transformed around the fitted midpoint."
    ),
    "inequality_change": (
        "Paired bootstrap of the areas (the same areas drawn for both waves), treating the areas as a sample "
        "from a super-population of areas: Mills JA, Zandvakili S (1997). Statistical inference via "
        "bootstrapping for measures of inequality. Journal of Applied Econometrics 12(2):133-150. Percentile "
        "interval and bootstrap p-value: Efron B, Tibshirani RJ (1993). An Introduction to the Bootstrap. New "
        "York: Chapman & Hall. Theil T and its decomposition: Theil (1967), Shorrocks (1980) as theil_t; SII as "
        "sii_rii (Low & Low 2004)."
    ),
    "divided_triumph": (
        "City change tested as the difference between two independent estimates: Altman DG, Bland JM (2003). "
        "Interaction revisited: the difference between two estimates. BMJ 326:219. Relative and absolute "
        "inequality can move apart while the average improves: Harper S, King NB, Meersman SC, Reichman ME, "
        "Breen N, Lynch J (2010). Implicit value judgments in the measurement of health inequalities. Milbank "
        "Quarterly 88(1):4-29; Mackenbach JP, Kunst AE (1997), Social Science & Medicine 44(6):757-771."
    ),
}

_NAN = float("nan")


def _areas(values: Any, weights: Any = None, *others: Any) -> tuple[np.ndarray, ...]:
    """(values, weights, *others) as float arrays, keeping the areas where all are finite and weight > 0.

    weights None means every area weighs 1.
    """
    value = as_float(values)
    weight = np.ones_like(value) if weights is None else as_float(weights)
    rest = [as_float(other) for other in others]
    keep = np.isfinite(value) & np.isfinite(weight) & (weight > 0)
    for other in rest:
        keep &= np.isfinite(other)
    return (value[keep], weight[keep], *(other[keep] for other in rest))


def _dispersion(values: np.ndarray, shares: np.ndarray) -> tuple[float, float]:
    """(mean, standard deviation) with population shares summing to 1 (ddof = 0).

    Deviations are taken from the first value before averaging, so equal values give exactly 0.
    """
    shifted = values - values[0]
    shift_mean = float(shares @ shifted)
    deviation = shifted - shift_mean
    return float(values[0]) + shift_mean, float(np.sqrt(shares @ (deviation * deviation)))


def spread(values: Any) -> dict[str, float]:
    """Unweighted spread of the area values: range, max/min ratio and coefficient of variation.

    range = max - min (in the value's unit); ratio_max_min = max / min (NaN when min <= 0);
    cv = sd / mean with the population standard deviation sd = sqrt(sum (y_i - mean)^2 / n)
    (ddof = 0: the areas are the whole population of areas, not a sample), NaN when mean <= 0.
    Every area counts once, whatever its size. Fewer than 2 non-missing values: all NaN.
    Reference: REFERENCES["spread"].
    """
    (value, _) = _areas(values)
    if value.size < 2:
        return {"range": _NAN, "ratio_max_min": _NAN, "cv": _NAN}
    low, high = float(value.min()), float(value.max())
    mean, sd = _dispersion(value, np.full(value.size, 1.0 / value.size))
    return {"range": high - low, "ratio_max_min": high / low if low > 0 else _NAN,
            "cv": sd / mean if mean > 0 else _NAN}


def weighted_cv(values: Any, weights: Any) -> float:
    """Population-weighted coefficient of variation (Williamson 1965): sqrt(sum p_i (y_i - mu)^2) / mu.

    p_i = w_i / sum w (population shares), mu = sum p_i y_i (the population-weighted mean, i.e. the value
    for the whole city when y is a rate of w). Unitless; NaN when mu <= 0 or fewer than 2 areas remain.
    Recommended over the unweighted `spread()["cv"]` for sigma convergence between buurten: it describes
    inequality between residents rather than between map units, so a tiny buurt with a noisy rate does
    not move it. Reference: REFERENCES["weighted_cv"].
    """
    value, weight = _areas(values, weights)
    if value.size < 2:
        return _NAN
    mean, sd = _dispersion(value, weight / weight.sum())
    return sd / mean if mean > 0 else _NAN


def gini(values: Any, weights: Any = None) -> float:
    """Population-weighted Gini coefficient of an area-level rate or mean (each area counted for its population).

    G = sum_i sum_j w_i w_j |y_i - y_j| / (2 W^2 mu), W = sum w, mu = sum w_i y_i / W (Lerman & Yitzhaki
    1989), computed in O(n log n) from the weighted Lorenz curve: with the areas sorted by y, population
    shares p_i and midpoint cumulative shares F_i = sum_{j<i} p_j + p_i / 2,
    G = 2 sum_i p_i (y_i - y_1) (F_i - 1/2) / mu (the y_1 shift changes nothing, as sum p_i (F_i - 1/2) = 0,
    but makes equal values give exactly 0). Equal weights (or weights None) give the ordinary Gini
    sum_ij |y_i - y_j| / (2 n^2 mu) (PySAL inequality.gini.Gini, R ineq::Gini). 0 = every area has the
    same value; near 1 = one area holds everything.
    For non-negative quantities: NaN when any value < 0, when mu = 0, or fewer than 2 areas remain.
    Reference: REFERENCES["gini"].
    """
    value, weight = _areas(values, weights)
    if value.size < 2 or value.min() < 0:
        return _NAN
    order = np.argsort(value, kind="stable")
    value, share = value[order], weight[order] / weight.sum()
    mean = float(share @ value)
    if mean <= 0:
        return _NAN
    midpoint = np.cumsum(share) - share / 2
    return float(2.0 * (share * (value - value[0])) @ (midpoint - 0.5) / mean)


def theil_t(values: Any, weights: Any = None, groups: Any = None) -> dict[str, float]:
    """Population-weighted Theil T index of a per-capita quantity, optionally split into between and within groups.

    With y_i the area's per-capita value (rate or mean) and w_i its population:
    mu = sum w_i y_i / sum w_i, s_i = w_i y_i / sum_j w_j y_j (the area's share of the total of w*y),
    T = sum_i s_i ln(y_i / mu). An area with y_i = 0 contributes 0 (the limit of y ln y as y -> 0).
    0 = all areas equal; the maximum is ln(W / w_k) when one area k holds everything.
    With `groups` (e.g. the wijk of each buurt) the exact decomposition (Shorrocks 1980)
    T = between + within: between = sum_g s_g ln(mu_g / mu) with mu_g the group's population-weighted
    mean and s_g = sum_{i in g} s_i; within = sum_g s_g T_g = sum_i s_i ln(y_i / mu_{g(i)}).
    Without groups, between and within are NaN. Areas with a missing group are left out of all three.
    Equal weights give PySAL inequality.theil.Theil / TheilD.
    NaN when any value < 0 (ln undefined), when mu = 0, or fewer than 2 areas remain.
    Reference: REFERENCES["theil_t"].
    """
    value, weight = as_float(values), (None if weights is None else as_float(weights))
    labels = None
    if groups is not None:
        codes = pd.factorize(np.asarray(groups, dtype=object), use_na_sentinel=True)[0]
        labels = np.where(codes >= 0, codes, np.nan)
        value, weight, labels = _areas(value, weight, labels)
    else:
        value, weight = _areas(value, weight)
    empty = {"theil": _NAN, "between": _NAN, "within": _NAN}
    if value.size < 2 or value.min() < 0:
        return empty
    mass = weight * value
    total_mass = mass.sum()
    mean = total_mass / weight.sum()
    if mean <= 0:
        return empty
    share = mass / total_mass
    positive = value > 0
    theil = float(share @ np.log(np.where(positive, value / mean, 1.0)))
    if labels is None:
        return {"theil": theil, "between": _NAN, "within": _NAN}
    code = labels.astype(np.intp)
    group_mass = np.bincount(code, weights=mass)
    with np.errstate(invalid="ignore"):  # a group left without areas (weight 0): 0 / 0, never used
        group_mean = group_mass / np.bincount(code, weights=weight)
    group_share = group_mass / total_mass
    between = float(group_share @ np.log(np.where(group_mass > 0, group_mean / mean, 1.0)))
    within = float(share @ np.log(np.where(positive, value / np.where(positive, group_mean[code], 1.0), 1.0)))
    return {"theil": theil, "between": between, "within": within}


def dissimilarity(group_counts: Any, total_counts: Any) -> float:
    """Duncan & Duncan (1955) index of dissimilarity between a group and the rest of the population.

    g_i = the group's count in area i (e.g. low-income households), t_i = the area's total count (all
    households), r_i = t_i - g_i the rest; G = sum g_i, R = sum r_i.
    D = 1/2 sum_i |g_i / G - r_i / R|, in [0, 1]: the share of the group (or of the rest) that would have
    to move to another area for both to be spread in the same proportions. 0 = the group is spread in
    proportion to the population; 1 = complete separation (no area holds both).
    Areas with a missing count are left out. NaN when G = 0 or R = 0, when any count is negative or a
    group count exceeds its total (inconsistent counts), or fewer than 2 areas remain.
    Reference: REFERENCES["dissimilarity"].
    """
    group, total = _areas(group_counts, None, total_counts)[0::2]
    rest = total - group
    if group.size < 2 or group.min() < 0 or rest.min() < 0:
        return _NAN
    group_sum, rest_sum = group.sum(), rest.sum()
    if group_sum <= 0 or rest_sum <= 0:
        return _NAN
    return float(0.5 * np.abs(group / group_sum - rest / rest_sum).sum())


def _gradient(block_weight: np.ndarray, block_wy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise population-weighted least squares of value on relative rank: (slope, mean, mean rank).

    Each row is one data set of B rank blocks sorted from most to least deprived (an area, or the areas
    tied on the order value, or an area drawn k times by the bootstrap): block_weight is the block's
    population and block_wy the sum of population x value over its areas. With population shares p_b and
    midpoint ranks x_b = P_(b-1) + p_b / 2 (P the cumulative share), the rank moments are exact:
    sum p_b x_b = 1/2 and sum p_b (x_b - 1/2)^2 = (1 - sum p_b^3) / 12, so
    slope = (sum p_b y_b x_b - mean / 2) / ((1 - sum p_b^3) / 12), mean = sum p_b y_b.
    A row whose population sits in a single block has no spread in rank: slope NaN.
    """
    total = block_weight.sum(axis=1)
    cumulative = np.cumsum(block_weight, axis=1)
    mean = block_wy.sum(axis=1) / total
    mean_xy = (np.einsum("ij,ij->i", block_wy, cumulative)
               - 0.5 * np.einsum("ij,ij->i", block_wy, block_weight)) / (total * total)
    rank_variance = (1.0 - np.einsum("ij,ij,ij->i", block_weight, block_weight, block_weight) / total**3) / 12.0
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(rank_variance > 0, (mean_xy - 0.5 * mean) / rank_variance, np.nan)
    return slope, mean, np.full_like(mean, 0.5)


def _relative(slope: np.ndarray, mean: np.ndarray, rank_mean: np.ndarray, method: str) -> np.ndarray:
    """RII from the fitted line: slope / mean ('mean'), or fitted(least) / fitted(most deprived) ('ends')."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "mean":
            return np.where(mean != 0, slope / mean, np.nan)
        most = mean - slope * rank_mean
        return np.where(most != 0, (mean + slope * (1 - rank_mean)) / most, np.nan)


def _percentiles(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    """Equal-tailed percentile interval of the finite draws (NaN, NaN when there are none)."""
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return _NAN, _NAN
    low, high = np.quantile(finite, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(low), float(high)


def _normal_draws(slope: float, mean: float, slope_coef: np.ndarray, mean_coef: np.ndarray, se: np.ndarray,
                  rng: np.random.Generator, n_sim: int) -> tuple[np.ndarray, np.ndarray]:
    """n_sim joint draws of (slope, mean) when every value y_i ~ Normal(y_i, se_i) independently.

    slope = sum c_i y_i and mean = sum p_i y_i are linear in the values, so their joint distribution is
    exactly bivariate normal with variances sum (c_i se_i)^2, sum (p_i se_i)^2 and covariance
    sum c_i p_i se_i^2: drawing it (by its Cholesky factor) is the same simulation as drawing every area's
    value and refitting, at O(n_sim) instead of O(n_sim x areas). se = 0 gives draws equal to the estimate.
    """
    var_slope = float(np.sum((slope_coef * se) ** 2))
    var_mean = float(np.sum((mean_coef * se) ** 2))
    cov = float(np.sum(slope_coef * mean_coef * se * se))
    z = rng.standard_normal((2, n_sim))
    sd_slope = np.sqrt(var_slope)
    loading = cov / sd_slope if sd_slope > 0 else 0.0
    rest = np.sqrt(max(var_mean - loading * loading, 0.0))
    return slope + sd_slope * z[0], mean + loading * z[0] + rest * z[1]


def _bootstrap_counts(n_areas: int, rng: np.random.Generator, n_sim: int) -> np.ndarray:
    """(n_sim x n_areas) how often each area is drawn when n_areas areas are drawn with replacement."""
    picks = rng.integers(0, n_areas, size=(n_sim, n_areas)) + n_areas * np.arange(n_sim)[:, None]
    return np.bincount(picks.ravel(), minlength=n_sim * n_areas).reshape(n_sim, n_areas)


_TRANSFORMS = (None, "logit", "log")


def _to_working_scale(value: np.ndarray, transform: str | None, scale: float) -> np.ndarray:
    """The values on the scale the line is fitted on: as given, logit(value / scale) or log(value / scale).

    NaN where the transform is undefined (a proportion of 0 or 1 with logit, a value <= 0 with log).
    """
    if transform is None:
        return value
    share = value / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        if transform == "log":
            return np.where(share > 0, np.log(share), np.nan)
        return np.where((share > 0) & (share < 1), np.log(share) - np.log1p(-share), np.nan)


def _from_working_scale(working: np.ndarray, transform: str, scale: float) -> np.ndarray:
    """Inverse of _to_working_scale: scale * exp(t) ('log') or scale * logistic(t) ('logit')."""
    if transform == "log":
        return scale * np.exp(working)
    return scale * 0.5 * (1.0 + np.tanh(0.5 * working))  # the logistic function, without overflow


def _working_se(value: np.ndarray, se: np.ndarray | None, low: np.ndarray | None, high: np.ndarray | None,
                limits_confidence: float, transform: str | None, scale: float) -> np.ndarray:
    """Standard errors of the area values on the working scale.

    From confidence limits (as phe_sii): the limits are transformed like the values and
    se = (t(high) - t(low)) / (2 z), which keeps the asymmetry of e.g. a Wilson interval.
    From an se on the value's scale: the delta method, se / value ('log') or
    se / (scale p (1 - p)) with p = value / scale ('logit').
    """
    if low is not None and high is not None:
        z = NormalDist().inv_cdf(0.5 + float(limits_confidence) / 2)
        with np.errstate(invalid="ignore"):
            return (_to_working_scale(high, transform, scale) - _to_working_scale(low, transform, scale)) / (2 * z)
    if transform == "log":
        return se / value
    if transform == "logit":
        share = value / scale
        return se / (scale * share * (1 - share))
    return se


def sii_rii(values: Any, weights: Any, order: Any, se: Any = None, n_sim: int = 1000, seed: int | None = 0,
            confidence: float = 0.95, higher_is_more_deprived: bool = True,
            rii_method: Literal["mean", "ends"] = "mean", transform: Literal["logit", "log"] | None = None,
            scale: float = 1.0, ci_low: Any = None, ci_high: Any = None,
            limits_confidence: float = 0.95) -> dict[str, float]:
    """Slope Index of Inequality (SII) and Relative Index of Inequality (RII) with Monte Carlo confidence limits.

    Method of PHEindicatormethods::phe_sii (Low & Low 2004; Mackenbach & Kunst 1997), applied to areas:
    1. Areas are sorted by `order`, a socio-economic indicator of the area (e.g. % low-income households),
       from the most to the least deprived. `higher_is_more_deprived=True` (default): a higher order value
       means more deprived; set False for e.g. mean income. Areas with equal order values are tied and
       share one rank (the midpoint of their combined population), so the result never depends on the
       input order.
    2. Each area's relative rank x_i is the midpoint of its range in the cumulative population share:
       x_i = sum_{j before i} p_j + p_i / 2, p_i = w_i / sum w; x runs from 0 (most deprived end) to 1
       (least deprived end).
    3. A population-weighted least-squares line value = a + b x is fitted (phe_sii's
       lm(sqrt(p) y ~ sqrt(p) + x sqrt(p) - 1) is the same fit).
    SII = b = fitted value at the least deprived end (x = 1) minus fitted value at the most deprived end
    (x = 0), in the value's unit: negative when the value is higher in deprived areas (as phe_sii).
    RII (rii_method='mean', default) = SII / mu with mu the population-weighted mean value (Pamuk 1985):
    the gap between the ends as a fraction of the city level, unitless. rii_method='ends' gives
    phe_sii's RII = fitted(x=1) / fitted(x=0) = (a + b) / a instead. Both are unchanged when the values
    are multiplied by a constant.

    transform (phe_sii's transform = TRUE; default None = the linear fit above, unchanged):
    - 'logit' for proportions (phe_sii value_type = 2), 'log' for rates (value_type = 1). `scale` is the
      value of a proportion of 1: 1.0 (default) for values given as proportions 0-1, 100.0 for
      percentages 0-100 (as phe_sii's multiplier = 100); with 'log' it cancels out.
    - The line is fitted to t_i = logit(y_i / scale) (or log) instead of y_i; with mu_t = sum p_i t_i the
      fitted value at x = 1/2 (the midpoint of a population-weighted line), the back-transformed ends are
      F0 = scale logistic(mu_t - b / 2) and F1 = scale logistic(mu_t + b / 2) (exp for 'log');
      SII = F1 - F0 in the value's unit, RII 'ends' = F1 / F0 (phe_sii) and RII 'mean' = SII / mu with mu
      the population-weighted mean of the untransformed values. The fitted curve stays inside (0, scale).
    - Confidence limits as phe_sii: the equal-tailed percentiles (b_low, b_high) of the simulated slope
      on the transformed scale are back-transformed around the fixed midpoint mu_t,
      SII_low = scale (logistic(mu_t + b_low / 2) - logistic(mu_t - b_low / 2)), and the same for RII.
      (Both are increasing in b, so the limits stay ordered.)
    - Standard errors on the transformed scale: from `ci_low` / `ci_high` (the area values' confidence
      limits at `limits_confidence`, same unit as the values), transformed and turned into
      se = (t(high) - t(low)) / (2 z), as phe_sii requires when transform = TRUE; or from `se` by the delta
      method (se / (y (1 - y / scale)) for logit, se / y for log).
    - A value the transform cannot take (0 or `scale` itself with logit, <= 0 with log) in any used area
      makes every result NaN: use transform=None for such an indicator.

    Confidence limits: equal-tailed percentiles at `confidence` of n_sim simulated SII / RII, drawn with
    np.random.default_rng(seed) (deterministic for a given seed), without a loop over draws:
    - with `se` (or `ci_low` / `ci_high`; the standard errors of the area values): values ~ Normal(value, se)
      with the ranks fixed, as phe_sii; simulated as the exactly equivalent joint normal draw of (SII, mean).
      NaN limits when any used area lacks a finite se >= 0 (the area still counts in the estimate).
    - without either: a bootstrap of the areas (n areas drawn with replacement, each draw re-ranked; an
      area drawn k times counts with k times its population). Draws in which all population sits at one
      rank are skipped. Needs at least 3 areas (with 2, every usable draw is the data itself): else NaN
      limits.
    Returns dict(sii, sii_ci_low, sii_ci_high, rii, rii_ci_low, rii_ci_high). All NaN when fewer than 2
    areas remain or all areas share one order value; RII is NaN when its denominator is 0.
    ValueError for impossible settings: an unknown rii_method or transform, scale <= 0, only one of
    ci_low / ci_high, or both se and limits.
    Reference: REFERENCES["sii_rii"].
    """
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a fraction strictly between 0 and 1, got {confidence!r}")
    if int(n_sim) < 1:
        raise ValueError(f"n_sim must be at least 1, got {n_sim!r}")
    if rii_method not in ("mean", "ends"):
        raise ValueError(f"rii_method must be 'mean' or 'ends', got {rii_method!r}")
    if transform not in _TRANSFORMS:
        raise ValueError(f"transform must be None, 'logit' or 'log', got {transform!r}")
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number (1 for proportions, 100 for percentages), got {scale!r}")
    if (ci_low is None) != (ci_high is None):
        raise ValueError("give both ci_low and ci_high (the area values' confidence limits), or neither")
    if se is not None and ci_low is not None:
        raise ValueError("give the area values' uncertainty as se or as ci_low / ci_high, not both")
    if ci_low is not None and not 0.0 < float(limits_confidence) < 1.0:
        raise ValueError(f"limits_confidence must be a fraction strictly between 0 and 1, got {limits_confidence!r}")
    result = dict.fromkeys(("sii", "sii_ci_low", "sii_ci_high", "rii", "rii_ci_low", "rii_ci_high"), _NAN)
    value, weight, key = as_float(values), as_float(weights), as_float(order)
    keep = np.isfinite(value) & np.isfinite(weight) & (weight > 0) & np.isfinite(key)
    if keep.sum() < 2:
        return result
    sort = np.argsort(-key[keep] if higher_is_more_deprived else key[keep], kind="stable")
    value, weight, key = value[keep][sort], weight[keep][sort], key[keep][sort]
    working = _to_working_scale(value, transform, scale)
    if not np.isfinite(working).all():
        return result
    shifted = working - working[0]  # the slope ignores a shift; equal values then give a slope of exactly 0
    new_block = np.r_[True, key[1:] != key[:-1]]
    starts = None if new_block.all() else np.flatnonzero(new_block)
    level = float(weight @ value / weight.sum())

    def blocks(area_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        area_wy = area_weight * shifted
        if starts is None:
            return area_weight, area_wy
        return np.add.reduceat(area_weight, starts, axis=1), np.add.reduceat(area_wy, starts, axis=1)

    def on_value_scale(slopes: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(SII, RII) from the slope and the fitted midpoint on the working scale."""
        if transform is None:
            return slopes, _relative(slopes, means, np.full_like(means, 0.5), rii_method)
        most = _from_working_scale(means - slopes / 2, transform, scale)
        least = _from_working_scale(means + slopes / 2, transform, scale)
        gap = least - most
        return gap, (least / most if rii_method == "ends" else gap / level)

    slope, mean, rank_mean = _gradient(*blocks(weight[None, :]))
    mean = mean + working[0]
    point_sii, point_rii = on_value_scale(slope, mean)
    result["sii"], result["rii"] = float(point_sii[0]), float(point_rii[0])
    if np.isnan(slope[0]):
        return result

    rng, n_sim = np.random.default_rng(seed), int(n_sim)
    if se is not None or ci_low is not None:
        low = None if ci_low is None else as_float(ci_low)[keep][sort]
        high = None if ci_high is None else as_float(ci_high)[keep][sort]
        error = _working_se(value, None if se is None else as_float(se)[keep][sort], low, high,
                            limits_confidence, transform, scale)
        if not (np.isfinite(error).all() and (error >= 0).all()):
            return result
        share = weight / weight.sum()
        block_weight = blocks(weight[None, :])[0][0]
        block_rank = (np.cumsum(block_weight) - 0.5 * block_weight) / block_weight.sum()
        centred = block_rank[np.cumsum(new_block) - 1] - rank_mean[0]
        slope_coef = share * centred / float(share @ (centred * centred))  # slope = sum_i slope_coef_i y_i
        slopes, means = _normal_draws(float(slope[0]), float(mean[0]), slope_coef, share, error, rng, n_sim)
    else:
        if value.size < 3:
            return result
        slopes, means, _ = _gradient(*blocks(weight * _bootstrap_counts(value.size, rng, n_sim)))
        means = means + working[0]
    if transform is None:
        sii_draws, rii_draws = on_value_scale(slopes, means)
        result["sii_ci_low"], result["sii_ci_high"] = _percentiles(sii_draws, confidence)
        result["rii_ci_low"], result["rii_ci_high"] = _percentiles(rii_draws, confidence)
        return result
    # phe_sii: percentiles of the slope on the transformed scale, back-transformed around the fixed midpoint
    limits = np.array(_percentiles(slopes, confidence))
    sii_limits, rii_limits = on_value_scale(limits, np.full(2, float(mean[0])))
    result["sii_ci_low"], result["sii_ci_high"] = float(sii_limits[0]), float(sii_limits[1])
    result["rii_ci_low"], result["rii_ci_high"] = float(rii_limits[0]), float(rii_limits[1])
    return result


def _theil_draws(value: np.ndarray, weight: np.ndarray, code: np.ndarray | None,
                 multiplicity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise Theil T (and between / within parts) when area i counts multiplicity[r, i] times.

    The formulas of theil_t with weights multiplicity x weight. Computed as sum_i s_i ln(y_i / mu) (not
    as sum s_i ln y_i - ln mu), so multiplying every value by a power of 2 leaves each draw bit-for-bit
    unchanged. Between / within are NaN rows without `code` (group codes 0..G-1).
    """
    area_weight = multiplicity * weight
    mass = area_weight * value
    total_mass = mass.sum(axis=1)
    mean = total_mass / area_weight.sum(axis=1)
    positive = value > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(np.where(positive, value[None, :] / mean[:, None], 1.0))
        theil = np.einsum("ij,ij->i", mass, log_ratio) / total_mass
        if code is None:
            missing = np.full_like(theil, np.nan)
            return theil, missing, missing
        n_groups = int(code.max()) + 1
        cell = (np.arange(mass.shape[0])[:, None] * n_groups + code[None, :]).ravel()  # (draw, group) cells

        def by_group(per_area: np.ndarray) -> np.ndarray:  # bincount, not a BLAS matmul: steady timing
            return np.bincount(cell, weights=per_area.ravel(), minlength=mass.shape[0] * n_groups).reshape(
                mass.shape[0], n_groups)

        group_mass = by_group(mass)
        group_mean = group_mass / by_group(area_weight)
        between = np.einsum("ij,ij->i", group_mass,
                            np.log(np.where(group_mass > 0, group_mean / mean[:, None], 1.0))) / total_mass
        own_mean = group_mean[:, code]
        within_log = np.log(np.where(positive & (mass > 0), value[None, :] / own_mean, 1.0))
        within = np.einsum("ij,ij->i", mass, within_log) / total_mass
    return theil, between, within


def _sii_draws(value: np.ndarray, weight: np.ndarray, key: np.ndarray, multiplicity: np.ndarray,
               higher_is_more_deprived: bool) -> np.ndarray:
    """Row-wise SII (the slope of sii_rii, ties sharing one rank) when area i counts multiplicity[r, i] times."""
    sort = np.argsort(-key if higher_is_more_deprived else key, kind="stable")
    value, weight, key = value[sort], weight[sort], key[sort]
    area_weight = multiplicity[:, sort] * weight
    area_wy = area_weight * (value - value[0])
    new_block = np.r_[True, key[1:] != key[:-1]]
    if not new_block.all():
        starts = np.flatnonzero(new_block)
        area_weight = np.add.reduceat(area_weight, starts, axis=1)
        area_wy = np.add.reduceat(area_wy, starts, axis=1)
    return _gradient(area_weight, area_wy)[0]


def _bootstrap_p(draws: np.ndarray) -> float:
    """Two-sided bootstrap p of 'no change': 2 min(share of draws <= 0, share >= 0), in [1/B, 1]."""
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return _NAN
    tail = min(float(np.mean(finite <= 0)), float(np.mean(finite >= 0)))
    return min(1.0, max(2.0 * tail, 1.0 / finite.size))


_CHANGE_MEASURES = ("theil", "between", "within", "sii")
_CHANGE_PARTS = ("first", "last", "change", "change_ci_low", "change_ci_high", "change_p")


def inequality_change(values_first: Any, values_last: Any, weights_first: Any, weights_last: Any,
                      groups: Any = None, order_first: Any = None, order_last: Any = None, n_boot: int = 1000,
                      seed: int | None = 0, confidence: float = 0.95,
                      higher_is_more_deprived: bool = True) -> dict[str, float]:
    """Change of inequality between two waves of the same areas, with a paired bootstrap interval and p.

    Element i of every argument describes the same area i in both waves (one position, two waves):
    values_* are its rate or mean, weights_* its population, groups its wijk (one label for both waves),
    order_* its deprivation order value (as `sii_rii`; order_last None = rank both waves by order_first).
    Measures, each computed per wave with the existing functions:
    - Theil T (population-weighted; `theil_t`) and, with `groups`, its between and within parts;
    - with `order_first`, the SII (the slope of `sii_rii`, each wave ranked by its own order).
    change = last - first; > 0 = more unequal (for the SII: the gradient became more positive, which
    widens it only when the SII was and stays positive; `divided_triumph` looks at the absolute value).
    Areas: an area counts only when it is usable in BOTH waves (finite value, weight > 0, and a group for
    the Theil parts; also a finite order in both waves for the SII), so the two waves describe the same
    set of areas and a change never comes from an area dropping out. The Theil set and the SII set may
    differ (n_areas, n_areas_sii).
    Inference (Mills & Zandvakili 1997): the areas are treated as a sample from a super-population of
    areas that could have been observed, the usual basis for bootstrap intervals of inequality indices
    (the areas are in fact all of the city's areas: the interval says how much the change depends on
    which areas happen to make up the city, not how precisely each area's value was measured). Each of
    n_boot draws takes n areas with replacement ONCE and uses those same areas for both waves (an area
    drawn k times counts with k times its population in each wave): the paired bootstrap keeps the
    strong correlation between an area's two waves, so the interval of the change is far narrower than
    one from independent bootstraps of each wave. Drawn with np.random.default_rng(seed) as one
    (n_boot x areas) count matrix, without a loop over draws (deterministic for a seed; ~111 areas and
    1000 draws take a few milliseconds). The SII reuses the Theil draws when its set of areas is the same.
    - change_ci_low / change_ci_high: equal-tailed percentile interval at `confidence` of the n_boot
      differences last - first (Efron & Tibshirani 1993); draws where either wave is undefined (e.g. all
      population at one SII rank) are skipped.
    - change_p: two-sided bootstrap p of 'no change', p = 2 min(share of draws <= 0, share of draws >= 0),
      floored at 1 / B (B = the usable draws: B draws cannot resolve a smaller p) and capped at 1. It
      matches the percentile interval: p < 1 - confidence exactly when the interval excludes 0 (up to
      the quantile interpolation). Identical waves give change 0, interval [0, 0] and p = 1.
    Theil T is biased upwards in small samples of areas; the bias is nearly the same in both waves and
    largely cancels in the paired difference.
    Returns a dict with, for m in theil, between, within, sii: m_first, m_last, m_change, m_change_ci_low,
    m_change_ci_high, m_change_p; and n_areas (Theil set) and n_areas_sii. NaN for a measure without its
    input (between / within without groups, sii without order) or when undefined (fewer than 2 paired
    areas, a negative value for Theil); NaN intervals and p with fewer than 3 paired areas.
    ValueError when the arguments differ in length, confidence is outside (0, 1) or n_boot < 1.
    Reference: REFERENCES["inequality_change"].
    """
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a fraction strictly between 0 and 1, got {confidence!r}")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot!r}")
    first, last = as_float(values_first), as_float(values_last)
    weight_first, weight_last = as_float(weights_first), as_float(weights_last)
    arrays = {"values_first": first, "values_last": last, "weights_first": weight_first,
              "weights_last": weight_last}
    code = None
    if groups is not None:
        code = pd.factorize(np.asarray(groups, dtype=object), use_na_sentinel=True)[0]
        arrays["groups"] = code
    key_first = key_last = None
    if order_first is not None:
        key_first = as_float(order_first)
        key_last = key_first if order_last is None else as_float(order_last)
        arrays["order_first"], arrays["order_last"] = key_first, key_last
    lengths = {name: np.shape(array)[0] if np.ndim(array) else 1 for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"every argument needs one element per area; got lengths {lengths}")

    result: dict[str, float] = {f"{m}_{part}": _NAN for m in _CHANGE_MEASURES for part in _CHANGE_PARTS}
    both = (np.isfinite(first) & np.isfinite(last) & np.isfinite(weight_first) & np.isfinite(weight_last)
            & (weight_first > 0) & (weight_last > 0))
    rng, n_boot = np.random.default_rng(seed), int(n_boot)

    def record(measure: str, point_first: float, point_last: float, draws: tuple[np.ndarray, np.ndarray] | None):
        result[f"{measure}_first"], result[f"{measure}_last"] = point_first, point_last
        result[f"{measure}_change"] = point_last - point_first
        if draws is None or not (np.isfinite(point_first) and np.isfinite(point_last)):
            return
        difference = draws[1] - draws[0]
        low, high = _percentiles(difference, confidence)
        result[f"{measure}_change_ci_low"], result[f"{measure}_change_ci_high"] = low, high
        result[f"{measure}_change_p"] = _bootstrap_p(difference)

    theil_areas = np.flatnonzero(both if code is None else both & (code >= 0))
    result["n_areas"] = int(theil_areas.size)
    counts = None
    if theil_areas.size >= 2:
        labels = None if code is None else code[theil_areas]
        theil_first = theil_t(first[theil_areas], weight_first[theil_areas], labels)
        theil_last = theil_t(last[theil_areas], weight_last[theil_areas], labels)
        drawn = None
        if theil_areas.size >= 3:
            counts = _bootstrap_counts(theil_areas.size, rng, n_boot)
            if labels is not None:
                labels = pd.factorize(labels)[0]  # codes 0..G-1 of the groups present
            drawn = (_theil_draws(first[theil_areas], weight_first[theil_areas], labels, counts),
                     _theil_draws(last[theil_areas], weight_last[theil_areas], labels, counts))
        for position, measure in enumerate(("theil", "between", "within")):
            record(measure, theil_first[measure], theil_last[measure],
                   None if drawn is None else (drawn[0][position], drawn[1][position]))

    result["n_areas_sii"] = 0
    if key_first is not None:
        sii_areas = np.flatnonzero(both & np.isfinite(key_first) & np.isfinite(key_last))
        result["n_areas_sii"] = int(sii_areas.size)
        if sii_areas.size >= 2:
            waves = [(first[sii_areas], weight_first[sii_areas], key_first[sii_areas]),
                     (last[sii_areas], weight_last[sii_areas], key_last[sii_areas])]
            points = [float(_sii_draws(*wave, np.ones((1, sii_areas.size)), higher_is_more_deprived)[0])
                      for wave in waves]
            drawn = None
            if sii_areas.size >= 3:
                if counts is None or not np.array_equal(sii_areas, theil_areas):
                    counts = _bootstrap_counts(sii_areas.size, rng, n_boot)
                drawn = tuple(_sii_draws(*wave, counts, higher_is_more_deprived) for wave in waves)
            record("sii", points[0], points[1], drawn)
    return result


_TRIUMPH_REQUIRED = ("city_first", "city_last", "polarity", "theil_first", "theil_last", "theil_change_ci_low",
                     "theil_change_ci_high")
_TRIUMPH_OPTIONAL = ("city_se_first", "city_se_last", "sii_first", "sii_last", "sii_change_ci_low",
                     "sii_change_ci_high")


def divided_triumph(table: pd.DataFrame, min_change: Any = 0.0, significance: float = 0.05) -> pd.DataFrame:
    """Did the city improve while inequality between its areas grew beyond its uncertainty?

    `table` has one row per indicator (and category), with columns
    - city_first, city_last: the city's value in the first and last wave;
    - polarity: 'higher_is_better', 'lower_is_better' or 'neutral' (missing = neutral);
    - theil_first, theil_last, theil_change_ci_low, theil_change_ci_high: from `inequality_change`;
    - optional: city_se_first, city_se_last (standard errors of the city values; missing or NaN = not
      known), sii_first, sii_last, sii_change_ci_low, sii_change_ci_high (from `inequality_change`).
    `min_change`: the smallest change that counts as a change, in the value's unit (e.g. the display
    precision, 0.1 for one decimal); one number or one per row.
    Rules, per row:
    - city_change = city_last - city_first. When both SEs are known (and not both 0) the change is
      tested as the difference of two independent estimates (Altman & Bland 2003, the test of
      stats.compare.change_between): z = change / sqrt(se_first^2 + se_last^2), two-sided
      p = 2 (1 - Phi(|z|)); city_change_tested True, city_change_p = p. Otherwise city_change_tested False
      and city_change_p NaN: the change is taken at face value.
    - city_improved: the change goes in the good direction of the polarity (up for higher_is_better,
      down for lower_is_better), its size is at least min_change (a relative tolerance of 1e-9 absorbs
      floating-point noise in differences of rounded values; applied to tested rows too, so a significant
      change too small to show in the report is not called an improvement), and, when tested,
      p < significance. NA (not applicable) for a neutral or missing polarity or a missing city value.
    - theil_worsened: the interval of the Theil change lies entirely above 0.
    - sii_widened: |SII| grew and the interval of the SII change excludes 0 on the side of the last
      wave's sign (below 0 for a negative SII, above 0 for a positive one). False without SII columns.
    - inequality_worsened: 'theil', 'sii', 'theil+sii' or 'none'.
    - divided_triumph: city_improved and (theil_worsened or sii_widened); never for a neutral polarity.
    Note that Theil T is a relative measure and the SII an absolute one: when a 'lower is better' rate
    falls, the same absolute gaps make the relative inequality larger (Harper et al. 2010), so the
    column says which measure worsened.
    Returns a copy of `table` (same index, all its columns kept) with the columns city_change,
    city_change_p, city_change_tested, city_improved (nullable boolean), theil_change, theil_worsened,
    sii_widened, inequality_worsened and divided_triumph added (theil_change recomputed as
    theil_last - theil_first). ValueError naming a missing required column or an unknown polarity.
    Reference: REFERENCES["divided_triumph"].
    """
    missing = [column for column in _TRIUMPH_REQUIRED if column not in table.columns]
    if missing:
        raise ValueError(f"divided_triumph needs the column(s) {', '.join(missing)}; "
                         "take the theil_* columns from inequality_change")
    if not 0.0 < float(significance) < 1.0:
        raise ValueError(f"significance must be a fraction strictly between 0 and 1, got {significance!r}")
    out = table.copy()
    size = len(out)

    def column(name: str) -> np.ndarray:
        return as_float(out[name]) if name in out.columns else np.full(size, np.nan)

    city_first, city_last = column("city_first"), column("city_last")
    direction = _polarity_codes(out["polarity"]).astype(float)
    change = city_last - city_first
    se = np.hypot(column("city_se_first"), column("city_se_last"))
    tested = np.isfinite(se) & (se > 0) & np.isfinite(change)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tested, 2.0 * stats.norm.sf(np.abs(change / se)), np.nan)
    threshold = np.broadcast_to(as_float(min_change), (size,))
    good = direction * change
    with np.errstate(invalid="ignore"):
        improved = (good > 0) & (good >= threshold * (1 - 1e-9)) & (~tested | (p < significance))
    applicable = (direction != 0) & np.isfinite(change)

    theil_worsened = column("theil_change_ci_low") > 0
    sii_first, sii_last = column("sii_first"), column("sii_last")
    sii_low, sii_high = column("sii_change_ci_low"), column("sii_change_ci_high")
    sii_widened = (np.abs(sii_last) > np.abs(sii_first)) & (((sii_last > 0) & (sii_low > 0))
                                                             | ((sii_last < 0) & (sii_high < 0)))
    labels = np.array(["none", "theil", "sii", "theil+sii"], dtype=object)

    out["city_change"] = change
    out["city_change_p"] = p
    out["city_change_tested"] = tested
    out["city_improved"] = pd.array(np.where(applicable, improved, False), dtype="boolean")
    out.loc[~applicable, "city_improved"] = pd.NA
    out["theil_change"] = column("theil_last") - column("theil_first")
    out["theil_worsened"] = theil_worsened
    out["sii_widened"] = sii_widened
    out["inequality_worsened"] = labels[theil_worsened.astype(int) + 2 * sii_widened.astype(int)]
    out["divided_triumph"] = applicable & improved & (theil_worsened | sii_widened)
    return out
