"""Recent trend, sigma and beta convergence, linear projection and years to close: against hand
calculations, a published worked example, scipy / numpy, and exact invariants."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wijkmonitor.stats import projection, trends
from wijkmonitor.stats.projection import project_linear, years_to_close
from wijkmonitor.stats.trends import beta_convergence, recent_trend, sigma_convergence


def long_frame(series: dict[str, list], first_year: int = 2010) -> pd.DataFrame:
    """One row per (area, year); `category` NA as in the warehouse; values as nullable Float64."""
    rows = [(area, first_year + i, v) for area, values in series.items() for i, v in enumerate(values)]
    frame = pd.DataFrame(rows, columns=["area_code", "period", "value"])
    frame["indicator_id"] = "bijstand"
    frame["category"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame["value"] = frame["value"].astype("Float64")
    return frame


KEYS = ["indicator_id", "category", "area_code"]


# ---------------------------------------------------------------------------------------------- recent trend

def test_recent_trend_constructed_series():
    """Rising last five -> increasing (whatever came before); a long decline then five identical years ->
    not_estimable (an exact fit has no residual variance to test against; the window ignores the decline);
    a clear decline -> decreasing; a window whose five years hold only two values -> insufficient_data (it
    does not reach back to older years)."""
    series = {
        "WK01": [20, 18, 17, 15, 14, 12, 3.0, 3.4, 3.9, 4.1, 4.8],   # strictly rising last five
        "WK02": [30, 28, 26, 24, 22, 20, 18, 9, 9, 9, 9, 9],         # decline, then flat last five
        "WK03": [9, 9.5, 8.1, 7.4, 7.0, 6.2],                         # falling
        "WK04": [5, 6, 7, 8, 9, None, None, 10, None, 11],            # only 2 values in the last 5 years
        "WK05": [1, None],                                             # too short
    }
    result = recent_trend(long_frame(series), KEYS)
    labels = result.droplevel(["indicator_id", "category"]).to_dict()
    assert labels == {"WK01": "increasing", "WK02": "not_estimable", "WK03": "decreasing",
                      "WK04": "insufficient_data", "WK05": "insufficient_data"}
    assert result.name == "recent_trend" and result.dtype == "string"
    # Over the whole series WK01 falls: the recent window is what gives "increasing".
    assert stats.linregress(np.arange(11), series["WK01"]).slope < 0


def test_recent_trend_matches_scipy_on_last_five_points():
    """The label follows scipy.stats.linregress's two-sided p value and slope sign on the last 5 points."""
    rng = np.random.default_rng(7)
    series = {f"WK{i:02d}": list(np.round(rng.normal(10, 1, 9) + rng.normal(0, 0.6) * np.arange(9), 2))
              for i in range(40)}
    frame = long_frame(series).sample(frac=1, random_state=1)  # order must not matter
    result = recent_trend(frame, KEYS, significance=0.10).droplevel(["indicator_id", "category"])
    seen = set()
    for area, values in series.items():
        fit = stats.linregress(np.arange(2014, 2019), values[-5:])
        expected = ("no_significant_change" if fit.pvalue >= 0.10
                    else "increasing" if fit.slope > 0 else "decreasing")
        assert result[area] == expected, area
        seen.add(expected)
    assert seen == {"increasing", "decreasing", "no_significant_change"}  # the data exercise every branch


def test_recent_trend_window_length_and_keys():
    frame = long_frame({"WK01": [1, 2, 3, 2, 1], "WK02": [1, 2, 3]})
    assert recent_trend(frame, KEYS, last=3).droplevel([0, 1]).to_dict() == {
        "WK01": "not_estimable", "WK02": "not_estimable"}  # exact lines over the last 3: no p, never p = 0
    assert recent_trend(frame, ["area_code"]).to_dict() == {
        "WK01": "no_significant_change", "WK02": "insufficient_data"}  # three points are fewer than five
    assert recent_trend(frame, ["area_code"], min_points=3).to_dict() == {
        "WK01": "no_significant_change", "WK02": "not_estimable"}
    assert recent_trend(frame.iloc[:0], KEYS).empty
    with pytest.raises(ValueError):
        recent_trend(frame, KEYS, last=2)


