"""Data expectations on the warehouse tables, run with great-expectations on DataFrames from DuckDB.

GX's SQL route does not work with DuckDB (it reads results after closing the connection), so
each table is pulled into a DataFrame and validated there. Expectations carry a severity:
`critical` failures stop the run; `warning` failures are reported.
"""

from __future__ import annotations

import gc
import logging
import os
from dataclasses import dataclass

import pandas as pd

from .canonical import OK, STATUSES
from .errors import Problem, ValidationFailed
from .warehouse import connect_read_only

CRITICAL, WARNING = "critical", "warning"
MAX_EXAMPLES = 5
# The unit whose values are counted (inhabitants, dwellings): whole numbers. A count of 1.25 is a
# misread (`1,250` read with a decimal comma), not a figure.
COUNT_UNIT = "count"
# How far from a whole number a count may lie and still be one (float noise of sums, not 1.25).
WHOLE_TOLERANCE = 1e-9
# The observation table is validated in parts of whole indicators of about this many rows, so that the
# memory a validation needs does not grow with the country (a national warehouse holds some 5 million
# observations, about 1 GB per million rows as a DataFrame). Every observation check holds per part:
# the uniqueness key starts with the indicator, and the other checks are per row.
CHUNK_ROWS = 500_000


@dataclass
class Check:
    """One expectation on one table, with the words the report and the error message use."""

    table: str
    expectation: object
    description: str
    description_nl: str
    shown: tuple[str, ...] = ()  # the columns an example names (default: the ones the expectation reads)


def observation_frame_for_checks(con, indicators: list[str] | None = None) -> pd.DataFrame:
    """Observations (of `indicators`, default all) as GX validates them: the columns the checks and
    their examples read, the unit, a key column, and `nearest_whole`, the value rounded to a whole
    number (the value itself when it is one, within float noise), and `area_registered`, whether the
    area code is in the area register (a value set of every code of a national register, some 17,000,
    made GX spend half the validation copying its configuration). Only those columns: every check with
    a row condition copies the frame."""
    where = "" if indicators is None else "WHERE o.indicator_id IN (SELECT unnest($indicators))"
    frame = con.execute(
        f"""
        SELECT o.indicator_id, o.area_code, o.period, o.value, o.status, o.n, o.ci_low, o.ci_high,
               o.source_file, o.source_row, o.source_column, i.unit,
               concat_ws(' | ', o.indicator_id, o.area_code, coalesce(o.category, ''),
                         o.period::VARCHAR, o.source_id, coalesce(o.vintage, '')) AS observation_key,
               CASE WHEN abs(o.value - round(o.value)) <= {WHOLE_TOLERANCE} * greatest(1, abs(o.value))
                    THEN o.value ELSE round(o.value) END AS nearest_whole,
               coalesce(o.area_code IN (SELECT code FROM area), false) AS area_registered
        FROM observation o LEFT JOIN indicator i ON i.id = o.indicator_id
        {where}
        ORDER BY o.source_file, o.source_row, o.indicator_id
        """,
        {} if indicators is None else {"indicators": indicators},
    ).df()
    return frame.reset_index(drop=True)


def indicator_chunks(con, chunk_rows: int = CHUNK_ROWS) -> list[list[str]]:
    """The observed indicators in groups of whole indicators of about `chunk_rows` observations (an
    indicator with more rows is a group of its own); one group when the table is small."""
    chunks, current, rows = [], [], 0
    for indicator, count in con.execute(
            "SELECT indicator_id, count(*) FROM observation GROUP BY 1 ORDER BY 1").fetchall():
        if current and rows + count > chunk_rows:
            chunks.append(current)
            current, rows = [], 0
        current.append(indicator)
        rows += count
    return [*chunks, current] if current else chunks


