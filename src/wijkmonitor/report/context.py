"""The report's content as JSON-ready data for the template: every section, formatted in the report's language."""

from __future__ import annotations

import importlib.metadata
import subprocess
from pathlib import Path

import pandas as pd
import yaml

from ..i18n import Language, messages
from .data import (
    RunData,
    _area_series,
    _no_category,
    carried_periods,
    largest_gaps,
    ordered_indicators,
    report_themes,
    series,
    widening_gaps,
)
from .tables import composite_rows, definitions, inequality_rows, projection_rows, then_and_now
from .text import (
    _gap_phrase,
    _methods,
    change_summary,
    divided_triumphs,
    outlook_sentences,
    outlook_summary,
    references,
    significance_sentence,
    test_text,
)

PACKAGES = ("wijkmonitor", "snakemake", "pandas", "numpy", "scipy", "duckdb", "pyarrow",
            "python-calamine", "great-expectations", "matplotlib", "typst")


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
                                 pace=tr.gap(r.yearly, unit), test=test_text(pd.Series(r._asdict()), tr)))
    t_wijk = _no_category(run.trends[run.trends["level"] == "wijk"])
    t_wijk = t_wijk[t_wijk["indicator_id"].isin(run.indicators.loc[run.indicators["catalogued"], "id"])]
    t_wijk = t_wijk[t_wijk["gap_trend"].notna()]
    counts = t_wijk["gap_trend"].value_counts()
    tested = int(t_wijk["gap_p"].notna().sum())
    alpha = float(analysis["significance"])
    if not tested:
        summary.append(tr("summary.trend_counts_none", untested=int(counts.get("not_tested", 0)),
                          min_periods=analysis["min_periods_for_trend"]))
    else:
        summary.append(tr("summary.trend_counts", series=tested, min_periods=analysis["min_periods_for_trend"],
                          tested_ols=int(t_wijk["gap_slope_p"].notna().sum()),
                          tested_two=int(t_wijk["gap_change_p"].notna().sum()),
                          widening=int(counts.get("widening", 0)), narrowing=int(counts.get("narrowing", 0)),
                          crossed=int(counts.get("crossed", 0)), alpha=tr.number(alpha, 2),
                          tests=tr.number(int(run.trends.loc[run.trends["level"] == "wijk", "gap_p"].notna().sum()), 0),
                          expected=tr.number(tested * alpha, 0), untested=int(counts.get("not_tested", 0))))
    divided = divided_triumphs(run, config)
    return {"summary": summary, "largest_gaps": top_items, "widening": widening_items,
            "changes": change_summary(run, report, analysis["significance"]), "outlook": outlook_summary(run, report),
            "divided": divided or [tr("summary.divided_none")]}


def _focus_sections(run: RunData, config: dict, key: list[str]) -> list[dict]:
    report, city, city_code, tr = config["report"], config["city"]["name"], config["city"]["code"], run.lang
    ref = report.get("reference_period")
    focus = []
    for code in report["focus_areas"]:
        if code not in set(run.areas["code"]):
            continue
        rows, items, marked = [], [], False
        for indicator in key:
            unit = run.unit_of(indicator)
            s, c = dict(series(run, indicator, code)), dict(series(run, indicator, city_code))
            if not s:
                continue
            latest = max(p for p in s if p in c) if any(p in c for p in s) else max(s)
            moved = carried_periods(run, indicator, code)  # figures carried over a boundary change: "*"
            marked = marked or any(p in moved for p in (ref, latest))
            trend = _area_series(run.trends, indicator, code)
            trend_text = "–"
            if len(trend) and pd.notna(trend["gap_trend"].iloc[0]):
                trend_text = tr(f"gap_trend.{trend['gap_trend'].iloc[0]}")
            rows.append([
                run.label(indicator),
                tr.value(s.get(ref), unit) + ("*" if ref in moved else "") if ref else "–",
                tr.value(c.get(ref), unit) if ref else "–",
                tr.value(s.get(latest), unit) + ("*" if latest in moved else ""), tr.value(c.get(latest), unit),
                str(latest), trend_text,
            ])
            if ref and ref in s and ref in c:
                items.append(tr("focus.reference_item", indicator=run.label(indicator).lower(),
                                value=tr.value(s[ref], unit), city_value=tr.value(c[ref], unit)))
        text = tr("focus.reference", period=ref, area=run.area_name(code), city=city,
                  items="; ".join(items)) if items else ""
        significance = [t for t in (significance_sentence(run, i, code) for i in key) if t]
        focus.append({"code": code, "name": run.area_name(code), "text": text, "rows": rows,
                      "significance": significance, "reference_period": str(ref or "–"),
                      "note": tr("boundaries.marker") if marked else ""})
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
    observed = run.observations
    if "link" in observed.columns:  # the figures carried over area links are counted in their own section
        observed = observed[observed["link"].isna()]
    status = observed["status"].value_counts()
    text = tr("quality.summary", passed=run.validation["passed"], checks=run.validation["checks"],
              warnings=run.validation["failed_warning"], observations=tr.number(len(observed), 0),
              ok=tr.number(status.get("ok", 0), 0), suppressed=tr.number(status.get("suppressed", 0), 0),
              missing=tr.number(status.get("missing", 0), 0),
              not_applicable=tr.number(status.get("not_applicable", 0), 0))
    provisional = int(observed["provisional"].sum())
    if provisional:
        text += tr("quality.provisional", provisional=tr.number(provisional, 0))
    quarantined = [
        [r.source_file, tr.number(r.source_row, 0), r.area_code if pd.notna(r.area_code) else r.area_name,
         tr.number(r.observations, 0), r.closest or ""]
        for r in run.quarantine.itertuples()
    ]
    revised = [
        [run.label(r.indicator_id),
         run.area_name(r.area_code), str(r.period),
         f"{tr.value(r.other_value, run.unit_of(r.indicator_id))} ({r.other_vintage})",
         f"{tr.value(r.value, run.unit_of(r.indicator_id))} ({r.vintage})"]
        for r in run.revisions.itertuples()
    ]
    uncatalogued = run.indicators[~run.indicators["catalogued"]]
    label = f"label_{tr.code}"
    return {"text": text, "rows": rows,
            "uncatalogued": [f"{r.id} ({getattr(r, label) or r.label_nl})" for r in uncatalogued.itertuples()][:40],
            "n_uncatalogued": len(uncatalogued), "quarantined": quarantined[:40], "n_quarantined": len(quarantined),
            "revised": revised[:40], "n_revised": len(revised), "boundaries": _boundaries(run)}


