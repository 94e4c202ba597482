"""Gaps to the city and trends per area: pure functions from observations to the analysis tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .canonical import (
    COMPOSITE_COLUMNS,
    CONVERGENCE_COLUMNS,
    GAPS_COLUMNS,
    INEQUALITY_COLUMNS,
    OK,
    PROJECTIONS_COLUMNS,
    SUPPRESSED,
    TRENDS_COLUMNS,
    typed_frame,
)

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
    ok = observations[observations["status"] == OK].copy()
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
    """Per indicator, category and area with at least `min_periods` years: the slope, the recent
    trend (last five years), and whether the gap to the city widens or narrows (the slope of
    value - city, tested at `significance`)."""
    from .stats.trends import recent_trend

    keys = ["indicator_id", "category", "area_code"]
    ok = observations[observations["status"] == OK].copy()
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
    recent = recent_trend(ok, keys, significance=significance)
    table = table.join(gap_table, how="left").join(recent).reset_index()
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


# ------------------------------------------------------------ preparing the figures

# How the uncertainty of a figure is known (gaps.ci_method).
CI_WILSON, CI_BYAR, CI_T = "wilson", "byar", "t"
POPULATION = "inwoners"  # the catalogue's number of inhabitants: weights of the population-weighted measures
HOUSEHOLDS = "huishoudens"
# The catalogue's `denominator` of register shares, and the indicator that counts it.
DENOMINATOR_COUNTS = {"households": HOUSEHOLDS, "inhabitants": POPULATION}
LEVELS_COMPARED = ("wijk", "subwijk", "buurt")
FIGURE_KEYS = ["indicator_id", "category", "area_code", "period"]
# Categories that stand for the whole population where a source has no uncategorised series:
# RIVM's age group 18+ (adults). The report shows these series; others stay in the tables.
HEADLINE_CATEGORIES = ("18+",)


def derive_rates(observations: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    """Observations of the derived indicators: numerator / denominator x per, per area, category and
    year where both are available; `count` holds the numerator and `n` the denominator."""
    ok = observations[observations["status"] == OK]
    frames = []
    for spec in derived.itertuples():
        num = ok.loc[ok["indicator_id"] == spec.numerator, ["area_code", "category", "period", "value"]]
        den = ok.loc[ok["indicator_id"] == spec.denominator, ["area_code", "category", "period", "value"]]
        both = num.merge(den, on=["area_code", "category", "period"], suffixes=("_num", "_den"))
        both = both[both["value_den"] > 0]
        frames.append(pd.DataFrame({
            "indicator_id": spec.id, "area_code": both["area_code"], "category": both["category"],
            "period": both["period"], "value": both["value_num"] / both["value_den"] * spec.per,
            "status": OK, "n": both["value_den"], "count": both["value_num"], "per": spec.per,
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*FIGURE_KEYS, "value"])


def apply_disclosure(figures: pd.DataFrame, min_cases: int) -> tuple[pd.DataFrame, int]:
    """Figures based on fewer than `min_cases` cases (the count of a rate, else the respondents n)
    are not published: their value is removed and status set to suppressed, so that nothing
    derived from them (gaps, spread, trends, index) can use them. Returns (figures, number removed)."""
    cases = figures["count"].fillna(figures["n"])
    small = (figures["status"] == OK) & cases.notna() & (cases < min_cases)
    figures = figures.copy()
    figures.loc[small, "value"] = np.nan
    figures.loc[small, "status"] = SUPPRESSED
    return figures, int(small.sum())


def add_intervals(figures: pd.DataFrame, units: dict[str, str], design_effect: dict[str, float],
                  confidence: float) -> pd.DataFrame:
    """95% (or `confidence`) limits of each figure and the method that gave them.

    Counts of a rate: Byar / exact Poisson on the count. Percentages with a known n: Wilson, with
    n / deff for a configured design effect (by indicator or source id). Means with a known sd and
    n (report marks): t interval. Otherwise no interval: nothing is invented.
    """
    from .stats.intervals import byar_interval, mean_t_interval, wilson_interval

    value = figures["value"].astype(float).to_numpy()
    n = figures["n"].astype(float).to_numpy()
    count = figures["count"].astype(float).to_numpy()
    sd = figures["sd"].astype(float).to_numpy() if "sd" in figures else np.full(len(figures), np.nan)
    unit = figures["indicator_id"].map(units).to_numpy()
    deff = figures["indicator_id"].map(design_effect)
    if "source_id" in figures:
        deff = deff.fillna(figures["source_id"].map(design_effect))
    deff = deff.fillna(1.0).astype(float).to_numpy()
    low, high = np.full(len(figures), np.nan), np.full(len(figures), np.nan)
    method = np.full(len(figures), None, dtype=object)

    rate = ~np.isnan(count) & ~np.isnan(n) & (n > 0)
    if rate.any():
        c_low, c_high = byar_interval(count[rate], confidence)
        scale = figures["per"].astype(float).to_numpy()[rate] / n[rate]
        low[rate], high[rate], method[rate] = c_low * scale, c_high * scale, CI_BYAR
    share = ~rate & (unit == "percent") & ~np.isnan(n) & (n > 0) & ~np.isnan(value)
    if share.any():
        w_low, w_high = wilson_interval(value[share] / 100, n[share], confidence, deff[share])
        low[share], high[share], method[share] = w_low * 100, w_high * 100, CI_WILSON
    mean = ~rate & ~share & ~np.isnan(sd) & ~np.isnan(n) & (n >= 2) & ~np.isnan(value)
    if mean.any():
        t_low, t_high = mean_t_interval(value[mean], sd[mean], n[mean], confidence)
        low[mean], high[mean], method[mean] = t_low, t_high, CI_T
    return figures.assign(ci_low=low, ci_high=high, ci_method=method)


def compare_with_city(gaps: pd.DataFrame, intervals_998: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """comparison_95 / comparison_998: the area's interval against the city's value (polarity-aware)."""
    from .stats.compare import compare_with_benchmark

    polarity = gaps["indicator_id"].map(dict(zip(indicators["id"], indicators["polarity"], strict=True)))
    wide = gaps.merge(intervals_998, on=FIGURE_KEYS, how="left")
    gaps = gaps.copy()
    for column, (low, high) in {"comparison_95": ("ci_low", "ci_high"),
                                "comparison_998": ("ci_low_998", "ci_high_998")}.items():
        gaps[column] = compare_with_benchmark(
            wide[low].astype(float).to_numpy(), wide[high].astype(float).to_numpy(),
            wide["city_value"].astype(float).to_numpy(), polarity.to_numpy())
    return gaps


def add_subwijk_counts(figures: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Inhabitants and households of subwijken (which CBS does not publish) as the sum over their
    buurten, per year, where every buurt of the subwijk has a figure."""
    subwijk_of = areas[areas["level"] == "buurt"].set_index("code")["parent_code"]
    subwijken = set(areas.loc[areas["level"] == "subwijk", "code"])
    size = subwijk_of[subwijk_of.isin(subwijken)].value_counts()
    counts = figures[figures["indicator_id"].isin([POPULATION, HOUSEHOLDS]) & (figures["status"] == OK)
                     & figures["category"].isna() & figures["area_code"].isin(subwijk_of.index)]
    counts = counts.assign(area_code=counts["area_code"].map(subwijk_of))
    counts = counts[counts["area_code"].isin(subwijken)]
    sums = counts.groupby(["indicator_id", "area_code", "period"]).agg(value=("value", "sum"), parts=("value", "size"))
    sums = sums[sums["parts"] == sums.index.get_level_values("area_code").map(size).to_numpy()].reset_index()
    known = figures[["indicator_id", "area_code", "period"]].merge(sums, how="right", indicator=True)
    new = sums[(known["_merge"] == "right_only").to_numpy()].drop(columns="parts")
    return pd.concat([figures, new.assign(status=OK, category=pd.NA)], ignore_index=True)


