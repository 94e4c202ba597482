"""Gaps to the city and trends per area: pure functions from observations to the analysis tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .canonical import (
    COMPOSITE_COLUMNS,
    CONVERGENCE_COLUMNS,
    GAPS_COLUMNS,
    INEQUALITY_CHANGE_COLUMNS,
    INEQUALITY_COLUMNS,
    OK,
    PROJECTIONS_COLUMNS,
    SERIES_BREAKS_COLUMNS,
    TRENDS_COLUMNS,
    carried,
    estimated,
    typed_frame,
)
from .disclosure import protect, publish
from .revisions import revision_table

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


# How a series was tested (trends.trend_test).
OLS_TREND, TWO_WAVE, NOT_ESTIMABLE, NO_TEST = "ols_trend", "two_wave_change", "not_estimable", "no_test"
# gap_trend values besides widening / narrowing / no_significant_change.
CROSSED, NOT_TESTED = "crossed", "not_tested"
# relative_change: the gap aligned to the indicator's polarity.
RELATIVELY_WORSE, RELATIVELY_BETTER = "relatively_worse", "relatively_better"


def _flag(condition: pd.Series) -> np.ndarray:
    """A condition with missing entries (pandas NA) as a numpy bool array, NA counting as false."""
    return pd.Series(condition).astype("boolean").fillna(False).to_numpy(dtype=bool)


def _two_wave_p(change: pd.Series, se_first: pd.Series, se_last: pd.Series) -> pd.Series:
    """Two-sided p of a change between two independent estimates (Altman & Bland 2003): z = d / sqrt(se1² + se2²)."""
    from .stats.compare import two_sided_p

    se = np.hypot(se_first.astype(float), se_last.astype(float))
    z = change.astype(float) / se
    return pd.Series(two_sided_p(z), index=change.index).where(np.isfinite(z) & (se > 0))


def _series_tests(data: pd.DataFrame, keys: list[str], y: str, se: str, min_periods: int) -> pd.DataFrame:
    """Per series: n, first/last period and value, and the test of its change that the data support.

    With at least `min_periods` points: the OLS slope and its t test (NaN p for an exact fit: the
    test is "not_estimable"); fitted ends for the sign of the start and end. With fewer (at least
    two): the change from the first to the last point, tested with the standard errors of both
    points where they are known (Altman & Bland 2003), else "no_test".
    """
    from .stats.trends import grouped_ols

    data = data.dropna(subset=[y]).sort_values([*keys, "period"])
    grouped = data.groupby(keys, dropna=False, sort=True)
    ends = grouped.agg(n=("period", "size"), first_period=("period", "min"), last_period=("period", "max"),
                       first=(y, "first"), last=(y, "last"), first_se=(se, "first"), last_se=(se, "last"))
    ols = grouped_ols(data, keys, "period", y).reindex(ends.index)
    table = ends.join(ols[["slope", "ci_low", "ci_high", "p", "exact"]])
    use_ols = table["n"] >= min_periods
    table.loc[~use_ols, ["slope", "ci_low", "ci_high", "p"]] = np.nan
    # Fitted ends of the OLS line (the observed ends scatter around it); observed ends for two waves.
    mean = grouped[["period", y]].mean().reindex(ends.index)
    fit_first = mean[y] + table["slope"] * (table["first_period"] - mean["period"])
    fit_last = mean[y] + table["slope"] * (table["last_period"] - mean["period"])
    table["start"] = fit_first.where(use_ols, table["first"])
    table["end"] = fit_last.where(use_ols, table["last"])
    table["change"] = table["last"] - table["first"]
    table["change_p"] = _two_wave_p(table["change"], table["first_se"], table["last_se"]).where(
        ~use_ols & (table["n"] >= 2))
    exact = use_ols & table["exact"].astype("boolean").fillna(False)
    table["test"] = np.select([_flag(exact), _flag(use_ols), _flag(table["change_p"].notna())],
                              [NOT_ESTIMABLE, OLS_TREND, TWO_WAVE], NO_TEST)
    table["test_p"] = table["p"].where(use_ols, table["change_p"])
    table["direction"] = table["slope"].where(use_ols, table["change"])
    return table


def _model_without_margins(figures: pd.DataFrame, indicators: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Per series (`keys`): true where the indicator is a model-based estimate (`estimate: model`) and
    some figure of the series has no interval."""
    estimate = figures["indicator_id"].map(dict(zip(indicators["id"], indicators.get("estimate", pd.Series(
        "direct", index=indicators.index)), strict=True)))
    se_missing = figures["se"].isna() if "se" in figures else figures["ci_low"].isna()
    flag = (estimate == "model") & se_missing
    return flag.groupby([figures[k] for k in keys], dropna=False).any()


def _withhold_tests(table: pd.DataFrame, untestable: pd.Series) -> pd.DataFrame:
    """No p-value, q-value or significance label for the rows flagged `untestable`."""
    rows = untestable.to_numpy(dtype=bool)
    if not rows.any():
        return table
    table = table.copy()
    for column in ("slope_p", "change_p", "trend_p", "gap_slope_p", "gap_change_p", "gap_p"):
        table.loc[rows, column] = np.nan
    table.loc[rows, ["slope_ci_low", "slope_ci_high"]] = np.nan
    table.loc[rows, "trend_test"] = NO_TEST
    table.loc[rows, "recent_trend"] = NOT_TESTED
    return table


