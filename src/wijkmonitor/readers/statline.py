"""Readers for CBS StatLine CSV downloads ("CSV met statistische symbolen"), Dutch or English.

Both shapes quote every field, right-align values with spaces (`"     1.0"`), use a decimal
point, pad codes with spaces (`"GM0344    "`) and write `.` for a figure that is secret or not
available. The Dutch download is `;`-separated, the English one `,`-separated.

`statline_csv`, regions as rows (table 85830NED as downloaded):

    "Wijken en buurten";"Regioaanduiding/Gemeentenaam (naam)";...;"Regioaanduiding/Codering (code)";...;
        "Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk (km)";...
    "Wijk 01 West";"Utrecht     ";"Wijk      ";"WK034401  ";"1";"       .";...

One column names the region (`Wijken en buurten`, `Regio's`, `Districts and neighbourhoods`, ...);
`Regioaanduiding/...` (`Regional characteristics/...`) columns describe the region, and their
`Codering (code)` gives the area code; every header ending in `(unit)` is a topic; `Perioden`
(`Periods`) gives the period per row; any other column is a further dimension (the category).

`statline_transposed_csv`, topics as rows and regions as columns:

    "Nabijheid voorzieningen; buurt 2023"

    "Wijken en buurten";"Wijk 01 West";"Wijk 02 Noordwest"      (or "Onderwerp";"Wijk 01 West";...)
    "Perioden";"2023";"2023"                                    (optional)
    "Onderwerp";"";""                                           (optional)
    "Gezondheid en welzijn/Afstand tot huisartsenpraktijk (km)";"     1.0";"     0.9"
    "Bron: CBS"

A header line of CBS codes (`WK034401`, ...) or a `Regioaanduiding/Codering (code)` row gives
the area codes; other `Regioaanduiding/...` rows are region attributes, not topics.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import parse_long_cells, period_from_label, read_text, years_in
from .sample import Sample, split_line

SEPARATORS = (";", ",")
# Names StatLine gives the region dimension, Dutch and English (compared case-insensitively).
REGION_DIMENSIONS = frozenset({
    "wijken en buurten", "regio's", "gemeenten", "districts and neighbourhoods", "regions", "municipalities",
})
PERIOD_DIMENSIONS = frozenset({"perioden", "periods"})
TOPIC_DIMENSIONS = frozenset({"onderwerp", "onderwerpen", "topic", "topics", "subjects"})
# Topic groups that describe the region itself (name, type, code), not a statistic about it.
REGION_ATTRIBUTE_GROUPS = ("regioaanduiding/", "regional characteristics/")
CODE_ATTRIBUTES = frozenset({"codering", "codes", "code"})
# Joins the members of several further dimensions (Geslacht, Leeftijd, ...) into one category.
CATEGORY_JOIN = " | "
_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)$")
_CBS_CODE = re.compile(r"^(NL\d\d|PV\d\d|GM\d{4}|WK\d{6}|BU\d{8})$")
_SOURCE_LINE = re.compile(r"^(bron|source)\b|^©|centraal bureau voor de statistiek|statistics netherlands", re.I)


# ----------------------------------------------------------------- cells and labels


def separator(lines: list[str]) -> str | None:
    """`;` or `,`: the one that splits the first line with several fields and the next non-blank
    line (if any) into the same number of fields; None when neither does."""
    for sep in SEPARATORS:
        counts: list[int] = []
        for line in lines:
            if not line.strip():
                continue
            fields = len(split_line(line, sep))
            if fields >= 2 or counts:
                counts.append(fields)
            if len(counts) == 2:
                break
        if counts and counts[0] == counts[-1]:
            return sep
    return None


def split_topic(label: str) -> tuple[str, str | None]:
    """(indicator, unit) of a topic label: `Gezondheid en welzijn/Afstand tot apotheek (km)` ->
    (`Gezondheid en welzijn/Afstand tot apotheek`, `km`); the unit is the last parentheses."""
    match = _UNIT.match(label)
    return (match["name"], match["unit"].strip()) if match else (label, None)


def is_region_attribute(label: str) -> bool:
    return label.casefold().startswith(REGION_ATTRIBUTE_GROUPS)


def is_code_attribute(label: str) -> bool:
    """`Regioaanduiding/Codering (code)` or `Regional characteristics/Codes (code)`."""
    name, unit = split_topic(label.rsplit("/", 1)[-1])
    return is_region_attribute(label) and unit == "code" and name.casefold() in CODE_ATTRIBUTES


def is_topic(label: str) -> bool:
    """A topic label ends in its unit: `... (km)`, `... (aantal)`."""
    return bool(_UNIT.match(label)) and not is_region_attribute(label)


def first_year(text: str | None) -> int | None:
    """The first standalone year in a name or title: `..._buurt_2023_14102024_164034.csv` -> 2023
    (a download date such as `2024-10-14` later in the name is not the period)."""
    years = years_in(text)
    return years[0] if years else None


def note_text(row: list[str]) -> str | None:
    """The text of a title, source line or note: a line whose only non-empty field is the first,
    and that is not a dimension's label (`"Onderwerp";"";""`) or a topic with empty cells."""
    if not row or not row[0] or any(row[1:]):
        return None
    if row[0].casefold() in REGION_DIMENSIONS | PERIOD_DIMENSIONS | TOPIC_DIMENSIONS:
        return None
    return None if len(row) > 1 and is_topic(row[0]) else row[0]


