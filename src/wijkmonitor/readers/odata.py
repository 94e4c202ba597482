"""Reader for CBS OData TypedDataSet/UntypedDataSet tables saved as xlsx or JSON. STUB."""

from __future__ import annotations

from pathlib import Path

from ..canonical import ReadResult
from .sample import Sample


def looks_like(sample: Sample) -> bool:
    return False


def read_cbs_odata(path: str | Path, metadata: str | None = None, sheet: str | None = None) -> ReadResult:
    raise NotImplementedError
