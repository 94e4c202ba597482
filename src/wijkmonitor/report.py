"""The report: choose what to show from the analysis tables, draw the figures, and typeset the PDF with typst.

Every number reaches the template as a formatted string inside JSON data (never as markup), so
names from input files cannot inject typst code.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import catalogue, figures
from .analysis import HEADLINE_CATEGORIES, SPREAD_UNITS, polarity_sign
from .catalogue import Catalogue
from .errors import ConfigError
from .i18n import Language
from .warehouse import CURRENT_IN_ORDER, connect_read_only

RATE_UNITS = {"percent", "rating", "per_100_inhabitants", "per_1000_inhabitants", "per_household",
              "average", "euro_1000"}
PACKAGES = ("wijkmonitor", "snakemake", "pandas", "numpy", "scipy", "duckdb", "pyarrow",
            "python-calamine", "great-expectations", "matplotlib", "typst")
FONT_DIR = Path(figures.matplotlib.get_data_path()) / "fonts" / "ttf"
# typst's PDF timestamp: fixed, so the same inputs give the same bytes.
PDF_TIMESTAMP = 0
DUTCH = Language("nl")
# Tagged and accessible (PDF/UA-1: structure tree, language, alt text on every figure, table headers)
# and archivable (PDF/A-2a); typst refuses to write a PDF that breaks either.
PDF_STANDARDS = ("a-2a", "ua-1")


@dataclass
class RunData:
    """Everything the report reads, loaded once."""

    areas: pd.DataFrame
    indicators: pd.DataFrame
    units: pd.DataFrame
    observations: pd.DataFrame
    source_files: pd.DataFrame
    gaps: pd.DataFrame
    trends: pd.DataFrame
    validation: dict
    quarantine: pd.DataFrame
    inequality: pd.DataFrame
    convergence: pd.DataFrame
    projections: pd.DataFrame
    composite: pd.DataFrame
    lang: Language = DUTCH

    def __post_init__(self) -> None:
        # Lookups the report makes for every sentence, cell and panel: build them once.
        units = {u["id"]: u for u in self.units.to_dict("records")}
        self._unit = {i: units.get(u) for i, u in zip(self.indicators["id"], self.indicators["unit"], strict=True)}
        labels = self.indicators[f"label_{self.lang.code}"].fillna(self.indicators["label_nl"])
        self._label = dict(zip(self.indicators["id"], labels, strict=True))
        self._area_name = dict(zip(self.areas["code"], self.areas["name"], strict=True))
        self.wijk_gaps = level_gaps(self, "wijk")

    @cached_property
    def headline_gaps(self) -> pd.DataFrame:
        """The gaps of the series the report shows (see `_no_category`)."""
        return _no_category(self.gaps)

    @cached_property
    def gap_spread(self) -> pd.DataFrame:
        """Lowest, quartiles and highest value over the areas of a level, per indicator and year."""
        values = self.headline_gaps.astype({"value": float}).groupby(["indicator_id", "period", "level"])["value"]
        return pd.DataFrame({"low": values.min(), "q1": values.quantile(0.25), "q3": values.quantile(0.75),
                             "high": values.max()})

    def unit_of(self, indicator_id: str) -> dict | None:
        return self._unit.get(indicator_id)

    def label(self, indicator_id: str) -> str:
        return str(self._label[indicator_id])

    def area_name(self, code: str) -> str:
        return str(self._area_name[code])


def load_run(db_path: str, analysis: dict[str, str], validation_path: str, lang: str = "nl") -> RunData:
    """The warehouse tables, the analysis tables (`analysis`: table name -> parquet path) and the
    validation results the report reads; labels in the report's language."""
    con = connect_read_only(db_path)
    try:
        frames = {t: con.execute(f"SELECT * FROM {t}").df()  # noqa: S608 (fixed table names)
                  for t in ("area", "indicator", "unit", "source_file", "quarantine")}
        observations = con.execute(CURRENT_IN_ORDER).df()
    finally:
        con.close()
    return RunData(
        areas=frames["area"], indicators=frames["indicator"], units=frames["unit"],
        observations=observations, source_files=frames["source_file"].sort_values("path"),
        validation=json.loads(Path(validation_path).read_text(encoding="utf-8")),
        quarantine=frames["quarantine"].sort_values(["source_file", "source_row"]),
        **{table: pd.read_parquet(path) for table, path in analysis.items()}, lang=Language(lang),
    )


def _judgement(unfavourable_gap: float | None) -> str:
    if unfavourable_gap is None or pd.isna(unfavourable_gap):
        return "neutral"
    return "worse" if unfavourable_gap > 0 else "better"


def _no_category(frame: pd.DataFrame) -> pd.DataFrame:
    """Series without a second dimension, or the headline category (analysis.HEADLINE_CATEGORIES)."""
    return frame[frame["category"].isna() | frame["category"].isin(HEADLINE_CATEGORIES)]


def level_gaps(run: RunData, level: str) -> pd.DataFrame:
    """Gaps of the areas of one level in each indicator's latest year, with theme and polarity
    (catalogued rates only)."""
    g = _no_category(run.gaps[run.gaps["level"] == level])
    ind = run.indicators.set_index("id")
    g = g[g["indicator_id"].map(ind["catalogued"]).fillna(False).astype(bool)]
    g = g[g["indicator_id"].map(ind["unit"]).isin(RATE_UNITS)]
    latest = g.groupby("indicator_id")["period"].transform("max")
    g = g[g["period"] == latest].copy()
    g["polarity"] = g["indicator_id"].map(ind["polarity"])
    g["rel_unfavourable"] = g["unfavourable_gap"] / g["city_value"].abs()
    return g


def ordered_indicators(ids: list[str], key_indicators: list[str], run: RunData) -> list[str]:
    """Key indicators first, then those with a polarity, then the rest, alphabetically."""
    polarity = run.indicators.set_index("id")["polarity"]
    return sorted(ids, key=lambda i: (i not in key_indicators,
                                      key_indicators.index(i) if i in key_indicators else 0,
                                      polarity.get(i) == "neutral", i))


