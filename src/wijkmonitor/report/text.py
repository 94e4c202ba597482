"""The report's sentences: gaps, significance, changes, the outlook, methods and references."""

from __future__ import annotations

import pandas as pd

from ..analysis import polarity_sign
from ..i18n import Language
from .data import RunData, _area_series, _no_category, target_projections
from .tables import closes_text, gap_interval


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
    if row.ci_method == "model":
        return tr("interval.model")
    return ""


def test_text(t, tr: Language) -> str:
    """How the gap's change was tested, with its p- and q-value."""
    if t["trend_test"] == "ols_trend":
        return tr("test.ols", n=t["n_periods"], pq=tr.pq(t["gap_p"], t["gap_q"]))
    return tr("test.two_wave", pq=tr.pq(t["gap_p"], t["gap_q"]))


def significance_sentence(run: RunData, indicator: str, code: str) -> str | None:
    """Is the area's gap to the city in the latest year real or noise (after the false-discovery-rate
    correction over the areas of its level), and did it change?"""
    rows = _area_series(run.gaps, indicator, code)
    if rows.empty:
        return None
    tr = run.lang
    row = next(rows.tail(1).itertuples())
    unit = run.unit_of(indicator)
    head = tr("significance.head", indicator=run.label(indicator), value=tr.value(row.value, unit),
              city_value=tr.value(row.city_value, unit), period=row.period)
    if pd.isna(row.comparison_fdr):
        text = tr("significance.no_test", head=head)
    else:
        verdict = tr("verdict.fdr", verdict=tr(f"verdict.{row.comparison_fdr}"), pq=tr.pq(row.city_p, row.city_q))
        text = tr("significance.tested", head=head, low=tr.value(row.ci_low, unit), high=tr.value(row.ci_high, unit),
                  source=_uncertainty_source(row, tr), verdict=verdict)
    trend = _area_series(run.trends, indicator, code)
    if trend.empty or pd.isna(trend["gap_trend"].iloc[0]):
        return tr("significance.too_few_years", text=text)
    t = trend.iloc[0]
    test = tr("word.none") if t["gap_trend"] == "not_tested" else test_text(t, tr)
    if t["gap_trend"] == "not_tested":
        return tr("significance.change", text=text, first=t["first_period"], last=t["last_period"],
                  change=tr("gap_change.not_tested"), first_gap=tr.gap(t["first_gap"], unit),
                  last_gap=tr.gap(t["last_gap"], unit), test=tr("gap_trend.not_tested"))
    return tr("significance.change", text=text, first=t["first_period"], last=t["last_period"],
              change=tr(f"gap_change.{t['gap_trend']}"), first_gap=tr.gap(t["first_gap"], unit),
              last_gap=tr.gap(t["last_gap"], unit), test=test)


def four_year_changes(run: RunData, indicators: list[str], codes: list[str], years: int = 4) -> list[dict]:
    """Every tested change of a key indicator in a focus area between `years` before its latest year and
    that year: a z test on the two figures' standard errors (from their 95% intervals; Altman & Bland
    2003), with the Benjamini-Hochberg q-value over all of them (the family the summary prints)."""
    from ..stats.compare import change_between
    from ..stats.multiplicity import bh_qvalues

    polarity = run.indicators.set_index("id")["polarity"]
    changes = []
    for code in codes:
        for indicator in indicators:
            rows = _area_series(run.gaps, indicator, code).set_index("period")
            if rows.empty:
                continue
            last = int(rows.index.max())
            if last - years not in rows.index:
                continue
            now, then = rows.loc[last], rows.loc[last - years]
            test = change_between(now["value"], now["ci_low"], now["ci_high"], then["value"], then["ci_low"],
                                  then["ci_high"])
            if test is None:
                continue
            sign = polarity.get(indicator)
            higher = now["value"] > then["value"]
            direction = ({"higher_is_better": "better", "lower_is_better": "worse"} if higher else
                         {"higher_is_better": "worse", "lower_is_better": "better"}).get(
                sign, "higher" if higher else "lower")
            changes.append({"area_code": code, "indicator_id": indicator, "earlier": last - years, "period": last,
                            "earlier_value": then["value"], "value": now["value"], "direction": direction,
                            "p": test.p})
    for change, q in zip(changes, bh_qvalues([c["p"] for c in changes]), strict=True):
        change["q"] = float(q)
    return changes


