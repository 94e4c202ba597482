"""Confidence intervals (stats.intervals) and the comparison with the city (stats.compare).

Expected values come from published worked examples (cited per test), from scipy distributions
computed here independently of the code under test, and from formulas written out by hand in a
different algebraic form than the implementation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wijkmonitor.stats import compare, intervals
from wijkmonitor.stats.compare import BETTER, HIGHER, LOWER, SIMILAR, WORSE, compare_with_benchmark
from wijkmonitor.stats.intervals import (
    byar_interval,
    mean_t_interval,
    standard_error_from_interval,
    wilson_interval,
    z_value,
)

CONFIDENCES = [0.90, 0.95, 0.998]


def fingertips_wilson(observed: float, n: float, z: float) -> tuple[float, float]:
    """Wilson limits in the Fingertips form (Technical Guidance 'Proportions'):
    (2O + z^2 -/+ z sqrt(z^2 + 4 O q)) / (2 (n + z^2)), O = observed count, q = 1 - O/n."""
    q = 1 - observed / n
    root = z * math.sqrt(z * z + 4 * observed * q)
    return (2 * observed + z * z - root) / (2 * (n + z * z)), (2 * observed + z * z + root) / (2 * (n + z * z))


def byar_by_hand(o: float, z: float) -> tuple[float, float]:
    """Byar's limits as printed in Breslow & Day (1987) / Fingertips 'Rates'."""
    return (o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3,
            (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3)


# --- z ----------------------------------------------------------------------------------------------

def test_z_value_matches_the_brief_and_normal_quantiles():
    """0.95 -> 1.959964 and 0.998 -> 3.090232 (standard normal table values)."""
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)


@pytest.mark.parametrize("bad", [0.0, 1.0, 95, -0.5])
def test_z_value_rejects_impossible_confidence_levels(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        z_value(bad)


# --- Wilson -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "n", "low", "high"), [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe_1998_table_1(x, n, low, high):
    """Newcombe RG (1998) Statistics in Medicine 17:857-872, Table I, method 3 (score interval
    without continuity correction), 95%: 81/263 -> 0.2553-0.3662; 15/148 -> 0.0624-0.1605;
    0/20 -> 0.0000-0.1611; 1/29 -> 0.0061-0.1718."""
    lo, hi = wilson_interval(x / n, n)
    assert round(float(lo), 4) == low
    assert round(float(hi), 4) == high


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize(("x", "n"), [(65, 100), (1045, 5000), (0, 7), (7, 7), (3, 1), (48, 9000)])
def test_wilson_equals_the_fingertips_closed_form(confidence, x, n):
    """The Fingertips / PHEindicatormethods form (2O + z^2 -/+ z sqrt(z^2 + 4Oq)) / (2(n + z^2))
    (PHE inputs of its own tests: 65/100, 1045/5000), written out above, at 90/95/99.8%."""
    if x > n:  # 3/1 is not a proportion: NaN, not a number
        assert np.isnan(wilson_interval(x / n, n, confidence)).all()
        return
    expected = fingertips_wilson(x, n, stats.norm.ppf(1 - (1 - confidence) / 2))
    assert wilson_interval(x / n, n, confidence) == pytest.approx(expected, abs=1e-12)


def test_wilson_hand_calculation_65_of_100():
    """By hand, 95%: z^2 = 3.841459; centre = (0.65 + 0.019207) / 1.038415 = 0.644449;
    half = 1.959964 / 1.038415 * sqrt(0.002275 + 0.000096) = 0.091929 -> 0.5525 .. 0.7364."""
    lo, hi = wilson_interval(0.65, 100)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.5525, 0.7364)