def theme_panels(run: RunData, members: list[str], key_indicators: list[str], limit: int = 9) -> list[figures.Panel]:
    g = run.wijk_gaps
    g = g[g["indicator_id"].isin(members)]
    panels = []
    for indicator in ordered_indicators(list(g["indicator_id"].unique()), key_indicators, run)[:limit]:
        rows = g[g["indicator_id"] == indicator]
        period = int(rows["period"].iloc[0])
        earlier = run.gaps[(run.gaps["indicator_id"] == indicator) & (run.gaps["period"] == period - 4)
                           & (run.gaps["level"] == "wijk")]
        earlier = _no_category(earlier)
        unit = run.unit_of(indicator)
        panels.append(figures.Panel(
            title=run.label(indicator), period=period, city_value=float(rows["city_value"].iloc[0]),
            areas=[(run.area_name(r.area_code), float(r.value), _judgement(r.unfavourable_gap))
                   for r in rows.itertuples()],
            earlier={run.area_name(r.area_code): float(r.value) for r in earlier.itertuples()},
            decimals=int(unit["decimals"]) if unit else 1, indicator_id=indicator,
        ))
    return panels


def largest_gaps(run: RunData, n: int) -> pd.DataFrame:
    g = run.wijk_gaps
    g = g[(g["polarity"] != "neutral") & (g["unfavourable_gap"] > 0)]
    return g.sort_values(["rel_unfavourable", "indicator_id", "area_code"], ascending=[False, True, True]).head(n)


def widening_gaps(run: RunData) -> pd.DataFrame:
    """Unfavourable gaps of wijken that widen significantly, fastest first: by the gap's yearly change
    relative to the city's value in the last year (so rates in different units compare)."""
    t = _no_category(run.trends[(run.trends["level"] == "wijk")])
    ind = run.indicators.set_index("id")
    t = t[t["indicator_id"].map(ind["catalogued"]).fillna(False).astype(bool)]
    t = t[(t["gap_trend"] == "widening") & (t["unfavourable"] == True)]  # noqa: E712
    city = run.headline_gaps[["indicator_id", "area_code", "period", "city_value"]]
    t = t.merge(city, left_on=["indicator_id", "area_code", "last_period"],
                right_on=["indicator_id", "area_code", "period"], how="left")
    t["pace"] = (t["gap_slope"].astype(float) / t["city_value"].astype(float)).abs()
    return t.sort_values(["pace", "indicator_id", "area_code"], ascending=[False, True, True], na_position="last")


def series(run: RunData, indicator: str, area: str) -> list[tuple[int, float]]:
    o = run.observations
    rows = _no_category(o[(o["indicator_id"] == indicator) & (o["area_code"] == area) & (o["status"] == "ok")])
    return [(int(p), float(v)) for p, v in sorted(zip(rows["period"], rows["value"], strict=True))]


def profile_rows(run: RunData, code: str, themes: list[list[str]], key_indicators: list[str],
                 per_theme: int = 6) -> list[figures.SpineRow]:
    """The spine chart of one area: per theme its most relevant indicators in the latest year (rates,
    shares, marks: not counts or areas), the area against the spread over its level and the city."""
    mine = run.headline_gaps[run.headline_gaps["area_code"] == code]
    if mine.empty:
        return []
    latest = mine.sort_values("period").groupby("indicator_id", sort=False).tail(1)
    polarity = run.indicators.set_index("id")["polarity"]
    recent = _no_category(run.trends[run.trends["area_code"] == code]).set_index("indicator_id")["recent_trend"]
    rows = []
    for members in themes:
        ids = [i for i in latest["indicator_id"] if i in members and (run.unit_of(i) or {}).get("id") in SPREAD_UNITS]
        for indicator in ordered_indicators(ids, key_indicators, run)[:per_theme]:
            r = latest[latest["indicator_id"] == indicator].iloc[0]
            peers = run.gap_spread.loc[(indicator, r["period"], r["level"])]
            unit = run.unit_of(indicator)
            rows.append(figures.SpineRow(
                label=f"{run.label(indicator)} ({r['period']})", value=float(r["value"]),
                city=float(r["city_value"]), low=peers["low"], q1=peers["q1"], q3=peers["q3"],
                high=peers["high"], comparison=None if pd.isna(r["comparison_95"]) else r["comparison_95"],
                trend=recent.get(indicator) if pd.notna(recent.get(indicator, pd.NA)) else None,
                higher_is_better={"higher_is_better": True, "lower_is_better": False}.get(polarity.get(indicator)),
                value_text=run.lang.value(r["value"], unit), city_text=run.lang.value(r["city_value"], unit),
                indicator_id=indicator,
            ))
    return rows


def profile_areas(run: RunData, levels: list[str]) -> pd.DataFrame:
    """The areas that get a profile page: those of the configured levels, by level then code."""
    order = {level: i for i, level in enumerate(levels)}
    areas = run.areas[run.areas["level"].isin(levels)].copy()
    areas["_order"] = areas["level"].map(order)
    return areas.sort_values(["_order", "code"]).drop(columns="_order")


