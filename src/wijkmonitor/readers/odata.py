"""Reader for CBS OData TypedDataSet/UntypedDataSet tables saved as xlsx or JSON.

Shape: one row (xlsx; row 1 is the header) or one record (JSON: the OData v3 feed body
`{"odata.metadata": "...", "value": [{...}, ...]}`, or a bare list of such records) per
combination of dimension codes. The columns are

- `ID`: the row's number in the table, not an observation;
- dimensions (Key without a `_<n>` suffix): exactly one geo dimension (`WijkenEnBuurten`,
  `RegioS`, ...: CBS region codes, often space-padded `'GM0344    '`), at most one time dimension
  (`Perioden`, codes like `2016JJ00`), `Marges` (UntypedDataSet only) and any others (`Leeftijd`,
  `Geslacht`, ...);
- topics (Key with a `_<n>` suffix, `AantalInwoners_5`): numbers, possibly as padded text
  (`'    76.1'`), markers (`.`), empty cells or JSON null; or region attributes (`Gemeentenaam_1`,
  `SoortRegio_2`, `Codering_3`): text that describes the region and is not an indicator.

With `metadata` (the table's DataProperties.json, or the folder holding it) the Types say which
columns are dimensions (Dimension, GeoDimension, GeoDetail, TimeDimension) and which topics are
region attributes (Datatype String); every column of the file must be a Key of it. Without
metadata the suffix decides, the geo dimension is the one holding region codes, and a topic is a
region attribute when none of its cells is a number and some cell is text that is no marker (so
a code-valued String topic such as `IndelingswijzigingGemeenteWijkBuurt_4`, values 1/2/3, is read
as an indicator unless the metadata says otherwise).

One observation per region x topic cell:
- source_indicator is the Key without its suffix, source_column the Key as written, source_unit
  the metadata's Unit (else NULL);
- area_code is the geo code stripped; area_name is that code too, because the dataset carries no
  region names (`Gemeentenaam_1` names the municipality on every row);
- category: with one other dimension, its code (`20300`); with several, `<Dimension>=<code>`
  joined by `;` in column order (`Geslacht=3000;Leeftijd=10000`); with none, NULL. Codes are not
  translated to labels: the dimension tables are not part of the download;
- period: the year of the `Perioden` code (`2016JJ00` -> 2016; only year codes `JJ` are
  accepted), period_label the code as written. A table without a time dimension (85984NED) takes
  the `period` option, else the single year of `Period` in a TableInfos.json beside the metadata;
- `Marges` (UntypedDataSet of survey tables): the estimate rows (MW00000) are the observations; the
  rows with the bounds of the 95% interval (MOG0095 lower, MBG0095 upper) fill `ci_low`/`ci_high` of
  the estimate with the same region, period and other dimensions, topic by topic, and are counted
  as skipped (`common.MARGIN_ROW`), as the rivm reader does. An interval is read only when the
  estimate and both bounds have a value. Refused, with row and column: another Marges code, a
  bound row without its estimate row, a bound given twice, an interval that does not contain its
  estimate (see `common.read_intervals`). Without `Marges`, ci_low and ci_high are NULL;
- source_row: the spreadsheet row for xlsx; for JSON the record's 1-based position in `value`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import (
    CBS_CODE_PATTERN,
    MARGIN_ROW,
    check_margin_codes,
    check_notation,
    parse_notation,
    period_from_label,
    read_intervals,
    read_text,
    refuse_bad_cell,
    strip_cell,
)
from .excel import read_sheet
from .rivm import indicator_key
from .sample import EXCEL_SUFFIXES, SAMPLE_ROWS, Sample

ROW_ID = "ID"
KEY = re.compile(r"^[A-Za-z]\w*_\d+$")
CBS_PERIOD = re.compile(r"^(?P<year>\d{4})(?P<kind>[A-Z]{2})\d{2}$")
TIME_NAMES = ("Perioden", "Periods")
MARGIN_NAMES = ("Marges", "Margins")
DIMENSION_TYPES = ("Dimension", "GeoDimension", "GeoDetail", "TimeDimension")
GEO_TYPES = ("GeoDimension", "GeoDetail")
NEXT_LINK = ("odata.nextLink", "@odata.nextLink")


# ------------------------------------------------------------------------------ detection


def looks_like(sample: Sample) -> bool:
    """An xlsx whose first row, or JSON records (feed `value` or a bare list), have `ID`, a Key-style
    column (`Name_<n>`) and a dimension column holding CBS region codes."""
    if sample.kind == "excel" and sample.rows:
        return _looks_like_table(sample.rows[0], sample.rows[1:])
    if sample.kind == "json":
        records = sample.json.get("value") if isinstance(sample.json, dict) else sample.json
        if not isinstance(records, list) or not records:
            return False
        records = records[:SAMPLE_ROWS]
        if not all(isinstance(record, dict) for record in records):
            return False
        header = [str(key) for key in records[0]]
        return _looks_like_table(header, [[strip_cell(record.get(key)) for key in header] for record in records])
    return False


def _looks_like_table(header: list[str], rows: list[list[str]]) -> bool:
    if ROW_ID not in header or not any(KEY.match(column) for column in header):
        return False
    return any(
        _holds_region_codes(row[i] if i < len(row) else "" for row in rows)
        for i, column in enumerate(header)
        if column != ROW_ID and not KEY.match(column)
    )


def _holds_region_codes(cells) -> bool:
    """Some non-empty cells, all CBS region codes (NL01, GM0344, WK034403, BU03440300, ...)."""
    codes = [strip_cell(c) for c in cells if strip_cell(c)]
    return bool(codes) and all(CBS_CODE_PATTERN.match(c) for c in codes)


# ------------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class Metadata:
    """A table's DataProperties.json (Key -> property) and what TableInfos.json beside it says."""

    path: Path
    properties: dict[str, dict]
    title: str | None = None
    period: str | None = None

    def type_of(self, key: str) -> str:
        return str(self.properties[key].get("Type", ""))

    def unit_of(self, key: str) -> str | None:
        return self.properties[key].get("Unit") or None