def test_wilson_is_vectorised_and_missing_gives_nan():
    p = pd.Series([0.3, None, 0.5, 0.5, 0.5, 1.2, -0.1, 0.5], dtype="Float64")
    n = pd.Series([263, 100, None, 0, -5, 100, 100, 100], dtype="Int64")
    deff = np.array([1, 1, 1, 1, 1, 1, 1, 0])
    lo, hi = wilson_interval(p, n, deff=deff)
    assert isinstance(lo, np.ndarray) and lo.dtype == float and lo.shape == (8,)
    assert np.isfinite(lo[0]) and np.isfinite(hi[0])
    assert np.isnan(lo[1:]).all() and np.isnan(hi[1:]).all()
    scalar_lo, _ = wilson_interval(0.3, 263)
    assert scalar_lo == lo[0] and np.ndim(scalar_lo) == 0
    assert np.isnan(wilson_interval(0.3, None)).all() and np.isnan(wilson_interval(np.nan, 10)).all()


@settings(max_examples=150, deadline=None)
@given(p=st.floats(0, 1), n=st.floats(1, 1e6), confidence=st.sampled_from(CONFIDENCES),
       deff=st.floats(0.5, 10))
def test_wilson_limits_stay_in_unit_interval_and_contain_p(p, n, confidence, deff):
    lo, hi = wilson_interval(p, n, confidence, deff)
    assert 0.0 <= lo <= p <= hi <= 1.0


