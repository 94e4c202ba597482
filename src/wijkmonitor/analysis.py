"""Gaps to the city and trends per area: pure functions from observations to the analysis tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

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
    for name in columns:
        if name not in frame.columns:
            frame[name] = pd.NA
    return frame[list(columns)].astype(columns).reset_index(drop=True)


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


def area_trends(observations: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame,
                city_code: str, min_periods: int = 3, significance: float = 0.05) -> pd.DataFrame:
    """Per indicator, category and area with at least `min_periods` years: the slope, and whether
    the gap to the city widens or narrows (the slope of value - city, tested at `significance`)."""
    ok = observations[observations["status"] == "ok"].copy()
    ok["category"] = ok["category"].astype("string")
    city = ok.loc[ok["area_code"] == city_code, [*_KEY, "value"]].rename(columns={"value": "city_value"})
    ok = ok.merge(city, on=_KEY, how="left")
    polarity = dict(zip(indicators["id"], indicators["polarity"], strict=True))
    level = dict(zip(areas["code"], areas["level"], strict=True))
    rows = []
    for (indicator, category, area), series in ok.groupby(
        ["indicator_id", "category", "area_code"], dropna=False, sort=True
    ):
        series = series.sort_values("period")
        if len(series) < min_periods:
            continue
        periods = series["period"].to_numpy(dtype=float)
        slope, low, high, p = linear_trend(periods, series["value"].to_numpy(dtype=float))
        row = {
            "indicator_id": indicator, "category": category, "area_code": area, "level": level.get(area),
            "first_period": int(periods[0]), "last_period": int(periods[-1]), "n_periods": len(series),
            "slope": slope, "slope_ci_low": low, "slope_ci_high": high, "slope_p": p,
        }
        both = series.dropna(subset=["city_value"])
        if area != city_code and len(both) >= min_periods:
            gaps = (both["value"] - both["city_value"]).to_numpy(dtype=float)
            gap_slope, _, _, gap_p = linear_trend(both["period"].to_numpy(dtype=float), gaps)
            # The gap widens when it moves away from zero: its slope has the sign of the gap.
            direction = np.sign(gaps[-1]) * gap_slope
            trend = NO_CHANGE
            if gap_p < significance and direction != 0:
                trend = WIDENING if direction > 0 else NARROWING
            sign = {"lower_is_better": 1, "higher_is_better": -1}.get(polarity.get(indicator))
            row |= {
                "first_gap": gaps[0], "last_gap": gaps[-1], "gap_slope": gap_slope, "gap_slope_p": gap_p,
                "gap_trend": trend,
                "unfavourable": None if sign is None else bool(sign * gaps[-1] > 0),
            }
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=list(TRENDS_COLUMNS)), TRENDS_COLUMNS)
