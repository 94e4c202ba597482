"""Reader for Utrecht in Cijfers / Swing ("incijfers") wide CSV exports.

Shape: `"Niveau";"<indicator>|<year>";...` or `"<indicator>|<category>|<year>"`, one row per area
(names as the portal writes them, e.g. `Subwijk Zuilen-west`), the city last; Dutch notation.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import CellError, parse_cell, period_from_label, read_text
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


def read_swing_csv(path: str | Path) -> ReadResult:
    """Read a Swing wide CSV export into the canonical read table (one row per cell)."""
    text, encoding = read_text(path)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    result.skip("header row", 1)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    if not rows:
        raise ReaderError("is empty; expected a Swing export header.", file=str(path))
    header = [h.strip() for h in rows[0]]
    if len(header) < 2:
        raise ReaderError(
            "has no ';'-separated columns; a Swing export starts with \"Niveau\";\"<indicator>|<year>\".",
            file=str(path), row=1,
        )
    columns = []
    for col_no, name in enumerate(header[1:], start=2):
        try:
            indicator, category, period_label = parse_swing_header(name)
        except ValueError:
            raise ReaderError(
                f"header {name!r} is not of the form '<indicator>|<year>' or '<indicator>|<category>|<year>'.",
                file=str(path), row=1, column=name,
            ) from None
        period = period_from_label(period_label)
        if period is None or not indicator:
            raise ReaderError(
                f"header {name!r} names no indicator or no year.", file=str(path), row=1, column=name
            )
        columns.append((col_no, name, indicator, category, period, period_label))
    seen: dict[tuple, str] = {}
    for _, name, indicator, category, period, _ in columns:
        key = (indicator, category, period)
        if key in seen:
            raise ReaderError(
                f"two columns describe the same indicator, category and year ({seen[key]!r} and {name!r}); "
                "the export lost a dimension.",
                file=str(path), row=1, column=name,
                hint="Export again with the dimension in the header.",
            )
        seen[key] = name
    records = []
    for line_no, fields in enumerate(rows[1:], start=2):
        if not fields or all(not f.strip() for f in fields):
            result.skip("blank row", line_no)
            continue
        if len(fields) != len(header):
            raise ReaderError(
                f"has {len(fields)} fields where the header has {len(header)}.", file=str(path), row=line_no
            )
        area_name = fields[0].strip()
        if not area_name:
            raise ReaderError("has values but no area name in the first column.", file=str(path), row=line_no)
        for col_no, name, indicator, category, period, period_label in columns:
            try:
                value, status = parse_cell(fields[col_no - 1], decimal=",")
            except CellError as exc:
                raise ReaderError(str(exc), file=str(path), row=line_no, column=name) from None
            records.append(
                {
                    "source_indicator": indicator,
                    "area_code": None,
                    "area_name": area_name,
                    "category": category,
                    "period": period,
                    "period_label": period_label,
                    "value": value,
                    "status": status,
                    "n": None,
                    "source_row": line_no,
                    "source_column": name,
                }
            )
    result.table = read_frame(records)
    return result
