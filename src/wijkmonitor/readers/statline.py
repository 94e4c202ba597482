"""Readers for CBS StatLine CSV downloads, Dutch or English, as StatLine writes them.

The Dutch downloads are `;`-separated, the English ones `,`-separated. Two styles of cell:

- "CSV met statistische symbolen": every field quoted, values right-aligned with spaces
  (`"     1.0"`), a decimal point, codes padded (`"GM0344    "`), `.` for a figure that is
  secret or not available;
- plain CSV: numbers unquoted with a decimal comma (`4,8`), missing values empty, often UTF-8
  with BOM and CRLF.

StatLine writes no thousands separators, so the decimal separator is read from the file's own
cells (`4,8` or `4.8`); a file with both is refused naming one cell of each.

`statline_csv`, regions as rows (table 85830NED as downloaded; `Perioden` may come first):

    "Wijken en buurten";"Regioaanduiding/Gemeentenaam (naam)";...;"Regioaanduiding/Codering (code)";...;
        "Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk (km)";...
    "Wijk 01 West";"Utrecht     ";"Wijk      ";"WK034401  ";"1";"       .";...

    "Perioden";"Regio's";"Regiocode (gemeente, wijk, buurt) (code)";"Bevolking/Aantal inwoners (aantal)";...
    2023;"Bergen (NH.)";"GM0373    ";29941;4,8;...

One column names the region (`Wijken en buurten`, `Regio's`, `Districts and neighbourhoods`, ...).
The region code comes from the column whose header ends in `(code)` and whose cells are all CBS
codes (`NL01`, `PV26`, `GM0363`, `WK036300`, `BU03630000`): `Regioaanduiding/Codering (code)` or
`Regiocode (gemeente, wijk, buurt) (code)`; two such columns that disagree are refused. The other
`Regioaanduiding/...` (`Regional characteristics/...`) columns describe the region and are not
read (noted); every other header ending in `(unit)` is a topic; `Perioden` (`Periods`) gives the
period per row; any other column is a further dimension (the category).

The older layout (downloads from earlier years) is read by `statline_csv` too:

    "Kerncijfers wijken en buurten 2009"

    "";"Onderwerp"
    "";"Bevolking|Aantal inwoners";"Inkomen|Inkomen van personen|Aantal inkomensontvangers  "
    "Wijken en buurten";"aantal";"aantal"
    "Utrecht";"299891";"236300"
    "Bron: CBS"

a title (with the year), a `"";"Onderwerp"` line, one or more subject lines (the topic hierarchy
joined by `|`, or one line per level), a unit line labelled with the region dimension, then one
row per region by name (no codes).

`statline_transposed_csv`, topics as rows and regions as columns:

    "Nabijheid voorzieningen; buurt 2023"

    "Wijken en buurten";"Wijk 01 West";"Wijk 02 Noordwest"      (or "Onderwerp";"Wijk 01 West";...)
    "Perioden";"2023";"2023"                                    (optional)
    "Onderwerp";"";""                                           (optional)
    "Gezondheid en welzijn/Afstand tot huisartsenpraktijk (km)";"     1.0";"     0.9"
    "Bron: CBS"

or, as the real transposed download has it, with the unit in a column of its own:

    "Kerncijfers wijken en buurten 2021"

    "";"";"Wijken en buurten"
    "Onderwerp";"";"Utrecht";"Wijk 01 West"
    "Regioaanduiding|Codering";"code";"GM0344";"WK034401"
    "Bevolking|Aantal inwoners";"aantal";"361966";"39825"
    "Bron: CBS"

A header line of CBS codes (`WK034401`, ...) or a `Regioaanduiding/Codering (code)`
(`Regioaanduiding|Codering`) row gives the area codes; other `Regioaanduiding` rows are region
attributes, not topics. Topic hierarchies written with `|` are joined with `/` as the modern
downloads write them, so that an indicator has the same name in every layout.
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
from .common import (
    CBS_CODE,
    CBS_CODE_PATTERN,
    parse_long_cells,
    period_from_label,
    read_text,
    years_in,
)
from .sample import Sample, split_line

SEPARATORS = (";", ",")
# Names StatLine gives the region dimension, Dutch and English (compared case-insensitively).
REGION_DIMENSIONS = frozenset({
    "wijken en buurten", "regio's", "gemeenten", "districts and neighbourhoods", "regions", "municipalities",
})
PERIOD_DIMENSIONS = frozenset({"perioden", "periods"})
TOPIC_DIMENSIONS = frozenset({"onderwerp", "onderwerpen", "topic", "topics", "subjects"})
DIMENSIONS = REGION_DIMENSIONS | PERIOD_DIMENSIONS | TOPIC_DIMENSIONS
# Topic groups that describe the region itself (name, type, code), not a statistic about it.
REGION_ATTRIBUTE_GROUPS = ("regioaanduiding/", "regional characteristics/", "regioaanduiding|",
                           "regional characteristics|")
CODE_ATTRIBUTES = frozenset({"codering", "codes", "code"})
# Joins the members of several further dimensions (Geslacht, Leeftijd, ...) into one category.
CATEGORY_JOIN = " | "
_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)$")
CODE_EXAMPLES = "NL01, PV26, GM0363, WK036300 or BU03630000"
# What to do when a download does not have the shape StatLine gives it.
DOWNLOAD_AGAIN = "The download is damaged or was edited; download the table again from StatLine."
_SOURCE_LINE = re.compile(r"^(bron|source)\b|^©|centraal bureau voor de statistiek|statistics netherlands", re.I)
# A figure with a decimal comma (`4,8`) or a decimal point (`4.8`).
_DECIMAL_COMMA = r"[+-]?\d+,\d+"
_DECIMAL_POINT = r"[+-]?\d+\.\d+"
# A figure with a thousands separator (`1.250.000`, `1.250,5`, `1,250.5`): StatLine writes none.
_GROUPED = r"[+-]?\d+([.,]\d+){2,}"
DECIMALS = {",": "decimal comma", ".": "decimal point", None: "whole numbers only"}
# A quoted figure or `.` right-aligned with spaces, as "CSV met statistische symbolen" writes it.
_PADDED_FIGURE = re.compile(r'"[ ]+(?:[-+]?\d|\.")')
# How many of the first non-blank lines `separator` looks at for two of equal width.
SEPARATOR_LINES = 12


# ----------------------------------------------------------------- cells and labels


def _widths(lines: list[str], sep: str) -> list[int]:
    """The number of fields of each of the first non-blank lines."""
    widths = []
    for line in lines:
        if line.strip():
            widths.append(len(split_line(line, sep)))
            if len(widths) == SEPARATOR_LINES:
                break
    return widths


def separator(lines: list[str]) -> str | None:
    """`;` or `,`: the one that splits the first line with several fields and the next non-blank
    line (if any) into the same number of fields, or else two consecutive lines among the first
    ones into the same number (at least 2): a short dimension line such as `"";"";"Wijken en
    buurten"` or `"";"Onderwerp"` may come before the table. None when neither does."""
    for sep in SEPARATORS:
        widths = _widths(lines, sep)
        several = next((i for i, width in enumerate(widths) if width >= 2), None)
        if several is not None and (several + 1 == len(widths) or widths[several + 1] == widths[several]):
            return sep
        if any(a == b >= 2 for a, b in zip(widths, widths[1:], strict=False)):
            return sep
    return None


def split_topic(label: str) -> tuple[str, str | None]:
    """(indicator, unit) of a topic label: `Gezondheid en welzijn/Afstand tot apotheek (km)` ->
    (`Gezondheid en welzijn/Afstand tot apotheek`, `km`); the unit is the last parentheses."""
    match = _UNIT.match(label)
    return (match["name"], match["unit"].strip()) if match else (label, None)


def topic_path(label: str) -> str:
    """A topic hierarchy written with `|`, as the modern downloads write it (with `/`):
    `Inkomen|Inkomen van personen|Aantal inkomensontvangers  ` ->
    `Inkomen/Inkomen van personen/Aantal inkomensontvangers`."""
    return "/".join(part.strip() for part in label.split("|"))


def is_region_attribute(label: str) -> bool:
    return label.casefold().startswith(REGION_ATTRIBUTE_GROUPS)


def is_code_attribute(label: str, unit: str | None = None) -> bool:
    """`Regioaanduiding/Codering (code)`, `Regional characteristics/Codes (code)`, or, with the unit
    in a column of its own, `Regioaanduiding|Codering` with unit `code`."""
    if unit is None:
        label, unit = split_topic(label)
    name = re.split(r"[/|]", label)[-1].strip()
    return is_region_attribute(label) and (unit or "").casefold() == "code" and name.casefold() in CODE_ATTRIBUTES


def is_topic(label: str) -> bool:
    """A topic label ends in its unit: `... (km)`, `... (aantal)`."""
    return bool(_UNIT.match(label)) and not is_region_attribute(label)


def is_cbs_code(text: str) -> bool:
    return bool(CBS_CODE_PATTERN.match(text))


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
    if row[0].casefold() in DIMENSIONS:
        return None
    return None if len(row) > 1 and is_topic(row[0]) else row[0]


def is_dimension_line(row: list[str]) -> bool:
    """A line that only labels a dimension, right-aligned above the columns it spans:
    `"";"";"Wijken en buurten"` (the transposed download) or `"";"Onderwerp"`."""
    filled = [cell for cell in row if cell]
    return len(filled) == 1 and not row[0] and filled[0].casefold() in DIMENSIONS


def parse_rows(path: str | Path, text: str) -> list[list[str]]:
    """The file's lines as stripped fields, split on the separator its header lines show."""
    sep = separator(text.splitlines())
    if sep is None:
        raise ReaderError(
            "is not a StatLine CSV: neither ';' nor ',' splits its header line and the next line into "
            "the same number of fields.",
            file=str(path), hint="Download the table again as CSV from StatLine.",
        )
    return [[f.strip() for f in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]


def cell_style(text: str) -> str:
    """`CSV met statistische symbolen` when figures are quoted and right-aligned with spaces, else
    `plain CSV`."""
    return "CSV met statistische symbolen" if _PADDED_FIGURE.search(text) else "plain CSV"


def decimal_mark(long: pd.DataFrame, path: str | Path) -> str | None:
    """The decimal separator the file's figures use: `,` (`4,8`), `.` (`4.8`), or None when every
    figure is whole. StatLine writes no thousands separators, so a file with both is refused,
    naming a cell of each, and so is a figure with two separators (`1.250.000`, `1.250,5`). A figure
    like `1.250` is thus the decimal 1.25, never 1250."""
    text = long["cell"].astype("string").str.strip()
    grouped = text.str.fullmatch(_GROUPED).fillna(False).to_numpy(dtype=bool)
    if grouped.any():
        first = long.iloc[grouped.argmax()]
        raise ReaderError(
            f"{str(first['cell']).strip()!r} has a thousands separator, which StatLine does not write; the "
            "figure cannot be read with certainty.",
            file=str(path), row=int(first["source_row"]), column=str(first["source_column"]),
            hint="The file was edited; download the table again from StatLine.",
        )
    comma = text.str.fullmatch(_DECIMAL_COMMA).fillna(False).to_numpy(dtype=bool)
    point = text.str.fullmatch(_DECIMAL_POINT).fillna(False).to_numpy(dtype=bool)
    if comma.any() and point.any():
        first, second = sorted((long.iloc[comma.argmax()], long.iloc[point.argmax()]),
                               key=lambda cell: (int(cell["source_row"]), str(cell["source_column"])))
        raise ReaderError(
            f"mixes decimal separators: {first['cell']!r} (row {int(first['source_row'])}, column "
            f"{first['source_column']!r}) and {second['cell']!r} here; StatLine writes one decimal separator "
            "throughout and no thousands separators.",
            file=str(path), row=int(second["source_row"]), column=str(second["source_column"]),
            hint="The file was edited or pieced together; download the table again from StatLine.",
        )
    return "," if comma.any() else "." if point.any() else None


# --------------------------------------------------------------------- the file's edges


def footer_start(rows: list[list[str]], start: int) -> int:
    """Index of the footer after the last data line: the trailing blank lines and one-field lines
    (`"Bron: CBS"`, notes). A full-width line with only its first field filled, that follows the
    data directly and is no source line, is data: a region (a former municipality) or topic whose
    figures are all empty."""
    end = len(rows)
    while end > start and (not any(rows[end - 1]) or note_text(rows[end - 1]) is not None):
        end -= 1
    while end < len(rows) and any(rows[end]) and len(rows[end]) > 1 and not _SOURCE_LINE.search(rows[end][0]):
        end += 1
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


def record_title(result: ReadResult, rows: list[list[str]], start: int = 0) -> int:
    """Skip the title and blank lines from `start` on (titles go into the notes); the index of the
    first other line."""
    while start < len(rows) and (not any(rows[start]) or note_text(rows[start]) is not None):
        if any(rows[start]):
            result.skip("title row", start + 1)
            result.notes.append(rows[start][0])
        else:
            result.skip("blank row", start + 1)
        start += 1
    return start


def table_lines(path: str | Path, rows: list[list[str]], start: int, end: int, header: int,
                result: ReadResult) -> list[tuple[int, list[str]]]:
    """(line number, fields) of the lines from `start` to `end` (0-based, end excluded), each as
    wide as the header line `header`; blank lines are recorded as skipped."""
    lines = []
    for index in range(start, end):
        if not any(rows[index]):
            result.skip("blank row", index + 1)
            continue
        check_width(path, rows[index], len(rows[header]), index + 1, header + 1)
        lines.append((index + 1, rows[index]))
    return lines


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
                          file=str(path), row=int(rows[first]), column=str(columns[first]), hint=DOWNLOAD_AGAIN)
    if option is not None and (years != int(option)).any():
        first = years[years != int(option)].index[0]
        raise ReaderError(
            f"period {labels[first]!r} contradicts the `period: {option}` set for this source.",
            file=str(path), row=int(rows[first]), column=str(columns[first]),
            hint="The file names its own periods; remove `period:` from the config.",
        )
    return years, labels.str.endswith("*")