def _load_json(path: Path, what: str) -> object:
    if not path.is_file():
        raise ReaderError(f"{what} file does not exist.", file=str(path),
                          hint="Check the `metadata:` path for this source in the config.")
    try:
        return json.loads(read_text(path)[0])
    except json.JSONDecodeError as exc:
        raise ReaderError(
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).", file=str(path), row=exc.lineno,
            hint="Download the metadata (DataProperties.json) again.",
        ) from None


def _entries(data: object) -> list:
    """The entries of an OData response body (`{"value": [...]}`) or a bare list."""
    entries = data.get("value") if isinstance(data, dict) else data
    return entries if isinstance(entries, list) else []


def load_metadata(metadata: str | Path) -> Metadata:
    """DataProperties.json (given, or in the given folder), with the title and period of the
    TableInfos.json beside it when there is one."""
    path = Path(metadata)
    if path.is_dir():
        path = path / "DataProperties.json"
    entries = [e for e in _entries(_load_json(path, "metadata")) if isinstance(e, dict)]
    properties = {str(e["Key"]): e for e in entries if e.get("Key") and e.get("Type")}
    if not properties:
        raise ReaderError(
            "is not a CBS OData DataProperties.json: it has no entries with Key and Type.", file=str(path),
            hint="Give `metadata:` the DataProperties.json of the table (…/ODataApi/OData/<table>/DataProperties).",
        )
    infos_path = path.with_name("TableInfos.json")
    infos = _entries(_load_json(infos_path, "TableInfos")) if infos_path.is_file() else []
    info = infos[0] if infos and isinstance(infos[0], dict) else {}
    title = " ".join(str(info[k]) for k in ("Identifier", "Title") if info.get(k)) or None
    period = str(info["Period"]) if info.get("Period") else None
    return Metadata(path=path, properties=properties, title=title, period=period)


# ------------------------------------------------------------------------------- the file


def _excel_body(path: str | Path, sheet: str | None, result: ReadResult) -> pd.DataFrame:
    """The sheet's rows below the header, cells as text, with `source_row`; blank rows skipped."""
    _, table = read_sheet(path, sheet)
    if table.empty:
        raise ReaderError("has no rows.", file=str(path),
                          hint="The download holds no figures; download the table again with the regions and topics wanted.")
    header = [strip_cell(c) for c in table.iloc[0]]
    body = table.iloc[1:].copy()
    unnamed = [i for i, name in enumerate(header) if not name]
    filled = [i for i in unnamed if body.iloc[:, i].notna().any()]
    if filled:
        raise ReaderError(
            f"column {filled[0] + 1} has cells but no header.", file=str(path), row=1,
            hint="Each column of an OData table is headed by its Key.",
        )
    keep = [i for i in range(len(header)) if i not in unnamed]
    body = body.iloc[:, keep]
    body.columns = [header[i] for i in keep]
    _refuse_duplicates(list(body.columns), path, row=1)
    body["source_row"] = range(2, len(body) + 2)
    result.skip("header row", 1)
    blank = body.drop(columns="source_row").isna().all(axis=1)
    for row in body.loc[blank, "source_row"]:
        result.skip("blank row", row)
    return body[~blank]


