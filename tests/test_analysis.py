"""Gaps to the city and trends, against hand calculations and exact invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wijkmonitor.analysis import area_trends, gap_to_city
from wijkmonitor.stats.trends import grouped_ols

AREAS = pd.DataFrame({"code": ["GM0001", "WK000101", "WK000102", "WK000103"],
                      "level": ["gemeente", "wijk", "wijk", "wijk"]})
INDICATORS = pd.DataFrame({"id": ["bijstand", "cohesie", "inwoners"],
                           "polarity": ["lower_is_better", "higher_is_better", "neutral"]})


def obs(rows):
    frame = pd.DataFrame(rows, columns=["indicator_id", "area_code", "period", "value"])
    frame["category"] = pd.NA
    frame["status"] = np.where(frame["value"].isna(), "suppressed", "ok")
    return frame


def test_gap_to_city_hand_calculation():
    frame = obs([("bijstand", "GM0001", 2017, 6.5), ("bijstand", "WK000101", 2017, 18.2),
                 ("bijstand", "WK000102", 2017, 3.0), ("bijstand", "WK000103", 2017, None)])
    gaps = gap_to_city(frame, AREAS, INDICATORS, "GM0001").set_index("area_code")
    assert list(gaps.index) == ["WK000102", "WK000101"]  # suppressed area has no gap; rank order
    ov = gaps.loc["WK000101"]
    assert ov["abs_gap"] == pytest.approx(11.7)
    assert ov["rel_gap"] == pytest.approx(18.2 / 6.5 - 1)
    assert ov["unfavourable_gap"] == pytest.approx(11.7)
    assert (ov["rank"], ov["n_ranked"]) == (2, 2)
    assert gaps.loc["WK000102", "unfavourable_gap"] == pytest.approx(-3.5)
    assert gaps.loc["WK000102", "rank"] == 1


def test_rank_follows_polarity():
    frame = obs([("cohesie", "GM0001", 2017, 5.8), ("cohesie", "WK000101", 2017, 4.5),
                 ("cohesie", "WK000102", 2017, 6.1), ("inwoners", "GM0001", 2017, 300),
                 ("inwoners", "WK000101", 2017, 10), ("inwoners", "WK000102", 2017, 20)])
    gaps = gap_to_city(frame, AREAS, INDICATORS, "GM0001").set_index(["indicator_id", "area_code"])
    assert gaps.loc[("cohesie", "WK000102"), "rank"] == 1  # higher is better
    assert gaps.loc[("cohesie", "WK000101"), "unfavourable_gap"] == pytest.approx(1.3)
    assert gaps.loc[("inwoners", "WK000102"), "rank"] == 1  # neutral: highest first
    assert pd.isna(gaps.loc[("inwoners", "WK000102"), "unfavourable_gap"])


def linear_trend(periods: np.ndarray, values: np.ndarray) -> tuple[float, float, float, float]:
    """The reference: (slope, 95% CI low, CI high, p) of scipy's linregress."""
    result = stats.linregress(periods.astype(float), values.astype(float))
    half = stats.t.ppf(0.975, len(periods) - 2) * result.stderr
    return float(result.slope), float(result.slope - half), float(result.slope + half), float(result.pvalue)


def one_group(xs, ys) -> pd.Series:
    return grouped_ols(pd.DataFrame({"g": 0, "x": xs, "y": ys}), ["g"], "x", "y").iloc[0]


def test_grouped_ols_exact_line_has_no_p():
    row = one_group([2014, 2015, 2016, 2017], [1.0, 3.0, 5.0, 7.0])
    assert row["slope"] == pytest.approx(2.0) and row["ci_low"] == pytest.approx(2.0)
    assert bool(row["exact"]) and np.isnan(row["p"])  # scipy would say p = 0


def test_grouped_ols_matches_textbook_example():
    # x = 1..5, y = (2, 4, 5, 4, 5): slope 0.6, SSE 2.4, se = sqrt(0.8/10) = 0.2828, t = 2.1213 on 3 df
    # gives two-sided p = 0.1240; the 95% half-width is t(0.975, 3) = 3.1824 times se.
    row = one_group(np.arange(1, 6), [2.0, 4, 5, 4, 5])
    assert row["slope"] == pytest.approx(0.6)
    assert row["ci_high"] - row["slope"] == pytest.approx(3.182446 * np.sqrt(0.08), rel=1e-5)
    assert row["p"] == pytest.approx(0.1240, abs=1e-4) and not bool(row["exact"])


