"""Charts: the spine chart puts better to the right whatever the polarity, and marks significance by shape."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from wijkmonitor import figures


def row(**change):
    base = dict(label="Huishoudens met bijstand (2023)", value=19.4, city=5.9, low=1.9, q1=3.0, q3=7.5, high=19.4,
                comparison="worse", trend="increasing", higher_is_better=False, value_text="19,4%",
                city_text="5,9%")
    return figures.SpineRow(**(base | change))


def markers(fig):
    """(x, marker, filled) of each area marker, top row first."""
    lines = [line for line in fig.axes[0].lines if line.get_marker() not in ("None", None, "")]
    return [(float(line.get_xdata()[0]), line.get_marker(), line.get_markerfacecolor() != "white") for line in lines]


def test_spine_chart_positions_and_shapes():
    figures.configure()
    fig = figures.spine_chart([
        row(),  # lower is better, far above the city: far left, a filled triangle
        row(label="Sociale cohesie", value=6.1, city=5.9, low=4.5, q1=5.5, q3=6.0, high=6.4, comparison="better",
            higher_is_better=True),  # higher is better, above the city: right, a filled circle
        row(label="Ervaren gezondheid", value=69.9, city=80.8, low=69.9, q1=75, q3=82, high=85, comparison=None,
            higher_is_better=True),  # no test possible: left, a hollow square
    ])
    placed = markers(fig)
    plt.close(fig)
    # Position = (value - city) / largest distance from the city on that row, mirrored when lower is better.
    assert placed[0] == (pytest.approx(-1.0), "^", True)
    assert placed[1] == (pytest.approx((6.1 - 5.9) / (5.9 - 4.5)), "o", True)  # the low end is farthest
    assert placed[2] == (pytest.approx((69.9 - 80.8) / 10.9), "s", False)


def test_spine_chart_svg_is_deterministic(tmp_path):
    figures.configure()
    for name in ("a.svg", "b.svg"):
        figures.save_svg(figures.spine_chart([row(), row(label="x", trend=None, comparison="similar")]), tmp_path / name)
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


# ------------------------------------------------------------------------------ maps


def test_class_breaks_are_quantiles():
    assert figures.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) == pytest.approx([1, 3, 5, 7, 9, 11])
    assert figures.class_breaks([2.0, 2.0, 5.0]) == [2.0, 5.0]  # two distinct values: one class
    assert figures.class_breaks([4.0]) == [4.0]


def test_maps_draw_every_area_and_mark_missing_ones(shared_data):
    from wijkmonitor.geometry import load_boundaries

    figures.configure()
    shapes = load_boundaries(shared_data / "utrecht/geometry/utrecht_wijken_2023.geojson")
    values = {code: float(i) for i, code in enumerate(sorted(shapes)) if code != "WK034403"}
    fig = figures.choropleth(shapes, values, "Test")
    patches = fig.axes[0].patches
    assert len(patches) == 10 and sum(p.get_hatch() == "///" for p in patches) == 1  # Overvecht: no figure
    plt.close(fig)
    tiles = figures.tile_map([(c, c) for c in sorted(shapes)], values, "Test")
    assert len(tiles.axes[0].patches) == 10
    plt.close(tiles)


def test_prediction_band_follows_the_projection_model_and_the_unit_bounds():
    from wijkmonitor.report import prediction_band
    from wijkmonitor.stats.projection import project_linear

    line = [(year, 2.0 * (year - 2014) + 10) for year in range(2014, 2019)]  # exactly on a line
    band = prediction_band(line, 2021, None)
    assert [b[0] for b in band] == list(range(2018, 2022))
    assert band[-1][1] == pytest.approx(24.0) and band[-1][3] - band[-1][2] == pytest.approx(0, abs=1e-9)
    noisy = [(2014, 10.0), (2015, 13.0), (2016, 13.5), (2017, 17.0), (2018, 18.0)]
    expected = project_linear(pd.DataFrame(noisy, columns=["period", "value"]).assign(k=""), ["k"], 2030).iloc[0]
    assert band_at(prediction_band(noisy, 2030, None), 2030) == pytest.approx(
        (expected["projected"], expected["pi_low"], expected["pi_high"]))
    capped = prediction_band(noisy, 2030, {"min": 0, "max": 20})  # a share cannot pass 100%, here 20
    assert band_at(capped, 2030)[0] == 20 and band_at(capped, 2030)[2] == 20
    assert prediction_band(noisy[:2], 2030, None) == []  # too few years


def band_at(band, year):
    return next(b[1:] for b in band if b[0] == year)


def test_projection_chart_shades_the_area_band_only():
    figures.configure()
    band = [(2023, 19.0, 18.5, 19.5), (2030, 21.0, 20.0, 22.0)]
    fig = figures.projection_chart("x", "Overvecht", [(2020, 18.0), (2023, 19.0)], band, "Utrecht",
                                   [(2020, 6.0), (2023, 5.9)], [(2023, 5.9, 5.5, 6.3), (2030, 5.0, 4.0, 6.0)])
    shaded = [c for c in fig.axes[0].collections if len(c.get_paths())]
    assert len(shaded) == 1
    ys = shaded[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(18.5) and ys.max() == pytest.approx(22.0)
    plt.close(fig)
