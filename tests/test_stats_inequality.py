"""Inequality between areas, against documented package examples, hand calculations and exact invariants."""

import inspect
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from wijkmonitor.stats import inequality
from wijkmonitor.stats.inequality import (
    REFERENCES,
    dissimilarity,
    gini,
    sii_rii,
    spread,
    theil_t,
    weighted_cv,
)

FAST = settings(max_examples=40, deadline=None)
positive = st.floats(min_value=0.5, max_value=1000, allow_nan=False)
population = st.integers(min_value=1, max_value=5000)


def areas(min_size=2, max_size=12, value=positive):
    """(values, weights) of equal length."""
    return st.integers(min_size, max_size).flatmap(lambda n: st.tuples(
        st.lists(value, min_size=n, max_size=n), st.lists(population, min_size=n, max_size=n)))


def replicate(values, weights):
    """Each value repeated weight times (integer weights as frequency weights)."""
    return np.repeat(np.asarray(values, dtype=float), np.asarray(weights, dtype=int))


def test_every_public_function_has_a_reference():
    public = {name for name, obj in vars(inequality).items()
              if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == inequality.__name__}
    assert public == set(REFERENCES)
    assert all(len(text) > 60 for text in REFERENCES.values())


# --- spread and weighted CV -------------------------------------------------------------------------------

def test_spread_textbook_example():
    """The textbook set 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and population standard deviation exactly 2
    (sum of squared deviations 32, divided by n = 8): CV = 2 / 5 = 0.4 (ddof = 0, not the sample 2.138 / 5).
    Range 9 - 2 = 7, ratio 9 / 2 = 4.5. Missing values (NaN, None, pandas NA) are left out."""
    result = spread(pd.Series([2, 4, None, 4, 4, 5, 5, 7, 9], dtype="Float64"))
    assert result == {"range": 7.0, "ratio_max_min": 4.5, "cv": pytest.approx(0.4, abs=1e-15)}
    assert spread([2, 4, 4, 4, 5, 5, 7, 9, np.nan])["cv"] == pytest.approx(0.4, abs=1e-15)


def test_spread_degenerate_input_gives_nan():
    assert all(math.isnan(x) for x in spread([3.0, np.nan]).values())
    assert all(math.isnan(x) for x in spread([]).values())
    zero_min = spread([0.0, 2.0])
    assert math.isnan(zero_min["ratio_max_min"]) and zero_min["range"] == 2.0 and zero_min["cv"] == 1.0
    assert math.isnan(spread([-1.0, 1.0])["cv"])  # mean 0


def test_weighted_cv_hand_calculation():
    """Values 10 and 20 with populations 3 and 1: shares 0.75/0.25, mean 12.5,
    variance 0.75 * 2.5^2 + 0.25 * 7.5^2 = 4.6875 + 14.0625 = 18.75, CV = sqrt(18.75) / 12.5 = 0.34641."""
    assert weighted_cv([10, 20], [3, 1]) == pytest.approx(math.sqrt(18.75) / 12.5, rel=1e-14)
    assert weighted_cv([10, 20, 99], [3, 1, 0]) == pytest.approx(math.sqrt(18.75) / 12.5, rel=1e-14)  # weight 0
    assert math.isnan(weighted_cv([10, 20], [3, np.nan]))


@FAST
@given(areas())
def test_weighted_cv_is_the_cv_of_the_replicated_population(data):
    values, weights = data
    assert weighted_cv(values, weights) == pytest.approx(spread(replicate(values, weights))["cv"],
                                                         rel=1e-9, abs=1e-12)
    assert weighted_cv(values, np.ones(len(values))) == pytest.approx(spread(values)["cv"], rel=1e-9, abs=1e-12)


@FAST
@given(positive, st.integers(2, 10))
def test_equal_values_have_exactly_zero_spread(value, n):
    assert spread([value] * n)["cv"] == 0.0
    assert weighted_cv([value] * n, range(1, n + 1)) == 0.0