def finish(long: pd.DataFrame, path: str | Path, result: ReadResult, layout: str) -> ReadResult:
    """Parse the melted cells and put them into the result's canonical table.

    `long` names each cell's topic either as a `topic` label with its unit (`... (km)`) or as
    `indicator` and `unit`; `layout` describes the variant, `{decimal}` standing for the decimal
    separator the cells show."""
    mark = decimal_mark(long, path)
    value, status = parse_long_cells(long, path, "source_column", decimal=mark or ".")
    if "indicator" not in long:
        split = {label: split_topic(label) for label in long["topic"].unique()}
        long = long.assign(indicator=long["topic"].map(lambda label: split[label][0]),
                           unit=long["topic"].map(lambda label: split[label][1]))
    result.layout = layout.replace("{decimal}", DECIMALS[mark])
    result.table = read_frame(pd.DataFrame({
        "source_indicator": long["indicator"],
        "area_code": long["area_code"],
        "area_name": long["area_name"],
        "category": long["category"],
        "period": long["period"],
        "period_label": long["period_label"],
        "value": value,
        "status": status,
        "n": pd.NA,
        "provisional": long["provisional"],
        "source_unit": long["unit"],
        "source_row": long["source_row"],
        "source_column": long["source_column"],
    }))
    return result


def check_unique_topics(path: str | Path, labels: list[str], indicators: list[str], row: int) -> None:
    """Two columns that name the same topic are refused."""
    seen: dict[str, str] = {}
    for label, indicator in zip(labels, indicators, strict=True):
        if indicator in seen:
            raise ReaderError(f"columns {seen[indicator]!r} and {label!r} name the same topic.",
                              file=str(path), row=row, column=label, hint=DOWNLOAD_AGAIN)
        seen[indicator] = label