def _boundaries(run: RunData, limit: int = 40) -> dict | None:
    """The section on boundary changes: the figures carried over area links, by relation, with the
    assumption of each kind, and the breaks (the first `limit`); None without either."""
    tr = run.lang
    o = run.observations
    links = o.loc[o["status"].eq("ok") & o["link"].notna(), "link"] if "link" in o.columns else pd.Series(dtype=str)
    breaks = run.series_breaks
    if links.empty and breaks.empty:
        return None
    counts = links.value_counts()
    single = ("recoded", "split", "merged")  # one change; a chain (split>merged) after them
    order = sorted(counts.index, key=lambda r: (single.index(r) if r in single else len(single), r))
    items = [tr("boundaries.item", n=tr.number(int(counts[r]), 0), relation=tr(f"boundaries.{r}") if r in single
                else tr("boundaries.chain", relations=r.replace(">", " > ")))
             for r in order]
    kinds = {step for r in counts.index for step in r.split(">")}
    text = []
    if len(counts):
        text.append(tr("boundaries.carried", carried=tr.number(int(counts.sum()), 0), items=", ".join(items)))
        text += [tr(f"boundaries.{kind}_text") for kind in ("recoded", "split", "merged") if kind in kinds]
    names = dict(zip(run.areas["code"], run.areas["name"], strict=True))
    rows = [[names.get(r.area_code, r.area_code), run.label(r.indicator_id),
             f"{r.from_year}–{r.to_year} ({_relation_text(tr, r.relation)})",
             _causes_text(tr, getattr(r, "cause", None), r.reason)] for r in breaks.itertuples()]
    return {"text": " ".join(text), "breaks_text": tr("boundaries.breaks", breaks=tr.number(len(rows), 0)) if rows else "",
            "breaks": rows[:limit], "n_breaks": len(rows)}


def _relation_text(tr: Language, relation: str) -> str:
    """A link relation in the report's language (`boundaries.relation_<relation>`); a chain
    (`split>merged`) step by step, joined with ` > `; a relation without a message (one the links file
    should not have had) as it is."""
    known = messages()
    return " > ".join(tr(f"boundaries.relation_{step}") if f"boundaries.relation_{step}" in known else step
                      for step in str(relation).split(">"))


def _causes_text(tr: Language, cause: str | None, reason: str) -> str:
    """A break's cause code(s) (`;`-joined, series_links.BREAK_CAUSES) in the report's language
    (`boundaries.cause_<code>`), the distinct ones joined with `; `; an unknown code as it is; without a
    cause (a table written before the column existed) the English reason."""
    if cause is None or pd.isna(cause) or not str(cause).strip():
        return str(reason)
    known = messages()
    codes = dict.fromkeys(c.strip() for c in str(cause).split(";") if c.strip())
    return "; ".join(tr(f"boundaries.cause_{c}") if f"boundaries.cause_{c}" in known else c for c in codes)


