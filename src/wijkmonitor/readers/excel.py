"""Reading one sheet of an xlsx as text, with a clear message when the file is not one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ReaderError


def read_sheet(path: str | Path, sheet: int | str | None = None) -> tuple[str, pd.DataFrame]:
    """(sheet name, all cells as text without a header row). Uses calamine: fast and exact.

    With `sheet` None the workbook must have one sheet with content; with several, the reader
    refuses and lists them rather than guess which one holds the data.
    """
    try:
        book = pd.ExcelFile(path, engine="calamine")
        if sheet is None:
            tables = {
                str(name): pd.read_excel(book, sheet_name=name, header=None, dtype=str)
                for name in book.sheet_names
            }
            filled = [name for name, table in tables.items() if table.notna().any().any()]
            if len(filled) > 1:
                raise ReaderError(
                    f"has {len(filled)} sheets with data ({', '.join(repr(n) for n in filled)}); "
                    "which one to read is not certain.",
                    file=str(path),
                    hint="Set `sheet:` for this source in the config (or --sheet) to the sheet's name.",
                )
            name = filled[0] if filled else str(book.sheet_names[0])
            return name, tables[name]
        if isinstance(sheet, str) and sheet not in book.sheet_names:
            raise ReaderError(
                f"has no sheet {sheet!r}; its sheets are {', '.join(repr(n) for n in book.sheet_names)}.",
                file=str(path),
            )
        name = book.sheet_names[sheet] if isinstance(sheet, int) else sheet
        table = pd.read_excel(book, sheet_name=name, header=None, dtype=str)
    except ReaderError:
        raise
    except FileNotFoundError:
        raise ReaderError("does not exist.", file=str(path)) from None
    except Exception as exc:  # calamine raises its own types for corrupt or non-xlsx files
        raise ReaderError(
            f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}).", file=str(path)
        ) from None
    return str(name), table
