"""Projections "if nothing changes": each area's position relative to the city in a linear mixed model,
simulated forward with its prediction uncertainty, and the years until that position reaches zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import as_float

REFERENCES: dict[str, str] = {"relative_position_model": (
    "Laird, N. M. & Ware, J. H. (1982). Random-effects models for longitudinal data. Biometrics 38(4), "
    "963-974 (random intercept and slope per unit, REML); Robinson, G. K. (1991). That BLUP is a good thing: "
    "the estimation of random effects. Statistical Science 6(1), 15-32 (conditional modes and their "
    "covariance); fitted with statsmodels MixedLM (Seabold & Perktold 2010). Wijkmonitor models each area's "
    "position relative to the city, logit(area) - logit(city) for shares and log(area / city) for rates, "
    "and projects the level as that position plus a stated scenario for the city. Prediction error of "
    "fixed and random effects together: Henderson, C. R. (1975). Best linear unbiased estimation and "
    "prediction under a selection model. Biometrics 31(2), 423-447."
)}

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
