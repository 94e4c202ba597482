"""Reader for RIVM/CBS 50090NED "Gezondheid per wijk en buurt" (OData UntypedDataSet saved as xlsx).

One observation per region x age group x topic cell of the estimate rows (`Marges` MW00000). Rows
with the bounds of the 95% interval (MOG0095 lower, MBG0095 upper) are no observations: their cells
become `ci_low`/`ci_high` of the estimate with the same region, age group and period, and the rows
are counted as skipped (`common.MARGIN_ROW`). See `common.read_intervals` for what is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import (
    MARGIN_ROW,
    check_margin_codes,
    parse_long_cells,
    period_from_label,
    read_intervals,
    stack_cells,
    typed_columns,
)
from .excel import read_sheet
from .sample import Sample

DIMENSIONS = ("ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden")
REGION_ATTRIBUTES = ("Gemeentenaam_1", "SoortRegio_2", "Codering_3")
# CBS codes of the `Leeftijd` dimension in 50090NED.
AGE_GROUPS = {"20300": "18+", "53115": "18-65", "80200": "65+"}
_KEY_SUFFIX = re.compile(r"_\d+$")


def looks_like(sample: Sample) -> bool:
    """A workbook whose first row holds the 50090NED dimensions (ID, Leeftijd, Marges, ...)."""
    header = set(sample.rows[0]) if sample.kind == "excel" and sample.rows else set()
    return set(DIMENSIONS) <= header


def indicator_key(column: str) -> str:
    """The OData Key without its position suffix: `ErvarenGezondheidGoedZeerGoed_4` -> `...ZeerGoed`."""
    return _KEY_SUFFIX.sub("", column)


def read_rivm_50090_xlsx(path: str | Path, sheet: str | None = None) -> ReadResult:
    """Read a 50090NED xlsx into the canonical read table (all regions; ingest keeps the city's)."""
    _, table = read_sheet(path, sheet)
    header = [str(c).strip() for c in table.iloc[0]]
    missing = [c for c in DIMENSIONS if c not in header]
    if missing:
        raise ReaderError(
            f"is not a 50090NED table: the first row lacks {', '.join(missing)}.", file=str(path), row=1,
            hint="Set `format:` for this source to the format the file has (`wijkmonitor formats` lists them).",
        )
    body = table.iloc[1:].copy()
    body.columns = header
    body["source_row"] = range(2, len(body) + 2)
    for column in ("Leeftijd", "Marges", "WijkenEnBuurten", "Perioden"):
        body[column] = body[column].astype("string").str.strip()
    unknown_age = ~body["Leeftijd"].isin(list(AGE_GROUPS))
    if unknown_age.any():
        first = body[unknown_age].iloc[0]
        raise ReaderError(
            f"Leeftijd code {first['Leeftijd']!r} is not one of {', '.join(AGE_GROUPS)}.",
            file=str(path), row=int(first["source_row"]), column="Leeftijd",
            hint="Download the table with the age groups 18+, 18-65 or 65+ (Leeftijd 20300, 53115, 80200).",
        )
    check_margin_codes(body["Marges"], body["source_row"], path, "Marges")
    periods = body["Perioden"].map({label: period_from_label(label) for label in body["Perioden"].dropna().unique()})
    if periods.isna().any():
        first = body[periods.isna()].iloc[0]
        raise ReaderError(
            f"period {first['Perioden']!r} names no year." if pd.notna(first["Perioden"]) else "the Perioden code is empty.",
            file=str(path), row=int(first["source_row"]), column="Perioden",
            hint="The file may be cut off or edited; download or export it again.",
        )
    body["_period"] = periods.astype("Int64")
    indicator_columns = [c for c in header if c not in DIMENSIONS + REGION_ATTRIBUTES]
    long = stack_cells(body, indicator_columns)
    long["value"], long["status"] = parse_long_cells(long, path, "column")
    long = long.drop(columns="cell")
    result = ReadResult(skipped={"header row": [1]}, table=read_frame([]))
    rows = body[["source_row", "Marges", "WijkenEnBuurten", "Leeftijd", "Perioden"]].rename(columns={"Marges": "margin"})
    long = read_intervals(long, rows, path, result, margin="Marges", topic="column")
    result.layout = ("50090NED UntypedDataSet xlsx, age groups " + ", ".join(
        AGE_GROUPS[code] for code in sorted(body["Leeftijd"].unique(), key=list(AGE_GROUPS).index))
        + ("; estimates with 95% interval bounds (Marges MOG0095/MBG0095)" if result.skipped.get(MARGIN_ROW)
           else "; estimates only (no interval bounds)"))
    # Each row's fields are taken once, for the cells kept. The UntypedDataSet names no wijk or buurt
    # (Gemeentenaam_1 is the name of the municipality a row lies in), so their code is their name; a
    # municipality's own row (SoortRegio_2 `Gemeente`) is named by Gemeentenaam_1.
    row, column = long["_row"].to_numpy(), long["_column"].to_numpy()
    area = body["WijkenEnBuurten"].array.take(row)
    names = body["WijkenEnBuurten"]
    if {"Gemeentenaam_1", "SoortRegio_2"} <= set(header):
        own_row = body["SoortRegio_2"].astype("string").str.strip().eq("Gemeente").fillna(False)
        municipality = body["Gemeentenaam_1"].astype("string").str.strip()
        names = names.where(~own_row | municipality.isna() | municipality.eq(""), municipality)
    keys = pd.array([indicator_key(c) for c in indicator_columns], dtype="string")
    result.table = read_frame(typed_columns({
        "source_indicator": keys.take(column), "area_code": area, "area_name": names.array.take(row),
        "category": body["Leeftijd"].map(AGE_GROUPS).astype("string").array.take(row),
        "period": body["_period"].array.take(row), "period_label": body["Perioden"].array.take(row),
        "value": long["value"], "status": long["status"], "ci_low": long["ci_low"], "ci_high": long["ci_high"],
        "source_row": long["source_row"], "source_column": long["column"],
    }, long.index))
    return result