def register_denominators(figures: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """n for register percentages: the number of households or inhabitants the share is of (the
    catalogue's `denominator`), in the nearest year with a count, where the source gives no n.
    `n_source` says what n counts (respondents, households, inhabitants)."""
    denominator = figures["indicator_id"].map(dict(zip(indicators["id"], indicators["denominator"], strict=True)))
    unit = figures["indicator_id"].map(dict(zip(indicators["id"], indicators["unit"], strict=True)))
    figures = figures.assign(n_source=denominator.where(figures["n"].notna()))
    for name, counted in DENOMINATOR_COUNTS.items():
        rows = figures["n"].isna() & (unit == "percent") & (denominator == name) & (figures["status"] == OK)
        if rows.any():
            n = nearest_in_time(figures, counted, figures[rows])
            figures.loc[rows, "n"] = n.to_numpy()
            figures.loc[rows & figures["n"].notna(), "n_source"] = name
    return figures


def nearest_in_time(figures: pd.DataFrame, indicator: str, wanted: pd.DataFrame) -> pd.Series:
    """The value of `indicator` for each (area_code, period) row of `wanted`, from the nearest year
    that has one (population counts exist for fewer years than survey figures)."""
    rows = figures[(figures["indicator_id"] == indicator) & (figures["status"] == OK)]
    # The series without a second dimension, else the headline category (RIVM: adults, 18+).
    headline = rows["category"].isna() if rows["category"].isna().any() else rows["category"].isin(
        HEADLINE_CATEGORIES)
    source = rows.loc[headline, ["area_code", "period", "value"]]
    if source.empty or wanted.empty:
        return pd.Series(np.nan, index=wanted.index)
    left = wanted[["area_code", "period"]].astype({"period": "int64", "area_code": "object"}).reset_index()
    right = source.astype({"period": "int64", "area_code": "object"}).rename(columns={"value": "_v"})
    matched = pd.merge_asof(left.sort_values("period"), right.sort_values("period"), on="period",
                            by="area_code", direction="nearest")
    return matched.set_index("index")["_v"].reindex(wanted.index).astype(float)


# Units whose values are per-capita quantities or shares, so that their spread over areas means
# something (counts, codes and areas in hectares do not).
SPREAD_UNITS = ("percent", "rating", "average", "per_100_inhabitants", "per_1000_inhabitants",
                "per_household", "euro_1000", "per_km2", "km")


def inequality_table(figures: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame, city_code: str,
                     deprivation: str | None, n_sim: int, seed: int) -> pd.DataFrame:
    """Spread over the areas of one level, per indicator, category and year.

    Range, max/min ratio and coefficient of variation (unweighted); population-weighted Gini and
    Theil T (buurten: split into between-wijk and within-wijk parts); the index of dissimilarity
    where the figure is a count's share of a known total; SII and RII against the areas' order on
    the deprivation indicator (areas without a place on it left out), with simulated intervals.
    Weights are each area's number of inhabitants in the nearest year that has one (`weights`
    says which weights were used).
    """
    from .stats.inequality import dissimilarity, gini, sii_rii, spread, theil_t
    from .stats.intervals import standard_error_from_interval

    info = indicators.set_index("id")
    eligible = set(info.index[info["unit"].isin(SPREAD_UNITS)])
    level_of = dict(zip(areas["code"], areas["level"], strict=True))
    wijk_of = dict(zip(areas["code"], areas["wijk_code"], strict=True))
    data = figures[(figures["status"] == OK) & figures["indicator_id"].isin(eligible)
                   & (figures["area_code"] != city_code)].copy()
    data["level"] = data["area_code"].map(level_of)
    data = data[data["level"].isin(LEVELS_COMPARED)]
    if data.empty:
        return _typed(pd.DataFrame(columns=list(INEQUALITY_COLUMNS)), INEQUALITY_COLUMNS)
    data["population"] = nearest_in_time(figures, POPULATION, data)
    denominators = info["denominator"].map(DENOMINATOR_COUNTS)
    data["_total"] = np.nan
    for denominator in denominators.dropna().unique():
        rows = data["indicator_id"].map(denominators).eq(denominator) & data["count"].isna()
        data.loc[rows, "_total"] = nearest_in_time(figures, denominator, data[rows]).to_numpy()
    shares = (info["unit"] == "percent").reindex(data["indicator_id"]).to_numpy()
    group_count = np.where(data["count"].notna(), data["count"], np.where(shares, data["value"] / 100, np.nan)
                           * data["_total"])
    total = np.where(data["count"].notna(), data["n"], data["_total"])
    data["_group"], data["_all"] = group_count, total
    if deprivation is not None and deprivation in info.index:
        data["_order"] = nearest_in_time(figures, deprivation, data)
        if info.loc[deprivation, "polarity"] == "higher_is_better":
            data["_order"] = -data["_order"]  # the lowest value is the most deprived
    else:
        data["_order"] = np.nan
    data["_se"] = standard_error_from_interval(data["ci_low"], data["ci_high"], 0.95)
    rows = []
    for (indicator, category, period, level), group in data.groupby(
            ["indicator_id", "category", "period", "level"], dropna=False, sort=True):
        values = group["value"].to_numpy(float)
        weights = group["population"].to_numpy(float)
        row = {"indicator_id": indicator, "category": category, "period": period, "level": level,
               "n_areas": len(values), **spread(values)}
        weighted = not np.isnan(weights).any()
        row["weights"] = "inhabitants" if weighted else "none"
        if weighted and len(values) >= 2:
            row["gini"] = gini(values, weights)
            groups = group["area_code"].map(wijk_of).to_numpy() if level != "wijk" else None
            theil = theil_t(values, weights, groups)
            row.update(theil=theil["theil"], theil_between=theil.get("between"), theil_within=theil.get("within"))
            # SII/RII over the areas whose place on the deprivation indicator is known.
            order = group["_order"].to_numpy(float)
            ranked = ~np.isnan(order)
            if ranked.sum() >= 3:
                se_values = group["_se"].to_numpy(float)[ranked]
                result = sii_rii(values[ranked], weights[ranked], order[ranked],
                                 se=None if np.isnan(se_values).any() else se_values, n_sim=n_sim, seed=seed)
                row.update({k: result[k] for k in ("sii", "sii_ci_low", "sii_ci_high", "rii", "rii_ci_low",
                                                   "rii_ci_high")})
        if group["_group"].notna().all() and group["_all"].notna().all():
            row["dissimilarity"] = dissimilarity(group["_group"].to_numpy(float), group["_all"].to_numpy(float))
        rows.append(row)
    return _typed(pd.DataFrame(rows), INEQUALITY_COLUMNS)


def convergence_table(inequality: pd.DataFrame, figures: pd.DataFrame, areas: pd.DataFrame, city_code: str,
                      significance: float, min_periods: int) -> pd.DataFrame:
    """Per indicator, category and level: sigma-convergence (the trend of the coefficient of
    variation over the years) and beta-convergence (growth against the starting level, between
    the first and the last year, with the half-life of the gaps)."""
    from .stats.trends import beta_convergence, sigma_convergence

    level_of = dict(zip(areas["code"], areas["level"], strict=True))
    data = figures[(figures["status"] == OK) & (figures["area_code"] != city_code)].copy()
    data["level"] = data["area_code"].map(level_of)
    rows = []
    keys = ["indicator_id", "category", "level"]
    by_key = dict(tuple(data.groupby(keys, dropna=False, sort=False)))
    for key, group in inequality.dropna(subset=["cv"]).groupby(keys, dropna=False, sort=True):
        if group["period"].nunique() < min_periods:
            continue
        first, last = int(group["period"].min()), int(group["period"].max())
        row = dict(zip(keys, key, strict=True)) | {
            "first_period": first, "last_period": last, "n_periods": group["period"].nunique(),
            "n_areas": int(group["n_areas"].max()),
        }
        row.update(sigma_convergence(group["period"].to_numpy(float), group["cv"].to_numpy(float), significance))
        values = by_key.get(key)
        if values is not None:
            ends = values[values["period"].isin([first, last])]
            wide = ends.drop_duplicates(["area_code", "period"]).set_index(["area_code", "period"])["value"].unstack()
            if first in wide and last in wide:
                both = wide[[first, last]].dropna()
                beta = beta_convergence(both[first].to_numpy(float), both[last].to_numpy(float), last - first)
                row.update({k: beta[k] for k in ("beta", "beta_ci_low", "beta_ci_high", "half_life")})
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=list(CONVERGENCE_COLUMNS)), CONVERGENCE_COLUMNS)


