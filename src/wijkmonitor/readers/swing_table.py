"""Reader for the table exports of Swing portals other than the Thema's report (Rotterdam's
onderzoek010.nl, for one): one indicator, areas as rows, years (and a category) over the columns.

Shape (one sheet; every cell stored as text, numbers too, in Dutch notation):

    ZZP-ers - Buurten                                      title: the indicator, then the area level
    (empty)             | 2009 |          | 2014 | ...     year row: each year over its columns
    (empty)             | zzp  | geen zzp | zzp  | ...     category row
    Buurt Stadsdriehoek | 120  | 1500     | .    | ...     one row per area, names as written
    Gemeente Rotterdam  | 9800 | 12,5     |      | ...     (the total is an area too)
    (blank)
    Speciale waarden    | . = geheim                       legend (continuation rows have an
                        | ? = onbekend                     empty first cell)
    Eenheid             | aantal                           unit
    Bron                | CBS, bewerking OBI               source line
    Website             | https://onderzoek010.nl          portal name
    Datum export        | 12-03-2024                       export date

A header label covers its columns in one of three ways, and the reader takes the file's word for
it: a merged cell spanning them, the label repeated in every column, or one label per column (a
single header row is a single dimension). An empty header cell outside a merged range is refused:
whether the label to its left extends over it is not certain, so it is never filled forward.
Either header row may carry the years (`2019`; school year `2019/2020` -> 2020): the year row is
the one whose every label names a year; the other gives the category. Without a year row the
period comes from the title (`ZZP-ers - Buurten - 2022`) or the `period` option.

The footer is read as in Thema's reports (`themas.read_body`): labelled blocks with continuation
rows, skipped with their reason and kept in the notes; the `Eenheid` block gives the unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import python_calamine

from ..canonical import OK, ReadResult, read_frame
from ..errors import ReaderError
from .common import check_notation, parse_notation, period_from_label, refuse_bad_cell
from .excel import read_sheet
from .sample import Sample
from .themas import _TITLE as THEMAS_TITLE
from .themas import _column_letter, cell_text, read_body

# A merged range as calamine gives it: ((first row, first column), (last row, last column)), 0-based.
Merge = tuple[tuple[int, int], tuple[int, int]]
MERGED, REPEATED, ONE_EACH = "merged cells", "labels repeated over their columns", "one label per column"


@dataclass(frozen=True)
class HeaderRow:
    """One header row: its number (1-based), a label per value column and how labels span columns."""

    number: int
    labels: list[str]
    spans: str

    def years(self) -> list[int | None]:
        return [period_from_label(label) for label in self.labels]


@dataclass(frozen=True)
class ValueColumn:
    """A value column (0-based position) with its period and category, and its labels as written."""

    number: int
    period: int
    period_label: str
    category: str | None
    header: str  # the source_column: the column's labels top to bottom, `2014 | zzp`


def _header_block(rows: list[list[str]]) -> tuple[list[str], list[list[str]]] | None:
    """(title, header rows) of rows shaped like a table export: a one-cell title, then one or two
    rows with an empty first cell and labels, then a row with a name in the first cell."""
    filled = [row for row in rows if any(row)]
    if len(filled) < 3 or not filled[0][0] or any(filled[0][1:]):
        return None
    headers = []
    for row in filled[1:]:
        if row[0]:
            break
        headers.append(row)
    if not 1 <= len(headers) <= 2 or len(headers) == len(filled) - 1:
        return None
    return filled[0], headers


def looks_like(sample: Sample) -> bool:
    """A sheet with a one-cell title (not "Thema's"), then one or two header rows with an empty
    first cell, one of them with a year over each labelled column, then an area row."""
    if sample.kind != "excel":
        return False
    for rows in sample.sheets.values():
        block = _header_block(rows)
        if block is None or THEMAS_TITLE.match(block[0][0]):
            continue
        labels = [[t for t in row[1:] if t] for row in block[1]]
        if any(row and all(period_from_label(t) is not None for t in row) for row in labels):
            return True
    return False


def merged_ranges(path: str | Path, sheet: str) -> list[Merge]:
    """The sheet's merged ranges (calamine reads them from the sheet's XML without loading cells)."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return list(book.get_sheet_by_name(sheet).merged_cell_ranges or [])
    except Exception as exc:  # calamine raises its own types for damaged files
        raise ReaderError(f"its merged cells cannot be read ({type(exc).__name__}: {exc}).",
                          file=str(path), hint="The workbook may be damaged; download the export again.") from None