# ------------------------------------------------------------------------------------------ sigma convergence

def test_sigma_convergence_on_decreasing_cv():
    """Areas whose values move towards the mean every year: the CV (std / mean across areas) falls, so
    "converging"; slope and p equal scipy's linregress of the CV on the year."""
    years = np.arange(2015, 2023)
    start = np.array([4.0, 7.0, 10.0, 13.0, 16.0])
    noise = np.array([0.02, -0.01, 0.015, 0.0, -0.02, 0.01, -0.005, 0.0])
    areas = [10 + (start - 10) * (0.9 ** k) + noise[k] for k in range(len(years))]
    cv = np.array([a.std(ddof=1) / a.mean() for a in areas])
    assert np.all(np.diff(cv) < 0)
    result = sigma_convergence(years, cv)
    reference = stats.linregress(years, cv)
    assert result["sigma_trend"] == "converging"
    assert result["sigma_slope"] == pytest.approx(reference.slope, rel=1e-6)
    assert result["sigma_p"] == pytest.approx(reference.pvalue, rel=1e-4)


def test_sigma_convergence_other_outcomes():
    flat = [0.30, 0.32, 0.29, 0.31, 0.30]
    assert stats.linregress(range(5), flat).pvalue > 0.05  # the hand-made series really is noise
    assert sigma_convergence(range(2018, 2023), flat)["sigma_trend"] == "no_significant_change"
    assert sigma_convergence(range(2018, 2023), [0.2, 0.22, 0.25, 0.26, 0.3])["sigma_trend"] == "diverging"
    short = sigma_convergence([2021, 2022, 2023], [0.3, np.nan, 0.2])  # 2 usable years
    assert short["sigma_trend"] == "insufficient_data" and math.isnan(short["sigma_slope"])
    assert math.isnan(short["sigma_p"])


# ------------------------------------------------------------------------------------------- beta convergence

def test_beta_convergence_known_speed_and_half_life():
    """Construct y_T = k * y_0^(1-c). Then ln y_T - ln y_0 = ln k - c ln y_0, so
    g = (ln y_T - ln y_0) / T = ln(k)/T - (c/T) ln y_0: exactly linear with b = -c/T.
    beta = -ln(1 + bT)/T = -ln(1 - c)/T; half-life = ln 2 / beta.
    c = 0.5, T = 10: b = -0.05, beta = ln(2)/10 = 0.0693147, half-life = 10 years (the log distance to the
    common level halves in exactly T). c = 0.2, T = 8: b = -0.025, beta = -ln(0.8)/8 = 0.0278929,
    half-life = 8 ln 2 / -ln 0.8 = 24.850 years."""
    y0 = np.array([1000.0, 2000.0, 4000.0, 8000.0, 16000.0])
    result = beta_convergence(y0, 100 * y0 ** 0.5, 10)
    assert result["b"] == pytest.approx(-0.05, rel=1e-6)
    assert result["beta"] == pytest.approx(0.0693147, rel=1e-6)
    assert result["half_life"] == pytest.approx(10.0, rel=1e-6)
    assert result["n_areas"] == 5
    result = beta_convergence(y0, 3 * y0 ** 0.8, 8)
    assert result["b"] == pytest.approx(-0.025, rel=1e-6)
    assert result["beta"] == pytest.approx(0.0278929, rel=1e-5)
    assert result["half_life"] == pytest.approx(24.850, rel=1e-4)