# ----------------------------------------------------------- regions as rows (statline_csv)


def looks_like(sample: Sample) -> bool:
    """A `;`- or `,`-separated first line naming the region dimension and at least one topic with
    its unit (`... (km)`); or the older layout (title, `"";"Onderwerp"`, subject and unit lines)."""
    if sample.kind != "text" or not sample.lines:
        return False
    sep = separator(sample.lines)
    if sep is None:
        return False
    header = split_line(sample.lines[0], sep)
    if any(h.casefold() in REGION_DIMENSIONS for h in header) and any(is_topic(h) for h in header):
        return True
    return older_layout([split_line(line, sep) for line in sample.lines]) is not None


@dataclass(frozen=True)
class WideLayout:
    """Positions of the header's columns by role."""

    region: int
    code: int | None
    period: int | None
    categories: list[int]
    topics: list[int]
    attributes: list[int]


def region_column(path: str | Path, header: list[str]) -> int:
    regions = [i for i, h in enumerate(header) if h.casefold() in REGION_DIMENSIONS]
    if len(regions) != 1:
        raise ReaderError(
            "is not a StatLine table with regions as rows: row 1 names "
            + ("no region column" if not regions else f"{len(regions)} region columns")
            + " (e.g. 'Wijken en buurten', 'Regio's', 'Districts and neighbourhoods').",
            file=str(path), row=1,
            hint="Download the table with the regions as rows, or use format statline_transposed_csv.",
        )
    return regions[0]


