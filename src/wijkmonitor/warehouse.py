"""The DuckDB warehouse: one writer loads area, indicator, observation and source_file from staging."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from .canonical import ANALYSIS_COLUMNS
from .catalogue import INDICATOR_COLUMNS, Catalogue, source_key
from .errors import ValidationFailed
from .steps import atomic_path

MEMORY_LIMIT = "1GB"  # DuckDB's buffer while loading the warehouse (it spills beyond it)

SCHEMA_SQL = """
CREATE TABLE area (
    code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, level VARCHAR NOT NULL,
    parent_code VARCHAR, wijk_code VARCHAR, gemeente_code VARCHAR, aliases VARCHAR,
    valid_from INTEGER, valid_to INTEGER
);
CREATE TABLE unit (
    id VARCHAR PRIMARY KEY, label_nl VARCHAR, label_en VARCHAR, min DOUBLE, max DOUBLE,
    decimals INTEGER, suffix_nl VARCHAR, suffix_en VARCHAR
);
CREATE TABLE indicator (
    id VARCHAR PRIMARY KEY, label_nl VARCHAR NOT NULL, label_en VARCHAR, theme VARCHAR,
    unit VARCHAR, polarity VARCHAR NOT NULL, source VARCHAR, definition VARCHAR, definition_nl VARCHAR,
    denominator VARCHAR, estimate VARCHAR, disclosure VARCHAR, catalogued BOOLEAN NOT NULL
);
CREATE TABLE source_file (
    path VARCHAR PRIMARY KEY, source_id VARCHAR NOT NULL, vintage VARCHAR, priority INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL, bytes BIGINT, reader VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL, rows_kept INTEGER NOT NULL,
    observations_read INTEGER, observations_kept INTEGER, rows_dropped VARCHAR,
    uncatalogued VARCHAR, is_demo BOOLEAN NOT NULL, encoding VARCHAR, rows_skipped VARCHAR,
    notes VARCHAR
);
CREATE TABLE quarantine (
    source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL, area_code VARCHAR, area_name VARCHAR,
    observations INTEGER NOT NULL, closest VARCHAR
);
CREATE TABLE observation (
    indicator_id VARCHAR NOT NULL, area_code VARCHAR NOT NULL, area_name VARCHAR,
    category VARCHAR, period INTEGER NOT NULL, period_label VARCHAR, value DOUBLE,
    status VARCHAR NOT NULL, n DOUBLE, sd DOUBLE, ci_low DOUBLE, ci_high DOUBLE,
    source_id VARCHAR NOT NULL, vintage VARCHAR,
    provisional BOOLEAN NOT NULL, source_unit VARCHAR, source_file VARCHAR NOT NULL, source_row INTEGER, source_column VARCHAR,
    source_indicator VARCHAR
);
"""

# One figure per indicator, area, category and year: the highest-priority source (config
# order), then the newest edition. Revisions stay in `observation` for the record.
CURRENT_VIEW_SQL = """
CREATE VIEW observation_current AS
SELECT o.* EXCLUDE (rn) FROM (
    SELECT o.*, row_number() OVER (
        PARTITION BY o.indicator_id, o.area_code, coalesce(o.category, ''), o.period
        ORDER BY f.priority, o.vintage DESC, o.source_file
    ) AS rn
    FROM observation o JOIN source_file f ON f.path = o.source_file
) o WHERE rn = 1
"""


# The current observations in a fixed order: DuckDB scans in parallel, and sums over rows in
# another order differ in the last bits, so the analysis would not give the same bytes twice.
_IN_ORDER = "ORDER BY indicator_id, area_code, category NULLS FIRST, period, source_file, source_row"
CURRENT_IN_ORDER = f"SELECT * FROM observation_current {_IN_ORDER}"
# The observations of one municipality's areas (a `cities:` run's national warehouse holds many).
_OF_MUNICIPALITY = "(SELECT * FROM observation WHERE area_code IN (SELECT code FROM area WHERE gemeente_code = ?))"


def current_query(vintage: str | None = None, municipality: str | None = None) -> tuple[str, list]:
    """The SQL (and its parameters) of the current observations in CURRENT_IN_ORDER's order: the newest
    edition (`vintage` None or "newest"), or the edition named `vintage` wherever a figure has it
    (`analysis.vintage`), else the newest. With `municipality` (a GM code), only its areas' figures,
    chosen among its own rows (the choice is per figure, so the same as in the whole table)."""
    if vintage in (None, "newest") and municipality is None:
        return CURRENT_IN_ORDER, []
    base, params = (_OF_MUNICIPALITY, [municipality]) if municipality is not None else ("observation", [])
    preferred, preferred_params = ("(o.vintage IS NOT DISTINCT FROM ?) DESC, ", [vintage]) if vintage not in (
        None, "newest") else ("", [])
    sql = f"""
