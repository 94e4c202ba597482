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
    "and projects the level as that position plus a stated scenario for the city. Prediction error of "
    "fixed and random effects together: Henderson, C. R. (1975). Best linear unbiased estimation and "
    "prediction under a selection model. Biometrics 31(2), 423-447."
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
    """A fitted mixed model of areas' relative positions.

    Flat: y_it = (b0 + u0_i) + (b1 + u1_i) t + e_it, a random intercept and slope per area i.
    Nested (`parents` given): y_it = (b0 + u0_w + v0_i) + (b1 + u1_w + v1_i) t + e_it, a random intercept
    and slope per parent w (the wijk) and per area i within it (the buurt).
    t is in decades from the last wave (the intercept is the position at the last wave). `beta`,
    `cov_beta`: fixed effects and their covariance. Random effects are kept per group (an area, or a
    parent with its areas): `group_mean`/`group_cov` the conditional mean and covariance of the group's
    random effects given the data; for area `areas[i]`, `intercept_terms[i]`/`slope_terms[i]` are its
    group and the positions in that group's vector that add up to its intercept and slope deviation.
    `group_shift[g]` = D Z_g' V_g^-1 X_g: how the group's conditional modes move when the fixed effects
    move (they are estimated from the same data), so that a draw of the fixed effects shifts the random
    effects the opposite way and an area with many own waves keeps its well-determined level.
    `scale`: the residual variance; `structure`: "nested", "intercept_slope" or "intercept"."""

    areas: tuple
    beta: np.ndarray
    cov_beta: np.ndarray
    group_mean: tuple
    group_cov: tuple
    group_shift: tuple
    area_group: tuple
    intercept_terms: tuple
    slope_terms: tuple
    scale: float
    structure: str
    n_waves: int
    last_period: int

    @property
    def random_slope(self) -> bool:
        return self.structure != "intercept"

    @property
    def blup(self) -> np.ndarray:
        """Per area the conditional mode of its (intercept, slope) deviation from the fixed effects."""
        return np.array([[self.group_mean[g][list(i)].sum(), self.group_mean[g][list(s)].sum()]
                         for g, i, s in zip(self.area_group, self.intercept_terms, self.slope_terms, strict=True)])


DECADE = 10.0


def _design(data: pd.DataFrame, period: str, last: int) -> np.ndarray:
    t = (data[period].astype(float).to_numpy() - last) / DECADE
    return np.column_stack([np.ones(len(data)), t])


