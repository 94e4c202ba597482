"""Reading one sheet of an xlsx as text, with a clear message when the file is not one.

A workbook is parsed once: `sheet_texts` (the detection sample) keeps the text tables of the
workbook it opened (only the most recent one, keyed by path, size, modification time and inode),
and `read_sheet` (the reader) takes them over and releases the workbook, so no second copy lives on.
Cells become text exactly as `pd.read_excel(path, header=None, dtype=str, engine="calamine")` gives
them (a whole number stored as a float without `.0`, a date as `2023-01-31 00:00:00`, pandas'
default missing-value strings such as `''` or `NA` as NaN), but column by column instead of through
pandas' cell-by-cell conversion and text parser.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas._libs.parsers import STR_NA_VALUES
from python_calamine import CalamineWorkbook, SheetTypeEnum

from ..errors import ReaderError

# The strings pandas reads as missing by default (`keep_default_na`), whatever the dtype.
_NA_TEXT = pa.array(sorted(STR_NA_VALUES), type=pa.large_string())


@dataclass
class _Workbook:
    """The worksheets of one workbook, each read into a text table when first asked for."""

    key: tuple
    book: CalamineWorkbook
    sheet_names: list[str]
    tables: dict[str, pd.DataFrame]


_LAST: list[_Workbook] = []  # the most recently opened workbook (at most one, to bound memory)


def _file_key(path: str | Path) -> tuple:
    stat = os.stat(path)
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def _workbook(path: str | Path) -> _Workbook:
    """The workbook at `path`: the cached one while the file is unchanged, else opened afresh."""
    key = _file_key(path)
    if _LAST and _LAST[0].key == key:
        return _LAST[0]
    _LAST.clear()  # let the previous workbook's tables go before this one is parsed
    book = CalamineWorkbook.from_path(str(path))
    names = [sheet.name for sheet in book.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
    _LAST.append(_Workbook(key=key, book=book, sheet_names=names, tables={}))
    return _LAST[0]


def _cell_text(value: object) -> object:
    """One cell of a non-text column as pandas' calamine reader with dtype=str gives it (NaN: missing)."""
    if isinstance(value, str):
        return np.nan if value in STR_NA_VALUES else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date) and not isinstance(value, datetime):
        return str(datetime(value.year, value.month, value.day))
    return str(value)


def _text_column(cells: tuple) -> pd.Series:
    """A column of calamine cells as pandas text (dtype str), missing strings as NaN."""
    try:
        text = pa.array(cells, type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers, dates or booleans among the cells
        text = pa.array([_cell_text(v) for v in cells], type=pa.large_string(), from_pandas=True)
    text = pc.if_else(pc.is_in(text, value_set=_NA_TEXT), pa.scalar(None, pa.large_string()), text)
    return pd.Series(text, dtype="str")


def text_table(rows: list[list]) -> pd.DataFrame:
    """Calamine rows (`to_python(skip_empty_area=False)`) as pd.read_excel(header=None, dtype=str) reads them."""
    if not rows:
        return pd.DataFrame()
    columns = [_text_column(cells) for cells in zip(*rows, strict=True)]
    table = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=range(len(rows)))
    table.columns = pd.Index(np.arange(len(columns)))
    return table


def _sheet_table(workbook: _Workbook, name: str) -> pd.DataFrame:
    if name not in workbook.tables:
        rows = workbook.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        workbook.tables[name] = text_table(rows)
    return workbook.tables[name]


def sheet_texts(path: str | Path) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """(worksheet names, text table of each worksheet) of a workbook, parsed once and kept for
    `read_sheet`: do not change the tables. Calamine's own errors (a damaged or non-Excel file)
    pass through."""
    workbook = _workbook(path)
    return workbook.sheet_names, {name: _sheet_table(workbook, name) for name in workbook.sheet_names}


def read_sheet(path: str | Path, sheet: int | str | None = None) -> tuple[str, pd.DataFrame]:
    """(sheet name, all cells as text without a header row). Uses calamine: fast and exact.

    With `sheet` None the workbook must have one sheet with content; with several, the reader
    refuses and lists them rather than guess which one holds the data.
    """
    try:
        workbook = _workbook(path)
        names = workbook.sheet_names
        if sheet is None:
            tables = {name: _sheet_table(workbook, name) for name in names}
            filled = [name for name, table in tables.items() if table.notna().any().any()]
            if len(filled) > 1:
                raise ReaderError(
                    f"has {len(filled)} sheets with data ({', '.join(repr(n) for n in filled)}); "
                    "which one to read is not certain.",
                    file=str(path),
                    hint="Set `sheet:` for this source in the config (or --sheet) to the sheet's name.",
                )
            name = filled[0] if filled else names[0]
        elif isinstance(sheet, str) and sheet not in names:
            raise ReaderError(
                f"has no sheet {sheet!r}; its sheets are {', '.join(repr(n) for n in names)}.",
                file=str(path), hint="Set `sheet:` for this source to one of the sheets listed.",
            )
        else:
            name = names[sheet] if isinstance(sheet, int) else sheet
        table = _sheet_table(workbook, name)
    except ReaderError:
        raise
    except FileNotFoundError:
        raise ReaderError("does not exist.", file=str(path),
                          hint="Check the path under `sources:` in the config.") from None
    except Exception as exc:  # calamine raises its own types for corrupt or non-xlsx files
        raise ReaderError(
            f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}).", file=str(path),
            hint="It may be truncated or damaged; download the export again.",
        ) from None
    _LAST.clear()  # the reader owns the table now; a later read of the file parses it again
    return str(name), table
