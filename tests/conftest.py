"""Shared fixtures: the repository root and the third-party data in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# Property tests search the same examples on every run, so CI results do not depend on luck.
settings.register_profile("wijkmonitor", derandomize=True, print_blob=True)
settings.load_profile("wijkmonitor")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"

skip_without_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"third-party test data not found at {SHARED_DATA} (the folder ../shared/data beside the repository)",
)


def job_counts(output: str) -> dict[str, int]:
    """Snakemake's dry-run "Job stats" table as rule -> number of jobs."""
    table = output[output.index("Job stats:"):].splitlines()[3:]
    counts = {}
    for line in table:
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            break
        counts[parts[0]] = int(parts[1])
    return counts


def cell(frame, **where):
    """The one row of a read table where every column has the given value."""
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"{len(rows)} rows match {where}"
    return rows.iloc[0]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def catalogue():
    from wijkmonitor.catalogue import Catalogue

    return Catalogue.load(ROOT / "catalogue")


@pytest.fixture(scope="session")
def register():
    from wijkmonitor.areas import load_register

    return load_register(ROOT / "catalogue" / "areas.csv")


@pytest.fixture(scope="session")
def matcher(register):
    from wijkmonitor.areas import AreaMatcher

    return AreaMatcher(register)