def test_widening_and_narrowing_gaps():
    years = range(2014, 2021)
    rows = []
    for i, year in enumerate(years):
        rows += [("bijstand", "GM0001", year, 6.0), ("bijstand", "WK000101", year, 15.0 + 0.5 * i + 0.01 * (i % 2)),
                 ("bijstand", "WK000102", year, 3.0 + 0.3 * i + 0.01 * (i % 2)),
                 ("bijstand", "WK000103", year, 9.0 + 0.2 * (i % 2))]
    trends = area_trends(obs(rows), AREAS, INDICATORS, "GM0001").set_index("area_code")
    assert trends.loc["WK000101", "gap_trend"] == "widening"  # above the city and rising
    assert bool(trends.loc["WK000101", "unfavourable"]) is True
    assert trends.loc["WK000102", "gap_trend"] == "narrowing"  # below the city and rising towards it
    assert trends.loc["WK000103", "gap_trend"] == "no_significant_change"
    assert trends.loc["WK000101", "slope"] == pytest.approx(0.5, abs=0.01)
    assert pd.isna(trends.loc["GM0001", "gap_trend"])
    assert trends.loc["WK000101", "n_periods"] == 7


def with_intervals(rows):
    """Observations with a 95% interval: rows of (indicator, area, period, value, ci_low, ci_high)."""
    frame = obs([r[:4] for r in rows])
    frame["ci_low"] = [r[4] for r in rows]
    frame["ci_high"] = [r[5] for r in rows]
    return frame


def test_two_waves_are_compared_with_their_standard_errors_not_a_line():
    # Fewer points than min_periods (default 5): the first and last wave are compared (Altman & Bland
    # 2003). SE = interval width / (2 x 1.959964): area 1.020427, city 0.255107, the gap's SE per year
    # hypot(1.020427, 0.255107) = 1.051832, the change's SE 1.487515; the gap grew 9 -> 14, z = 3.36131,
    # p = 0.000776.
    rows = [("bijstand", "GM0001", 2016, 6.0, 5.5, 6.5), ("bijstand", "GM0001", 2020, 6.0, 5.5, 6.5),
            ("bijstand", "WK000101", 2016, 15.0, 13.0, 17.0), ("bijstand", "WK000101", 2020, 20.0, 18.0, 22.0)]
    trends = area_trends(with_intervals(rows), AREAS, INDICATORS, "GM0001").set_index("area_code")
    row = trends.loc["WK000101"]
    assert row["trend_test"] == "two_wave_change" and row["n_periods"] == 2
    assert pd.isna(row["slope"]) and pd.isna(row["gap_slope_p"])  # no line through two points
    assert row["gap_change"] == pytest.approx(5.0)
    assert row["gap_p"] == pytest.approx(0.000776, abs=2e-6)
    assert row["gap_q"] == pytest.approx(row["gap_p"])  # a family of one test
    assert (row["gap_trend"], row["relative_change"]) == ("widening", "relatively_worse")
    assert row["recent_trend"] == "insufficient_data"


def test_without_intervals_no_test_is_possible():
    rows = [("bijstand", "GM0001", 2016, 6.0), ("bijstand", "GM0001", 2020, 6.0),
            ("bijstand", "WK000101", 2016, 15.0), ("bijstand", "WK000101", 2020, 16.0)]
    row = area_trends(obs(rows), AREAS, INDICATORS, "GM0001").set_index("area_code").loc["WK000101"]
    assert row["trend_test"] == "no_test" and pd.isna(row["gap_p"])
    assert (row["gap_trend"], row["relative_change"]) == ("not_tested", "not_tested")
    assert row["gap_change"] == pytest.approx(1.0)


