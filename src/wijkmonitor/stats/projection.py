"""Projections "if nothing changes": the linear trend extrapolated with its prediction interval, and the
years until a gap to the city closes at the current pace.

Vectorised over groups (grouped pandas sums, no loop per area); NaN where the data cannot support a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import as_float

REFERENCES: dict[str, str] = {
    "project_linear": (
        "Montgomery, D. C., Peck, E. A. & Vining, G. G. (2012). Introduction to Linear Regression Analysis, "
        "5th ed. Wiley, chapter 2 (simple linear regression: prediction of a new observation, "
        "yhat0 +/- t(alpha/2, n-2) * sqrt(MSE * (1 + 1/n + (x0 - xbar)^2 / Sxx))). The same interval as R's "
        "predict.lm(interval = 'prediction')."
    ),
    "years_to_close": (
        "Linear extrapolation of the gap's OLS trend (the model of project_linear; Montgomery, Peck & Vining "
        "2012, chapter 2): years = -gap / slope when the slope moves the gap towards zero."
    ),
}


def project_linear(frame: pd.DataFrame, keys: list[str], target: float, x: str = "period", y: str = "value",
                   confidence: float = 0.95, min_points: int = 3) -> pd.DataFrame:
    """Per group, the OLS line through (x, y) extrapolated to x0 = `target`, with its prediction interval.

    Method: yhat0 = ybar + b (x0 - xbar), b = Sxy / Sxx, s^2 = SSE / (n - 2) with SSE the sum of squared
    residuals, and the prediction interval for a new observation at x0
        yhat0 +/- t_{(1+confidence)/2, n-2} * s * sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx).
    It is wider than the confidence interval of the line itself: it covers the year-to-year scatter around
    the line too, which is what a single future year's figure will show. It assumes the linear trend goes on
    and the residuals are independent and normal; it says nothing about policy changes ("if nothing changes").

    Reference: Montgomery, Peck & Vining (2012), Introduction to Linear Regression Analysis, 5th ed., ch. 2
    (prediction of new observations); equals R's predict.lm(..., interval = "prediction").

    Inputs: `frame` in long form with the `keys` columns, `x` (the period, e.g. year) and `y` (the value, in
    the indicator's unit); `target` the period to project to (a scalar; may also lie inside the data range);
    `confidence` the interval's coverage; `min_points` the fewest points to project from (at least 2).
    Rows with a missing x or y are left out.
    Returns: a DataFrame indexed by `keys` (every group in `frame`, sorted) with columns projected, pi_low,
    pi_high (y units), n (points used) and last_period (the latest x with a value). projected is NaN with
    fewer than `min_points` points or when all x are equal; the interval is NaN too with fewer than 3 points
    (no residual degrees of freedom). Points exactly on a line give an interval of (numerically) zero width.
    """
    return _predict(_fit(frame, keys, x, y), _integer(frame[x]), target, confidence, min_points)


def project_linear_path(frame: pd.DataFrame, keys: list[str], targets: list[float], x: str = "period",
                        y: str = "value", confidence: float = 0.95, min_points: int = 3) -> pd.DataFrame:
    """`project_linear` for several target periods from one fit (a prediction band): the same columns,
    indexed by `keys` plus `target`."""
    sums, integer_x = _fit(frame, keys, x, y), _integer(frame[x])
    parts = [_predict(sums, integer_x, t, confidence, min_points).assign(target=t) for t in targets]
    return pd.concat(parts).set_index("target", append=True)


def _fit(frame: pd.DataFrame, keys: list[str], x: str, y: str) -> pd.DataFrame:
    """Per group the sums of the OLS fit: n, x and y means, Sxx, Sxy, SSE and the last x."""
    data = frame[[*keys, x, y]].dropna(subset=[x, y]).copy()
    data["_x"], data["_y"] = data[x].astype(float), data[y].astype(float)
    grouped = data.groupby(keys, dropna=False, sort=True)
    mean = grouped[["_x", "_y"]].transform("mean")
    data["_dx"], data["_dy"] = data["_x"] - mean["_x"], data["_y"] - mean["_y"]
    data["_sxx"], data["_sxy"] = data["_dx"] ** 2, data["_dx"] * data["_dy"]
    by_row = data.groupby(keys, dropna=False, sort=True)[["_sxx", "_sxy"]].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        # Residuals in the centred form (two-pass), so points on a line give SSE ~ 0, not a cancellation error.
        data["_res2"] = (data["_dy"] - by_row["_sxy"] / by_row["_sxx"] * data["_dx"]) ** 2
    sums = data.groupby(keys, dropna=False, sort=True).agg(
        n=("_x", "size"), xbar=("_x", "mean"), ybar=("_y", "mean"), sxx=("_sxx", "sum"), sxy=("_sxy", "sum"),
        sse=("_res2", "sum"), last_period=(x, "max"))
    groups = frame[keys].groupby(keys, dropna=False, sort=True).size().index if keys else sums.index
    return sums.reindex(groups)


def _integer(column: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(column.dtype)


def _predict(sums: pd.DataFrame, integer_x: bool, target: float, confidence: float, min_points: int) -> pd.DataFrame:
    """The fitted line at `target` with its prediction interval, from `_fit`'s sums (`integer_x`: the
    periods are integers, so `last_period` is returned as Int64)."""
    min_points = max(int(min_points), 2)
    groups = sums.index
    n = sums["n"].fillna(0).astype(int)
    dof = n - 2
    fit = (n >= min_points) & (sums["sxx"] > 0)
    dist = float(target) - sums["xbar"]
    with np.errstate(divide="ignore", invalid="ignore"):
        projected = (sums["ybar"] + sums["sxy"] / sums["sxx"] * dist).where(fit)
        s = np.sqrt(sums["sse"] / dof.where(dof > 0))
        se_new = s * np.sqrt(1 + 1 / n + dist ** 2 / sums["sxx"])
    half = pd.Series(stats.t.ppf((1 + confidence) / 2, dof.clip(lower=1)), index=groups) * se_new
    half = half.where(fit & (dof > 0))
    last_period = sums["last_period"]
    if integer_x:
        last_period = last_period.astype("Int64")
    return pd.DataFrame({"projected": projected, "pi_low": projected - half, "pi_high": projected + half,
                         "n": n, "last_period": last_period}, index=groups)


def years_to_close(gap_now: Any, gap_slope: Any, gap_slope_p: Any = None, significance: float | None = None
                   ) -> np.ndarray:
    """Years until the gap to the city reaches zero at the current pace; NaN when it does not close.

    Method: with the current gap G (area minus city, in the indicator's unit; either sign: only its
    distance to zero matters) and the gap's linear trend b (units per year, e.g. `gap_slope` of the area
    trends), the gap closes in -G / b years when b moves it towards zero (b of the opposite sign to G).
    NaN when the gap is widening or flat (b of the same sign as G, or b = 0): the report then says "not at
    the current pace". 0 when G == 0 (nothing to close, whatever the slope). NaN when G or b is missing, or
    when -G / b overflows.
    G is the latest observed gap, not the fitted line's value; the pace is assumed to stay constant.

    Optional significance filter: when both `gap_slope_p` and `significance` are given, a result (other
    than an already closed gap) is NaN unless p < significance, i.e. only a trend distinguishable from no
    trend is extrapolated (a missing p counts as not significant). Giving only one of the two is an error.

    Reference: linear extrapolation of the OLS trend, the model of `project_linear` (Montgomery, Peck &
    Vining 2012, ch. 2). Inputs broadcast (scalars or arrays / Series of equal length).
    Returns: a float ndarray of years (>= 0) or NaN.
    """
    if (gap_slope_p is None) != (significance is None):
        raise ValueError("years_to_close: give both gap_slope_p and significance, or neither")
    gap, slope = np.broadcast_arrays(as_float(gap_now), as_float(gap_slope))
    closing = (gap * slope < 0)  # opposite signs, both non-zero and present
    if gap_slope_p is not None:
        p = np.broadcast_to(as_float(gap_slope_p), gap.shape)
        closing &= p < significance
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        years = np.where(closing, -gap / slope, np.nan)
    years = np.where(np.isfinite(years), years, np.nan)  # a pace too slow to represent never closes the gap
    return np.where(gap == 0, 0.0, years)


# ------------------------------------------------------------- relative position: a linear mixed model

REFERENCES["relative_position_model"] = (
    "Laird, N. M. & Ware, J. H. (1982). Random-effects models for longitudinal data. Biometrics 38(4), "
    "963-974 (random intercept and slope per unit, REML); Robinson, G. K. (1991). That BLUP is a good thing: "
    "the estimation of random effects. Statistical Science 6(1), 15-32 (conditional modes and their "
    "covariance); fitted with statsmodels MixedLM (Seabold & Perktold 2010). Wijkmonitor models each area's "
    "position relative to the city, logit(area) - logit(city) for shares and log(area / city) for rates, "
    "and projects the level as that position plus a stated scenario for the city."
)

# Transforms of a figure to the scale on which the relative position is modelled.
LOGIT, LOG, IDENTITY = "logit", "log", "identity"
# Shares are kept inside [0.1%, 99.9%] before the logit, so that a published 0 or 100 stays finite.
SHARE_FLOOR = 0.001


def to_scale(values: Any, transform: str) -> np.ndarray:
    """A figure on the model's scale: logit of a percentage (0-100), log of a positive rate, or as it is."""
    v = as_float(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        if transform == LOGIT:
            share = np.clip(v / 100, SHARE_FLOOR, 1 - SHARE_FLOOR)
            return np.log(share / (1 - share))
        if transform == LOG:
            return np.where(v > 0, np.log(v), np.nan)
    return v


def from_scale(values: Any, transform: str) -> np.ndarray:
    """The inverse of `to_scale`: back to a percentage (0-100), a rate, or the value itself."""
    v = as_float(values)
    if transform == LOGIT:
        return 100 / (1 + np.exp(-v))
    if transform == LOG:
        return np.exp(v)
    return v


@dataclass(frozen=True)
class PositionFit:
    """A fitted mixed model of areas' relative positions: y_it = (b0 + u0_i) + (b1 + u1_i) t + e_it.

    t is in decades from the last wave (the intercept is the position at the last wave). `beta`,
    `cov_beta`: fixed effects and their covariance; `blup`, `blup_cov`: per area the conditional mode of
    (u0, u1) and its conditional covariance; `scale`: the residual variance; `random_slope`: false when
    only a random intercept could be estimated."""

    areas: tuple
    beta: np.ndarray
    cov_beta: np.ndarray
    blup: np.ndarray  # (areas, 2)
    blup_cov: np.ndarray  # (areas, 2, 2)
    scale: float
    random_slope: bool
    n_waves: int
    last_period: int


DECADE = 10.0


def fit_relative_position(frame: pd.DataFrame, area: str = "area_code", period: str = "period",
                          y: str = "position") -> PositionFit | None:
    """Fit the relative-position model to the areas of one level (one indicator and category) by REML.

    Method: a linear mixed model with a random intercept and a random slope per area (Laird & Ware 1982),
    so that an area's own trend is shrunk toward the common trend of all areas in proportion to how
    little its own waves say (the random-slope variance against the residual variance). When the model
    with a random slope does not converge or its covariance is singular (common with three waves), a
    random intercept alone is fitted; `random_slope` says which. Time is in decades from the last wave.
    Needs at least 3 waves and 3 areas; None otherwise or when neither model converges.
    Reference: Laird & Ware (1982); Robinson (1991); statsmodels MixedLM.
    """
    import warnings

    from statsmodels.regression.mixed_linear_model import MixedLM

    data = frame[[area, period, y]].dropna()
    data = data[np.isfinite(data[y].astype(float))]
    n_waves = int(data[period].nunique())
    if n_waves < 3 or data[area].nunique() < 3:
        return None
    last = int(data[period].max())
    t = (data[period].astype(float).to_numpy() - last) / DECADE
    exog = np.column_stack([np.ones(len(data)), t])
    groups = data[area].to_numpy()
    for random_slope in (True, False):
        exog_re = exog if random_slope else exog[:, :1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = MixedLM(data[y].astype(float).to_numpy(), exog, groups=groups, exog_re=exog_re).fit(
                    reml=True, method=["lbfgs", "bfgs", "powell"])
            except (np.linalg.LinAlgError, ValueError):
                continue
        cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
        if not result.converged or not np.all(np.isfinite(cov_re)) or np.any(np.linalg.eigvalsh(cov_re) < 1e-10):
            continue
        areas = tuple(sorted(result.random_effects))
        blup = np.zeros((len(areas), 2))
        blup_cov = np.zeros((len(areas), 2, 2))
        for i, a in enumerate(areas):
            k = 2 if random_slope else 1
            blup[i, :k] = np.asarray(result.random_effects[a], dtype=float)[:k]
            blup_cov[i, :k, :k] = np.asarray(result.random_effects_cov[a], dtype=float)[:k, :k]
        k_fe = len(result.fe_params)
        return PositionFit(areas=areas, beta=np.asarray(result.fe_params, dtype=float),
                           cov_beta=np.asarray(result.cov_params(), dtype=float)[:k_fe, :k_fe], blup=blup,
                           blup_cov=blup_cov, scale=float(result.scale), random_slope=random_slope,
                           n_waves=n_waves, last_period=last)
    return None


def simulate_positions(fit: PositionFit, periods: list[int], draws: int, seed: int) -> dict[str, np.ndarray]:
    """Draws of each area's relative position at `periods` for a new observation, and of its slope.

    Each draw takes the fixed effects from their estimated normal distribution, each area's random
    effects from their conditional distribution given the data, and a residual for the new figure:
    position = x'(beta + u_i) + e, x = (1, t). Returns `position` (areas, periods, draws), `slope`
    (areas, draws) in scale units per year, and `now` (areas, draws): the fitted position at the last wave.
    Deterministic for a seed.
    """
    rng = np.random.default_rng(seed)
    n = len(fit.areas)
    beta = rng.multivariate_normal(fit.beta, fit.cov_beta, size=draws, method="eigh")  # (draws, 2)
    chol = np.stack([_sqrt_psd(c) for c in fit.blup_cov])  # (areas, 2, 2)
    u = fit.blup[:, None, :] + np.einsum("aij,adj->adi", chol, rng.standard_normal((n, draws, 2)))
    coef = beta[None, :, :] + u  # (areas, draws, 2)
    t = (np.asarray(periods, dtype=float) - fit.last_period) / DECADE
    position = coef[:, None, :, 0] + coef[:, None, :, 1] * t[None, :, None]
    position = position + rng.normal(0.0, np.sqrt(fit.scale), size=position.shape)
    return {"position": position, "slope": coef[:, :, 1] / DECADE, "now": coef[:, :, 0]}


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """A square root L (L L' = matrix) of a symmetric positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(matrix)
    return vectors * np.sqrt(np.clip(values, 0, None))


def years_to_close_range(position_now: float, slope_low: float, slope_high: float) -> tuple[float, float]:
    """The years until a relative position reaches zero, as a range over the slope's interval; NaN, NaN
    unless the whole interval moves the position toward zero (both limits of the opposite sign)."""
    if not all(np.isfinite([position_now, slope_low, slope_high])) or position_now == 0:
        return (0.0, 0.0) if position_now == 0 else (np.nan, np.nan)
    if np.sign(slope_low) != np.sign(slope_high) or np.sign(slope_low) != -np.sign(position_now) or slope_low == 0:
        return np.nan, np.nan
    speeds = sorted([abs(slope_low), abs(slope_high)])
    return abs(position_now) / speeds[1], abs(position_now) / speeds[0]