def test_beta_convergence_against_scipy_with_noise():
    """b and b_p equal scipy.stats.linregress of g on ln y0; the beta interval is the t interval of b
    (stderr * t_{0.95, n-2} for 90%) mapped through -ln(1 + bT)/T, with the limits swapped."""
    rng = np.random.default_rng(3)
    y0 = rng.uniform(10, 60, 25)
    yt = 4 * y0 ** 0.7 * np.exp(rng.normal(0, 0.05, 25))
    span = 6
    result = beta_convergence(pd.Series(y0), pd.Series(yt), span, confidence=0.90)
    fit = stats.linregress(np.log(y0), np.log(yt / y0) / span)
    half = stats.t.ppf(0.95, 23) * fit.stderr
    assert result["b"] == pytest.approx(fit.slope, rel=1e-6)
    assert result["b_p"] == pytest.approx(fit.pvalue, rel=1e-4)
    assert result["beta"] == pytest.approx(-math.log(1 + fit.slope * span) / span, rel=1e-6)
    assert result["beta_ci_low"] == pytest.approx(-math.log(1 + (fit.slope + half) * span) / span, rel=1e-5)
    assert result["beta_ci_high"] == pytest.approx(-math.log(1 + (fit.slope - half) * span) / span, rel=1e-5)
    assert result["beta_ci_low"] < result["beta"] < result["beta_ci_high"]
    # The simple form -b understates the speed: -b = (1 - exp(-beta T)) / T < beta.
    assert -result["b"] < result["beta"]


def test_beta_convergence_degenerate():
    y0 = np.array([1.0, 2.0, 4.0, 8.0])
    diverging = beta_convergence(y0, y0 ** 1.3, 5)  # b = +0.3/5 > 0: beta < 0, no half-life
    assert diverging["beta"] < 0 and math.isnan(diverging["half_life"])
    overshoot = beta_convergence(y0, 50 * y0 ** -0.5, 5)  # c = 1.5: 1 + bT = -0.5 <= 0
    assert overshoot["b"] == pytest.approx(-0.3, rel=1e-6) and math.isnan(overshoot["beta"])
    few = beta_convergence([1.0, 0.0, -2.0, np.nan, 3.0], [1.1, 1.0, 1.0, 2.0, 2.5], 5)  # 2 usable areas
    assert few["n_areas"] == 2 and all(math.isnan(few[k]) for k in ("beta", "b", "b_p", "half_life"))
    assert math.isnan(beta_convergence(y0, y0, 0)["b"])  # no span
    assert math.isnan(beta_convergence([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], 5)["b"])  # equal initial values


@settings(max_examples=40, deadline=None)
@given(c=st.floats(-0.5, 0.9).filter(lambda v: abs(v) > 1e-3), span=st.integers(1, 20),
       k=st.floats(0.5, 20))
def test_beta_convergence_recovers_construction(c, span, k):
    y0 = np.array([3.0, 7.0, 15.0, 40.0, 90.0, 200.0])
    result = beta_convergence(y0, k * y0 ** (1 - c), span)
    assert result["b"] == pytest.approx(-c / span, rel=1e-5, abs=1e-9)
    assert result["beta"] == pytest.approx(-math.log(1 - c) / span, rel=1e-5, abs=1e-9)
    if c > 0:
        assert result["half_life"] == pytest.approx(span * math.log(2) / -math.log(1 - c), rel=1e-5)
    else:
        assert math.isnan(result["half_life"])


# ---------------------------------------------------------------------------------------- linear projection

