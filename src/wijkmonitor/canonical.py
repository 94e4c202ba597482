"""The canonical long table (`observation`) that every reader produces and the warehouse stores."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Status of a cell. A value is present exactly when the status is "ok".
OK = "ok"
SUPPRESSED = "suppressed"  # secret / too few cases: "." or "x"
MISSING = "missing"  # "?" or an empty cell
NOT_APPLICABLE = "not_applicable"  # "-"
STATUSES = (OK, SUPPRESSED, MISSING, NOT_APPLICABLE)

# Markers portals write instead of a number, and the status each one means.
MARKERS = {
    ".": SUPPRESSED,
    "x": SUPPRESSED,
    "X": SUPPRESSED,
    "?": MISSING,
    "": MISSING,
    "-": NOT_APPLICABLE,
}

# What a reader returns: one row per cell, before areas and indicators are resolved.
READ_COLUMNS = {
    "source_indicator": "string",  # the indicator as the source names it (header or code)
    "area_code": "string",  # the source's own area code, when it has one
    "area_name": "string",  # the area as the source wrote it
    "category": "string",  # a second dimension, else NULL
    "period": "Int64",
    "period_label": "string",
    "value": "Float64",
    "status": "string",
    "n": "Float64",
    "vintage": "string",  # the edition, when the file itself says (else the config's or the file name)
    "provisional": "boolean",  # the source flags the figure as provisional (voorlopig)
    "source_unit": "string",  # the unit as the source states it (`%`, `km`, `aantal`), else NULL
    "source_row": "Int64",  # 1-based row as a spreadsheet or editor shows it
    "source_column": "string",  # the header of the cell's column
}

# What the warehouse stores in `observation` (see docs/architecture.md).
OBSERVATION_COLUMNS = {
    "indicator_id": "string",
    "area_code": "string",
    "area_name": "string",
    "category": "string",
    "period": "Int64",
    "period_label": "string",
    "value": "Float64",
    "status": "string",
    "n": "Float64",
    "source_id": "string",
    "vintage": "string",
    "provisional": "boolean",
    "source_unit": "string",
    "source_file": "string",
    "source_row": "Int64",
    "source_column": "string",
    "source_indicator": "string",
}


def typed_frame(records: list[dict] | pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """A frame with exactly `columns`, in order, with their nullable dtypes."""
    frame = pd.DataFrame(records) if not isinstance(records, pd.DataFrame) else records.copy()
    for name in columns:
        if name not in frame.columns:
            frame[name] = pd.NA
    frame = frame[list(columns)]
    return frame.astype(columns)


def read_frame(records: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """A reader's table in canonical column order and types (`provisional` defaults to false)."""
    frame = typed_frame(records, READ_COLUMNS)
    frame["provisional"] = frame["provisional"].fillna(False)
    return frame


@dataclass
class ReadResult:
    """What a reader returns: the canonical read table and what it learnt about the file.

    `skipped` maps a reason (`title row`, `legend`, `blank row`, ...) to the source rows that were
    read but hold no observations, so the ingest log can account for every row of the file.
    `notes` keeps what the file says about itself (footnotes, export date, title).
    """

    table: pd.DataFrame
    encoding: str | None = None
    skipped: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, row: int) -> None:
        self.skipped.setdefault(reason, []).append(int(row))


def observation_frame(records: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Observations in canonical column order and types."""
    return typed_frame(records, OBSERVATION_COLUMNS)