def spread_labels(path: str | Path, number: int, lines: list[list[str]], merges: list[Merge],
                  width: int) -> HeaderRow:
    """The label over each value column (positions 1..width-1) of header row `number` (1-based).

    A merged range gives its label to every column it covers; an empty cell outside a merged
    range is refused, naming the label to its left that might (or might not) extend over it.
    """
    line = lines[number - 1]
    labels = [line[c] if c < len(line) else "" for c in range(width)]
    merged = False
    for (top, left), (bottom, right) in merges:
        if top <= number - 1 <= bottom and right >= 1:
            for column in range(max(left, 1), right + 1):
                labels[column] = lines[top][left]
                merged = True
    empty = next((c for c in range(1, width) if not labels[c]), None)
    if empty is not None:
        before = next((c for c in range(empty - 1, 0, -1) if labels[c]), None)
        raise ReaderError(
            f"header row has no label over column {_column_letter(empty)}"
            + (f"; the label {labels[before]!r} in column {_column_letter(before)} is neither merged over it "
               "nor repeated in it, and is not assumed to extend over it (no forward filling)."
               if before is not None else "."),
            file=str(path), row=number, column=_column_letter(empty),
            hint="Merge the label's cells over the columns it covers, or repeat it in each, and read the file again.",
        )
    repeated = any(labels[c] == labels[c - 1] for c in range(2, width))
    return HeaderRow(number, labels[1:], MERGED if merged else REPEATED if repeated else ONE_EACH)


def _year_row(path: str | Path, headers: list[HeaderRow]) -> HeaderRow | None:
    """The header row whose every label names a year; refuses two such rows, or a row of years
    with a label that is not one (when no other row is all years)."""
    all_years = [h for h in headers if all(y is not None for y in h.years())]
    if len(all_years) > 1:
        raise ReaderError(
            "both header rows name a year over every column; which one is the period is not certain.",
            file=str(path), row=headers[-1].number,
            hint="Set `format:` for this source to a format that states its periods.",
        )
    if all_years:
        return all_years[0]
    mixed = [h for h in headers if any(y is not None for y in h.years())]
    if mixed:
        row = mixed[0]
        column = next(i for i, y in enumerate(row.years()) if y is None)
        raise ReaderError(
            f"header row names years over some columns but {row.labels[column]!r} over column "
            f"{_column_letter(column + 1)}; every column of a year row needs a year.",
            file=str(path), row=row.number, column=_column_letter(column + 1),
            hint="Export the table again with the years as one header row, or remove the column.",
        )
    if len(headers) == 2:
        raise ReaderError(
            "neither header row names years; which one is the period is not certain.",
            file=str(path), row=headers[0].number,
            hint="Export the table again with the years (perioden) as one of the two header rows.",
        )
    return None


def title_parts(path: str | Path, title: str, title_row: int) -> tuple[str, int | None, str | None]:
    """(indicator, year, year label) of a title `ZZP-ers - Buurten` or `ZZP-ers - Buurten - 2022`."""
    parts = [p.strip() for p in re.split(r"\s+[-\u2013]\s+", title)]
    if not parts[0]:
        raise ReaderError(f"its title ({title!r}) names no indicator.", file=str(path), row=title_row,
                          hint="The title row should read '<indicator> - <area level>' as the portal exports it.")
    label = next((p for p in parts[1:] if period_from_label(p) is not None), None)
    return parts[0], (period_from_label(label) if label else None), label


def fixed_period(path: str | Path, year_row: HeaderRow | None, title_period: tuple[int | None, str | None],
                 title_row: int, period: int | None) -> tuple[int, str] | None:
    """(year, label) of every column when the header has no year row: the title's, else `period`.
    `period` is refused when the header names years or contradicts the title."""
    title_year, title_label = title_period
    if year_row is not None:
        if period is not None:
            raise ReaderError(f"names its years in header row {year_row.number}; the `period` option does not apply.",
                              file=str(path), hint="Remove `period:` for this source.")
        return None
    if title_year is not None and period is not None and int(period) != title_year:
        raise ReaderError(f"its title says {title_year}, but `period` is set to {period}.",
                          file=str(path), row=title_row, hint="Remove `period:` for this source, or check the file.")
    if title_year is None and period is None:
        raise ReaderError("has no year row and names no year in its title.", file=str(path),
                          row=title_row, hint="Set `period:` for this source in the config.")
    return (title_year, title_label) if title_year is not None else (int(period), str(period))


def value_columns(path: str | Path, headers: list[HeaderRow], year_row: HeaderRow | None,
                  period: tuple[int, str] | None) -> list[ValueColumn]:
    """The value columns with their period and category; two columns for the same figure are refused."""
    category_row = next((h for h in headers if h is not year_row), None)
    columns, seen = [], {}
    for i in range(len(headers[0].labels)):
        year, label = (year_row.years()[i], year_row.labels[i]) if year_row else period
        category = category_row.labels[i] if category_row else None
        column = ValueColumn(i + 1, year, label, category, " | ".join(h.labels[i] for h in headers))
        if (year, category) in seen:
            raise ReaderError(
                f"column {_column_letter(i + 1)} ({column.header!r}) holds the same period and category as "
                f"column {_column_letter(seen[year, category])}.",
                file=str(path), row=headers[-1].number, column=_column_letter(i + 1),
                hint="Remove one of the two columns from the export.",
            )
        seen[year, category] = i + 1
        columns.append(column)
    return columns