# --- Gini ---------------------------------------------------------------------------------------------------

def test_gini_documented_example():
    """R phylotools::gini documentation (algorithm of ineq::Gini): gini(c(1,3,2,1,1,1,4)) = 0.3076923.
    By hand: sorted 1,1,1,1,2,3,4, sum 13, sum i*x_(i) = 66, G = 2*66/(7*13) - 1 - 1/7 = 28/91 = 4/13.
    The same population as values 1, 2, 3, 4 with populations 4, 1, 1, 1 gives the same weighted Gini."""
    assert gini([1, 3, 2, 1, 1, 1, 4]) == pytest.approx(4 / 13, rel=1e-14)
    assert gini([1, 3, 2, 1, 1, 1, 4]) == pytest.approx(0.3076923, abs=5e-8)
    assert gini([1, 2, 3, 4], [4, 1, 1, 1]) == pytest.approx(4 / 13, rel=1e-14)


def test_gini_weighted_hand_calculation():
    """Values 1 and 3 with populations 1 and 3: W = 4, mu = (1 + 9) / 4 = 2.5;
    G = sum_ij w_i w_j |y_i - y_j| / (2 W^2 mu) = (2 * 1 * 3 * 2) / (2 * 16 * 2.5) = 12 / 80 = 0.15."""
    assert gini([1.0, 3.0], [1, 3]) == pytest.approx(0.15, rel=1e-14)
    assert gini(pd.Series([1.0, None, 3.0]), pd.Series([1, 5, 3])) == pytest.approx(0.15, rel=1e-14)


def test_gini_degenerate_input_gives_nan():
    assert math.isnan(gini([5.0]))
    assert math.isnan(gini([0.0, 0.0, 0.0]))  # mean 0
    assert math.isnan(gini([-1.0, 2.0, 3.0]))
    assert math.isnan(gini([1.0, 2.0], [1.0, -1.0]))  # the area with weight <= 0 is left out: one remains


def pairwise_gini(values, weights):
    """Lerman & Yitzhaki (1989) / affluenceIndex::gini.w: sum_ij w_i w_j |y_i - y_j| / (2 W^2 mu)."""
    y, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    mean = (w @ y) / w.sum()
    return float(w @ np.abs(y[:, None] - y[None, :]) @ w / (2 * w.sum() ** 2 * mean))


@FAST
@given(areas())
def test_gini_equals_the_mean_absolute_difference_formula(data):
    values, weights = data
    assert gini(values, weights) == pytest.approx(pairwise_gini(values, weights), rel=1e-9, abs=1e-12)
    assert gini(values) == pytest.approx(pairwise_gini(values, np.ones(len(values))), rel=1e-9, abs=1e-12)
    assert gini(values, [7] * len(values)) == pytest.approx(gini(values), rel=1e-12, abs=1e-15)


@FAST
@given(areas(), st.floats(0.01, 100))
def test_gini_is_scale_invariant_and_between_zero_and_one(data, factor):
    values, weights = data
    g = gini(values, weights)
    assert 0.0 <= g < 1.0
    assert gini(np.asarray(values) * factor, weights) == pytest.approx(g, rel=1e-9, abs=1e-12)


@FAST
@given(positive, st.lists(population, min_size=2, max_size=10))
def test_gini_of_equal_values_is_exactly_zero(value, weights):
    assert gini([value] * len(weights), weights) == 0.0


# --- Theil T ------------------------------------------------------------------------------------------------

def test_theil_documented_pysal_example():
    """PySAL inequality tests (test_theil.py, TestTheilD): y = [0, 0, 0, 10, 10, 10] with regions
    [0, 0, 0, 1, 1, 1] gives T = 0.6931471805599453 (ln 2), bg = ln 2, wg = 0. Zero values contribute 0."""
    result = theil_t([0, 0, 0, 10, 10, 10], groups=[0, 0, 0, 1, 1, 1])
    assert result["theil"] == pytest.approx(0.6931471805599453, rel=1e-14)
    assert result["between"] == pytest.approx(0.6931471805599453, rel=1e-14)
    assert result["within"] == pytest.approx(0.0, abs=1e-15)


