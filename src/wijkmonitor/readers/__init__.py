"""Readers: each a pure function from one raw file to the canonical read table (see canonical.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import ReaderError
from .common import read_text
from .excel import read_sheet
from .kwb import read_cbs_kwb_xlsx
from .rivm import DIMENSIONS as RIVM_DIMENSIONS
from .rivm import read_rivm_50090_xlsx
from .swing import read_swing_csv
from .tidy import ALIASES as TIDY_ALIASES
from .tidy import REQUIRED as TIDY_REQUIRED
from .tidy import read_tidy_csv

READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "tidy_csv": read_tidy_csv,
    "swing_csv": read_swing_csv,
    "cbs_kwb_xlsx": read_cbs_kwb_xlsx,
    "rivm_50090_xlsx": read_rivm_50090_xlsx,
}
FORMATS = tuple(READERS)


def detect_format(path: str | Path) -> str:
    """The reader for a file, judged from its header; refuses (listing the candidates) when unsure."""
    path = Path(path)
    suffix = path.suffix.lower()
    candidates: list[str] = []
    if suffix in (".xlsx", ".xlsm"):
        _, table = read_sheet(path)
        header = {str(c).strip() for c in table.iloc[0]} if len(table) else set()
        if {"gwb_code_10", "regio", "recs"} <= header or {"gwb_code", "regio", "recs"} <= header:
            candidates.append("cbs_kwb_xlsx")
        if set(RIVM_DIMENSIONS) <= header:
            candidates.append("rivm_50090_xlsx")
    elif suffix in (".csv", ".txt"):
        text, _ = read_text(path)
        first_line = text.splitlines()[0] if text else ""
        comma = next(csv.reader(io.StringIO(first_line)), [])
        if set(TIDY_REQUIRED) <= {TIDY_ALIASES.get(c.strip(), c.strip()) for c in comma}:
            candidates.append("tidy_csv")
        semi = next(csv.reader(io.StringIO(first_line), delimiter=";"), [])
        if len(semi) >= 2 and all("|" in c for c in semi[1:]):
            candidates.append("swing_csv")
    if len(candidates) == 1:
        return candidates[0]
    raise ReaderError(
        "format could not be detected"
        + (f" (it could be {' or '.join(candidates)})." if candidates else " from its header."),
        file=str(path),
        hint=f"Set `format:` for this source in the config to one of: {', '.join(FORMATS)}.",
    )


def read_file(path: str | Path, fmt: str = "auto", **options) -> tuple[str, pd.DataFrame]:
    """(format used, canonical read table) for one raw file."""
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in READERS:
        raise ReaderError(f"unknown format {fmt!r}; use one of: auto, {', '.join(FORMATS)}.", file=str(path))
    if not Path(path).exists():
        raise ReaderError("does not exist.", file=str(path))
    reader = READERS[fmt]
    accepted = {k: v for k, v in options.items() if v is not None and k in reader.__code__.co_varnames}
    return fmt, reader(path, **accepted)