def projection_table(figures: pd.DataFrame, areas: pd.DataFrame, trends: pd.DataFrame, city_code: str,
                     target: int, min_periods: int, bounds: dict[str, tuple] | None = None) -> pd.DataFrame:
    """If nothing changes: each area's and the city's linear trend extrapolated to `target`, with a
    95% prediction interval; the projected gap; and the years until the gap closes at the
    current pace of the gap's own trend (NULL: not at the current pace). Projections and their
    intervals are kept within the unit's bounds (`bounds`: indicator -> (min, max), e.g. 0-100%)."""
    from .stats.projection import project_linear, years_to_close

    keys = ["indicator_id", "category", "area_code"]
    ok = figures[figures["status"] == OK].copy()
    ok["period"] = ok["period"].astype(float)
    ok["value"] = ok["value"].astype(float)
    projected = project_linear(ok, keys, target, min_points=min_periods).reset_index()
    projected = projected[projected["n"] >= min_periods]
    if projected.empty:
        return _typed(pd.DataFrame(columns=list(PROJECTIONS_COLUMNS)), PROJECTIONS_COLUMNS)
    for indicator, (low, high) in (bounds or {}).items():
        rows = projected["indicator_id"] == indicator
        for column in ("projected", "pi_low", "pi_high"):
            projected.loc[rows, column] = projected.loc[rows, column].clip(lower=low, upper=high)
    city = projected.loc[projected["area_code"] == city_code, ["indicator_id", "category", "projected"]]
    table = projected.merge(city.rename(columns={"projected": "city_projected"}),
                            on=["indicator_id", "category"], how="left")
    table["projected_gap"] = (table["projected"] - table["city_projected"]).where(table["area_code"] != city_code)
    table = table.merge(trends[[*keys, "last_gap", "gap_slope"]], on=keys, how="left")
    table["years_to_close"] = years_to_close(table["last_gap"].astype(float).to_numpy(),
                                             table["gap_slope"].astype(float).to_numpy())
    table["target_period"] = target
    table["n_periods"] = table["n"]
    table["level"] = table["area_code"].map(dict(zip(areas["code"], areas["level"], strict=True)))
    return _typed(table.sort_values(keys), PROJECTIONS_COLUMNS)


