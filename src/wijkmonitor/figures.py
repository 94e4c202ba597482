"""Charts for the report: one function per chart type, a colour-blind-safe palette, numbers and words in the report's language (`i18n`), SVG text as text."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .formatting import format_number  # noqa: E402
from .i18n import Language  # noqa: E402

# Okabe-Ito: distinguishable with every common colour-vision deficiency; meaning is carried by
# marker shape as well (triangle = worse than the city), never by colour alone.
WORSE = "#D55E00"
BETTER = "#0072B2"
NEUTRAL = "#666666"
CITY = "#000000"
EARLIER = "#999999"
MARKERS = {"worse": "^", "better": "o", "neutral": "s"}
COLOURS = {"worse": WORSE, "better": BETTER, "neutral": NEUTRAL}


def configure() -> None:
    """Settings that make the SVGs deterministic and keep their text selectable."""
    plt.rcParams.update({
        "svg.fonttype": "none",
        "svg.hashsalt": "wijkmonitor",
        "font.family": "DejaVu Sans",
        "font.size": 8,
        "axes.titlesize": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.5,
        "figure.dpi": 100,
    })


def save_svg(fig, path: str | Path) -> None:
    """Write the figure as SVG through a temporary file: a killed run leaves no cut-off SVG."""
    from .steps import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)


def _number_axis(ax, decimals: int, lang: str, axis: str = "x") -> None:
    formatter = FuncFormatter(lambda v, _: format_number(v, decimals, lang=lang))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(5))


@dataclass
class Panel:
    """One indicator in a theme chart: areas' values against the city's."""

    title: str
    period: int
    city_value: float
    areas: list[tuple[str, float, str]]  # (name, value, "worse"|"better"|"neutral")
    earlier: dict[str, float] = field(default_factory=dict)
    decimals: int = 1
    indicator_id: str = ""  # where the panel comes from (the report's definitions list), not drawn


def _axis_decimals(values: list[float], decimals: int) -> int:
    """Fewer decimals on an axis whose range is wide (ticks like 10, 20, 30 rather than 10,0)."""
    span = (max(values) - min(values)) if values else 0
    return 0 if span >= 10 else min(decimals, 1)


def theme_chart(panels: list[Panel], order: list[str], *, city_label: str, lang: str = "nl", cols: int = 3):
    """Small multiples: per indicator a dot per area (in `order`, top to bottom), the city as a
    vertical line; hollow grey dots show the same area in an earlier year."""
    rows = (len(panels) + cols - 1) // cols
    height = rows * (0.16 * len(order) + 0.75) + 0.45
    fig, axes = plt.subplots(rows, cols, figsize=(7.0, height), squeeze=False, sharey=True)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    y = {name: len(order) - 1 - i for i, name in enumerate(order)}
    for ax, panel in zip(axes.flat, panels, strict=False):
        for name, value in panel.earlier.items():
            if name in y:
                ax.plot(value, y[name], marker="o", mfc="none", mec=EARLIER, ms=4, ls="none", zorder=2)
        for name, value, judgement in panel.areas:
            ax.plot(value, y[name], marker=MARKERS[judgement], color=COLOURS[judgement], ms=4.5, ls="none", zorder=3)
        ax.axvline(panel.city_value, color=CITY, lw=1, zorder=1)
        ax.set_yticks(list(y.values()), list(y.keys()))
        ax.set_ylim(-0.7, len(order) - 0.3)
        ax.set_title(textwrap.fill(f"{panel.title} ({panel.period})", 34), loc="left", fontsize=7.5)
        ax.grid(axis="y", visible=False)
        ax.tick_params(labelsize=7)
        values = [v for _, v, _ in panel.areas] + list(panel.earlier.values()) + [panel.city_value]
        _number_axis(ax, _axis_decimals(values, panel.decimals), lang)
    tr = Language(lang)
    handles = [
        plt.Line2D([], [], color=CITY, lw=1, label=city_label),
        plt.Line2D([], [], marker="^", color=WORSE, ls="none", label=tr("chart.worse_than_city")),
        plt.Line2D([], [], marker="o", color=BETTER, ls="none", label=tr("chart.better_than_city")),
        plt.Line2D([], [], marker="s", color=NEUTRAL, ls="none", label=tr("chart.no_polarity")),
    ]
    if any(p.earlier for p in panels):
        handles.append(plt.Line2D([], [], marker="o", mfc="none", mec=EARLIER, ls="none",
                                  label=tr("chart.four_years_earlier")))
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=7, bbox_to_anchor=(0.5, 0))
    fig.tight_layout(rect=(0, 0.55 / height, 1, 1))
    return fig


def trend_chart(title: str, area_label: str, area: list[tuple[int, float]], city_label: str,
                city: list[tuple[int, float]], *, decimals: int = 1, lang: str = "nl"):
    """An area's series against the city's, with the gap shaded."""
    fig, ax = plt.subplots(figsize=(3.4, 2.3))
    ax.plot([p for p, _ in city], [v for _, v in city], color=CITY, lw=1.3, marker="s", ms=3, label=city_label)
    ax.plot([p for p, _ in area], [v for _, v in area], color=WORSE, lw=1.6, marker="^", ms=4, label=area_label)
    common = sorted(set(p for p, _ in area) & set(p for p, _ in city))
    a, c = dict(area), dict(city)
    ax.fill_between(common, [a[p] for p in common], [c[p] for p in common], color=WORSE, alpha=0.12, lw=0)
    ax.set_title(title, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    _number_axis(ax, decimals, lang, axis="y")
    ax.legend(frameon=False, loc="best")
    fig.tight_layout()
    return fig


# Spine chart: the area's figure against the spread of all areas of its level and the city.
SIGNIFICANCE_STYLE = {  # comparison with the city -> (marker, colour, filled)
    "worse": ("^", WORSE, True), "better": ("o", BETTER, True), "similar": ("D", NEUTRAL, False),
    "higher": ("^", NEUTRAL, True), "lower": ("v", NEUTRAL, True), None: ("s", NEUTRAL, False),
}
TREND_ARROWS = {"increasing": "\u2191", "decreasing": "\u2193", "no_significant_change": "\u2192",
                "insufficient_data": "\u00b7", "not_estimable": "\u00b7", "not_tested": "\u00b7",
                None: "\u00b7"}


# Horizontal layout of a spine chart: labels, the bars (-1 to 1 around the city), the numbers, the arrow.
LABEL_X, VALUE_X, CITY_X, TREND_X = -3.3, 1.65, 2.15, 2.4


@dataclass
class SpineRow:
    """One indicator on a spine chart, in its own unit; `higher_is_better` None for neutral."""

    label: str
    value: float
    city: float
    low: float  # lowest value among the areas of the level
    q1: float
    q3: float
    high: float
    comparison: str | None  # better/similar/worse/higher/lower, None = not tested
    trend: str | None  # recent_trend label
    higher_is_better: bool | None
    value_text: str
    city_text: str
    indicator_id: str = ""  # where the row comes from (the report's definitions list), not drawn


def spine_chart(rows: list[SpineRow], *, lang: str = "nl"):
    """Fingertips-style spine chart: per indicator a bar from the lowest to the highest area (the
    middle half darker), the city at the centre line, the area as a marker whose shape and colour
    say whether it differs significantly from the city; better to the right (neutral: higher)."""
    height = 0.28 * len(rows) + 0.9
    fig, ax = plt.subplots(figsize=(7.0, height))
    for i, r in enumerate(rows):
        y = len(rows) - 1 - i
        flip = -1.0 if r.higher_is_better is False else 1.0
        extent = max(abs(r.high - r.city), abs(r.low - r.city), abs(r.value - r.city)) or 1.0

        def pos(v: float, r: SpineRow = r, flip: float = flip, extent: float = extent) -> float:
            return flip * (v - r.city) / extent

        lo, hi = sorted((pos(r.low), pos(r.high)))
        q_lo, q_hi = sorted((pos(r.q1), pos(r.q3)))
        ax.barh(y, hi - lo, left=lo, height=0.5, color="#e3e3e3", zorder=1)
        ax.barh(y, q_hi - q_lo, left=q_lo, height=0.5, color="#bdbdbd", zorder=1)
        marker, colour, filled = SIGNIFICANCE_STYLE.get(r.comparison, SIGNIFICANCE_STYLE[None])
        ax.plot(pos(r.value), y, marker=marker, ms=6, ls="none", mec=colour, mfc=colour if filled else "white",
                mew=1.2, zorder=3)
        ax.text(LABEL_X, y, textwrap.shorten(r.label, 52, placeholder="…"), ha="left", va="center", fontsize=7)
        ax.text(VALUE_X, y, r.value_text, ha="right", va="center", fontsize=7)
        ax.text(CITY_X, y, r.city_text, ha="right", va="center", fontsize=7, color="#444444")
        ax.text(TREND_X, y, TREND_ARROWS.get(r.trend, "\u00b7"), ha="center", va="center", fontsize=8)
    top = len(rows) - 0.3
    tr = Language(lang)
    words = [tr(f"chart.{w}") for w in ("area", "city", "trend", "worse", "better")]
    for x, text, align in ((VALUE_X, words[0], "right"), (CITY_X, words[1], "right"), (TREND_X, words[2], "center")):
        ax.text(x, top, text, ha=align, va="bottom", fontsize=7, weight="bold")
    ax.text(-1.0, top, f"\u2190 {words[3]}", ha="left", va="bottom", fontsize=7)
    ax.text(1.0, top, f"{words[4]} \u2192", ha="right", va="bottom", fontsize=7)
    ax.axvline(0, color=CITY, lw=1, zorder=2)
    ax.set_xlim(LABEL_X, TREND_X + 0.15)
    ax.set_ylim(-0.6, len(rows) + 0.2)
    ax.axis("off")
    labels = [tr(f"chart.{w}") for w in ("significantly_worse", "significantly_better", "not_significant",
                                         "no_test", "higher_lower")]
    handles = [plt.Line2D([], [], marker=m, ls="none", mec=c, mfc=c if f else "white", label=text)
               for (m, c, f), text in zip((SIGNIFICANCE_STYLE["worse"], SIGNIFICANCE_STYLE["better"],
                                           SIGNIFICANCE_STYLE["similar"], SIGNIFICANCE_STYLE[None],
                                           SIGNIFICANCE_STYLE["higher"]), labels, strict=True)]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=6.5)
    fig.tight_layout(rect=(0, 0.5 / height, 1, 1))
    return fig


# Maps: a sequential, colour-blind-safe palette (cividis, readable in grey too): dark blue = low, yellow = high.
MAP_CLASSES = 5
MISSING_COLOUR = "#ffffff"


def class_breaks(values: list[float], classes: int = MAP_CLASSES) -> list[float]:
    """Quantile class breaks (lowest, ..., highest), fewer classes when there are few distinct values."""
    distinct = sorted(set(values))
    classes = max(1, min(classes, len(distinct) - 1)) if len(distinct) > 1 else 1
    return [float(b) for b in np.unique(np.quantile(values, np.linspace(0, 1, classes + 1)))]


def _class_colours(n: int) -> list:
    cmap = plt.get_cmap("cividis")
    return [cmap(0.15 + 0.8 * i / max(n - 1, 1)) for i in range(n)]


def _class_of(value: float, breaks: list[float]) -> int:
    return min(int(np.searchsorted(breaks, value, side="right")) - 1, len(breaks) - 2) if len(breaks) > 1 else 0


def _map_legend(ax, breaks: list[float], decimals: int, lang: str, missing: bool) -> None:
    colours = _class_colours(max(len(breaks) - 1, 1))
    handles = [plt.Rectangle((0, 0), 1, 1, fc=colours[i], ec="#555555", lw=0.4,
                             label=f"{format_number(breaks[i], decimals, lang=lang)} – "
                                   f"{format_number(breaks[i + 1], decimals, lang=lang)}")
               for i in range(len(breaks) - 1)] or [plt.Rectangle((0, 0), 1, 1, fc=colours[0], ec="#555555",
                                                                   label=format_number(breaks[0], decimals, lang=lang))]
    if missing:
        handles.append(plt.Rectangle((0, 0), 1, 1, fc=MISSING_COLOUR, ec="#555555", hatch="///", lw=0.4,
                                     label=Language(lang)("chart.no_figure")))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=6.5)


def choropleth(shapes: dict[str, list], values: dict[str, float], title: str, *, decimals: int = 1,
               lang: str = "nl", credit: str = ""):
    """A map of the areas in `shapes` coloured by quantile class of their value (breaks in the legend);
    areas without a value are white and hatched."""
    from matplotlib.patches import Polygon

    present = [v for v in values.values() if v == v]
    breaks = class_breaks(present) if present else [0.0]
    colours = _class_colours(max(len(breaks) - 1, 1))
    fig, ax = plt.subplots(figsize=(3.4, 2.9))
    missing = False
    for code, rings in sorted(shapes.items()):
        value = values.get(code)
        has = value is not None and value == value
        missing |= not has
        for ring in rings:
            ax.add_patch(Polygon(ring, closed=True, fc=colours[_class_of(value, breaks)] if has else MISSING_COLOUR,
                                 ec="white" if has else "#777777", lw=0.5, hatch=None if has else "///"))
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(textwrap.fill(title, 40), loc="left", fontsize=7.5)
    _map_legend(ax, breaks, decimals, lang, missing)
    if credit:
        ax.text(0, -0.02, credit, transform=ax.transAxes, fontsize=5.5, color="#555555", va="top")
    fig.tight_layout()
    return fig


def tile_map(areas: list[tuple[str, str]], values: dict[str, float], title: str, *, decimals: int = 1,
             lang: str = "nl"):
    """A schematic map when no boundaries are configured: one square per area (in code order) coloured
    like `choropleth`, labelled with its name and value."""
    present = [v for v in values.values() if v == v]
    breaks = class_breaks(present) if present else [0.0]
    colours = _class_colours(max(len(breaks) - 1, 1))
    cols = math.ceil(math.sqrt(len(areas))) if areas else 1
    fig, ax = plt.subplots(figsize=(3.4, 2.9))
    missing = False
    for i, (code, name) in enumerate(areas):
        x, y = i % cols, -(i // cols)
        value = values.get(code)
        has = value is not None and value == value
        missing |= not has
        colour = colours[_class_of(value, breaks)] if has else MISSING_COLOUR
        ax.add_patch(plt.Rectangle((x, y), 0.94, 0.94, fc=colour, ec="#777777", lw=0.4, hatch=None if has else "///"))
        dark = has and _class_of(value, breaks) < (len(breaks) - 1) / 2
        ax.text(x + 0.47, y + 0.55, textwrap.shorten(name, 14, placeholder="…"), ha="center", va="center",
                fontsize=5, color="white" if dark else "black")
        ax.text(x + 0.47, y + 0.3, format_number(value, decimals, lang=lang) if has else "–", ha="center",
                va="center", fontsize=5.5, color="white" if dark else "black")
    ax.set_xlim(-0.1, cols + 0.1)
    ax.set_ylim(-((len(areas) - 1) // cols) - 0.1, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(textwrap.fill(title, 40), loc="left", fontsize=7.5)
    _map_legend(ax, breaks, decimals, lang, missing)
    fig.tight_layout()
    return fig


def _given(value: float | None) -> bool:
    """A number to draw: not None and not NaN."""
    return value is not None and value == value


# Fan chart: two shades of one hue so the bands still read as two in greyscale.
FAN_ALPHA_95, FAN_ALPHA_50 = 0.18, 0.42


def fan_chart(title: str, area_label: str, area: list[tuple[int, float]],
              fan: list[tuple[int, float, float, float, float, float]], city_label: str,
              city: list[tuple[int, float]], city_path: list[tuple[int, float]], *,
              decimals: int = 1, lang: str = "nl", band_label: str = "95%", inner_label: str = "50%",
              scenario_label: str = "", note: str = ""):
    """"If nothing changes" as a fan: the area's and the city's observed series, the area's projected
    median dashed with its 95% (light) and 50% (darker) bands opening from the last observed point, and
    the city's scenario dashed to the target year. `fan`: (year, median, low95, high95, low50, high50)
    per projected year; empty when no projection is published, then `note` says why inside the axes."""
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(3.4, 2.3))
    if city_path:
        ax.plot([p for p, _ in city_path], [v for _, v in city_path], color=CITY, lw=1.1, ls="--", zorder=3)
        ax.plot(city_path[-1][0], city_path[-1][1], marker="s", mfc="white", mec=CITY, ms=4, ls="none", zorder=4)
    if city:
        ax.plot([p for p, _ in city], [v for _, v in city], color=CITY, lw=1.3, marker="s", ms=3, zorder=4)
    if fan:
        # The fan opens from the last observed point: a zero-width start there.
        rows = ([(area[-1][0], *[area[-1][1]] * 5)] if area else []) + list(fan)
        years, median, low95, high95, low50, high50 = (list(column) for column in zip(*rows, strict=True))
        ax.fill_between(years, low95, high95, color=WORSE, alpha=FAN_ALPHA_95, lw=0, zorder=1, gid="fan-95")
        ax.fill_between(years, low50, high50, color=WORSE, alpha=FAN_ALPHA_50, lw=0, zorder=2, gid="fan-50")
        ax.plot(years, median, color=WORSE, lw=1.3, ls="--", zorder=5)
        ax.plot(years[-1], median[-1], marker="^", mfc="white", mec=WORSE, ms=5, ls="none", zorder=6)
    if area:
        ax.plot([p for p, _ in area], [v for _, v in area], color=WORSE, lw=1.6, marker="^", ms=4, zorder=6)
    if note:
        ax.text(0.5, 0.5, textwrap.fill(note, 40), transform=ax.transAxes, ha="center", va="center",
                fontsize=6.5, color="#444444", zorder=7,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#bbbbbb", "lw": 0.5})
    ax.set_title(textwrap.fill(title, 44), loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    _number_axis(ax, decimals, lang, axis="y")
    handles, labels = [], []
    for series, colour, marker, label in ((area, WORSE, "^", area_label), (city, CITY, "s", city_label)):
        if series:
            handles.append(plt.Line2D([], [], color=colour, lw=1.4, marker=marker, ms=3.5))
            labels.append(label)
    if fan:
        handles.append((Patch(fc=WORSE, alpha=FAN_ALPHA_95, lw=0), Patch(fc=WORSE, alpha=FAN_ALPHA_50, lw=0)))
        labels.append(f"{band_label} / {inner_label}")
    if scenario_label and (fan or city_path):
        handles.append(plt.Line2D([], [], color=CITY, lw=1.1, ls="--"))
        labels.append(scenario_label)
    # Below the axes: inside, it would cover the fan, which opens towards the top or bottom corner.
    ax.legend(handles, labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)}, frameon=False,
              fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, handlelength=2.2,
              columnspacing=1.2)
    fig.tight_layout()
    return fig


# Inequality chart: between-wijk part dark, within-wijk part light and hatched (two shades in grey too).
BETWEEN_COLOUR, WITHIN_COLOUR, TOTAL_COLOUR = NEUTRAL, "#cfcfcf", EARLIER


def inequality_chart(title: str, periods: list[int], theil: list[float], between: list[float | None],
                     within: list[float | None], sii: list[float | None], sii_low: list[float | None],
                     sii_high: list[float | None], *, labels: dict[str, str], decimals: int = 1,
                     lang: str = "nl"):
    """Inequality between the areas per wave: left, Theil T as a bar split into its between-wijk and
    within-wijk parts (the total alone where no split is given); right, the slope index of inequality
    with its 95% interval. `labels` holds every word ("theil", "between", "within", "sii", "no_sii")."""
    from matplotlib.patches import Patch

    fig, (left, right) = plt.subplots(1, 2, figsize=(6.8, 2.4))
    gaps = np.diff(sorted(periods))
    width = 0.6 * float(gaps.min()) if len(gaps) else 0.6
    split = unsplit = False
    for period, total, b, w in zip(periods, theil, between, within, strict=True):
        if _given(b) and _given(w):
            split = True
            left.bar(period, b, width, color=BETWEEN_COLOUR, ec="white", lw=0.5, zorder=2)
            left.bar(period, w, width, bottom=b, color=WITHIN_COLOUR, ec=NEUTRAL, hatch="////", lw=0.5, zorder=2)
        elif _given(total):
            unsplit = True
            left.bar(period, total, width, color=TOTAL_COLOUR, ec="white", lw=0.5, zorder=2)
    left.set_title(labels["theil"], loc="left")
    _number_axis(left, 3, lang, axis="y")
    if split:
        handles = [Patch(fc=BETWEEN_COLOUR, ec="white", label=labels["between"]),
                   Patch(fc=WITHIN_COLOUR, ec=NEUTRAL, hatch="////", lw=0.5, label=labels["within"])]
        if unsplit:
            handles.append(Patch(fc=TOTAL_COLOUR, label=labels["theil"]))
        left.legend(handles=handles, frameon=False, fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                    ncol=len(handles))

    shown = [(p, s, lo, hi) for p, s, lo, hi in zip(periods, sii, sii_low, sii_high, strict=True) if _given(s)]
    with_interval = [r for r in shown if _given(r[2]) and _given(r[3])]
    alone = [r for r in shown if not (_given(r[2]) and _given(r[3]))]
    if with_interval:
        xs, ys, lows, highs = (np.array(column, dtype=float) for column in zip(*with_interval, strict=True))
        right.errorbar(xs, ys, yerr=[ys - lows, highs - ys], fmt="o", color=CITY, ms=4, capsize=3, lw=1, zorder=3)
    if alone:
        right.plot([r[0] for r in alone], [r[1] for r in alone], marker="o", color=CITY, ms=4, ls="none", zorder=3)
    if shown:
        right.axhline(0, color=NEUTRAL, lw=0.8, ls="--", zorder=1)
        _number_axis(right, decimals, lang, axis="y")
    else:
        right.text(0.5, 0.5, textwrap.fill(labels["no_sii"], 40), transform=right.transAxes, ha="center",
                   va="center", fontsize=7, color="#444444")
        right.set_yticks([])
    right.set_title(labels["sii"], loc="left")

    for ax in (left, right):
        ax.set_xticks(periods, [str(p) for p in periods])  # years, not numbers: no thousands separator
        if periods:
            ax.set_xlim(min(periods) - width, max(periods) + width)
        ax.grid(axis="x", visible=False)
    fig.suptitle(textwrap.fill(title, 80), x=0.01, ha="left", fontsize=8.5)
    fig.tight_layout()
    return fig
