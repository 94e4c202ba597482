"""The report's figures: which charts and maps to draw, with their captions and alt text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import figures
from .data import (
    RunData,
    _no_category,
    carried_periods,
    largest_gaps,
    level_gaps,
    ordered_indicators,
    profile_areas,
    profile_rows,
    report_themes,
    series,
)


def _judgement(unfavourable_gap: float | None) -> str:
    if unfavourable_gap is None or pd.isna(unfavourable_gap):
        return "neutral"
    return "worse" if unfavourable_gap > 0 else "better"


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


def draw_maps(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """A map per key indicator and configured level in its latest year: from the configured
    boundaries; without them a schematic tile map, for wijken only (a tile per buurt is unreadable)."""
    from ..config import boundary_files
    from ..geometry import load_boundaries

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


def draw_projections(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """"Wat als we niets doen?": per focus area and key indicator with a projection, a fan chart of the
    area's series, its projected median and 50%/95% prediction bands to the target year (the numbers of
    projections.parquet, city at its last value), and the city's series and scenario."""
    report, city, city_code, tr = config["report"], config["city"]["name"], config["city"]["code"], run.lang
    projections = _no_category(run.projections)
    projections = projections[projections["scenario"] == "status_quo"]
    manifest = []
    for code in report["focus_areas"]:
        for indicator in report["key_indicators"]:
            p = projections[(projections["indicator_id"] == indicator) & (projections["area_code"] == code)]
            if p.empty:
                continue
            p = p.sort_values("target_period")
            last = p.iloc[-1]
            unit = run.unit_of(indicator)
            target = int(last["target_period"])
            area, city_series = series(run, indicator, code), series(run, indicator, city_code)
            published = p[p["projection_status"] == "ok"]
            fan = [(int(r.target_period), float(r.projected), float(r.pi_low), float(r.pi_high),
                    float(r.pi50_low), float(r.pi50_high)) for r in published.itertuples()]
            city_path = [(int(last["last_period"]), float(p["city_projected"].iloc[0]))] + [
                (int(r.target_period), float(r.city_projected)) for r in p.itertuples()]
            fig = figures.fan_chart(
                run.label(indicator), run.area_name(code), area, fan, city, city_series, city_path,
                decimals=int(unit["decimals"]) if unit else 1, lang=tr.code, band_label=tr("chart.fan_95"),
                inner_label=tr("chart.fan_50"), scenario_label=tr("scenario.status_quo_short"),
                note="" if fan else tr("chart.too_few_data"))
            name = f"projection_{indicator}_{code}.svg"
            figures.save_svg(fig, out_dir / name)
            names = {"indicator": run.label(indicator), "area": run.area_name(code), "city": city}
            manifest.append({
                "file": name, "kind": "projection", "indicator_id": indicator, "area_code": code,
                "title": tr("figure.projection_title", **names),
                "caption": tr("figure.projection_caption", **names, target=target,
                              scenario=tr("scenario.status_quo")),
                "alt": tr("figure.projection_alt", **names, target=target,
                          projected=tr.value(last["projected"], unit), low=tr.value(last["pi_low"], unit),
                          high=tr.value(last["pi_high"], unit), city_projected=tr.value(last["city_projected"], unit)),
            })
    return manifest


def draw_inequality(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """Inequality over time per key indicator: Theil T per wave with its between/within-wijk split and
    the SII with its interval, at the finest level with at least two waves (buurten, else wijken)."""
    report, tr = config["report"], run.lang
    ranking = config["analysis"].get("deprivation_indicator")
    table = _no_category(run.inequality)
    labels = {k: tr(f"chart.{k}") for k in ("theil", "between", "within", "sii", "no_sii")}
    manifest = []
    for indicator in report["key_indicators"]:
        mine = table[table["indicator_id"] == indicator]
        for level in ("buurt", "subwijk", "wijk"):
            rows = mine[(mine["level"] == level) & mine["theil"].notna()].sort_values("period")
            if rows["period"].nunique() >= 2:
                break
        else:
            continue
        unit = run.unit_of(indicator)

        def values(column: str, rows: pd.DataFrame = rows) -> list[float | None]:
            return [None if pd.isna(v) else float(v) for v in rows[column]]

        periods = [int(p) for p in rows["period"]]
        level_words = tr(f"level.{level}_plural")
        fig = figures.inequality_chart(
            tr("figure.inequality_title", indicator=run.label(indicator), level=level_words), periods,
            [float(v) for v in rows["theil"]], values("theil_between"), values("theil_within"), values("sii"),
            values("sii_ci_low"), values("sii_ci_high"), labels=labels,
            decimals=int(unit["decimals"]) if unit else 1, lang=tr.code)
        name = f"inequality_{indicator}.svg"
        figures.save_svg(fig, out_dir / name)
        names = {"indicator": run.label(indicator)}
        manifest.append({
            "file": name, "kind": "inequality", "indicator_id": indicator, "level": level,
            "title": tr("figure.inequality_title", **names, level=level_words),
            "caption": tr("figure.inequality_caption", **names,
                          ranking=run.label(ranking).lower() if ranking in set(run.indicators["id"]) else "–",
                          weights=", ".join(dict.fromkeys(
                              w.replace("inhabitants", tr("word.inhabitants")) for w in rows["weights"].dropna()))),
            "alt": tr("figure.inequality_alt", **names, theils=", ".join(tr.number(v, 3) for v in rows["theil"]),
                      periods=", ".join(map(str, periods))),
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
            "caption": tr("figure.trend_caption", **names, first=area[0][0], last=area[-1][0])
            + _carried_note(run, r.indicator_id, r.area_code),
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
    manifest += draw_inequality(run, config, out_dir)
    manifest += draw_projections(run, config, out_dir)
    manifest += draw_trends(run, config, out_dir)
    return [entry | {"group": tr(f"kind.{entry['kind']}")} for entry in manifest]


def _carried_note(run: RunData, indicator: str, area: str) -> str:
    """A sentence for a chart's caption when some of the area's figures were carried over a boundary
    change (area_links); else nothing."""
    carried = carried_periods(run, indicator, area)
    if not carried:
        return ""
    years = sorted(carried)
    span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    relations = ", ".join(sorted({" > ".join(run.lang(f"boundaries.relation_{step}") for step in r.split(">"))
                                  for r in carried.values()}))
    return run.lang("figure.trend_carried", years=span, relations=relations)
