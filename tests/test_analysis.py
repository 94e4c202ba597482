"""Gaps to the city and trends, against hand calculations and exact invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijkmonitor.analysis import area_trends, gap_to_city, linear_trend

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


def test_linear_trend_exact_line():
    slope, low, high, p = linear_trend(np.array([2014, 2015, 2016, 2017]), np.array([1.0, 3.0, 5.0, 7.0]))
    assert slope == pytest.approx(2.0) and low == pytest.approx(2.0) and high == pytest.approx(2.0)


def test_linear_trend_matches_textbook_example():
    # x = 1..5, y = (2, 4, 5, 4, 5): slope 0.6, SSE 2.4, se = sqrt(0.8/10) = 0.2828, t = 2.1213 on 3 df
    # gives two-sided p = 0.1240; the 95% half-width is t(0.975, 3) = 3.1824 times se.
    slope, low, high, p = linear_trend(np.arange(1, 6), np.array([2.0, 4, 5, 4, 5]))
    assert slope == pytest.approx(0.6)
    assert high - slope == pytest.approx(3.182446 * np.sqrt(0.08), rel=1e-5)
    assert p == pytest.approx(0.1240, abs=1e-4)


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


def test_fewer_than_min_periods_gives_no_trend():
    rows = [("bijstand", "GM0001", 2016, 6.0), ("bijstand", "GM0001", 2017, 6.0),
            ("bijstand", "WK000101", 2016, 15.0), ("bijstand", "WK000101", 2017, 16.0)]
    assert area_trends(obs(rows), AREAS, INDICATORS, "GM0001").empty


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
    from wijkmonitor.analysis import grouped_ols

    rows = [{"g": i, "x": 2010 + j, "y": y} for i, ys in enumerate(groups) for j, y in enumerate(ys)]
    result = grouped_ols(pd.DataFrame(rows), ["g"], "x", "y")
    for i, ys in enumerate(groups):
        x = np.arange(2010, 2010 + len(ys))
        if np.ptp(ys) == 0:
            continue  # a flat line: linregress warns and its p is undefined
        slope, low, high, p = linear_trend(x, np.array(ys))
        assert result.loc[i, "slope"] == pytest.approx(slope, abs=1e-7)
        assert result.loc[i, "ci_low"] == pytest.approx(low, abs=1e-6)
        assert result.loc[i, "p"] == pytest.approx(p, abs=1e-7)
