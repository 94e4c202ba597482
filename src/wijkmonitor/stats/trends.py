"""Trends over time: the recent trend per area, and whether areas converge (sigma and beta convergence).

Every function is vectorised (grouped pandas/numpy operations, no loop per area) and returns NaN or
"insufficient_data" rather than a number the data cannot support.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import as_float

# Labels
INCREASING, DECREASING, NO_CHANGE = "increasing", "decreasing", "no_significant_change"
CONVERGING, DIVERGING = "converging", "diverging"
INSUFFICIENT = "insufficient_data"
NOT_ESTIMABLE = "not_estimable"  # the points lie exactly on a line: no residual variance to test against

MIN_POINTS = 3  # an OLS t test needs at least one residual degree of freedom

REFERENCES: dict[str, str] = {
    "recent_trend": (
        "Public Health England. Fingertips Technical Guide: recent trends (the 'recent trend' of an indicator "
        "is assessed over its five most recent data points; PHE uses the chi-squared test for trend for "
        "proportions). https://fingertips.phe.org.uk/profile/guidance. Inspiration only: wijkmonitor applies "
        "the ordinary least squares t test on the slope over the last five points to every value type."
    ),
    "sigma_convergence": (
        "Barro, R. J. & Sala-i-Martin, X. (1992). Convergence. Journal of Political Economy 100(2), 223-251; "
        "Sala-i-Martin, X. (1996). The classical approach to convergence analysis. The Economic Journal "
        "106(437), 1019-1036. Sigma convergence: the cross-sectional dispersion (here the coefficient of "
        "variation across areas) falls over time; tested with the OLS t test on its linear trend."
    ),
    "beta_convergence": (
        "Barro, R. J. & Sala-i-Martin, X. (1992). Convergence. Journal of Political Economy 100(2), 223-251 "
        "(equation of the annual growth rate on the log initial level; speed beta = -ln(1 + bT)/T); "
        "Sala-i-Martin, X. (1996). The classical approach to convergence analysis. The Economic Journal "
        "106(437), 1019-1036 (half-life ln 2 / beta)."
    ),
}


def grouped_ols(frame: pd.DataFrame, keys: list[str], x: str, y: str) -> pd.DataFrame:
    """OLS of y on x within each group, vectorised: n, slope, 95% t interval, two-sided p and `exact`.

    The same numbers as scipy.stats.linregress per group (tests check it), without a Python loop, so
    thousands of area series take milliseconds. y is rounded to 9 decimals first, so float noise of
    one-decimal inputs (~1e-15) neither makes a flat series "change" nor a line "scatter".
    An exact fit (all points on the line: no residual variance, `exact` true) has no p-value: the t
    statistic is undefined, and one-decimal figures that happen to lie on a line prove nothing
    (p is NaN, never 0). With n < 3 there is no residual degree of freedom: p is NaN too.
    """
    data = frame[[*keys, x, y]].dropna(subset=[x, y]).copy()
    data[x] = data[x].astype(float)
    data[y] = data[y].astype(float).round(9)
    grouped = data.groupby(keys, dropna=False, sort=True)
    mean = grouped[[x, y]].transform("mean")
    data["_dx"], data["_dy"] = data[x] - mean[x], data[y] - mean[y]
    data["_sxx"], data["_sxy"] = data["_dx"] ** 2, data["_dx"] * data["_dy"]
    by_row = data.groupby(keys, dropna=False, sort=True)[["_sxx", "_sxy"]].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        # Residuals in the centred (two-pass) form: points on a line give exactly 0, not a cancellation error.
        data["_res"] = (data["_dy"] - by_row["_sxy"] / by_row["_sxx"] * data["_dx"]).round(9) ** 2
    sums = data.groupby(keys, dropna=False, sort=True).agg(
        n=(x, "size"), sxx=("_sxx", "sum"), sxy=("_sxy", "sum"), sse=("_res", "sum"))
    dof = sums["n"] - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = sums["sxy"] / sums["sxx"]
        se = np.sqrt(sums["sse"] / dof / sums["sxx"])
        t = np.abs(slope / se)
    exact = (dof > 0) & (sums["sse"] == 0) & slope.notna()
    p = pd.Series(2 * stats.t.sf(t.fillna(0), dof.clip(lower=1)), index=sums.index)
    half = stats.t.ppf(0.975, dof.clip(lower=1)) * se
    return pd.DataFrame({"n": sums["n"], "slope": slope, "ci_low": slope - half, "ci_high": slope + half,
                         "p": p.where((dof > 0) & ~exact & se.notna()), "exact": exact})


def _one_line(x: np.ndarray, y: np.ndarray) -> pd.Series | None:
    """grouped_ols of y on x for a single group (pairs with a missing value dropped); None without points.

    The same arithmetic as `grouped_ols` (y rounded to 9 decimals; an exact line has no p-value) in
    plain numpy: called once per indicator and level, where pandas' group machinery would cost tens of
    milliseconds a call.
    """
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], np.round(y[keep], 9)
    n = len(x)
    if n == 0:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    sxx, sxy, syy = float(dx @ dx), float(dx @ dy), float(dy @ dy)
    dof = n - 2
    del syy
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = sxy / sxx if sxx > 0 else np.nan
        sse = float(np.sum(np.round(dy - slope * dx, 9) ** 2)) if np.isfinite(slope) else np.nan
        se = np.sqrt(sse / dof / sxx) if dof > 0 and sxx > 0 else np.nan
    exact = bool(dof > 0 and np.isfinite(slope) and sse == 0)
    p = float(2 * stats.t.sf(abs(slope / se), dof)) if dof > 0 and np.isfinite(slope) and not exact else np.nan
    half = stats.t.ppf(0.975, max(dof, 1)) * se
    return pd.Series({"n": n, "slope": slope, "ci_low": slope - half, "ci_high": slope + half, "p": p,
                      "exact": exact})


def recent_trend(frame: pd.DataFrame, keys: list[str], x: str = "period", y: str = "value", last: int = 5,
                 significance: float = 0.05, min_points: int = 5) -> pd.Series:
    """The recent trend of each group: "increasing", "decreasing", "no_significant_change", "not_estimable"
    or "insufficient_data".

    Method: per group (e.g. indicator, category, area), take the last `last` periods present in `frame`
    (rows ordered by `x`; rows whose `x` is missing are ignored), fit y = a + b*x by ordinary least squares
    to those of them with a value, and test H0: b = 0 with the two-sided t test, t = b / se(b) on n - 2
    degrees of freedom (`grouped_ols`, so the p values are those of the area trends).
    p < `significance` and b > 0 gives "increasing", b < 0 "decreasing"; otherwise "no_significant_change".
    A window with fewer than `min_points` values (default 5, as Fingertips; at least 3; a missing or
    suppressed year inside it is not replaced by an older year, so "recent" stays recent) gives
    "insufficient_data". Points exactly on a line give "not_estimable" (no residual variance: no test).

    Reference: inspired by Public Health England's Fingertips "recent trend" (Technical Guide: recent
    trends), which assesses the five most recent data points and, for proportions, uses the chi-squared test
    for trend. We deliberately use the OLS t test on the slope over the last five points for all value types
    (percentages, rates, means, counts, scores), because we do not have the numerators and denominators a
    chi-squared test for trend needs for every indicator. "Increasing" says nothing about better or worse:
    combine it with the indicator's polarity.

    Inputs: `frame` in long form with the `keys` columns, `x` (the period, e.g. a year) and `y` (the value
    in the indicator's unit); `last` the window length in periods (at least 3); `significance` the test level;
    `min_points` the fewest values in the window to test (capped at `last`).
    Returns: a string Series named "recent_trend" indexed by `keys` (one row per group in `frame`, groups
    without any value included as "insufficient_data"), sorted by the keys.
    """
    if last < MIN_POINTS:
        raise ValueError(f"recent_trend needs a window of at least {MIN_POINTS} periods, got last={last}")
    data = frame[[*keys, x, y]].dropna(subset=[x]).sort_values(x, kind="stable")
    window = data.groupby(keys, dropna=False, sort=False).tail(last)
    groups = window.groupby(keys, dropna=False, sort=True).size().index
    ols = grouped_ols(window, keys, x, y).reindex(groups)
    n = ols["n"].fillna(0).to_numpy()
    slope, p = ols["slope"].to_numpy(dtype=float), ols["p"].to_numpy(dtype=float)
    exact = ols["exact"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    enough = (n >= max(MIN_POINTS, min(int(min_points), last))) & np.isfinite(slope)
    significant = enough & np.isfinite(p) & (p < significance)
    labels = np.select([~enough, exact, significant & (slope > 0), significant & (slope < 0)],
                       [INSUFFICIENT, NOT_ESTIMABLE, INCREASING, DECREASING], NO_CHANGE)
    return pd.Series(labels, index=groups, dtype="string", name="recent_trend")


def sigma_convergence(periods: Any, dispersion: Any, significance: float = 0.05) -> dict[str, Any]:
    """Sigma convergence: does the dispersion across areas fall over time?

    Method: OLS of the dispersion measure D_t (the coefficient of variation across areas in year t,
    i.e. standard deviation / mean, unitless) on the year t; sigma_slope is the change of D per year and
    sigma_p the two-sided p value of the t test on it (n - 2 degrees of freedom, via
    `grouped_ols`). sigma_trend is "converging" when the slope is significantly
    negative (p < `significance`), "diverging" when significantly positive, else "no_significant_change".

    Reference: Barro & Sala-i-Martin (1992), Convergence, J Political Economy 100:223-251; Sala-i-Martin
    (1996), The classical approach to convergence analysis, Economic Journal 106:1019-1036 (sigma
    convergence: the cross-sectional dispersion declines over time).

    Inputs: `periods` (years) and `dispersion` (one value per year), array-likes of equal length; pairs with
    a missing value are dropped. Returns dict(sigma_slope, sigma_p, sigma_trend); with fewer than 3 years
    (or all years equal): NaN, NaN, "insufficient_data".
    """
    ols = _one_line(as_float(periods), as_float(dispersion))
    if ols is None or ols["n"] < MIN_POINTS or not np.isfinite(ols["slope"]):
        return {"sigma_slope": np.nan, "sigma_p": np.nan, "sigma_trend": INSUFFICIENT}
    if ols["exact"]:
        return {"sigma_slope": float(ols["slope"]), "sigma_p": np.nan, "sigma_trend": NOT_ESTIMABLE}
    slope, p = float(ols["slope"]), float(ols["p"])
    trend = NO_CHANGE
    if p < significance and slope < 0:
        trend = CONVERGING
    elif p < significance and slope > 0:
        trend = DIVERGING
    return {"sigma_slope": slope, "sigma_p": p, "sigma_trend": trend}


def _speed(b: float, span: float) -> float:
    """beta = -ln(1 + b*T) / T; NaN where 1 + b*T <= 0 (or b is NaN)."""
    inner = 1.0 + b * span
    return float(-np.log(inner) / span) if np.isfinite(inner) and inner > 0 else np.nan


def beta_convergence(first_values: Any, last_values: Any, span_years: float,
                     confidence: float = 0.95) -> dict[str, float]:
    """Beta convergence: do areas that started low grow faster (and areas that started high slower)?

    Method (Barro & Sala-i-Martin 1992): across areas i, regress the average annual growth rate
        g_i = ln(y_iT / y_i0) / T
    on the log initial level ln(y_i0) by OLS: g_i = a + b ln(y_i0) + e_i. In the model
    g_i = a - [(1 - exp(-beta T)) / T] ln(y_i0), so the implied speed of convergence (per year) is
        beta = -ln(1 + b T) / T,
    positive when the areas converge. The CI of beta transforms the t interval of b at `confidence`
    (b +/- t_{(1+confidence)/2, n-2} se(b)); the transform is decreasing, so beta_ci_low comes from the upper
    limit of b and beta_ci_high from the lower limit; a limit is NaN where 1 + b T <= 0 (b at or beyond
    -1/T: the whole distance would be closed within T, so no finite speed exists). half_life = ln(2) / beta
    in years (the time to close half the distance to the common level) when beta > 0, else NaN (no
    convergence). b_p is the two-sided p value of b (via `grouped_ols`; se(b) is
    recovered from its 95% interval; it rounds g to 9 decimals, far below any growth rate that matters).

    Why not the simple form beta = -b: -b = (1 - exp(-beta T)) / T is the average speed over the span and
    understates beta increasingly as beta T grows (for beta T = 0.5 by 21%); the two agree for small beta T.
    We report the exact form, as Barro & Sala-i-Martin do, so the half-life matches the model; b itself is
    returned too.

    Reference: Barro & Sala-i-Martin (1992), Convergence, J Political Economy 100:223-251; Sala-i-Martin
    (1996), The classical approach to convergence analysis, Economic Journal 106:1019-1036.

    Inputs: `first_values` y_i0 and `last_values` y_iT per area (array-likes of equal length, the same
    indicator in the first and last year, positive values, e.g. income or a percentage), `span_years`
    T = last year - first year (> 0). Areas with a missing or non-positive value are left out.
    Returns dict(beta, beta_ci_low, beta_ci_high, half_life, b, b_p, n_areas); everything but n_areas NaN
    with fewer than 3 usable areas, a span that is not positive, or equal initial values in every area.
    """
    y0, yt = as_float(first_values), as_float(last_values)
    span = float(span_years) if span_years is not None else np.nan
    usable = np.isfinite(y0) & np.isfinite(yt) & (y0 > 0) & (yt > 0)
    result = {"beta": np.nan, "beta_ci_low": np.nan, "beta_ci_high": np.nan, "half_life": np.nan,
              "b": np.nan, "b_p": np.nan, "n_areas": int(usable.sum())}
    if usable.sum() < MIN_POINTS or not np.isfinite(span) or span <= 0:
        return result
    log0 = np.log(y0[usable])
    growth = (np.log(yt[usable]) - log0) / span
    ols = _one_line(log0, growth)
    if ols is None or not np.isfinite(ols["slope"]):
        return result
    b, dof = float(ols["slope"]), int(ols["n"]) - 2
    se = (float(ols["ci_high"]) - b) / stats.t.ppf(0.975, dof)
    half = stats.t.ppf((1 + confidence) / 2, dof) * se
    beta = _speed(b, span)
    result.update(beta=beta, beta_ci_low=_speed(b + half, span), beta_ci_high=_speed(b - half, span),
                  half_life=float(np.log(2) / beta) if beta > 0 else np.nan, b=b, b_p=float(ols["p"]))
    return result
