"""Wijkprofiel-style composite index and its weight sensitivity: hand calculations and exact invariants.

The hand calculations use 3 areas (A, B, C) and 2 indicators, base period 2020:
  werk (higher_is_better): A 60, B 70, C 80; city 68. Sample SD = sqrt((10^2 + 0 + 10^2) / 2) = 10.
      z = (x - 68) / 10 = -0.8, 0.2, 1.2 -> index 100 + 10 z = 92, 102, 112.
  bijstand (lower_is_better): A 4, B 10, C 7; city 8.5. Sample SD = sqrt((9 + 9 + 0) / 2) = 3.
      z = -(x - 8.5) / 3 = 1.5, -0.5, 0.5 -> index 115, 95, 105.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import cell
from wijkmonitor.stats.composite import (
    REFERENCES,
    TOTAL,
    composite_index,
    indicator_index,
    rank_sensitivity,
)

POLARITY = {"werk": "higher_is_better", "bijstand": "lower_is_better"}
BASE = 2020


def frame(rows):
    return pd.DataFrame(rows, columns=["area_code", "indicator_id", "period", "value"])


def city_frame(rows):
    return pd.DataFrame(rows, columns=["indicator_id", "period", "value"])


VALUES = frame([("A", "werk", 2020, 60), ("B", "werk", 2020, 70), ("C", "werk", 2020, 80),
                ("A", "bijstand", 2020, 4), ("B", "bijstand", 2020, 10), ("C", "bijstand", 2020, 7),
                ("A", "werk", 2021, 75), ("A", "bijstand", 2021, None)])
CITY = city_frame([("werk", 2020, 68), ("bijstand", 2020, 8.5), ("werk", 2021, 99), ("bijstand", 2021, 1)])


def scores(table, period=BASE, theme=TOTAL):
    rows = table[(table["period"] == period) & (table["theme"] == theme)].set_index("area_code")
    return {a: (float(r["score"]), int(r["rank"])) for a, r in rows.iterrows()}


def test_references_cover_the_public_functions():
    assert set(REFERENCES) == {"indicator_index", "composite_index", "rank_sensitivity"}
    assert all("Handbook on Constructing Composite Indicators" in text for text in REFERENCES.values())


def test_indicator_index_hand_calculation():
    table = indicator_index(VALUES, CITY, POLARITY, BASE)
    expected = {("A", "werk", 2020): (-0.8, 92), ("B", "werk", 2020): (0.2, 102),
                ("C", "werk", 2020): (1.2, 112), ("A", "bijstand", 2020): (1.5, 115),
                ("B", "bijstand", 2020): (-0.5, 95), ("C", "bijstand", 2020): (0.5, 105),
                # 2021 uses the 2020 city value (68) and SD (10), not the city's 2021 value 99
                ("A", "werk", 2021): (0.7, 107)}
    assert len(table) == len(expected)  # the missing bijstand value for A in 2021 is dropped
    for (area, indicator, period), (z, index) in expected.items():
        row = cell(table, area_code=area, indicator_id=indicator, period=period)
        assert row["z"] == pytest.approx(z)
        assert row["index"] == pytest.approx(index)
    assert cell(table, area_code="A", indicator_id="bijstand", period=2020)["sd_base"] == pytest.approx(3)


def test_indicator_index_matches_coinr_zscore_when_city_is_the_area_mean():
    """COINr's n_zscore(x, m_sd = c(100, 10)) is (x - mean(x)) / sd(x) * 10 + 100 with R's sample sd.

    x = 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample sd = sqrt(32 / 7) = 2.13809.
    With the city value equal to the mean (5) our index must equal n_zscore; e.g. x = 9 -> 118.7083.
    """
    x = [2, 4, 4, 4, 5, 5, 7, 9]
    values = frame([(f"W{i}", "werk", BASE, v) for i, v in enumerate(x)])
    table = indicator_index(values, city_frame([("werk", BASE, 5)]), POLARITY, BASE)
    sd = np.sqrt(32 / 7)
    expected = [(v - 5) / sd * 10 + 100 for v in x]
    got = table.set_index("area_code").loc[[f"W{i}" for i in range(len(x))], "index"]
    assert got.to_numpy(dtype=float) == pytest.approx(expected)
    assert expected[-1] == pytest.approx(118.7083, abs=1e-4)


def test_one_theme_equal_weights_hand_calculation():
    themes = {"werk": "economie", "bijstand": "economie"}
    table = composite_index(VALUES, CITY, POLARITY, themes, None, BASE)
    # (92 + 115) / 2 = 103.5, (102 + 95) / 2 = 98.5, (112 + 105) / 2 = 108.5
    expected = {"C": (108.5, 1), "A": (103.5, 2), "B": (98.5, 3)}
    for theme in ("economie", TOTAL):
        got = scores(table, theme=theme)
        assert got.keys() == expected.keys()
        for area, (score, rank) in expected.items():
            assert got[area][0] == pytest.approx(score)
            assert got[area][1] == rank
    # 2021: A has werk only (1 of 2 indicators = half: enough); weight renormalised -> 107
    assert scores(table, period=2021, theme="economie")["A"][0] == pytest.approx(107)


def test_weights_within_a_theme_hand_calculation():
    themes = {"werk": "economie", "bijstand": "economie"}
    table = composite_index(VALUES, CITY, POLARITY, themes, {"werk": 3.0}, BASE)
    # (3 * 92 + 115) / 4 = 97.75, (3 * 102 + 95) / 4 = 100.25, (3 * 112 + 105) / 4 = 110.25
    got = scores(table, theme="economie")
    assert got["A"][0] == pytest.approx(97.75)
    assert got["B"][0] == pytest.approx(100.25)
    assert got["C"][0] == pytest.approx(110.25)
    assert (got["C"][1], got["B"][1], got["A"][1]) == (1, 2, 3)


def test_total_weighs_themes_by_their_mean_indicator_weight():
    themes = {"werk": "economie", "bijstand": "inkomen"}
    # Equal weights: the themes weigh equally (Wijkprofiel); werk weight 3: economie weighs 3, inkomen 1.
    expected_total = {None: {"A": 103.5, "B": 98.5, "C": 108.5},
                      3.0: {"A": (3 * 92 + 115) / 4, "B": (3 * 102 + 95) / 4, "C": (3 * 112 + 105) / 4}}
    expected_rank = {None: {"C": 1, "A": 2, "B": 3}, 3.0: {"C": 1, "B": 2, "A": 3}}
    for weight in (None, 3.0):
        table = composite_index(VALUES, CITY, POLARITY, themes, weight and {"werk": weight}, BASE)
        eco, ink, total = (scores(table, theme=t) for t in ("economie", "inkomen", TOTAL))
        assert {a: s for a, (s, _) in eco.items()} == pytest.approx({"A": 92, "B": 102, "C": 112})
        assert {a: r for a, (_, r) in eco.items()} == {"C": 1, "B": 2, "A": 3}
        assert {a: s for a, (s, _) in ink.items()} == pytest.approx({"A": 115, "B": 95, "C": 105})
        assert {a: r for a, (_, r) in ink.items()} == {"A": 1, "C": 2, "B": 3}
        assert {a: s for a, (s, _) in total.items()} == pytest.approx(expected_total[weight])
        assert {a: r for a, (_, r) in total.items()} == expected_rank[weight]
    # 2021: inkomen missing for A -> NA theme; the total uses the one theme of two (half: enough)
    table = composite_index(VALUES, CITY, POLARITY, themes, None, BASE)
    assert pd.isna(cell(table, area_code="A", period=2021, theme="inkomen")["score"])
    assert pd.isna(cell(table, area_code="A", period=2021, theme="inkomen")["rank"])
    assert cell(table, area_code="A", period=2021, theme=TOTAL)["score"] == pytest.approx(107)


def test_later_periods_do_not_depend_on_the_citys_later_values():
    themes = {"werk": "economie", "bijstand": "economie"}
    other_city = CITY.assign(value=np.where(CITY["period"] == 2021, -500.0, CITY["value"]))
    a = composite_index(VALUES, CITY, POLARITY, themes, None, BASE)
    b = composite_index(VALUES, other_city, POLARITY, themes, None, BASE)
    pd.testing.assert_frame_equal(a, b)
    # and a different base period does change them
    c = composite_index(VALUES, CITY, POLARITY, themes, None, 2021)
    assert c["score"].isna().all()  # 2021 has one area per indicator: no SD -> no invented numbers


def test_ties_share_the_lowest_rank():
    values = frame([("A", "werk", BASE, 60), ("B", "werk", BASE, 80), ("C", "werk", BASE, 80),
                    ("D", "werk", BASE, 50)])
    table = composite_index(values, CITY, POLARITY, {"werk": "e"}, None, BASE)
    assert {a: r for a, (_, r) in scores(table).items()} == {"B": 1, "C": 1, "A": 3, "D": 4}


def test_neutral_and_unthemed_indicators_are_ignored():
    themes = {"werk": "economie", "bijstand": "economie", "inwoners": "economie"}
    polarity = {**POLARITY, "inwoners": "neutral", "onbekend": "sideways"}
    extra = frame([("A", "inwoners", BASE, 1e6), ("B", "inwoners", BASE, 3.0), ("C", "inwoners", BASE, -7.0),
                   ("A", "onbekend", BASE, 1.0), ("B", "onbekend", BASE, 9.0),
                   ("A", "los", BASE, 1.0), ("B", "los", BASE, 9.0)])
    city = pd.concat([CITY, city_frame([("inwoners", BASE, 0.0), ("onbekend", BASE, 2.0), ("los", BASE, 2.0)])])
    with_extra = composite_index(pd.concat([VALUES, extra]), city, {**polarity, "los": "higher_is_better"},
                                 themes, {"inwoners": 100.0}, BASE)
    without = composite_index(VALUES, CITY, POLARITY, {"werk": "economie", "bijstand": "economie"}, None, BASE)
    pd.testing.assert_frame_equal(with_extra, without)
    # a neutral indicator does not count towards the "half of the theme" rule either
    assert set(indicator_index(extra, city, polarity, BASE)["indicator_id"]) == set()


def test_missing_indicator_renormalises_weights_and_half_rule():
    """Theme of 3 indicators i1 (w 1), i2 (w 3), i3 (w 1), all higher_is_better, city 0, areas P, Q, R.

    i1: P 0, Q 10, R 20 (SD 10) -> index 100, 110, 120
    i2: P 4, Q 0, R -4 (SD 4)   -> index 110, 100, 90
    i3: P 1, Q 1, R -2 (SD sqrt(3)) -> P and Q: 100 + 10 / sqrt(3) = 105.7735; R: 100 - 20 / sqrt(3)
    P has all three: (100 + 3 * 110 + 105.7735) / 5 = 107.1547
    Q lacks i2:     (110 + 105.7735) / 2 = 107.8868 (weights 1 and 1 renormalised)
    R lacks i2, i3: 1 of 3 indicators < half -> NA
    """
    pol = {"i1": "higher_is_better", "i2": "higher_is_better", "i3": "higher_is_better"}
    themes = {"i1": "t", "i2": "t", "i3": "t"}
    base = frame([("P", "i1", BASE, 0), ("Q", "i1", BASE, 10), ("R", "i1", BASE, 20),
                  ("P", "i2", BASE, 4), ("Q", "i2", BASE, 0), ("R", "i2", BASE, -4),
                  ("P", "i3", BASE, 1), ("Q", "i3", BASE, 1), ("R", "i3", BASE, -2)])
    later = frame([("P", "i1", 2022, 0), ("P", "i2", 2022, 4), ("P", "i3", 2022, 1),
                   ("Q", "i1", 2022, 10), ("Q", "i3", 2022, 1), ("R", "i1", 2022, 20)])
    city = city_frame([("i1", BASE, 0), ("i2", BASE, 0), ("i3", BASE, 0)])
    table = composite_index(pd.concat([base, later]), city, pol, themes, {"i2": 3.0}, BASE)
    got = table[(table["period"] == 2022) & (table["theme"] == "t")].set_index("area_code")
    i3 = 100 + 10 / np.sqrt(3)
    assert got.loc["P", "score"] == pytest.approx((100 + 3 * 110 + i3) / 5)
    assert got.loc["Q", "score"] == pytest.approx((110 + i3) / 2)
    assert pd.isna(got.loc["R", "score"]) and pd.isna(got.loc["R", "rank"])
    assert (got.loc["Q", "rank"], got.loc["P", "rank"]) == (1, 2)
    # total = the only theme; R has no theme score, so no total either
    assert pd.isna(cell(table, area_code="R", period=2022, theme=TOTAL)["score"])


def test_degenerate_input_gives_na_not_numbers_or_errors():
    themes = {"werk": "economie"}
    one_area = composite_index(VALUES[VALUES["area_code"] == "A"], CITY, POLARITY, themes, None, BASE)
    assert len(one_area) and one_area["score"].isna().all()
    flat = frame([("A", "werk", BASE, 5), ("B", "werk", BASE, 5)])
    assert composite_index(flat, CITY, POLARITY, themes, None, BASE)["score"].isna().all()
    no_city = composite_index(VALUES, CITY.iloc[:0], POLARITY, themes, None, BASE)
    assert no_city["score"].isna().all() and no_city["rank"].isna().all()
    empty = composite_index(VALUES.iloc[:0], CITY, POLARITY, themes, None, BASE)
    assert list(empty.columns) == ["area_code", "period", "theme", "score", "rank"] and empty.empty
    sens = rank_sensitivity(VALUES, CITY, POLARITY, themes, None, 1999)
    assert sens["rank_min"].isna().all() and sens["rank_max"].isna().all()


def test_invalid_configuration_raises():
    themes = {"werk": "economie"}
    with pytest.raises(ValueError):
        composite_index(VALUES, CITY, POLARITY, themes, {"werk": -1.0}, BASE)
    with pytest.raises(ValueError):
        composite_index(VALUES, CITY, POLARITY, {"werk": TOTAL}, None, BASE)
    with pytest.raises(ValueError):
        composite_index(pd.concat([VALUES, VALUES.iloc[:1]]), CITY, POLARITY, themes, None, BASE)
    with pytest.raises(ValueError):
        rank_sensitivity(VALUES, CITY, POLARITY, themes, None, BASE, factor=1.5)


def test_rank_sensitivity_hand_calculation():
    """werk: A 60, B 70, C 80, city 70 -> z -1, 0, 1; bijstand as above -> z 1.5, -0.5, 0.5; one theme.

    Theme z = (w_werk z_werk + w_bij z_bij) / (w_werk + w_bij); factor 0.6 gives weights 0.4 and 1.6:
      (1, 1):   A 0.25,  B -0.25,  C 0.75   -> C 1, A 2, B 3
      (0.4, 1): A 0.786, B -0.357, C 0.643  -> A 1, C 2, B 3
      (1.6, 1): A -0.038, B -0.192, C 0.808 -> C 1, A 2, B 3
      (1, 0.4): A -0.286, B -0.143, C 0.857 -> C 1, B 2, A 3
      (1, 1.6): A 0.538, B -0.308, C 0.692  -> C 1, A 2, B 3
    So A ranges 1..3, B 2..3, C 1..2.
    """
    city = city_frame([("werk", BASE, 70), ("bijstand", BASE, 8.5)])
    themes = {"werk": "economie", "bijstand": "economie"}
    base_rows = VALUES[VALUES["period"] == BASE]
    sens = rank_sensitivity(base_rows, city, POLARITY, themes, None, BASE, factor=0.6)
    for theme in ("economie", TOTAL):
        got = sens[sens["theme"] == theme].set_index("area_code")
        assert {a: (r["rank_min"], r["rank_max"]) for a, r in got.iterrows()} == {
            "A": (1, 3), "B": (2, 3), "C": (1, 2)}
    assert scores(composite_index(base_rows, city, POLARITY, themes, None, BASE)) == {
        "C": (pytest.approx(107.5), 1), "A": (pytest.approx(102.5), 2), "B": (pytest.approx(97.5), 3)}
    # factor 0.25: ratios 0.75..1.33 never reach the crossings at 0.5 and 2 -> no movement
    still = rank_sensitivity(base_rows, city, POLARITY, themes, None, BASE, factor=0.25)
    assert (still["rank_min"] == still["rank_max"]).all()


# ----------------------------------------------------------------------------- properties

POLARITIES = st.sampled_from(["higher_is_better", "lower_is_better"])


@st.composite
def panels(draw, max_areas=6, max_indicators=4):
    n_areas = draw(st.integers(2, max_areas))
    n_ind = draw(st.integers(1, max_indicators))
    indicators = [f"i{k}" for k in range(n_ind)]
    polarity = {i: draw(POLARITIES) for i in indicators}
    themes = {i: draw(st.sampled_from(["t0", "t1", "t2"])) for i in indicators}
    weights = {i: draw(st.floats(0.1, 5.0)) for i in indicators}
    city = {i: draw(st.integers(-50, 50)) for i in indicators}
    n_cells = n_areas * n_ind * 2
    offsets = draw(st.lists(st.integers(-40, 40), min_size=n_cells, max_size=n_cells))
    missing = draw(st.lists(st.integers(0, 5), min_size=n_cells, max_size=n_cells))  # 0: missing (1 in 6)
    cells = [(f"W{a}", i, period) for a in range(n_areas) for i in indicators for period in (BASE, BASE + 1)]
    rows = [(area, i, period, city[i] + off / 4)
            for (area, i, period), off, gone in zip(cells, offsets, missing, strict=True) if gone]
    assume(rows)
    city_rows = city_frame([(i, BASE, float(v)) for i, v in city.items()])
    return frame(rows), city_rows, polarity, themes, weights


@settings(max_examples=25, deadline=None)
@given(panels())
def test_city_passed_as_an_area_scores_exactly_100_in_the_base_period(panel):
    values, city, polarity, themes, weights = panel
    as_area = city.assign(area_code="CITY")[["area_code", "indicator_id", "period", "value"]]
    table = composite_index(pd.concat([values, as_area]), city, polarity, themes, weights, BASE)
    mine = table[(table["area_code"] == "CITY") & (table["period"] == BASE)]
    # with the city among the areas an SD is 0 only if every area equals the city: skip those rare draws
    index = indicator_index(pd.concat([values, as_area]), city, polarity, BASE)
    assume(index["z"].notna().all())
    assert set(mine["theme"]) == set(themes.values()) | {TOTAL}
    assert (mine["score"] == 100.0).all()  # exact: 0 / sum(w) = 0 -> 100 + 10 * 0


@settings(max_examples=25, deadline=None)
@given(panels(), st.floats(-100, 100), st.floats(0.1, 10))
def test_linear_rescaling_of_an_indicator_leaves_indices_unchanged(panel, a, b):
    values, city, polarity, themes, weights = panel
    target = "i0"

    def rescale(f):
        f = f.copy()
        mask = f["indicator_id"] == target
        f.loc[mask, "value"] = a + b * f.loc[mask, "value"]
        return f

    before = indicator_index(values, city, polarity, BASE)
    after = indicator_index(rescale(values), rescale(city), polarity, BASE)
    np.testing.assert_allclose(after["index"].to_numpy(float, na_value=np.nan),
                               before["index"].to_numpy(float, na_value=np.nan), rtol=0, atol=1e-9)
    comp_before = composite_index(values, city, polarity, themes, weights, BASE)
    comp_after = composite_index(rescale(values), rescale(city), polarity, themes, weights, BASE)
    np.testing.assert_allclose(comp_after["score"].to_numpy(float, na_value=np.nan),
                               comp_before["score"].to_numpy(float, na_value=np.nan), rtol=0, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 7), st.integers(1, 4), st.data())
def test_rank_range_collapses_when_all_indicators_agree_on_the_order(n_areas, n_ind, data):
    order = data.draw(st.permutations(range(n_areas)))  # order[j] = the area in position j (best last)
    rows, city_rows, polarity, themes = [], [], {}, {}
    for k in range(n_ind):
        i = f"i{k}"
        polarity[i] = data.draw(POLARITIES)
        themes[i] = data.draw(st.sampled_from(["t0", "t1"]))
        steps = data.draw(st.lists(st.integers(1, 20), min_size=n_areas, max_size=n_areas))
        level = np.cumsum(steps).astype(float)  # strictly increasing: better along the order
        if polarity[i] == "lower_is_better":
            level = -level
        rows += [(f"W{order[j]}", i, BASE, level[j]) for j in range(n_areas)]
        city_rows.append((i, BASE, float(np.mean(level))))
    values, city = frame(rows), city_frame(city_rows)
    ranks = composite_index(values, city, polarity, themes, None, BASE)
    sens = rank_sensitivity(values, city, polarity, themes, None, BASE)
    merged = ranks.merge(sens, on=["area_code", "period", "theme"], validate="one_to_one")
    assert (merged["rank_min"] == merged["rank"]).all() and (merged["rank_max"] == merged["rank"]).all()
    best = cell(merged, area_code=f"W{order[-1]}", theme=TOTAL)
    assert best["rank"] == 1


@settings(max_examples=25, deadline=None)
@given(panels(), st.floats(0.0, 0.9))
def test_rank_lies_within_the_sensitivity_range(panel, factor):
    values, city, polarity, themes, weights = panel
    ranks = composite_index(values, city, polarity, themes, weights, BASE)
    sens = rank_sensitivity(values, city, polarity, themes, weights, BASE, factor=factor)
    merged = ranks.merge(sens, on=["area_code", "period", "theme"], validate="one_to_one")
    assert len(merged) == len(ranks) == len(sens)
    ranked = merged.dropna(subset=["rank"])
    assert (ranked["rank_min"] <= ranked["rank"]).all() and (ranked["rank"] <= ranked["rank_max"]).all()
    # weights never change which scores exist (no weight reaches 0 here)
    assert (merged["rank"].isna() == merged["rank_min"].isna()).all()


def test_sensitivity_moves_the_total_when_themes_have_one_indicator_each():
    """economie: z -0.8, 0.2, 1.2 (A, B, C); inkomen: z 1.5, -0.5, 0.5; total = themes weighted by their
    indicator's weight. Factor 0.6 gives weights 0.4 and 1.6:
      (1, 1):   A 0.35,   B -0.15,  C 0.85  -> C 1, A 2, B 3
      (0.4, 1): A 0.843,  B -0.3,   C 0.7   -> A 1, C 2, B 3
      (1, 0.4): A -0.143, B 0.0,    C 1.0   -> C 1, B 2, A 3
    (1.6, 1) and (1, 1.6) keep C 1, A 2, B 3. So A ranges 1..3, B 2..3, C 1..2."""
    themes = {"werk": "economie", "bijstand": "inkomen"}
    base_rows = VALUES[VALUES["period"] == BASE]
    sens = rank_sensitivity(base_rows, CITY, POLARITY, themes, None, BASE, factor=0.6)
    got = sens[sens["theme"] == TOTAL].set_index("area_code")
    assert {a: (r["rank_min"], r["rank_max"]) for a, r in got.iterrows()} == {"A": (1, 3), "B": (2, 3), "C": (1, 2)}