def composite_table(figures: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame, city_code: str,
                    settings: dict, level: str = "wijk") -> pd.DataFrame:
    """The composite index of the areas of `level` per year and theme (city = 100 in the base
    period), with the range of ranks each area takes when each weight varies by ±sensitivity."""
    from .stats.composite import composite_index, rank_sensitivity

    chosen = settings["indicators"]
    info = indicators.set_index("id")
    polarity = {i: info.loc[i, "polarity"] for i in chosen if i in info.index}
    themes = {i: settings["themes"].get(i, info.loc[i, "theme"]) for i in polarity}
    weights = {i: float(settings["weights"].get(i, 1.0)) for i in polarity}
    ok = figures[(figures["status"] == OK) & figures["indicator_id"].isin(list(polarity))
                 & figures["category"].isna()]
    level_codes = set(areas.loc[areas["level"] == level, "code"])
    values = ok[ok["area_code"].isin(level_codes)][["area_code", "indicator_id", "period", "value"]]
    city = ok[ok["area_code"] == city_code][["indicator_id", "period", "value"]]
    if values.empty or city.empty:
        return _typed(pd.DataFrame(columns=list(COMPOSITE_COLUMNS)), COMPOSITE_COLUMNS)
    base = settings["base_period"] or int(values["period"].min())
    scores = composite_index(values, city, polarity, themes, weights, base)
    ranges = rank_sensitivity(values, city, polarity, themes, weights, base, settings["sensitivity"])
    table = scores.merge(ranges, on=["area_code", "period", "theme"], how="left")
    table["level"] = level
    return _typed(table.sort_values(["period", "theme", "rank", "area_code"]), COMPOSITE_COLUMNS)