def code_role(path: str | Path, label: str, cells: pd.Series, rows: pd.Series) -> str:
    """`code`, `attribute` or `topic`: the role of a column whose header ends in `(code)`.

    The region code column holds CBS codes only (empty cells allowed); the region-code attribute
    (`Regioaanduiding/Codering (code)`) or a column that holds some CBS codes must hold nothing
    else. Other `Regioaanduiding/... (code)` columns are attributes (`Indelingswijziging`), others
    topics (`Mate van stedelijkheid (code)`: 1 to 5)."""
    filled = cells != ""
    codes = cells.str.fullmatch(CBS_CODE).fillna(False)
    bad = filled & ~codes
    if is_code_attribute(label) or codes.any():
        if bad.any():
            first = bad.to_numpy().argmax()
            raise ReaderError(
                f"{cells.iloc[first]!r} is not a CBS region code (such as {CODE_EXAMPLES}), and this column "
                "gives the regions' codes.",
                file=str(path), row=int(rows.iloc[first]), column=label,
                hint="Download the table again: an edited code cannot be matched to its area.",
            )
        return "code"
    return "attribute" if is_region_attribute(label) else "topic"


def wide_layout(path: str | Path, header: list[str], frame: pd.DataFrame) -> WideLayout:
    """Sort the header's columns into region, code, period, further dimensions, topics and region
    attributes (`frame` holds the data rows, stripped, by column position, and `source_row`)."""
    region = region_column(path, header)
    period = None
    codes, categories, topics, attributes = [], [], [], []
    for i, label in enumerate(header):
        if i == region:
            continue
        unit = split_topic(label)[1]
        role = (code_role(path, label, frame[i], frame["source_row"]) if (unit or "").casefold() == "code"
                else "attribute" if is_region_attribute(label) else "topic" if is_topic(label)
                else "period" if label.casefold() in PERIOD_DIMENSIONS else "category")
        if role == "category" and not label:
            raise ReaderError(f"column {i + 1} has no header.", file=str(path), row=1, hint=DOWNLOAD_AGAIN)
        if role == "period":
            period = i
        else:
            {"code": codes, "attribute": attributes, "topic": topics, "category": categories}[role].append(i)
    if not topics:
        raise ReaderError("has no topic columns (headers ending in a unit, such as '(km)').",
                          file=str(path), row=1, hint="Download the table with at least one topic (onderwerp).")
    check_unique_topics(path, [header[i] for i in topics], [split_topic(header[i])[0] for i in topics], 1)
    for other in codes[1:]:
        differ = (frame[codes[0]] != frame[other]).to_numpy()
        if differ.any():
            first = frame.iloc[differ.argmax()]
            raise ReaderError(
                f"columns {header[codes[0]]!r} and {header[other]!r} both give region codes, and they differ: "
                f"{first[codes[0]]!r} and {first[other]!r}.",
                file=str(path), row=int(first["source_row"]), column=header[other],
                hint="Download the table again with one region-code column.",
            )
    return WideLayout(region, codes[0] if codes else None, period, categories, topics, attributes + codes[1:])