def test_theil_weighted_hand_calculation():
    """Values 1 and 4 with populations 3 and 1: mu = (3 + 4) / 4 = 1.75, shares of w*y 3/7 and 4/7,
    T = 3/7 ln(1 / 1.75) + 4/7 ln(4 / 1.75) = -0.239835 + 0.472388 = 0.232553."""
    expected = 3 / 7 * math.log(1 / 1.75) + 4 / 7 * math.log(4 / 1.75)
    result = theil_t([1.0, 4.0], [3, 1])
    assert result["theil"] == pytest.approx(expected, rel=1e-14)
    assert result["theil"] == pytest.approx(0.232553, abs=1e-6)
    assert math.isnan(result["between"]) and math.isnan(result["within"])


def test_theil_decomposition_hand_calculation():
    """Buurten with values 2, 4 (wijk A, populations 1, 1) and 6, 6 (wijk B, populations 1, 2).
    Total w*y = 2 + 4 + 6 + 12 = 24, mu = 24 / 5 = 4.8. Wijk means: A 3, B 6; shares of w*y: A 6/24, B 18/24.
    between = 6/24 ln(3/4.8) + 18/24 ln(6/4.8); within = 6/24 * T_A + 18/24 * 0 with
    T_A = 2/6 ln(2/3) + 4/6 ln(4/3)."""
    between = 6 / 24 * math.log(3 / 4.8) + 18 / 24 * math.log(6 / 4.8)
    within = 6 / 24 * (2 / 6 * math.log(2 / 3) + 4 / 6 * math.log(4 / 3))
    result = theil_t([2, 4, 6, 6], [1, 1, 1, 2], groups=["A", "A", "B", "B"])
    assert result["between"] == pytest.approx(between, rel=1e-13)
    assert result["within"] == pytest.approx(within, rel=1e-13)
    assert result["theil"] == pytest.approx(between + within, rel=1e-13)


def test_theil_leaves_out_areas_with_a_missing_group_and_gives_nan_when_undefined():
    with_missing = theil_t([2, 4, 6, 6, 100], [1, 1, 1, 2, 1], groups=["A", "A", "B", "B", None])
    assert with_missing == pytest.approx(theil_t([2, 4, 6, 6], [1, 1, 1, 2], groups=["A", "A", "B", "B"]))
    assert all(math.isnan(x) for x in theil_t([1.0, -2.0]).values())
    assert all(math.isnan(x) for x in theil_t([0.0, 0.0]).values())
    assert all(math.isnan(x) for x in theil_t([3.0]).values())


def pysal_theil(y):
    """PySAL inequality.theil.Theil: T = sum_i (y_i / sum y) ln(n y_i / sum y) (no zero values here)."""
    y = np.asarray(y, dtype=float)
    share = y / y.sum()
    return float(share @ np.log(len(y) * share))


def pysal_between(y, partition):
    """PySAL inequality.theil.TheilD: bg = sum_g s_g ln(n / n_g * s_g), s_g the group's share of sum y."""
    y, partition = np.asarray(y, dtype=float), np.asarray(partition)
    groups = np.unique(partition)
    sg = np.array([y[partition == g].sum() for g in groups]) / y.sum()
    ng = np.array([(partition == g).sum() for g in groups])
    return float((sg * np.log(len(y) / ng * sg)).sum())