def draw_maps(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """A map per key indicator and configured level in its latest year: from the configured
    boundaries; without them a schematic tile map, for wijken only (a tile per buurt is unreadable)."""
    from .config import boundary_files
    from .geometry import load_boundaries

    report, tr = config["report"], run.lang
    shapes: dict = {}
    for path, layer in boundary_files(config):
        shapes.update(load_boundaries(path, layer=layer))
    manifest = []
    for level in report["map_levels"]:
        areas = run.areas[run.areas["level"] == level].sort_values("code")
        outlined = [c for c in areas["code"] if c in shapes]
        if not outlined and level != "wijk":
            continue
        gaps = run.wijk_gaps if level == "wijk" else level_gaps(run, level)
        for indicator in report["key_indicators"]:
            rows = gaps[gaps["indicator_id"] == indicator]
            if rows.empty:
                continue
            period = int(rows["period"].max())
            latest = rows[rows["period"] == period]
            values = dict(zip(latest["area_code"], latest["value"].astype(float), strict=True))
            unit = run.unit_of(indicator)
            decimals = int(unit["decimals"]) if unit else 1
            title = tr("figure.map_title", indicator=run.label(indicator), period=period)
            if outlined:
                fig = figures.choropleth({c: shapes[c] for c in outlined}, values, title, decimals=decimals,
                                         credit=report["boundaries_credit"], lang=tr.code)
            else:
                fig = figures.tile_map(list(zip(areas["code"], areas["name"], strict=True)), values, title,
                                       decimals=decimals, lang=tr.code)
            name = f"map_{level}_{indicator}.svg"
            figures.save_svg(fig, out_dir / name)
            breaks = figures.class_breaks(list(values.values()))
            stated = "; ".join(f"{tr.value(a, unit)}–{tr.value(b, unit)}" for a, b in zip(breaks, breaks[1:], strict=False))
            level_word = tr(f"level.{level}")
            manifest.append({
                "file": name, "kind": "map", "level": level, "indicator_id": indicator, "title": title,
                "caption": tr("figure.map_caption", title=title, level=level_word, breaks=stated,
                              kind=tr("figure.map_kind_boundaries" if outlined else "figure.map_kind_tiles")),
                "alt": tr("figure.map_alt", indicator=run.label(indicator).lower(), level=level_word, period=period,
                          items="; ".join(f"{run.area_name(c)} {tr.value(v, unit)}" for c, v in sorted(values.items()))),
            })
    return manifest


def prediction_band(points: list[tuple[int, float]], target: int, unit: dict | None,
                    min_points: int = 3) -> list[tuple[int, float, float, float]]:
    """The fitted linear trend of a series from its last year to `target`, with the 95% prediction
    interval for each year: the model of the projections table (`stats.projection.project_linear`),
    kept within the unit's bounds like the table. Empty with fewer than `min_points` points."""
    from .stats.projection import project_linear_path

    if len(points) < min_points:
        return []
    frame = pd.DataFrame(points, columns=["period", "value"]).assign(series="")
    low, high = (float(unit[b]) if unit and pd.notna(unit.get(b)) else default
                 for b, default in (("min", -np.inf), ("max", np.inf)))
    years = list(range(points[-1][0], target + 1))
    path = project_linear_path(frame, ["series"], years, min_points=min_points)
    values = np.clip(path[["projected", "pi_low", "pi_high"]].astype(float).to_numpy(), low, high)
    return [(year, *map(float, row)) for year, row in zip(years, values, strict=True)]


def draw_projections(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """"Wat als we niets doen?": per focus area and key indicator with a projection, a chart of the
    area's and the city's series and their trends extended to the target year with the prediction band."""
    report, city, city_code, tr = config["report"], config["city"]["name"], config["city"]["code"], run.lang
    min_points = config["analysis"]["min_periods_for_trend"]
    projections = _no_category(run.projections)
    manifest = []
    for code in report["focus_areas"]:
        for indicator in report["key_indicators"]:
            p = projections[(projections["indicator_id"] == indicator) & (projections["area_code"] == code)]
            if p.empty:
                continue
            p = p.iloc[0]
            unit = run.unit_of(indicator)
            target = int(p["target_period"])
            area, city_series = series(run, indicator, code), series(run, indicator, city_code)
            fig = figures.projection_chart(
                run.label(indicator), run.area_name(code), area, prediction_band(area, target, unit, min_points),
                city, city_series, prediction_band(city_series, target, unit, min_points),
                decimals=int(unit["decimals"]) if unit else 1, lang=tr.code)
            name = f"projection_{indicator}_{code}.svg"
            figures.save_svg(fig, out_dir / name)
            names = {"indicator": run.label(indicator), "area": run.area_name(code), "city": city}
            manifest.append({
                "file": name, "kind": "projection", "indicator_id": indicator, "area_code": code,
                "title": tr("figure.projection_title", **names),
                "caption": tr("figure.projection_caption", **names, target=target),
                "alt": tr("figure.projection_alt", **names, target=target,
                          projected=tr.value(p["projected"], unit), low=tr.value(p["pi_low"], unit),
                          high=tr.value(p["pi_high"], unit), city_projected=tr.value(p["city_projected"], unit)),
            })
    return manifest


def draw_profiles(run: RunData, config: dict, out_dir: Path, themes: list[list[str]]) -> list[dict]:
    """A spine chart per area of the configured profile levels (`report.profile_levels`); `themes`:
    the indicator ids of each theme of the report's theme set."""
    report, city, tr = config["report"], config["city"]["name"], run.lang
    manifest = []
    for area in profile_areas(run, report["profile_levels"]).itertuples():
        rows = profile_rows(run, area.code, themes, report["key_indicators"])
        if not rows:
            continue
        name = f"profile_{area.code}.svg"
        figures.save_svg(figures.spine_chart(rows, lang=tr.code), out_dir / name)
        worse = [r.label for r in rows if r.comparison == "worse"]
        manifest.append({
            "file": name, "kind": "profile", "area_code": area.code, "level": area.level,
            "indicators": [r.indicator_id for r in rows],
            "title": tr("figure.profile_title", area=area.name),
            "caption": tr("figure.profile_caption", area=area.name, city=city,
                          level=tr(f"level.{area.level}_plural")),
            "alt": tr("figure.profile_alt", area=area.name, n=len(rows),
                      worse="; ".join(worse) if worse else tr("word.none")),
        })
    return manifest


def draw_trends(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """The series of the largest unfavourable gaps (at least three years) against the city's."""
    report, city, tr = config["report"], config["city"]["name"], run.lang
    manifest, chosen = [], []
    for r in largest_gaps(run, 50).itertuples():
        if len(chosen) >= report["trend_charts"]:
            break
        area, cityline = series(run, r.indicator_id, r.area_code), series(run, r.indicator_id, config["city"]["code"])
        if len(area) < 3 or (r.indicator_id, r.area_code) in chosen:
            continue
        chosen.append((r.indicator_id, r.area_code))
        unit = run.unit_of(r.indicator_id)
        fig = figures.trend_chart(run.label(r.indicator_id), run.area_name(r.area_code), area, city,
                                  cityline, decimals=int(unit["decimals"]) if unit else 1, lang=tr.code)
        name = f"trend_{r.indicator_id}_{r.area_code}.svg"
        figures.save_svg(fig, out_dir / name)
        names = {"indicator": run.label(r.indicator_id), "area": run.area_name(r.area_code), "city": city}
        manifest.append({
            "file": name, "kind": "trend", "indicator_id": r.indicator_id, "area_code": r.area_code,
            "title": tr("figure.trend_title", **names),
            "caption": tr("figure.trend_caption", **names, first=area[0][0], last=area[-1][0]),
            "alt": tr("figure.trend_alt", **names, first=area[0][0], last=area[-1][0],
                      first_value=tr.value(area[0][1], unit), last_value=tr.value(area[-1][1], unit),
                      city_first=tr.value(cityline[0][1], unit), city_last=tr.value(cityline[-1][1], unit)),
        })
    return manifest


def build_figures(run: RunData, config: dict, out_dir: str | Path) -> list[dict]:
    """Draw every figure as SVG into out_dir; return the manifest (file, kind, group: the kind in the
    report's language, title, caption, alt)."""
    figures.configure()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report, city, tr = config["report"], config["city"]["name"], run.lang
    manifest = []
    order = list(run.areas.loc[run.areas["level"] == "wijk"].sort_values("code")["name"])
    themes = report_themes(run, config)
    for theme, members in themes:
        panels = theme_panels(run, members, report["key_indicators"])
        if not panels:
            continue
        label = theme[f"label_{tr.code}"]
        fig = figures.theme_chart(panels, order, city_label=tr("word.city_label", city=city), lang=tr.code)
        name = f"theme_{theme['id']}.svg"
        figures.save_svg(fig, out_dir / name)
        manifest.append({
            "file": name, "kind": "theme", "theme": theme["id"], "title": label,
            "panels": [p.title for p in panels], "indicators": [p.indicator_id for p in panels],
            "caption": tr("figure.theme_caption", theme=label, city=city),
            "alt": tr("figure.theme_alt", theme=label, items="; ".join(
                tr("figure.theme_alt_item", indicator=p.title, value=tr.number(p.city_value, p.decimals))
                for p in panels)),
        })
    manifest += draw_profiles(run, config, out_dir, [members for _, members in themes])
    manifest += draw_maps(run, config, out_dir)
    manifest += draw_projections(run, config, out_dir)
    manifest += draw_trends(run, config, out_dir)
    return [entry | {"group": tr(f"kind.{entry['kind']}")} for entry in manifest]


def report_themes(run: RunData, config: dict) -> list[tuple[dict, list[str]]]:
    """The themes of the report's theme set (`report.theme_set`), each with its indicator ids."""
    sets = Catalogue.load(config["catalogue"]).theme_sets
    name = config["report"]["theme_set"]
    if name not in sets:
        raise ConfigError(f"report.theme_set {name!r} is not a theme set of the catalogue; it has "
                          f"{', '.join(sets)}.", file=str(Path(config["catalogue"]) / "themes.yaml"))
    indicators = run.indicators[run.indicators["catalogued"]]
    members = catalogue.theme_members(sets[name], dict(zip(indicators["id"], indicators["theme"], strict=True)))
    return [(theme, members[theme["id"]]) for theme in sets[name]["themes"]]


def _gap_phrase(row, unit: dict | None, tr: Language) -> str:
    text = tr.gap(row.abs_gap, unit)
    if unit and unit["id"] in ("percent", "per_1000_inhabitants") and row.city_value:
        text += "; " + tr("word.times_city", ratio=tr.ratio(row.value / row.city_value))
    return text


def _uncertainty_source(row, tr: Language) -> str:
    """Where a figure's interval comes from, in words."""
    if row.ci_method == "wilson":
        counted = tr(f"counted.{row.n_source}" if row.n_source in ("households", "inhabitants") else "counted.respondents")
        return tr("interval.wilson", n=tr.number(row.n, 0), counted=counted)
    if row.ci_method == "byar":
        return tr("interval.byar", count=tr.number(row.count, 0))
    if row.ci_method == "t":
        return tr("interval.t", n=tr.number(row.n, 0))
    return ""


def _area_series(frame: pd.DataFrame, indicator: str, code: str) -> pd.DataFrame:
    """The rows of one indicator and area (headline category), in period order where the table has periods."""
    rows = _no_category(frame[(frame["indicator_id"] == indicator) & (frame["area_code"] == code)])
    return rows.sort_values("period") if "period" in rows.columns else rows


def significance_sentence(run: RunData, indicator: str, code: str) -> str | None:
    """Is the area's gap to the city in the latest year real or noise, and did it widen?"""
    rows = _area_series(run.gaps, indicator, code)
    if rows.empty:
        return None
    tr = run.lang
    row = next(rows.tail(1).itertuples())
    unit = run.unit_of(indicator)
    head = tr("significance.head", indicator=run.label(indicator), value=tr.value(row.value, unit),
              city_value=tr.value(row.city_value, unit), period=row.period)
    if pd.isna(row.comparison_95):
        text = tr("significance.no_test", head=head)
    else:
        verdict = tr(f"verdict.{row.comparison_95}")
        if row.comparison_95 != "similar":
            verdict += tr("verdict.also_998" if row.comparison_998 == row.comparison_95 else "verdict.only_95")
        text = tr("significance.tested", head=head, low=tr.value(row.ci_low, unit), high=tr.value(row.ci_high, unit),
                  source=_uncertainty_source(row, tr), verdict=verdict)
    trend = _area_series(run.trends, indicator, code)
    if trend.empty or pd.isna(trend["gap_trend"].iloc[0]):
        return tr("significance.too_few_years", text=text)
    t = trend.iloc[0]
    return tr("significance.change", text=text, first=t["first_period"], last=t["last_period"],
              change=tr(f"gap_change.{t['gap_trend']}"), first_gap=tr.gap(t["first_gap"], unit),
              last_gap=tr.gap(t["last_gap"], unit), p=tr.p(t["gap_slope_p"]))


def significant_changes(run: RunData, indicators: list[str], code: str, alpha: float, years: int = 4) -> list[dict]:
    """Key indicators whose value in an area changed significantly (p < `alpha`) between `years` before
    its latest year and that year: a z test on the two figures' standard errors (from their 95% intervals)."""
    from .stats.compare import change_between

    polarity = run.indicators.set_index("id")["polarity"]
    changes = []
    for indicator in indicators:
        rows = _area_series(run.gaps, indicator, code).set_index("period")
        if rows.empty:
            continue
        last = int(rows.index.max())
        if last - years not in rows.index:
            continue
        now, then = rows.loc[last], rows.loc[last - years]
        test = change_between(now["value"], now["ci_low"], now["ci_high"], then["value"], then["ci_low"], then["ci_high"])
        if test is None or test.p >= alpha:
            continue
        sign = polarity.get(indicator)
        higher = now["value"] > then["value"]
        direction = ({"higher_is_better": "better", "lower_is_better": "worse"} if higher else
                     {"higher_is_better": "worse", "lower_is_better": "better"}).get(sign, "higher" if higher else "lower")
        changes.append({"indicator_id": indicator, "earlier": last - years, "period": last,
                        "earlier_value": then["value"], "value": now["value"], "direction": direction, "p": test.p})
    return changes


def change_summary(run: RunData, report: dict, alpha: float) -> list[str]:
    """Per focus area, one sentence naming the key indicators that changed significantly in four years."""
    tr, sentences = run.lang, []
    for code in report["focus_areas"]:
        changes = significant_changes(run, report["key_indicators"], code, alpha)
        if not changes:
            continue
        items = [tr("summary.change_item", indicator=run.label(c["indicator_id"]).lower(),
                    earlier_value=tr.value(c["earlier_value"], run.unit_of(c["indicator_id"])),
                    value=tr.value(c["value"], run.unit_of(c["indicator_id"])),
                    direction=tr(f"direction.{c['direction']}")) for c in changes]
        sentences.append(tr("summary.changes", area=run.area_name(code), earlier=changes[0]["earlier"],
                            changes=tr.join(items)))
    return sentences


def outlook_sentences(run: RunData, indicators: list[str], code: str) -> list[str]:
    """"If nothing changes" for one area, in words, per key indicator with a projection."""
    sentences = []
    for row in projection_rows(run, indicators, [code]):
        _, label, target, projected, interval, city_value, gap, closes = row
        sentences.append(run.lang("outlook.sentence", indicator=label, target=target, projected=projected,
                                  interval=interval, city_value=city_value, gap=gap, closes=closes))
    return sentences


def outlook_summary(run: RunData, report: dict) -> list[str]:
    """One sentence per focus area: the key indicators whose unfavourable gap would still be there,
    or larger, in the target year if nothing changes."""
    sentences, tr = [], run.lang
    p = _no_category(run.projections)
    polarity = run.indicators.set_index("id")["polarity"]
    for code in report["focus_areas"]:
        mine = p[(p["area_code"] == code) & p["indicator_id"].isin(report["key_indicators"])]
        if mine.empty:
            continue
        sign = polarity_sign(mine["indicator_id"].map(polarity))
        worse = mine[(mine["projected_gap"] * sign > 0).fillna(False).astype(bool)]
        target = int(mine["target_period"].iloc[0])
        if worse.empty:
            sentences.append(tr("summary.outlook_none", area=run.area_name(code), target=target))
            continue
        named = [tr("summary.outlook_item", indicator=run.label(r.indicator_id).lower(),
                    gap=tr.gap(r.projected_gap, run.unit_of(r.indicator_id))) for r in worse.itertuples()]
        sentences.append(tr("summary.outlook", area=run.area_name(code), target=target, indicators=tr.join(named)))
    return sentences


def projection_rows(run: RunData, indicators: list[str], codes: list[str]) -> list[list[str]]:
    """If nothing changes: the projected value, interval and gap, and the years until the gap closes."""
    rows, tr = [], run.lang
    for code in codes:
        for indicator in indicators:
            p = _area_series(run.projections, indicator, code)
            if p.empty:
                continue
            p = p.iloc[0]
            unit = run.unit_of(indicator)
            trend = _area_series(run.trends, indicator, code)
            significant = len(trend) and trend["gap_trend"].iloc[0] == "narrowing"
            years = p["years_to_close"]
            closes = (tr("word.not_at_this_pace") if pd.isna(years)
                      else (tr("word.over_100_years") if years > 100 else tr("word.years", years=tr.number(years, 0)))
                      + ("" if significant else tr("word.trend_not_significant")))
            rows.append([run.area_name(code), run.label(indicator), str(p["target_period"]),
                         tr.value(p["projected"], unit),
                         f"{tr.value(p['pi_low'], unit)}–{tr.value(p['pi_high'], unit)}",
                         tr.value(p["city_projected"], unit), tr.gap(p["projected_gap"], unit), closes])
    return rows


def inequality_rows(run: RunData, indicators: list[str]) -> list[list[str]]:
    """Spread between the wijken (and Theil's split at buurt level) in the latest year per indicator."""
    rows, tr = [], run.lang
    for indicator in indicators:
        table = _no_category(run.inequality[run.inequality["indicator_id"] == indicator])
        wijk = table[table["level"] == "wijk"].sort_values("period").tail(1)
        if wijk.empty:
            continue
        w = wijk.iloc[0]
        buurt = table[(table["level"] == "buurt") & (table["period"] == w["period"])]
        split = "–"
        if len(buurt) and pd.notna(buurt["theil"].iloc[0]) and buurt["theil"].iloc[0] > 0:
            b = buurt.iloc[0]
            split = tr("word.share_between_wijken", share=tr.number(100 * b["theil_between"] / b["theil"], 0))
        conv = run.convergence[(run.convergence["indicator_id"] == indicator) & (run.convergence["level"] == "wijk")]
        conv = _no_category(conv)
        sigma_trend = conv["sigma_trend"].iloc[0] if len(conv) else None
        sigma = tr(f"sigma.{sigma_trend}") if isinstance(sigma_trend, str) else "–"
        sii = "–" if pd.isna(w["sii"]) else (f"{tr.number(w['sii'], 1)} ("
                                            + tr("word.interval", low=tr.number(w["sii_ci_low"], 1),
                                                 high=tr.number(w["sii_ci_high"], 1)) + ")")
        rows.append([run.label(indicator), str(w["period"]), tr.number(w["n_areas"], 0), tr.ratio(w["ratio_max_min"]),
                     tr.number(w["cv"], 2), tr.number(w["gini"], 3), tr.number(w["theil"], 3), split,
                     sii, tr.number(w["rii"], 2), sigma])
    return rows


def composite_rows(run: RunData) -> tuple[list[list[str]], str]:
    """The wijken by their overall composite score in the latest year, with the rank range."""
    total = run.composite[run.composite["theme"] == "total"]
    if total.empty:
        return [], ""
    tr = run.lang
    period = int(total["period"].max())
    latest = total[total["period"] == period].sort_values("rank")
    rows = [[tr.number(r.rank, 0), run.area_name(r.area_code), tr.number(r.score, 0),
             f"{tr.number(r.rank_min, 0)}–{tr.number(r.rank_max, 0)}"]
            for r in latest.itertuples() if pd.notna(r.score)]
    return rows, str(period)


def then_and_now(run: RunData, members: list[str], key_indicators: list[str], city_name: str,
                 limit: int = 4) -> dict | None:
    """A theme's table: per wijk the value of its first indicators in their latest year and four years
    earlier, with an arrow for the direction of the change (↑ better, ↓ worse, ↗/↘ higher/lower for
    indicators without a polarity, = within one rounding unit)."""
    tr = run.lang
    g = run.wijk_gaps[run.wijk_gaps["indicator_id"].isin(members)]
    ids = ordered_indicators(list(g["indicator_id"].unique()), key_indicators, run)
    polarity = run.indicators.set_index("id")["polarity"]
    columns = []
    for indicator in ids:
        period = int(g.loc[g["indicator_id"] == indicator, "period"].iloc[0])
        earlier = _no_category(run.gaps[(run.gaps["indicator_id"] == indicator) & (run.gaps["period"] == period - 4)])
        if earlier.empty:
            continue
        columns.append((indicator, period))
        if len(columns) == limit:
            break
    if not columns:
        return None

    def cell(values: pd.Series, indicator: str, period: int) -> str:
        now, then, unit = values.get(period), values.get(period - 4), run.unit_of(indicator)
        if now is None or pd.isna(now):
            return "–"
        if then is None or pd.isna(then):
            return tr.value(now, unit)
        sign = {"higher_is_better": 1, "lower_is_better": -1}.get(polarity.get(indicator))
        if abs(now - then) < 10 ** -int(unit["decimals"] if unit else 1):
            arrow = "="
        elif sign is None:
            arrow = "↗" if now > then else "↘"
        else:
            arrow = "↑" if (now - then) * sign > 0 else "↓"
        return f"{tr.value(now, unit)} ({tr.value(then, unit)}) {arrow}"

    gaps = run.headline_gaps[run.headline_gaps["level"] == "wijk"]
    wijken = run.areas[run.areas["level"] == "wijk"].sort_values("code")
    rows = [[w.name] + [cell(_area_series(gaps, i, w.code).set_index("period")["value"], i, p) for i, p in columns]
            for w in wijken.itertuples()]
    city = gaps.groupby(["indicator_id", "period"])["city_value"].first()
    rows.append([tr("word.city_label", city=city_name)] + [cell(city.loc[i], i, p) for i, p in columns])
    periods = sorted({p for _, p in columns})
    return {"header": [tr("table.area")] + [tr("theme.column", indicator=run.label(i), period=p) for i, p in columns],
            "rows": rows,
            "note": tr("theme.then_now_note", period="/".join(map(str, periods)),
                       earlier="/".join(str(p - 4) for p in periods))}


def references() -> list[str]:
    """Every method's full reference, from the statistics modules, sorted and without repeats."""
    from .stats import compare, composite, inequality, intervals, projection, trends

    cited = {text for module in (intervals, compare, inequality, trends, projection, composite)
             for text in module.REFERENCES.values()}
    return sorted(cited)


def code_revision(root: str | Path, tr: Language) -> str:
    """The git commit of the code, with a note when the work tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return tr("word.unknown_revision")
    return head + (tr("word.local_changes") if dirty else "")


def _summary(run: RunData, config: dict) -> dict:
    """The one-page summary: scope, largest and widening gaps, trend counts, significant changes in
    four years and the outlook."""
    report, analysis, city, tr = config["report"], config["analysis"], config["city"]["name"], run.lang
    periods = run.observations["period"]
    summary = [tr("summary.scope", wijken=int((run.areas["level"] == "wijk").sum()), city=city,
                  indicators=run.observations["indicator_id"].nunique(),
                  catalogued=int(run.indicators["catalogued"].sum()), first=int(periods.min()),
                  last=int(periods.max()), files=len(run.source_files))]
    top_items = []
    for r in largest_gaps(run, report["top_gaps"]).itertuples():
        unit = run.unit_of(r.indicator_id)
        top_items.append(tr("summary.largest_gap", area=run.area_name(r.area_code),
                            indicator=run.label(r.indicator_id).lower(), value=tr.value(r.value, unit),
                            city_value=tr.value(r.city_value, unit), city=city, period=r.period,
                            gap=_gap_phrase(r, unit, tr)))
    widening_items = []
    for r in widening_gaps(run).head(report["top_gaps"]).itertuples():
        unit = run.unit_of(r.indicator_id)
        widening_items.append(tr("summary.widening", area=run.area_name(r.area_code),
                                 indicator=run.label(r.indicator_id).lower(), first_gap=tr.gap(r.first_gap, unit),
                                 first=r.first_period, last_gap=tr.gap(r.last_gap, unit), last=r.last_period,
                                 pace=tr.gap(r.gap_slope, unit), p=tr.p(r.gap_slope_p)))
    t_wijk = _no_category(run.trends[run.trends["level"] == "wijk"])
    t_wijk = t_wijk[t_wijk["indicator_id"].isin(run.indicators.loc[run.indicators["catalogued"], "id"])]
    counts = t_wijk["gap_trend"].value_counts()
    summary.append(tr("summary.trend_counts", series=int(counts.sum()), min_periods=analysis["min_periods_for_trend"],
                      widening=int(counts.get("widening", 0)), narrowing=int(counts.get("narrowing", 0)),
                      alpha=tr.number(analysis["significance"], 2),
                      unchanged=int(counts.get("no_significant_change", 0))))
    return {"summary": summary, "largest_gaps": top_items, "widening": widening_items,
            "changes": change_summary(run, report, analysis["significance"]), "outlook": outlook_summary(run, report)}


def _focus_sections(run: RunData, config: dict, key: list[str]) -> list[dict]:
    report, city, city_code, tr = config["report"], config["city"]["name"], config["city"]["code"], run.lang
    ref = report.get("reference_period")
    focus = []
    for code in report["focus_areas"]:
        if code not in set(run.areas["code"]):
            continue
        rows, items = [], []
        for indicator in key:
            unit = run.unit_of(indicator)
            s, c = dict(series(run, indicator, code)), dict(series(run, indicator, city_code))
            if not s:
                continue
            latest = max(p for p in s if p in c) if any(p in c for p in s) else max(s)
            trend = _area_series(run.trends, indicator, code)
            trend_text = "–"
            if len(trend) and pd.notna(trend["gap_trend"].iloc[0]):
                trend_text = tr(f"gap_trend.{trend['gap_trend'].iloc[0]}")
            rows.append([
                run.label(indicator),
                tr.value(s.get(ref), unit) if ref else "–", tr.value(c.get(ref), unit) if ref else "–",
                tr.value(s.get(latest), unit), tr.value(c.get(latest), unit), str(latest), trend_text,
            ])
            if ref and ref in s and ref in c:
                items.append(tr("focus.reference_item", indicator=run.label(indicator).lower(),
                                value=tr.value(s[ref], unit), city_value=tr.value(c[ref], unit)))
        text = tr("focus.reference", period=ref, area=run.area_name(code), city=city,
                  items="; ".join(items)) if items else ""
        significance = [t for t in (significance_sentence(run, i, code) for i in key) if t]
        focus.append({"code": code, "name": run.area_name(code), "text": text, "rows": rows,
                      "significance": significance, "reference_period": str(ref or "–")})
    return focus


def _gap_table(run: RunData, city: str, key: list[str]) -> dict:
    """All wijken and the city on the key indicators (or the first six), with ranks."""
    tr, g = run.lang, run.wijk_gaps
    ordered = ordered_indicators(list(g["indicator_id"].unique()), key, run)
    ids = [i for i in ordered if i in key] or ordered[:6]
    header = [tr("table.area")] + [tr("theme.column", indicator=run.label(i),
                                      period=int(g.loc[g["indicator_id"] == i, "period"].iloc[0])) for i in ids]
    rows = []
    for w in run.areas[run.areas["level"] == "wijk"].sort_values("code").itertuples():
        cells = [w.name]
        for indicator in ids:
            r = g[(g["indicator_id"] == indicator) & (g["area_code"] == w.code)]
            cells.append("–" if r.empty else
                         f"{tr.value(r['value'].iloc[0], run.unit_of(indicator))} ({int(r['rank'].iloc[0])})")
        rows.append(cells)
    city_cells = [tr("word.city_label", city=city)]
    for indicator in ids:
        r = g[g["indicator_id"] == indicator]
        city_cells.append(tr.value(r["city_value"].iloc[0], run.unit_of(indicator)) if len(r) else "–")
    rows.append(city_cells)
    return {"header": header, "rows": rows, "note": tr("table.gap_note")}


def _themes(run: RunData, config: dict, manifest: list[dict], key: list[str]) -> list[dict]:
    tr, g, themes = run.lang, run.wijk_gaps, []
    for theme, members in report_themes(run, config):
        fig = next((m for m in manifest if m["kind"] == "theme" and m["theme"] == theme["id"]), None)
        tg = g[g["indicator_id"].isin(members)]
        worst = tg[(tg["polarity"] != "neutral") & (tg["unfavourable_gap"] > 0)].sort_values(
            "rel_unfavourable", ascending=False).head(3)
        lines = [tr("theme.worst_item", area=run.area_name(r.area_code), indicator=run.label(r.indicator_id).lower(),
                    value=tr.value(r.value, run.unit_of(r.indicator_id)),
                    city_value=tr.value(r.city_value, run.unit_of(r.indicator_id)), period=r.period)
                 for r in worst.itertuples()]
        shown, count = (len(fig["panels"]) if fig else 0), tg["indicator_id"].nunique()
        intro = (tr("theme.intro_count", indicators=count)
                 + (tr("theme.intro_shown", shown=shown) if shown < count else ".")
                 + (tr("theme.intro_worst", items="; ".join(lines)) if lines else ""))
        themes.append({"id": theme["id"], "label": theme[f"label_{tr.code}"],
                       "intro": intro if len(tg) else tr("theme.empty"), "figure": fig,
                       "then_now": then_and_now(run, members, key, config["city"]["name"])})
    return themes


def _quality(run: RunData) -> dict:
    tr = run.lang
    rows = [[r["description_nl"] if tr.code == "nl" else r["description"], r["table"],
             tr(f"severity.{r['severity']}"), tr("outcome.passed" if r["success"] else "outcome.failed"),
             tr.number(r["unexpected_count"], 0), "; ".join(r["examples"][:2]) or "–"]
            for r in run.validation["results"]]
    status = run.observations["status"].value_counts()
    text = tr("quality.summary", passed=run.validation["passed"], checks=run.validation["checks"],
              warnings=run.validation["failed_warning"], observations=tr.number(len(run.observations), 0),
              ok=tr.number(status.get("ok", 0), 0), suppressed=tr.number(status.get("suppressed", 0), 0),
              missing=tr.number(status.get("missing", 0), 0),
              not_applicable=tr.number(status.get("not_applicable", 0), 0))
    provisional = int(run.observations["provisional"].sum())
    if provisional:
        text += tr("quality.provisional", provisional=tr.number(provisional, 0))
    quarantined = [
        [r.source_file, tr.number(r.source_row, 0), r.area_code if pd.notna(r.area_code) else r.area_name,
         tr.number(r.observations, 0), r.closest or ""]
        for r in run.quarantine.itertuples()
    ]
    uncatalogued = run.indicators[~run.indicators["catalogued"]]
    label = f"label_{tr.code}"
    return {"text": text, "rows": rows,
            "uncatalogued": [f"{r.id} ({getattr(r, label) or r.label_nl})" for r in uncatalogued.itertuples()][:40],
            "n_uncatalogued": len(uncatalogued), "quarantined": quarantined[:40], "n_quarantined": len(quarantined)}


def definitions(run: RunData, manifest: list[dict], key: list[str]) -> list[list[str]]:
    """Every indicator the report shows (key indicators, then those in the figures, in order of first
    appearance): label, unit, polarity, source and definition from the catalogue."""
    tr = run.lang
    shown = list(dict.fromkeys(key + [i for m in manifest for i in m.get("indicators", [])]
                               + [m["indicator_id"] for m in manifest if "indicator_id" in m]))
    indicators = run.indicators.set_index("id")
    rows = []
    for indicator in shown:
        entry = indicators.loc[indicator]
        unit = run.unit_of(indicator)
        definition = entry["definition_nl"] if tr.code == "nl" and pd.notna(entry["definition_nl"]) else entry["definition"]
        rows.append([run.label(indicator), unit[f"label_{tr.code}"] if unit else "–",
                     tr(f"polarity.{entry['polarity']}"), entry["source"] if pd.notna(entry["source"]) else "–",
                     definition if pd.notna(definition) else "–"])
    return rows


def _methods(config: dict, tr: Language) -> list[str]:
    analysis = config["analysis"]
    return [tr("method.gap"), tr("method.rank"),
            tr("method.trend", min_periods=analysis["min_periods_for_trend"], alpha=tr.number(analysis["significance"], 2)),
            tr("method.sources"), tr("method.intervals"), tr("method.comparison"),
            tr("method.change", alpha=tr.number(analysis["significance"], 2)),
            tr("method.spread"), tr("method.convergence"), tr("method.projection"), tr("method.composite"),
            tr("method.disclosure", min_cases=analysis["min_cases"])]


def build_context(run: RunData, config: dict, manifest: list[dict], code_root: str | Path) -> dict:
    """The report's content as JSON-ready data: formatted strings, lists and tables, in the report's
    language (`report.language`), with the template's labels under `t`."""
    report, city, tr = config["report"], config["city"]["name"], run.lang
    periods = run.observations["period"]
    demo_files = run.source_files[run.source_files["is_demo"]]
    key = [i for i in report["key_indicators"] if i in set(run.indicators["id"])]
    files = [[r.path, r.reader, tr.number(r.rows_read, 0), tr.number(r.rows_kept, 0),
              tr.number(r.observations_kept, 0), tr("word.yes" if r.is_demo else "word.no")]
             for r in run.source_files.itertuples()]
    versions = []
    for package in PACKAGES:
        try:
            versions.append([package, importlib.metadata.version(package)])
        except importlib.metadata.PackageNotFoundError:
            versions.append([package, tr("word.not_installed")])
    demo_notice = ""
    if len(demo_files):
        demo_notice = (tr("demo.notice_all") if len(demo_files) == len(run.source_files)
                       else tr("demo.notice_some", demo=len(demo_files), files=len(run.source_files)))
    focus = _focus_sections(run, config, key)
    return {
        "lang": tr.code, "t": tr.section("template"),
        "title": report["title"], "city": city, "edition": report["edition"] or str(int(periods.max())),
        "document_title": " ".join(
            [report["title"]] + ([] if city.lower() in report["title"].lower() else [city])
            + [report["edition"] or str(int(periods.max()))]),
        "period": f"{int(periods.min())}–{int(periods.max())}",
        "demo_notice": demo_notice, "demo_text": tr("demo.text") if demo_notice else "",
        **_summary(run, config),
        "themes": _themes(run, config, manifest, key),
        "trend_figures": [m for m in manifest if m["kind"] == "trend"],
        "maps": [m for m in manifest if m["kind"] == "map"],
        "projection_figures": [m for m in manifest if m["kind"] == "projection"],
        "profiles": [{"name": run.area_name(m["area_code"]), "figure": m,
                      "outlook": outlook_sentences(run, key, m["area_code"])}
                     for m in manifest if m["kind"] == "profile"],
        "gap_table": _gap_table(run, city, key),
        "focus": focus,
        "projections": {"rows": projection_rows(run, key, [f["code"] for f in focus])},
        "inequality": {"rows": inequality_rows(run, key)},
        "composite": dict(zip(("rows", "period"), composite_rows(run), strict=True)),
        "references": references(),
        "quality": _quality(run),
        "sources": files, "hashes": [[r.path, r.sha256] for r in run.source_files.itertuples()],
        "versions": versions,
        "config": yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "revision": code_revision(code_root, tr),
        "methods": _methods(config, tr),
        "definitions": definitions(run, manifest, key),
    }


def render_pdf(context: dict, template: str | Path, figures_dir: str | Path, out_pdf: str | Path) -> None:
    """Typeset the report with typst; fonts are matplotlib's bundled DejaVu (pinned with it), system
    fonts are ignored and the timestamp is fixed, so identical inputs give identical bytes."""
    import typst

    from .steps import atomic_path

    # The template is passed as bytes with the figures folder as typst's root, so the template
    # can live in the repository while outputs live wherever the config puts them.
    data = dict(context, figures_dir="")
    pdf = typst.compile(
        Path(template).read_bytes(), root=str(Path(figures_dir).resolve()), font_paths=[str(FONT_DIR)],
        ignore_system_fonts=True, sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        timestamp=PDF_TIMESTAMP, pdf_standards=list(PDF_STANDARDS),
    )
    with atomic_path(out_pdf) as tmp:
        tmp.write_bytes(pdf)
