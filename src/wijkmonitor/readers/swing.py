"""Reader for Utrecht in Cijfers / Swing ("incijfers") CSV exports: wide tables and cross-tables.

Wide: `"Niveau";"<indicator>|<year>";...` or `"<indicator>|<category>|<year>"`, one row per area
(names as the portal writes them, e.g. `Subwijk Zuilen-west`), the city or a total last.

Cross-table of two area dimensions: `Wijken;<indicator>|<wijk>|<period>;...` with an extra
unlabelled row-total column, an unlabelled column-total row (empty first field), blank `;;;`
rows and stray text rows after the table. The row's area is the area; the column's area is the
category. Periods may be school years (`schooljaar 2022/2023` -> 2023).

Dutch notation throughout. When every value column carries the same header (the export lost a
dimension) the reader refuses, unless the config maps each value column explicitly (`columns:`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import parse_long_cells, period_from_label, read_text
from .sample import Sample, split_line


def looks_like(sample: Sample) -> bool:
    """A `;`-separated header: a row label, then `<indicator>|...|<period>` columns (an unlabelled
    row-total column at the end is allowed)."""
    if sample.kind != "text" or not sample.lines:
        return False
    header = split_line(sample.lines[0], ";")
    labelled = [h for h in header[1:] if h]
    return len(header) >= 2 and "|" not in header[0] and bool(labelled) and all("|" in h for h in labelled)


def parse_swing_header(header: str) -> tuple[str, str | None, str]:
    """Split `indicator|year` or `indicator|category|year` into (indicator, category, period label)."""
    parts = [p.strip() for p in header.split("|")]
    if len(parts) == 2:
        return parts[0], None, parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    raise ValueError(header)


@dataclass(frozen=True)
class ValueColumn:
    number: int  # 1-based column number in the file
    header: str  # as written (the source_column)
    indicator: str
    category: str | None
    period: int
    period_label: str


def _value_column(path: str | Path, number: int, header: str, spec: str) -> ValueColumn:
    """A value column from its header (or the config's mapping `spec` for it)."""
    try:
        indicator, category, period_label = parse_swing_header(spec)
    except ValueError:
        raise ReaderError(
            f"header {spec!r} is not of the form '<indicator>|<year>' or '<indicator>|<category>|<year>'.",
            file=str(path), row=1, column=header,
            hint="Export the table again from the portal, or map every value column with `columns:`.",
        ) from None
    period = period_from_label(period_label)
    if period is None or not indicator:
        raise ReaderError(f"header {spec!r} names no indicator or no year.", file=str(path), row=1, column=header,
                          hint="Export the table again from the portal with the year in every column, or map every value column with `columns:`.")
    return ValueColumn(number, header, indicator, category, period, period_label)


def value_columns(path: str | Path, header: list[str], columns: list[str] | None) -> list[ValueColumn]:
    """The labelled value columns; an unlabelled last column is a row total and is not read."""
    labelled = [(n, h) for n, h in enumerate(header[1:], start=2) if h]
    unlabelled = [n for n, h in enumerate(header[1:], start=2) if not h]
    if unlabelled and unlabelled != [len(header)]:
        raise ReaderError(
            f"column {unlabelled[0]} has no header; only a last, row-total column may be unlabelled.",
            file=str(path), row=1, hint="Export the table again, or map every value column with `columns:`.",
        )
    if columns is not None:
        if len(columns) != len(labelled):
            raise ReaderError(
                f"the config maps {len(columns)} column(s) but the file has {len(labelled)} value column(s).",
                file=str(path), row=1, hint="List one '<indicator>|[<category>|]<year>' per value column, in order.",
            )
        result = [_value_column(path, n, h, spec) for (n, h), spec in zip(labelled, columns, strict=True)]
    else:
        result = [_value_column(path, n, h, h) for n, h in labelled]
    seen: dict[tuple, ValueColumn] = {}
    for column in result:
        key = (column.indicator, column.category, column.period)
        if key in seen:
            same = sum(1 for _, h in labelled if h == column.header)
            raise ReaderError(
                f"columns {seen[key].number} and {column.number} describe the same indicator, category and "
                f"year ({seen[key].header!r} and {column.header!r}); the export lost a dimension"
                + (f" ({same} columns carry this header)" if same > 1 else "") + ".",
                file=str(path), row=1, column=column.header,
                hint="Export again with the dimension in the header, or map every value column in the config "
                "(`columns:` for this source, one '<indicator>|[<category>|]<year>' per column).",
            )
        seen[key] = column
    return result


def read_swing_csv(path: str | Path, columns: list[str] | None = None) -> ReadResult:
    """Read a Swing wide CSV or cross-table export into the canonical read table (one row per cell).

    `columns` (from the config) names every labelled value column in order, for exports whose
    headers lost a dimension; the file's own header is then kept as `source_column` only.
    """
    text, encoding = read_text(path)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    if not rows:
        raise ReaderError("is empty; expected a Swing export header.", file=str(path),
                          hint="Download the export again.")
    header = [h.strip() for h in rows[0]]
    if len(header) < 2:
        raise ReaderError(
            "has no ';'-separated columns; a Swing export starts with \"Niveau\";\"<indicator>|<year>\".",
            file=str(path), row=1,
            hint="Set `format:` for this source to the format the file has (`wijkmonitor formats` lists them).",
        )
    result.skip("header row", 1)
    targets = value_columns(path, header, columns)
    if len(targets) < len(header) - 1:
        result.notes.append(f"column {len(header)} (unlabelled) is a row total and was not read")
    data_rows: list[tuple[int, list[str]]] = []
    trailing: list[tuple[int, list[str]]] = []
    for line_no, fields in enumerate(rows[1:], start=2):
        stripped = [f.strip() for f in fields]
        if not any(stripped):
            result.skip("blank row", line_no)
            continue
        values_empty = not any(stripped[1:])
        if values_empty and (len(fields) != len(header) or data_rows):
            # Text after (or instead of) the table: a source line, a filter description.
            trailing.append((line_no, stripped))
            continue
        if trailing:
            first = trailing[0][0]
            raise ReaderError(
                f"has table rows after a text row (row {first}: {trailing[0][1][0]!r}).",
                file=str(path), row=line_no, hint="Remove the stray text rows from the export.",
            )
        if len(fields) != len(header):
            raise ReaderError(
                f"has {len(fields)} fields where the header has {len(header)}; the file may be cut off "
                "or use another separator.", file=str(path), row=line_no,
                hint="The file may be cut off or edited; download or export it again.",
            )
        if not stripped[0]:
            result.skip("column-total row", line_no)
            continue
        data_rows.append((line_no, stripped))
    for line_no, fields in trailing:
        result.skip("text row after the table", line_no)
        result.notes.append(" ".join(f for f in fields if f))
    records = [
        {"source_row": line_no, "area_name": fields[0], "column": column.number, "cell": fields[column.number - 1]}
        for line_no, fields in data_rows for column in targets
    ]
    long = pd.DataFrame(records, columns=["source_row", "area_name", "column", "cell"])
    by_number = {c.number: c for c in targets}
    long["source_column"] = long["column"].map(lambda n: by_number[n].header)
    if columns is not None:
        long["source_column"] = long["column"].map(lambda n: f"column {n}: {by_number[n].header}")
    value, status = parse_long_cells(long, path, "source_column", decimal=",")
    crossed = "column-total row" in result.skipped or len(targets) < len(header) - 1
    result.layout = (f"Swing {'cross-table' if crossed else 'wide'} CSV, {len(targets)} value column{'s' if len(targets) != 1 else ''}"
                     + (" mapped by the `columns` option" if columns is not None else " '<indicator>|[<category>|]<year>'")
                     + ("; row-total column not read" if len(targets) < len(header) - 1 else "")
                     + ("; column-total row skipped" if "column-total row" in result.skipped else ""))
    result.table = read_frame(
        pd.DataFrame(
            {
                "source_indicator": long["column"].map(lambda n: by_number[n].indicator),
                "area_code": pd.NA,
                "area_name": long["area_name"],
                "category": long["column"].map(lambda n: by_number[n].category),
                "period": long["column"].map(lambda n: by_number[n].period),
                "period_label": long["column"].map(lambda n: by_number[n].period_label),
                "value": value,
                "status": status,
                "source_row": long["source_row"],
                "source_column": long["source_column"],
            }
        )
    )
    return result