def read_statline_csv(path: str | Path, period: int | None = None) -> ReadResult:
    """Read a StatLine CSV with regions as rows into the canonical read table.

    Every row is kept (Nederland, the gemeente, its wijken and buurten; former municipalities,
    whose figures are all empty, as missing); ingest chooses the areas. The period comes from a
    Perioden column, else `period`, else the first year in the file name (the title, in the
    older layout).
    """
    text, encoding = read_text(path)
    rows = parse_rows(path, text)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    older = older_layout(rows)
    if older is not None:
        return read_older_layout(path, rows, result, period, *older)
    header = rows[0]
    region = region_column(path, header)
    result.skip("header row", 1)
    end = footer_start(rows, 1)
    body = [[line_no, *fields] for line_no, fields in table_lines(path, rows, 1, end, 0, result)]
    record_footer(result, rows, end)
    frame = pd.DataFrame(body, columns=["source_row", *range(len(header))])
    nameless = frame[region] == ""
    if nameless.any():
        raise ReaderError("has values but no region name.", file=str(path),
                          row=int(frame.loc[nameless, "source_row"].iloc[0]), column=header[region],
                          hint=DOWNLOAD_AGAIN)
    layout = wide_layout(path, header, frame)
    if layout.attributes:
        result.notes.append("region attributes, not indicators: " + ", ".join(header[i] for i in layout.attributes))
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
    codes = f"codes from {header[layout.code]!r}" if layout.code is not None else "no region codes: areas by name"
    return finish(long, path, result, f"regions as rows; {cell_style(text)} ({{decimal}}); {codes}")