def build_checks(con, first_period: int, last_period: int) -> list[Check]:
    import great_expectations.expectations as gxe

    indicator_ids = [r[0] for r in con.execute("SELECT id FROM indicator ORDER BY id").fetchall()]
    catalogued = [r[0] for r in con.execute("SELECT id FROM indicator WHERE catalogued ORDER BY id").fetchall()]
    units = con.execute(
        "SELECT id, label_en, label_nl, min, max FROM unit WHERE id IN (SELECT DISTINCT unit FROM indicator "
        "WHERE id IN (SELECT DISTINCT indicator_id FROM observation)) ORDER BY id"
    ).fetchall()
    ok_only = {"row_condition": f'status == "{OK}"', "condition_parser": "pandas"}
    checks = [
        Check("observation", gxe.ExpectColumnValuesToBeUnique(column="observation_key", severity=CRITICAL),
              "one observation per indicator, area, category, year, source and edition",
              "één waarneming per indicator, gebied, categorie, jaar, bron en editie"),
        Check("observation", gxe.ExpectColumnValuesToBeInSet(column="area_registered", value_set=[True],
                                                             severity=CRITICAL),
              "every area is in the area register", "elk gebied staat in het gebiedenregister", shown=("area_code",)),
        Check("observation", gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=indicator_ids,
                                                             severity=CRITICAL),
              "every indicator is in the indicator table", "elke indicator staat in de indicatortabel"),
        Check("observation", gxe.ExpectColumnValuesToBeBetween(column="period", min_value=first_period,
                                                               max_value=last_period, severity=CRITICAL),
              f"periods lie within {first_period}-{last_period} (config periods)",
              f"jaren liggen binnen {first_period}–{last_period} (configuratie)"),
        Check("observation", gxe.ExpectColumnValuesToBeInSet(column="status", value_set=list(STATUSES),
                                                             severity=CRITICAL),
              "status is one of " + ", ".join(STATUSES), "status is een van " + ", ".join(STATUSES)),
        Check("observation", gxe.ExpectColumnValuesToNotBeNull(column="value", severity=CRITICAL, **ok_only),
              "a value is present where the status is ok", "een waarde waar de status ok is"),
        Check("observation", gxe.ExpectColumnValuesToBeNull(
            column="value", row_condition=f'status != "{OK}"', condition_parser="pandas", severity=CRITICAL),
              "no value where the status is not ok (suppressed, missing, not applicable)",
              "geen waarde waar de status niet ok is (geheim, ontbrekend, niet van toepassing)"),
        # The 95% interval a source publishes with its figure (CBS/RIVM Marges): ci_low <= value <= ci_high.
        Check("observation", gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="value", column_B="ci_low", or_equal=True, ignore_row_if="either_value_is_missing",
            severity=CRITICAL),
              "the source's 95% interval, where given, starts at or below the value (ci_low <= value)",
              "het 95%-interval van de bron begint, waar gegeven, bij of onder de waarde (ci_low <= value)"),
        Check("observation", gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="ci_high", column_B="value", or_equal=True, ignore_row_if="either_value_is_missing",
            severity=CRITICAL),
              "the source's 95% interval, where given, ends at or above the value (value <= ci_high)",
              "het 95%-interval van de bron eindigt, waar gegeven, bij of boven de waarde (value <= ci_high)"),
        *(Check("observation", gxe.ExpectColumnValuesToBeNull(
            column=bound, row_condition=f'status != "{OK}"', condition_parser="pandas", severity=CRITICAL),
              f"no interval bound ({bound}) where the status is not ok",
              f"geen intervalgrens ({bound}) waar de status niet ok is")
          for bound in ("ci_low", "ci_high")),
    ]
    for unit_id, label_en, label_nl, low, high in units:
        if low is None and high is None:
            continue
        if high is not None:
            en, nl = f"in [{low:g}, {high:g}]", f"tussen {low:g} en {high:g}"
        else:
            en, nl = f">= {low:g}", f"minstens {low:g}"
        checks.append(Check(
            "observation",
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=low, max_value=high,
                row_condition=f'unit == "{unit_id}" and status == "{OK}"', condition_parser="pandas",
                severity=CRITICAL),
            f"values in {label_en} are {en}", f"waarden in {label_nl} liggen {nl}",
        ))
    count = next(((label_en, label_nl) for unit_id, label_en, label_nl, *_ in units if unit_id == COUNT_UNIT), None)
    if count is not None:
        checks.append(Check(
            "observation",
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="value", column_B="nearest_whole", ignore_row_if="either_value_is_missing",
                row_condition=f'unit == "{COUNT_UNIT}" and status == "{OK}"', condition_parser="pandas",
                severity=CRITICAL),
            f"values in {count[0]} (counts) are whole numbers", f"waarden in {count[1]} (tellingen) zijn gehele getallen",
        ))
    checks += [
        Check("observation", gxe.ExpectColumnValuesToBeInSet(column="indicator_id", value_set=catalogued,
                                                             severity=WARNING),
              "every indicator is catalogued (label, unit, polarity known)",
              "elke indicator staat in de catalogus (naam, eenheid, richting bekend)"),
        Check("observation", gxe.ExpectColumnValuesToBeBetween(
            column="n", min_value=1, row_condition="n == n", condition_parser="pandas", severity=CRITICAL),
              "sample sizes, where given, are at least 1", "steekproefomvang, waar bekend, is minstens 1"),
        Check("area", gxe.ExpectColumnValuesToBeUnique(column="code", severity=CRITICAL),
              "area codes are unique", "gebiedscodes zijn uniek"),
        Check("source_file", gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="rows_read", column_B="rows_kept", or_equal=True, severity=CRITICAL),
              "no file keeps more rows than it has", "geen bestand bewaart meer rijen dan het heeft"),
    ]
    return checks


