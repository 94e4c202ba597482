"""Ingest one raw file: read it, resolve areas and indicators, and keep its lineage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .areas import AreaMatcher, normalise_name
from .canonical import observation_frame, typed_frame
from .catalogue import Catalogue, readable_ids
from .errors import AreaMatchError, ReaderError
from .readers import read_file

# Rows portals add that are not areas of the municipality: totals, "unknown area", the country.
DEFAULT_AGGREGATE_NAMES = (
    "Totaal", "Buurten totaal", "Wijken totaal", "Subwijken totaal", "Onbekend", "Nederland",
)
UNKNOWN_AREA_POLICIES = ("stop", "quarantine")
QUARANTINE_COLUMNS = {
    "source_file": "string", "source_row": "Int64", "area_code": "string", "area_name": "string",
    "observations": "Int64", "closest": "string",
}


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class IngestResult:
    observations: pd.DataFrame
    log: dict
    quarantine: pd.DataFrame


@dataclass
class AreaResolution:
    codes: pd.Series  # register code per read row, NA when dropped or unknown
    reasons: pd.Series  # why a row is dropped (aggregate, outside the municipality), else NA
    unknown: pd.Series  # True for rows whose area is not in the register


def resolve_areas(raw: pd.DataFrame, matcher: AreaMatcher, aggregate_names: tuple[str, ...]) -> AreaResolution:
    """Match every (code, name) pair of a read table to the register, once per distinct pair."""
    aggregates = {normalise_name(n) for n in aggregate_names}
    source_codes = raw["area_code"].fillna("").str.strip()
    names = raw["area_name"].fillna("")
    code_of, reason_of, unknown = {}, {}, set()
    for key in dict.fromkeys(zip(source_codes, names, strict=True)):
        code, name = key
        if code:
            matched = matcher.match_code(code)
            if matched is not None:
                code_of[key] = matched
            elif not matcher.in_municipality(code):
                reason_of[key] = "outside the municipality"
            else:
                unknown.add(key)
        elif normalise_name(name) in aggregates:
            reason_of[key] = "total, country or unknown-area row"
        else:
            matched = matcher.match_name(name) if name else None
            if matched is None:
                unknown.add(key)
            else:
                code_of[key] = matched
    keys = list(zip(source_codes, names, strict=True))
    codes = pd.Series([code_of.get(k) for k in keys], index=raw.index, dtype="string")
    reasons = pd.Series([reason_of.get(k) for k in keys], index=raw.index, dtype="string")
    unknown_mask = pd.Series([k in unknown for k in keys], index=raw.index, dtype=bool)
    return AreaResolution(codes, reasons, unknown_mask)


def unknown_area_table(raw: pd.DataFrame, unknown: pd.Series, matcher: AreaMatcher, path: str) -> pd.DataFrame:
    """One row per source row whose area is not in the register, with the closest register names."""
    rows = raw[unknown]
    table = (
        rows.groupby(["source_row", "area_code", "area_name"], dropna=False).size().rename("observations")
        .reset_index().sort_values("source_row")
    )
    closest = {
        name: ", ".join(matcher.closest(str(name))) if pd.notna(name) else ""
        for name in table["area_name"].unique()
    }
    table["closest"] = table["area_name"].map(closest)
    table["source_file"] = path
    return typed_frame(table, QUARANTINE_COLUMNS)


def unknown_area_error(table: pd.DataFrame, path: str) -> AreaMatchError:
    areas = table.drop_duplicates(["area_code", "area_name"])
    lines = []
    for r in areas.head(10).itertuples():
        what = f"code {r.area_code!r}" if pd.notna(r.area_code) else f"name {r.area_name!r}"
        lines.append(f"row {r.source_row}: {what}" + (f" (closest: {r.closest})" if r.closest else ""))
    more = f" and {len(areas) - 10} more" if len(areas) > 10 else ""
    return AreaMatchError(
        f"{len(areas)} area(s) not in the area register: " + "; ".join(lines) + more + ".",
        file=path,
        hint="Add them as aliases in the area register (catalogue/areas.csv), correct the export, or set "
        "`ingest: {unknown_areas: quarantine}` to set them aside in a reported table.",
    )


def check_duplicates(kept: pd.DataFrame, path: str) -> pd.Series:
    """Rows that repeat an earlier row's figure exactly, interval included (to drop); a figure
    given twice with different values or intervals stops the ingest, naming both rows."""
    key = ["indicator_id", "area_code", "category", "period", "vintage"]
    figure = ["value", "status", "ci_low", "ci_high"]
    frame = kept[key + figure + ["source_row", "source_column"]].astype(object)
    frame[key] = frame[key].fillna("")
    repeated = frame.duplicated(key, keep=False)
    if not repeated.any():
        return pd.Series(False, index=kept.index)
    groups = frame[repeated].groupby(key, sort=False)
    for _, group in groups:
        distinct = group[figure].astype(str).drop_duplicates()
        if distinct.shape[0] > 1:
            first, second = group.loc[distinct.index[0]], group.loc[distinct.index[1]]
            same_value = str(first["value"]) == str(second["value"]) and first["status"] == second["status"]
            what, shown = ("95% intervals", "[{ci_low!r}, {ci_high!r}]") if same_value else ("values", "{value!r}")
            raise ReaderError(
                f"gives {first['indicator_id']} for {first['area_code']} in {first['period']} twice with "
                f"different {what}: {shown.format(**first)} (row {first['source_row']}, column "
                f"{first['source_column']!r}) and {shown.format(**second)} (row {second['source_row']}).",
                file=path, row=int(second["source_row"]), column=str(second["source_column"]),
                hint="Remove one of the rows, or give them different vintages or categories.",
            )
    return frame.duplicated(key, keep="first")


def with_lineage(rows: pd.DataFrame, path: str, source_id: str, catalogue: Catalogue | None,
                 vintage: str | None) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Read rows with indicator ids (catalogued, else derived from the header), source and vintage.

    The uncatalogued columns of the file get readable ids together (`catalogue.readable_ids`): the
    distinguishing end of each header, with the unit the reader split off.
    Returns (rows, indicator id per source name, source names not in the catalogue)."""
    names = rows["source_indicator"].dropna().unique()
    ids = {name: catalogue.indicator_id(name) if catalogue else None for name in names}
    uncatalogued = sorted(name for name, i in ids.items() if i is None)
    with_unit = rows[rows["source_indicator"].isin(uncatalogued) & rows["source_unit"].notna()]
    units = with_unit.groupby("source_indicator")["source_unit"].first().to_dict()
    derived = catalogue.uncatalogued_ids(uncatalogued, units) if catalogue else readable_ids(uncatalogued, units)
    resolved = {name: i or derived[name] for name, i in ids.items()}
    # Mapped per distinct name, not per cell: a national file has 600,000 cells and 35 names.
    codes, distinct = pd.factorize(rows["source_indicator"])
    indicator_id = pd.array([resolved[name] for name in distinct], dtype="string").take(codes, allow_fill=True)
    rows = rows.assign(
        indicator_id=pd.Series(indicator_id, index=rows.index), source_id=source_id,
        vintage=rows["vintage"].fillna(vintage or Path(path).stem), source_file=path,
    )
    return rows, resolved, uncatalogued


