"""The generated national panel and its gap and trend summary: DuckDB against pandas, a hand-worked
example against scipy's linregress, and the generator's invariants."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wijkmonitor.panel import (
    PANEL_COLUMNS,
    SUMMARY_COLUMNS,
    area_register,
    gaps_and_trends_duckdb,
    gaps_and_trends_pandas,
    generate_panel,
)


def in_duckdb(panel) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        con.execute("SET threads = 2")
        con.register("panel", panel)
        return gaps_and_trends_duckdb(con, "panel")
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------- DuckDB = pandas

def test_duckdb_and_pandas_agree_on_a_generated_panel():
    """60 areas (a full gemeente of 51 and a cut-off second one) x 3 indicators x 6 years, with a fifth
    of the figures missing so that short series, missing gemeente values and 0 values all occur."""
    panel = generate_panel(areas=60, indicators=3, years=6, seed=7, missing=0.2)
    duck, plain = in_duckdb(panel), gaps_and_trends_pandas(panel.to_pandas())
    assert list(duck.columns) == list(SUMMARY_COLUMNS)
    assert len(duck) == 60 * 3
    assert duck["n_periods"].min() < 3 and duck["se"].isna().any()  # the edge cases were exercised
    assert duck["slope"].notna().sum() > 150
    # A flat series has slope 0 exactly; DuckDB's streaming sums leave ~1e-17 there, hence the atol.
    pd.testing.assert_frame_equal(duck, plain, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------------------------- hand-worked

def hand_panel() -> pd.DataFrame:
    """Gemeente GM0001 with wijk WK000100 and buurt BU00010000, years 2010-2013.

    ind_a: the gemeente flat at 10, the wijk 10, 12, 15, 15.
    ind_b: the same, but the gemeente's 2013 figure is missing.
    ind_c: the gemeente at 0 in 2013, the buurt with a single figure (2013: 4)."""
    nan = np.nan
    series = {
        ("ind_a", "GM0001"): [10, 10, 10, 10], ("ind_a", "WK000100"): [10, 12, 15, 15],
        ("ind_b", "GM0001"): [10, 10, 10, nan], ("ind_b", "WK000100"): [10, 12, 15, 15],
        ("ind_c", "GM0001"): [3, 2, 1, 0], ("ind_c", "BU00010000"): [nan, nan, nan, 4],
    }
    level = {"GM0001": "gemeente", "WK000100": "wijk", "BU00010000": "buurt"}
    rows = [(indicator, area, "GM0001", level[area], 2010 + i, v, "ok" if v == v else "missing", 100.0)
            for (indicator, area), values in series.items() for i, v in enumerate(values)]
    return pd.DataFrame(rows, columns=list(PANEL_COLUMNS))


@pytest.mark.parametrize("method", ["duckdb", "pandas"])
def test_hand_worked_example(method):
    frame = hand_panel()
    summary = in_duckdb(frame) if method == "duckdb" else gaps_and_trends_pandas(frame)
    row = summary.set_index(["indicator_id", "area_code"])
    reference = stats.linregress([2010, 2011, 2012, 2013], [10, 12, 15, 15])

    # Wijk, ind_a: x centred -1.5, -0.5, 0.5, 1.5; y - 13 = -3, -1, 2, 2: sxx 5, sxy 9, syy 18.
    wijk = row.loc[("ind_a", "WK000100")]
    assert wijk["n_periods"] == 4
    assert wijk["slope"] == pytest.approx(1.8, rel=1e-12)
    # Residual variance (18 - 9^2 / 5) / (4 - 2) = 0.9; se = sqrt(0.9 / 5).
    assert wijk["se"] == pytest.approx(np.sqrt(0.18), rel=1e-12)
    assert wijk["se"] == pytest.approx(reference.stderr, rel=1e-12)
    # Gaps 0, 2, 5, 5: the last is 5 (50% of the gemeente's 10) and they widen like the values.
    assert wijk["gap_last"] == 5
    assert wijk["rel_gap_last"] == pytest.approx(0.5, rel=1e-12)
    assert wijk["gap_slope"] == pytest.approx(1.8, rel=1e-12)

    # The gemeente's own series: flat, exact fit; its gap to itself is 0.
    gemeente = row.loc[("ind_a", "GM0001")]
    assert gemeente["slope"] == pytest.approx(0, abs=1e-12) and gemeente["se"] == pytest.approx(0, abs=1e-12)
    assert gemeente["gap_last"] == 0 and gemeente["gap_slope"] == pytest.approx(0, abs=1e-12)

    # ind_b: the 2013 gap is missing, so the last gap is 2012's (5) and the gap trend runs over
    # 0, 2, 5 (slope 2.5); the wijk's own trend still uses all four years.
    wijk_b = row.loc[("ind_b", "WK000100")]
    assert wijk_b["n_periods"] == 4 and wijk_b["slope"] == pytest.approx(1.8, rel=1e-12)
    assert wijk_b["gap_last"] == 5 and wijk_b["gap_slope"] == pytest.approx(2.5, rel=1e-12)
    assert row.loc[("ind_b", "GM0001"), "n_periods"] == 3

    # ind_c: the gemeente's series 3, 2, 1, 0 falls by 1 a year, exactly; the buurt has one figure:
    # no line, and its gap to a gemeente value of 0 has no relative size.
    assert row.loc[("ind_c", "GM0001"), "slope"] == pytest.approx(-1, rel=1e-12)
    assert row.loc[("ind_c", "GM0001"), "se"] == pytest.approx(0, abs=1e-9)  # all points on the line
    buurt = row.loc[("ind_c", "BU00010000")]
    assert buurt["n_periods"] == 1
    assert np.isnan(buurt["slope"]) and np.isnan(buurt["se"])
    assert buurt["gap_last"] == 4 and np.isnan(buurt["rel_gap_last"]) and np.isnan(buurt["gap_slope"])

    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert list(zip(summary["indicator_id"], summary["area_code"], strict=True)) == sorted(row.index)


def test_table_name_is_checked():
    with pytest.raises(ValueError, match="not a table name"):
        gaps_and_trends_duckdb(duckdb.connect(), "observation; DROP TABLE area")


# ---------------------------------------------------------------------------------------------- generator

def test_generator_invariants():
    areas, indicators, years = 600, 5, 10
    panel = generate_panel(areas=areas, indicators=indicators, years=years, first_year=2012, seed=3)
    frame = panel.to_pandas()
    assert list(frame.columns) == list(PANEL_COLUMNS)
    assert len(frame) == areas * indicators * years
    assert frame["area_code"].nunique() == areas and frame["indicator_id"].nunique() == indicators
    assert sorted(frame["period"].unique()) == list(range(2012, 2012 + years))
    assert not frame.duplicated(["indicator_id", "area_code", "period"]).any()
    # The warehouse's order.
    assert frame.equals(frame.sort_values(["indicator_id", "area_code", "period"]).reset_index(drop=True))

    absent = frame["value"].isna()
    assert abs(absent.mean() - 0.05) < 0.01
    assert (absent == (frame["status"] != "ok")).all()
    present = frame.loc[~absent, "value"]
    assert present.between(0, 100).all() and (present.round(1) == present).all()
    assert (frame["n"] >= 10).all()

    # Every area's gemeente is in the panel, and CBS codes carry the gemeente's digits.
    gemeenten = set(frame.loc[frame["level"] == "gemeente", "area_code"])
    assert set(frame["gemeente_code"]) <= gemeenten
    assert (frame["area_code"].str[2:6] == frame["gemeente_code"].str[2:6]).all()
    prefix = frame["area_code"].str[:2].map({"GM": "gemeente", "WK": "wijk", "BU": "buurt"})
    assert (prefix == frame["level"]).all()

    # Deterministic for a seed, different for another.
    assert generate_panel(areas=areas, indicators=indicators, years=years, first_year=2012, seed=3).equals(panel)
    other = generate_panel(areas=areas, indicators=indicators, years=years, first_year=2012, seed=4)
    assert not other.equals(panel)


@pytest.mark.parametrize("missing", [0.0, 0.2])
def test_generator_missing_share(missing):
    frame = generate_panel(areas=300, indicators=4, years=10, seed=1, missing=missing).to_pandas()
    assert abs(frame["value"].isna().mean() - missing) < 0.01


def test_area_register_keeps_every_parent():
    """Cut off anywhere, the register still holds each buurt's wijk and each area's gemeente."""
    for areas in (1, 2, 6, 51, 52, 57, 103):
        register = area_register(areas)
        assert len(register) == areas
        codes = set(register["code"])
        assert set(register["gemeente_code"]) <= codes
        assert set(register["wijk_code"].dropna()) <= codes
    # 333 whole gemeenten (51 areas each: 16,983) and a 334th cut off after 17 areas: itself and
    # four wijken, the first three with their four buurten.
    full = area_register(17_000)
    assert full["level"].value_counts().to_dict() == {"buurt": 333 * 40 + 12, "wijk": 333 * 10 + 4, "gemeente": 334}
    assert full["code"].iloc[-1] == "WK033403"