# ------------------------------------------------ older layout (title, Onderwerp, units)


def older_layout(rows: list[list[str]]) -> tuple[int, int] | None:
    """(index of the `"";"Onderwerp"` line, index of the unit line) when the rows start as an
    older StatLine download does, else None:

        "Kerncijfers wijken en buurten 2009"          title (and blank) lines
        "";"Onderwerp"
        "";"Inkomen|Inkomen van personen|..."         one or more subject lines, first field empty
        "Wijken en buurten";"aantal";"%"              the unit line, labelled with the region dimension
    """
    index = 0
    while index < len(rows) and (not any(rows[index]) or note_text(rows[index]) is not None):
        index += 1
    if index == 0 or index == len(rows):
        return None
    row = rows[index]
    if len(row) < 2 or row[0] or row[1].casefold() not in TOPIC_DIMENSIONS:
        return None
    topic_line, index = index, index + 1
    subjects = 0
    while index < len(rows) and (not any(rows[index]) or not rows[index][0]):
        subjects += any(rows[index])
        index += 1
    if subjects and index < len(rows) and rows[index][0].casefold() in REGION_DIMENSIONS:
        return topic_line, index
    return None


def subject_labels(path: str | Path, subjects: list[tuple[int, list[str]]], width: int) -> list[str]:
    """The topic of each value column of the older layout, its hierarchy joined with `|` as the
    subject lines write it. With several subject lines (one per level) every line must name
    every column: an empty cell could mean the group on its left or no group, so it is refused."""
    labels = []
    for column in range(1, width):
        parts = [row[column] for _, row in subjects]
        if not all(parts):
            line = subjects[[bool(p) for p in parts].index(False)][0]
            raise ReaderError(
                f"names no topic above column {column + 1}"
                + (": with several subject lines each must name every column (an empty cell could mean the "
                   "group to its left or no group)." if len(subjects) > 1 else "."),
                file=str(path), row=line,
                hint="Download the table again (with the topics joined in one subject line if StatLine offers it).",
            )
        labels.append("|".join(parts))
    return labels