def test_project_linear_hand_calculation():
    """x = 2018..2022, y = 10, 12, 11, 15, 16.
    xbar = 2020, dx = -2, -1, 0, 1, 2, Sxx = 10; ybar = 64/5 = 12.8, dy = -2.8, -0.8, -1.8, 2.2, 3.2;
    Sxy = 5.6 + 0.8 + 0 + 2.2 + 6.4 = 15, b = 1.5. Fitted 9.8, 11.3, 12.8, 14.3, 15.8; residuals
    0.2, 0.7, -1.8, 0.7, 0.2; SSE = 0.04 + 0.49 + 3.24 + 0.49 + 0.04 = 4.3; s^2 = 4.3/3.
    At 2025: yhat = 12.8 + 1.5 * 5 = 20.3; 1 + 1/5 + 25/10 = 3.7; t_{0.975, 3} = 3.182446 (t table);
    half width = 3.182446 * sqrt(4.3/3 * 3.7) = 3.182446 * 2.302897 = 7.32884."""
    frame = long_frame({"WK01": [10, 12, 11, 15, 16]}, first_year=2018)
    row = project_linear(frame, KEYS, 2025).iloc[0]
    half = 3.182446 * math.sqrt(4.3 / 3 * 3.7)
    assert half == pytest.approx(7.32884, abs=1e-5)
    assert row["projected"] == pytest.approx(20.3)
    assert row["pi_low"] == pytest.approx(20.3 - half, abs=1e-5)
    assert row["pi_high"] == pytest.approx(20.3 + half, abs=1e-5)
    assert (row["n"], row["last_period"]) == (5, 2022)


# R's datasets::cars (Ezekiel 1930): speed (mph) and stopping distance (ft) of 50 cars.
CARS_SPEED = [4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15,
              16, 16, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25]
CARS_DIST = [2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20, 26,
             54, 32, 40, 32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85]


@pytest.mark.parametrize(("speed", "fit", "lwr", "upr"), [(5, 2.082949, -41.16099, 45.32689),
                                                          (21, 65.001489, 22.87494, 107.12803)])
def test_project_linear_cars_worked_example(speed, fit, lwr, upr):
    """Dalpiaz, Applied Statistics with R, ch. 8.8 "Prediction Interval for New Observations":
    lm(dist ~ speed, data = cars) (intercept -17.579095, slope 3.932409), then
    predict(..., newdata = data.frame(speed = c(5, 21)), interval = "prediction", level = 0.99) gives
    fit 2.082949 [-41.16099, 45.32689] and 65.001489 [22.87494, 107.12803]."""
    frame = pd.DataFrame({"g": "cars", "speed": CARS_SPEED, "dist": CARS_DIST})
    row = project_linear(frame, ["g"], speed, x="speed", y="dist", confidence=0.99).loc["cars"]
    assert row["projected"] == pytest.approx(fit, abs=1e-6)
    assert row["pi_low"] == pytest.approx(lwr, abs=1e-5)
    assert row["pi_high"] == pytest.approx(upr, abs=1e-5)
    assert row["n"] == 50


def test_project_linear_matches_numpy_polyfit_per_group():
    """Vectorised result = per-group np.polyfit(deg=1, cov=True): var_new = s^2 + [x0, 1] C [x0, 1]',
    with C = s^2 (X'X)^-1 and s^2 = SSE / (n - 2); interval yhat +/- t_{0.95, n-2} sqrt(var_new) (90%)."""
    rng = np.random.default_rng(11)
    rows = []
    for g in range(30):
        n = int(rng.integers(3, 12))
        years = np.sort(rng.choice(np.arange(2005, 2024), n, replace=False))
        rows += [(f"WK{g:02d}", yr, v) for yr, v in zip(years, rng.normal(50, 8, n) + rng.normal(0, 2) * years,
                                                         strict=True)]
    frame = pd.DataFrame(rows, columns=["area_code", "period", "value"])
    result = project_linear(frame, ["area_code"], 2030, confidence=0.90)
    for area, group in frame.groupby("area_code"):
        x, y = group["period"].to_numpy(float), group["value"].to_numpy(float)
        coef, cov = np.polyfit(x, y, 1, cov=True)
        s2 = np.sum((y - np.polyval(coef, x)) ** 2) / (len(x) - 2)
        x0 = np.array([2030.0, 1.0])
        half = stats.t.ppf(0.95, len(x) - 2) * math.sqrt(s2 + x0 @ cov @ x0)
        yhat = np.polyval(coef, 2030.0)
        got = result.loc[area]
        assert got["projected"] == pytest.approx(yhat, rel=1e-7)
        assert got["pi_low"] == pytest.approx(yhat - half, rel=1e-6)
        assert got["pi_high"] == pytest.approx(yhat + half, rel=1e-6)
        assert (got["n"], got["last_period"]) == (len(x), x.max())


