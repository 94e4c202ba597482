"""Readers: each a pure function from one raw file to the canonical read table (see canonical.py).

Every format registers a reader and a detector. The detector looks at a cheap sample of the
file (`sample.Sample`) and says whether the file has that format's shape; `auto` picks a format
only when exactly one detector recognises the file, and refuses (listing the candidates) otherwise.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..canonical import ReadResult
from ..errors import ReaderError
from . import kwb, odata, rivm, statline, swing, swing_table, themas, tidy, tiles
from .sample import Sample, split_line, take_sample


@dataclass(frozen=True)
class Format:
    name: str
    reader: Callable[..., ReadResult]
    detect: Callable[[Sample], bool]
    description: str


_FORMATS = [
    Format("tidy_csv", tidy.read_tidy_csv, tidy.looks_like,
           "wijkmonitor tidy CSV: indicator, area, period, value per line"),
    Format("swing_csv", swing.read_swing_csv, swing.looks_like,
           "Swing / incijfers wide or cross-table CSV (\"Niveau\";\"<indicator>|<year>\")"),
    Format("swing_themas_xlsx", themas.read_swing_themas_xlsx, themas.looks_like,
           "Swing \"Thema's\" xlsx report with title, header and footer"),
    Format("swing_table_xlsx", swing_table.read_swing_table_xlsx, swing_table.looks_like,
           "Swing table export xlsx (e.g. onderzoek010.nl): title, year (and category) header rows, text values"),
    Format("swing_tiles_csv", tiles.read_swing_tiles_csv, tiles.looks_like,
           "Swing dashboard tile CSV (Mosaic;Tegel;Indicator;...)"),
    Format("statline_csv", statline.read_statline_csv, statline.looks_like,
           "CBS StatLine CSV download, regions as rows (Dutch or English)"),
    Format("statline_transposed_csv", statline.read_statline_transposed_csv, statline.looks_like_transposed,
           "CBS StatLine CSV download, topics as rows and regions as columns"),
    Format("cbs_odata", odata.read_cbs_odata, odata.looks_like,
           "CBS OData TypedDataSet/UntypedDataSet as xlsx or JSON (Key-style columns)"),
    Format("cbs_kwb_xlsx", kwb.read_cbs_kwb_xlsx, kwb.looks_like,
           "CBS Kerncijfers wijken en buurten xlsx (gwb_code, regio, recs, ...)"),
    Format("rivm_50090_xlsx", rivm.read_rivm_50090_xlsx, rivm.looks_like,
           "RIVM/CBS 50090NED Gezondheid per wijk en buurt (OData xlsx)"),
]
FORMATS: dict[str, Format] = {f.name: f for f in _FORMATS}
READERS = {name: f.reader for name, f in FORMATS.items()}
# A format that is a special case of another wins over it when both recognise a file.
SPECIALISES = {"rivm_50090_xlsx": "cbs_odata"}


def candidates(sample: Sample) -> list[str]:
    """The formats whose detector recognises the sampled file."""
    found = [f.name for f in _FORMATS if f.detect(sample)]
    return [name for name in found if not any(SPECIALISES.get(other) == name for other in found)]


def detect_format(path: str | Path, sample: Sample | None = None) -> str:
    """The reader for a file, judged from a sample of it; refuses (listing the candidates) when unsure."""
    sample = sample or take_sample(path)
    found = candidates(sample)
    if len(found) == 1:
        return found[0]
    raise ReaderError(
        "format could not be detected"
        + (f": it could be {' or '.join(found)}." if found else f" from its first lines ({_describe(sample)})."),
        file=str(path),
        hint=f"Set `format:` for this source in the config (or --format) to one of: {', '.join(FORMATS)}.",
    )


def _describe(sample: Sample) -> str:
    """What the sample looks like, for the refusal: the separator of a text file's first line."""
    if sample.kind == "excel":
        return f"a workbook whose first row starts {', '.join(repr(c) for c in sample.rows[0][:3])}" \
            if sample.rows else "an empty workbook"
    if sample.kind == "json":
        return "a JSON file that is not a CBS OData table"
    line = next((line for line in sample.lines if line.strip()), "")
    counts = {sep: len(split_line(line, sep)) for sep in (";", ",", "\t")}
    sep, fields = max(counts.items(), key=lambda item: item[1])
    if fields == 1:
        return "a text file whose first line has no ';', ',' or tab separators"
    name = {";": "';'", ",": "','", "\t": "tabs"}[sep]
    return f"a text file whose first line has {fields} fields separated by {name}"


def read_file(path: str | Path, fmt: str = "auto", **options) -> tuple[str, ReadResult]:
    """(format used, read result) for one raw file.

    `options` are per-source settings from the config (period, sheet, metadata, columns); None
    means unset. An option the format does not use is refused rather than ignored.
    """
    sample = take_sample(path)
    if fmt == "auto":
        fmt = detect_format(path, sample)
    if fmt not in FORMATS:
        raise ReaderError(f"unknown format {fmt!r}; use one of: auto, {', '.join(FORMATS)}.", file=str(path),
                          hint="Correct `format:` for this source in the config (or --format).")
    reader = FORMATS[fmt].reader
    accepted = set(inspect.signature(reader).parameters) - {"path"}
    given = {k: v for k, v in options.items() if v is not None}
    unused = sorted(set(given) - accepted)
    if unused:
        raise ReaderError(
            f"option(s) {', '.join(unused)} do not apply to format {fmt}"
            + (f" (it takes {', '.join(sorted(accepted))})." if accepted else "."),
            file=str(path), hint="Remove the option(s) from this source in the config.",
        )
    result = reader(path, **given)
    if result.encoding is None:
        result.encoding = sample.encoding
    if result.table.empty:
        raise ReaderError(
            f"holds no data rows: read as {fmt}, the file has a header but no observations.",
            file=str(path), hint="Check that the export is complete.",
        )
    return fmt, result