def parse_cells(long: pd.DataFrame, path: str | Path) -> tuple[pd.Series, pd.Series, str]:
    """(value, status, how values are stored) of the melted cells: text in Dutch notation or a
    marker, or a number stored as a number. The first other cell is refused with its row and column."""
    cell = long["cell"]
    kinds = cell.map(type)
    stored_number = kinds.isin([int, float]) & cell.notna()
    value, status, bad, notation = parse_notation(cell.where(~stored_number, None), decimal=",")
    value = value.mask(stored_number, pd.to_numeric(cell.where(stored_number), errors="coerce"))
    status = status.mask(stored_number, OK)
    bad &= ~stored_number
    # Text cells keep to one decimal notation per column (stored numbers have none); then the
    # first bad cell is refused with its row and column.
    check_notation(long, notation, path, "source_column", decimal=",")
    refuse_bad_cell(long, bad, path, "source_column")
    text, numbers = bool(kinds.eq(str).any()), bool(stored_number.any())
    return value, status, "text and numbers" if text and numbers else "numbers" if numbers else "text"


def _layout(headers: list[HeaderRow], year_row: HeaderRow | None, stored: str) -> str:
    """`Swing table export: title, year row (merged cells) and category row (...); values stored as text`."""
    rows = [f"{'year' if h is year_row else 'category'} row ({h.spans})" for h in headers]
    shape = "title, " + " and ".join(rows) if len(rows) == 2 else f"title and {rows[0]}"
    if year_row is None:
        shape += "; period from the title or `period`"
    elif len(rows) == 1:
        shape += "; no category"
    return f"Swing table export: {shape}; values stored as {stored}"


def read_swing_table_xlsx(path: str | Path, period: int | None = None, sheet: str | None = None) -> ReadResult:
    """Read a Swing table export into the canonical read table (one row per area and value column).

    Title, header, blank and footer rows are recorded as skipped; the title and the footer's
    source lines, portal name and export date go into the notes.
    """
    name, _ = read_sheet(path, sheet)
    table = pd.read_excel(path, sheet_name=name, header=None, engine="calamine")
    rows = [(number, list(cells), [cell_text(c) for c in cells])
            for number, cells in enumerate(table.itertuples(index=False), start=1)]
    lines = [line for _, _, line in rows]
    block = _header_block(lines)
    if block is None:
        raise ReaderError(
            "is not a Swing table export: expected a one-cell title row, then one or two header rows "
            "with an empty first cell, then the area rows.", file=str(path),
            hint="Check the export, or set `format:` for this source to the format it has (`wijkmonitor formats`).",
        )
    title_row = next(number for number, _, line in rows if any(line))
    header_numbers = [number for number, _, line in rows[title_row:] if any(line)][:len(block[1])]
    merges = [m for m in merged_ranges(path, name) if m[0][0] + 1 <= header_numbers[-1]
              and m[1][0] + 1 >= header_numbers[0]]
    width = 1 + max([max((c for c, t in enumerate(lines[n - 1]) if t), default=0) for n in header_numbers]
                    + [m[1][1] for m in merges])
    headers = [spread_labels(path, n, lines, merges, width) for n in header_numbers]
    year_row = _year_row(path, headers)
    indicator, title_year, title_label = title_parts(path, lines[title_row - 1][0], title_row)
    fixed = fixed_period(path, year_row, (title_year, title_label), title_row, period)
    columns = value_columns(path, headers, year_row, fixed)

    result = ReadResult(table=pd.DataFrame(), notes=[lines[title_row - 1][0]])
    for number in range(1, header_numbers[-1] + 1):
        result.skip("title row" if number == title_row else "header row" if number in header_numbers
                    else "blank row", number)
    body = read_body(path, rows[header_numbers[-1]:], {c.number for c in columns}, result)
    units = list(dict.fromkeys(body.footer.get("unit", [])))
    if len(units) > 1:
        raise ReaderError(f"its Eenheid footer names several units ({', '.join(map(repr, units))}); "
                          "which column has which is not certain.", file=str(path),
                          row=result.skipped["unit"][0],
                          hint="Export one indicator (one unit) per table.")

    areas = pd.DataFrame([[number, area] + [cells[c.number] for c in columns] for number, area, cells in body.areas],
                         columns=["source_row", "area_name"] + [c.number for c in columns])
    long = areas.melt(id_vars=["source_row", "area_name"], var_name="number", value_name="cell")

    def of_column(field: str) -> pd.Series:
        return long["number"].map({c.number: getattr(c, field) for c in columns})

    long["source_column"] = of_column("header")
    value, status, stored = parse_cells(long, path)
    result.layout = _layout(headers, year_row, stored)
    result.table = read_frame({
        "source_indicator": indicator, "area_code": None, "area_name": long["area_name"],
        "category": of_column("category"), "period": of_column("period"), "period_label": of_column("period_label"),
        "value": value, "status": status, "provisional": False,
        "source_unit": units[0] if units else None,
        "source_row": long["source_row"], "source_column": long["source_column"],
    })
    return result