def ingest_file(
    path: str | Path,
    *,
    fmt: str,
    source_id: str,
    catalogue: Catalogue,
    matcher: AreaMatcher,
    vintage: str | None = None,
    aggregate_names: tuple[str, ...] = DEFAULT_AGGREGATE_NAMES,
    unknown_areas: str = "stop",
    **options,
) -> IngestResult:
    """Read one raw file into canonical observations of the register's areas, with an ingest log.

    `options` are the source's reader options (period, sheet, metadata, columns). Areas not in
    the register stop the ingest (`unknown_areas="stop"`) or are set aside in the quarantine
    table (`"quarantine"`).
    """
    path = str(path)
    used_format, read = read_file(path, fmt, **options)
    raw = read.table
    areas = resolve_areas(raw, matcher, aggregate_names)
    quarantine = unknown_area_table(raw, areas.unknown, matcher, path)
    if len(quarantine) and unknown_areas != "quarantine":
        raise unknown_area_error(quarantine, path)
    kept = raw[areas.codes.notna()].copy()
    kept["area_code"] = areas.codes[areas.codes.notna()]
    kept, resolved, uncatalogued = with_lineage(kept, path, source_id, catalogue, vintage)
    repeats = check_duplicates(kept, path)
    kept = kept[~repeats]
    observations = observation_frame(kept).sort_values(
        ["indicator_id", "area_code", "category", "period", "source_row"], na_position="first"
    ).reset_index(drop=True)
    dropped = areas.reasons.dropna()
    rows_dropped = {
        reason: int(raw.loc[dropped.index[dropped == reason], "source_row"].nunique())
        for reason in sorted(dropped.unique())
    }
    if len(quarantine):
        rows_dropped["area not in the register (quarantined)"] = int(quarantine["source_row"].nunique())
    log = {
        "source_file": path,
        "source_id": source_id,
        "vintage": vintage or Path(path).stem,
        "reader": used_format,
        "layout": read.layout,
        "encoding": read.encoding,
        "sha256": sha256_of(path),
        "bytes": Path(path).stat().st_size,
        "rows_read": int(raw["source_row"].nunique()),
        "rows_kept": int(kept["source_row"].nunique()),
        "observations_read": len(raw),
        "observations_kept": len(observations),
        "duplicate_observations_dropped": int(repeats.sum()),
        "rows_dropped": rows_dropped,
        "rows_skipped": {reason: len(rows) for reason, rows in sorted(read.skipped.items())},
        "rows_skipped_at": {reason: sorted(rows)[:20] for reason, rows in sorted(read.skipped.items())},
        "status_counts": {k: int(v) for k, v in observations["status"].value_counts().sort_index().items()},
        "provisional": int(observations["provisional"].sum()),
        "with_interval": int(observations["ci_low"].notna().sum()),  # the source's own 95% interval
        "uncatalogued": [{"source_indicator": n, "indicator_id": resolved[n]} for n in uncatalogued],
        "periods": sorted(int(p) for p in observations["period"].dropna().unique()),
        "notes": read.notes,
        "quarantined": quarantine.drop(columns="source_file").astype(object)
        .where(quarantine.drop(columns="source_file").notna(), None).to_dict("records"),
    }
    return IngestResult(observations=observations, log=log, quarantine=quarantine)
