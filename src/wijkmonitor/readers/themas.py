"""Reader for Swing "Thema's" xlsx reports, as Swing / incijfers portals (utrecht.incijfers.nl) export them.

Shape (one sheet, text in column A unless shown otherwise; blank rows may separate the blocks):

    Thema's - 2019 - Buurten                                  title: the report, its year, the area level
    (empty) | Aantal inwoners [aantal] (1) | Huishoudens met laag inkomen [%] | ...     header
    Lombok  | 1600                         | 18,2                                     one row per area
    Onbekend| ?                            | .                                        (totals are areas too)
    - Niet van toepassing / ? Ontbreekt / . Geheim                                    legend
    Bron: CBS  (or Bronnen: ...)                                                      source line
    (1) Cijfers van 2025 zijn voorlopig.                                              footnote
    Utrecht in Cijfers                                                                portal name
    Datum export; woensdag 19 maart 2025                                              export date

or, in newer exports, labelled footer blocks: the label in column A, its lines in column B, the
continuation lines with an empty first cell:

    Legenda      | - Niet van toepassing
                 | ? Ontbreekt
    Bron         | CBS, Kerncijfers wijken en buurten
                 | Gemeente Utrecht, Basisregistratie Personen
    (1)          | Cijfers van 2025 zijn
                 | voorlopig.
    Datum export | woensdag 19 maart 2025

A header cell is `indicator [unit] (footnote)`, unit and footnote reference both optional. Values
are numbers stored as numbers, or text in Dutch notation (`18,2`, `1.600`) or a marker.

Which row is what: a row whose text is a footer line (legend, source, footnote, portal, export
date) and that holds no number is footer; any other row with a value is an area, wherever it
stands. A row with a name and no values at all is an area (all cells missing) inside the
contiguous block under the header, and unrecognised footer text after it (skipped as
"footer text" and kept in the notes, never dropped silently). A footer line opens a block: the
rows after it with an empty first cell and only text (no number, not just markers) continue it,
are skipped under the block's reason and noted with its label (`Bron: Gemeente Utrecht, ...`); a
footnote's continuation lines extend that footnote. A row with an empty first cell and numbers
is data without an area, and refused.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..canonical import MARKERS, OK, ReadResult, read_frame
from ..errors import ReaderError
from .common import (
    CellError,
    check_notation,
    notation_of,
    parse_cell,
    period_from_label,
    strip_cell,
    years_in,
)
from .excel import read_sheet
from .sample import Sample

_TITLE = re.compile(r"thema['\u2019]s\b", re.IGNORECASE)
_HEADER = re.compile(
    r"(?P<name>.*?)\s*(?:\[(?P<unit>[^\]]*)\])?\s*(?P<refs>(?:\(\d+(?:\s*,\s*\d+)*\)\s*)*)"
)
_FOOTNOTE = re.compile(r"\((?P<number>\d+)\)\s*(?P<text>.*)")
# Footer lines, by the reason they are skipped under; matched on the row's text cells joined by a space.
_FOOTER = (
    ("legend", re.compile(r"legenda\b|speciale\s+waarden\b|[-?.x*\u2212](?:\s+|\s*[=:]\s*)[^\W\d_]",
                          re.IGNORECASE)),
    ("source line", re.compile(r"bron(nen)?\b", re.IGNORECASE)),
    ("unit", re.compile(r"eenheid\b", re.IGNORECASE)),
    ("footnote", _FOOTNOTE),
    ("export date", re.compile(r"(datum\s*export|export\s*datum)\b", re.IGNORECASE)),
    ("portal name", re.compile(r".*(incijfers|\bin\s+cijfers\b|onderzoek\s*010\b)|website\b|https?://|www\.",
                               re.IGNORECASE)),
)
# A one-cell footer line `Bron: CBS` -> label `Bron`, text `CBS` (not `https://...`).
_LABELLED = re.compile(r"(?P<label>[^\W\d_][^:]*?)\s*:\s*(?P<text>(?!//)\S.*)")
_PROVISIONAL = re.compile(r"voorlopig|provisional", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    """One indicator column of the header: its position (0-based), text as written and parts."""

    number: int
    header: str
    indicator: str
    unit: str | None
    footnotes: tuple[int, ...]


def looks_like(sample: Sample) -> bool:
    """A sheet whose first non-blank row starts with "Thema's" (or Thema’s), then a header row
    with an empty first cell and indicator names after it."""
    if sample.kind != "excel":
        return False
    for rows in sample.sheets.values():
        filled = [row for row in rows if any(row)]
        if (len(filled) >= 2 and _TITLE.match(filled[0][0])
                and not filled[1][0] and any(filled[1][1:])):
            return True
    return False


def parse_header(number: int, text: str) -> Column:
    """`Aantal inwoners [aantal] (1)` -> indicator `Aantal inwoners`, unit `aantal`, footnotes (1,)."""
    match = _HEADER.fullmatch(text)
    refs = tuple(int(n) for n in re.findall(r"\d+", match["refs"]))
    return Column(number, text, match["name"].strip(), (match["unit"] or "").strip() or None, refs)


def footer_reason(text: str) -> str | None:
    """The kind of footer line a row's text is, or None."""
    return next((reason for reason, pattern in _FOOTER if pattern.match(text)), None)


