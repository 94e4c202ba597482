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
from wijkmonitor.stats.compare import change_between
from wijkmonitor.stats.inequality import (
    REFERENCES,
    dissimilarity,
    divided_triumph,
    gini,
    inequality_change,
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


# --- SII / RII with phe_sii's transform ---------------------------------------------------------------------

def expit(t):
    return 1.0 / (1.0 + np.exp(-np.asarray(t, dtype=float)))


def logit(p):
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


# deciles 1 (most deprived) .. 10 with the phe_sii documentation populations: relative ranks
PHE_SHARE = np.asarray(PHE_POPULATION) / np.sum(PHE_POPULATION)
PHE_RANK = np.cumsum(PHE_SHARE) - PHE_SHARE / 2


def test_sii_logit_transform_recovers_an_exact_line_on_the_logit_scale():
    """Percentages whose logit is exactly linear in the relative rank, logit(y / 100) = a + b x with
    a = logit(0.30), b = -3: phe_sii(transform = TRUE) fits that line exactly and back-transforms its ends,
    F0 = 100 expit(a) = 30 %, F1 = 100 * 0.3 e^-3 / (0.7 + 0.3 e^-3) = 2.0892 %: SII = F1 - F0 = -27.911
    percentage points, RII ('ends', phe_sii) = F1 / F0 = 0.069638; RII ('mean') = SII / population-weighted
    mean of the values. The untransformed line does not fit the curve: its fitted value at the least
    deprived end is below 0 %, so its 'ends' RII is negative."""
    a, b = logit(0.30), -3.0
    values = 100 * expit(a + b * PHE_RANK)
    deciles = np.arange(1, 11)
    f0, f1 = 100 * expit(a), 100 * expit(a + b)
    assert f0 == pytest.approx(30.0, rel=1e-14) and f1 == pytest.approx(2.08915, abs=1e-5)
    ends = sii_rii(values, PHE_POPULATION, deciles, higher_is_more_deprived=False, transform="logit", scale=100,
                   rii_method="ends")
    assert ends["sii"] == pytest.approx(f1 - f0, rel=1e-12)
    assert ends["sii"] == pytest.approx(-27.91085, abs=1e-5)
    assert ends["rii"] == pytest.approx(f1 / f0, rel=1e-12)
    assert ends["rii"] == pytest.approx(0.0696385, abs=1e-7)
    mean = sii_rii(values, PHE_POPULATION, deciles, higher_is_more_deprived=False, transform="logit", scale=100)
    assert mean["sii"] == pytest.approx(f1 - f0, rel=1e-12)
    assert mean["rii"] == pytest.approx((f1 - f0) / (PHE_SHARE @ values), rel=1e-12)
    linear = sii_rii(values, PHE_POPULATION, deciles, higher_is_more_deprived=False, rii_method="ends")
    assert linear["rii"] < 0
    # the same data as proportions 0-1 with scale 1: the SII in proportion units, the RII unchanged
    as_share = sii_rii(values / 100, PHE_POPULATION, deciles, higher_is_more_deprived=False, transform="logit",
                       rii_method="ends")
    assert as_share["sii"] == pytest.approx((f1 - f0) / 100, rel=1e-12)
    assert as_share["rii"] == pytest.approx(f1 / f0, rel=1e-12)


def test_sii_log_transform_recovers_an_exact_exponential_gradient():
    """Rates with log(y) = log(50) + 0.8 x exactly: F0 = 50, F1 = 50 e^0.8 = 111.277; SII = 61.277 and
    RII ('ends') = e^0.8 = 2.22554 exactly, whatever the populations."""
    values = 50 * np.exp(0.8 * PHE_RANK)
    result = sii_rii(values, PHE_POPULATION, np.arange(1, 11), higher_is_more_deprived=False, transform="log",
                     rii_method="ends")
    assert result["sii"] == pytest.approx(50 * math.exp(0.8) - 50, rel=1e-12)
    assert result["rii"] == pytest.approx(math.exp(0.8), rel=1e-12)


def test_sii_logit_limits_are_the_slope_percentiles_back_transformed_around_the_midpoint():
    """phe_sii's procedure: simulate on the logit scale, take the percentile limits (b_low, b_high) of the
    slope there, and back-transform with the fitted midpoint m fixed: SII_low = 100 (expit(m + b_low/2) -
    expit(m - b_low/2)). With confidence limits that are symmetric on the logit scale, logit(y) -/+ 1.96 s,
    the slope on the logit scale is exactly Normal(b, sd^2 = sum c_i^2 s_i^2), so the limits are known."""
    a, b = logit(0.20), 0.9
    values = 100 * expit(a + b * PHE_RANK + np.linspace(-0.05, 0.05, 10))  # close to, not on, a line
    s = np.array(PHE_SE) / 10
    z = stats.norm.ppf(0.975)
    low, high = 100 * expit(logit(values / 100) - z * s), 100 * expit(logit(values / 100) + z * s)
    result = sii_rii(values, PHE_POPULATION, np.arange(1, 11), higher_is_more_deprived=False, transform="logit",
                     scale=100, ci_low=low, ci_high=high, rii_method="ends", n_sim=40_000, seed=3)
    t = logit(values / 100)
    centred = PHE_RANK - 0.5
    coef = PHE_SHARE * centred / (PHE_SHARE @ centred**2)
    slope, mid = coef @ t, PHE_SHARE @ t
    sd = np.sqrt(np.sum((coef * s) ** 2))

    def back(bt):
        return 100 * (expit(mid + bt / 2) - expit(mid - bt / 2)), expit(mid + bt / 2) / expit(mid - bt / 2)

    assert result["sii"] == pytest.approx(back(slope)[0], rel=1e-12)
    assert result["rii"] == pytest.approx(back(slope)[1], rel=1e-12)
    sii_width = back(slope + z * sd)[0] - back(slope - z * sd)[0]  # 15.1 percentage points
    for limit, bt in (("ci_low", slope - z * sd), ("ci_high", slope + z * sd)):  # 12.685 and 27.792 (2e6 draws)
        sii_expected, rii_expected = back(bt)
        assert result[f"sii_{limit}"] == pytest.approx(sii_expected, abs=0.02 * sii_width)
        assert result[f"rii_{limit}"] == pytest.approx(rii_expected, rel=0.01)
    assert result["sii_ci_low"] < result["sii"] < result["sii_ci_high"]
    # the same uncertainty given as an se on the percentage scale (delta method) gives the same draws
    delta = sii_rii(values, PHE_POPULATION, np.arange(1, 11), higher_is_more_deprived=False, transform="logit",
                    scale=100, se=s * values * (1 - values / 100), rii_method="ends", n_sim=40_000, seed=3)
    assert delta == pytest.approx(result, rel=1e-9)


def test_sii_transform_bootstrap_is_the_bootstrap_of_the_transformed_values_back_transformed():
    """Without se: the same seed draws the same areas, so the slope limits of transform='logit' are exactly
    those of the untransformed fit of logit(y), back-transformed around the fitted midpoint."""
    values = np.array([32.0, 28.5, 30.1, 22.4, 20.0, 18.2, 15.5, 16.1, 12.0, 9.8])
    order = np.arange(10)[::-1]  # the first area is the most deprived
    logit_fit = sii_rii(logit(values / 100), PHE_POPULATION, order, n_sim=500, seed=11)
    result = sii_rii(values, PHE_POPULATION, order, transform="logit", scale=100, n_sim=500, seed=11)
    mid = PHE_SHARE[np.argsort(-order)] @ logit(values[np.argsort(-order)] / 100)
    for key in ("sii", "sii_ci_low", "sii_ci_high"):
        bt = logit_fit[key]
        assert result[key] == pytest.approx(100 * (expit(mid + bt / 2) - expit(mid - bt / 2)), rel=1e-10)
    assert result["sii"] < 0 and result["sii_ci_low"] < result["sii"] < result["sii_ci_high"] < 0


def test_sii_transform_undefined_values_flat_values_and_bad_settings():
    assert all(math.isnan(x) for x in sii_rii([0.0, 10.0, 20.0], [1, 1, 1], [3, 2, 1], transform="logit",
                                              scale=100).values())
    assert all(math.isnan(x) for x in sii_rii([0.5, 1.0, 0.2], [1, 1, 1], [3, 2, 1], transform="logit").values())
    assert all(math.isnan(x) for x in sii_rii([0.0, 1.0, 2.0], [1, 1, 1], [3, 2, 1], transform="log").values())
    flat = sii_rii([25.0] * 5, [1, 2, 3, 4, 5], np.arange(5), transform="logit", scale=100, rii_method="ends",
                   n_sim=50)
    assert flat == {"sii": 0.0, "sii_ci_low": 0.0, "sii_ci_high": 0.0, "rii": 1.0, "rii_ci_low": 1.0,
                    "rii_ci_high": 1.0}
    with pytest.raises(ValueError, match="transform"):
        sii_rii([1, 2, 3], [1, 1, 1], [1, 2, 3], transform="probit")
    with pytest.raises(ValueError, match="not both"):
        sii_rii([1, 2, 3], [1, 1, 1], [1, 2, 3], se=[1, 1, 1], ci_low=[0, 1, 2], ci_high=[2, 3, 4])
    with pytest.raises(ValueError, match="both ci_low and ci_high"):
        sii_rii([1, 2, 3], [1, 1, 1], [1, 2, 3], ci_low=[0, 1, 2])
    with pytest.raises(ValueError, match="scale"):
        sii_rii([1, 2, 3], [1, 1, 1], [1, 2, 3], transform="logit", scale=0)


def test_sii_limits_without_transform_equal_the_se_they_imply():
    """ci_low / ci_high without a transform: se = (high - low) / (2 z), the same draws as passing se."""
    z = stats.norm.ppf(0.975)
    low, high = np.array(PHE_VALUE) - z * np.array(PHE_SE), np.array(PHE_VALUE) + z * np.array(PHE_SE)
    by_limits = sii_rii(PHE_VALUE, PHE_POPULATION, np.arange(10), ci_low=low, ci_high=high, seed=4)
    by_se = sii_rii(PHE_VALUE, PHE_POPULATION, np.arange(10), se=PHE_SE, seed=4)
    assert by_limits == pytest.approx(by_se, rel=1e-9)


# --- inequality change between two waves ----------------------------------------------------------------------

# 12 areas in 3 wijken: % low-income households, households, and a deprivation order (higher = more deprived)
WAVE_VALUE = np.array([8.0, 12.5, 30.2, 22.1, 5.4, 17.8, 25.0, 9.9, 14.3, 40.1, 11.0, 19.6])
WAVE_WEIGHT = np.array([820, 1430, 650, 990, 1210, 760, 540, 1320, 880, 470, 1100, 930])
WAVE_GROUP = np.array(list("AAAABBBBCCCC"))
WAVE_ORDER = np.array([3.1, 4.0, 9.5, 7.7, 1.2, 5.5, 8.8, 2.9, 4.4, 9.9, 3.3, 6.0])


def test_identical_waves_give_exactly_zero_change_with_interval_zero_and_p_one():
    result = inequality_change(WAVE_VALUE, WAVE_VALUE, WAVE_WEIGHT, WAVE_WEIGHT, groups=WAVE_GROUP,
                               order_first=WAVE_ORDER, n_boot=300)
    for measure in ("theil", "between", "within", "sii"):
        assert result[f"{measure}_change"] == 0.0
        assert result[f"{measure}_change_ci_low"] == 0.0 and result[f"{measure}_change_ci_high"] == 0.0
        assert result[f"{measure}_change_p"] == 1.0
    assert result["theil_first"] == pytest.approx(theil_t(WAVE_VALUE, WAVE_WEIGHT)["theil"], rel=1e-14)
    assert result["sii_first"] == pytest.approx(sii_rii(WAVE_VALUE, WAVE_WEIGHT, WAVE_ORDER)["sii"], rel=1e-14)
    assert result["n_areas"] == 12 and result["n_areas_sii"] == 12


def test_scaling_a_wave_leaves_theil_exactly_unchanged_but_not_the_sii():
    """Theil T is scale invariant: every value x4 (a power of 2, so exact in floating point) changes neither
    the estimate nor any bootstrap draw. The SII is absolute: it is multiplied by 4."""
    result = inequality_change(WAVE_VALUE, 4 * WAVE_VALUE, WAVE_WEIGHT, WAVE_WEIGHT, groups=WAVE_GROUP,
                               order_first=WAVE_ORDER, n_boot=300)
    for measure in ("theil", "between", "within"):
        assert result[f"{measure}_change"] == 0.0
        assert result[f"{measure}_change_ci_low"] == 0.0 and result[f"{measure}_change_ci_high"] == 0.0
    assert result["sii_last"] == pytest.approx(4 * result["sii_first"], rel=1e-13)
    assert result["sii_change"] == pytest.approx(3 * result["sii_first"], rel=1e-13)


def test_a_stretched_last_wave_is_more_unequal_in_every_draw():
    """last = 2 y - c (c = 5 > 0): within any set of drawn areas each relative deviation (y - mean) / mean is
    multiplied by 2 mean / (2 mean - c) > 1, a Lorenz-dominated spread, so Theil rises in EVERY draw: the
    interval lies above 0 and p is the floor 1 / n_boot. The SII (negative: more low income at the deprived
    end) doubles exactly, since the map is affine with slope 2: change = sii_first."""
    last = 2 * WAVE_VALUE - 5.0
    result = inequality_change(WAVE_VALUE, last, WAVE_WEIGHT, WAVE_WEIGHT, order_first=WAVE_ORDER, n_boot=400)
    assert result["theil_last"] == pytest.approx(theil_t(last, WAVE_WEIGHT)["theil"], rel=1e-14)
    assert result["theil_change"] > 0 and result["theil_change_ci_low"] > 0
    assert result["theil_change_p"] == 1 / 400
    assert result["sii_first"] < 0
    assert result["sii_change"] == pytest.approx(result["sii_first"], rel=1e-12)
    assert result["sii_change_ci_high"] < 0 and result["sii_change_p"] == 1 / 400
    assert math.isnan(result["between_change"]) and math.isnan(result["between_change_ci_low"])  # no groups


def test_paired_bootstrap_matches_a_loop_over_draws_with_the_same_areas_in_both_waves():
    """The reference procedure, one draw at a time: draw the areas once (the same counts for both waves),
    compute theil_t and sii_rii of each wave with weights count x population, difference, percentiles."""
    rng_values = np.random.default_rng(5)
    last = WAVE_VALUE * rng_values.lognormal(0.0, 0.15, 12)
    last_weight = WAVE_WEIGHT * rng_values.uniform(0.9, 1.1, 12)
    last_order = WAVE_ORDER + rng_values.normal(0, 1, 12)
    result = inequality_change(WAVE_VALUE, last, WAVE_WEIGHT, last_weight, groups=WAVE_GROUP,
                               order_first=WAVE_ORDER, order_last=last_order, n_boot=500, seed=21)
    counts = inequality._bootstrap_counts(12, np.random.default_rng(21), 500)
    differences = {measure: [] for measure in ("theil", "between", "within", "sii")}
    for count in counts:
        first_t = theil_t(WAVE_VALUE, count * WAVE_WEIGHT, WAVE_GROUP)
        last_t = theil_t(last, count * last_weight, WAVE_GROUP)
        for measure in ("theil", "between", "within"):
            differences[measure].append(last_t[measure] - first_t[measure])
        differences["sii"].append(sii_rii(last, count * last_weight, last_order, n_sim=1)["sii"]
                                  - sii_rii(WAVE_VALUE, count * WAVE_WEIGHT, WAVE_ORDER, n_sim=1)["sii"])
    for measure, values in differences.items():
        values = np.asarray(values)
        values = values[np.isfinite(values)]
        low, high = np.quantile(values, [0.025, 0.975])
        assert result[f"{measure}_change_ci_low"] == pytest.approx(low, rel=1e-9, abs=1e-12)
        assert result[f"{measure}_change_ci_high"] == pytest.approx(high, rel=1e-9, abs=1e-12)
        p = min(1.0, max(2 * min(np.mean(values <= 0), np.mean(values >= 0)), 1 / values.size))
        assert result[f"{measure}_change_p"] == pytest.approx(p, abs=1e-12)
    assert result["between_change"] + result["within_change"] == pytest.approx(result["theil_change"], abs=1e-14)


def test_inequality_change_is_deterministic_per_seed_and_drops_unpaired_areas():
    last = WAVE_VALUE * np.linspace(0.8, 1.3, 12)
    one = inequality_change(WAVE_VALUE, last, WAVE_WEIGHT, WAVE_WEIGHT, order_first=WAVE_ORDER, seed=4)
    again = inequality_change(WAVE_VALUE, last, WAVE_WEIGHT, WAVE_WEIGHT, order_first=WAVE_ORDER, seed=4)
    assert again == pytest.approx(one, rel=0, abs=0, nan_ok=True)  # bit for bit (NaN: no groups)
    other = inequality_change(WAVE_VALUE, last, WAVE_WEIGHT, WAVE_WEIGHT, order_first=WAVE_ORDER, seed=5)
    assert other["theil_change"] == one["theil_change"]
    assert other["theil_change_ci_low"] != one["theil_change_ci_low"]
    # an area missing in the last wave (NaN value) and one with no households in the first wave are left
    # out of BOTH waves: the result is that of the 10 complete areas, draws included
    gappy_last, gappy_weight = last.copy(), WAVE_WEIGHT.astype(float)
    gappy_last[3], gappy_weight[7] = np.nan, 0.0
    gappy = inequality_change(pd.Series(WAVE_VALUE), pd.Series(gappy_last, dtype="Float64"), gappy_weight,
                              WAVE_WEIGHT, order_first=WAVE_ORDER, seed=4)
    complete = np.setdiff1d(np.arange(12), [3, 7])
    reduced = inequality_change(WAVE_VALUE[complete], last[complete], WAVE_WEIGHT[complete], WAVE_WEIGHT[complete],
                                order_first=WAVE_ORDER[complete], seed=4)
    assert gappy == pytest.approx(reduced, rel=0, abs=0, nan_ok=True)
    assert gappy["n_areas"] == 10 and gappy["theil_first"] != one["theil_first"]


def test_inequality_change_degenerate_input_and_bad_settings():
    two = inequality_change([5.0, 9.0], [5.0, 12.0], [10, 10], [10, 10])
    assert two["theil_change"] > 0 and math.isnan(two["theil_change_ci_low"]) and math.isnan(two["theil_change_p"])
    assert math.isnan(two["sii_first"]) and two["n_areas_sii"] == 0  # no order given
    one = inequality_change([5.0, np.nan], [5.0, 12.0], [10, 10], [10, 10])
    assert math.isnan(one["theil_first"]) and one["n_areas"] == 1
    # order_last None: both waves ranked by order_first
    fixed = inequality_change(WAVE_VALUE, WAVE_VALUE[::-1], WAVE_WEIGHT, WAVE_WEIGHT, order_first=WAVE_ORDER)
    assert fixed["sii_last"] == pytest.approx(sii_rii(WAVE_VALUE[::-1], WAVE_WEIGHT, WAVE_ORDER)["sii"], rel=1e-13)
    with pytest.raises(ValueError, match="one element per area"):
        inequality_change([1, 2, 3], [1, 2], [1, 1, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="n_boot"):
        inequality_change([1, 2, 3], [1, 2, 3], [1, 1, 1], [1, 1, 1], n_boot=0)


# --- divided triumph ------------------------------------------------------------------------------------------

def triumph_table(**columns):
    base = {"indicator": ["x"], "city_first": [20.0], "city_last": [18.0], "polarity": ["lower_is_better"],
            "city_se_first": [0.5], "city_se_last": [0.5], "theil_first": [0.10], "theil_last": [0.13],
            "theil_change_ci_low": [0.01], "theil_change_ci_high": [0.05]}
    base.update({key: [value] for key, value in columns.items()})
    return pd.DataFrame(base)


def test_divided_triumph_lower_is_better_tested_and_theil_worsened():
    """% low income fell 20 -> 18 with SEs 0.5 and 0.5: z = -2 / sqrt(0.5) = -2.828, p = 0.00468 < 0.05, an
    improvement; the Theil change interval [0.01, 0.05] lies above 0: a divided triumph, by Theil."""
    row = divided_triumph(triumph_table()).iloc[0]
    assert row["city_change"] == -2.0 and bool(row["city_change_tested"])
    assert row["city_change_p"] == pytest.approx(2 * stats.norm.sf(2 / math.sqrt(0.5)), rel=1e-12)
    assert row["city_change_p"] == pytest.approx(0.004678, abs=1e-6)
    check = change_between(18.0, 18 - 1.96 * 0.5, 18 + 1.96 * 0.5, 20.0, 20 - 1.96 * 0.5, 20 + 1.96 * 0.5)
    assert row["city_change_p"] == pytest.approx(check.p, rel=1e-3)
    assert bool(row["city_improved"]) and bool(row["theil_worsened"]) and not bool(row["sii_widened"])
    assert row["theil_change"] == pytest.approx(0.03) and row["inequality_worsened"] == "theil"
    assert bool(row["divided_triumph"]) and row["indicator"] == "x"
    # not significant (SEs 1.5): no improvement, no divided triumph
    wide = divided_triumph(triumph_table(city_se_first=1.5, city_se_last=1.5)).iloc[0]
    assert wide["city_change_p"] == pytest.approx(2 * stats.norm.sf(2 / math.sqrt(4.5)), rel=1e-12)
    assert not bool(wide["city_improved"]) and not bool(wide["divided_triumph"])
    # the Theil interval touches 0: inequality did not worsen beyond its uncertainty
    unsure = divided_triumph(triumph_table(theil_change_ci_low=-0.002)).iloc[0]
    assert not bool(unsure["theil_worsened"]) and unsure["inequality_worsened"] == "none"
    assert bool(unsure["city_improved"]) and not bool(unsure["divided_triumph"])


def test_divided_triumph_is_polarity_aware():
    """The same fall of 2 is a deterioration for a higher_is_better indicator; a rise of 2 is an improvement."""
    fell = divided_triumph(triumph_table(polarity="higher_is_better")).iloc[0]
    assert not bool(fell["city_improved"]) and not bool(fell["divided_triumph"])
    rose = divided_triumph(triumph_table(polarity="higher_is_better", city_first=68.0, city_last=70.0)).iloc[0]
    assert bool(rose["city_improved"]) and bool(rose["divided_triumph"])
    neutral = divided_triumph(triumph_table(polarity="neutral")).iloc[0]
    assert neutral["city_improved"] is pd.NA and not bool(neutral["divided_triumph"])
    with pytest.raises(ValueError, match="polarity"):
        divided_triumph(triumph_table(polarity="up"))


def test_divided_triumph_untested_city_needs_min_change():
    """Without SEs the change is taken at face value (not tested, p NaN) but must reach min_change."""
    small = divided_triumph(triumph_table(city_se_first=np.nan, city_se_last=np.nan, city_last=19.95),
                            min_change=0.1).iloc[0]
    assert not bool(small["city_change_tested"]) and math.isnan(small["city_change_p"])
    assert not bool(small["city_improved"]) and not bool(small["divided_triumph"])
    # 20.3 -> 20.2 at one decimal: 0.2 - 0.3 = -0.09999999999999787 in floating point, still one display unit
    enough = divided_triumph(triumph_table(city_se_first=np.nan, city_se_last=np.nan, city_first=20.3,
                                           city_last=20.2), min_change=0.1).iloc[0]
    assert bool(enough["city_improved"]) and bool(enough["divided_triumph"]) and not bool(enough["city_change_tested"])
    no_se_columns = triumph_table().drop(columns=["city_se_first", "city_se_last"])
    assert not divided_triumph(no_se_columns)["city_change_tested"].iloc[0]


def test_divided_triumph_by_a_widening_sii():
    """SII -3 -> -5 (more low income at the deprived end) with the change interval [-3.5, -0.5] below 0: the
    gradient widened. -5 -> -3 with the interval above 0 narrowed; 2 -> 4 with the interval above 0 widened."""
    table = pd.concat([
        triumph_table(theil_change_ci_low=-0.01, sii_first=-3.0, sii_last=-5.0, sii_change_ci_low=-3.5,
                      sii_change_ci_high=-0.5),
        triumph_table(theil_change_ci_low=-0.01, sii_first=-5.0, sii_last=-3.0, sii_change_ci_low=0.5,
                      sii_change_ci_high=3.5),
        triumph_table(sii_first=2.0, sii_last=4.0, sii_change_ci_low=0.5, sii_change_ci_high=3.5),
        triumph_table(theil_change_ci_low=-0.01, sii_first=-3.0, sii_last=-5.0, sii_change_ci_low=-3.5,
                      sii_change_ci_high=0.2),
    ], ignore_index=True)
    result = divided_triumph(table)
    assert result["sii_widened"].tolist() == [True, False, True, False]
    assert result["inequality_worsened"].tolist() == ["sii", "none", "theil+sii", "none"]
    assert result["divided_triumph"].tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="theil_first"):
        divided_triumph(table.drop(columns=["theil_first"]))