def test_project_linear_too_few_points_and_missing():
    # WK01: 1 in 2010, 2 in 2011 -> the line gives 11 in 2020.
    frame = long_frame({"WK01": [1.0, 2.0], "WK02": [None, None, None], "WK03": [4.0, None, 5.0, 7.0]})
    frame.loc[len(frame)] = ["WK04", 2010, 3.0, "bijstand", pd.NA]  # same period thrice: Sxx = 0
    frame.loc[len(frame)] = ["WK04", 2010, 4.0, "bijstand", pd.NA]
    frame.loc[len(frame)] = ["WK04", 2010, 5.0, "bijstand", pd.NA]
    result = project_linear(frame, KEYS, 2020).droplevel([0, 1])
    assert list(result.index) == ["WK01", "WK02", "WK03", "WK04"]
    assert result.loc["WK01", "n"] == 2 and result.loc[["WK01", "WK02", "WK04"], "projected"].isna().all()
    assert result.loc["WK02", "n"] == 0 and pd.isna(result.loc["WK02", "last_period"])
    assert result.loc["WK03", "n"] == 3 and result.loc["WK03", "last_period"] == 2013
    assert np.isfinite(result.loc["WK03", ["projected", "pi_low", "pi_high"]].astype(float)).all()
    two = project_linear(frame, KEYS, 2020, min_points=2).droplevel([0, 1]).loc["WK01"]
    assert two["projected"] == pytest.approx(11.0) and pd.isna(two["pi_low"])  # a line, but no residual dof


points = st.lists(st.tuples(st.integers(2000, 2030), st.floats(-100, 100, allow_nan=False)),
                  min_size=3, max_size=10, unique_by=lambda p: p[0])


@settings(max_examples=25, deadline=None)
@given(pts=points, near=st.floats(0, 10), further=st.floats(0.5, 10), confidence=st.sampled_from([0.8, 0.95]))
def test_project_linear_interval_properties(pts, near, further, confidence):
    """The interval contains the projection and widens with the distance |x0 - xbar|."""
    frame = pd.DataFrame([("a", x, y) for x, y in pts], columns=["g", "period", "value"])
    xbar = frame["period"].mean()
    close = project_linear(frame, ["g"], xbar + near, confidence=confidence).loc["a"]
    far = project_linear(frame, ["g"], xbar - near - further, confidence=confidence).loc["a"]
    for row in (close, far):
        assert row["pi_low"] <= row["projected"] <= row["pi_high"]
    close_width, far_width = close["pi_high"] - close["pi_low"], far["pi_high"] - far["pi_low"]
    assert far_width >= close_width * (1 - 1e-12)
    if close_width > 1e-6:
        assert far_width > close_width


@settings(max_examples=30, deadline=None)
@given(xs=st.lists(st.integers(2000, 2030), min_size=3, max_size=10, unique=True),
       intercept=st.integers(-50, 50), slope=st.integers(-5, 5), target=st.integers(2000, 2050))
def test_project_linear_collinear_points_give_the_line(xs, intercept, slope, target):
    frame = pd.DataFrame({"g": "a", "period": xs, "value": [intercept + slope * (x - 2000) for x in xs]})
    row = project_linear(frame, ["g"], target).loc["a"]
    line = intercept + slope * (target - 2000)
    assert row["projected"] == pytest.approx(line, abs=1e-8)
    assert row["pi_low"] == pytest.approx(line, abs=1e-6) and row["pi_high"] == pytest.approx(line, abs=1e-6)


# ---------------------------------------------------------------------------------------------- years to close

