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




def test_references_cover_every_method():
    assert set(trends.REFERENCES) == {"recent_trend", "sigma_convergence", "beta_convergence"}
    assert set(projection.REFERENCES) == {"relative_position_model"}
    assert all(len(text) > 40 for text in [*trends.REFERENCES.values(), *projection.REFERENCES.values()])


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
