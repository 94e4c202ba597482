"""Reader for Swing "Thema's" xlsx reports (title row, header row, one row per area, footer). STUB."""

from __future__ import annotations

from pathlib import Path

from ..canonical import ReadResult
from .sample import Sample


def looks_like(sample: Sample) -> bool:
    return False


def read_swing_themas_xlsx(path: str | Path, period: int | None = None, sheet: str | None = None) -> ReadResult:
    raise NotImplementedError