def change_summary(run: RunData, report: dict, alpha: float) -> list[str]:
    """Per focus area, one sentence naming the key indicators that changed significantly in four years
    (q < alpha over all focus areas and key indicators), after a sentence on the size of the family."""
    tr, sentences = run.lang, []
    family = four_year_changes(run, report["key_indicators"], report["focus_areas"])
    if not family:
        return []
    sentences.append(tr("summary.changes_family", tests=len(family), alpha=tr.number(alpha, 2),
                        expected=tr.number(len(family) * alpha, 1)))
    for code in report["focus_areas"]:
        changes = [c for c in family if c["area_code"] == code and c["q"] < alpha]
        if not changes:
            continue
        items = [tr("summary.change_item", indicator=run.label(c["indicator_id"]).lower(),
                    earlier_value=tr.value(c["earlier_value"], run.unit_of(c["indicator_id"])),
                    value=tr.value(c["value"], run.unit_of(c["indicator_id"])),
                    direction=tr(f"direction.{c['direction']}")) for c in changes]
        sentences.append(tr("summary.changes", area=run.area_name(code), earlier=changes[0]["earlier"],
                            changes=tr.join(items)))
    if len(sentences) == 1:
        sentences.append(tr("summary.changes_none", alpha=tr.number(alpha, 2)))
    return sentences


def outlook_sentences(run: RunData, indicators: list[str], code: str) -> list[str]:
    """"If nothing changes" for one area (city at its last value), in words, per key indicator with a
    projection."""
    sentences, tr = [], run.lang
    projections = target_projections(run)
    for indicator in indicators:
        p = projections[(projections["indicator_id"] == indicator) & (projections["area_code"] == code)]
        if p.empty:
            continue
        p, unit = p.iloc[0], run.unit_of(indicator)
        if p["projection_status"] != "ok":
            sentences.append(f"{run.label(indicator)}: {tr('projection.too_few_data', n=p['n_waves'])}.")
            continue
        sentences.append(tr("outlook.sentence", indicator=run.label(indicator), target=p["target_period"],
                            projected=tr.value(p["projected"], unit),
                            interval=f"{tr.value(p['pi_low'], unit)}–{tr.value(p['pi_high'], unit)}",
                            scenario=tr("scenario.status_quo"), gap=tr.gap(p["projected_gap"], unit),
                            gap_interval=gap_interval(p, unit, tr), closes=closes_text(p, tr)))
    return sentences


def outlook_summary(run: RunData, report: dict) -> list[str]:
    """One sentence per focus area: the key indicators whose unfavourable gap would still be there in the
    target year if nothing changes (the gap's whole 95% interval on the unfavourable side), and those
    where that cannot be shown."""
    sentences, tr = [], run.lang
    p = target_projections(run)
    polarity = run.indicators.set_index("id")["polarity"]
    for code in report["focus_areas"]:
        mine = p[(p["area_code"] == code) & p["indicator_id"].isin(report["key_indicators"])
                 & (p["projection_status"] == "ok")]
        if mine.empty:
            continue
        sign = polarity_sign(mine["indicator_id"].map(polarity))
        low, high = mine["gap_pi_low"] * sign, mine["gap_pi_high"] * sign
        worse = mine[(pd.concat([low, high], axis=1).min(axis=1) > 0).fillna(False).astype(bool)]
        unclear = mine[((low < 0) & (high > 0)).fillna(False).astype(bool)]
        target = int(mine["target_period"].iloc[0])
        if worse.empty:
            sentences.append(tr("summary.outlook_none", area=run.area_name(code), target=target))
        else:
            named = [tr("summary.outlook_item", indicator=run.label(r.indicator_id).lower(),
                        gap=tr.gap(r.projected_gap, run.unit_of(r.indicator_id))) for r in worse.itertuples()]
            sentences.append(tr("summary.outlook", area=run.area_name(code), target=target,
                                indicators=tr.join(named)))
        if len(unclear):
            sentences.append(tr("summary.outlook_uncertain", area=run.area_name(code), target=target,
                                indicators=tr.join([run.label(i).lower() for i in unclear["indicator_id"]])))
    return sentences


