"""Charts: the spine chart puts better to the right whatever the polarity, and marks significance by shape."""

import re

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import same_color

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


# ------------------------------------------------------------------------------ fan chart

AREA = [(2020, 18.0), (2023, 19.0)]
FAN = [(2024, 19.4, 18.2, 20.6, 18.9, 19.9), (2030, 21.0, 17.0, 25.0, 19.5, 22.5)]
CITY = [(2020, 6.0), (2023, 5.9)]
CITY_PATH = [(2023, 5.9), (2030, 5.0)]


def fan_chart(**change):
    figures.configure()
    args = dict(title="Bijstand", area_label="Overvecht", area=AREA, fan=FAN, city_label="Utrecht", city=CITY,
                city_path=CITY_PATH, scenario_label="Als er niets verandert")
    return figures.fan_chart(**(args | change))


def tick_texts(fig, ax, axis="y"):
    fig.canvas.draw()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels if t.get_text()]


def ys_at(vertices, x):
    return sorted({float(y) for vx, y in vertices if vx == pytest.approx(x)})


def test_fan_chart_bands_open_from_the_last_observation():
    fig = fan_chart()
    ax = fig.axes[0]
    bands = {c.get_gid(): c for c in ax.collections if len(c.get_paths())}
    assert set(bands) == {"fan-95", "fan-50"}
    outer, inner = (bands[g].get_paths()[0].vertices for g in ("fan-95", "fan-50"))
    assert ys_at(outer, 2030) == pytest.approx([17.0, 25.0])  # low95..high95 at the target year
    assert ys_at(inner, 2030) == pytest.approx([19.5, 22.5])  # low50..high50
    assert ys_at(outer, 2023) == ys_at(inner, 2023) == pytest.approx([19.0])  # zero width at the last figure
    assert outer[:, 1].min() == pytest.approx(17.0) and outer[:, 1].max() == pytest.approx(25.0)
    # One hue, the inner band darker: two shades in greyscale too.
    assert same_color(bands["fan-95"].get_facecolor()[0][:3], figures.WORSE)
    assert same_color(bands["fan-50"].get_facecolor()[0][:3], figures.WORSE)
    assert bands["fan-95"].get_alpha() < bands["fan-50"].get_alpha()
    plt.close(fig)


def test_fan_chart_lines_markers_and_legend():
    fig = fan_chart()
    ax = fig.axes[0]
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    median = next(line for line in dashed if same_color(line.get_color(), figures.WORSE))
    assert list(median.get_xdata()) == [2023, 2024, 2030]
    assert median.get_ydata()[0] == 19.0 and median.get_ydata()[-1] == 21.0  # from the data to the last median
    city_path = next(line for line in dashed if same_color(line.get_color(), figures.CITY))
    assert list(zip(city_path.get_xdata(), city_path.get_ydata(), strict=True)) == CITY_PATH
    observed = {line.get_marker(): line for line in ax.lines if line.get_linestyle() == "-"}
    assert list(observed["^"].get_ydata()) == [18.0, 19.0] and same_color(observed["^"].get_color(), figures.WORSE)
    assert list(observed["s"].get_ydata()) == [6.0, 5.9] and same_color(observed["s"].get_color(), figures.CITY)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Overvecht", "Utrecht", "95% / 50%", "Als er niets verandert"]
    labels = tick_texts(fig, ax)
    assert labels and all(re.fullmatch(r"\d+,\d", t) for t in labels)  # Dutch: 10,0 not 10.0
    plt.close(fig)
    english = fan_chart(lang="en")
    assert all(re.fullmatch(r"\d+\.\d", t) for t in tick_texts(english, english.axes[0]))
    plt.close(english)