def holds_number(cell: object) -> bool:
    """Whether a cell is a number (not a marker, not text)."""
    try:
        return parse_cell(cell, decimal=",")[1] == OK
    except CellError:
        return False


def cell_text(cell: object) -> str:
    """A cell as stripped text; a whole number read as float (pandas pads sparse columns) without `.0`."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return strip_cell(cell)


def report_sheet(path: str | Path, sheet: str | None) -> pd.DataFrame:
    """The report's cells as stored: numbers stay numbers, so a stored 1.234 is not read as the
    Dutch text `1.234` (one thousand two hundred and thirty-four). `read_sheet` picks the sheet."""
    name, _ = read_sheet(path, sheet)
    return pd.read_excel(path, sheet_name=name, header=None, engine="calamine")


def report_period(path: str | Path, title: str, title_row: int, explicit: int | None) -> tuple[int, str]:
    """(year, label) of the report: from the title (`Thema's - 2019 - Buurten`), else `period`,
    else the file name. A `period` that contradicts the title is refused."""
    parts = re.split(r"\s+[-\u2013]\s+", title)[1:]
    label = next((part.strip() for part in parts if period_from_label(part) is not None), None)
    year = period_from_label(label if label is not None else title)
    if year is not None:
        if explicit is not None and int(explicit) != year:
            raise ReaderError(
                f"its title ({title!r}) says {year}, but `period` is set to {explicit}.",
                file=str(path), row=title_row, hint="Remove `period:` for this source, or check the file.",
            )
        return year, label or str(year)
    year = int(explicit) if explicit is not None else period_from_label(Path(path).name)
    if year is None:
        raise ReaderError(
            f"names no year in its title ({title!r}) or file name.",
            file=str(path), hint="Set `period:` for this source in the config to the report's year.",
        )
    return year, str(year)


def provisional_columns(columns: list[Column], footnotes: dict[int, str], year: int,
                        result: ReadResult) -> set[int]:
    """Positions of the columns whose footnote calls the figures provisional (voorlopig).

    A footnote that names years flags the columns only when the report's year is among them;
    otherwise the reader says so in the notes.
    """
    flagged = set()
    for number, text in footnotes.items():
        if not _PROVISIONAL.search(text):
            continue
        years = sorted(set(years_in(text)))
        if years and year not in years:
            result.notes.append(f"footnote ({number}) calls {', '.join(map(str, years))} provisional, "
                                f"not {year}: its cells are not flagged provisional")
            continue
        flagged |= {c.number for c in columns if number in c.footnotes}
    return flagged


def _column_letter(number: int) -> str:
    """The spreadsheet letter of a 0-based column number (0 -> A, 26 -> AA)."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def check_area_row(path: str | Path, number: int, line: list[str], value_columns: Collection[int]) -> str:
    """The area name of a row with values; refuses a row without a name or with a value in a
    column that is not a value column (positions 0-based)."""
    if not line[0]:
        raise ReaderError("has values but no area name in the first column.", file=str(path), row=number,
                          hint="Give the row its area name, or remove it if it is not a figure of an area.")
    stray = next((i for i, t in enumerate(line) if i and t and i not in value_columns), None)
    if stray is not None:
        raise ReaderError(
            f"has a value ({line[stray]!r}) in a column without a header.",
            file=str(path), row=number, column=_column_letter(stray),
            hint="Give the column its indicator header, or remove the value.",
        )
    return line[0]