def divided_triumphs(run: RunData, config: dict) -> list[str]:
    """Every headline indicator where the city improved while inequality between its areas grew beyond
    its uncertainty (the finest level that shows it: buurten, else subwijken, else wijken), key
    indicators first."""
    tr, city = run.lang, config["city"]["name"]
    table = _no_category(run.inequality_change)
    table = table[table["divided_triumph"].fillna(False).astype(bool)]
    if table.empty:
        return []
    order = {"buurt": 0, "subwijk": 1, "wijk": 2}
    table = table.assign(_level=table["level"].map(order)).sort_values(["indicator_id", "_level"])
    table = table.groupby("indicator_id", sort=False).head(1)
    key = config["report"]["key_indicators"]
    rows = sorted(table.itertuples(), key=lambda r: (r.indicator_id not in key, r.indicator_id))
    sentences = []
    for r in rows:
        unit = run.unit_of(r.indicator_id)
        level = tr(f"level.{r.level}_plural")
        sii = ""
        if isinstance(r.inequality_worsened, str) and "sii" in r.inequality_worsened:
            sii = tr("summary.divided_sii", level=level, sii_first=tr.number(r.sii_first, 1),
                     sii_last=tr.number(r.sii_last, 1))
        sentences.append(tr(
            "summary.divided", indicator=run.label(r.indicator_id), city=city,
            movement=tr("movement.down" if r.city_last < r.city_first else "movement.up"),
            city_first=tr.value(r.city_first, unit), city_last=tr.value(r.city_last, unit), first=r.first_period,
            last=r.last_period, tested="" if r.city_change_tested else tr("summary.divided_untested"), level=level,
            theil_first=tr.number(r.theil_first, 3), theil_last=tr.number(r.theil_last, 3),
            theil_low=tr.number(r.theil_change_ci_low, 3), theil_high=tr.number(r.theil_change_ci_high, 3),
            q=tr.q(r.theil_change_q), sii=sii))
    return sentences


def _methods(config: dict, tr: Language, run: RunData | None = None) -> list[str]:
    analysis = config["analysis"]
    alpha = tr.number(analysis["significance"], 2)
    methods = [tr("method.gap"), tr("method.rank"),
               tr("method.trend", min_periods=analysis["min_periods_for_trend"], alpha=alpha),
               tr("method.sources"), tr("method.intervals"), tr("method.model_estimates"),
               tr("method.comparison", alpha=alpha), tr("method.change", alpha=alpha)]
    if run is not None:
        a = float(analysis["significance"])
        city_tests = int(run.gaps["city_p"].notna().sum())
        gap_tests = int(run.trends["gap_p"].notna().sum())
        inequality_tests = int(run.inequality_change["theil_change_p"].notna().sum())
        methods.append(tr("method.fdr", alpha=alpha, city_tests=tr.number(city_tests, 0),
                          city_expected=tr.number(city_tests * a, 0), gap_tests=tr.number(gap_tests, 0),
                          gap_expected=tr.number(gap_tests * a, 0), inequality_tests=tr.number(inequality_tests, 0),
                          inequality_expected=tr.number(inequality_tests * a, 0)))
    methods += [tr("method.spread"), tr("method.rii"), tr("method.inequality_change", alpha=alpha),
                tr("method.convergence"),
                tr("method.projection", min_periods=analysis["min_periods_for_trend"],
                   draws=tr.number(analysis["projection"]["draws"], 0)),
                tr("method.composite"), tr("method.disclosure", min_cases=analysis["min_cases"])]
    return methods


def references() -> list[str]:
    """Every method's full reference, from the statistics modules, sorted and without repeats."""
    from ..stats import compare, composite, inequality, intervals, multiplicity, projection, trends

    cited = {text for module in (intervals, compare, inequality, trends, projection, composite, multiplicity)
             for text in module.REFERENCES.values()}
    return sorted(cited)