def test_years_to_close_hand_cases():
    """Gap 10 shrinking by 2 a year: 10 / 2 = 5 years. Gap -6 (area below the city) rising by 3 a year:
    2 years. Widening (10, +2) or flat (10, 0): NaN. Closed (0, any): 0. Missing: NaN."""
    got = years_to_close([10, -6, 10, 10, 0, 0, np.nan, 4], [-2, 3, 2, 0, 1.5, np.nan, -1, np.nan])
    np.testing.assert_array_equal(got, [5.0, 2.0, np.nan, np.nan, 0.0, 0.0, np.nan, np.nan])
    assert years_to_close(10, -2) == 5.0
    nullable = years_to_close(pd.Series([10, 3], dtype="Float64"), pd.Series([-4, pd.NA], dtype="Float64"))
    np.testing.assert_array_equal(nullable, [2.5, np.nan])


def test_years_to_close_significance_filter():
    gap, slope, p = [10, 10, 10, 0], [-2, -2, -2, -2], [0.01, 0.2, np.nan, 0.9]
    np.testing.assert_array_equal(years_to_close(gap, slope, p, 0.05), [5.0, np.nan, np.nan, 0.0])
    np.testing.assert_array_equal(years_to_close(gap, slope), [5.0, 5.0, 5.0, 0.0])
    with pytest.raises(ValueError):
        years_to_close(gap, slope, gap_slope_p=p)


@settings(max_examples=60, deadline=None)
@given(gap=st.floats(-50, 50, allow_nan=False), slope=st.floats(-5, 5, allow_nan=False))
def test_years_to_close_reaches_zero(gap, slope):
    years = float(years_to_close(gap, slope))
    if gap == 0:
        assert years == 0
    elif gap * slope < 0:
        assert years > 0 and gap + slope * years == pytest.approx(0, abs=1e-9 * max(1.0, abs(gap)))
    else:
        assert math.isnan(years)


def test_references_cover_every_method():
    assert set(trends.REFERENCES) == {"recent_trend", "sigma_convergence", "beta_convergence"}
    assert set(projection.REFERENCES) == {"project_linear", "years_to_close", "relative_position_model"}
    assert all(len(text) > 40 for text in [*trends.REFERENCES.values(), *projection.REFERENCES.values()])


def test_projection_path_is_project_linear_at_every_target():
    from wijkmonitor.stats.projection import project_linear_path

    frame = pd.DataFrame({"area": ["A"] * 5 + ["B"] * 3, "period": [2014, 2015, 2016, 2017, 2018, 2016, 2017, 2018],
                          "value": [10.0, 13.0, 13.5, 17.0, 18.0, 5.0, 5.5, 6.5]})
    path = project_linear_path(frame, ["area"], [2019, 2025, 2030])
    for target in (2019, 2025, 2030):
        single = project_linear(frame, ["area"], target)
        for area in ("A", "B"):
            assert path.loc[(area, target)].tolist() == pytest.approx(single.loc[area].tolist(), nan_ok=True)


# ------------------------------------------------------------------ relative position: the mixed model


def _position_panel(n_areas=40, waves=(2012, 2016, 2020), seed=3, slope_sd=0.02, noise=0.05):
    """Areas with known random intercepts and slopes (per year) around a common slope of 0.01 a year."""
    rng = np.random.default_rng(seed)
    u0, u1 = rng.normal(0, 0.4, n_areas), rng.normal(0, slope_sd, n_areas)
    rows = [{"area_code": f"BU{i:03d}", "period": year,
             "position": 0.2 + u0[i] + (0.01 + u1[i]) * (year - waves[-1]) + rng.normal(0, noise)}
            for i in range(n_areas) for year in waves]
    return pd.DataFrame(rows), u0, u1


