"""What the report shows: the run's tables loaded once, and the choice of areas, indicators and gaps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .. import catalogue, figures
from ..analysis import HEADLINE_CATEGORIES, SPREAD_UNITS
from ..canonical import SERIES_BREAKS_COLUMNS, typed_frame
from ..catalogue import Catalogue
from ..errors import ConfigError
from ..i18n import Language
from ..warehouse import connect_read_only

RATE_UNITS = {"percent", "rating", "per_100_inhabitants", "per_1000_inhabitants", "per_household",
              "average", "euro_1000"}
DUTCH = Language("nl")


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
    inequality_change: pd.DataFrame
    convergence: pd.DataFrame
    projections: pd.DataFrame
    composite: pd.DataFrame
    revisions: pd.DataFrame
    series_breaks: pd.DataFrame = field(
        default_factory=lambda: typed_frame(pd.DataFrame(), SERIES_BREAKS_COLUMNS))
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

    @cached_property
    def projections_at_target(self) -> dict[str, pd.DataFrame]:
        """Per city scenario, the headline projections in each area's target year (read by the summary,
        the projection table and every profile page)."""
        p = _no_category(self.projections)
        p = p[p["target_period"] == p.groupby(["indicator_id", "area_code", "scenario"])["target_period"].transform("max")]
        return {scenario: rows for scenario, rows in p.groupby("scenario", sort=False)}

    def unit_of(self, indicator_id: str) -> dict | None:
        return self._unit.get(indicator_id)

    def label(self, indicator_id: str) -> str:
        return str(self._label[indicator_id])

    def area_name(self, code: str) -> str:
        return str(self._area_name[code])


def load_run(db_path: str, analysis: dict[str, str], validation_path: str, lang: str = "nl") -> RunData:
    """The warehouse's register tables, the published observations and the analysis tables (`analysis`:
    table name -> parquet path, with `observations`: the analysis step's published observations, so
    that no withheld figure reaches a page) and the validation results; labels in the report's language."""
    con = connect_read_only(db_path)
    try:
        frames = {t: con.execute(f"SELECT * FROM {t}").df()  # noqa: S608 (fixed table names)
                  for t in ("area", "indicator", "unit", "source_file", "quarantine")}
    finally:
        con.close()
    return RunData(
        areas=frames["area"], indicators=frames["indicator"], units=frames["unit"],
        source_files=frames["source_file"].sort_values("path"),
        validation=json.loads(Path(validation_path).read_text(encoding="utf-8")),
        quarantine=frames["quarantine"].sort_values(["source_file", "source_row"]),
        **{table: pd.read_parquet(path) for table, path in analysis.items()}, lang=Language(lang),
    )


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
    # The gap's yearly change: the trend line's slope, or the change between two waves per year.
    span = (t["last_period"] - t["first_period"]).astype(float)
    t["yearly"] = t["gap_slope"].astype(float).fillna(t["gap_change"].astype(float) / span)
    t["pace"] = (t["yearly"] / t["city_value"].astype(float)).abs()
    return t.sort_values(["pace", "indicator_id", "area_code"], ascending=[False, True, True], na_position="last")


def series(run: RunData, indicator: str, area: str) -> list[tuple[int, float]]:
    o = run.observations
    rows = _no_category(o[(o["indicator_id"] == indicator) & (o["area_code"] == area) & (o["status"] == "ok")])
    return [(int(p), float(v)) for p, v in sorted(zip(rows["period"], rows["value"], strict=True))]


def carried_periods(run: RunData, indicator: str, area: str) -> dict[int, str]:
    """The years of an area's series (headline category, with a value) whose figure was carried over an
    area link, with the relation(s) (`link`); empty without links."""
    o = run.observations
    if "link" not in o.columns:
        return {}
    rows = _no_category(o[(o["indicator_id"] == indicator) & (o["area_code"] == area) & (o["status"] == "ok")
                          & o["link"].notna()])
    return {int(p): str(link) for p, link in zip(rows["period"], rows["link"], strict=True)}


def _area_series(frame: pd.DataFrame, indicator: str, code: str) -> pd.DataFrame:
    """The rows of one indicator and area (headline category), in period order where the table has periods."""
    rows = _no_category(frame[(frame["indicator_id"] == indicator) & (frame["area_code"] == code)])
    return rows.sort_values("period") if "period" in rows.columns else rows


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
                high=peers["high"], comparison=None if pd.isna(r["comparison_fdr"]) else r["comparison_fdr"],
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


def target_projections(run: RunData, scenario: str = "status_quo") -> pd.DataFrame:
    """The projections in the target year (the last projected year) under one city scenario, headline series."""
    return run.projections_at_target.get(scenario, run.projections.iloc[:0])
