"""Reader for Swing dashboard tile CSV exports (Mosaic;Tegel;Indicator;...). STUB."""

from __future__ import annotations

from pathlib import Path

from ..canonical import ReadResult
from .sample import Sample


def looks_like(sample: Sample) -> bool:
    return False


def read_swing_tiles_csv(path: str | Path) -> ReadResult:
    raise NotImplementedError