def read_older_layout(path: str | Path, rows: list[list[str]], result: ReadResult, period: int | None,
                      topic_line: int, unit_line: int) -> ReadResult:
    """Read the older StatLine layout (see `older_layout`): areas by name, the period from the
    `period` option, else the title, else the file name."""
    record_title(result, rows)
    title = result.notes[0] if result.notes else None
    width = len(rows[unit_line])
    if len(rows[topic_line]) > width:
        check_width(path, rows[topic_line], width, topic_line + 1, unit_line + 1)
    result.skip("header row", topic_line + 1)
    subjects = table_lines(path, rows, topic_line + 1, unit_line, unit_line, result)
    for line_no, _ in subjects:
        result.skip("header row", line_no)
    result.skip("header row", unit_line + 1)
    labels = subject_labels(path, subjects, width)
    indicators = [topic_path(label) for label in labels]
    check_unique_topics(path, labels, indicators, subjects[-1][0])
    end = footer_start(rows, unit_line + 1)
    body = []
    for line_no, fields in table_lines(path, rows, unit_line + 1, end, unit_line, result):
        if not fields[0]:
            raise ReaderError("has values but no region name.", file=str(path), row=line_no,
                              column=rows[unit_line][0], hint=DOWNLOAD_AGAIN)
        body.append([line_no, *fields])
    record_footer(result, rows, end)
    year = fixed_period(path, period, title)
    frame = pd.DataFrame(body, columns=["source_row", "area_name", *labels])
    long = frame.melt(id_vars=["source_row", "area_name"], var_name="source_column", value_name="cell")
    topics = pd.DataFrame({"source_column": labels, "indicator": indicators,
                           "unit": [unit or None for unit in rows[unit_line][1:]]})
    long = long.merge(topics, on="source_column", how="left").assign(
        area_code=pd.NA, category=pd.NA, period=year, period_label=str(year), provisional=False)
    return finish(long, path, result, "older layout: title, Onderwerp/subject/unit lines; regions as rows by "
                                      "name, no region codes ({decimal})")


# -------------------------------------------- topics as rows (statline_transposed_csv)


def names_line_with_unit_column(row: list[str]) -> bool:
    """`"Onderwerp";"";"Utrecht";"Wijk 01 West";...`: the line naming the regions, with an empty
    field above the unit column."""
    return (len(row) >= 3 and row[0].casefold() in TOPIC_DIMENSIONS | REGION_DIMENSIONS and not row[1]
            and all(row[2:]))


def looks_like_transposed(sample: Sample) -> bool:
    """A one-field title line, then header lines one of which is labelled `Onderwerp` (`Topic`) or
    with the region dimension, then a topic row whose label ends in its unit (`... (km)`); or a
    title, then `"Onderwerp";"";<region names>` followed by a row of the same width with a unit
    (or attribute kind) in its second field. The older layout (`"";"Onderwerp"`) is not this."""
    if sample.kind != "text":
        return False
    sep = separator(sample.lines)
    if sep is None:
        return False
    all_rows = [split_line(line, sep) for line in sample.lines]
    if older_layout(all_rows) is not None:
        return False
    rows = [row for row in all_rows if any(row)]
    if not rows or note_text(rows[0]) is None:
        return False
    labels = set()
    for index, row in enumerate(rows[1:], start=1):
        if len(row) < 2 or is_region_attribute(row[0]) or is_dimension_line(row):
            continue
        if names_line_with_unit_column(row):
            following = rows[index + 1] if index + 1 < len(rows) else []
            return len(following) == len(row) and bool(following[0]) and bool(following[1])
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
    codes_from: str | None = None
    codes_row: int | None = None
    periods: list[str] | None = None
    period_row: int | None = None

    def add(self, path: str | Path, label: str, values: list[str], line_no: int) -> None:
        """Classify one header line by its label (or, for a line of CBS codes, by its values)."""
        if label.casefold() in PERIOD_DIMENSIONS:
            self.periods, self.period_row = values, line_no
        elif label.casefold() in REGION_DIMENSIONS:
            self.regions = values
        elif label.casefold() in TOPIC_DIMENSIONS:
            self.topic_line = values
        elif all(CBS_CODE_PATTERN.match(v) for v in values):
            self.set_codes(path, values, line_no, "a line of region codes")
        else:
            raise ReaderError(
                f"header line {label!r} is not one this reader knows: expected the region names "
                "('Wijken en buurten' or 'Onderwerp'), 'Perioden' or a line of region codes.",
                file=str(path), row=line_no,
                hint="Download the table with the regions as columns and the topics as rows, or regions as rows.",
            )

    def set_codes(self, path: str | Path, codes: list[str], line_no: int, source: str) -> None:
        if self.codes is not None and self.codes != codes:
            raise ReaderError("gives region codes that differ from the ones given above it.",
                              file=str(path), row=line_no, hint=DOWNLOAD_AGAIN)
        if self.codes is None:
            self.codes, self.codes_from, self.codes_row = codes, source, line_no

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
                file=str(path), row=header_row, hint=DOWNLOAD_AGAIN,
            )
        return names

    def area_codes(self, path: str | Path, names: list[str]) -> pd.Series | None:
        """The code of each column (NA where empty); a code that is no CBS code is refused."""
        if self.codes is None:
            return None
        bad = [i for i, code in enumerate(self.codes) if code and not is_cbs_code(code)]
        if bad:
            raise ReaderError(
                f"{self.codes[bad[0]]!r} is not a CBS region code (such as {CODE_EXAMPLES}), and this row gives "
                "the regions' codes.", file=str(path), row=self.codes_row, column=names[bad[0]],
                hint="Download the table again: an edited code cannot be matched to its area.",
            )
        return pd.Series(self.codes, dtype="string").replace("", pd.NA)


