"""A cheap look at the start of a file, for format detection and `wijkmonitor inspect`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ReaderError
from .common import read_text
from .excel import sheet_texts

SAMPLE_LINES = 60
SAMPLE_ROWS = 40
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# The signature each Excel suffix must start with: a zip (xlsx) or an OLE2 compound file (BIFF .xls).
_EXCEL_MAGIC = {".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
# Zip (xlsx) and the old binary Excel format: not text whatever the suffix says.
_BINARY_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass
class Sample:
    """The first lines (text) or rows (each sheet of a workbook), or the parsed JSON, of a file."""

    path: Path
    kind: str  # "text", "excel" or "json"
    encoding: str | None = None
    lines: list[str] = field(default_factory=list)
    sheets: dict[str, list[list[str]]] = field(default_factory=dict)
    json: object = None

    @property
    def rows(self) -> list[list[str]]:
        """The first sheet's first rows, cells as stripped text ('' for empty)."""
        return next(iter(self.sheets.values()), [])


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def take_sample(path: str | Path) -> Sample:
    """Sample a file; a file that is empty, binary or unreadable raises ReaderError naming it."""
    path = Path(path)
    if not path.exists():
        raise ReaderError("does not exist.", file=str(path), hint="Check the path under `sources:` in the config.")
    if path.is_dir():
        raise ReaderError("is a folder, not a file.", file=str(path),
                          hint="Give the path of a file in it under `sources:` in the config.")
    size = path.stat().st_size
    if size == 0:
        raise ReaderError("is empty (0 bytes).", file=str(path), hint="Download the export again.")
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if suffix in EXCEL_SUFFIXES:
        if not head.startswith(_EXCEL_MAGIC[suffix]):
            what = "an xls (BIFF) workbook" if suffix == ".xls" else "an xlsx workbook (no zip signature)"
            raise ReaderError(
                f"has an Excel suffix but is not {what}.", file=str(path),
                hint="Open it in Excel and save it as .xlsx, or give it the suffix of what it is.",
            )
        try:
            # The whole workbook is parsed (calamine has no lazy rows) and kept for `read_sheet`.
            names, tables = sheet_texts(path)
            sheets = {str(name): [[_cell(v) for v in row] for row in tables[name].head(SAMPLE_ROWS).itertuples(index=False)]
                      for name in names}
        except Exception as exc:  # calamine raises its own types for corrupt or truncated files
            raise ReaderError(
                f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}); "
                "it may be truncated or damaged.", file=str(path), hint="Download the export again.",
            ) from None
        return Sample(path=path, kind="excel", sheets=sheets)
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise ReaderError(
            "is a binary file, not text" + (f" although its suffix is {suffix!r}" if suffix else "") + ".",
            file=str(path), hint="Export the data as CSV or xlsx.",
        )
    text, encoding = read_text(path)
    if suffix == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReaderError(
                f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); it may be truncated.",
                file=str(path), row=exc.lineno, hint="Download the file again.",
            ) from None
        return Sample(path=path, kind="json", encoding=encoding, json=data)
    if not text.strip():
        raise ReaderError("holds only blank lines.", file=str(path), hint="Download the export again.")
    return Sample(path=path, kind="text", encoding=encoding, lines=text.splitlines()[:SAMPLE_LINES])


def split_line(line: str, delimiter: str) -> list[str]:
    """One CSV line's fields, stripped (quotes removed)."""
    import csv
    import io

    return [f.strip() for f in next(csv.reader(io.StringIO(line), delimiter=delimiter), [])]


def first_nonblank(lines: list[str]) -> str:
    return next((line for line in lines if line.strip().strip(";,").strip()), "")