@settings(max_examples=100, deadline=None)
@given(p=st.floats(0, 1), n=st.integers(1, 100_000), confidence=st.sampled_from(CONFIDENCES))
def test_wilson_is_symmetric_under_p_to_one_minus_p(p, n, confidence):
    """Score intervals are equivariant: CI(1 - p) = 1 - CI(p) reversed (Newcombe 1998, criterion)."""
    lo, hi = wilson_interval(p, n, confidence)
    lo2, hi2 = wilson_interval(1 - p, n, confidence)
    assert lo2 == pytest.approx(1 - hi, abs=1e-9) and hi2 == pytest.approx(1 - lo, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(p=st.floats(0, 1), n=st.integers(2, 100_000), deff=st.floats(1.1, 5))
def test_design_effect_one_is_plain_wilson_and_larger_deff_widens(p, n, deff):
    plain = wilson_interval(p, n)
    assert wilson_interval(p, n, deff=1.0) == plain
    lo, hi = wilson_interval(p, n, deff=deff)
    assert (lo, hi) == pytest.approx(fingertips_wilson(p * n / deff, n / deff, z_value(0.95)), abs=1e-9)
    assert hi - lo > plain[1] - plain[0]
    assert lo <= plain[0] + 1e-15 and hi >= plain[1] - 1e-15


# --- Byar / exact Poisson ---------------------------------------------------------------------------

@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_small_counts_use_the_exact_chi_square_interval(confidence):
    """Counts 0..9: Garwood's exact limits chi2(alpha/2; 2O)/2 and chi2(1 - alpha/2; 2O + 2)/2
    (lower limit 0 for O = 0), computed here with scipy."""
    alpha = 1 - confidence
    counts = np.arange(10)
    lo, hi = byar_interval(counts, confidence)
    for o in counts:
        expected_lo = 0.0 if o == 0 else stats.chi2.ppf(alpha / 2, 2 * o) / 2
        assert lo[o] == pytest.approx(expected_lo, rel=1e-12, abs=1e-15)
        assert hi[o] == pytest.approx(stats.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2, rel=1e-12)


def test_zero_count_upper_limit_is_documented_3_689():
    """epitools::pois.exact documentation: 'When x = 0, for the upper confidence limit pois.exact
    returns 3.689' (95%); that is -ln(0.025) = 3.6889."""
    lo, hi = byar_interval(0)
    assert lo == 0.0
    assert round(float(hi), 3) == 3.689
    assert hi == pytest.approx(-math.log(0.025), rel=1e-12)


def test_byar_documented_example_100_events():
    """Ruby gem `byar` (Byar's approximation, z = 1.96) documents for 100 observed events:
    upper_bound = 121.628347271806 and lower(100, 90) = 0.9040199067337297, i.e. a lower limit of
    0.9040199067337297 * 90 = 81.3618 events. A confidence of 2 Phi(1.96) - 1 makes z exactly 1.96."""
    confidence = 2 * stats.norm.cdf(1.96) - 1
    lo, hi = byar_interval(100, confidence)
    assert hi == pytest.approx(121.628347271806, rel=1e-12)
    assert lo == pytest.approx(0.9040199067337297 * 90, rel=1e-12)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("o", [10, 11, 25, 65, 1045, 10_000])
def test_counts_from_ten_use_byar(confidence, o):
    """From 10 on: Byar's formula as printed (PHEindicatormethods tests use 65 and 1045)."""
    assert byar_interval(o, confidence) == pytest.approx(byar_by_hand(o, z_value(confidence)), rel=1e-12)


@pytest.mark.parametrize(("confidence", "tolerance"), [(0.95, 0.002), (0.998, 0.02)])
def test_byar_agrees_with_exact_poisson_from_ten(confidence, tolerance):
    """PHE Technical Guide 'Confidence intervals': at 95% Byar is within 0.2% of the exact limits
    for counts >= 10 (largest gap: the lower limit at 10, 0.17%). At 99.8% the gap at 10 is 1.5%;
    2% is the tolerance here. The switch at 10 must therefore be nearly seamless."""
    alpha = 1 - confidence
    counts = np.arange(10, 501)
    lo, hi = byar_interval(counts, confidence)
    exact_lo = stats.chi2.ppf(alpha / 2, 2 * counts) / 2
    exact_hi = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
    assert np.max(np.abs(lo / exact_lo - 1)) < tolerance
    assert np.max(np.abs(hi / exact_hi - 1)) < tolerance
    # ...and the value at 10 really is Byar's, not the exact one.
    assert lo[0] != pytest.approx(exact_lo[0], rel=1e-6)


def test_byar_missing_and_negative_counts_give_nan():
    lo, hi = byar_interval(pd.Series([12, None, -1, np.inf, 3], dtype="Float64"))
    assert np.isnan(lo[1:4]).all() and np.isnan(hi[1:4]).all()
    assert np.isfinite(lo[[0, 4]]).all()
    assert np.isnan(byar_interval(None)).all() and np.isnan(byar_interval([None, None])).all()


@settings(max_examples=150, deadline=None)
@given(o=st.one_of(st.integers(0, 100_000), st.floats(0, 1e6, allow_subnormal=False)),
       confidence=st.sampled_from(CONFIDENCES))
def test_byar_interval_contains_the_count(o, confidence):
    lo, hi = byar_interval(o, confidence)
    assert 0.0 <= lo <= o <= hi


def test_byar_limits_increase_with_the_count():
    for confidence in (0.95, 0.998):
        lo, hi = byar_interval(np.arange(0, 2000), confidence)
        assert (np.diff(lo) > 0).all() and (np.diff(hi) > 0).all()


# --- t interval and standard error ------------------------------------------------------------------

@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize(("mean", "sd", "n"), [(7.2, 1.1, 30), (6.5, 2.0, 2), (8.0, 0.4, 1500), (5.5, 0.0, 12)])
def test_t_interval_matches_scipy(confidence, mean, sd, n):
    # scipy returns NaN for a zero scale; a zero sd has a zero-width interval
    expected = (mean, mean) if sd == 0 else stats.t.interval(confidence, n - 1, loc=mean, scale=sd / math.sqrt(n))
    assert mean_t_interval(mean, sd, n, confidence) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_t_interval_hand_calculation():
    """Mark 7.2, sd 1.1, n 30, 95%: t(0.975; 29) = 2.045230, se = 0.200832 -> 6.7893 .. 7.6107."""
    lo, hi = mean_t_interval(7.2, 1.1, 30)
    assert (round(float(lo), 4), round(float(hi), 4)) == (6.7893, 7.6107)


def test_t_interval_missing_or_degenerate_input_gives_nan():
    lo, hi = mean_t_interval([7.0, 7.0, 7.0, 7.0, None, 7.0], [1.0, None, 1.0, 1.0, 1.0, -1.0],
                             pd.Series([30, 30, 1, None, 30, 30], dtype="Int64"))
    assert np.isfinite(lo[0]) and np.isnan(lo[1:]).all() and np.isnan(hi[1:]).all()


@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_standard_error_inverts_a_normal_interval(confidence):
    se = np.array([0.5, 2.0, 0.0])
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    assert standard_error_from_interval(10 - z * se, 10 + z * se, confidence) == pytest.approx(se, rel=1e-12)
    assert np.isnan(standard_error_from_interval([1.0, None, 3.0], [np.nan, 2.0, 2.0])).all()


# --- comparison with the city -----------------------------------------------------------------------

def test_significant_at_95_but_not_at_99_8_for_a_proportion():
    """Area 120 of 400 (30%) vs city 25%. By the Fingertips Wilson form: 95% -> 0.2572 .. 0.3466,
    entirely above 0.25 -> 'higher'; 99.8% -> 0.2345 .. 0.3748 contains 0.25 -> 'similar'."""
    lo95, hi95 = wilson_interval(0.30, 400, 0.95)
    lo998, hi998 = wilson_interval(0.30, 400, 0.998)
    assert (round(float(lo95), 4), round(float(hi95), 4)) == (0.2572, 0.3466)
    assert (round(float(lo998), 4), round(float(hi998), 4)) == (0.2345, 0.3748)
    assert compare_with_benchmark(lo95, hi95, 0.25, "neutral") == HIGHER
    assert compare_with_benchmark(lo95, hi95, 0.25, "higher_is_better") == BETTER
    assert compare_with_benchmark(lo95, hi95, 0.25, "lower_is_better") == WORSE
    assert compare_with_benchmark(lo998, hi998, 0.25, "lower_is_better") == SIMILAR


def test_significant_at_95_but_not_at_99_8_for_a_rate():
    """150 events in 10,000 residents (15.0 per 1,000) vs city 12.0 per 1,000. Byar by hand:
    95% count limits 126.95 .. 176.02 -> 12.70 .. 17.60 per 1,000: above 12 -> 'higher' ('worse'
    for a crime rate, lower_is_better); 99.8% lower limit 150 (1 - 1/1350 - 3.0902/(3 sqrt 150))^3
    = 114.97 -> 11.50 per 1,000, below 12 -> 'similar'."""
    lo95, hi95 = byar_interval(150, 0.95)
    lo998, hi998 = byar_interval(150, 0.998)
    assert (round(float(lo95), 2), round(float(hi95), 2)) == (126.95, 176.02)
    assert round(float(lo998), 2) == 114.97
    rate = 1000 / 10_000
    assert compare_with_benchmark(lo95 * rate, hi95 * rate, 12.0, "lower_is_better") == WORSE
    assert compare_with_benchmark(lo998 * rate, hi998 * rate, 12.0, "lower_is_better") == SIMILAR


def test_comparison_table_of_hand_made_cases():
    low = [0.30, 0.10, 0.20, 0.25, 0.10, np.nan, 0.20, 0.30, 0.20]
    high = [0.40, 0.20, 0.30, 0.35, 0.25, 0.30, np.nan, 0.40, 0.30]
    bench = [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, np.nan, 0.25]
    #      above  below  inside touch-low touch-high no-low no-high no-bench inside
    polarity = ["higher_is_better", "higher_is_better", "higher_is_better", "lower_is_better",
                "lower_is_better", "neutral", None, "neutral", "lower_is_better"]
    result = compare_with_benchmark(low, high, bench, polarity)
    assert result.dtype == object
    assert list(result) == [BETTER, WORSE, SIMILAR, SIMILAR, SIMILAR, None, None, None, SIMILAR]
    lower_better = compare_with_benchmark(low[:2], high[:2], bench[:2], "lower_is_better")
    assert list(lower_better) == [WORSE, BETTER]
    neutral = compare_with_benchmark(low[:2], high[:2], bench[:2], pd.Series(["neutral", pd.NA]))
    assert list(neutral) == [HIGHER, LOWER]


def test_comparison_accepts_nullable_series_and_rejects_unknown_polarity():
    low = pd.Series([0.3, None], dtype="Float64")
    high = pd.Series([0.4, 0.5], dtype="Float64")
    assert list(compare_with_benchmark(low, high, 0.25)) == [HIGHER, None]
    assert compare_with_benchmark(0.1, 0.2, 0.25) == LOWER
    assert compare_with_benchmark(0.3, 0.2, 0.25) is None  # inverted interval: not tested
    with pytest.raises(ValueError, match="unknown polarity"):
        compare_with_benchmark([0.3], [0.4], 0.25, "higher_is_worse")


intervals_st = st.tuples(st.floats(-100, 100), st.floats(0, 50), st.floats(-100, 100))


@settings(max_examples=150, deadline=None)
@given(case=intervals_st, widen=st.tuples(st.floats(0, 20), st.floats(0, 20)))
def test_comparison_invariants(case, widen):
    """Polarity only relabels; mirroring the scale swaps higher and lower; a wider interval around
    the same one never turns 'similar' into a significant difference."""
    low, width, bench = case
    high = low + width
    neutral = compare_with_benchmark(low, high, bench, "neutral")
    up = compare_with_benchmark(low, high, bench, "higher_is_better")
    down = compare_with_benchmark(low, high, bench, "lower_is_better")
    assert up == {HIGHER: BETTER, LOWER: WORSE, SIMILAR: SIMILAR}[neutral]
    assert down == {HIGHER: WORSE, LOWER: BETTER, SIMILAR: SIMILAR}[neutral]
    assert compare_with_benchmark(-high, -low, -bench) == {HIGHER: LOWER, LOWER: HIGHER, SIMILAR: SIMILAR}[neutral]
    if neutral == SIMILAR:
        assert compare_with_benchmark(low - widen[0], high + widen[1], bench) == SIMILAR


def test_references_are_exported():
    for module, names in ((intervals, {"wilson", "byar", "exact_poisson", "t_mean", "design_effect"}),
                          (compare, {"benchmark_comparison"})):
        assert names <= set(module.REFERENCES)
        assert all(len(text) > 40 for text in module.REFERENCES.values())


def test_change_between_two_years_is_a_z_test_on_the_interval_widths():
    """Altman & Bland (2003): SE(d) = sqrt(SE1^2 + SE2^2), SE from a 95% interval = width / (2 x 1.96)."""
    from wijkmonitor.stats.compare import change_between

    z = 1.959963984540054
    # Both intervals have SE 1; a difference of z * sqrt(2) is exactly significant at 5%.
    test = change_between(10 + z * 2**0.5, 10 + z * 2**0.5 - z, 10 + z * 2**0.5 + z, 10.0, 10 - z, 10 + z)
    assert test.se == pytest.approx(2**0.5) and test.z == pytest.approx(z) and test.p == pytest.approx(0.05)
    # Hand calculation: 20 (18-22) against 15 (13.04-16.96): SEs 1.0204 and 1.0000, z = 5 / 1.4287 = 3.4996.
    test = change_between(20, 18, 22, 15, 13.04, 16.96)
    assert test.difference == 5 and test.z == pytest.approx(3.4996, abs=1e-4)
    assert test.p == pytest.approx(0.000466, abs=2e-6)
    assert change_between(20, None, None, 15, 13, 17) is None  # no interval: no test possible
    assert change_between(20, 20, 20, 15, 15, 15) is None  # zero widths


def test_two_sided_p_is_never_zero():
    from wijkmonitor.stats.compare import P_FLOOR, two_sided_p

    assert two_sided_p(1.959964) == pytest.approx(0.05, abs=1e-6)
    assert two_sided_p(-1.959964) == pytest.approx(0.05, abs=1e-6)
    # Overvecht's bijstand share against the city on 34,910 inhabitants: z about 50, p underflows a double.
    assert two_sided_p(50.0) == P_FLOOR > 0
    assert np.isnan(two_sided_p(np.nan))