def _examples(check: Check, frame: pd.DataFrame, result: dict) -> list[Problem]:
    """Up to MAX_EXAMPLES failing rows, located in their raw file where the table allows."""
    problems, seen = [], set()
    # The column a check is about, or both columns of a pair (column_A, column_B).
    columns = list(check.shown) or [c for c in (getattr(check.expectation, name, None)
                                                for name in ("column", "column_A", "column_B")) if c]
    for index in result.get("unexpected_index_list") or result.get("partial_unexpected_index_list") or []:
        if len(problems) >= MAX_EXAMPLES:
            break
        index = index if isinstance(index, int) else next(iter(index.values()), None)
        if index is None or index not in frame.index:
            continue
        row = frame.loc[index]
        # One example per distinct failing value, so five examples show five different problems.
        key = tuple(row[c] for c in columns) if columns else index
        if key in seen:
            continue
        seen.add(key)
        if check.table == "observation":
            shown = ", ".join(f"{c} = {_quoted(row[c])}" for c in columns)
            problems.append(Problem(
                file=row["source_file"], row=int(row["source_row"]) if pd.notna(row["source_row"]) else None,
                column=row["source_column"],
                detail=f"{shown} ({row['indicator_id']}, {row['area_code']}, {row['period']})",
            ))
        else:
            problems.append(Problem(file=None, row=None, column=None,
                                    detail=f"{check.table} row {index}: " + ", ".join(f"{k}={_quoted(row[k])}"
                                                                                      for k in row.index[:4])))
    return problems


def _quoted(value: object) -> str:
    """A value as an example shows it: a number as a number, text between quotes exactly as it is
    written (no escapes: `back\\slash` and `'s-Gravenland` keep their backslash and quote)."""
    if hasattr(value, "item"):
        value = value.item()
    return f"'{value}'" if isinstance(value, str) else str(value)


def _rendered(problem: Problem) -> str:
    """`file, row 3, column 'x': detail`, the column named literally (Problem.render escapes it)."""
    parts = [p for p in (problem.file, f"row {problem.row}" if problem.row is not None else None,
                         f"column {_quoted(problem.column)}" if problem.column else None) if p]
    return f"{', '.join(parts)}: {problem.detail}" if parts else problem.detail