def test_relative_position_model_recovers_its_construction():
    from wijkmonitor.stats.projection import fit_relative_position

    frame, u0, _ = _position_panel(n_areas=111, waves=(2008, 2012, 2016, 2020), seed=5)
    fit = fit_relative_position(frame)
    assert fit.structure == "intercept_slope" and fit.n_waves == 4 and fit.last_period == 2020
    # Fixed effects: intercept 0.2 at the last wave (+ mean of u0), slope 0.01 a year = 0.1 a decade.
    assert fit.beta[0] == pytest.approx(0.2 + u0.mean(), abs=0.03)
    assert fit.beta[1] == pytest.approx(0.1, abs=0.05)
    assert fit.scale == pytest.approx(0.05 ** 2, rel=0.5)
    # The conditional modes follow the areas' own intercepts (shrunk only a little: 4 waves, small noise).
    assert np.corrcoef(fit.blup[:, 0], u0 - u0.mean())[0, 1] > 0.99


def test_too_few_waves_or_areas_give_no_model():
    from wijkmonitor.stats.projection import fit_relative_position

    frame, _, _ = _position_panel(waves=(2016, 2020))
    assert fit_relative_position(frame) is None
    assert fit_relative_position(frame[frame["area_code"].isin(["BU000", "BU001"])]) is None


def test_simulated_positions_are_centred_on_the_fit_and_seeded():
    from wijkmonitor.stats.projection import fit_relative_position, simulate_positions

    frame, _, _ = _position_panel()
    fit = fit_relative_position(frame)
    one = simulate_positions(fit, [2020, 2029], draws=4000, seed=1)
    two = simulate_positions(fit, [2020, 2029], draws=4000, seed=1)
    assert np.array_equal(one["position"], two["position"])
    assert one["position"].shape == (40, 2, 4000)
    # The mean draw at the last wave is the fitted position beta0 + u0_i; at 2029 it adds 0.9 decade of slope.
    expected = fit.beta[0] + fit.blup[:, 0]
    assert np.allclose(one["position"][:, 0].mean(axis=1), expected, atol=0.02)
    slope = (fit.beta[1] + fit.blup[:, 1]) / 10
    assert np.allclose(one["position"][:, 1].mean(axis=1), expected + 9 * slope, atol=0.03)
    # Further ahead is less certain.
    assert (one["position"][:, 1].std(axis=1) > one["position"][:, 0].std(axis=1)).all()


def test_scales_round_trip_and_stay_inside_the_unit():
    from wijkmonitor.stats.projection import from_scale, to_scale

    shares = np.array([0.0, 0.5, 17.2, 80.8, 100.0])
    back = from_scale(to_scale(shares, "logit"), "logit")
    assert np.allclose(back[1:4], shares[1:4])
    assert back[0] == pytest.approx(0.1) and back[-1] == pytest.approx(99.9)  # kept inside (0, 100)
    assert to_scale([17.2], "logit")[0] == pytest.approx(np.log(0.172 / 0.828))
    assert np.allclose(from_scale(to_scale([3.5, 120.0], "log"), "log"), [3.5, 120.0])
    assert np.isnan(to_scale([0.0], "log")[0])


def test_years_to_close_range_hand_cases():
    from wijkmonitor.stats.projection import years_to_close_range

    # position +0.6, slope between -0.03 and -0.01 a year: closes in 20 to 60 years.
    assert years_to_close_range(0.6, -0.03, -0.01) == pytest.approx((20.0, 60.0))
    assert all(np.isnan(years_to_close_range(0.6, -0.03, 0.01)))  # the interval includes zero
    assert all(np.isnan(years_to_close_range(0.6, 0.01, 0.03)))  # widening
    assert years_to_close_range(-0.5, 0.05, 0.1) == pytest.approx((5.0, 10.0))
    assert years_to_close_range(0.0, 0.05, 0.1) == (0.0, 0.0)