def read_statline_transposed_csv(path: str | Path, period: int | None = None) -> ReadResult:
    """Read a StatLine CSV with topics as rows and regions as columns into the canonical read table.

    The period comes from a Perioden header line, else `period`, else the first year in the title,
    else the first year in the file name.
    """
    text, encoding = read_text(path)
    rows = parse_rows(path, text)
    result = ReadResult(table=pd.DataFrame(), encoding=encoding)
    start = record_title(result, rows)
    while start < len(rows) and is_dimension_line(rows[start]):
        result.skip("header row", start + 1)
        start += 1
    if start == len(rows):
        raise ReaderError("holds no table: only a title and blank lines.", file=str(path), hint=DOWNLOAD_AGAIN)
    title = result.notes[0] if result.notes else None
    end = footer_start(rows, start)
    width = len(rows[start])
    # With a unit column the region names line is `"Onderwerp";"";"Utrecht";...`, the topics
    # `"Bevolking|Aantal inwoners";"aantal";"361966";...`; the figures start in column 3.
    unit_column = any(names_line_with_unit_column(row) for row in rows[start:end])
    first = 2 if unit_column else 1
    names_seen = False
    headers = ColumnHeaders()
    topics: list[list] = []
    for index in range(start, end):
        row, line_no = rows[index], index + 1
        if not any(row):
            result.skip("blank row", line_no)
            continue
        if is_dimension_line(row):
            result.skip("header row", line_no)
            continue
        check_width(path, row, width, line_no, start + 1)
        unit = row[1] if unit_column else None
        if is_region_attribute(row[0]):
            if is_code_attribute(row[0], unit):
                headers.set_codes(path, row[first:], line_no, f"the {row[0]!r} row")
            result.skip("region attribute", line_no)
        elif topics or (names_seen and row[0].casefold() not in DIMENSIONS if unit_column else is_topic(row[0])):
            if not row[0]:
                raise ReaderError("has values but no topic in the first column.", file=str(path), row=line_no,
                                  hint=DOWNLOAD_AGAIN)
            indicator, unit = (topic_path(row[0]), unit or None) if unit_column else split_topic(row[0])
            topics.append([line_no, indicator, unit, *row[first:]])
        else:
            headers.add(path, row[0], row[first:], line_no)
            names_seen = names_seen or names_line_with_unit_column(row)
            result.skip("header row", line_no)
    record_footer(result, rows, end)
    if not topics:
        raise ReaderError(
            "has no topic rows (" + ("a topic with its unit in the second column)." if unit_column
                                     else "first column ending in a unit, such as '(km)')."),
            file=str(path), row=start + 1, hint="Download the table with at least one topic (onderwerp).")
    names = headers.region_names(path, start + 1)
    codes = headers.area_codes(path, names)
    columns = pd.DataFrame({
        "column": range(first, width),
        "source_column": names,
        "area_name": names,
        "area_code": codes if codes is not None else pd.NA,
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
    frame = pd.DataFrame(topics, columns=["source_row", "indicator", "unit", *range(first, width)])
    long = frame.melt(id_vars=["source_row", "indicator", "unit"], var_name="column", value_name="cell")
    long = long.merge(columns, on="column", how="left")
    layout = "topics as rows (transposed)" + ("; unit in column 2" if unit_column else "") + (
        f"; codes from {headers.codes_from}" if headers.codes_from else "; no region codes: areas by name")
    return finish(long, path, result, layout + " ({decimal})")