def _fit_once(data: pd.DataFrame, area: str, period: str, y: str, parent: str | None, structure: str, last: int):
    """One REML fit of the given structure; None when it fails, does not converge or is singular."""
    import warnings

    from statsmodels.regression.mixed_linear_model import MixedLM

    exog = _design(data, period, last)
    nested = structure == "nested"
    groups = data[parent if nested else area].to_numpy()
    exog_re = exog[:, :1] if structure == "intercept" else exog
    exog_vc = None
    if nested:
        exog_vc = {"v0": {}, "v1": {}}
        for group in pd.unique(groups):
            rows = groups == group
            codes = pd.Categorical(data.loc[rows, area], categories=sorted(data.loc[rows, area].unique())).codes
            z = np.zeros((rows.sum(), codes.max() + 1))
            z[np.arange(rows.sum()), codes] = 1.0
            exog_vc["v0"][group], exog_vc["v1"][group] = z, z * exog[rows, 1:2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = MixedLM(data[y].astype(float).to_numpy(), exog, groups=groups, exog_re=exog_re, exog_vc=exog_vc)
            result = model.fit(reml=True, method=["lbfgs", "bfgs", "powell"])
        except (np.linalg.LinAlgError, ValueError):
            return None
    cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
    vcomp = np.asarray(result.vcomp, dtype=float).ravel()
    variances = np.concatenate([np.linalg.eigvalsh(cov_re), vcomp])
    if not result.converged or not np.all(np.isfinite(variances)) or np.any(variances < 1e-10):
        return None
    # Per group D Z' V^-1 X (Henderson): D the random effects' covariance, Z their design (the group's
    # own random effects, then each variance component's columns, in statsmodels' order), V = Z D Z' + s2 I.
    shifts = {}
    vc_names = list(model.exog_vc.names) if nested else []
    for group in pd.unique(groups):
        rows = groups == group
        blocks = [exog_re[rows]] + [exog_vc[name][group] for name in vc_names]
        z = np.hstack(blocks)
        d = np.zeros((z.shape[1], z.shape[1]))
        k = exog_re.shape[1]
        d[:k, :k] = cov_re
        start = k
        for name, variance in zip(vc_names, vcomp, strict=True):
            width = exog_vc[name][group].shape[1]
            d[start:start + width, start:start + width] = np.eye(width) * variance
            start += width
        v = z @ d @ z.T + result.scale * np.eye(rows.sum())
        shifts[group] = d @ z.T @ np.linalg.solve(v, exog[rows])
    return result, shifts


def fit_relative_position(frame: pd.DataFrame, area: str = "area_code", period: str = "period",
                          y: str = "position", parent: str | None = None) -> PositionFit | None:
    """Fit the relative-position model to the areas of one level (one indicator and category) by REML.

    Method: a linear mixed model with a random intercept and a random slope per area (Laird & Ware 1982),
    so that an area's own trend is shrunk toward the common trend of all areas in proportion to how
    little its own waves say (the random-slope variance against the residual variance). With `parent`
    (a column naming each area's wijk), buurten are nested in wijken: a random intercept and slope per
    wijk and per buurt (variance components), so buurten of one wijk share its deviation and a wijk
    combined from its buurten carries that shared uncertainty. When a structure does not converge or has
    a zero variance (common with three waves), the next simpler one is fitted: nested, then a random
    intercept and slope per area, then a random intercept alone (`structure` says which). Time is in
    decades from the last wave. Needs at least 3 waves and 3 areas; None otherwise or when no model
    converges.
    Reference: Laird & Ware (1982); Robinson (1991); statsmodels MixedLM.
    """
    columns = [area, period, y] + ([parent] if parent else [])
    data = frame[columns].dropna()
    data = data[np.isfinite(data[y].astype(float))].reset_index(drop=True)
    n_waves = int(data[period].nunique())
    if n_waves < 3 or data[area].nunique() < 3:
        return None
    last = int(data[period].max())
    structures = (["nested"] if parent and data[parent].nunique() >= 3 else []) + ["intercept_slope", "intercept"]
    for structure in structures:
        fitted = _fit_once(data, area, period, y, parent, structure, last)
        if fitted is None:
            continue
        result, shifts = fitted
        k_fe = len(result.fe_params)
        names, means, covs, moves, area_group, intercepts, slopes = [], [], [], [], [], [], []
        for g, group in enumerate(sorted(result.random_effects)):
            effects = result.random_effects[group]
            labels = list(effects.index)
            means.append(np.asarray(effects, dtype=float))
            covs.append(np.asarray(result.random_effects_cov[group], dtype=float))
            moves.append(shifts[group])
            group_re = [labels.index(c) for c in labels if not c.startswith(("v0[", "v1["))]
            if structure == "nested":
                members = sorted(data.loc[data[parent] == group, area].unique())
                for j, member in enumerate(members):
                    names.append(member)
                    area_group.append(g)
                    intercepts.append((group_re[0], labels.index(f"v0[{j}]")))
                    slopes.append((group_re[1], labels.index(f"v1[{j}]")))
            else:
                names.append(group)
                area_group.append(g)
                intercepts.append((group_re[0],))
                slopes.append((group_re[1],) if structure == "intercept_slope" else ())
        return PositionFit(areas=tuple(names), beta=np.asarray(result.fe_params, dtype=float),
                           cov_beta=np.asarray(result.cov_params(), dtype=float)[:k_fe, :k_fe],
                           group_mean=tuple(means), group_cov=tuple(covs), group_shift=tuple(moves),
                           area_group=tuple(area_group),
                           intercept_terms=tuple(intercepts), slope_terms=tuple(slopes), scale=float(result.scale),
                           structure=structure, n_waves=n_waves, last_period=last)
    return None


def simulate_positions(fit: PositionFit, periods: list[int], draws: int, seed: int) -> dict[str, np.ndarray]:
    """Draws of each area's relative position at `periods` for a new observation, and of its slope.

    Each draw takes the fixed effects from their estimated normal distribution, each group's random
    effects jointly from their conditional distribution given the data and the drawn fixed effects (so
    buurten of one wijk share its draw; a fixed-effects draw d = beta* - beta moves the modes by
    -D Z' V^-1 X d, the prediction-error covariance of Henderson's mixed model equations), and a residual
    for the new figure: position = x'(beta + u) + e, x = (1, t). Returns
    `position` (areas, periods, draws), `slope` (areas, draws) in scale units per year, and `now`
    (areas, draws): the fitted position at the last wave. Deterministic for a seed.
    """
    rng = np.random.default_rng(seed)
    beta = rng.multivariate_normal(fit.beta, fit.cov_beta, size=draws, method="eigh")  # (draws, 2)
    delta = beta - fit.beta[None, :]
    group_draws = [mean[None, :] - delta @ shift.T + rng.standard_normal((draws, len(mean))) @ _sqrt_psd(cov).T
                   for mean, cov, shift in zip(fit.group_mean, fit.group_cov, fit.group_shift, strict=True)]
    intercept = np.stack([group_draws[g][:, list(i)].sum(axis=1)
                          for g, i in zip(fit.area_group, fit.intercept_terms, strict=True)])  # (areas, draws)
    slope = np.stack([group_draws[g][:, list(i)].sum(axis=1) if i else np.zeros(draws)
                      for g, i in zip(fit.area_group, fit.slope_terms, strict=True)])
    intercept, slope = intercept + beta[None, :, 0], slope + beta[None, :, 1]
    t = (np.asarray(periods, dtype=float) - fit.last_period) / DECADE
    position = intercept[:, None, :] + slope[:, None, :] * t[None, :, None]
    position = position + rng.normal(0.0, np.sqrt(fit.scale), size=position.shape)
    return {"position": position, "slope": slope / DECADE, "now": intercept}


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