def _json_body(path: str | Path, result: ReadResult) -> pd.DataFrame:
    """The feed's records as a frame of text cells (numbers kept as written), with `source_row`."""
    text, result.encoding = read_text(path)
    try:
        data = json.loads(text, parse_int=str, parse_float=str)
    except json.JSONDecodeError as exc:
        raise ReaderError(
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); it may be truncated.",
            file=str(path), row=exc.lineno, hint="The file may be cut off or edited; download or export it again.",
        ) from None
    if isinstance(data, dict):
        if any(data.get(link) for link in NEXT_LINK):
            raise ReaderError(
                "holds one page of an OData feed: it has an odata.nextLink to further rows.", file=str(path),
                hint="Download every page (follow odata.nextLink) and save the records together.",
            )
        if data.get("odata.metadata"):
            result.notes.append(f"OData feed {data['odata.metadata']}")
    records = _entries(data)
    if not records or not all(isinstance(record, dict) for record in records):
        raise ReaderError(
            "is not an OData table: expected {\"value\": [records]} or a list of records (objects).",
            file=str(path),
            hint="Set `format:` for this source to the format the file has (`wijkmonitor formats` lists them).",
        )
    keys = records[0].keys()
    for number, record in enumerate(records, start=1):
        if record.keys() != keys:
            different = sorted(set(record) ^ set(keys))[0]
            raise ReaderError(
                f"record {number} has other keys than record 1 ({different!r} in one of them only).",
                file=str(path), row=number, column=different,
                hint="The file may be cut off or edited; download or export it again.",
            )
    body = pd.DataFrame.from_records(records, columns=list(keys))
    body["source_row"] = range(1, len(body) + 1)
    return body


def _refuse_duplicates(columns: list[str], path: str | Path, row: int) -> None:
    twice = [name for name, count in Counter(columns).items() if count > 1]
    if twice:
        raise ReaderError("the column appears more than once.", file=str(path), row=row, column=twice[0],
                          hint="The file may be cut off or edited; download or export it again.")


# ---------------------------------------------------------------------------- the columns


@dataclass(frozen=True)
class Layout:
    """What each column of the table is."""

    geo: str
    time: str | None
    margins: str | None
    others: list[str]
    topics: list[str]
    attributes: set[str] | None  # None: decided from the cells (no metadata)


def _layout(body: pd.DataFrame, path: str | Path, header_row: int | None, meta: Metadata | None) -> Layout:
    columns = [c for c in body.columns if c not in (ROW_ID, "source_row")]
    if meta is not None:
        unknown = [c for c in columns if c not in meta.properties]
        if unknown:
            raise ReaderError(
                f"is not a Key in the metadata {meta.path}.", file=str(path), row=header_row, column=unknown[0],
                hint="Give `metadata:` the DataProperties.json of the table this file was downloaded from.",
            )
        dimensions = [c for c in columns if meta.type_of(c) in DIMENSION_TYPES]
        geo = [c for c in dimensions if meta.type_of(c) in GEO_TYPES]
        time = [c for c in dimensions if meta.type_of(c) == "TimeDimension"]
        topics = [c for c in columns if c not in dimensions]
        attributes = {c for c in topics if meta.properties[c].get("Datatype") == "String"}
    else:
        dimensions = [c for c in columns if not KEY.match(c)]
        # The first code decides; every code of the chosen column is checked later, with its row.
        geo = [c for c in dimensions if _holds_region_codes(body[c].dropna().head(1))]
        time = [c for c in dimensions if c in TIME_NAMES or _holds_period_codes(body[c].head(SAMPLE_ROWS))]
        topics = [c for c in columns if KEY.match(c)]
        attributes = None
    if len(geo) != 1:
        raise ReaderError(
            (f"has several region dimensions ({', '.join(geo)}); which one to read is not certain."
             if geo else "has no region dimension: no column without a _<n> suffix holds CBS region codes "
             "(NL01, GM0344, WK034403, BU03440300)" + (" and the metadata names no GeoDimension." if meta else ".")),
            file=str(path), row=header_row,
            hint="Download the table with one region dimension, or set `format:` for this source.",
        )
    if len(time) > 1:
        raise ReaderError(f"has several time dimensions ({', '.join(time)}).", file=str(path), row=header_row,
                          hint="Download the table with one time dimension.")
    if not topics:
        raise ReaderError("has no topic columns (Keys like AantalInwoners_5).", file=str(path), row=header_row,
                          hint="Download the table with at least one topic.")
    margins = next((c for c in dimensions if c in MARGIN_NAMES), None)
    others = [c for c in dimensions if c not in (geo[0], *time, margins)]
    return Layout(geo[0], time[0] if time else None, margins, others, topics, attributes)


