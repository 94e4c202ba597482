"""Inequality between the areas of one level (per indicator and year): spread, Gini, Theil T with its
between/within decomposition, the index of dissimilarity, and the slope and relative index of inequality.

Conventions shared by every function:
- Inputs are 1-d numpy arrays, lists or pandas Series (nullable Float64/Int64 included), aligned by
  position (not by index): element i of every argument describes area i.
- `values` are area-level rates, percentages or means (e.g. % low-income households, mean income in
  EUR); `weights` are the areas' populations (persons or households: whatever the value is a rate of).
- An area whose value, weight (or order / group, where used) is missing or not finite
  is left out; a weight <= 0 counts as missing. When fewer than 2 areas remain, or the measure is
  undefined for the data (a mean of 0, a negative value in a measure for non-negative quantities), the
  result is NaN: never an invented number, and never an exception for ordinary missing data. Only
  impossible settings (confidence outside (0, 1), n_sim < 1) raise ValueError.
- numpy only inside the functions (pandas is used just to read a Series and to code group labels), so a
  call on ~100 areas costs microseconds; `sii_rii` simulates its interval as one (n_sim x areas) matrix.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from . import as_float

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
        "New York: Chapman & Hall."
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


def sii_rii(values: Any, weights: Any, order: Any, se: Any = None, n_sim: int = 1000, seed: int | None = 0,
            confidence: float = 0.95, higher_is_more_deprived: bool = True,
            rii_method: Literal["mean", "ends"] = "mean") -> dict[str, float]:
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
    Confidence limits: equal-tailed percentiles at `confidence` of n_sim simulated SII / RII, drawn with
    np.random.default_rng(seed) (deterministic for a given seed), without a loop over draws:
    - with `se` (standard errors of the area values, same unit): values ~ Normal(value, se) with the
      ranks fixed, as phe_sii; simulated as the exactly equivalent joint normal draw of (SII, mean).
      NaN limits when any used area lacks a finite se >= 0 (the area still counts in the estimate).
    - without `se`: a bootstrap of the areas (n areas drawn with replacement, each draw re-ranked; an area
      drawn k times counts with k times its population). Draws in which all population sits at one rank
      are skipped. Needs at least 3 areas (with 2, every usable draw is the data itself): else NaN limits.
    Returns dict(sii, sii_ci_low, sii_ci_high, rii, rii_ci_low, rii_ci_high). All NaN when fewer than 2
    areas remain or all areas share one order value; RII is NaN when its denominator is 0.
    Reference: REFERENCES["sii_rii"].
    """
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be a fraction strictly between 0 and 1, got {confidence!r}")
    if int(n_sim) < 1:
        raise ValueError(f"n_sim must be at least 1, got {n_sim!r}")
    if rii_method not in ("mean", "ends"):
        raise ValueError(f"rii_method must be 'mean' or 'ends', got {rii_method!r}")
    result = dict.fromkeys(("sii", "sii_ci_low", "sii_ci_high", "rii", "rii_ci_low", "rii_ci_high"), _NAN)
    value, weight, key = as_float(values), as_float(weights), as_float(order)
    keep = np.isfinite(value) & np.isfinite(weight) & (weight > 0) & np.isfinite(key)
    if keep.sum() < 2:
        return result
    sort = np.argsort(-key[keep] if higher_is_more_deprived else key[keep], kind="stable")
    value, weight, key = value[keep][sort], weight[keep][sort], key[keep][sort]
    shifted = value - value[0]  # the slope ignores a shift; equal values then give a slope of exactly 0
    new_block = np.r_[True, key[1:] != key[:-1]]
    starts = None if new_block.all() else np.flatnonzero(new_block)

    def blocks(area_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        area_wy = area_weight * shifted
        if starts is None:
            return area_weight, area_wy
        return np.add.reduceat(area_weight, starts, axis=1), np.add.reduceat(area_wy, starts, axis=1)

    slope, mean, rank_mean = _gradient(*blocks(weight[None, :]))
    mean = mean + value[0]
    result["sii"] = float(slope[0])
    result["rii"] = float(_relative(slope, mean, rank_mean, rii_method)[0])
    if np.isnan(result["sii"]):
        return result

    rng, n_sim = np.random.default_rng(seed), int(n_sim)
    if se is not None:
        error = as_float(se)[keep][sort]
        if not (np.isfinite(error).all() and (error >= 0).all()):
            return result
        share = weight / weight.sum()
        block_weight = blocks(weight[None, :])[0][0]
        block_rank = (np.cumsum(block_weight) - 0.5 * block_weight) / block_weight.sum()
        centred = block_rank[np.cumsum(new_block) - 1] - rank_mean[0]
        slope_coef = share * centred / float(share @ (centred * centred))  # slope = sum_i slope_coef_i y_i
        slopes, means = _normal_draws(result["sii"], float(mean[0]), slope_coef, share, error, rng, n_sim)
        rank_means = rank_mean
    else:
        if value.size < 3:
            return result
        slopes, means, rank_means = _gradient(*blocks(weight * _bootstrap_counts(value.size, rng, n_sim)))
        means = means + value[0]
    result["sii_ci_low"], result["sii_ci_high"] = _percentiles(slopes, confidence)
    rii_draws = _relative(slopes, means, rank_means, rii_method)
    result["rii_ci_low"], result["rii_ci_high"] = _percentiles(rii_draws, confidence)
    return result
