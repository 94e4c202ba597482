"""Ingest one raw file: read it, resolve areas and indicators, and keep its lineage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .areas import AreaMatcher, normalise_name
from .canonical import observation_frame
from .catalogue import Catalogue
from .errors import AreaMatchError
from .readers import read_file

# Rows portals add that are not areas: totals and "unknown area".
DEFAULT_AGGREGATE_NAMES = ("Totaal", "Buurten totaal", "Wijken totaal", "Subwijken totaal", "Onbekend")


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


def resolve_areas(raw: pd.DataFrame, matcher: AreaMatcher, path: str,
                  aggregate_names: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """(register code per row, reason a row is dropped or NA). Unknown areas raise AreaMatchError."""
    aggregates = {normalise_name(n) for n in aggregate_names}
    pairs = raw[["area_code", "area_name"]].drop_duplicates()
    code_of, reason_of, unknown = {}, {}, []
    for code, name in pairs.itertuples(index=False):
        key = (code, name)
        if pd.notna(code) and str(code).strip():
            c = str(code).strip()
            if matcher.knows_code(c):
                code_of[key] = c
            elif not matcher.in_municipality(c):
                reason_of[key] = "outside the municipality"
            else:
                unknown.append((key, f"code {c!r}"))
        elif normalise_name(name) in aggregates:
            reason_of[key] = "total or unknown-area row"
        else:
            matched = matcher.match_name(str(name))
            if matched is None:
                unknown.append((key, f"name {name!r}"))
            else:
                code_of[key] = matched
    if unknown:
        lines = []
        for key, what in unknown[:10]:
            row = int(raw.loc[(raw["area_code"].fillna("") == (key[0] if pd.notna(key[0]) else ""))
                              & (raw["area_name"] == key[1]), "source_row"].min())
            close = matcher.closest(str(key[1]))
            lines.append(f"row {row}: {what}" + (f" (closest: {', '.join(close)})" if close else ""))
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise AreaMatchError(
            f"{len(unknown)} area(s) not in the area register: " + "; ".join(lines) + more + ".",
            file=path,
            hint="Add them as aliases in catalogue/areas.csv, or correct the export.",
        )
    pairs = pairs.assign(
        _code=[code_of.get(k) for k in pairs.itertuples(index=False, name=None)],
        _reason=[reason_of.get(k) for k in pairs.itertuples(index=False, name=None)],
    )
    resolved = raw[["area_code", "area_name"]].merge(pairs, on=["area_code", "area_name"], how="left")
    codes = pd.Series(resolved["_code"].to_numpy(), index=raw.index, dtype="string")
    reasons = pd.Series(resolved["_reason"].to_numpy(), index=raw.index, dtype="string")
    return codes, reasons


def ingest_file(
    path: str | Path,
    *,
    fmt: str,
    source_id: str,
    catalogue: Catalogue,
    matcher: AreaMatcher,
    vintage: str | None = None,
    period: int | None = None,
    aggregate_names: tuple[str, ...] = DEFAULT_AGGREGATE_NAMES,
) -> IngestResult:
    """Read one raw file into canonical observations of the register's areas, with an ingest log."""
    path = str(path)
    used_format, read = read_file(path, fmt, period=period)
    raw = read.table
    codes, reasons = resolve_areas(raw, matcher, path, aggregate_names)
    kept = raw[codes.notna()].copy()
    kept["area_code"] = codes[codes.notna()]
    ids = {name: catalogue.indicator_id(name) for name in kept["source_indicator"].dropna().unique()}
    uncatalogued = sorted(name for name, i in ids.items() if i is None)
    resolved = {name: i or catalogue.uncatalogued_id(name) for name, i in ids.items()}
    kept["indicator_id"] = kept["source_indicator"].map(resolved)
    kept["source_id"] = source_id
    kept["vintage"] = kept["vintage"].fillna(vintage or Path(path).stem)
    kept["source_file"] = path
    observations = observation_frame(kept).sort_values(
        ["indicator_id", "area_code", "category", "period", "source_row"], na_position="first"
    ).reset_index(drop=True)
    dropped = reasons.dropna()
    log = {
        "source_file": path,
        "source_id": source_id,
        "vintage": vintage or Path(path).stem,
        "reader": used_format,
        "sha256": sha256_of(path),
        "bytes": Path(path).stat().st_size,
        "rows_read": int(raw["source_row"].nunique()),
        "rows_kept": int(kept["source_row"].nunique()),
        "observations_read": len(raw),
        "observations_kept": len(observations),
        "rows_dropped": {
            reason: int(raw.loc[dropped.index[dropped == reason], "source_row"].nunique())
            for reason in sorted(dropped.unique())
        },
        "status_counts": {k: int(v) for k, v in observations["status"].value_counts().sort_index().items()},
        "uncatalogued": [{"source_indicator": n, "indicator_id": resolved[n]} for n in uncatalogued],
        "periods": sorted(int(p) for p in observations["period"].dropna().unique()),
    }
    return IngestResult(observations=observations, log=log)