@FAST
@given(areas(max_size=8), st.data())
def test_theil_matches_pysal_on_the_replicated_population(data, draw):
    values, weights = data
    labels = draw.draw(st.lists(st.sampled_from("abc"), min_size=len(values), max_size=len(values)))
    result = theil_t(values, weights, groups=labels)
    people, people_groups = replicate(values, weights), np.repeat(labels, weights)
    assert result["theil"] == pytest.approx(pysal_theil(people), rel=1e-9, abs=1e-12)
    assert result["between"] == pytest.approx(pysal_between(people, people_groups), rel=1e-9, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(areas(max_size=15, value=st.one_of(st.just(0.0), positive)), st.data())
def test_theil_between_plus_within_equals_total(data, draw):
    values, weights = data
    assume(sum(values) > 0)
    labels = draw.draw(st.lists(st.integers(0, 3), min_size=len(values), max_size=len(values)))
    result = theil_t(values, weights, groups=labels)
    assert abs(result["between"] + result["within"] - result["theil"]) <= 1e-12
    assert result["theil"] >= -1e-15 and result["between"] >= -1e-15 and result["within"] >= -1e-15
    assert theil_t(values, weights, groups=[0] * len(values))["between"] == pytest.approx(0.0, abs=1e-15)


@FAST
@given(positive, st.lists(population, min_size=2, max_size=10))
def test_theil_of_equal_values_is_zero(value, weights):
    assert theil_t([value] * len(weights), weights)["theil"] == pytest.approx(0.0, abs=1e-13)


# --- dissimilarity ------------------------------------------------------------------------------------------

def test_dissimilarity_hand_calculation():
    """Low-income households 200, 150, 300 of 500, 400, 500 households: rest 300, 250, 200; G = 650, R = 750.
    |200/650 - 300/750| = |4/13 - 2/5| = 6/65; |150/650 - 250/750| = |3/13 - 1/3| = 4/39;
    |300/650 - 200/750| = |6/13 - 4/15| = 38/195; D = (18 + 20 + 38) / 195 / 2 = 38/195 = 0.194872."""
    assert dissimilarity([200, 150, 300], [500, 400, 500]) == pytest.approx(38 / 195, rel=1e-14)
    assert dissimilarity(pd.Series([200, 150, None, 300], dtype="Int64"),
                         [500, 400, 700, 500]) == pytest.approx(38 / 195, rel=1e-14)


def test_dissimilarity_complete_separation_and_undefined_cases():
    assert dissimilarity([10, 0, 5], [10, 20, 5]) == pytest.approx(1.0, abs=1e-15)
    assert math.isnan(dissimilarity([0, 0], [10, 20]))  # G = 0
    assert math.isnan(dissimilarity([10, 20], [10, 20]))  # R = 0
    assert math.isnan(dissimilarity([11, 5], [10, 20]))  # group larger than its total
    assert math.isnan(dissimilarity([-1, 5], [10, 20]))
    assert math.isnan(dissimilarity([5], [10]))


@FAST
@given(st.lists(st.integers(1, 10_000), min_size=2, max_size=12), st.integers(1, 50), st.integers(1, 50))
def test_dissimilarity_is_exactly_zero_for_a_proportional_spread(sizes, group_part, rest_part):
    sizes = np.asarray(sizes)
    assert dissimilarity(group_part * sizes, (group_part + rest_part) * sizes) == 0.0


@FAST
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=2, max_size=12))
def test_dissimilarity_is_between_zero_and_one_and_symmetric(counts):
    group, rest = np.array(counts).T
    assume(group.sum() > 0 and rest.sum() > 0)
    d = dissimilarity(group, group + rest)
    assert -1e-15 <= d <= 1 + 1e-12
    assert dissimilarity(rest, group + rest) == pytest.approx(d, abs=1e-14)


# --- SII / RII ----------------------------------------------------------------------------------------------

