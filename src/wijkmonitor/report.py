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

import pandas as pd
import yaml

from . import figures
from .analysis import HEADLINE_CATEGORIES, SPREAD_UNITS, polarity_sign
from .catalogue import Catalogue
from .formatting import format_gap, format_number, format_p, format_ratio, format_value
from .warehouse import CURRENT_IN_ORDER, connect_read_only

RATE_UNITS = {"percent", "rating", "per_100_inhabitants", "per_1000_inhabitants", "per_household",
              "average", "euro_1000"}
PACKAGES = ("wijkmonitor", "snakemake", "pandas", "numpy", "scipy", "duckdb", "pyarrow",
            "python-calamine", "great-expectations", "matplotlib", "typst")
FONT_DIR = Path(figures.matplotlib.get_data_path()) / "fonts" / "ttf"
# typst's PDF timestamp: fixed, so the same inputs give the same bytes.
PDF_TIMESTAMP = 0


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

    def __post_init__(self) -> None:
        # Lookups the report makes for every sentence, cell and panel: build them once.
        units = {u["id"]: u for u in self.units.to_dict("records")}
        self._unit = {i: units.get(u) for i, u in zip(self.indicators["id"], self.indicators["unit"], strict=True)}
        self._label = dict(zip(self.indicators["id"], self.indicators["label_nl"], strict=True))
        self._area_name = dict(zip(self.areas["code"], self.areas["name"], strict=True))
        self.wijk_gaps = _wijk_gaps(self)

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


def load_run(db_path: str, analysis: dict[str, str], validation_path: str) -> RunData:
    """The warehouse tables, the analysis tables (`analysis`: table name -> parquet path) and the
    validation results the report reads."""
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
        **{table: pd.read_parquet(path) for table, path in analysis.items()},
    )


def _judgement(unfavourable_gap: float | None) -> str:
    if unfavourable_gap is None or pd.isna(unfavourable_gap):
        return "neutral"
    return "worse" if unfavourable_gap > 0 else "better"


def _no_category(frame: pd.DataFrame) -> pd.DataFrame:
    """Series without a second dimension, or the headline category (analysis.HEADLINE_CATEGORIES)."""
    return frame[frame["category"].isna() | frame["category"].isin(HEADLINE_CATEGORIES)]


def _wijk_gaps(run: RunData) -> pd.DataFrame:
    """Gaps of the wijken in each indicator's latest year, with labels and units (catalogued rates only)."""
    g = _no_category(run.gaps[run.gaps["level"] == "wijk"])
    ind = run.indicators.set_index("id")
    g = g[g["indicator_id"].map(ind["catalogued"]).fillna(False).astype(bool)]
    g = g[g["indicator_id"].map(ind["unit"]).isin(RATE_UNITS)]
    latest = g.groupby("indicator_id")["period"].transform("max")
    g = g[g["period"] == latest].copy()
    g["theme"] = g["indicator_id"].map(ind["theme"])
    g["polarity"] = g["indicator_id"].map(ind["polarity"])
    g["rel_unfavourable"] = g["unfavourable_gap"] / g["city_value"].abs()
    return g


def ordered_indicators(ids: list[str], key_indicators: list[str], run: RunData) -> list[str]:
    """Key indicators first, then those with a polarity, then the rest, alphabetically."""
    polarity = run.indicators.set_index("id")["polarity"]
    return sorted(ids, key=lambda i: (i not in key_indicators,
                                      key_indicators.index(i) if i in key_indicators else 0,
                                      polarity.get(i) == "neutral", i))


def theme_panels(run: RunData, theme: str, key_indicators: list[str], limit: int = 9) -> list[figures.Panel]:
    g = run.wijk_gaps
    g = g[g["theme"] == theme]
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
            decimals=int(unit["decimals"]) if unit else 1,
        ))
    return panels


def largest_gaps(run: RunData, n: int) -> pd.DataFrame:
    g = run.wijk_gaps
    g = g[(g["polarity"] != "neutral") & (g["unfavourable_gap"] > 0)]
    return g.sort_values(["rel_unfavourable", "indicator_id", "area_code"], ascending=[False, True, True]).head(n)


def widening_gaps(run: RunData) -> pd.DataFrame:
    t = _no_category(run.trends[(run.trends["level"] == "wijk")])
    ind = run.indicators.set_index("id")
    t = t[t["indicator_id"].map(ind["catalogued"]).fillna(False).astype(bool)]
    return t[(t["gap_trend"] == "widening") & (t["unfavourable"] == True)].sort_values(  # noqa: E712
        ["gap_slope_p", "indicator_id", "area_code"])