def test_nested_model_separates_wijk_and_buurt_variation():
    """Buurten in wijken: a random intercept and slope per wijk and per buurt (variance components). With
    30 wijken of 8 buurten and known intercept deviations (sd 0.3 at both levels), the conditional modes
    recover the wijk deviations and the buurten's total deviations; the residual variance is recovered."""
    from wijkmonitor.stats.projection import fit_relative_position, simulate_positions

    rng = np.random.default_rng(1)
    rows, wijk_truth, buurt_truth = [], [], []
    for w in range(30):
        uw0, uw1 = rng.normal(0, 0.3), rng.normal(0, 0.1)
        wijk_truth.append(uw0)
        for b in range(8):
            ub0, ub1 = rng.normal(0, 0.3), rng.normal(0, 0.1)
            buurt_truth.append(uw0 + ub0)
            for year in (2012, 2016, 2020):
                t = (year - 2020) / 10
                rows.append({"area_code": f"BU{w:02d}{b:02d}", "wijk": f"WK{w:02d}", "period": year,
                             "position": 0.1 + uw0 + ub0 + (0.1 + uw1 + ub1) * t + rng.normal(0, 0.08)})
    fit = fit_relative_position(pd.DataFrame(rows), parent="wijk")
    assert fit.structure == "nested" and fit.areas[:2] == ("BU0000", "BU0001") and len(fit.areas) == 240
    assert fit.scale == pytest.approx(0.08 ** 2, rel=0.3)
    wijk_modes = [mean[0] for mean in fit.group_mean]  # the wijk's intercept deviation
    assert np.corrcoef(wijk_modes, wijk_truth)[0, 1] > 0.8
    assert np.corrcoef(fit.blup[:, 0], buurt_truth)[0, 1] > 0.98
    sims = simulate_positions(fit, [2020], draws=2000, seed=2)
    assert np.allclose(sims["now"].mean(axis=1), fit.beta[0] + fit.blup[:, 0], atol=0.02)
    # Without wijken the same data get the flat model.
    assert fit_relative_position(pd.DataFrame(rows)).structure == "intercept_slope"


def test_simulated_uncertainty_is_the_prediction_error_of_the_mixed_model_equations():
    """The spread of an area's simulated position at the last wave equals the prediction-error variance
    of beta0 + u0_i from Henderson's mixed model equations, C^-1 with C = [[X'X, X'Z], [Z'X, Z'Z + s2 G^-1]] / s2
    (the estimated variances plugged in): drawing the fixed and the random effects independently would
    count the level twice and give a much larger spread."""
    from scipy.linalg import block_diag

    from wijkmonitor.stats.projection import fit_relative_position, simulate_positions

    frame, _, _ = _position_panel(n_areas=12, seed=8, slope_sd=0.05, noise=0.1)
    fit = fit_relative_position(frame)
    assert fit.structure == "intercept_slope"
    frame = frame.sort_values(["area_code", "period"])
    t = (frame["period"].to_numpy(float) - fit.last_period) / 10
    x = np.column_stack([np.ones(len(t)), t])
    areas = list(fit.areas)
    z = np.zeros((len(t), 2 * len(areas)))
    for row, code in enumerate(frame["area_code"]):
        i = areas.index(code)
        z[row, 2 * i], z[row, 2 * i + 1] = 1.0, t[row]
    # G from the model: the conditional covariance is (Z_i'Z_i / s2 + G^-1)^-1, so G^-1 = P_i^-1 - Z_i'Z_i / s2.
    zi = z[frame["area_code"].to_numpy() == areas[0]][:, :2]
    g_inv = np.linalg.inv(fit.group_cov[0]) - zi.T @ zi / fit.scale
    c = np.block([[x.T @ x, x.T @ z], [z.T @ x, z.T @ z + fit.scale * block_diag(*[g_inv] * len(areas))]]) / fit.scale
    pev = np.linalg.inv(c)
    sims = simulate_positions(fit, [fit.last_period], draws=200_000, seed=4)
    for i in (0, 5):
        a = np.zeros(2 + 2 * len(areas))
        a[0], a[2 + 2 * i] = 1.0, 1.0  # beta0 + u0_i
        assert np.var(sims["now"][i]) == pytest.approx(a @ pev @ a, rel=0.03)