def parse_rows(path: str | Path, text: str) -> list[list[str]]:
    """The file's lines as stripped fields, split on the separator its header line shows."""
    sep = separator(text.splitlines())
    if sep is None:
        raise ReaderError(
            "is not a StatLine CSV: neither ';' nor ',' splits its header line and the next line into "
            "the same number of fields.",
            file=str(path), hint="Download the table again as CSV from StatLine.",
        )
    return [[f.strip() for f in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]


# --------------------------------------------------------------------- the file's edges


def footer_start(rows: list[list[str]], start: int) -> int:
    """Index of the trailing block of blank lines and one-field lines (`"Bron: CBS"`, notes): the
    footer after the last data line."""
    end = len(rows)
    while end > start and (not any(rows[end - 1]) or note_text(rows[end - 1]) is not None):
        end -= 1
    return end


def record_footer(result: ReadResult, rows: list[list[str]], start: int) -> None:
    """Skip the footer lines from `start` on; their text goes into the notes."""
    for index in range(start, len(rows)):
        text = note_text(rows[index])
        if text is None:
            result.skip("blank row", index + 1)
            continue
        result.skip("source line" if _SOURCE_LINE.search(text) else "footnote", index + 1)
        result.notes.append(text)


def check_width(path: str | Path, fields: list[str], width: int, row: int, header_row: int) -> None:
    if len(fields) != width:
        raise ReaderError(
            f"has {len(fields)} fields where the header (row {header_row}) has {width}.",
            file=str(path), row=row, hint="The download is damaged or was edited; download it again.",
        )


# ----------------------------------------------------------------------------- periods


def fixed_period(path: str | Path, option: int | None, title: str | None = None) -> int:
    """The one period of a file without a Perioden dimension: the `period` option, else the
    first year in the title, else the first year in the file name."""
    if option is not None:
        return int(option)
    for text in (title, Path(path).name):
        year = first_year(text)
        if year is not None:
            return year
    where = "its title or file name" if title else "its file name"
    raise ReaderError(
        f"names no period: it has no Perioden dimension and no year in {where}.",
        file=str(path), hint="Set `period:` for this source in the config (the year the figures describe).",
    )


def labelled_periods(path: str | Path, labels: pd.Series, rows: pd.Series, columns: pd.Series,
                     option: int | None) -> tuple[pd.Series, pd.Series]:
    """(year, provisional) per Perioden label (`2023`, `2023JJ00`, `2023*` = provisional).

    A label without a year, or a year that contradicts the `period` option, is refused."""
    years = labels.map(period_from_label).astype("Int64")
    if years.isna().any():
        first = years[years.isna()].index[0]
        raise ReaderError(f"period {labels[first]!r} names no year.",
                          file=str(path), row=int(rows[first]), column=str(columns[first]))
    if option is not None and (years != int(option)).any():
        first = years[years != int(option)].index[0]
        raise ReaderError(
            f"period {labels[first]!r} contradicts the `period: {option}` set for this source.",
            file=str(path), row=int(rows[first]), column=str(columns[first]),
            hint="The file names its own periods; remove `period:` from the config.",
        )
    return years, labels.str.endswith("*")


def finish(long: pd.DataFrame, path: str | Path, result: ReadResult) -> ReadResult:
    """Parse the melted cells and put them into the result's canonical table."""
    value, status = parse_long_cells(long, path, "source_column")
    split = {label: split_topic(label) for label in long["topic"].unique()}
    result.table = read_frame(pd.DataFrame({
        "source_indicator": long["topic"].map(lambda label: split[label][0]),
        "area_code": long["area_code"],
        "area_name": long["area_name"],
        "category": long["category"],
        "period": long["period"],
        "period_label": long["period_label"],
        "value": value,
        "status": status,
        "n": pd.NA,
        "provisional": long["provisional"],
        "source_unit": long["topic"].map(lambda label: split[label][1]),
        "source_row": long["source_row"],
        "source_column": long["source_column"],
    }))
    return result


# ----------------------------------------------------------- regions as rows (statline_csv)


def looks_like(sample: Sample) -> bool:
    """A `;`- or `,`-separated first line naming the region dimension and at least one topic with
    its unit (`... (km)`)."""
    if sample.kind != "text" or not sample.lines:
        return False
    sep = separator(sample.lines)
    if sep is None:
        return False
    header = split_line(sample.lines[0], sep)
    return any(h.casefold() in REGION_DIMENSIONS for h in header) and any(is_topic(h) for h in header)


@dataclass(frozen=True)
class WideLayout:
    """Positions of the header's columns by role."""

    region: int
    code: int | None
    period: int | None
    categories: list[int]
    topics: list[int]


def wide_layout(path: str | Path, header: list[str]) -> WideLayout:
    """Sort the header's columns into region, code, period, further dimensions and topics."""
    regions = [i for i, h in enumerate(header) if h.casefold() in REGION_DIMENSIONS]
    if len(regions) != 1:
        raise ReaderError(
            "is not a StatLine table with regions as rows: row 1 names "
            + ("no region column" if not regions else f"{len(regions)} region columns")
            + " (e.g. 'Wijken en buurten', 'Regio's', 'Districts and neighbourhoods').",
            file=str(path), row=1,
            hint="Download the table with the regions as rows, or use format statline_transposed_csv.",
        )
    code = period = None
    categories, topics = [], []
    for i, label in enumerate(header):
        if i == regions[0] or (is_region_attribute(label) and not is_code_attribute(label)):
            continue
        if is_code_attribute(label):
            code = i
        elif is_topic(label):
            topics.append(i)
        elif label.casefold() in PERIOD_DIMENSIONS:
            period = i
        elif label:
            categories.append(i)
        else:
            raise ReaderError(f"column {i + 1} has no header.", file=str(path), row=1)
    if not topics:
        raise ReaderError("has no topic columns (headers ending in a unit, such as '(km)').",
                          file=str(path), row=1)
    seen: dict[str, str] = {}
    for i in topics:
        indicator = split_topic(header[i])[0]
        if indicator in seen:
            raise ReaderError(f"columns {seen[indicator]!r} and {header[i]!r} name the same topic.",
                              file=str(path), row=1, column=header[i])
        seen[indicator] = header[i]
    return WideLayout(regions[0], code, period, categories, topics)


def read_statline_csv(path: str | Path, period: int | None = None) -> ReadResult:
    """Read a StatLine CSV with regions as rows into the canonical read table.

    Every row is kept (Nederland, the gemeente, its wijken and buurten); ingest chooses the areas.
    The period comes from a Perioden column, else `period`, else the first year in the file name.
    """
    text, encoding = read_text(path)
    rows = parse_rows(path, text)
    header = rows[0]
    layout = wide_layout(path, header)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    result.skip("header row", 1)
    end = footer_start(rows, 1)
    body = []
    for index in range(1, end):
        if not any(rows[index]):
            result.skip("blank row", index + 1)
            continue
        check_width(path, rows[index], len(header), index + 1, 1)
        body.append([index + 1, *rows[index]])
    record_footer(result, rows, end)
    frame = pd.DataFrame(body, columns=["source_row", *range(len(header))])
    nameless = frame[layout.region] == ""
    if nameless.any():
        raise ReaderError("has values but no region name.", file=str(path),
                          row=int(frame.loc[nameless, "source_row"].iloc[0]), column=header[layout.region])
    ids = pd.DataFrame({
        "source_row": frame["source_row"],
        "area_name": frame[layout.region],
        "area_code": frame[layout.code].replace("", pd.NA) if layout.code is not None else pd.NA,
        "category": (frame[layout.categories[0]].str.cat([frame[i] for i in layout.categories[1:]],
                                                          sep=CATEGORY_JOIN)
                     if layout.categories else pd.NA),
    })
    if layout.period is not None:
        labels = frame[layout.period]
        column = pd.Series(header[layout.period], index=frame.index)
        ids["period"], ids["provisional"] = labelled_periods(path, labels, frame["source_row"], column, period)
        ids["period_label"] = labels
    else:
        year = fixed_period(path, period)
        ids["period"], ids["provisional"], ids["period_label"] = year, False, str(year)
    cells = frame[layout.topics].set_axis([header[i] for i in layout.topics], axis=1)
    long = pd.concat([ids, cells], axis=1).melt(
        id_vars=list(ids.columns), var_name="source_column", value_name="cell")
    long["topic"] = long["source_column"]
    return finish(long, path, result)


# -------------------------------------------- topics as rows (statline_transposed_csv)


def looks_like_transposed(sample: Sample) -> bool:
    """A one-field title line, then header lines one of which is labelled `Onderwerp` (`Topic`) or
    with the region dimension, then a topic row whose label ends in its unit (`... (km)`)."""
    if sample.kind != "text":
        return False
    sep = separator(sample.lines)
    if sep is None:
        return False
    rows = [split_line(line, sep) for line in sample.lines if line.strip()]
    if not rows or note_text(rows[0]) is None:
        return False
    labels = set()
    for row in rows[1:]:
        if len(row) < 2 or is_region_attribute(row[0]):
            continue
        if is_topic(row[0]):
            return bool(labels & (TOPIC_DIMENSIONS | REGION_DIMENSIONS))
        labels.add(row[0].casefold())
    return False


@dataclass
class ColumnHeaders:
    """What the header lines of a transposed download say about each region column."""

    regions: list[str] | None = None
    topic_line: list[str] | None = None
    codes: list[str] | None = None
    periods: list[str] | None = None
    period_row: int | None = None

    def add(self, path: str | Path, row: list[str], line_no: int) -> None:
        """Classify one header line by its label (or, for a line of CBS codes, by its values)."""
        label, values = row[0].casefold(), row[1:]
        if label in PERIOD_DIMENSIONS:
            self.periods, self.period_row = values, line_no
        elif label in REGION_DIMENSIONS:
            self.regions = values
        elif label in TOPIC_DIMENSIONS:
            self.topic_line = values
        elif all(_CBS_CODE.match(v) for v in values):
            self.set_codes(path, values, line_no)
        else:
            raise ReaderError(
                f"header line {row[0]!r} is not one this reader knows: expected the region names "
                "('Wijken en buurten' or 'Onderwerp'), 'Perioden' or a line of region codes.",
                file=str(path), row=line_no,
            )

    def set_codes(self, path: str | Path, codes: list[str], line_no: int) -> None:
        if self.codes is not None and self.codes != codes:
            raise ReaderError("gives region codes that differ from the ones given above it.",
                              file=str(path), row=line_no)
        self.codes = codes

    def region_names(self, path: str | Path, header_row: int) -> list[str]:
        """The region of each column: the region line, else the `Onderwerp` line."""
        if self.regions is not None and self.topic_line is not None and any(self.topic_line):
            raise ReaderError(
                "has both a region line and an 'Onderwerp' line naming the columns.",
                file=str(path), row=header_row, hint="Download the table again with regions as columns.",
            )
        names = self.regions if self.regions is not None else self.topic_line
        if names is None or not all(names):
            raise ReaderError(
                "names no region for every column: expected a 'Wijken en buurten' (or 'Onderwerp') "
                "line with a region name above each column.",
                file=str(path), row=header_row,
            )
        return names


def read_statline_transposed_csv(path: str | Path, period: int | None = None) -> ReadResult:
    """Read a StatLine CSV with topics as rows and regions as columns into the canonical read table.

    The period comes from a Perioden header line, else `period`, else the first year in the title,
    else the first year in the file name.
    """
    text, encoding = read_text(path)
    rows = parse_rows(path, text)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    start = 0
    while start < len(rows) and (not any(rows[start]) or note_text(rows[start]) is not None):
        if any(rows[start]):
            result.skip("title row", start + 1)
            result.notes.append(rows[start][0])
        else:
            result.skip("blank row", start + 1)
        start += 1
    if start == len(rows):
        raise ReaderError("holds no table: only a title and blank lines.", file=str(path))
    title = result.notes[0] if result.notes else None
    end = footer_start(rows, start)
    width = len(rows[start])
    headers = ColumnHeaders()
    topics: list[list] = []
    for index in range(start, end):
        row, line_no = rows[index], index + 1
        if not any(row):
            result.skip("blank row", line_no)
            continue
        check_width(path, row, width, line_no, start + 1)
        if is_region_attribute(row[0]):
            if is_code_attribute(row[0]):
                headers.set_codes(path, row[1:], line_no)
            result.skip("region attribute", line_no)
        elif topics or is_topic(row[0]):
            if not row[0]:
                raise ReaderError("has values but no topic in the first column.", file=str(path), row=line_no)
            topics.append([line_no, *row])
        else:
            headers.add(path, row, line_no)
            result.skip("header row", line_no)
    record_footer(result, rows, end)
    if not topics:
        raise ReaderError("has no topic rows (first column ending in a unit, such as '(km)').",
                          file=str(path), row=start + 1)
    names = headers.region_names(path, start + 1)
    columns = pd.DataFrame({
        "column": range(1, width),
        "source_column": names,
        "area_name": names,
        "area_code": pd.Series(headers.codes, dtype="string").replace("", pd.NA) if headers.codes else pd.NA,
        "category": pd.NA,
    })
    if headers.periods is not None:
        labels = pd.Series(headers.periods, dtype="string")
        rows_of = pd.Series(headers.period_row, index=labels.index)
        columns["period"], columns["provisional"] = labelled_periods(path, labels, rows_of, columns["source_column"],
                                                                     period)
        columns["period_label"] = labels
    else:
        year = fixed_period(path, period, title)
        columns["period"], columns["provisional"], columns["period_label"] = year, False, str(year)
    frame = pd.DataFrame(topics, columns=["source_row", "topic", *range(1, width)])
    long = frame.melt(id_vars=["source_row", "topic"], var_name="column", value_name="cell")
    long = long.merge(columns, on="column", how="left")
    return finish(long, path, result)