def series(run: RunData, indicator: str, area: str) -> list[tuple[int, float]]:
    o = run.observations
    rows = _no_category(o[(o["indicator_id"] == indicator) & (o["area_code"] == area) & (o["status"] == "ok")])
    return [(int(p), float(v)) for p, v in sorted(zip(rows["period"], rows["value"], strict=True))]


def profile_rows(run: RunData, code: str, theme_ids: list[str], key_indicators: list[str],
                 per_theme: int = 6) -> list[figures.SpineRow]:
    """The spine chart of one area: per theme its most relevant indicators in the latest year (rates,
    shares, marks: not counts or areas), the area against the spread over its level and the city."""
    mine = run.headline_gaps[run.headline_gaps["area_code"] == code]
    if mine.empty:
        return []
    latest = mine.sort_values("period").groupby("indicator_id", sort=False).tail(1)
    theme = run.indicators.set_index("id")["theme"]
    polarity = run.indicators.set_index("id")["polarity"]
    recent = _no_category(run.trends[run.trends["area_code"] == code]).set_index("indicator_id")["recent_trend"]
    rows = []
    for theme_id in theme_ids:
        ids = [i for i in latest["indicator_id"] if theme.get(i) == theme_id
               and (run.unit_of(i) or {}).get("id") in SPREAD_UNITS]
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
                value_text=format_value(r["value"], unit), city_text=format_value(r["city_value"], unit),
            ))
    return rows