SELECT * EXCLUDE (rn) FROM (
    SELECT o.*, row_number() OVER (
        PARTITION BY o.indicator_id, o.area_code, coalesce(o.category, ''), o.period
        ORDER BY f.priority, {preferred}o.vintage DESC, o.source_file
    ) AS rn
    FROM {base} o JOIN source_file f ON f.path = o.source_file
) WHERE rn = 1
{_IN_ORDER}"""
    return sql, [*preferred_params, *params]  # in the order the placeholders appear


def history_query(municipality: str | None = None) -> tuple[str, list]:
    """Every edition of every observation (of one municipality's areas), in CURRENT_IN_ORDER's order."""
    if municipality is None:
        return HISTORY_IN_ORDER, []
    return f"SELECT * FROM {_OF_MUNICIPALITY} {_IN_ORDER}", [municipality]


HISTORY_IN_ORDER = ("SELECT * FROM observation "
                    "ORDER BY indicator_id, area_code, category NULLS FIRST, period, source_file, source_row")


def demo_hashes(manifest_path: str | None) -> set[str]:
    """SHA-256 digests of the demonstration files, from the demo manifest (empty when none)."""
    if not manifest_path or not Path(manifest_path).exists():
        return set()
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    return set(manifest.get("files", {}).values())


def indicator_table(catalogue: Catalogue, observations: pd.DataFrame) -> pd.DataFrame:
    """Catalogued indicators plus those found in the data but not catalogued (flagged).

    `observations` has one row per (indicator_id, source_indicator, source_file). An uncatalogued id
    is made from a header's distinguishing last part, so two files can give different headers the
    same id (`Huisartsenpraktijk/Aantal` and `Apotheek/Aantal` in files that each hold one): that is
    refused rather than merged into one indicator."""
    known = catalogue.indicators.copy()
    others = observations[~observations["indicator_id"].isin(known["id"])]
    headers = others.assign(key=others["source_indicator"].fillna("").str.replace("|", "/", regex=False)
                            .map(source_key)).drop_duplicates(["indicator_id", "key"])
    clash = headers[headers["indicator_id"].duplicated(keep=False)]
    if len(clash):
        first, second = clash.iloc[0], clash.iloc[1]
        raise ValidationFailed(
            f"uncatalogued indicator id {first['indicator_id']!r} stands for two different headers: "
            f"{first['source_indicator']!r} ({first['source_file']}) and {second['source_indicator']!r} "
            f"({second['source_file']}).",
            hint="Catalogue them (catalogue/indicators/*.yaml, source_keys) so that each has its own id.",
        )
    extra = (
        observations.loc[~observations["indicator_id"].isin(known["id"]), ["indicator_id", "source_indicator"]]
        .drop_duplicates("indicator_id")
        .sort_values("indicator_id")
    )
    uncatalogued = pd.DataFrame(
        {
            "id": extra["indicator_id"],
            "label_nl": extra["source_indicator"],
            "polarity": "neutral",
            "definition": "Not in the indicator catalogue; kept under an id derived from its header.",
            "definition_nl": "Niet in de indicatorcatalogus; bewaard onder een naam afgeleid van de kolomkop.",
            "catalogued": False,
        }
    )
    table = pd.concat([known, uncatalogued], ignore_index=True)
    return table.reindex(columns=INDICATOR_COLUMNS)


def build_warehouse(
    db_path: str | Path,
    staged: list[tuple[str, str]],
    register: pd.DataFrame,
    catalogue: Catalogue,
    priorities: dict[str, int],
    demo_manifest: str | None,
    analysis_dir: str | Path | None,
) -> dict:
    """Load the warehouse from staging (parquet, ingest-log JSON) pairs; atomic: all or nothing.
    With `analysis_dir`, the warehouse gets views over the analysis tables there."""
    db_path = Path(db_path)
    logs = [json.loads(Path(log).read_text(encoding="utf-8")) for _, log in staged]
    demo = demo_hashes(demo_manifest)
    files = pd.DataFrame(
        [
            {
                "path": log["source_file"], "source_id": log["source_id"], "vintage": log["vintage"],
                "priority": priorities[log["source_id"]], "sha256": log["sha256"], "bytes": log["bytes"],
                "reader": log["reader"], "rows_read": log["rows_read"], "rows_kept": log["rows_kept"],
                "observations_read": log["observations_read"], "observations_kept": log["observations_kept"],
                "rows_dropped": json.dumps(log["rows_dropped"], sort_keys=True),
                "uncatalogued": json.dumps(log["uncatalogued"], ensure_ascii=False),
                "is_demo": log["sha256"] in demo,
                "encoding": log["encoding"],
                "rows_skipped": json.dumps(log["rows_skipped"], sort_keys=True, ensure_ascii=False),
                "notes": json.dumps(log["notes"], ensure_ascii=False),
            }
            for log in logs
        ]
    ).sort_values("path")
    quarantined = pd.DataFrame(
        [{"source_file": log["source_file"], **row} for log in logs for row in log["quarantined"]],
        columns=["source_file", "source_row", "area_code", "area_name", "observations", "closest"],
    ).sort_values(["source_file", "source_row"])
    with atomic_path(db_path) as tmp:
        tmp.unlink()  # DuckDB creates its file itself
        con = duckdb.connect(str(tmp))
        try:
            # DuckDB's memory, bounded: loading a national warehouse sorts millions of rows, which it
            # spills to a temporary folder beside the file rather than growing past the limit.
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            con.execute(SCHEMA_SQL)
            parquet_files = [p for p, _ in staged]
            if parquet_files:
                con.execute(
                    "INSERT INTO observation SELECT indicator_id, area_code, area_name, category, period, "
                    "period_label, value, status, n, sd, ci_low, ci_high, source_id, vintage, provisional, source_unit, "
                    "source_file, source_row, "
                    "source_column, source_indicator FROM read_parquet(?) "
                    "ORDER BY indicator_id, area_code, category NULLS FIRST, period, source_file, source_row",
                    [parquet_files],
                )
            observed = con.execute("SELECT indicator_id, source_indicator, min(source_file) AS source_file "
                                   "FROM observation GROUP BY ALL").df()
            con.register("area_df", register)
            con.execute("INSERT INTO area SELECT * FROM area_df ORDER BY code")
            con.register("unit_df", catalogue.units[["id", "label_nl", "label_en", "min", "max", "decimals",
                                                      "suffix_nl", "suffix_en"]])
            con.execute("INSERT INTO unit SELECT * FROM unit_df ORDER BY id")
            con.register("indicator_df", indicator_table(catalogue, observed))
            con.execute(f"INSERT INTO indicator SELECT {', '.join(INDICATOR_COLUMNS)} FROM indicator_df ORDER BY id")
            con.register("file_df", files)
            con.execute("INSERT INTO source_file SELECT * FROM file_df")
            if len(quarantined):
                con.register("quarantine_df", quarantined)
                con.execute("INSERT INTO quarantine SELECT * FROM quarantine_df")
            con.execute(CURRENT_VIEW_SQL)
            if analysis_dir is not None:
                create_analysis_views(con, analysis_dir)
            summary = {
                "observations": con.execute("SELECT count(*) FROM observation").fetchone()[0],
                "areas": len(register),
                "indicators": con.execute("SELECT count(*) FROM indicator").fetchone()[0],
                "source_files": len(files),
                "quarantined_rows": len(quarantined),
            }
        finally:
            con.close()
    return summary


def create_analysis_views(con: duckdb.DuckDBPyConnection, analysis_dir: str | Path) -> None:
    """Views over the analysis step's parquet files, which do not exist yet when the warehouse is
    loaded. DuckDB binds a view when it is created, so it is created against empty placeholders
    with the same relative path under a temporary search path; queried later from the working
    directory, the view reads the real files."""
    relative = Path(os.path.relpath(analysis_dir))
    # A folder outside the working directory (`../x/analysis`) climbs out of the search path: the
    # placeholders go that many levels deeper, so that they stay inside the temporary folder and
    # never land among the real analysis files.
    ups = sum(part == ".." for part in relative.parts)
    with tempfile.TemporaryDirectory() as placeholder_root:
        search = Path(placeholder_root, *(["_"] * ups))
        for table, columns in ANALYSIS_COLUMNS.items():
            location = relative / f"{table}.parquet"
            placeholder = Path(os.path.normpath(search / location))
            if not placeholder.is_relative_to(placeholder_root):
                raise AssertionError(f"placeholder {placeholder} outside {placeholder_root}")
            placeholder.parent.mkdir(parents=True, exist_ok=True)
            empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
            empty.to_parquet(placeholder, index=False)
            con.execute("SET file_search_path = ?", [str(search)])
            sql_path = location.as_posix().replace("'", "''")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{sql_path}')")
        con.execute("RESET file_search_path")


def connect_read_only(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db_path), read_only=True)


# Tables a municipality's warehouse copies from the national one, and which of their rows it keeps.
_CITY_ROWS = {
    "area": "WHERE gemeente_code = $city",
    "unit": "",
    "indicator": "",
    "source_file": "",
    "quarantine": "WHERE substr(trim(area_code), 3, 4) = substr($city, 3, 4)",
    "observation": "WHERE area_code IN (SELECT code FROM nat.area WHERE gemeente_code = $city)",
}


def build_city_warehouse(national_db: str | Path, city_code: str, db_path: str | Path,
                         analysis_dir: str | Path) -> dict:
    """One municipality's warehouse, cut from the national warehouse of a `cities:` run: its areas and
    their observations (every vintage, in the national order), all units, indicators and source files
    (with their national row counts), and the views over its own analysis tables. Atomic."""
    db_path = Path(db_path)
    with atomic_path(db_path) as tmp:
        tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            con.execute(SCHEMA_SQL)
            con.execute("ATTACH ? AS nat (READ_ONLY)", [str(national_db)])
            for table, rows in _CITY_ROWS.items():
                con.execute(f"INSERT INTO {table} SELECT * FROM nat.{table} {rows}", {"city": city_code}
                            if "$city" in rows else None)
            con.execute("DETACH nat")
            if not con.execute("SELECT count(*) FROM area WHERE level = 'gemeente'").fetchone()[0]:
                raise ValidationFailed(f"the national warehouse {national_db} holds no municipality {city_code}.")
            con.execute(CURRENT_VIEW_SQL)
            create_analysis_views(con, analysis_dir)
            summary = {
                "observations": con.execute("SELECT count(*) FROM observation").fetchone()[0],
                "areas": con.execute("SELECT count(*) FROM area").fetchone()[0],
            }
        finally:
            con.close()
    return summary