@dataclass
class Body:
    """The rows under the header: area rows as (row, area name, cells), footnotes by number, and
    the footer's texts by reason without their label (`unit` -> [`aantal`])."""

    areas: list[tuple[int, str, list]] = field(default_factory=list)
    footnotes: dict[int, str] = field(default_factory=dict)
    footer: dict[str, list[str]] = field(default_factory=dict)
    continued: bool = False  # a footer block had continuation rows


@dataclass
class _Block:
    """The footer block being read: its reason, label (`Bron`), footnote number and note's index."""

    reason: str
    label: str | None
    footnote: int | None = None
    note: int | None = None


def split_label(line: list[str]) -> tuple[str | None, str]:
    """(label, text) of a footer line: `Bron | CBS` and `Bron: CBS` -> ('Bron', 'CBS');
    `Utrecht in Cijfers` -> (None, 'Utrecht in Cijfers')."""
    texts = [t for t in line if t]
    if line[0] and len(texts) > 1:
        return line[0].rstrip(":").strip(), " ".join(texts[1:])
    match = _LABELLED.fullmatch(texts[0])
    return (match["label"], match["text"]) if match else (None, texts[0])


def is_continuation(cells: list, line: list[str]) -> bool:
    """Whether a row can continue a footer block: an empty first cell, no number, and text that is
    not just missing-value markers."""
    return (not line[0] and not any(holds_number(c) for c in cells)
            and any(t not in MARKERS for t in line if t))


def _open_block(reason: str, line: list[str], body: Body, result: ReadResult) -> _Block:
    """Record a footer line (the first of its block) in the body and the notes; legends are not noted."""
    text = " ".join(t for t in line if t)
    label, rest = split_label(line)
    block = _Block(reason, label)
    body.footer.setdefault(reason, []).append(rest)
    if reason == "footnote":
        match = _FOOTNOTE.match(text)
        block.footnote = int(match["number"])
        body.footnotes[block.footnote] = match["text"]
    if reason != "legend":
        block.note = len(result.notes)
        result.notes.append(f"{label}: {rest}" if line[0] and label and reason != "footnote" else text)
    return block


def _continue_block(block: _Block, line: list[str], body: Body, result: ReadResult) -> None:
    """A continuation row: its text joins the block (a footnote's text grows; others get a note)."""
    text = " ".join(t for t in line if t)
    body.continued = True
    body.footer[block.reason].append(text)
    if block.footnote is not None:
        body.footnotes[block.footnote] = f"{body.footnotes[block.footnote]} {text}".strip()
        result.notes[block.note] = f"({block.footnote}) {body.footnotes[block.footnote]}"
    elif block.reason != "legend":
        result.notes.append(f"{block.label}: {text}" if block.label else text)


