"""Reading the first sheet of an xlsx as text, with a clear message when the file is not one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ReaderError


def read_sheet(path: str | Path, sheet: int | str = 0) -> tuple[str, pd.DataFrame]:
    """(sheet name, all cells as text without a header row). Uses calamine: fast and exact."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
        name = book.sheet_names[sheet] if isinstance(sheet, int) else sheet
        table = pd.read_excel(book, sheet_name=name, header=None, dtype=str)
    except FileNotFoundError:
        raise ReaderError("does not exist.", file=str(path)) from None
    except Exception as exc:  # calamine raises its own types for corrupt or non-xlsx files
        raise ReaderError(
            f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}).", file=str(path)
        ) from None
    return str(name), table