def test_sii_rii_hand_calculation():
    """Three areas, % low-income 30, 20, 10 (most deprived first), populations 100, 200, 100, values 10, 8, 5.
    Shares 0.25, 0.5, 0.25; ranks 0.125, 0.5, 0.875; weighted mean rank 0.5, mean value 7.75.
    Sxy = 0.25(-0.375)(2.25) + 0 + 0.25(0.375)(-2.75) = -0.46875; Sxx = 2 * 0.25 * 0.140625 = 0.0703125;
    SII = -0.46875 / 0.0703125 = -20/3 (6.67 lower at the least deprived end); RII = SII / 7.75 = -0.860215.
    Fitted ends: most deprived 7.75 + 10/3 = 11.0833, least 7.75 - 10/3 = 4.4167; phe_sii's RII 4.4167/11.0833."""
    result = sii_rii([10, 8, 5], [100, 200, 100], [30, 20, 10])
    assert result["sii"] == pytest.approx(-20 / 3, rel=1e-13)
    assert result["rii"] == pytest.approx(-20 / 3 / 7.75, rel=1e-13)
    ends = sii_rii([10, 8, 5], [100, 200, 100], [30, 20, 10], rii_method="ends")
    assert ends["rii"] == pytest.approx((7.75 - 10 / 3) / (7.75 + 10 / 3), rel=1e-13)
    # the same with the order given as a "higher is better" indicator, shuffled, with an area missing a value
    again = sii_rii(pd.Series([5, None, 10, 8]), [100, 50, 100, 200], [90, 50, 70, 80], higher_is_more_deprived=False)
    assert again["sii"] == pytest.approx(-20 / 3, rel=1e-13)


# phe_sii documentation example (PHEindicatormethods, R/SII_function.R), "Area1": deciles 1 (most deprived)
# to 10, with population, life expectancy value and standard error per decile.
PHE_POPULATION = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
PHE_VALUE = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]
PHE_SE = [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57]


def phe_regression(values, population):
    """phe_sii's fit, as its code does it: a = population share, b = midpoint of the cumulative share,
    lm(sqrt(a) * y ~ sqrt(a) + b * sqrt(a) - 1); SII = coefficient of b sqrt(a), RII = (c1 + c2) / c1."""
    a = np.asarray(population, dtype=float) / np.sum(population)
    b = np.cumsum(a) - a / 2
    design = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    (intercept, slope), *_ = np.linalg.lstsq(design, np.sqrt(a) * np.asarray(values), rcond=None)
    return slope, (intercept + slope) / intercept, float(a @ values)


def test_sii_matches_the_phe_sii_regression_on_its_documented_example():
    """phe_sii documentation data (Area1). Independent fit by least squares on phe_sii's transformed design."""
    slope, rii_ends, mean = phe_regression(PHE_VALUE, PHE_POPULATION)
    deciles = np.arange(1, 11)
    result = sii_rii(PHE_VALUE, PHE_POPULATION, deciles, higher_is_more_deprived=False)
    assert result["sii"] == pytest.approx(slope, rel=1e-10)
    assert result["rii"] == pytest.approx(slope / mean, rel=1e-10)
    ends = sii_rii(PHE_VALUE, PHE_POPULATION, deciles, higher_is_more_deprived=False, rii_method="ends")
    assert ends["rii"] == pytest.approx(rii_ends, rel=1e-10)
    assert 5 < result["sii"] < 9  # life expectancy rises by about 7 years from the most to least deprived


def test_sii_interval_with_se_matches_the_normal_theory_and_a_brute_force_simulation():
    """With se, SII = sum c_i y_i is normal with sd sqrt(sum c_i^2 se_i^2), c_i = p_i (x_i - 0.5) / Sxx:
    the 95% limits must be SII -/+ 1.96 sd up to Monte Carlo error. The RII limits must match phe_sii's
    own procedure: draw every decile's value from Normal(value, se), refit, take percentiles."""
    deciles = np.arange(1, 11)
    result = sii_rii(PHE_VALUE, PHE_POPULATION, deciles, se=PHE_SE, n_sim=40_000, seed=1,
                     higher_is_more_deprived=False)
    a = np.asarray(PHE_POPULATION) / np.sum(PHE_POPULATION)
    x = np.cumsum(a) - a / 2
    coef = a * (x - 0.5) / (a @ (x - 0.5) ** 2)
    half = stats.norm.ppf(0.975) * np.sqrt(np.sum((coef * PHE_SE) ** 2))
    assert result["sii_ci_low"] == pytest.approx(result["sii"] - half, abs=0.03 * half)
    assert result["sii_ci_high"] == pytest.approx(result["sii"] + half, abs=0.03 * half)

    draws = np.random.default_rng(99).normal(PHE_VALUE, PHE_SE, size=(40_000, 10))
    slopes = (draws - (draws @ a)[:, None]) @ (a * (x - 0.5)) / (a @ (x - 0.5) ** 2)
    rii_low, rii_high = np.quantile(slopes / (draws @ a), [0.025, 0.975])
    assert result["rii_ci_low"] == pytest.approx(rii_low, abs=0.03 * (rii_high - rii_low))
    assert result["rii_ci_high"] == pytest.approx(rii_high, abs=0.03 * (rii_high - rii_low))