def area_trends(observations: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame,
                city_code: str, min_periods: int = 5, significance: float = 0.05) -> pd.DataFrame:
    """Per indicator, category and area with at least two years: is the figure changing, and is the gap
    to the city closing?

    A trend test needs `min_periods` points (default 5, as Fingertips' recent trend): then the OLS
    slope of the value and of the gap (value - city) are tested; an exact fit is "not_estimable",
    never p = 0. With fewer points the first and last wave are compared with their standard errors
    (from the figures' 95% intervals; the gap's SE combines the area's and the city's); without
    intervals no test is possible. p-values of each family of tests (the areas of one level, all
    indicators) get Benjamini-Hochberg q-values, and only q < `significance` counts:
    - gap_trend: "widening" or "narrowing" when the gap stays on one side of the city (fitted or
      observed ends of one sign) and moves away from or towards zero; "crossed" when it changes side;
      "no_significant_change"; "not_tested" without a test;
    - relative_change: the change of the gap aligned to the indicator's polarity, "relatively_worse"
      or "relatively_better" than the city (NULL for indicators without polarity).
    """
    from .stats.intervals import standard_error_from_interval
    from .stats.multiplicity import bh_by_family
    from .stats.trends import recent_trend

    keys = ["indicator_id", "category", "area_code"]
    ok = observations[observations["status"] == OK].copy()
    ok["category"] = ok["category"].astype("string")
    ok["period"] = ok["period"].astype(float)
    ok["value"] = ok["value"].astype(float)
    if {"ci_low", "ci_high"} <= set(ok.columns):
        ok["se"] = standard_error_from_interval(ok["ci_low"], ok["ci_high"], 0.95)
    else:
        ok["se"] = np.nan
    city = ok.loc[ok["area_code"] == city_code, [*_KEY, "value", "se"]].rename(
        columns={"value": "city_value", "se": "city_se"})
    city["period"] = city["period"].astype(float)
    ok = ok.merge(city, on=_KEY, how="left")
    not_city = ok["area_code"] != city_code
    ok["gap"] = (ok["value"] - ok["city_value"]).where(not_city).astype(float)
    ok["gap_se"] = np.hypot(ok["se"].astype(float), ok["city_se"].astype(float))

    values = _series_tests(ok, keys, "value", "se", min_periods)
    values = values[values["n"] >= 2]
    if values.empty:
        return _typed(pd.DataFrame(columns=list(TRENDS_COLUMNS)), TRENDS_COLUMNS)
    table = values.rename(columns={
        "n": "n_periods", "slope": "slope", "ci_low": "slope_ci_low", "ci_high": "slope_ci_high", "p": "slope_p",
        "test": "trend_test", "test_p": "trend_p"})[
        ["n_periods", "first_period", "last_period", "trend_test", "slope", "slope_ci_low", "slope_ci_high",
         "slope_p", "change", "change_p", "trend_p"]]
    gaps = _series_tests(ok[not_city], keys, "gap", "gap_se", min_periods)
    gaps = gaps[gaps["n"] >= 2]
    table = table.join(gaps[["first", "last", "slope", "p", "change", "change_p", "test_p", "start", "end",
                             "direction"]].rename(columns={
        "first": "first_gap", "last": "last_gap", "slope": "gap_slope", "p": "gap_slope_p", "change": "gap_change",
        "change_p": "gap_change_p", "test_p": "gap_p"}), how="left")
    table = table.join(recent_trend(ok, keys, significance=significance, min_points=min_periods))
    # Model-based small-area estimates (catalogue `estimate: model`) without published margins: no test at
    # all, not even a trend line (their year-to-year scatter is the model's, not sampling noise).
    untestable = _model_without_margins(ok, indicators, keys)
    table = _withhold_tests(table, untestable.reindex(table.index, fill_value=False))
    table = table.reset_index()
    table["level"] = table["area_code"].map(dict(zip(areas["code"], areas["level"], strict=True)))

    # False discovery rate over each family: the areas of one level, all indicators and categories.
    table["trend_q"] = bh_by_family(table, "trend_p", ["level"])
    table["gap_q"] = bh_by_family(table, "gap_p", ["level"])
    significant = table["gap_q"] < significance
    start, end, direction = (table[c].astype(float) for c in ("start", "end", "direction"))
    one_side = np.sign(start) * np.sign(end) > 0
    away = np.sign(end) * direction > 0
    table["gap_trend"] = np.select(
        [_flag(table["gap_p"].isna()), _flag(~significant | (direction == 0)), _flag(one_side & away),
         _flag(one_side & ~away)], [NOT_TESTED, NO_CHANGE, WIDENING, NARROWING], CROSSED)
    table.loc[table["first_gap"].isna(), "gap_trend"] = None
    sign = polarity_sign(table["indicator_id"].map(dict(zip(indicators["id"], indicators["polarity"], strict=True))))
    worse = (sign * direction) > 0
    table["relative_change"] = np.select(
        [_flag(table["gap_p"].isna()), _flag(~significant | (direction == 0)), _flag(worse)],
        [NOT_TESTED, NO_CHANGE, RELATIVELY_WORSE], RELATIVELY_BETTER)
    table.loc[table["first_gap"].isna() | sign.isna().to_numpy(), "relative_change"] = None
    table["unfavourable"] = pd.Series(sign * table["last_gap"] > 0, dtype="boolean").where(
        sign.notna() & table["last_gap"].notna())
    return _typed(table.sort_values(keys), TRENDS_COLUMNS)


# ------------------------------------------------------------ preparing the figures

# How the uncertainty of a figure is known (gaps.ci_method); `model`: the interval the source publishes
# with a model-based small-area estimate (RIVM/CBS Marges).
CI_WILSON, CI_BYAR, CI_T, CI_MODEL = "wilson", "byar", "t", "model"
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
    linked = [c for c in ("link", "linked_from") if c in observations.columns]
    frames = []
    for spec in derived.itertuples():
        num = ok.loc[ok["indicator_id"] == spec.numerator, ["area_code", "category", "period", "value", *linked]]
        den = ok.loc[ok["indicator_id"] == spec.denominator, ["area_code", "category", "period", "value", *linked]]
        both = num.merge(den, on=["area_code", "category", "period"], suffixes=("_num", "_den"))
        both = both[both["value_den"] > 0]
        frame = pd.DataFrame({
            "indicator_id": spec.id, "area_code": both["area_code"], "category": both["category"],
            "period": both["period"], "value": both["value_num"] / both["value_den"] * spec.per,
            "status": OK, "n": both["value_den"], "count": both["value_num"], "per": spec.per,
            "kind": getattr(spec, "kind", "rate"),
        })
        for column in linked:  # a rate of a carried numerator or denominator is carried too
            frame[column] = both[f"{column}_num"].fillna(both[f"{column}_den"])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*FIGURE_KEYS, "value"])