def run_analysis(observations: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame,
                 units: dict[str, str], derived: pd.DataFrame, city_code: str, settings: dict,
                 last_period: int, bounds: dict[str, tuple] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every analysis table from the current observations; and a summary for the log.

    `units` maps indicator to unit id; `bounds` indicator to the unit's (min, max) (None: open)."""
    figures = observations.assign(count=np.nan, per=np.nan)
    figures = pd.concat([figures, derive_rates(observations, derived)], ignore_index=True)
    figures["category"] = figures["category"].astype("string")
    figures = add_subwijk_counts(figures, areas)
    figures = register_denominators(figures, indicators)
    figures, withheld = apply_disclosure(figures, settings["min_cases"])
    figures = add_intervals(figures, units, settings["design_effect"], 0.95)
    wide_998 = add_intervals(figures.drop(columns=["ci_low", "ci_high", "ci_method"]), units,
                             settings["design_effect"], 0.998)
    intervals_998 = wide_998[[*FIGURE_KEYS, "ci_low", "ci_high"]].rename(
        columns={"ci_low": "ci_low_998", "ci_high": "ci_high_998"}).drop_duplicates(FIGURE_KEYS)
    gaps = compare_with_city(gap_to_city(figures, areas, indicators, city_code), intervals_998, indicators)
    gaps = _typed(gaps, GAPS_COLUMNS)
    min_periods, significance = settings["min_periods_for_trend"], settings["significance"]
    trends = area_trends(figures, areas, indicators, city_code, min_periods, significance)
    inequality = inequality_table(figures, areas, indicators, city_code, settings["deprivation_indicator"],
                                  settings["simulations"], settings["seed"])
    convergence = convergence_table(inequality, figures, areas, city_code, significance, min_periods)
    target = settings["projection_period"] or last_period + 5
    projections = projection_table(figures, areas, trends, city_code, target, min_periods, bounds)
    composite = composite_table(figures, areas, indicators, city_code, settings["composite"])
    tables = {"gaps": gaps, "trends": trends, "inequality": inequality, "convergence": convergence,
              "projections": projections, "composite": composite}
    summary = {name: len(table) for name, table in tables.items()} | {"withheld_small_numbers": withheld}
    return tables, summary