def test_sii_interval_is_the_estimate_when_se_is_zero_and_zero_when_values_are_equal():
    exact = sii_rii(PHE_VALUE, PHE_POPULATION, np.arange(10), se=np.zeros(10), n_sim=200)
    assert exact["sii_ci_low"] == exact["sii"] == exact["sii_ci_high"]
    assert exact["rii_ci_low"] == exact["rii"] == exact["rii_ci_high"]
    flat = sii_rii([81.2] * 10, PHE_POPULATION, np.arange(10), n_sim=200)
    assert flat == {"sii": 0.0, "sii_ci_low": 0.0, "sii_ci_high": 0.0, "rii": 0.0, "rii_ci_low": 0.0,
                    "rii_ci_high": 0.0}


def test_sii_bootstrap_is_deterministic_per_seed_and_covers_the_estimate():
    one = sii_rii(PHE_VALUE, PHE_POPULATION, np.arange(10), n_sim=500, seed=7)
    assert one == sii_rii(PHE_VALUE, PHE_POPULATION, np.arange(10), n_sim=500, seed=7)
    other = sii_rii(PHE_VALUE, PHE_POPULATION, np.arange(10), n_sim=500, seed=8)
    assert other["sii"] == one["sii"] and other["sii_ci_low"] != one["sii_ci_low"]
    assert one["sii"] < 0  # higher order = more deprived here, and decile 10 has the highest value
    assert one["sii_ci_low"] < one["sii"] < one["sii_ci_high"]
    assert one["rii_ci_low"] < one["rii"] < one["rii_ci_high"]


def test_sii_bootstrap_matches_a_brute_force_bootstrap():
    """Without se: resample the 10 deciles with replacement, rank the drawn rows (copies of one decile are
    tied: they share the midpoint of their combined share), fit with numpy.polyfit (weights sqrt(pop)),
    one draw at a time; the percentile limits must agree with the vectorised ones up to Monte Carlo error."""
    rng = np.random.default_rng(2024)
    value, pop = np.asarray(PHE_VALUE), np.asarray(PHE_POPULATION, dtype=float)  # decile 1 most deprived
    slopes = []
    for _ in range(3000):
        drawn = np.sort(rng.integers(0, 10, 10))
        w = pop[drawn] / pop[drawn].sum()
        end = np.cumsum(w)
        first = np.searchsorted(drawn, drawn, side="left")
        last = np.searchsorted(drawn, drawn, side="right") - 1
        ranks = ((end[first] - w[first]) + end[last]) / 2
        if np.ptp(ranks) > 0:
            slopes.append(np.polyfit(ranks, value[drawn], 1, w=np.sqrt(w))[0])
    low, high = np.quantile(slopes, [0.025, 0.975])
    result = sii_rii(PHE_VALUE, PHE_POPULATION, np.arange(1, 11), n_sim=20_000, seed=5,
                     higher_is_more_deprived=False)
    assert result["sii_ci_low"] == pytest.approx(low, abs=0.06 * (high - low))
    assert result["sii_ci_high"] == pytest.approx(high, abs=0.06 * (high - low))


