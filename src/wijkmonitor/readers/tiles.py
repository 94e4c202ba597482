"""Reader for Swing dashboard tile CSV exports: one line per value of a dashboard tile.

Shape (every field quoted, `;`-separated, each data line ending in `;`, so one field more than
the header, and that field empty):

    "Mosaic";"Tegel";"Indicator";"Eenheid";"Periode";"gebied / dimensie";"Waarde";"Bron";"Omschrijving"
    "Wijkprofiel";"Inkomen";"Laag inkomen";"%";"november 2021";"Overvecht";"18,2";"CBS";"Aandeel ...";

Mosaic and Tegel name the dashboard and its tile; Periode is a month (`november 2021`) or a year;
Waarde is in Dutch notation, maybe with a `%` suffix, or a marker (`?` missing). Mosaic, Tegel,
Bron and Omschrijving describe the figures and go into the notes, once per distinct value.
UTF-8 (with or without BOM) or cp1252, LF or CRLF.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import parse_long_cells, period_from_label, read_text
from .sample import Sample, split_line

HEADER = ("Mosaic", "Tegel", "Indicator", "Eenheid", "Periode", "gebied / dimensie", "Waarde", "Bron",
          "Omschrijving")
# A data line ends in `;`: the header's fields and an empty one.
ROW_FIELDS = len(HEADER) + 1


def is_tile_header(fields: list[str]) -> bool:
    """The header's names, case-insensitive (a trailing empty field after a closing `;` allowed)."""
    names = fields[:-1] if fields and not fields[-1] else fields
    return [n.strip().casefold() for n in names] == [h.casefold() for h in HEADER]


def looks_like(sample: Sample) -> bool:
    """A text file whose first line is exactly the tile header (Mosaic;Tegel;Indicator;...)."""
    return sample.kind == "text" and bool(sample.lines) and is_tile_header(split_line(sample.lines[0], ";"))


def tile_rows(path: str | Path, text: str, result: ReadResult) -> pd.DataFrame:
    """The data lines as a frame with the header's columns and `source_row` (the line a row starts on,
    as an editor shows it). Blank lines are recorded as skipped; a line with another number of fields,
    or with something after its trailing `;`, is refused."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, [])
    if not is_tile_header(header):
        raise ReaderError(
            f"is not a Swing dashboard tile CSV: the first line should be {';'.join(HEADER)}.",
            file=str(path), row=1,
            hint="Set `format:` for this source to the format the file has (`wijkmonitor formats` lists them).",
        )
    result.skip("header row", 1)
    records = []
    start = reader.line_num + 1
    for fields in reader:
        row, start = start, reader.line_num + 1
        if not any(f.strip() for f in fields):
            result.skip("blank row", row)
            continue
        if len(fields) != ROW_FIELDS:
            raise ReaderError(
                f"has {len(fields)} fields where a tile row has {ROW_FIELDS} (the {len(HEADER)} named in the "
                "header and an empty one after the closing ';').", file=str(path), row=row,
                hint="The file may be cut off, or a field may hold an unquoted ';'.",
            )
        if fields[-1].strip():
            raise ReaderError(
                f"has {fields[-1].strip()!r} after its last column (Omschrijving), where a tile row ends "
                "with an empty field.", file=str(path), row=row,
                hint="A field may hold an unquoted ';'; check the export.",
            )
        records.append([f.strip() for f in fields[:-1]] + [row])
    return pd.DataFrame(records, columns=[*HEADER, "source_row"])


def require_filled(path: str | Path, rows: pd.DataFrame, column: str) -> None:
    """Refuse the first row whose `column` is empty."""
    empty = rows[column] == ""
    if empty.any():
        raise ReaderError(f"has no {column}.", file=str(path), row=int(rows.loc[empty, "source_row"].iloc[0]),
                          column=column, hint="Export the tiles again from the dashboard.")


def describe(rows: pd.DataFrame) -> list[str]:
    """Notes on the dashboards, tiles, sources and descriptions, once per distinct value."""
    notes = []
    for column in ("Mosaic", "Tegel", "Bron"):
        notes += [f"{column}: {v}" for v in rows[column].drop_duplicates() if v]
    described = rows[["Indicator", "Omschrijving"]].drop_duplicates()
    notes += [f"Omschrijving {i}: {o}" for i, o in described.itertuples(index=False) if o]
    return notes


def read_swing_tiles_csv(path: str | Path) -> ReadResult:
    """Read a Swing dashboard tile CSV into the canonical read table (one row per line)."""
    text, encoding = read_text(path)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    rows = tile_rows(path, text, result)
    for column in ("Indicator", "gebied / dimensie", "Periode"):
        require_filled(path, rows, column)
    periods = rows["Periode"].map(period_from_label)
    if periods.isna().any():
        first = rows[periods.isna()].iloc[0]
        raise ReaderError(f"period {first['Periode']!r} names no year.", file=str(path),
                          row=int(first["source_row"]), column="Periode",
                          hint="Export the tiles again from the dashboard.")
    long = rows.assign(cell=rows["Waarde"], source_column="Waarde")
    value, status = parse_long_cells(long, path, "source_column", decimal=",")
    # The unit the Eenheid column states, else the `%` a value carries.
    unit = rows["Eenheid"].where(rows["Eenheid"] != "", rows["Waarde"].str.endswith("%").map({True: "%"}))
    result.notes += describe(rows)
    result.layout = f"Swing dashboard tile CSV, {rows['Tegel'].nunique()} tiles, one figure per line"
    result.table = read_frame(pd.DataFrame({
        "source_indicator": rows["Indicator"],
        "area_code": pd.NA,
        "area_name": rows["gebied / dimensie"],
        "category": pd.NA,
        "period": periods.astype("Int64"),
        "period_label": rows["Periode"],
        "value": value,
        "status": status,
        "n": pd.NA,
        "source_unit": unit,
        "source_row": rows["source_row"],
        "source_column": long["source_column"],
    }))
    return result
