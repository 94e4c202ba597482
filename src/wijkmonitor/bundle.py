"""The tidy data bundle next to the report: the observations and analysis tables as CSV for Excel.

CSV files are UTF-8 with BOM, `;`-separated with a decimal comma, so that Excel in a Dutch locale
opens them as columns of numbers. Text cells that start with `=`, `+`, `-`, `@`, a tab or a carriage
return get a leading `'`, so a name taken from an input file cannot become a formula (OWASP, "CSV
injection"). A data dictionary (`schemas/tables.yaml`) describes every column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from .canonical import ANALYSIS_COLUMNS, PUBLISHED_COLUMNS, typed_frame
from .errors import ConfigError

BUNDLE_TABLES = ("observations", *ANALYSIS_COLUMNS)
DICTIONARY = "dictionary"  # its output name; the file is data-dictionary.csv
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR, DECIMAL, ENCODING = ";", ",", "utf-8-sig"
DICTIONARY_COLUMNS = ["table", "column", "type", "description_nl", "description_en"]


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would read as a formula, prefixed with `'`; numbers untouched."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            text = frame[column].astype("string")
            risky = text.str.startswith(FORMULA_START).fillna(False)
            frame[column] = text.where(~risky, "'" + text)
    return frame


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write one bundle table atomically (see the module docstring for the format)."""
    from .steps import atomic_path

    with atomic_path(path) as tmp:
        neutralise(frame).to_csv(tmp, sep=SEPARATOR, decimal=DECIMAL, index=False, encoding=ENCODING,
                                 lineterminator="\n")


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a bundle table back as Excel would: `;`, decimal comma, UTF-8 with BOM."""
    return pd.read_csv(path, sep=SEPARATOR, decimal=DECIMAL, encoding=ENCODING, low_memory=False)


def load_dictionary(path: str | Path) -> pd.DataFrame:
    """The data dictionary as a table: one row per column of every bundle table."""
    try:
        tables = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["tables"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ConfigError(f"is not a readable data dictionary ({exc}).", file=str(path)) from None
    rows = [{"table": table, "column": c["name"], "type": c["type"], "description_nl": c["description_nl"],
             "description_en": c["description_en"]}
            for table, spec in tables.items() for c in spec["columns"]]
    return pd.DataFrame(rows, columns=DICTIONARY_COLUMNS)


def sorted_observations(observations: pd.DataFrame) -> pd.DataFrame:
    """The published observations (disclosure control applied by the analysis step; figures carried
    over area links flagged in `link` and `linked_from`) in canonical columns, sorted for stable bytes."""
    published = typed_frame(observations, PUBLISHED_COLUMNS)
    return published.sort_values(["indicator_id", "area_code", "category", "period", "source_file", "source_row"],
                                 na_position="first").reset_index(drop=True)


def write_bundle(tables: dict[str, pd.DataFrame], dictionary: pd.DataFrame, outputs: dict[str, str]) -> dict[str, int]:
    """Write every bundle table (`tables`: the published observations and the analysis tables) and the
    dictionary to `outputs` (table name -> path); rows per table."""
    tables = tables | {"observations": sorted_observations(tables["observations"])}
    counts = {}
    for name in BUNDLE_TABLES:
        write_csv(tables[name], outputs[name])
        counts[name] = len(tables[name])
    write_csv(dictionary, outputs[DICTIONARY])
    return counts