def test_sii_nan_for_degenerate_input_and_intervals_only_when_supported():
    assert all(math.isnan(x) for x in sii_rii([5.0], [10], [1]).values())
    assert all(math.isnan(x) for x in sii_rii([5.0, 6.0, 7.0], [10, 10, 10], [2, 2, 2]).values())  # one rank
    two = sii_rii([5.0, 7.0], [10, 30], [2, 1])
    assert two["sii"] == pytest.approx(2 / 0.5) and math.isnan(two["sii_ci_low"])  # no bootstrap with 2 areas
    missing_se = sii_rii([5.0, 6.0, 8.0], [10, 10, 10], [3, 2, 1], se=[0.1, None, 0.2])
    assert missing_se["sii"] == pytest.approx(sii_rii([5.0, 6.0, 8.0], [10, 10, 10], [3, 2, 1])["sii"])
    assert math.isnan(missing_se["sii_ci_low"]) and math.isnan(missing_se["rii_ci_high"])
    zero_mean = sii_rii([-1.0, 0.0, 1.0], [1, 1, 1], [3, 2, 1])
    assert zero_mean["sii"] == pytest.approx(2.0 / (2 / 3)) and math.isnan(zero_mean["rii"])
    with pytest.raises(ValueError, match="confidence"):
        sii_rii([1, 2, 3], [1, 1, 1], [1, 2, 3], confidence=95)


def test_sii_ties_share_one_rank_whatever_the_input_order():
    """Areas 2 and 3 share order value 20: both get the midpoint of their combined share (0.25 .. 0.75 -> 0.5)."""
    values, weights, order = [10.0, 7.0, 9.0, 5.0], [100, 100, 100, 100], [30, 20, 20, 10]
    # ranks 0.125, 0.5, 0.5, 0.875; values centred on 7.75: 2.25, -0.75, 1.25, -2.75
    expected = (0.25 * (-0.375 * 2.25 + 0.375 * -2.75)) / (2 * 0.25 * 0.375**2)
    assert sii_rii(values, weights, order)["sii"] == pytest.approx(expected, rel=1e-13)
    swapped = sii_rii([10.0, 9.0, 7.0, 5.0], weights, [30, 20, 20, 10])
    assert swapped["sii"] == pytest.approx(expected, rel=1e-13)


@st.composite
def ranked_areas(draw):
    n = draw(st.integers(2, 10))
    weights = np.array(draw(st.lists(population, min_size=n, max_size=n)), dtype=float)
    order = np.array(draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n, unique=True)), dtype=float)
    return weights, order


def midpoint_ranks(weights, order):
    """Relative rank of each area (higher order = more deprived = nearer 0), computed directly."""
    position = np.argsort(-order)
    share = weights[position] / weights.sum()
    ranks = np.empty_like(share)
    ranks[position] = np.cumsum(share) - share / 2
    return ranks


@FAST
@given(ranked_areas(), st.floats(-50, 50), st.floats(-20, 20))
def test_sii_of_a_linear_gradient_is_its_slope(data, intercept, slope):
    weights, order = data
    values = intercept + slope * midpoint_ranks(weights, order)
    assert sii_rii(values, weights, order, n_sim=20)["sii"] == pytest.approx(slope, rel=1e-9, abs=1e-9)


@FAST
@given(ranked_areas(), st.floats(0.5, 100), st.floats(0.01, 100))
def test_sii_zero_for_equal_values_and_rii_scale_invariant(data, level, factor):
    weights, order = data
    flat = sii_rii(np.full(len(weights), level), weights, order, n_sim=20)
    assert flat["sii"] == 0.0 and flat["rii"] == 0.0
    values = np.linspace(3, 9, len(weights)) + order / 1000
    base = sii_rii(values, weights, order, n_sim=50, seed=3)
    scaled = sii_rii(values * factor, weights, order, n_sim=50, seed=3)
    for key in ("rii", "rii_ci_low", "rii_ci_high"):
        assert scaled[key] == pytest.approx(base[key], rel=1e-9, abs=1e-12, nan_ok=True)
    assert scaled["sii"] == pytest.approx(base["sii"] * factor, rel=1e-9, abs=1e-12)