def _holds_period_codes(cells: pd.Series) -> bool:
    codes = [strip_cell(c) for c in cells if strip_cell(c)]
    return bool(codes) and all(CBS_PERIOD.match(c) for c in codes)


def _first(body: pd.DataFrame, mask: pd.Series, column: str) -> tuple[str, int]:
    """The cell and source row of the first row where `mask` holds."""
    row = body[mask].iloc[0]
    return str(row[column]), int(row["source_row"])


def _codes(body: pd.DataFrame, column: str, path: str | Path, *, regions: bool) -> pd.Series:
    """A dimension's codes, stripped; an empty one (or, for regions, one that is no CBS code) is refused."""
    codes = body[column].astype("string").str.strip().fillna("")
    bad = codes.eq("") | (~codes.str.match(CBS_CODE_PATTERN) if regions else False)
    if bad.any():
        code, row = _first(body.assign(**{column: codes}), bad, column)
        raise ReaderError(
            f"{column} code {code!r} is not a CBS region code." if code else f"the {column} code is empty.",
            file=str(path), row=row, column=column, hint="Correct the code in the export, or download the table again.",
        )
    return codes


def _year_of(label: str) -> int | None:
    """The year of a period code: `2016JJ00` -> 2016; other CBS codes (`2016KW01`) name no single year."""
    code = CBS_PERIOD.match(label)
    if code:
        return int(code["year"]) if code["kind"] == "JJ" else None
    return period_from_label(label)


def _periods(body: pd.DataFrame, layout: Layout, path: str | Path, meta: Metadata | None,
             period: int | None) -> tuple[pd.Series | int, pd.Series | str]:
    """(period, period_label) per row from the time dimension, else one for the whole table."""
    if layout.time is not None:
        if period is not None:
            raise ReaderError(
                f"names its periods in column {layout.time!r}; the `period` option does not apply.",
                file=str(path), hint="Remove `period:` for this source.",
            )
        labels = _codes(body, layout.time, path, regions=False)
        years = labels.map({label: _year_of(label) for label in labels.unique()})
        if years.isna().any():
            label, row = _first(body.assign(_label=labels), years.isna(), "_label")
            raise ReaderError(
                f"period {label!r} is not a year (CBS year codes look like 2016JJ00).",
                file=str(path), row=row, column=layout.time,
                hint="Download the table with yearly periods only.",
            )
        return years.astype("Int64"), labels
    table_period = meta.period.strip() if meta is not None and meta.period else None
    table_year = int(table_period) if table_period and re.fullmatch(r"\d{4}", table_period) else None
    if period is not None and table_year is not None and int(period) != table_year:
        raise ReaderError(
            f"the `period` option ({period}) differs from the table's period in TableInfos.json ({table_year}).",
            file=str(path), hint="Remove `period:` for this source or check that the metadata is this table's.",
        )
    if period is not None:
        return int(period), str(period)
    if table_year is not None:
        return table_year, table_period
    raise ReaderError(
        "has no time dimension (Perioden) and no period is known.", file=str(path),
        hint="Set `period:` for this source, or give `metadata:` with the table's TableInfos.json beside "
             "its DataProperties.json.",
    )


def _category(body: pd.DataFrame, layout: Layout, path: str | Path) -> pd.Series:
    """The code of the one other dimension, or `<Dimension>=<code>` of each joined by `;`; NULL without."""
    if not layout.others:
        return pd.Series(pd.NA, index=body.index, dtype="string")
    if len(layout.others) == 1:
        return _codes(body, layout.others[0], path, regions=False)
    parts = [name + "=" + _codes(body, name, path, regions=False) for name in layout.others]
    return parts[0].str.cat(parts[1:], sep=";")


def _attributes_from_cells(long: pd.DataFrame, status: pd.Series, bad: pd.Series) -> set[str]:
    """Topics with no number in any cell and some text that is no marker: region attributes."""
    numeric = (~bad & status.eq("ok")).groupby(long["column"], sort=False).any()
    text = bad.groupby(long["column"], sort=False).any()
    return set(numeric.index[~numeric & text])


