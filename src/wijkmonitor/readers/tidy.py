"""Reader for the project's own tidy CSV: one observation per line, canonical column names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..canonical import OK, STATUSES, ReadResult, read_frame
from ..errors import ReaderError
from .common import CellError, parse_cell, period_from_label, read_text
from .sample import Sample, split_line

REQUIRED = ("indicator", "period", "value")
OPTIONAL = ("area_code", "area_name", "category", "period_label", "status", "n", "sd", "vintage")
# Other names for the same columns, as hand-made tidy files (e.g. transcriptions) use them.
ALIASES = {"year": "period", "publication": "vintage", "indicator_id": "indicator"}


def looks_like(sample: Sample) -> bool:
    """A `,`-separated header naming indicator, period and value (or their aliases)."""
    if sample.kind != "text" or not sample.lines:
        return False
    header = {ALIASES.get(c, c) for c in split_line(sample.lines[0], ",")}
    return set(REQUIRED) <= header and bool({"area_code", "area_name"} & header)


def read_tidy_csv(path: str | Path) -> ReadResult:
    """Read a tidy CSV (`,`-separated, decimal point, no thousands separator: a number with a comma
    is refused) into the canonical read table.

    Columns: indicator, area_code and/or area_name, period, value; optionally category,
    period_label, status (ok, suppressed, missing, not_applicable), n (respondents or
    denominator), sd (standard deviation of a mean, e.g. of a report mark) and vintage (the
    edition; two editions of one figure are both kept). `year`, `publication` and
    `indicator_id` are accepted for period, vintage and indicator; other columns (units, URLs)
    are ignored. A value may also be a missing marker (. x - ? or empty).
    """
    text, encoding = read_text(path)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    result.skip("header row", 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [ALIASES.get(h.strip(), h.strip()) for h in next(reader)]
    except StopIteration:
        raise ReaderError("is empty; expected a header line.", file=str(path),
                          hint="Write the header line: indicator, area_code and/or area_name, period, value.") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing or not ({"area_code", "area_name"} & set(header)):
        need = missing + ([] if {"area_code", "area_name"} & set(header) else ["area_code or area_name"])
        raise ReaderError(
            f"is not a wijkmonitor tidy CSV: missing column(s) {', '.join(need)} in the header.",
            file=str(path),
            row=1,
            hint=f"Expected columns {', '.join(REQUIRED)} plus area_code/area_name and optionally "
            f"{', '.join(OPTIONAL[2:])}.",
        )
    index = {name: i for i, name in enumerate(header)}
    optional = [c for c in OPTIONAL if c in index]
    result.layout = "tidy CSV" + (f" with {', '.join(optional)}" if optional else "") + (
        "; area codes" if "area_code" in index else "; areas by name")
    records = []
    for line_no, fields in enumerate(reader, start=2):
        if not fields or all(not f.strip() for f in fields):
            result.skip("blank row", line_no)
            continue
        if len(fields) != len(header):
            raise ReaderError(
                f"has {len(fields)} fields where the header has {len(header)}.", file=str(path), row=line_no,
                hint="Give every line as many fields as the header; quote values that hold a comma.",
            )

        def get(name: str, fields: list[str] = fields) -> str:
            return fields[index[name]].strip() if name in index else ""

        for column in ("value", "n", "sd"):
            if "," in get(column):
                # The format's rule: a decimal point and no thousands separator, so "1,250" is neither
                # 1250 nor 1.25 for sure; a comma in a number is refused, never guessed.
                raise ReaderError(
                    f"{get(column)!r} has a comma; a tidy CSV writes numbers with a decimal point and no "
                    "thousands separator.", file=str(path), row=line_no, column=column,
                    hint="Write the number as 1250 or 1.25 (whichever it is), without a comma.")
        try:
            value, status = parse_cell(get("value"))
        except CellError as exc:
            raise ReaderError(str(exc), file=str(path), row=line_no, column="value",
                              hint="Correct the cell in the export, or download the file again.") from None
        declared = get("status")
        if declared:
            if declared not in STATUSES:
                raise ReaderError(
                    f"status {declared!r} is not one of {', '.join(STATUSES)}.",
                    file=str(path), row=line_no, column="status",
                    hint="Use one of the statuses listed, or leave the status empty.",
                )
            if (declared == OK) != (value is not None):
                raise ReaderError(
                    f"status {declared!r} does not agree with value {get('value')!r}.",
                    file=str(path), row=line_no, column="status",
                    hint="Make the status and the value agree: ok with a number, another status with a marker or nothing.",
                )
            status = declared
        period_text = get("period")
        period = period_from_label(period_text)
        if period is None:
            raise ReaderError(f"period {period_text!r} names no year.", file=str(path), row=line_no, column="period",
                              hint="Write the period as a year (2023) or a label holding one.")
        extra = {}
        for column in ("n", "sd"):
            text = get(column)
            try:
                extra[column] = parse_cell(text)[0] if text else None
            except CellError as exc:
                raise ReaderError(str(exc), file=str(path), row=line_no, column=column,
                                  hint="Correct the cell in the export, or download the file again.") from None
        records.append(
            {
                "source_indicator": get("indicator"),
                "area_code": get("area_code") or None,
                "area_name": get("area_name") or get("area_code"),
                "category": get("category") or None,
                "period": period,
                "period_label": get("period_label") or period_text,
                "value": value,
                "status": status,
                **extra,
                "vintage": get("vintage") or None,
                "source_row": line_no,
                "source_column": "value",
            }
        )
    result.table = read_frame(records)
    return result