def draw_maps(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """A map of the wijken per key indicator in its latest year: from the configured boundaries, else
    a schematic tile map."""
    from .geometry import load_boundaries

    report = config["report"]
    shapes = load_boundaries(report["boundaries"]) if report["boundaries"] else None
    wijken = run.areas[run.areas["level"] == "wijk"].sort_values("code")
    manifest = []
    for indicator in report["key_indicators"]:
        rows = run.wijk_gaps[run.wijk_gaps["indicator_id"] == indicator]
        if rows.empty:
            continue
        period = int(rows["period"].max())
        latest = rows[rows["period"] == period]
        values = dict(zip(latest["area_code"], latest["value"].astype(float), strict=True))
        unit = run.unit_of(indicator)
        decimals = int(unit["decimals"]) if unit else 1
        title = f"{run.label(indicator)} ({period})"
        if shapes is not None:
            fig = figures.choropleth({c: shapes[c] for c in wijken["code"] if c in shapes}, values, title,
                                     decimals=decimals, credit=report["boundaries_credit"])
        else:
            fig = figures.tile_map(list(zip(wijken["code"], wijken["name"], strict=True)), values, title,
                                   decimals=decimals)
        name = f"map_{indicator}.svg"
        figures.save_svg(fig, out_dir / name)
        breaks = figures.class_breaks(list(values.values()))
        stated = "; ".join(f"{format_value(a, unit)}–{format_value(b, unit)}" for a, b in zip(breaks, breaks[1:], strict=False))
        kind = "kaart van de wijkgrenzen" if shapes is not None else "schematische kaart (één vlak per wijk)"
        manifest.append({
            "file": name, "kind": "map", "indicator_id": indicator, "title": title,
            "caption": f"{title} per wijk, {kind}; klassen met elk ongeveer evenveel wijken: {stated}; "
                       "donkerblauw is laag, geel is hoog.",
            "alt": f"Kaart van {run.label(indicator).lower()} per wijk in {period}: " + "; ".join(
                f"{run.area_name(c)} {format_value(v, unit)}" for c, v in sorted(values.items())) + ".",
        })
    return manifest


def draw_projections(run: RunData, config: dict, out_dir: Path) -> list[dict]:
    """"Wat als we niets doen?": per focus area and key indicator with a projection, a chart of the
    area's and the city's series extended to the target year."""
    report, city, city_code = config["report"], config["city"]["name"], config["city"]["code"]
    projections = _no_category(run.projections)
    manifest = []
    for code in report["focus_areas"]:
        for indicator in report["key_indicators"]:
            p = projections[(projections["indicator_id"] == indicator) & (projections["area_code"] == code)]
            if p.empty:
                continue
            p = p.iloc[0]
            c = projections[(projections["indicator_id"] == indicator) & (projections["area_code"] == city_code)]
            unit = run.unit_of(indicator)
            target = int(p["target_period"])
            city_projection = None if c.empty else (target, float(c["projected"].iloc[0]),
                                                    float(c["pi_low"].iloc[0]), float(c["pi_high"].iloc[0]))
            fig = figures.projection_chart(
                run.label(indicator), run.area_name(code), series(run, indicator, code),
                (target, float(p["projected"]), float(p["pi_low"]), float(p["pi_high"])), city,
                series(run, indicator, city_code), city_projection,
                decimals=int(unit["decimals"]) if unit else 1)
            name = f"projection_{indicator}_{code}.svg"
            figures.save_svg(fig, out_dir / name)
            manifest.append({
                "file": name, "kind": "projection", "indicator_id": indicator, "area_code": code,
                "title": f"{run.label(indicator)}: {run.area_name(code)} als er niets verandert",
                "caption": f"{run.label(indicator)} in {run.area_name(code)} en heel {city}; gestreept: de "
                           f"lineaire trend doorgetrokken naar {target}, met het 95%-voorspellingsinterval "
                           "van de wijk.",
                "alt": f"Lijndiagram: {run.label(indicator)} in {run.area_name(code)} naar verwachting "
                       f"{format_value(p['projected'], unit)} in {target} (interval "
                       f"{format_value(p['pi_low'], unit)}–{format_value(p['pi_high'], unit)}); {city} "
                       f"{format_value(city_projection[1], unit) if city_projection else '–'}.",
            })
    return manifest


def build_figures(run: RunData, config: dict, out_dir: str | Path) -> list[dict]:
    """Draw every figure as SVG into out_dir; return the manifest (file, kind, title, caption, alt)."""
    figures.configure()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = config["report"]
    city = config["city"]["name"]
    theme_set = _theme_set(config)
    manifest = []
    for theme in theme_set["themes"]:
        panels = theme_panels(run, theme["id"], report["key_indicators"])
        if not panels:
            continue
        order = list(run.areas.loc[run.areas["level"] == "wijk"].sort_values("code")["name"])
        fig = figures.theme_chart(panels, order, city_label=f"{city} (stad)")
        name = f"theme_{theme['id']}.svg"
        figures.save_svg(fig, out_dir / name)
        manifest.append({
            "file": name, "kind": "theme", "theme": theme["id"], "title": theme["label_nl"],
            "panels": [p.title for p in panels],
            "caption": f"{theme['label_nl']}: de wijken vergeleken met heel {city}, per indicator in het "
                       "laatste jaar met cijfers. Driehoek: ongunstiger dan de stad; rondje: gunstiger; "
                       "open grijs rondje: dezelfde wijk vier jaar eerder.",
            "alt": f"Stippendiagram per indicator van het thema {theme['label_nl']}: " + "; ".join(
                f"{p.title}: stad {format_number(p.city_value, p.decimals)}" for p in panels),
        })
    theme_ids = [t["id"] for t in theme_set["themes"]]
    for w in run.areas[run.areas["level"] == "wijk"].sort_values("code").itertuples():
        rows = profile_rows(run, w.code, theme_ids, report["key_indicators"])
        if not rows:
            continue
        name = f"profile_{w.code}.svg"
        figures.save_svg(figures.spine_chart(rows), out_dir / name)
        worse = [r.label for r in rows if r.comparison == "worse"]
        manifest.append({
            "file": name, "kind": "profile", "area_code": w.code, "title": f"Wijkprofiel {w.name}",
            "caption": f"{w.name} tegen alle wijken en heel {city}, per indicator in het laatste jaar met cijfers. "
                       "Balk: van de laagste tot de hoogste wijk (donker: de middelste helft); lijn: de stad; "
                       "rechts is gunstiger. Driehoek: significant ongunstiger; rondje: significant gunstiger; "
                       "open ruit: niet significant verschillend; open vierkant: geen toets mogelijk. "
                       "Pijl: recente trend (laatste vijf jaren).",
            "alt": f"Spine chart van {w.name} met {len(rows)} indicatoren; significant ongunstiger dan de stad: "
                   + ("; ".join(worse) if worse else "geen") + ".",
        })
    manifest += draw_maps(run, config, out_dir)
    manifest += draw_projections(run, config, out_dir)
    candidates = largest_gaps(run, 50)
    chosen = []
    for r in candidates.itertuples():
        if len(chosen) >= report["trend_charts"]:
            break
        area, cityline = series(run, r.indicator_id, r.area_code), series(run, r.indicator_id, config["city"]["code"])
        if len(area) >= 3 and (r.indicator_id, r.area_code) not in chosen:
            chosen.append((r.indicator_id, r.area_code))
            unit = run.unit_of(r.indicator_id)
            fig = figures.trend_chart(run.label(r.indicator_id), run.area_name(r.area_code), area, city,
                                      cityline, decimals=int(unit["decimals"]) if unit else 1)
            name = f"trend_{r.indicator_id}_{r.area_code}.svg"
            figures.save_svg(fig, out_dir / name)
            manifest.append({
                "file": name, "kind": "trend", "indicator_id": r.indicator_id, "area_code": r.area_code,
                "title": f"{run.label(r.indicator_id)}: {run.area_name(r.area_code)} en {city}",
                "caption": f"{run.label(r.indicator_id)} in {run.area_name(r.area_code)} en in heel {city}, "
                           f"{area[0][0]}–{area[-1][0]}; het gekleurde vlak is het verschil.",
                "alt": f"Lijndiagram: {run.label(r.indicator_id)} in {run.area_name(r.area_code)} van "
                       f"{format_value(area[0][1], unit)} ({area[0][0]}) naar {format_value(area[-1][1], unit)} "
                       f"({area[-1][0]}); {city} van {format_value(cityline[0][1], unit)} naar "
                       f"{format_value(cityline[-1][1], unit)}.",
            })
    return manifest


def _theme_set(config: dict) -> dict:
    return Catalogue.load(config["catalogue"]).theme_sets[config["report"]["theme_set"]]


def _gap_phrase(row, unit: dict | None) -> str:
    text = format_gap(row.abs_gap, unit)
    if unit and unit["id"] in ("percent", "per_1000_inhabitants") and row.city_value:
        text += f"; {format_ratio(row.value / row.city_value)} het stedelijk niveau"
    return text


VERDICT = {"worse": "significant ongunstiger dan de stad", "better": "significant gunstiger dan de stad",
           "higher": "significant hoger dan de stad", "lower": "significant lager dan de stad",
           "similar": "niet significant verschillend van de stad"}


def _uncertainty_source(row) -> str:
    """Where a figure's interval comes from, in words."""
    if row.ci_method == "wilson":
        counted = {"households": "huishoudens", "inhabitants": "inwoners"}.get(row.n_source, "respondenten")
        return f"Wilson-interval op {format_number(row.n, 0)} {counted}"
    if row.ci_method == "byar":
        return f"Byar-interval op het aantal van {format_number(row.count, 0)}"
    if row.ci_method == "t":
        return f"t-interval op {format_number(row.n, 0)} waarnemingen"
    return ""


def significance_sentence(run: RunData, indicator: str, code: str) -> str | None:
    """Is the area's gap to the city in the latest year real or noise, and did it widen?"""
    rows = _no_category(run.gaps[(run.gaps["indicator_id"] == indicator) & (run.gaps["area_code"] == code)])
    if rows.empty:
        return None
    row = next(rows.sort_values("period").tail(1).itertuples())
    unit = run.unit_of(indicator)
    head = (f"{run.label(indicator)}: {format_value(row.value, unit)} tegen {format_value(row.city_value, unit)} "
            f"in de stad ({row.period})")
    if pd.isna(row.comparison_95):
        text = (f"{head}; geen toets mogelijk: de bron geeft bij dit cijfer geen marges, geen aantal "
                "respondenten en geen telling, en wijkmonitor verzint geen onzekerheid.")
    else:
        verdict = VERDICT[row.comparison_95]
        if row.comparison_95 != "similar":
            verdict += (", ook bij 99,8%" if row.comparison_998 == row.comparison_95 else
                        " bij 95%, niet bij 99,8%")
        text = (f"{head}; 95%-interval {format_value(row.ci_low, unit)}–{format_value(row.ci_high, unit)} "
                f"({_uncertainty_source(row)}): {verdict}.")
    trend = _no_category(run.trends[(run.trends["indicator_id"] == indicator) & (run.trends["area_code"] == code)])
    if trend.empty or pd.isna(trend["gap_trend"].iloc[0]):
        return text + " Te weinig jaren om te zeggen of het verschil groter of kleiner werd."
    t = trend.iloc[0]
    change = {"widening": "significant groter geworden", "narrowing": "significant kleiner geworden",
              "no_significant_change": "niet significant veranderd"}[t["gap_trend"]]
    return (text + f" Tussen {t['first_period']} en {t['last_period']} is het verschil {change} "
            f"({format_gap(t['first_gap'], unit)} naar {format_gap(t['last_gap'], unit)}; "
            f"{format_p(t['gap_slope_p'])}).")


def outlook_sentences(run: RunData, indicators: list[str], code: str) -> list[str]:
    """"If nothing changes" for one area, in words, per key indicator with a projection."""
    sentences = []
    for row in projection_rows(run, indicators, [code]):
        _, label, target, projected, interval, city_value, gap, closes = row
        sentences.append(f"{label}: in {target} naar verwachting {projected} (95%-voorspellingsinterval "
                         f"{interval}), de stad {city_value}; verschil {gap}; het verschil is weg na: {closes}.")
    return sentences


def outlook_summary(run: RunData, report: dict, city_code: str) -> list[str]:
    """One sentence per focus area: the key indicators whose unfavourable gap would still be there,
    or larger, in the target year if nothing changes."""
    sentences = []
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
            sentences.append(f"Als er niets verandert, staat {run.area_name(code)} in {target} bij geen van de "
                             "kernindicatoren ongunstiger dan de stad.")
            continue
        named = [f"{run.label(r.indicator_id).lower()} ({format_gap(r.projected_gap, run.unit_of(r.indicator_id))})"
                 for r in worse.itertuples()]
        sentences.append(f"Als er niets verandert, staat {run.area_name(code)} in {target} nog altijd ongunstiger "
                         f"dan de stad bij {', '.join(named)}.")
    return sentences


def projection_rows(run: RunData, indicators: list[str], codes: list[str]) -> list[list[str]]:
    """If nothing changes: the projected value, interval and gap, and the years until the gap closes."""
    rows = []
    for code in codes:
        for indicator in indicators:
            p = _no_category(run.projections[(run.projections["indicator_id"] == indicator)
                                             & (run.projections["area_code"] == code)])
            if p.empty:
                continue
            p = p.iloc[0]
            unit = run.unit_of(indicator)
            trend = _no_category(run.trends[(run.trends["indicator_id"] == indicator)
                                            & (run.trends["area_code"] == code)])
            significant = len(trend) and trend["gap_trend"].iloc[0] == "narrowing"
            years = p["years_to_close"]
            closes = ("niet in dit tempo" if pd.isna(years)
                      else ("meer dan 100 jaar" if years > 100 else f"{format_number(years, 0)} jaar")
                      + ("" if significant else " (trend niet significant)"))
            rows.append([run.area_name(code), run.label(indicator), str(p["target_period"]),
                         format_value(p["projected"], unit),
                         f"{format_value(p['pi_low'], unit)}–{format_value(p['pi_high'], unit)}",
                         format_value(p["city_projected"], unit), format_gap(p["projected_gap"], unit), closes])
    return rows


def inequality_rows(run: RunData, indicators: list[str]) -> list[list[str]]:
    """Spread between the wijken (and Theil's split at buurt level) in the latest year per indicator."""
    rows = []
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
            split = f"{format_number(100 * b['theil_between'] / b['theil'], 0)}% tussen wijken"
        conv = run.convergence[(run.convergence["indicator_id"] == indicator) & (run.convergence["level"] == "wijk")]
        conv = _no_category(conv)
        sigma = {"converging": "naar elkaar toe", "diverging": "uit elkaar",
                 "no_significant_change": "geen significante verandering"}.get(
            conv["sigma_trend"].iloc[0] if len(conv) else None, "–")
        sii = "–" if pd.isna(w["sii"]) else (
            f"{format_number(w['sii'], 1)} ({format_number(w['sii_ci_low'], 1)} tot {format_number(w['sii_ci_high'], 1)})")
        rows.append([run.label(indicator), str(w["period"]), format_number(w["n_areas"], 0),
                     format_ratio(w["ratio_max_min"]),
                     format_number(w["cv"], 2), format_number(w["gini"], 3), format_number(w["theil"], 3), split,
                     sii, format_number(w["rii"], 2), sigma])
    return rows


def composite_rows(run: RunData) -> tuple[list[list[str]], str]:
    """The wijken by their overall composite score in the latest year, with the rank range."""
    total = run.composite[run.composite["theme"] == "total"]
    if total.empty:
        return [], ""
    period = int(total["period"].max())
    latest = total[total["period"] == period].sort_values("rank")
    rows = [[format_number(r.rank, 0), run.area_name(r.area_code), format_number(r.score, 0),
             f"{format_number(r.rank_min, 0)}–{format_number(r.rank_max, 0)}"]
            for r in latest.itertuples() if pd.notna(r.score)]
    return rows, str(period)


def references() -> list[str]:
    """Every method's full reference, from the statistics modules, sorted and without repeats."""
    from .stats import compare, composite, inequality, intervals, projection, trends

    cited = {text for module in (intervals, compare, inequality, trends, projection, composite)
             for text in module.REFERENCES.values()}
    return sorted(cited)


def code_revision(root: str | Path) -> str:
    """The git commit of the code, with a note when the work tree has changes; 'unknown' without git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (" (met lokale wijzigingen)" if dirty else "")


def build_context(run: RunData, config: dict, manifest: list[dict], code_root: str | Path) -> dict:
    """The report's content as JSON-ready data: formatted strings, lists and tables."""
    report = config["report"]
    city, city_code = config["city"]["name"], config["city"]["code"]
    wijken = run.areas[run.areas["level"] == "wijk"].sort_values("code")
    g = run.wijk_gaps
    periods = run.observations["period"]
    demo_files = run.source_files[run.source_files["is_demo"]]
    key = [i for i in report["key_indicators"] if i in set(run.indicators["id"])]

    summary = []
    n_catalogued = int(run.indicators["catalogued"].sum())
    summary.append(
        f"Deze monitor beschrijft {len(wijken)} wijken van {city} met "
        f"{run.observations['indicator_id'].nunique()} indicatoren ({n_catalogued} in de catalogus) over "
        f"{int(periods.min())}–{int(periods.max())}, uit {len(run.source_files)} bronbestanden."
    )
    top = largest_gaps(run, report["top_gaps"])
    top_items = []
    for r in top.itertuples():
        unit = run.unit_of(r.indicator_id)
        top_items.append(
            f"{run.area_name(r.area_code)}: {run.label(r.indicator_id).lower()} {format_value(r.value, unit)} "
            f"tegen {format_value(r.city_value, unit)} in heel {city} in {r.period} ({_gap_phrase(r, unit)})."
        )
    widening = widening_gaps(run)
    widening_items = []
    for r in widening.head(report["top_gaps"]).itertuples():
        unit = run.unit_of(r.indicator_id)
        widening_items.append(
            f"{run.area_name(r.area_code)}: het verschil met de stad in {run.label(r.indicator_id).lower()} "
            f"groeide van {format_gap(r.first_gap, unit)} in {r.first_period} tot {format_gap(r.last_gap, unit)} "
            f"in {r.last_period} ({format_p(r.gap_slope_p)})."
        )
    t_wijk = _no_category(run.trends[run.trends["level"] == "wijk"])
    t_wijk = t_wijk[t_wijk["indicator_id"].isin(run.indicators.loc[run.indicators["catalogued"], "id"])]
    counts = t_wijk["gap_trend"].value_counts()
    summary.append(
        f"Van de {int(counts.sum())} reeksen van wijken met minstens "
        f"{config['analysis']['min_periods_for_trend']} jaren wordt het verschil met de stad in "
        f"{int(counts.get('widening', 0))} significant groter en in {int(counts.get('narrowing', 0))} "
        f"significant kleiner (p < {format_number(config['analysis']['significance'], 2)}); in de overige "
        f"{int(counts.get('no_significant_change', 0))} is geen significante verandering te zien."
    )
    summary += outlook_summary(run, report, config["city"]["code"])

    focus = []
    for code in report["focus_areas"]:
        if code not in set(run.areas["code"]):
            continue
        rows, sentences = [], []
        for indicator in key:
            unit = run.unit_of(indicator)
            s, c = dict(series(run, indicator, code)), dict(series(run, indicator, city_code))
            if not s:
                continue
            latest = max(p for p in s if p in c) if any(p in c for p in s) else max(s)
            ref = report.get("reference_period")
            trend = run.trends[(run.trends["indicator_id"] == indicator) & (run.trends["area_code"] == code)]
            trend = _no_category(trend)
            trend_text = "–"
            if len(trend) and pd.notna(trend["gap_trend"].iloc[0]):
                trend_text = {"widening": "groter", "narrowing": "kleiner",
                              "no_significant_change": "geen significante verandering"}[trend["gap_trend"].iloc[0]]
            rows.append([
                run.label(indicator),
                format_value(s.get(ref), unit) if ref else "–", format_value(c.get(ref), unit) if ref else "–",
                format_value(s.get(latest), unit), format_value(c.get(latest), unit), str(latest), trend_text,
            ])
            if ref and ref in s and ref in c:
                sentences.append(f"{run.label(indicator).lower()} {format_value(s[ref], unit)} tegen "
                                 f"{format_value(c[ref], unit)}")
        text = ""
        if sentences and report.get("reference_period"):
            text = (f"In {report['reference_period']} gold voor {run.area_name(code)} tegen heel {city}: "
                    + "; ".join(sentences) + ".")
        significance = [t for t in (significance_sentence(run, i, code) for i in key) if t]
        focus.append({"code": code, "name": run.area_name(code), "text": text, "rows": rows,
                      "significance": significance,
                      "reference_period": str(report.get("reference_period") or "–")})

    gap_table_ids = [i for i in ordered_indicators(list(g["indicator_id"].unique()), key, run) if i in key] or \
        ordered_indicators(list(g["indicator_id"].unique()), key, run)[:6]
    gap_header = ["Wijk"] + [f"{run.label(i)} ({int(g.loc[g['indicator_id'] == i, 'period'].iloc[0])})"
                             for i in gap_table_ids]
    gap_rows = []
    for w in wijken.itertuples():
        cells = [w.name]
        for indicator in gap_table_ids:
            r = g[(g["indicator_id"] == indicator) & (g["area_code"] == w.code)]
            if r.empty:
                cells.append("–")
                continue
            r = r.iloc[0]
            cells.append(f"{format_value(r['value'], run.unit_of(indicator))} ({int(r['rank'])})")
        gap_rows.append(cells)
    city_cells = [f"{city} (stad)"]
    for indicator in gap_table_ids:
        r = g[g["indicator_id"] == indicator]
        city_cells.append(format_value(r["city_value"].iloc[0], run.unit_of(indicator)) if len(r) else "–")
    gap_rows.append(city_cells)

    themes = []
    theme_set = _theme_set(config)
    for theme in theme_set["themes"]:
        fig = next((m for m in manifest if m["kind"] == "theme" and m["theme"] == theme["id"]), None)
        tg = g[g["theme"] == theme["id"]]
        worst = tg[(tg["polarity"] != "neutral") & (tg["unfavourable_gap"] > 0)].sort_values(
            "rel_unfavourable", ascending=False).head(3)
        lines = []
        for r in worst.itertuples():
            unit = run.unit_of(r.indicator_id)
            lines.append(f"{run.area_name(r.area_code)} bij {run.label(r.indicator_id).lower()}: "
                         f"{format_value(r.value, unit)} tegen {format_value(r.city_value, unit)} ({r.period})")
        shown = len(fig["panels"]) if fig else 0
        intro = (f"{tg['indicator_id'].nunique()} indicatoren met cijfers per wijk"
                 + (f"; de figuur toont er {shown}: eerst de kernindicatoren, dan die met een richting."
                    if shown < tg["indicator_id"].nunique() else ".")
                 + (" Grootste ongunstige verschillen met de stad: " + "; ".join(lines) + "." if lines else ""))
        themes.append({"id": theme["id"], "label": theme["label_nl"], "intro": intro if len(tg) else
                       "Geen indicatoren met cijfers per wijk in dit thema.", "figure": fig})

    validation_rows = [
        [r["description_nl"], r["table"], {"critical": "fout", "warning": "waarschuwing"}.get(r["severity"], r["severity"]),
         "geslaagd" if r["success"] else "niet geslaagd",
         format_number(r["unexpected_count"], 0), "; ".join(r["examples"][:2]) or "–"]
        for r in run.validation["results"]
    ]
    status = run.observations["status"].value_counts()
    quality_text = (
        f"{run.validation['passed']} van de {run.validation['checks']} controles geslaagd; "
        f"{run.validation['failed_warning']} waarschuwing(en). Van de {format_number(len(run.observations), 0)} "
        f"actuele waarnemingen zijn er {format_number(status.get('ok', 0), 0)} beschikbaar, "
        f"{format_number(status.get('suppressed', 0), 0)} geheim (te weinig waarnemingen), "
        f"{format_number(status.get('missing', 0), 0)} ontbrekend en "
        f"{format_number(status.get('not_applicable', 0), 0)} niet van toepassing."
    )
    provisional = int(run.observations["provisional"].sum())
    if provisional:
        quality_text += f" {format_number(provisional, 0)} waarnemingen zijn volgens de bron voorlopig."
    quarantined = [
        [r.source_file, format_number(r.source_row, 0), r.area_code if pd.notna(r.area_code) else r.area_name,
         format_number(r.observations, 0), r.closest or ""]
        for r in run.quarantine.itertuples()
    ]
    uncatalogued = run.indicators[~run.indicators["catalogued"]]
    files = [
        [r.path, r.reader, format_number(r.rows_read, 0), format_number(r.rows_kept, 0),
         format_number(r.observations_kept, 0), "ja" if r.is_demo else "nee"]
        for r in run.source_files.itertuples()
    ]
    hashes = [[r.path, r.sha256] for r in run.source_files.itertuples()]
    versions = []
    for package in PACKAGES:
        try:
            versions.append([package, importlib.metadata.version(package)])
        except importlib.metadata.PackageNotFoundError:
            versions.append([package, "niet geïnstalleerd"])

    demo_notice = ""
    if len(demo_files):
        demo_notice = ("DEMONSTRATIEDATA – synthetische cijfers" if len(demo_files) == len(run.source_files)
                       else f"DEELS DEMONSTRATIEDATA – {len(demo_files)} van {len(run.source_files)} bestanden synthetisch")
    return {
        "title": report["title"], "city": city, "edition": report["edition"] or str(int(periods.max())),
        "period": f"{int(periods.min())}–{int(periods.max())}",
        "demo_notice": demo_notice,
        "demo_text": (
            "Deze rapportage is gemaakt met de demonstratiedata van wijkmonitor: synthetische cijfers "
            "voor de echte wijken en buurten van Utrecht, gemaakt door scripts/make_demo_data.py. Alleen "
            "de WijkWijzer-2017-cijfers van Overvecht en de stad zijn gepubliceerde cijfers; alle andere "
            "getallen zijn verzonnen en zeggen niets over de werkelijkheid."
        ) if demo_notice else "",
        "summary": summary, "largest_gaps": top_items, "widening": widening_items,
        "themes": themes, "trend_figures": [m for m in manifest if m["kind"] == "trend"],
        "maps": [m for m in manifest if m["kind"] == "map"],
        "projection_figures": [m for m in manifest if m["kind"] == "projection"],
        "profiles": [{"name": run.area_name(m["area_code"]), "figure": m,
                      "outlook": outlook_sentences(run, key, m["area_code"])}
                     for m in manifest if m["kind"] == "profile"],
        "gap_table": {"header": gap_header, "rows": gap_rows,
                      "note": "Waarde in het laatste jaar met cijfers; tussen haakjes de rang onder de wijken "
                              "(1 = gunstigst; bij indicatoren zonder richting: 1 = hoogst)."},
        "focus": focus,
        "projections": {"rows": projection_rows(run, key, [f["code"] for f in focus]),
                        "target": str(config["analysis"]["projection_period"] or int(periods.max()) + 5)},
        "inequality": {"rows": inequality_rows(run, key)},
        "composite": dict(zip(("rows", "period"), composite_rows(run), strict=True)),
        "references": references(),
        "quality": {"text": quality_text, "rows": validation_rows,
                    "uncatalogued": [f"{r.id} ({r.label_nl})" for r in uncatalogued.itertuples()][:40],
                    "n_uncatalogued": len(uncatalogued), "quarantined": quarantined[:40],
                    "n_quarantined": len(quarantined)},
        "sources": files, "hashes": hashes, "versions": versions,
        "config": yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "revision": code_revision(code_root),
        "methods": [
            "Verschil met de stad: absoluut (waarde min stad) en relatief (waarde gedeeld door stad min 1); "
            "de richting (hoger is beter of slechter) komt uit de indicatorcatalogus.",
            "Rang: onder de gebieden van hetzelfde niveau, 1 = gunstigst.",
            f"Trend: kleinste-kwadratenlijn door de jaren met een waarde (minstens "
            f"{config['analysis']['min_periods_for_trend']}), met 95%-betrouwbaarheidsinterval (t-verdeling). "
            "Het verschil met de stad wordt groter of kleiner genoemd als de lijn door de verschillen "
            f"significant (p < {format_number(config['analysis']['significance'], 2)}) van nul afwijkt.",
            "Bij meerdere bronnen voor hetzelfde cijfer telt de bron die in de configuratie eerst staat, "
            "daarna de nieuwste editie.",
            "Betrouwbaarheidsintervallen: percentages met een bekend aantal respondenten met het "
            "Wilson-score-interval (Wilson 1927; Newcombe 1998), met de effectieve steekproef n/deff als een "
            "design effect is ingesteld; tellingen en cijfers per inwoner met de methode van Byar, onder de "
            "10 gebeurtenissen exact Poisson (Breslow & Day 1987); gemiddelden (rapportcijfers) met een "
            "t-interval als de standaardafwijking bekend is. Zonder marges, respondenten of telling geen interval.",
            "Vergelijking met de stad: een gebied heet significant gunstiger of ongunstiger als zijn 95%- "
            "(of 99,8%-)interval de waarde van de stad niet bevat; zo werkt ook Fingertips (Public Health "
            "England). De stad geldt daarbij als vaste maatstaf, omdat het gebied er deel van uitmaakt.",
            "Spreiding tussen gebieden van één niveau: bereik, verhouding hoogste/laagste, variatiecoëfficiënt; "
            "Gini en Theil T gewogen naar inwoners (Theil 1967), Theil bij buurten gesplitst in een deel tussen "
            "en binnen wijken (Shorrocks 1980); segregatie-index van Duncan & Duncan (1955) waar een aantal en "
            "een totaal bekend zijn; Slope en Relative Index of Inequality (Mackenbach & Kunst 1997; Low & Low "
            "2004) met de gebieden geordend op de ingestelde achterstandsindicator, intervallen door simulatie.",
            "Trends: recente trend over de laatste vijf jaren (naar Fingertips); sigma-convergentie (trend van "
            "de variatiecoëfficiënt) en bèta-convergentie met halveringstijd (Barro & Sala-i-Martin 1992).",
            "Als er niets verandert: de lineaire trend van gebied en stad doorgetrokken naar het doeljaar, met "
            "95%-voorspellingsinterval; de jaren tot het verschil verdwijnt in het huidige tempo van het verschil.",
            "Samengestelde index: per indicator gestandaardiseerd op de stad en de spreiding tussen de wijken in "
            "het basisjaar (stad = 100, één standaardafwijking = 10 punten), richting gelijkgetrokken, gewogen "
            "per thema; de rangschikking is herberekend met elk gewicht 50% lager en hoger (OECD/JRC 2008).",
            f"Onthullingsbeheersing: cijfers op minder dan {config['analysis']['min_cases']} waarnemingen worden "
            "niet gepubliceerd, en ook niet gebruikt voor afgeleide cijfers.",
        ],
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
        timestamp=PDF_TIMESTAMP,
    )
    with atomic_path(out_pdf) as tmp:
        tmp.write_bytes(pdf)