def add_intervals(figures: pd.DataFrame, units: dict[str, str], design_effect: dict[str, float],
                  confidence: float) -> pd.DataFrame:
    """95% (or `confidence`) limits of each figure and the method that gave them.

    Counts of a rate: Byar / exact Poisson on the count. Percentages with a known n: Wilson, with
    n / deff for a configured design effect (by indicator or source id). Means with a known sd and
    n (report marks): t interval. Otherwise no interval: nothing is invented.
    """
    from .stats.intervals import byar_interval, mean_t_interval, wilson_interval, z_value

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

    kind = figures["kind"].to_numpy(dtype=object) if "kind" in figures else np.full(len(figures), None)
    per = figures["per"].astype(float).to_numpy()
    counted = ~np.isnan(count) & ~np.isnan(n) & (n > 0)
    persons = counted & (kind == "share") & (count <= n)
    if persons.any():
        p_low, p_high = wilson_interval(count[persons] / n[persons], n[persons], confidence, deff[persons])
        low[persons], high[persons], method[persons] = p_low * per[persons], p_high * per[persons], CI_WILSON
    rate = counted & ~persons
    if rate.any():
        c_low, c_high = byar_interval(count[rate], confidence)
        scale = per[rate] / n[rate]
        low[rate], high[rate], method[rate] = c_low * scale, c_high * scale, CI_BYAR
    share = ~counted & (unit == "percent") & ~np.isnan(n) & (n > 0) & ~np.isnan(value)
    if share.any():
        w_low, w_high = wilson_interval(value[share] / 100, n[share], confidence, deff[share])
        low[share], high[share], method[share] = w_low * 100, w_high * 100, CI_WILSON
    mean = ~counted & ~share & ~np.isnan(sd) & ~np.isnan(n) & (n >= 2) & ~np.isnan(value)
    if mean.any():
        t_low, t_high = mean_t_interval(value[mean], sd[mean], n[mean], confidence)
        low[mean], high[mean], method[mean] = t_low, t_high, CI_T
    # The interval the source publishes (RIVM/CBS small-area estimates: Marges MOG0095/MBG0095) wins;
    # at another confidence level its half-widths are scaled by the ratio of the normal quantiles.
    if {"source_ci_low", "source_ci_high"} <= set(figures.columns):
        s_low = figures["source_ci_low"].astype(float).to_numpy()
        s_high = figures["source_ci_high"].astype(float).to_numpy()
        given = np.isfinite(s_low) & np.isfinite(s_high) & np.isfinite(value)
        if given.any():
            ratio = z_value(confidence) / z_value(0.95)
            low[given] = value[given] - (value[given] - s_low[given]) * ratio
            high[given] = value[given] + (s_high[given] - value[given]) * ratio
            method[given] = CI_MODEL
    # A figure estimated across a split or merge (series_links) has no interval: its uncertainty is
    # that of the assumption it rests on, which no formula here measures.
    guess = estimated(figures).to_numpy(dtype=bool)
    low[guess], high[guess], method[guess] = np.nan, np.nan, None
    return figures.assign(ci_low=low, ci_high=high, ci_method=method)


def compare_with_city(gaps: pd.DataFrame, intervals_998: pd.DataFrame, indicators: pd.DataFrame,
                      significance: float = 0.05) -> pd.DataFrame:
    """The area against the city's value (polarity-aware).

    comparison_95 / comparison_998: the area's 95% / 99.8% interval against the city's value
    (Fingertips). city_p: the two-sided p of z = (value - city) / SE, SE from the area's 95% interval;
    city_q: its Benjamini-Hochberg q-value within the family the report flags together (the areas of
    one level for one indicator, category and year); comparison_fdr: better/worse (higher/lower) where
    city_q < `significance`, else similar; NULL where no test is possible.
    """
    from .stats.compare import compare_with_benchmark, two_sided_p
    from .stats.intervals import standard_error_from_interval
    from .stats.multiplicity import bh_by_family

    polarity = gaps["indicator_id"].map(dict(zip(indicators["id"], indicators["polarity"], strict=True)))
    wide = gaps.merge(intervals_998, on=FIGURE_KEYS, how="left")
    gaps = gaps.copy()
    for column, (low, high) in {"comparison_95": ("ci_low", "ci_high"),
                                "comparison_998": ("ci_low_998", "ci_high_998")}.items():
        gaps[column] = compare_with_benchmark(
            wide[low].astype(float).to_numpy(), wide[high].astype(float).to_numpy(),
            wide["city_value"].astype(float).to_numpy(), polarity.to_numpy())
    se = standard_error_from_interval(gaps["ci_low"], gaps["ci_high"], 0.95)
    difference = (gaps["value"] - gaps["city_value"]).astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = difference / se
    gaps["city_p"] = np.where(np.isfinite(z) & (se > 0), two_sided_p(z), np.nan)
    gaps["city_q"] = bh_by_family(gaps, "city_p", ["indicator_id", "category", "period", "level"])
    # The sign of the difference, as a degenerate interval on the side the area lies.
    significant = (gaps["city_q"] < significance).to_numpy()
    side = np.where(significant, np.sign(difference), 0.0)
    city = gaps["city_value"].astype(float).to_numpy()
    label = compare_with_benchmark(city + side, city + side, city, polarity.to_numpy())
    gaps["comparison_fdr"] = np.where(gaps["city_p"].notna(), label, None)
    return gaps