def test_fan_chart_without_projection_keeps_the_data_and_says_why(tmp_path):
    note = "Geen projectie: te weinig jaren"
    fig = fan_chart(area=AREA[:1], fan=[], note=note)
    ax = fig.axes[0]
    assert not [c for c in ax.collections if len(c.get_paths())]
    assert [t.get_text() for t in ax.texts] == [note]
    assert {line.get_marker() for line in ax.lines if line.get_linestyle() == "-"} == {"^", "s"}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "95% / 50%" not in legend and "Overvecht" in legend
    figures.save_svg(fig, tmp_path / "fan.svg")
    svg = (tmp_path / "fan.svg").read_text()
    assert note in svg and "Als er niets verandert" in svg  # text kept as text, not paths


# ------------------------------------------------------------------------------ inequality chart

LABELS = {"theil": "Theil T", "between": "Tussen wijken", "within": "Binnen wijken", "sii": "SII",
          "no_sii": "Geen SII: te weinig gebieden"}
NAN = float("nan")


def inequality_chart(**change):
    figures.configure()
    args = dict(title="Ongelijkheid in ervaren gezondheid", periods=[2016, 2020, 2022], theil=[0.03, 0.041, 0.038],
                between=[None, 0.026, NAN], within=[None, 0.015, NAN], sii=[-8.2, NAN, -11.4],
                sii_low=[-12.0, None, -15.2], sii_high=[-4.4, None, -7.6], labels=LABELS)
    return figures.inequality_chart(**(args | change))


def test_inequality_chart_stacks_theil_and_draws_the_sii_interval(tmp_path):
    fig = inequality_chart()
    left, right = fig.axes
    bars = {}
    for patch in left.patches:
        bars.setdefault(round(patch.get_x() + patch.get_width() / 2), []).append(
            (pytest.approx(patch.get_y()), pytest.approx(patch.get_height())))
    assert bars == {2016: [(0, 0.03)],  # no split: the total
                    2020: [(0, 0.026), (0.026, 0.015)],  # between at the bottom, within on top
                    2022: [(0, 0.038)]}  # a NaN split falls back to the total
    within = [p for p in left.patches if p.get_hatch()]
    assert len(within) == 1 and within[0].get_height() == pytest.approx(0.015)
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["Tussen wijken", "Binnen wijken", "Theil T"]

    (errorbar,) = right.containers
    points, _, (bars_x,) = errorbar.lines
    assert list(points.get_xdata()) == [2016, 2022]  # the wave without an SII is left out
    assert [sorted(map(tuple, s)) for s in bars_x.get_segments()] == [
        [(2016, -12.0), (2016, -4.4)], [(2022, -15.2), (2022, -7.6)]]
    zero = [line for line in right.lines if line.get_linestyle() == "--"]
    assert len(zero) == 1 and set(zero[0].get_ydata()) == {0}

    for ax in (left, right):
        assert list(ax.get_xticks()) == [2016, 2020, 2022]
        assert tick_texts(fig, ax, "x") == ["2016", "2020", "2022"]  # years without a thousands separator
    assert all(re.fullmatch(r"0,\d{3}", t) for t in tick_texts(fig, left))
    assert all(re.fullmatch(r"\u2212?\d+,\d", t) for t in tick_texts(fig, right))
    assert (left.get_title(loc="left"), right.get_title(loc="left")) == ("Theil T", "SII")
    figures.save_svg(fig, tmp_path / "inequality.svg")
    svg = (tmp_path / "inequality.svg").read_text()
    assert all(word in svg for word in ("Tussen wijken", "Binnen wijken", "Ongelijkheid in ervaren gezondheid"))


def test_inequality_chart_without_any_sii_says_so():
    fig = inequality_chart(sii=[None, NAN, None], sii_low=[None] * 3, sii_high=[None] * 3,
                           between=[None] * 3, within=[None] * 3, lang="en")
    left, right = fig.axes
    assert [p.get_height() for p in left.patches] == pytest.approx([0.03, 0.041, 0.038])
    assert left.get_legend() is None  # nothing split: the panel title names the bars
    assert [t.get_text() for t in right.texts] == ["Geen SII: te weinig gebieden"]
    assert not right.lines and not right.containers
    assert all(re.fullmatch(r"0\.\d{3}", t) for t in tick_texts(fig, left))
    plt.close(fig)
