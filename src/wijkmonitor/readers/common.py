"""Cell parsing shared by the readers: numbers in Dutch and English notation, missing markers, encodings."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from ..canonical import MARKERS, OK
from ..errors import ReaderError

_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


class CellError(ValueError):
    """A cell that is neither a number nor a known marker."""


def parse_cell(text: object, *, decimal: str = ".") -> tuple[float | None, str]:
    """Parse one cell into (value, status).

    `decimal` is the decimal separator of the source ("," for Dutch exports, where "." then
    separates thousands). Markers (".", "x", "-", "?", empty) give (None, status); a number
    gives (value, "ok"). Anything else raises CellError: never a silent guess or a zero.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, MARKERS[""]
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text), OK
    raw = str(text).strip()
    if raw in MARKERS:
        return None, MARKERS[raw]
    cleaned = raw.replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if decimal == ",":
        # Dutch: "1.600" is sixteen hundred, "18,2" is eighteen point two.
        if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
            cleaned = cleaned.replace(".", "")
        cleaned = cleaned.replace(",", ".")
    else:
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
            cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cleaned):
        raise CellError(f"{raw!r} is not a number or a known missing marker (. x - ? or empty)")
    return float(cleaned), OK


def years_in(text: object) -> list[int]:
    """The standalone years (19xx, 20xx) in a text, in order: `buurt_2023_14102024` -> [2023]."""
    return [int(m.group(0)) for m in _YEAR.finditer(str(text or ""))]


def period_from_label(label: str) -> int | None:
    """The year a period label describes: `2023`, `2016JJ00`, `schooljaar 2022/2023` (-> 2023)."""
    years = years_in(label)
    return years[-1] if years else None


def read_text(path: str | Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with: UTF-8 (with or without BOM), else cp1252."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ReaderError(
            f"cannot be decoded as UTF-8 or Windows-1252 (byte {exc.start}).",
            file=str(path),
            hint="Export the file again as UTF-8 text.",
        ) from None


def strip_cell(text: object) -> str:
    """A cell as stripped text ('' for empty)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text).strip()


_NUMBER_POINT = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"


def parse_series(cells: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised parse_cell for text cells.

    Returns (value, status, bad) where `bad` is a boolean mask of cells that are neither a
    number nor a marker; the caller reports them with their row and column.
    """
    text = cells.astype("string").fillna("").str.strip()
    status = pd.Series(OK, index=text.index, dtype="string")
    for marker_status in set(MARKERS.values()):
        markers = [m for m, st in MARKERS.items() if st == marker_status]
        status = status.mask(text.isin(markers), marker_status)
    is_marker = text.isin(list(MARKERS))
    cleaned = text.str.replace("\u2212", "-", regex=False).str.replace(r"[\s\u00a0]", "", regex=True)
    cleaned = cleaned.str.removesuffix("%")
    if decimal == ",":
        thousands = cleaned.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?").fillna(False)
        cleaned = cleaned.where(~thousands, cleaned.str.replace(".", "", regex=False))
        cleaned = cleaned.str.replace(",", ".", regex=False)
    else:
        thousands = cleaned.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?").fillna(False)
        cleaned = cleaned.where(~thousands, cleaned.str.replace(",", "", regex=False))
    numeric = cleaned.str.fullmatch(_NUMBER_POINT).fillna(False)
    bad = ~is_marker & ~numeric
    value = pd.to_numeric(cleaned.where(numeric & ~is_marker), errors="coerce").astype("Float64")
    return value, status, bad


def parse_long_cells(long: pd.DataFrame, path: str | Path, column_field: str,
                     *, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """(value, status) of a melted table's `cell` column; the first cell that is neither a number
    nor a marker ends the read with its row (`source_row`) and column (`column_field`)."""
    value, status, bad = parse_series(long["cell"], decimal=decimal)
    if bad.any():
        first = long[bad].iloc[0]
        raise ReaderError(
            f"{first['cell']!r} is not a number or a known missing marker (. x - ? or empty).",
            file=str(path), row=int(first["source_row"]), column=str(first[column_field]),
        )
    return value, status
