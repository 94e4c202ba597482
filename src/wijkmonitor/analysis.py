"""Gaps to the city and trends per area: pure functions from observations to the analysis tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .canonical import typed_frame

# The analysis tables' columns: the contract the report and the warehouse views rely on.
GAPS_COLUMNS = {
    "indicator_id": "string", "category": "string", "area_code": "string", "level": "string",
    "period": "Int64", "value": "Float64", "city_value": "Float64", "abs_gap": "Float64",
    "rel_gap": "Float64", "unfavourable_gap": "Float64", "rank": "Int64", "n_ranked": "Int64",
}
TRENDS_COLUMNS = {
    "indicator_id": "string", "category": "string", "area_code": "string", "level": "string",
    "first_period": "Int64", "last_period": "Int64", "n_periods": "Int64",
    "slope": "Float64", "slope_ci_low": "Float64", "slope_ci_high": "Float64", "slope_p": "Float64",
    "first_gap": "Float64", "last_gap": "Float64", "gap_slope": "Float64", "gap_slope_p": "Float64",
    "gap_trend": "string", "unfavourable": "boolean",
}
ANALYSIS_COLUMNS = {"gaps": GAPS_COLUMNS, "trends": TRENDS_COLUMNS}

# gap_trend values
WIDENING, NARROWING, NO_CHANGE = "widening", "narrowing", "no_significant_change"

_KEY = ["indicator_id", "category", "period"]


def _typed(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return typed_frame(frame, columns).reset_index(drop=True)


def polarity_sign(polarity: pd.Series) -> pd.Series:
    """+1 where a higher value is worse, -1 where it is better, NA where neither (neutral)."""
    return polarity.map({"lower_is_better": 1.0, "higher_is_better": -1.0}).astype("Float64")


def gap_to_city(observations: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame,
                city_code: str) -> pd.DataFrame:
    """Per indicator, category, area and year: the value, the city's value, the gaps and the rank.

    `observations` are current observations (one per key); only `ok` values take part.
    abs_gap = value - city; rel_gap = value / city - 1; unfavourable_gap = abs_gap signed so
    that positive means worse than the city (NULL for indicators without polarity); rank 1 is
    the most favourable area among the areas of the same level (for neutral indicators: the
    highest value).
    """
    ok = observations[observations["status"] == "ok"].copy()
    ok["category"] = ok["category"].astype("string")
    ok = ok.merge(areas[["code", "level"]], left_on="area_code", right_on="code", how="left")
    city = ok.loc[ok["area_code"] == city_code, [*_KEY, "value"]].rename(columns={"value": "city_value"})
    table = ok[ok["area_code"] != city_code].merge(city, on=_KEY, how="inner", validate="many_to_one")
    table = table.merge(indicators[["id", "polarity"]], left_on="indicator_id", right_on="id", how="left")
    table["abs_gap"] = table["value"] - table["city_value"]
    table["rel_gap"] = (table["value"] / table["city_value"] - 1).where(table["city_value"] != 0)
    table["unfavourable_gap"] = table["abs_gap"] * polarity_sign(table["polarity"])
    ascending = table["polarity"].eq("lower_is_better")
    score = table["value"].where(ascending, -table["value"])
    groups = [*_KEY, "level"]
    table["_score"] = score.astype("float64")
    table["rank"] = table.groupby(groups, dropna=False)["_score"].rank(method="min").astype("Int64")
    table["n_ranked"] = table.groupby(groups, dropna=False)["_score"].transform("count")
    table = table.sort_values(["indicator_id", "category", "period", "level", "rank", "area_code"])
    return _typed(table, GAPS_COLUMNS)


def linear_trend(periods: np.ndarray, values: np.ndarray) -> tuple[float, float, float, float]:
    """(slope, CI low, CI high, p) of an OLS line through the points; 95% t interval."""
    result = stats.linregress(periods.astype(float), values.astype(float))
    dof = len(periods) - 2
    half = stats.t.ppf(0.975, dof) * result.stderr if dof > 0 else np.nan
    return float(result.slope), float(result.slope - half), float(result.slope + half), float(result.pvalue)


def grouped_ols(frame: pd.DataFrame, keys: list[str], x: str, y: str) -> pd.DataFrame:
    """OLS of y on x within each group, vectorised: n, slope, 95% t interval and two-sided p.

    The same numbers as `linear_trend` per group (tests check it), without a Python loop, so
    thousands of area series take milliseconds.
    """
    data = frame[[*keys, x, y]].dropna(subset=[x, y]).copy()
    data[x] = data[x].astype(float)
    # Round away float noise (gaps of 1-decimal figures differ by ~1e-15), so a constant series
    # has a slope of exactly zero rather than a "significant" 1e-17.
    data[y] = data[y].astype(float).round(9)
    grouped = data.groupby(keys, dropna=False, sort=True)
    mean = grouped[[x, y]].transform("mean")
    data["_dx"], data["_dy"] = data[x] - mean[x], data[y] - mean[y]
    data["_sxx"], data["_sxy"], data["_syy"] = data["_dx"] ** 2, data["_dx"] * data["_dy"], data["_dy"] ** 2
    sums = data.groupby(keys, dropna=False, sort=True).agg(
        n=(x, "size"), sxx=("_sxx", "sum"), sxy=("_sxy", "sum"), syy=("_syy", "sum"))
    dof = sums["n"] - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = sums["sxy"] / sums["sxx"]
        sse = (sums["syy"] - slope * sums["sxy"]).clip(lower=0)
        se = np.sqrt(sse / dof / sums["sxx"])
        t = np.abs(slope / se)
    p = pd.Series(2 * stats.t.sf(t.fillna(0), dof.clip(lower=1)), index=sums.index)
    p = p.where(se > 0, np.where(slope == 0, 1.0, 0.0))  # an exact line: certain, unless flat
    half = stats.t.ppf(0.975, dof.clip(lower=1)) * se
    return pd.DataFrame({"n": sums["n"], "slope": slope, "ci_low": slope - half, "ci_high": slope + half,
                         "p": p.where(dof > 0)})


def area_trends(observations: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame,
                city_code: str, min_periods: int = 3, significance: float = 0.05) -> pd.DataFrame:
    """Per indicator, category and area with at least `min_periods` years: the slope, and whether
    the gap to the city widens or narrows (the slope of value - city, tested at `significance`)."""
    keys = ["indicator_id", "category", "area_code"]
    ok = observations[observations["status"] == "ok"].copy()
    ok["category"] = ok["category"].astype("string")
    city = ok.loc[ok["area_code"] == city_code, [*_KEY, "value"]].rename(columns={"value": "city_value"})
    ok = ok.merge(city, on=_KEY, how="left")
    ok["gap"] = (ok["value"] - ok["city_value"]).where(ok["area_code"] != city_code)
    ok["period"] = ok["period"].astype(float)
    ok["value"] = ok["value"].astype(float)
    ok["gap"] = ok["gap"].astype(float)

    ols = grouped_ols(ok, keys, "period", "value")
    ols = ols[ols["n"] >= min_periods]
    span = ok.groupby(keys, dropna=False, sort=True)["period"].agg(first_period="min", last_period="max")
    table = ols.join(span).rename(columns={"n": "n_periods", "ci_low": "slope_ci_low",
                                           "ci_high": "slope_ci_high", "p": "slope_p"})
    with_gap = ok.dropna(subset=["gap"]).sort_values([*keys, "period"])
    gap_ols = grouped_ols(with_gap, keys, "period", "gap")
    gap_ols = gap_ols[gap_ols["n"] >= min_periods]
    ends = with_gap.groupby(keys, dropna=False, sort=True)["gap"].agg(first_gap="first", last_gap="last")
    gap_table = gap_ols[["slope", "p"]].rename(columns={"slope": "gap_slope", "p": "gap_slope_p"}).join(ends)
    table = table.join(gap_table, how="left").reset_index()
    if table.empty:
        return _typed(pd.DataFrame(columns=list(TRENDS_COLUMNS)), TRENDS_COLUMNS)

    # The gap widens when it moves away from zero: its slope has the sign of the latest gap.
    direction = np.sign(table["last_gap"]) * table["gap_slope"]
    significant = (table["gap_slope_p"] < significance) & (direction != 0)
    table["gap_trend"] = np.where(table["gap_slope"].isna(), None, np.where(
        significant & (direction > 0), WIDENING, np.where(significant & (direction < 0), NARROWING, NO_CHANGE)))
    sign = polarity_sign(table["indicator_id"].map(dict(zip(indicators["id"], indicators["polarity"], strict=True))))
    table["unfavourable"] = pd.Series(sign * table["last_gap"] > 0, dtype="boolean").where(
        sign.notna() & table["last_gap"].notna())
    table["level"] = table["area_code"].map(dict(zip(areas["code"], areas["level"], strict=True)))
    return _typed(table.sort_values(keys), TRENDS_COLUMNS)