def validate_warehouse(db_path: str, first_period: int, last_period: int, chunk_rows: int = CHUNK_ROWS) -> dict:
    """Run every check; return the results as a JSON-ready dict (no exception on failure). The observation
    table is checked in parts of about `chunk_rows` rows (whole indicators)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    # GX logs its own housekeeping (temporary docs folders) at INFO; keep the run's log about data.
    # Some of its modules set their own logger to INFO, so each is quietened, not only the parent.
    for name in ["great_expectations", *logging.root.manager.loggerDict]:
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)

    con = connect_read_only(db_path)
    try:
        checks = build_checks(con, first_period, last_period)
        small = {
            "area": con.execute("SELECT * FROM area ORDER BY code").df(),
            "source_file": con.execute("SELECT * FROM source_file ORDER BY path").df(),
        }
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        source = context.data_sources.add_pandas("warehouse")
        results = []
        for table in ("observation", "area", "source_file"):
            table_checks = [c for c in checks if c.table == table]
            batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(table)
            suite = context.suites.add(gx.ExpectationSuite(name=f"wijkmonitor_{table}"))
            for check in table_checks:
                suite.add_expectation(check.expectation)
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"validate_{table}", data=batch, suite=suite)
            )
            # An empty observation table is one (empty) part.
            parts = ((observation_frame_for_checks(con, chunk) for chunk in indicator_chunks(con, chunk_rows) or [None])
                     if table == "observation" else [small[table]])
            outcomes = []
            for frame in parts:
                outcomes.append(_run_part(definition, table_checks, frame))
                # GX leaves each part's frame in reference cycles: collected at once, the validation of
                # the national warehouse (12 parts) peaks at 1.2 GB instead of 1.9 GB.
                del frame
                gc.collect()
            results += [_combined(table, check, [o[i] for o in outcomes]) for i, check in enumerate(table_checks)]
    finally:
        con.close()
    failed = [r for r in results if not r["success"]]
    return {
        "success": not any(r["severity"] == CRITICAL for r in failed),
        "checks": len(results),
        "passed": len(results) - len(failed),
        "failed_critical": sum(r["severity"] == CRITICAL for r in failed),
        "failed_warning": sum(r["severity"] == WARNING for r in failed),
        "results": results,
    }


def _run_part(definition, table_checks: list[Check], frame: pd.DataFrame) -> list[tuple]:
    """Each check's (result, examples, rows) on one part of a table."""
    outcome = definition.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")
    # GX does not keep the suite's order in its results: pair them by expectation id.
    by_id = {result.expectation_config.id: result for result in outcome.results}
    parts = []
    for check in table_checks:
        result = by_id[check.expectation.id]
        details = result.result or {}
        problems = [] if result.success else _examples(check, frame, details)
        parts.append((result, problems, len(frame)))
    return parts


def _combined(table: str, check: Check, parts: list[tuple]) -> dict:
    """One check's result over every part of its table: it succeeds when it succeeds on each part."""
    failed = [(result, problems) for result, problems, _ in parts if not result.success]
    problems = [p for _, found in failed for p in found][:MAX_EXAMPLES]
    exception = next(((r.exception_info or {}).get("exception_message") for r, _ in failed
                      if (r.exception_info or {}).get("exception_message")), None)
    return {
        "table": table,
        "expectation": parts[0][0].expectation_config.type,
        "description": check.description,
        "description_nl": check.description_nl,
        "severity": str(check.expectation.severity.value),
        "success": not failed,
        "element_count": sum(int((r.result or {}).get("element_count", rows) or 0) for r, _, rows in parts),
        "unexpected_count": sum(int((r.result or {}).get("unexpected_count", 0) or 0) for r, _, _ in parts),
        "examples": [_rendered(p) for p in problems],
        "exception": exception if failed else None,
    }


def raise_on_failure(report: dict) -> None:
    """One clear message naming each failed critical expectation and where it failed."""
    failed = [r for r in report["results"] if not r["success"] and r["severity"] == CRITICAL]
    if not failed:
        return
    lines = []
    for r in failed:
        where = "; ".join(r["examples"]) or (r["exception"] or "")
        lines.append(f"{r['description']} ({r['expectation']}): {r['unexpected_count']} row(s) fail, e.g. {where}")
    raise ValidationFailed(
        "data validation failed: " + " | ".join(lines),
        hint="Correct the raw file (or the config's periods) and run again.",
    )
