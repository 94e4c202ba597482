"""Reader for CBS Kerncijfers wijken en buurten (kwb) xlsx: one row per area, CBS short names as headers."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import parse_long_cells, period_from_label
from .excel import read_sheet
from .sample import Sample

# Region attributes of the kwb table, not statistics about the region.
REGION_COLUMNS = (
    "gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi",
    "pst_mvp", "pst_dekp",
)
_CODE = re.compile(r"^(NL\d\d|GM\d{4}|WK\d{6}|BU\d{8})$")


def looks_like(sample: Sample) -> bool:
    """A workbook whose first row holds CBS kwb short names: gwb_code(_10), regio, recs."""
    header = set(sample.rows[0]) if sample.kind == "excel" and sample.rows else set()
    return {"regio", "recs"} <= header and bool({"gwb_code_10", "gwb_code"} & header)


def kwb_period(path: str | Path, sheet_name: str, explicit: int | None = None) -> int:
    """The year of a kwb file: given explicitly, else from the file name or the sheet name."""
    if explicit is not None:
        return int(explicit)
    for text in (Path(path).name, sheet_name):
        year = period_from_label(text)
        if year is not None:
            return year
    raise ReaderError(
        f"names no year in its file name or sheet name ({sheet_name!r}).",
        file=str(path),
        hint="Rename the file to include the kwb year (kwb-2023.xlsx) or set `period:` for this source.",
    )


def read_cbs_kwb_xlsx(path: str | Path, period: int | None = None, sheet: str | None = None) -> ReadResult:
    """Read a CBS kwb xlsx (its one sheet with data, or `sheet`) into the canonical read table."""
    sheet_name, table = read_sheet(path, sheet)
    header = [str(c).strip() for c in table.iloc[0]]
    code_column = next((c for c in ("gwb_code_10", "gwb_code") if c in header), None)
    if code_column is None or "regio" not in header:
        raise ReaderError(
            "is not a CBS Kerncijfers wijken en buurten table: the first row has no 'gwb_code_10' "
            "or 'gwb_code' and 'regio' column.",
            file=str(path), row=1,
        )
    year = kwb_period(path, sheet_name, period)
    body = table.iloc[1:].copy()
    body.columns = header
    body["source_row"] = range(2, len(body) + 2)
    blank = body.drop(columns="source_row").isna().all(axis=1)
    skipped = {"header row": [1], **({"blank row": body.loc[blank, "source_row"].tolist()} if blank.any() else {})}
    body = body[~blank]
    codes = body[code_column].astype("string").str.strip()
    bad_code = ~codes.fillna("").str.match(_CODE)
    if bad_code.any():
        row = int(body.loc[bad_code, "source_row"].iloc[0])
        raise ReaderError(
            f"area code {codes[bad_code].iloc[0]!r} is not a CBS code (GM…, WK…, BU…).",
            file=str(path), row=row, column=code_column,
        )
    body["_code"] = codes
    indicator_columns = [c for c in header if c not in REGION_COLUMNS]
    long = body.melt(
        id_vars=["_code", "regio", "source_row"], value_vars=indicator_columns,
        var_name="source_indicator", value_name="cell",
    )
    value, status = parse_long_cells(long, path, "source_indicator")
    return ReadResult(skipped=skipped, table=read_frame(
        pd.DataFrame(
            {
                "source_indicator": long["source_indicator"],
                "area_code": long["_code"],
                "area_name": long["regio"].astype("string").str.strip(),
                "category": pd.NA,
                "period": year,
                "period_label": str(year),
                "value": value,
                "status": status,
                "n": pd.NA,
                "source_row": long["source_row"],
                "source_column": long["source_indicator"],
            }
        )
    ))