def read_body(path: str | Path, rows: list[tuple[int, list, list[str]]], value_columns: Collection[int],
              result: ReadResult) -> Body:
    """The area rows and footer of the rows under the header (`value_columns`: 0-based positions).

    Records blank and footer rows (and their continuation rows) as skipped under their reason and
    keeps the footer's text (but the legend) in the notes.
    """
    body = Body()
    in_footer = False
    block: _Block | None = None
    for number, cells, line in rows:
        if not any(line):
            result.skip("blank row", number)
            in_footer = in_footer or bool(body.areas)
            block = None
            continue
        if block is not None and is_continuation(cells, line) and not _FOOTNOTE.match(" ".join(line).strip()):
            result.skip(block.reason, number)
            _continue_block(block, line, body, result)
            continue
        text = " ".join(t for t in line if t)
        reason = footer_reason(text)
        if reason and any(holds_number(cells[c]) for c in value_columns):
            raise ReaderError(
                f"reads like a {reason} ({text!r}) but has numbers in its value cells.",
                file=str(path), row=number, hint="Check the export; remove or move the line.",
            )
        if reason is None and in_footer and is_continuation(cells, line):
            reason = "footer text"
        if reason:
            result.skip(reason, number)
            in_footer = True
            block = _open_block(reason, line, body, result)
        elif any(line[1:]) or not in_footer:
            block = None
            body.areas.append((number, check_area_row(path, number, line, value_columns), cells))
        else:
            result.skip("footer text", number)
            block = _open_block("footer text", line, body, result)
    return body


def read_swing_themas_xlsx(path: str | Path, period: int | None = None, sheet: str | None = None) -> ReadResult:
    """Read a Swing "Thema's" report into the canonical read table (one row per area and indicator).

    Title, header, blank and footer rows are recorded as skipped; the title, source lines,
    footnotes, portal name and export date go into the notes.
    """
    table = report_sheet(path, sheet)
    rows = [(number, list(cells), [cell_text(c) for c in cells])
            for number, cells in enumerate(table.itertuples(index=False), start=1)]
    filled = [(number, line) for number, _, line in rows if any(line)]
    if len(filled) < 2 or not _TITLE.match(filled[0][1][0]):
        first_row, first_line = filled[0] if filled else (None, [""])
        raise ReaderError(
            f"is not a Swing Thema's report: its first row ({first_line[0]!r}) does not start with \"Thema's\".",
            file=str(path), row=first_row,
            hint="Set `format:` for this source to the format the file has (`wijkmonitor formats`).",
        )
    (title_row, title_line), (header_row, header) = filled[:2]
    if header[0] or not any(header[1:]):
        raise ReaderError(
            "is not a Swing Thema's report: the row after the title should have an empty first cell "
            "and indicator names after it.", file=str(path), row=header_row,
            hint="Export the report again from the portal without editing it.",
        )
    columns = [parse_header(number, text) for number, text in enumerate(header) if number and text]
    nameless = next((c for c in columns if not c.indicator), None)
    if nameless is not None:
        raise ReaderError("header names a unit or footnote but no indicator.", file=str(path),
                          row=header_row, column=nameless.header,
                          hint="Export the report again from the portal without editing it.")
    year, label = report_period(path, title_line[0], title_row, period)
    result = ReadResult(table=pd.DataFrame(), notes=[title_line[0]])
    for number, _, _ in rows[:header_row]:
        result.skip("title row" if number == title_row else "header row" if number == header_row
                    else "blank row", number)
    body = read_body(path, rows[header_row:], {c.number for c in columns}, result)
    provisional = provisional_columns(columns, body.footnotes, year, result)
    result.layout = "Thema's report; " + ("footer blocks with continuation rows" if body.continued
                                          else "one line per footer item")
    # Text cells keep to one decimal notation per column (numbers stored as numbers have none).
    texts = pd.DataFrame([(number, column.header, cells[column.number]) for number, _, cells in body.areas
                          for column in columns if isinstance(cells[column.number], str)],
                         columns=["source_row", "source_column", "cell"])
    check_notation(texts, notation_of(texts["cell"]), path, "source_column", decimal=",")
    records = []
    for number, area_name, cells in body.areas:
        for column in columns:
            try:
                value, status = parse_cell(cells[column.number], decimal=",")
            except CellError as exc:
                raise ReaderError(f"{exc}.", file=str(path), row=number, column=column.header,
                                  hint="Correct the cell in the export (a number in Dutch notation, or a marker).") from None
            records.append({
                "source_indicator": column.indicator, "area_code": None, "area_name": area_name,
                "category": None, "period": year, "period_label": label, "value": value, "status": status,
                "n": None, "provisional": column.number in provisional, "source_unit": column.unit,
                "source_row": number, "source_column": column.header,
            })
    result.table = read_frame(records)
    return result
