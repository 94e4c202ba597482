"""The report's tables as rows of formatted cells: projections, inequality, composite scores, then and now, definitions."""

from __future__ import annotations

import pandas as pd

from .data import RunData, _area_series, _no_category, ordered_indicators, target_projections


def gap_interval(p: pd.Series, unit: dict | None, tr) -> str:
    """The projected gap's 95% interval as bare signed numbers in the unit's decimals (the unit is named
    once, with the gap itself)."""
    decimals = int(unit["decimals"]) if unit else 1
    return tr("word.interval", low=tr.number(p["gap_pi_low"], decimals, signed=True),
              high=tr.number(p["gap_pi_high"], decimals, signed=True))


def closes_text(p, tr) -> str:
    """The years until the gap closes as a range, or why none is given."""
    low, high = p["years_to_close_low"], p["years_to_close_high"]
    if pd.isna(low) or pd.isna(high):
        return tr("projection.not_closing")
    if low == 0 and high == 0:
        return tr("word.years", years=tr.number(0, 0))
    upper = tr("word.over_100_years") if high > 100 else tr("word.years", years=tr.number(high, 0))
    if low > 100:
        return tr("word.over_100_years")
    return tr("projection.closes_range", low=tr.number(low, 0), high=upper)


def projection_rows(run: RunData, indicators: list[str], codes: list[str]) -> list[list[str]]:
    """If nothing changes, per city scenario: the projected value and its 95% interval, the city, the gap
    with its interval, and the years until the gap closes (as a range, where shown)."""
    rows = []
    by_scenario = {s: target_projections(run, s) for s in ("status_quo", "city_trend")}
    for code in codes:
        for indicator in indicators:
            for scenario, projections in by_scenario.items():
                p = projections[(projections["indicator_id"] == indicator) & (projections["area_code"] == code)]
                if not p.empty:
                    rows.append(_projection_row(run, p.iloc[0], scenario))
    return rows


def _projection_row(run: RunData, p: pd.Series, scenario: str) -> list[str]:
    tr, unit = run.lang, run.unit_of(p["indicator_id"])
    head = [run.area_name(p["area_code"]), run.label(p["indicator_id"]), str(p["target_period"])]
    city = f"{tr.value(p['city_projected'], unit)} ({tr(f'scenario.{scenario}_short')})"
    if p["projection_status"] != "ok":
        return [*head, "–", tr("projection.too_few_data", n=p["n_waves"]), city, "–", "–"]
    return [*head, tr.value(p["projected"], unit), f"{tr.value(p['pi_low'], unit)}–{tr.value(p['pi_high'], unit)}",
            city, f"{tr.gap(p['projected_gap'], unit)} ({gap_interval(p, unit, tr)})", closes_text(p, tr)]


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