def add_subwijk_counts(figures: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Inhabitants and households of subwijken (which CBS does not publish) as the sum over their
    buurten, per year, where every buurt of the subwijk has a figure."""
    subwijk_of = areas[areas["level"] == "buurt"].set_index("code")["parent_code"]
    subwijken = set(areas.loc[areas["level"] == "subwijk", "code"])
    size = subwijk_of[subwijk_of.isin(subwijken)].value_counts()
    # Observed counts only: a buurt's carried figure and the retired buurt's own would count twice.
    counts = figures[figures["indicator_id"].isin([POPULATION, HOUSEHOLDS]) & (figures["status"] == OK)
                     & figures["category"].isna() & figures["area_code"].isin(subwijk_of.index) & ~carried(figures)]
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
    # Not for a share estimated across a split or merge: it describes the old area(s), so the new
    # area's count is not its base (no n, so no interval).
    own = ~estimated(figures)
    for name, counted in DENOMINATOR_COUNTS.items():
        rows = (figures["n"].isna() & (unit == "percent") & (denominator == name) & (figures["status"] == OK)
                & own)
        if rows.any():
            n = nearest_in_time(figures, counted, figures[rows])
            figures.loc[rows, "n"] = n.to_numpy()
            figures.loc[rows & figures["n"].notna(), "n_source"] = name
    return figures


def nearest_in_time(figures: pd.DataFrame, indicator: str, wanted: pd.DataFrame) -> pd.Series:
    """The value of `indicator` for each (area_code, period) row of `wanted`, from the nearest year
    that has one (population counts exist for fewer years than survey figures)."""
    return nearest_in_time_with_year(figures, indicator, wanted)[0]


def nearest_in_time_with_year(figures: pd.DataFrame, indicator: str, wanted: pd.DataFrame
                              ) -> tuple[pd.Series, pd.Series]:
    """`nearest_in_time`, and the year each value comes from."""
    rows = figures[(figures["indicator_id"] == indicator) & (figures["status"] == OK)]
    # The series without a second dimension, else the headline category (RIVM: adults, 18+).
    headline = rows["category"].isna() if rows["category"].isna().any() else rows["category"].isin(
        HEADLINE_CATEGORIES)
    source = rows.loc[headline, ["area_code", "period", "value"]]
    if source.empty or wanted.empty:
        return pd.Series(np.nan, index=wanted.index), pd.Series(np.nan, index=wanted.index)
    left = wanted[["area_code", "period"]].astype({"period": "int64", "area_code": "object"}).reset_index()
    right = source.astype({"period": "int64", "area_code": "object"}).rename(columns={"value": "_v"})
    right["_year"] = right["period"].astype(float)
    matched = pd.merge_asof(left.sort_values("period"), right.sort_values("period"), on="period",
                            by="area_code", direction="nearest").set_index("index")
    values = matched["_v"].reindex(wanted.index).astype(float)
    return values, matched["_year"].reindex(wanted.index).where(values.notna())


# Inhabitants of the age band a figure describes, from CBS's bands (0-14, 15-24, 25-44, 45-64, 65+): a
# weighted sum of the band counts. 18+ and 18-64 take 7 of the 10 ages of 15-24 (ages taken as equally
# large within that band), an approximation stated in the inequality table's `weights` column.
AGE_BAND_WEIGHTS = {
    "18+": {POPULATION: 1.0, "inwoners_0_14": -1.0, "inwoners_15_24": -0.3},
    "18-65": {"inwoners_15_24": 0.7, "inwoners_25_44": 1.0, "inwoners_45_64": 1.0},
    "65+": {"inwoners_65_plus": 1.0},
}


def population_weights(figures: pd.DataFrame, wanted: pd.DataFrame, age_bands: bool = True
                       ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each row's weight: the inhabitants of its area (with `age_bands`: of its age band,
    `AGE_BAND_WEIGHTS`, where the register has the bands) in the year nearest to its own. Returns
    (weights, year used, what they count: 'inhabitants' or 'inhabitants <band>')."""
    weights, years = nearest_in_time_with_year(figures, POPULATION, wanted)
    label = pd.Series("inhabitants", index=wanted.index, dtype=object)
    for band, parts in AGE_BAND_WEIGHTS.items() if age_bands else ():
        rows = wanted["category"].astype("string").eq(band).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            continue
        total, year = pd.Series(0.0, index=wanted.index[rows]), None
        for indicator, factor in parts.items():
            values, used = nearest_in_time_with_year(figures, indicator, wanted[rows])
            total = total + factor * values
            year = used if year is None else year
        if total.notna().all():
            weights[rows], years[rows], label[rows] = total.to_numpy(), year.to_numpy(), f"inhabitants {band}"
    return weights, years, label


# Units whose values are per-capita quantities or shares, so that their spread over areas means
# something (counts, codes and areas in hectares do not).
SPREAD_UNITS = ("percent", "rating", "average", "per_100_inhabitants", "per_1000_inhabitants",
                "per_household", "euro_1000", "per_km2", "km")


def _inequality_data(figures: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame, city_code: str,
                     deprivation: str | None, age_bands: bool = True,
                     counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The published figures whose spread over areas means something, per area of a compared level, with
    the columns the inequality measures need: population weights (`population`, `_weight_year`,
    `_weight_kind`), the group and total counts of the dissimilarity index (`_group`, `_all`), the
    area's place on the deprivation indicator (`_order`, higher = more deprived) and its SE (`_se`).

    Weights and totals come from `counts` (default `figures`): the run passes the figures before
    disclosure control, since a small count withheld from publication is still the right weight inside
    a city-wide measure, which publishes no area's weight."""
    counts = figures if counts is None else counts
    from .stats.intervals import standard_error_from_interval

    info = indicators.set_index("id")
    eligible = set(info.index[info["unit"].isin(SPREAD_UNITS)])
    level_of = dict(zip(areas["code"], areas["level"], strict=True))
    data = figures[(figures["status"] == OK) & figures["indicator_id"].isin(eligible)
                   & (figures["area_code"] != city_code)].copy()
    data["level"] = data["area_code"].map(level_of)
    data = data[data["level"].isin(LEVELS_COMPARED)]
    if data.empty:
        return data
    data["population"], data["_weight_year"], data["_weight_kind"] = population_weights(counts, data, age_bands)
    denominators = info["denominator"].map(DENOMINATOR_COUNTS)
    data["_total"] = np.nan
    for denominator in denominators.dropna().unique():
        rows = data["indicator_id"].map(denominators).eq(denominator) & data["count"].isna()
        data.loc[rows, "_total"] = nearest_in_time(counts, denominator, data[rows]).to_numpy()
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
    return data


def inequality_table(figures: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame, city_code: str,
                     deprivation: str | None, n_sim: int, seed: int, age_bands: bool = True,
                     data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spread over the areas of one level, per indicator, category and year.

    Range, max/min ratio and coefficient of variation (unweighted); population-weighted Gini and
    Theil T (buurten: split into between-wijk and within-wijk parts); the index of dissimilarity
    where the figure is a count's share of a known total; SII and RII against the areas' order on
    the deprivation indicator (areas without a place on it left out), with simulated intervals.
    Weights are each area's number of inhabitants (of the figure's age band) in the nearest year that
    has one (`weights` says which weights were used). `data`: `_inequality_data`'s frame when the
    caller has it already.
    """
    from .stats.inequality import dissimilarity, gini, sii_rii, spread, theil_t

    info = indicators.set_index("id")
    wijk_of = dict(zip(areas["code"], areas["wijk_code"], strict=True))
    if data is None:
        data = _inequality_data(figures, areas, indicators, city_code, deprivation, age_bands)
    if data.empty:
        return _typed(pd.DataFrame(columns=list(INEQUALITY_COLUMNS)), INEQUALITY_COLUMNS)
    rows = []
    for (indicator, category, period, level), group in data.groupby(
            ["indicator_id", "category", "period", "level"], dropna=False, sort=True):
        values = group["value"].to_numpy(float)
        weights = group["population"].to_numpy(float)
        row = {"indicator_id": indicator, "category": category, "period": period, "level": level,
               "n_areas": len(values), **spread(values)}
        weighted = not np.isnan(weights).any()
        years = group["_weight_year"].dropna().astype(int)
        row["weights"] = (f"{group['_weight_kind'].iloc[0]} {_years_label(years)}" if weighted else "none")
        if weighted and len(values) >= 2:
            row["gini"] = gini(values, weights)
            groups = group["area_code"].map(wijk_of).to_numpy() if level != "wijk" else None
            theil = theil_t(values, weights, groups)
            row.update(theil=theil["theil"], theil_between=theil.get("between"), theil_within=theil.get("within"))
            # SII/RII over the areas whose place on the deprivation indicator is known; never the ranking
            # indicator against itself.
            order = group["_order"].to_numpy(float)
            ranked = ~np.isnan(order)
            if ranked.sum() >= 3 and indicator != deprivation:
                se_values = group["_se"].to_numpy(float)[ranked]
                se = None if np.isnan(se_values).any() else se_values
                result = sii_rii(values[ranked], weights[ranked], order[ranked], se=se, n_sim=n_sim, seed=seed)
                row.update({k: result[k] for k in ("sii", "sii_ci_low", "sii_ci_high", "rii", "rii_ci_low",
                                                   "rii_ci_high")})
                row["rii_method"] = "mean"
                if info.loc[indicator, "unit"] == "percent" and ((values[ranked] > 0) & (values[ranked] < 100)).all():
                    # phe_sii's RII for shares: the ratio of the line's ends fitted on the logit scale.
                    ends = sii_rii(values[ranked], weights[ranked], order[ranked], se=se, n_sim=n_sim, seed=seed,
                                   rii_method="ends", transform="logit", scale=100.0)
                    row.update({"rii_ends": ends["rii"], "rii_ends_ci_low": ends["rii_ci_low"],
                                "rii_ends_ci_high": ends["rii_ci_high"]})
        if group["_group"].notna().all() and group["_all"].notna().all():
            row["dissimilarity"] = dissimilarity(group["_group"].to_numpy(float), group["_all"].to_numpy(float))
        rows.append(row)
    return _typed(pd.DataFrame(rows), INEQUALITY_COLUMNS)


def _years_label(years: pd.Series) -> str:
    """'2023' or '2019-2023': the years population weights come from."""
    if years.empty:
        return ""
    low, high = int(years.min()), int(years.max())
    return str(low) if low == high else f"{low}-{high}"


def inequality_change_table(figures: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame, city_code: str,
                            deprivation: str | None, n_boot: int, seed: int, significance: float,
                            min_change: float = 0.1, age_bands: bool = True,
                            data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Inequality over time and the divided triumph, per indicator, category and level.

    Between the first and the last wave of the areas that have a figure in both: the change of the
    population-weighted Theil T (with its between- and within-wijk parts) and of the SII, with paired
    bootstrap intervals over areas (`stats.inequality.inequality_change`); the city's own change,
    tested with its intervals where they exist (Altman & Bland 2003), else taken at face value when
    it is at least `min_change`; and `divided_triumph`: the city improved while inequality across the
    areas worsened beyond its uncertainty (`stats.inequality.divided_triumph`).
    """
    from .stats.inequality import divided_triumph, inequality_change
    from .stats.intervals import standard_error_from_interval
    from .stats.multiplicity import bh_qvalues

    if data is None:
        data = _inequality_data(figures, areas, indicators, city_code, deprivation, age_bands)
    empty = _typed(pd.DataFrame(columns=list(INEQUALITY_CHANGE_COLUMNS)), INEQUALITY_CHANGE_COLUMNS)
    if data.empty:
        return empty
    wijk_of = dict(zip(areas["code"], areas["wijk_code"], strict=True))
    polarity = dict(zip(indicators["id"], indicators["polarity"], strict=True))
    city = figures[(figures["area_code"] == city_code) & (figures["status"] == OK)]
    city_se = standard_error_from_interval(city["ci_low"], city["ci_high"], 0.95)
    # The city's first figure for each indicator, category (None: none) and year.
    city_figure: dict[tuple, tuple[float, float]] = {}
    for key, value, se in zip(zip(city["indicator_id"], city["category"].astype(object).where(city["category"].notna(),
                                                                                              None),
                                  city["period"], strict=True),
                              city["value"].to_numpy(float), np.asarray(city_se, dtype=float), strict=True):
        city_figure.setdefault(key, (value, se))
    rows = []
    keys = data[["indicator_id", "category", "level"]]
    row_area, row_period = data["area_code"].to_numpy(object), data["period"].to_numpy()
    row_value, row_population, row_order = (data[c].to_numpy(float) for c in ("value", "population", "_order"))
    for (indicator, category, level), members in keys.groupby(["indicator_id", "category", "level"], dropna=False,
                                                              sort=True).indices.items():
        periods = sorted(np.unique(row_period[members]).astype(int))
        if len(periods) < 2 or indicator == deprivation:
            continue
        first, last = periods[0], periods[-1]
        # Areas with a figure in both waves, in the order they first appear (one figure per area and wave).
        wave = {p: members[row_period[members] == p] for p in (first, last)}
        row_of = {p: dict(zip(row_area[wave[p]], wave[p], strict=True)) for p in (first, last)}
        codes = pd.unique(row_area[members[np.isin(row_period[members], [first, last])]])
        both = [a for a in codes if a in row_of[first] and a in row_of[last]]
        if len(both) < 3:
            continue
        at = {p: np.array([row_of[p][a] for a in both]) for p in (first, last)}
        result = inequality_change(
            row_value[at[first]], row_value[at[last]], row_population[at[first]], row_population[at[last]],
            groups=None if level == "wijk" else np.array([wijk_of.get(a) for a in both], dtype=object),
            order_first=row_order[at[first]], order_last=row_order[at[last]], n_boot=n_boot, seed=seed)
        row = {"indicator_id": indicator, "category": category, "level": level, "first_period": first,
               "last_period": last, "polarity": polarity.get(indicator), **result}
        for period, name in ((first, "first"), (last, "last")):
            value, se = city_figure.get((indicator, category if pd.notna(category) else None, period), (np.nan, np.nan))
            row[f"city_{name}"], row[f"city_se_{name}"] = float(value), float(se)
        rows.append(row)
    if not rows:
        return empty
    table = divided_triumph(pd.DataFrame(rows), min_change=min_change, significance=significance)
    # The summary headlines every divided triumph, so the inequality tests are one family each (Theil, SII):
    # an interval that excludes zero counts only when its Benjamini-Hochberg q is below `significance`.
    table["theil_change_q"] = bh_qvalues(table["theil_change_p"])
    table["sii_change_q"] = bh_qvalues(table["sii_change_p"])
    theil = table["theil_worsened"].astype(bool) & (table["theil_change_q"] < significance)
    sii = table["sii_widened"].astype(bool) & (table["sii_change_q"] < significance)
    table["inequality_worsened"] = np.select([theil & sii, theil, sii], ["theil+sii", "theil", "sii"], "none")
    table["divided_triumph"] = table["city_improved"].fillna(False).astype(bool) & (theil | sii)
    table["n_areas"] = table["n_areas"].astype("Int64")
    return _typed(table, INEQUALITY_CHANGE_COLUMNS)


def convergence_table(inequality: pd.DataFrame, figures: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame,
                      city_code: str, significance: float, min_periods: int) -> pd.DataFrame:
    """Per indicator, category and level: do the areas converge?

    Sigma-convergence (with at least `min_periods` waves): the trend of the dispersion across areas,
    for shares the standard deviation of their logits (scale-free near 0 and 100%), else the
    coefficient of variation (`sigma_measure`). Beta-convergence (two waves suffice): growth between
    the first and the last wave against the starting level, for shares on the logit scale (growth of
    the odds), else on the log scale, with the half-life of the gaps.
    """
    from .stats.trends import INSUFFICIENT, beta_convergence, sigma_convergence

    level_of = dict(zip(areas["code"], areas["level"], strict=True))
    unit_of = dict(zip(indicators["id"], indicators["unit"], strict=True))
    estimate_of = dict(zip(indicators["id"], indicators["estimate"], strict=True)) if "estimate" in indicators else {}
    data = figures.loc[(figures["status"] == OK) & (figures["area_code"] != city_code),
                       ["indicator_id", "category", "area_code", "period", "value", "ci_low"]].copy()
    data["level"] = data["area_code"].map(level_of)
    data = data[data["level"].isin(LEVELS_COMPARED)]
    # One spelling of "no category" on both sides of the lookup (NaN and NA would not match).
    data["_category"] = data["category"].astype("string").fillna("")
    eligible = inequality[["indicator_id", "category", "level"]].assign(
        _category=inequality["category"].astype("string").fillna("")).drop_duplicates()
    data = data.merge(eligible[["indicator_id", "_category", "level"]], on=["indicator_id", "_category", "level"])
    # Shares of exactly 0 or 100% have no logit: left out.
    is_share = data["indicator_id"].map(unit_of).eq("percent").to_numpy()
    value = data["value"].astype(float)
    data["_v"] = value.where(~is_share | ((value > 0) & (value < 100)))
    data = data.dropna(subset=["_v"])
    data["period"] = data["period"].astype(int)
    rows = []
    for (indicator, category, level), group in data.groupby(["indicator_id", "_category", "level"], sort=True):
        share = unit_of.get(indicator) == "percent"
        periods = sorted(group["period"].unique())
        if len(periods) < 2:
            continue
        first, last = periods[0], periods[-1]
        codes, period, v = group["area_code"].to_numpy(object), group["period"].to_numpy(), group["_v"].to_numpy(float)
        row = {"indicator_id": indicator, "category": category or None, "level": level, "first_period": first,
               "last_period": last, "n_periods": len(periods), "n_areas": len(set(codes)),
               "sigma_measure": "sd_logit" if share else "cv"}
        if len(periods) >= min_periods and not (estimate_of.get(indicator) == "model" and group["ci_low"].isna().any()):
            scaled = np.log(group["_v"] / (100 - group["_v"])) if share else group["_v"]
            by_year = scaled.groupby(group["period"])
            dispersion = by_year.std() if share else by_year.std() / by_year.mean()
            row.update(sigma_convergence(dispersion.index.to_numpy(float), dispersion.to_numpy(float), significance))
        else:
            row.update({"sigma_slope": np.nan, "sigma_p": np.nan, "sigma_trend": INSUFFICIENT})
        # Each area's first figure in the first and in the last wave; the areas with both, in code order.
        at = {p: dict(zip(codes[period == p][::-1], v[period == p][::-1], strict=True)) for p in (first, last)}
        both = sorted(at[first].keys() & at[last].keys())
        start = np.array([at[first][c] for c in both], dtype=float)
        end = np.array([at[last][c] for c in both], dtype=float)
        if share:  # the growth of the odds: log(odds) is the logit
            start, end = start / (100 - start), end / (100 - end)
        beta = beta_convergence(start, end, last - first)
        row.update({k: beta[k] for k in ("beta", "beta_ci_low", "beta_ci_high", "half_life")})
        rows.append(row)
    return _typed(pd.DataFrame(rows, columns=list(CONVERGENCE_COLUMNS)), CONVERGENCE_COLUMNS)


# The scale on which an area's position relative to the city is modelled, by unit.
POSITION_SCALE = {"percent": "logit", "per_100_inhabitants": "log", "per_1000_inhabitants": "log",
                  "per_household": "log", "euro_1000": "log", "average": "log", "per_km2": "log", "km": "log"}
STATUS_QUO, CITY_TREND = "status_quo", "city_trend"
PROJECTED, TOO_FEW_DATA = "ok", "too_few_data"


def _city_scenarios(city: pd.DataFrame, transform: str, periods: list[int], min_periods: int, draws: int,
                    rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draws (periods, draws) of the city's level on the model scale under each scenario: the status quo
    (the last wave's value held), and, with at least `min_periods` waves, the city's own linear trend on
    the model scale continued (a new observation's prediction interval)."""
    from .stats.projection import to_scale

    city = city.sort_values("period")
    y = to_scale(city["value"], transform)
    scenarios = {STATUS_QUO: np.full((len(periods), draws), y[-1])}
    if len(city) >= min_periods:
        x = city["period"].to_numpy(float)
        slope, intercept = np.polyfit(x, y, 1)
        residual = y - (intercept + slope * x)
        dof = len(x) - 2
        s2 = float(residual @ residual) / dof
        target = np.asarray(periods, dtype=float)
        se = np.sqrt(s2 * (1 + 1 / len(x) + (target - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()))
        t = rng.standard_t(dof, size=(len(periods), draws))
        scenarios[CITY_TREND] = (intercept + slope * target)[:, None] + se[:, None] * t
    return scenarios


@dataclass(frozen=True)
class ProjectedArea:
    """One area's simulated relative position: `levels(city)` turns city draws on the model scale
    (periods, draws) into the area's level draws; `slope` and `now` are draws of its position's slope
    (scale units per year) and of its fitted position at the last wave."""

    code: str
    level: str
    model: str
    n_waves: int
    levels: Callable[[np.ndarray], np.ndarray]
    slope: np.ndarray
    now: np.ndarray


def _projected_areas(fits: dict, areas: pd.DataFrame, figures: pd.DataFrame, last: int, transform: str,
                     city_now: float) -> list[ProjectedArea]:
    """Every area with a projection: buurten (and wijken/subwijken without buurt figures) from their own
    level's model; wijken and subwijken whose buurten all have one, as the population-weighted
    combination of those buurten (weights: inhabitants in the year nearest the last wave)."""
    from .stats.projection import from_scale, to_scale

    def direct(level: str, i: int, fit, sims) -> ProjectedArea:
        position = sims["position"][i]
        return ProjectedArea(fit.areas[i], level, f"mixedlm_{fit.structure}", fit.n_waves,
                             lambda city, p=position: from_scale(p + city, transform),
                             sims["slope"][i], sims["now"][i])

    result: dict[str, ProjectedArea] = {}
    for level, (fit, sims) in fits.items():
        for i in range(len(fit.areas)):
            result[fit.areas[i]] = direct(level, i, fit, sims)
    if "buurt" in fits:
        fit, sims = fits["buurt"]
        index = {code: i for i, code in enumerate(fit.areas)}
        buurten = areas[areas["level"] == "buurt"]
        wanted = pd.DataFrame({"area_code": list(fit.areas), "period": last})
        weight = dict(zip(fit.areas, nearest_in_time(figures, POPULATION, wanted).to_numpy(float), strict=True))
        for parent_level, column in (("wijk", "wijk_code"), ("subwijk", "parent_code")):
            parents = set(areas.loc[areas["level"] == parent_level, "code"])
            for parent, members in buurten.groupby(column, sort=True):
                if parent not in parents:
                    continue
                codes = list(members["code"])
                if not all(c in index for c in codes) or not all(np.isfinite(weight[c]) for c in codes):
                    continue
                rows = np.array([index[c] for c in codes])
                w = np.array([weight[c] for c in codes])
                w = w / w.sum()
                position = sims["position"][rows]  # (buurten, periods, draws)
                now = to_scale(np.einsum("b,bd->d", w, from_scale(sims["now"][rows] + city_now, transform)),
                               transform) - city_now
                result[parent] = ProjectedArea(
                    parent, parent_level, f"mixedlm_buurten_{fit.structure}", fit.n_waves,
                    lambda city, p=position, w=w: np.einsum("b,bkd->kd", w, from_scale(p + city[None], transform)),
                    np.einsum("b,bd->d", w, sims["slope"][rows]), now)
    return [result[code] for code in sorted(result)]


def projection_table(figures: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame, city_code: str,
                     target: int, min_periods: int, settings: dict,
                     bounds: dict[str, tuple] | None = None, counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """If nothing changes: each area's figure and gap to the city in every year up to `target`.

    The inhabitants that weigh buurten into their wijk come from `counts` (default `figures`; the run
    passes the figures before disclosure control: a weight is not published).

    Per indicator of `settings["indicators"]` (headline series: no category or 18+) and level, the
    area's position relative to the city (logit(area) - logit(city) for shares, log(area / city) for
    rates) follows a linear mixed model with a random intercept and slope per area (REML,
    `stats.projection.fit_relative_position`). The level is that position plus a scenario for the city:
    `status_quo` (the city's last value) and, with at least `min_periods` waves, `city_trend`. A wijk
    or subwijk whose buurten all have figures is projected as the population-weighted combination of
    its buurten's projections. Intervals (95% and 50%) come from `settings["draws"]` simulations that
    carry the fixed effects' and the random effects' uncertainty and a new figure's residual. A
    projection whose 95% interval reaches the unit's bounds (0 or 100%) at the printed precision is not
    published: `projection_status` is "too_few_data" and the numbers are NULL. `years_to_close_low/high`
    is the range of years until the position reaches zero, given only when the 95% interval of its
    slope excludes zero in the closing direction.
    """
    from .stats.projection import (
        IDENTITY,
        fit_relative_position,
        from_scale,
        simulate_positions,
        to_scale,
        years_to_close_range,
    )

    info = indicators.set_index("id")
    chosen = [i for i in settings["indicators"] if i in info.index]
    draws, seed = int(settings["draws"]), int(settings["seed"])
    level_of = dict(zip(areas["code"], areas["level"], strict=True))
    wijk_of = dict(zip(areas["code"], areas["wijk_code"], strict=True))
    ok = figures[(figures["status"] == OK) & figures["indicator_id"].isin(chosen)
                 & (figures["category"].isna() | figures["category"].isin(HEADLINE_CATEGORIES))]
    ok = ok.sort_values("category", na_position="first").drop_duplicates(["indicator_id", "area_code", "period"]).copy()
    ok["level"] = ok["area_code"].map(level_of)
    rows: list[dict] = []
    for (indicator, category), series in ok.groupby(["indicator_id", "category"], dropna=False, sort=True):
        unit = info.loc[indicator, "unit"]
        transform = POSITION_SCALE.get(unit, IDENTITY)
        low_bound, high_bound = (bounds or {}).get(indicator, (None, None))
        city = series[series["area_code"] == city_code][["period", "value"]].dropna()
        if city.empty:
            continue
        last = int(city["period"].max())
        periods = list(range(last, int(target) + 1))
        if len(periods) < 2:
            continue
        rng = np.random.default_rng([seed, len(rows)])
        scenarios = _city_scenarios(city, transform, periods, min_periods, draws, rng)
        city_scale = dict(zip(city["period"].astype(int), to_scale(city["value"], transform), strict=True))
        fits = {}
        for level in LEVELS_COMPARED:
            data = series[series["level"] == level][["area_code", "period", "value"]].copy()
            data["position"] = to_scale(data["value"], transform) - data["period"].astype(int).map(city_scale)
            # Buurten are nested in their wijken (a random intercept and slope for each).
            data["wijk"] = data["area_code"].map(wijk_of)
            fit = fit_relative_position(data[data["period"] <= last], parent="wijk" if level == "buurt" else None)
            if fit is not None:
                fits[level] = (fit, simulate_positions(fit, periods, draws, seed + len(fits)))
        city_levels = {scenario: from_scale(city_draws, transform) for scenario, city_draws in scenarios.items()}
        city_medians = {scenario: np.median(city_level, axis=1) for scenario, city_level in city_levels.items()}
        projected = _projected_areas(fits, areas, figures if counts is None else counts, last, transform,
                                     city_scale[last])
        if not projected:
            continue
        # Percentiles of all areas at once (one call per statistic, not per area: the same numbers).
        slopes = np.stack([area.slope for area in projected])  # (areas, draws)
        slope_cis = np.percentile(slopes, [2.5, 97.5], axis=1).T  # (areas, 2)
        slope_medians = np.median(slopes, axis=1)
        now_medians = np.median(np.stack([area.now for area in projected]), axis=1)
        quantiles = {}
        for scenario, city_draws in scenarios.items():
            level_draws = np.stack([area.levels(city_draws) for area in projected])  # (areas, periods, draws)
            quantiles[scenario] = (np.percentile(level_draws, [2.5, 25, 50, 75, 97.5], axis=2),  # (q, areas, periods)
                                   np.percentile(level_draws - city_levels[scenario][None], [2.5, 50, 97.5], axis=2))
        for a, area in enumerate(projected):
            slope_ci = slope_cis[a]
            closing = years_to_close_range(float(now_medians[a]), *slope_ci)
            for scenario in scenarios:
                levels, gaps = quantiles[scenario]
                for k, period in enumerate(periods):
                    if period == last:
                        continue
                    q, g = levels[:, a, k], gaps[:, a, k]
                    row = {"indicator_id": indicator, "category": category, "area_code": area.code,
                           "level": area.level, "scenario": scenario, "model": area.model, "n_waves": area.n_waves,
                           "last_period": last, "target_period": period,
                           "projected": q[2], "pi_low": q[0], "pi_high": q[4], "pi50_low": q[1], "pi50_high": q[3],
                           "city_projected": float(city_medians[scenario][k]), "projected_gap": g[1],
                           "gap_pi_low": g[0], "gap_pi_high": g[2], "position_slope": float(slope_medians[a]),
                           "position_slope_ci_low": slope_ci[0], "position_slope_ci_high": slope_ci[1],
                           "years_to_close_low": closing[0], "years_to_close_high": closing[1],
                           "projection_status": PROJECTED}
                    if _reaches_bounds(q[0], q[4], low_bound, high_bound):
                        row.update({c: np.nan for c in ("projected", "pi_low", "pi_high", "pi50_low", "pi50_high",
                                                        "projected_gap", "gap_pi_low", "gap_pi_high")})
                        row["projection_status"] = TOO_FEW_DATA
                    rows.append(row)
    if not rows:
        return _typed(pd.DataFrame(columns=list(PROJECTIONS_COLUMNS)), PROJECTIONS_COLUMNS)
    table = pd.DataFrame(rows)
    return _typed(table.sort_values(["indicator_id", "category", "area_code", "scenario", "target_period"]),
                  PROJECTIONS_COLUMNS)


def _reaches_bounds(low: float, high: float, low_bound, high_bound) -> bool:
    """Whether a 95% interval touches the unit's bounds at one decimal (a share of 0.0% or 100.0%)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return True
    if low_bound is not None and pd.notna(low_bound) and round(float(low), 1) <= float(low_bound):
        return True
    return high_bound is not None and pd.notna(high_bound) and round(float(high), 1) >= float(high_bound)


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
    # Series without a category, else the headline category (RIVM: adults, 18+).
    ok = figures[(figures["status"] == OK) & figures["indicator_id"].isin(list(polarity))
                 & (figures["category"].isna() | figures["category"].isin(HEADLINE_CATEGORIES))]
    ok = ok.sort_values("category", na_position="first").drop_duplicates(["indicator_id", "area_code", "period"])
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
                 last_period: int, bounds: dict[str, tuple] | None = None,
                 breakdowns: dict | None = None, history: pd.DataFrame | None = None,
                 breaks: pd.DataFrame | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every analysis table from the current observations, the published observations (`observations`);
    and a summary for the log.

    `units` maps indicator to unit id; `bounds` indicator to the unit's (min, max) (None: open);
    `breakdowns` the catalogue's splits of a total into parts (disclosure control); `history` every
    edition of every observation (the warehouse's `observation`), for the table of revised figures.

    `observations` may hold figures carried over area links (`link`, `linked_from`:
    series_links.join_links; `breaks`: where a series could not be joined, the table series_breaks).
    Disclosure control covers them (disclosure.protect). Tables that follow an area through time
    (trends, projections) use them; tables that compare the areas of one year (gaps, inequality and
    its change, convergence, composite index) use the observed figures only, each year in the division
    it was observed in: a carried figure and the retired area's own would count one place twice."""
    figures = observations.rename(columns={"ci_low": "source_ci_low", "ci_high": "source_ci_high"}).assign(
        count=np.nan, per=np.nan)
    figures = pd.concat([figures, derive_rates(observations, derived)], ignore_index=True)
    figures["category"] = figures["category"].astype("string")
    figures = add_subwijk_counts(figures, areas)
    without_n = figures["n"].isna()
    figures = register_denominators(figures, indicators)
    unprotected = figures
    figures = protect(figures, indicators, areas, derived, settings["min_cases"], breakdowns)
    withheld = int(figures["disclosure"].notna().sum())
    published = publish(observations, figures)
    joined = carried(figures)
    # The n that register shares took from the counts, again from published counts only: a withheld
    # count must not reappear as the n of a share.
    figures.loc[without_n, ["n", "n_source"]] = np.nan
    figures = register_denominators(figures, indicators)
    figures = add_intervals(figures, units, settings["design_effect"], 0.95)
    wide_998 = add_intervals(figures.drop(columns=["ci_low", "ci_high", "ci_method"]), units,
                             settings["design_effect"], 0.998)
    intervals_998 = wide_998[[*FIGURE_KEYS, "ci_low", "ci_high"]].rename(
        columns={"ci_low": "ci_low_998", "ci_high": "ci_high_998"}).drop_duplicates(FIGURE_KEYS)
    min_periods, significance = settings["min_periods_for_trend"], settings["significance"]
    observed = figures[~joined.to_numpy(dtype=bool)]  # one division per year (see the docstring)
    gaps = compare_with_city(gap_to_city(observed, areas, indicators, city_code), intervals_998, indicators,
                             significance)
    gaps = _typed(gaps, GAPS_COLUMNS)
    trends = area_trends(figures, areas, indicators, city_code, min_periods, significance)
    deprivation = settings["deprivation_indicator"]
    spread_data = _inequality_data(observed, areas, indicators, city_code, deprivation,
                                   settings["population_weights"] == "age_band",
                                   counts=unprotected[~carried(unprotected).to_numpy(dtype=bool)])
    inequality = inequality_table(observed, areas, indicators, city_code, deprivation, settings["simulations"],
                                  settings["seed"], data=spread_data)
    inequality_change = inequality_change_table(observed, areas, indicators, city_code, deprivation,
                                                settings["simulations"], settings["seed"], significance,
                                                data=spread_data)
    convergence = convergence_table(inequality, observed, areas, indicators, city_code, significance, min_periods)
    target = settings["projection_period"] or last_period + 5
    projections = projection_table(figures, areas, indicators, city_code, target, min_periods,
                                   settings["projection"] | {"seed": settings["seed"]}, bounds, unprotected)
    composite = composite_table(observed, areas, indicators, city_code, settings["composite"])
    revisions = revision_table(observations if history is None else history, observed, indicators,
                               settings["min_cases"])
    series_breaks = _typed(pd.DataFrame(columns=list(SERIES_BREAKS_COLUMNS)) if breaks is None else breaks,
                           SERIES_BREAKS_COLUMNS)
    tables = {"gaps": gaps, "trends": trends, "inequality": inequality, "inequality_change": inequality_change,
              "convergence": convergence,
              "projections": projections, "composite": composite, "revisions": revisions,
              "series_breaks": series_breaks}
    summary = {name: len(table) for name, table in tables.items()} | {"withheld_small_numbers": withheld}
    return tables | {"observations": published}, summary