def test_an_exact_fit_is_not_estimable_never_p_zero():
    # Overvecht's 'ernstig overgewicht' gaps 4.7 / 5.6 / 6.5 (RIVM 2012, 2016, 2020) lie exactly on a line.
    rows = [("bijstand", "GM0001", y, 10.0) for y in (2012, 2016, 2020)]
    rows += [("bijstand", "WK000101", y, 10.0 + g) for y, g in ((2012, 4.7), (2016, 5.6), (2020, 6.5))]
    row = area_trends(obs(rows), AREAS, INDICATORS, "GM0001", min_periods=3).set_index("area_code").loc["WK000101"]
    assert row["trend_test"] == "not_estimable"
    assert row["gap_slope"] == pytest.approx(0.225)
    assert pd.isna(row["slope_p"]) and pd.isna(row["gap_p"]) and row["gap_trend"] == "not_tested"


def test_a_gap_that_changes_side_is_not_widening():
    # Binnenstad-like: better than the city (-3.5) in the first wave, worse (+2.9) in the last.
    rows = [("bijstand", "GM0001", 2016, 6.0, 5.5, 6.5), ("bijstand", "GM0001", 2020, 6.0, 5.5, 6.5),
            ("bijstand", "WK000101", 2016, 2.5, 1.5, 3.5), ("bijstand", "WK000101", 2020, 8.9, 7.9, 9.9)]
    row = area_trends(with_intervals(rows), AREAS, INDICATORS, "GM0001").set_index("area_code").loc["WK000101"]
    assert row["gap_p"] < 1e-10
    assert row["gap_trend"] == "crossed"
    assert row["relative_change"] == "relatively_worse"  # lower is better, and the gap rose


def test_q_values_control_the_false_discovery_rate_per_level():
    # Three wijken: a clear change (p ~ 1e-12), one with p = 0.0400 (significant alone) and one with
    # p = 0.2986. Benjamini-Hochberg over the three: q = min(3p/rank, q of the next rank), so the middle
    # one gets q = min(3 x 0.0400 / 2, 0.2986) = 0.0600 and is not called significant.
    rows = [("bijstand", "GM0001", 2016, 6.0, 6.0, 6.0), ("bijstand", "GM0001", 2020, 6.0, 6.0, 6.0)]
    for code, last in (("WK000101", 30.0), ("WK000102", 15.93), ("WK000103", 13.0)):
        rows += [(("bijstand", code, 2016, 10.0, 6.0, 14.0)), ("bijstand", code, 2020, last, last - 4, last + 4)]
    trends = area_trends(with_intervals(rows), AREAS, INDICATORS, "GM0001").set_index("area_code")
    p = trends["gap_p"].astype(float)
    assert p["WK000102"] == pytest.approx(0.0400, abs=1e-4) and p["WK000103"] == pytest.approx(0.2986, abs=1e-4)
    q = trends["gap_q"].astype(float)
    assert q["WK000103"] == pytest.approx(p["WK000103"])
    assert q["WK000102"] == pytest.approx(1.5 * p["WK000102"])
    assert q["WK000101"] < 0.05 and trends.loc["WK000101", "gap_trend"] == "widening"
    assert q["WK000102"] > 0.05 and trends.loc["WK000102", "gap_trend"] == "no_significant_change"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=3, max_size=3),
       st.floats(min_value=0.1, max_value=100))
def test_gap_invariants(values, city):
    frame = obs([("bijstand", "GM0001", 2020, city)] +
                [("bijstand", code, 2020, v) for code, v in zip(["WK000101", "WK000102", "WK000103"], values, strict=True)])
    gaps = gap_to_city(frame, AREAS, INDICATORS, "GM0001")
    assert np.allclose(gaps["value"] - gaps["city_value"], gaps["abs_gap"])
    assert np.allclose(gaps["unfavourable_gap"], gaps["abs_gap"])  # lower is better: same sign
    assert sorted(gaps["rank"]) == sorted(pd.Series(values).rank(method="min").astype(int))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=-5000, max_value=5000).map(lambda v: v / 100), min_size=3, max_size=8),
                min_size=1, max_size=4))
def test_grouped_ols_equals_linregress_per_group(groups):
    # Published figures have a few decimals; grouped_ols rounds away float noise below 1e-9.
    rows = [{"g": i, "x": 2010 + j, "y": y} for i, ys in enumerate(groups) for j, y in enumerate(ys)]
    result = grouped_ols(pd.DataFrame(rows), ["g"], "x", "y")
    for i, ys in enumerate(groups):
        x = np.arange(2010, 2010 + len(ys))
        if np.ptp(ys) == 0:
            continue  # a flat line: linregress warns and its p is undefined
        slope, low, high, p = linear_trend(x, np.array(ys))
        assert result.loc[i, "slope"] == pytest.approx(slope, abs=1e-7)
        assert result.loc[i, "ci_low"] == pytest.approx(low, abs=1e-6)
        if result.loc[i, "exact"]:  # points on a line: scipy says p = 0, grouped_ols gives no p
            assert p < 1e-6 and np.isnan(result.loc[i, "p"])
        else:
            assert result.loc[i, "p"] == pytest.approx(p, abs=1e-7)