# ------------------------------------------------------------------------------- the reader


def read_cbs_odata(path: str | Path, metadata: str | None = None, sheet: str | None = None,
                   period: int | None = None) -> ReadResult:
    """Read a CBS OData Typed/UntypedDataSet (xlsx or JSON) into the canonical read table.

    `metadata`: the table's DataProperties.json (or its folder); `sheet`: xlsx only; `period`: the
    year of a table without a time dimension. See the module docstring for the rules.
    """
    meta = load_metadata(metadata) if metadata is not None else None
    result = ReadResult(table=read_frame([]))
    if meta is not None:
        result.notes.append(f"metadata {meta.path}" + (f": {meta.title}" if meta.title else ""))
    if Path(path).suffix.lower() in EXCEL_SUFFIXES:
        body, header_row = _excel_body(path, sheet, result), 1
    elif sheet is not None:
        raise ReaderError("`sheet` applies to xlsx files only.", file=str(path),
                          hint="Remove `sheet:` for this source.")
    else:
        body, header_row = _json_body(path, result), None
    layout = _layout(body, path, header_row, meta)
    margins = None
    if layout.margins is not None:
        margins = _codes(body, layout.margins, path, regions=False)
        check_margin_codes(margins, body["source_row"], path, layout.margins)
    frame = pd.DataFrame({
        "_area": _codes(body, layout.geo, path, regions=meta is None),
        "_category": _category(body, layout, path),
        "source_row": body["source_row"],
    })
    frame["_period"], frame["_label"] = _periods(body, layout, path, meta, period)
    long = pd.concat([frame, body[layout.topics]], axis=1).melt(
        id_vars=list(frame.columns), value_vars=layout.topics, var_name="column", value_name="cell",
    )
    value, status, bad, notation = parse_notation(long["cell"])
    attributes = layout.attributes if layout.attributes is not None else _attributes_from_cells(long, status, bad)
    if attributes:
        result.notes.append("region attributes, not indicators: " + ", ".join(c for c in layout.topics if c in attributes))
    keep = ~long["column"].isin(attributes)
    long, value, status, bad = long[keep], value[keep], status[keep], bad[keep]
    # One decimal notation per column; then the first bad cell is refused with its row and column.
    check_notation(long, notation[keep.to_numpy()], path, "column", decimal=".")
    refuse_bad_cell(long, bad, path, "column")
    long = long.assign(value=value, status=status)
    if margins is not None:
        # A figure is identified by its region, period and other dimensions, named as in the file.
        rows = pd.DataFrame({"source_row": body["source_row"], "margin": margins, layout.geo: frame["_area"],
                             **{name: _codes(body, name, path, regions=False) for name in layout.others}})
        if layout.time is not None:
            rows[layout.time] = frame["_label"]
        long = read_intervals(long, rows, path, result, margin=layout.margins, topic="column")
    result.layout = (
        f"OData data set ({'xlsx' if header_row else 'JSON'}), {len(layout.topics) - len(attributes)} topic columns"
        + (f" and {len(attributes)} region attribute columns" if attributes else "") + f"; regions in "
        f"{layout.geo!r}" + (f", periods in {layout.time!r}" if layout.time else ", one period")
        + (f", dimensions {', '.join(layout.others)}" if layout.others else "")
        + (f"; Marges in {layout.margins!r} (estimates with 95% interval bounds)" if margins is not None
           and result.skipped.get(MARGIN_ROW) else f"; Marges in {layout.margins!r}, estimates only"
           if margins is not None else "")
        + ("; units from DataProperties.json" if meta else ""))
    result.table = read_frame(pd.DataFrame({
        "source_indicator": long["column"].map({c: indicator_key(c) for c in layout.topics}),
        "area_code": long["_area"],
        "area_name": long["_area"],
        "category": long["_category"],
        "period": long["_period"],
        "period_label": long["_label"],
        "value": long["value"],
        "status": long["status"],
        "n": pd.NA,
        "ci_low": long["ci_low"] if margins is not None else pd.NA,
        "ci_high": long["ci_high"] if margins is not None else pd.NA,
        "source_unit": long["column"].map({c: meta.unit_of(c) for c in layout.topics}) if meta else pd.NA,
        "source_row": long["source_row"],
        "source_column": long["column"],
    }))
    return result