def _changes_since(run: RunData, changes: dict | None) -> dict | None:
    """The chapter on what changed since the previous edition (`editions.changes`), formatted."""
    if changes is None:
        return None
    tr = run.lang

    def label(indicator: str) -> str:
        return run.label(indicator) if indicator in run._label else indicator

    def area(code: str) -> str:
        return run.area_name(code) if code in run._area_name else code

    items = []
    for key, names in (("years_added", None), ("years_dropped", None), ("indicators_added", label),
                       ("indicators_dropped", label), ("areas_added", area), ("areas_dropped", area)):
        if changes[key]:
            shown = [names(v) if names else str(v) for v in changes[key]]
            items.append(tr(f"changes.{key}", n=len(shown), items=", ".join(shown[:20])
                            + (" …" if len(shown) > 20 else "")))
    items += _linked_areas_items(run, changes.get("areas_linked", []))
    for key in ("inputs_added", "inputs_changed", "inputs_dropped"):
        if changes[key]:
            items.append(tr(f"changes.{key}", n=len(changes[key]), items=", ".join(changes[key][:10])
                            + (" …" if len(changes[key]) > 10 else "")))
    for h in changes["headline_moved"]:
        unit = run.unit_of(h["indicator_id"])
        items.append(tr("changes.headline", indicator=label(h["indicator_id"]),
                        old=tr.value(h["old_value"], unit), old_period=h["old_period"],
                        new=tr.value(h["value"], unit), period=h["period"]))
    revised = [[label(r["indicator_id"]), area(r["area_code"]), str(r["period"]),
                f"{tr.value(r['old_value'], run.unit_of(r['indicator_id']))} ({r['old_vintage']})",
                f"{tr.value(r['new_value'], run.unit_of(r['indicator_id']))} ({r['new_vintage']})"]
               for r in changes["revised"]]
    if not items and not revised:
        items.append(tr("changes.nothing"))
    return {"previous": changes["previous"], "items": items, "revised": revised[:40], "n_revised": len(revised)}


def _linked_areas_items(run: RunData, linked: list[dict]) -> list[str]:
    """The new areas carried over a boundary change (`editions.changes`' `areas_linked`): one sentence
    per relation (recoded, split, merged, then any other or chain), each change `old → new`: the new
    codes of one old code (a split) after one arrow, the old codes of a merge joined with ` + `; areas by
    name and code where the run knows the name, else by code; at most 20 changes per sentence."""
    tr = run.lang

    def named(code: str) -> str:
        return f"{run.area_name(code)} ({code})" if code in run._area_name else code

    by_relation: dict[str, dict[tuple, list[str]]] = {}
    for entry in linked:
        olds = tuple(entry["from_codes"])
        by_relation.setdefault(entry["relation"], {}).setdefault(olds, []).append(entry["area_code"])
    single = ("recoded", "split", "merged")
    items = []
    for relation in sorted(by_relation, key=lambda r: (single.index(r) if r in single else len(single), r)):
        shown = [" + ".join(named(c) for c in olds) + " → " + ", ".join(named(c) for c in sorted(news))
                 for olds, news in sorted(by_relation[relation].items())]
        text = ", ".join(shown[:20]) + (" …" if len(shown) > 20 else "")
        if relation in single:
            items.append(tr(f"changes.areas_{relation}", n=len(shown), items=text))
        else:
            items.append(tr("changes.areas_linked", relation=_relation_text(tr, relation), n=len(shown), items=text))
    return items


def build_context(run: RunData, config: dict, manifest: list[dict], code_root: str | Path,
                  changes: dict | None = None) -> dict:
    """The report's content as JSON-ready data: formatted strings, lists and tables, in the report's
    language (`report.language`), with the template's labels under `t`; `changes`: what changed since
    the previous edition (`editions.changes`), if there is one."""
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
    edition = report["edition"] or str(config["periods"]["last"])  # as rules/common.smk's EDITION
    return {
        "lang": tr.code, "t": tr.section("template"),
        "title": report["title"], "city": city, "edition": edition,
        "document_title": " ".join(
            [report["title"]] + ([] if city.lower() in report["title"].lower() else [city])
            + [edition]),
        "period": f"{int(periods.min())}–{int(periods.max())}",
        "demo_notice": demo_notice, "demo_text": tr("demo.text") if demo_notice else "",
        "changes_since": _changes_since(run, changes),
        **_summary(run, config),
        "themes": _themes(run, config, manifest, key),
        "trend_figures": [m for m in manifest if m["kind"] == "trend"],
        "maps": [m for m in manifest if m["kind"] == "map"],
        "projection_figures": [m for m in manifest if m["kind"] == "projection"],
        "inequality_figures": [m for m in manifest if m["kind"] == "inequality"],
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
        "methods": _methods(config, tr, run),
        "definitions": definitions(run, manifest, key),
    }