# ------------------------------------------------- the analysis step's preparation


def figures(rows, columns=("indicator_id", "area_code", "period", "value", "n")):
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["category"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame["status"] = np.where(frame["value"].isna(), "suppressed", "ok")
    for column in ("n", "count", "per", "sd"):
        if column not in frame:
            frame[column] = np.nan
    return frame


def test_derived_rate_is_numerator_over_denominator():
    from wijkmonitor.analysis import derive_rates

    derived = pd.DataFrame({"id": ["bijstand_per_1000"], "numerator": ["bijstand"], "denominator": ["inwoners"],
                            "per": [1000.0]})
    obs = figures([("bijstand", "WK000101", 2023, 2680, None), ("inwoners", "WK000101", 2023, 34910, None),
                   ("bijstand", "WK000102", 2023, None, None), ("inwoners", "WK000102", 2023, 1000, None),
                   ("bijstand", "WK000103", 2023, 5, None), ("inwoners", "WK000103", 2023, 0, None)])
    rates = derive_rates(obs, derived)
    # Kwb 2023, Overvecht: 2,680 persons on social assistance among 34,910 inhabitants.
    assert rates[["area_code", "value", "count", "n", "per"]].values.tolist() == [
        ["WK000101", 2680 / 34910 * 1000, 2680, 34910, 1000.0]]  # secret numerator, zero denominator: none


def test_intervals_by_what_is_known():
    from wijkmonitor.analysis import add_intervals
    from wijkmonitor.stats.intervals import byar_interval, mean_t_interval, wilson_interval

    frame = figures([("pct", "WK000101", 2023, 30.0, 200), ("pct", "WK000102", 2023, 30.0, None),
                     ("rate", "WK000101", 2023, 2680 / 34910 * 1000, 34910), ("mark", "WK000101", 2023, 7.2, 30)])
    frame.loc[2, ["count", "per"]] = [2680, 1000]
    frame.loc[3, "sd"] = 1.1
    units = {"pct": "percent", "rate": "per_1000_inhabitants", "mark": "rating"}
    out = add_intervals(frame, units, {"pct": 2.0}, 0.95)
    assert out["ci_method"].fillna("none").tolist() == ["wilson", "none", "byar", "t"]
    low, high = wilson_interval(0.30, 100, 0.95)  # design effect 2: n = 200 counts as 100
    assert out.loc[0, ["ci_low", "ci_high"]].tolist() == pytest.approx([100 * low, 100 * high])
    assert np.isnan(out.loc[1, "ci_low"])  # no n: no interval is invented
    c_low, c_high = byar_interval(2680, 0.95)
    assert out.loc[2, ["ci_low", "ci_high"]].tolist() == pytest.approx([c_low / 34.910, c_high / 34.910])
    t_low, t_high = mean_t_interval(7.2, 1.1, 30, 0.95)
    assert out.loc[3, ["ci_low", "ci_high"]].tolist() == pytest.approx([t_low, t_high])


def test_register_shares_get_their_denominator_from_the_nearest_year():
    from wijkmonitor.analysis import register_denominators

    indicators = pd.DataFrame({"id": ["bijstand_pct", "huishoudens", "survey_pct"],
                               "denominator": ["households", None, "respondents"],
                               "unit": ["percent", "count", "percent"]})
    frame = figures([("bijstand_pct", "WK000101", 2014, 18.2, None), ("huishoudens", "WK000101", 2016, 17000, None),
                     ("huishoudens", "WK000101", 2023, 17305, None), ("survey_pct", "WK000101", 2014, 30.0, 450),
                     ("survey_pct", "WK000102", 2014, 31.0, None)])
    out = register_denominators(frame, indicators)
    assert out.loc[0, ["n", "n_source"]].tolist() == [17000, "households"]  # 2016 is nearest to 2014
    assert out.loc[3, ["n", "n_source"]].tolist() == [450, "respondents"]
    assert np.isnan(out.loc[4, "n"])  # a survey figure without respondents stays without n


def test_subwijk_counts_are_sums_of_complete_buurten():
    from wijkmonitor.analysis import add_subwijk_counts

    areas = pd.DataFrame({"code": ["SW1", "SW2", "BU1", "BU2", "BU3"],
                          "level": ["subwijk", "subwijk", "buurt", "buurt", "buurt"],
                          "parent_code": ["WK1", "WK1", "SW1", "SW1", "SW2"]})
    frame = figures([("inwoners", "BU1", 2023, 100.0, None), ("inwoners", "BU2", 2023, 250.0, None),
                     ("inwoners", "BU1", 2022, 90.0, None)])  # BU3 has none, BU2 none in 2022
    out = add_subwijk_counts(frame, areas)
    added = out[out["area_code"].str.startswith("SW")]
    assert added[["area_code", "period", "value"]].values.tolist() == [["SW1", 2023, 350.0]]


def test_source_intervals_shares_of_persons_and_design_effect_by_source():
    from wijkmonitor.analysis import add_intervals
    from wijkmonitor.stats.intervals import wilson_interval, z_value

    frame = figures([("health", "WK000101", 2020, 76.1, None), ("rate", "WK000101", 2023, 2680 / 34910 * 1000, 34910),
                     ("pct", "WK000101", 2023, 30.0, 200)])
    frame["source_ci_low"], frame["source_ci_high"] = [73.4, np.nan, np.nan], [78.6, np.nan, np.nan]
    frame["source_id"] = ["rivm", "cbs_kwb", "enquete"]
    frame.loc[1, ["count", "per"]] = [2680, 1000]
    frame["kind"] = [None, "share", None]
    units = {"health": "percent", "rate": "per_1000_inhabitants", "pct": "percent"}
    out = add_intervals(frame, units, {"enquete": 2.0}, 0.95)
    assert out["ci_method"].tolist() == ["model", "wilson", "wilson"]
    assert out.loc[0, ["ci_low", "ci_high"]].tolist() == [73.4, 78.6]  # the source's margins as they are
    low, high = wilson_interval(2680 / 34910, 34910, 0.95)  # persons of the population: binomial
    assert out.loc[1, ["ci_low", "ci_high"]].tolist() == pytest.approx([1000 * low, 1000 * high])
    low, high = wilson_interval(0.30, 100, 0.95)  # design effect 2 by source id: n = 200 counts as 100
    assert out.loc[2, ["ci_low", "ci_high"]].tolist() == pytest.approx([100 * low, 100 * high])
    # At 99.8% the source's half-widths scale with the normal quantiles: 2.7 x 3.0902 / 1.9600 below.
    wide = add_intervals(frame, units, {"enquete": 2.0}, 0.998)
    ratio = z_value(0.998) / z_value(0.95)
    assert wide.loc[0, ["ci_low", "ci_high"]].tolist() == pytest.approx([76.1 - 2.7 * ratio, 76.1 + 2.5 * ratio])


def _panel(n_buurten=(4, 5, 6), waves=(2012, 2016, 2020), seed=11):
    """Three wijken with buurten, a city, shares around 20% with area effects and a common trend."""
    rng = np.random.default_rng(seed)
    areas, rows = [{"code": "GM0001", "level": "gemeente", "wijk_code": None, "parent_code": None}], []
    for w, count in enumerate(n_buurten, start=1):
        wijk = f"WK0001{w:02d}"
        areas.append({"code": wijk, "level": "wijk", "wijk_code": wijk, "parent_code": "GM0001"})
        for b in range(count):
            code = f"BU0001{w:02d}{b:02d}"
            areas.append({"code": code, "level": "buurt", "wijk_code": wijk, "parent_code": wijk})
            base, slope = rng.normal(0, 0.5), rng.normal(0, 0.01)
            for year in waves:
                logit = np.log(0.2 / 0.8) + base + (0.02 + slope) * (year - waves[-1]) + rng.normal(0, 0.05)
                rows.append(("share", code, year, round(100 / (1 + np.exp(-logit)), 1), None))
            rows.append(("inwoners", code, 2023, float(rng.integers(500, 3000)), None))
    for year in waves:
        rows.append(("share", "GM0001", year, 20.0 + 0.1 * (year - waves[-1]), None))
    frame = figures(rows)
    return frame, pd.DataFrame(areas)


def test_projections_come_from_the_relative_position_model_and_are_never_clipped():
    from wijkmonitor.analysis import projection_table

    frame, areas = _panel()
    indicators = pd.DataFrame({"id": ["share", "inwoners"], "unit": ["percent", "count"],
                               "polarity": ["lower_is_better", "neutral"]})
    settings = {"indicators": ["share"], "draws": 1000, "seed": 3}
    table = projection_table(frame, areas, indicators, "GM0001", 2025, 5, settings, {"share": (0, 100)})
    assert set(table["scenario"]) == {"status_quo"}  # three city waves: no city-trend scenario
    assert sorted(table["target_period"].unique()) == [2021, 2022, 2023, 2024, 2025]
    wijken = table[table["level"] == "wijk"]
    assert set(wijken["model"]) == {"mixedlm_buurten_nested"} and wijken["area_code"].nunique() == 3
    assert set(table.loc[table["level"] == "buurt", "model"]) == {"mixedlm_nested"}  # buurten within wijken
    assert (table["projection_status"] == "ok").all()
    assert (table["pi_low"] > 0).all() and (table["pi_high"] < 100).all()
    assert (table["pi_low"] <= table["pi50_low"]).all() and (table["pi50_high"] <= table["pi_high"]).all()
    assert (table["city_projected"] == 20.0).all()  # status quo: the city's last value
    assert np.allclose(table["projected_gap"], table["projected"] - 20.0, atol=0.5)
    # A wijk is the population-weighted mean of its buurten: its median lies within their medians' range.
    at = table[table["target_period"] == 2025].set_index("area_code")
    for wijk in ("WK000101", "WK000102", "WK000103"):
        members = [c for c in at.index if c.startswith("BU" + wijk[2:])]
        assert at.loc[members, "projected"].min() < at.loc[wijk, "projected"] < at.loc[members, "projected"].max()
    # The interval widens with the horizon.
    one = table[(table["area_code"] == "WK000101")].set_index("target_period")
    assert (one.loc[2025, "pi_high"] - one.loc[2025, "pi_low"]) > (one.loc[2021, "pi_high"] - one.loc[2021, "pi_low"])


def test_a_projection_interval_that_reaches_a_bound_is_not_published():
    from wijkmonitor.analysis import projection_table

    frame, areas = _panel()
    indicators = pd.DataFrame({"id": ["share", "inwoners"], "unit": ["rating", "count"],
                               "polarity": ["higher_is_better", "neutral"]})
    # As a 1-10 mark modelled on its own scale, shares around 20 lie far outside the unit's bounds.
    table = projection_table(frame, areas, indicators, "GM0001", 2025, 5,
                             {"indicators": ["share"], "draws": 500, "seed": 3}, {"share": (1, 10)})
    assert (table["projection_status"] == "too_few_data").all()
    assert table[["projected", "pi_low", "pi_high", "projected_gap"]].isna().all().all()


def test_model_based_estimates_without_margins_get_no_test_even_with_five_waves():
    years = range(2016, 2023)
    rows = []
    for i, year in enumerate(years):
        rows += [("bijstand", "GM0001", year, 6.0), ("bijstand", "WK000101", year, 15.0 + 0.5 * i + 0.01 * (i % 2))]
    model_based = INDICATORS.assign(estimate=["model", "direct", "direct"])
    row = area_trends(obs(rows), AREAS, model_based, "GM0001").set_index("area_code").loc["WK000101"]
    assert row["trend_test"] == "no_test" and pd.isna(row["slope_p"]) and pd.isna(row["gap_p"])
    assert (row["gap_trend"], row["recent_trend"]) == ("not_tested", "not_tested")
    assert row["slope"] == pytest.approx(0.5, abs=0.01)  # the slope itself is still described
    # The same series as a direct (survey or register) figure is tested: seven waves on a line with noise.
    direct = area_trends(obs(rows), AREAS, INDICATORS, "GM0001").set_index("area_code").loc["WK000101"]
    assert direct["trend_test"] == "ols_trend" and direct["gap_trend"] == "widening"
