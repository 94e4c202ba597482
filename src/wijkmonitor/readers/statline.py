"""Readers for CBS StatLine CSV downloads (regions as rows, or transposed). STUB."""

from __future__ import annotations

from pathlib import Path

from ..canonical import ReadResult
from .sample import Sample


def looks_like(sample: Sample) -> bool:
    return False


def looks_like_transposed(sample: Sample) -> bool:
    return False


def read_statline_csv(path: str | Path, period: int | None = None) -> ReadResult:
    raise NotImplementedError


def read_statline_transposed_csv(path: str | Path, period: int | None = None) -> ReadResult:
    raise NotImplementedError
