"""Cell parsing shared by the readers: numbers in Dutch and English notation, missing markers, encodings,
and the 95% intervals of CBS/RIVM tables with a `Marges` dimension."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..canonical import MARKERS, OK, READ_COLUMNS, ReadResult
from ..errors import ReaderError

_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
# CBS region codes: country, landsdeel, province, COROP area, gemeente, wijk, buurt. Wijk and buurt
# parts may hold capital letters since 2023 (Amsterdam: WK0363MB; CBS Toelichting variabelen kwb 2024, 2).
CBS_CODE = r"(?:NL\d\d|LD\d\d|PV\d\d|CR\d\d|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})"
CBS_CODE_PATTERN = re.compile(f"^{CBS_CODE}$")


class CellError(ValueError):
    """A cell that is neither a number nor a known marker."""


def parse_cell(text: object, *, decimal: str = ".") -> tuple[float | None, str]:
    """Parse one cell into (value, status).

    `decimal` is the decimal separator of the source ("," for Dutch exports, where "." then
    separates thousands). Markers (".", "x", "-", "?", empty) give (None, status); a number
    gives (value, "ok"). Anything else raises CellError: never a silent guess or a zero.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, MARKERS[""]
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text), OK
    raw = str(text).strip()
    if raw in MARKERS:
        return None, MARKERS[raw]
    cleaned = raw.replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if decimal == ",":
        # Dutch: "1.600" is sixteen hundred, "18,2" is eighteen point two.
        if re.fullmatch(_THOUSANDS[","], cleaned):
            cleaned = cleaned.replace(".", "")
        cleaned = cleaned.replace(",", ".")
    else:
        if re.fullmatch(_THOUSANDS["."], cleaned):
            cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cleaned):
        raise CellError(f"{raw!r} is not a number or a known missing marker (. x - ? or empty)")
    return float(cleaned), OK


def years_in(text: object) -> list[int]:
    """The standalone years (19xx, 20xx) in a text, in order: `buurt_2023_14102024` -> [2023]."""
    return [int(m.group(0)) for m in _YEAR.finditer(str(text or ""))]


def period_from_label(label: str) -> int | None:
    """The year a period label describes: `2023`, `2016JJ00`, `schooljaar 2022/2023` (-> 2023)."""
    years = years_in(label)
    return years[-1] if years else None


def read_text(path: str | Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with: UTF-8 (with or without BOM), else cp1252."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ReaderError(
            f"cannot be decoded as UTF-8 or Windows-1252 (byte {exc.start}).",
            file=str(path),
            hint="Export the file again as UTF-8 text.",
        ) from None


def strip_cell(text: object) -> str:
    """A cell as stripped text ('' for empty)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return str(text).strip()


_NUMBER_POINT = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
# Numbers that need no cleaning before they are read: with decimal "." any number in point
# notation; with decimal "," only those without "." or "," (every other needs the Dutch rules).
_PLAIN_NUMBER = {".": _NUMBER_POINT, ",": r"[+-]?\d+([eE][+-]?\d+)?"}
# A number with thousands separators under each decimal convention (`1.234.567,5`, `1,234,567.5`). A
# group of three digits after a leading 0 (`0.250`) is never a thousands group.
_THOUSANDS = {",": r"[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?", ".": r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?"}
_MARKER_TEXT = pa.array(list(MARKERS), type=pa.large_string())

# The decimal notation a number cell shows, once stripped of spaces, `%` and the unicode minus:
# NO_MARK  no `.` or `,` (`12`, `1e3`);
# COMMA    readable only with a decimal comma (`12,5`, `0,250`, `1.250,5`, `1.250.000`);
# POINT    readable only with a decimal point (`12.5`, `0.250`, `1,250.5`, `1,250,000`);
# AMBIGUOUS one `.` or `,` before exactly three digits (`1.250`, `1,250`): a thousands separator
#          (1250) or a decimal (1.25), decided only by a known convention.
# UNSEEN marks the cells parse_notation read as plain point-notation numbers without telling them
# apart (POINT, AMBIGUOUS or NO_MARK: never COMMA); check_notation classifies them when it must.
NO_MARK, COMMA, POINT, AMBIGUOUS, UNSEEN = 0, 1, 2, 3, 4
NOTATIONS = {COMMA: "decimal comma", POINT: "decimal point"}
_MARKS = {",": COMMA, ".": POINT}
_AMBIGUOUS_NOTATION = r"[+-]?[1-9]\d{0,2}[.,]\d{3}"
_COMMA_NOTATION = r"[+-]?((\d+,\d*|,\d+)([eE][+-]?\d+)?|\d{1,3}(\.\d{3}){2,}(,\d*)?|\d{1,3}(\.\d{3})+,\d*)"
_POINT_NOTATION = r"[+-]?((\d+\.\d*|\.\d+)([eE][+-]?\d+)?|\d{1,3}(,\d{3}){2,}(\.\d*)?|\d{1,3}(,\d{3})+\.\d*)"


def _strip_number(text: pd.Series) -> pd.Series:
    """Stripped cells without unicode minus, spaces and a trailing `%`: the number as written."""
    cleaned = text.str.replace("\u2212", "-", regex=False).str.replace(r"[\s\u00a0]", "", regex=True)
    return cleaned.str.removesuffix("%")


def _clean_numbers(text: pd.Series, decimal: str) -> pd.Series:
    """Stripped cells as point-notation number text: unicode minus, spaces, `%` and thousands
    separators removed, a decimal comma made a point. Cells that are no number stay no number."""
    cleaned = _strip_number(text)
    if decimal == ",":
        thousands = cleaned.str.fullmatch(_THOUSANDS[","]).fillna(False)
        cleaned = cleaned.where(~thousands, cleaned.str.replace(".", "", regex=False))
        return cleaned.str.replace(",", ".", regex=False)
    thousands = cleaned.str.fullmatch(_THOUSANDS["."]).fillna(False)
    return cleaned.where(~thousands, cleaned.str.replace(",", "", regex=False))


def _notation(cleaned: pd.Series) -> np.ndarray:
    """NO_MARK, COMMA, POINT or AMBIGUOUS for each cell cleaned by _strip_number."""
    kinds = np.full(len(cleaned), NO_MARK, dtype=np.int8)
    marked = cleaned.str.contains(r"[.,]", regex=True).to_numpy(dtype=bool, na_value=False)
    if not marked.any():
        return kinds
    text = cleaned[marked]
    found = np.full(len(text), NO_MARK, dtype=np.int8)
    for kind, pattern in ((POINT, _POINT_NOTATION), (COMMA, _COMMA_NOTATION), (AMBIGUOUS, _AMBIGUOUS_NOTATION)):
        found[text.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)] = kind  # AMBIGUOUS wins
    kinds[marked] = found
    return kinds


def notation_of(cells: pd.Series) -> np.ndarray:
    """The notation (NO_MARK, COMMA, POINT, AMBIGUOUS) of each text cell; markers and empty cells
    are NO_MARK. For cells read one by one (parse_cell), to check them with check_notation."""
    return _notation(_strip_number(cells.astype("string").fillna("").str.strip()))


def _floats(numbers: pd.api.extensions.ExtensionArray) -> np.ndarray:
    """Point-notation number text (checked against _NUMBER_POINT) as float64, parsed by Arrow on
    the whole column: correctly rounded, so the same doubles as float()."""
    return pc.cast(pa.array(numbers, type=pa.large_string()), pa.float64()).to_numpy(zero_copy_only=False)


def parse_notation(cells: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, pd.Series, pd.Series, np.ndarray]:
    """parse_series, and the notation of each cell (NO_MARK, COMMA, POINT, AMBIGUOUS or UNSEEN) for
    check_notation. Cells that are plain numbers (`76.1` once stripped) are read at once and, with
    decimal ".", left UNSEEN; only the others are cleaned and classified."""
    text = cells.astype("string").fillna("").str.strip()
    # Each cell's position among the markers (null: no marker) picks its status; OK for the others.
    marker = pc.index_in(pa.array(text.array, type=pa.large_string()), value_set=_MARKER_TEXT)
    is_marker = marker.is_valid().to_numpy(zero_copy_only=False)
    statuses = pa.array([*MARKERS.values(), OK], type=pa.large_string())
    status = pd.Series(statuses.take(pc.fill_null(marker, len(MARKERS))), index=text.index, dtype="string")
    numeric = text.str.fullmatch(_PLAIN_NUMBER[decimal]).to_numpy(dtype=bool, na_value=False)
    values = np.full(len(text), np.nan)
    values[numeric] = _floats(text.array[numeric])
    # With decimal ",", plain numbers have no `.` or `,`; with ".", they may (76.1, 1.250).
    notation = np.where(numeric, UNSEEN if decimal == "." else NO_MARK, NO_MARK).astype(np.int8)
    rest = ~numeric & ~is_marker
    if rest.any():
        stripped = _strip_number(text[rest])
        notation[rest] = _notation(stripped)
        cleaned = _clean_numbers(stripped, decimal)
        readable = cleaned.str.fullmatch(_NUMBER_POINT).to_numpy(dtype=bool, na_value=False)
        at = np.flatnonzero(rest)[readable]
        values[at] = _floats(cleaned.array[readable])
        numeric[at] = True
    value = pd.Series(pd.arrays.FloatingArray(values, ~numeric), index=text.index)
    bad = pd.Series(~is_marker & ~numeric, index=text.index, dtype="boolean")
    return value, status, bad, notation


def parse_series(cells: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised parse_cell for text cells.

    Returns (value, status, bad) where `bad` is a boolean mask of cells that are neither a
    number nor a marker; the caller reports them with their row and column. Cells that are plain
    numbers (`76.1` once stripped) are read at once; only the others are cleaned first. Each cell
    is read on its own; parse_long_cells (or parse_notation with check_notation) also checks that
    each column keeps to one decimal notation.
    """
    value, status, bad, _ = parse_notation(cells, decimal=decimal)
    return value, status, bad


def _described(text: str, kind: int) -> str:
    """`decimal comma`, or for a cell with thousands separators only (`1.250.000`) what they imply."""
    mark, thousands = (",", ".") if kind == COMMA else (".", ",")
    if mark in text:
        return NOTATIONS[kind]
    return f"{thousands!r} as thousands separator, so a {NOTATIONS[kind]}"


def _shown(number: str) -> str:
    """A number's text without trailing zeros after the point: `1.250` -> `1.25`, `1250`."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def _readings(cell: str) -> tuple[str, str]:
    """(as thousands separator, as decimal) of an AMBIGUOUS cell: `1.250` -> ('1250', '1.25')."""
    number = _strip_number(pd.Series([cell], dtype="string")).iloc[0]
    return number.replace(".", "").replace(",", ""), _shown(number.replace(",", "."))


def check_notation(long: pd.DataFrame, notation: np.ndarray, path: str | Path, column_field: str,
                   *, decimal: str | None) -> np.ndarray:
    """Refuse a column (`column_field`) whose cells mix decimal notations, and an AMBIGUOUS cell
    (`1.250`, `1,250`) that no known convention decides. Returns, per cell, whether its column is
    read with a decimal point (else with a decimal comma).

    `decimal` is the convention the format declares ("," or "."), or None when it declares none.
    A column reads its AMBIGUOUS cells by the notation its other cells show (COMMA or POINT), else
    by the declared one; a column whose cells show one notation while the format declares the
    other cannot decide them and is refused, as is one with neither. `long` holds `cell`,
    `source_row` and `column_field`; `notation` comes from parse_notation or notation_of.
    """
    declared = _MARKS.get(decimal, NO_MARK)
    other = POINT if declared == COMMA else COMMA
    if declared != NO_MARK and not (notation == other).any():
        # No cell shows the other notation (UNSEEN cells are never COMMA): no mix, and every
        # AMBIGUOUS cell is read by the declared convention, as parse_notation read it.
        return np.full(len(notation), declared == POINT)
    unseen = notation == UNSEEN
    if unseen.any():
        notation = notation.copy()
        notation[unseen] = notation_of(long["cell"][unseen])
    columns, names = pd.factorize(long[column_field].astype("string").fillna(""))
    has = {kind: np.bincount(columns[notation == kind], minlength=len(names)) > 0 for kind in (COMMA, POINT)}
    mixed = np.flatnonzero(has[COMMA] & has[POINT])
    if len(mixed):
        column = mixed[0]
        # The first cell of each notation in that column, in row order.
        cells = sorted(((long.iloc[np.flatnonzero((columns == column) & (notation == kind))[0]], kind)
                        for kind in (COMMA, POINT)), key=lambda pair: int(pair[0]["source_row"]))
        shown = ", ".join(f"row {int(cell['source_row'])} has {strip_cell(cell['cell'])!r} "
                          f"({_described(strip_cell(cell['cell']), kind)})" for cell, kind in cells)
        raise ReaderError(
            f"mixes decimal notations: {shown}; a column is written in one notation.",
            file=str(path), row=int(cells[1][0]["source_row"]), column=str(names[column]),
            hint="Correct the cell written in the other notation, or download or export the file again.",
        )
    shows = np.where(has[COMMA], COMMA, np.where(has[POINT], POINT, NO_MARK))
    mark = np.where(shows != NO_MARK, shows, declared)
    ambiguous = notation == AMBIGUOUS
    undecided = ambiguous & ((mark[columns] == NO_MARK) | ((shows[columns] != NO_MARK) & (declared != NO_MARK)
                                                         & (shows[columns] != declared)))
    if undecided.any():
        at = int(np.flatnonzero(undecided)[0])
        cell, column = long.iloc[at], columns[at]
        text = strip_cell(cell["cell"])
        thousands, decimals = _readings(text)
        sep = "comma" if "," in text else "point"
        if shows[column] == NO_MARK:
            why = "no other cell of this column shows which notation it uses, and the format declares none."
        else:
            kind = int(shows[column])
            first = long.iloc[np.flatnonzero((columns == column) & (notation == kind))[0]]
            why = (f"this format writes a {NOTATIONS[declared]}, but row {int(first['source_row'])} of this column "
                   f"has {strip_cell(first['cell'])!r} ({_described(strip_cell(first['cell']), kind)}).")
        raise ReaderError(
            f"{text!r} could be {thousands} (thousands separator) or {decimals} (decimal {sep}); {why}",
            file=str(path), row=int(cell["source_row"]), column=str(names[column]),
            hint="Write the figures of this column without thousands separators and in one notation "
                 "(or store them as numbers in the workbook), then read the file again.",
        )
    return mark[columns] == POINT


def parse_long_cells(long: pd.DataFrame, path: str | Path, column_field: str,
                     *, decimal: str | None = ".") -> tuple[pd.Series, pd.Series]:
    """(value, status) of a melted table's `cell` column. A column (`column_field`) that mixes
    decimal notations, or holds a cell like `1.250` that no known convention decides, is refused
    (check_notation); so is the first cell that is neither a number nor a marker, with its row
    (`source_row`) and column. `decimal` None: the format declares no decimal separator, and each
    column is read by the notation its own cells show."""
    value, status, bad, notation = parse_notation(long["cell"], decimal=decimal or ",")
    point = check_notation(long, notation, path, column_field, decimal=decimal)
    if decimal is None and point.any():
        # Read first with a decimal comma; the columns that show a decimal point again with one.
        point_value, _, point_bad, _ = parse_notation(long["cell"][point], decimal=".")
        value, bad = value.copy(), bad.copy()
        value[point], bad[point] = point_value.array, point_bad.array
    refuse_bad_cell(long, bad, path, column_field)
    return value, status


def refuse_bad_cell(long: pd.DataFrame, bad: pd.Series, path: str | Path, column_field: str) -> None:
    """Refuse the first cell of `long` that `bad` marks, with its row (`source_row`) and column."""
    if bad.any():
        first = long[bad.to_numpy(dtype=bool, na_value=False)].iloc[0]
        raise ReaderError(
            f"{first['cell']!r} is not a number or a known missing marker (. x - ? or empty).",
            file=str(path), row=int(first["source_row"]), column=str(first[column_field]),
            hint="Correct the cell in the export, or download the file again.",
        )

def stack_cells(body: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """One row per cell of `columns`, column after column as `body.melt(value_vars=columns)` gives
    them: `cell`, `column` (the header), `source_row`, and the cell's row and column as positions
    (`_row` in body, `_column` in `columns`) to take other fields from afterwards, once."""
    each_row = np.tile(np.arange(len(body), dtype=np.int32), len(columns))
    each_column = np.repeat(np.arange(len(columns), dtype=np.int32), len(body))
    return pd.DataFrame({
        "_row": each_row,
        "_column": each_column,
        "source_row": body["source_row"].to_numpy()[each_row],
        "column": pd.array(columns, dtype="string").take(each_column),
        "cell": pd.concat([body[c] for c in columns], ignore_index=True),
    }, copy=False)


def typed_columns(columns: dict[str, object], index: pd.Index) -> pd.DataFrame:
    """The canonical read columns (READ_COLUMNS), in order and of their dtypes, from `columns`
    (arrays, or Series on `index`); the others NULL. Nothing is copied that has its dtype already,
    and read_frame has nothing left to convert (a column of pd.NA objects converts slowly)."""
    return pd.DataFrame({
        name: pd.Series(columns[name], index=index, copy=False).astype(dtype) if name in columns
        else pd.Series(pd.NA, index=index, dtype=dtype)
        for name, dtype in READ_COLUMNS.items()
    }, index=index, copy=False)


# ------------------------------------------------------------------- Marges (CBS/RIVM)

# Codes of the `Marges` dimension of CBS/RIVM survey tables (50090NED and similar).
ESTIMATE, LOWER_95, UPPER_95 = "MW00000", "MOG0095", "MBG0095"
MARGINS = {ESTIMATE: "estimate", LOWER_95: "lower bound of the 95% interval",
           UPPER_95: "upper bound of the 95% interval"}
MARGIN_ROW = "margin row (interval bound, read into ci_low/ci_high)"


def check_margin_codes(codes: pd.Series, source_row: pd.Series, path: str | Path, column: str) -> None:
    """Refuse the first row whose (stripped) Marges code is not one of MARGINS."""
    unknown = ~codes.isin(list(MARGINS))
    if unknown.any():
        first = unknown.to_numpy().argmax()
        code = codes.iloc[first]
        raise ReaderError(
            (f"{column} code {code!r} is not one of " if pd.notna(code) and code else f"the {column} code is empty; "
             "expected one of ") + ", ".join(f"{c} ({what})" for c, what in MARGINS.items()) + ".",
            file=str(path), row=int(source_row.iloc[first]), column=column,
            hint="Download the table with Marges 'Waarde' and, if wanted, the 95% interval bounds only.",
        )


def read_intervals(cells: pd.DataFrame, rows: pd.DataFrame, path: str | Path, result: ReadResult, *,
                   margin: str, topic: str) -> pd.DataFrame:
    """The estimate cells of a table with a Marges dimension, with `ci_low` and `ci_high`.

    `rows` holds one row per source row: `source_row`, `margin` (the checked Marges code) and the
    columns that identify a figure apart from the topic (region, period, other dimensions), as
    stripped codes. `cells` is the melted table (`source_row`, `topic`, `value`, `status`, ...).
    The bound rows' cells fill the interval of the estimate cell with the same key and topic; the
    bound rows are counted in `result.skipped` (MARGIN_ROW). An interval is read only when the
    estimate and both bounds have a value; otherwise ci_low and ci_high stay NULL, and the count
    is noted; bounds of a figure without a value are not read (they would reveal a suppressed
    figure), and noted. A bound row without its estimate row, two rows for the same bound, and an
    interval that does not contain its estimate are refused with their row and column. Without
    bound rows every cell is returned, with NULL intervals.
    """
    codes = rows["margin"]
    bound_rows = codes != ESTIMATE
    if not bound_rows.any():
        no_interval = pd.Series(pd.NA, index=cells.index, dtype="Float64")
        return cells.assign(ci_low=no_interval, ci_high=no_interval)
    keys = [c for c in rows.columns if c not in ("source_row", "margin")]
    figure = rows[keys].astype("string").fillna("").groupby(keys, sort=False).ngroup()
    described = ", ".join(keys)
    orphans = bound_rows & ~figure.isin(figure[~bound_rows])
    if orphans.any():
        first = rows[orphans].iloc[0]
        raise ReaderError(
            f"is a {MARGINS[first['margin']]} (Marges {first['margin']}) without an estimate row ({ESTIMATE}) "
            f"for the same {described} (" + ", ".join(str(first[k]) for k in keys) + ").",
            file=str(path), row=int(first["source_row"]), column=margin,
            hint="Download the estimates together with their interval bounds.",
        )
    twice = bound_rows & pd.DataFrame({"figure": figure, "margin": codes}).duplicated()
    if twice.any():
        first = rows[twice].iloc[0]
        earlier = rows[bound_rows & (figure == figure[twice].iloc[0]) & (codes == first["margin"])]
        raise ReaderError(
            f"gives the {MARGINS[first['margin']]} (Marges {first['margin']}) of the same {described} "
            f"a second time (first in row {int(earlier['source_row'].iloc[0])}).",
            file=str(path), row=int(first["source_row"]), column=margin,
            hint="Download the table again with each interval bound once.",
        )
    result.skipped.setdefault(MARGIN_ROW, []).extend(int(r) for r in rows.loc[bound_rows, "source_row"])

    # One integer per cell: (figure, topic). Bound keys are unique (checked above), so each
    # bound lines up with the estimate cells by reindexing.
    figure_of = pd.Series(figure.to_numpy(), index=rows["source_row"].to_numpy())
    margin_of = pd.Series(codes.to_numpy(), index=rows["source_row"].to_numpy())
    topic_code, topics = pd.factorize(cells[topic])
    cell_key = pd.Series(cells["source_row"].map(figure_of).to_numpy(dtype="int64") * len(topics) + topic_code,
                         index=cells.index)
    cell_margin = cells["source_row"].map(margin_of)
    is_estimate = (cell_margin == ESTIMATE).to_numpy()
    estimates = cells[is_estimate]
    estimate_key = cell_key[is_estimate].to_numpy()
    estimate_ok = estimates["status"].eq(OK).fillna(False).to_numpy(dtype=bool)
    bounds = {}
    for code in (LOWER_95, UPPER_95):
        chosen = (cell_margin == code).to_numpy()
        bound = cells[chosen].set_index(cell_key[chosen].to_numpy())[["value", "status", "source_row"]]
        bounds[code] = bound.reindex(estimate_key)
        bounds[code]["ok"] = bounds[code]["status"].eq(OK).fillna(False).to_numpy(dtype=bool)
    low, high = bounds[LOWER_95], bounds[UPPER_95]
    value, low_value, high_value = (
        frame["value"].to_numpy(dtype="float64", na_value=np.nan) for frame in (estimates, low, high))
    complete = estimate_ok & low["ok"].to_numpy(dtype=bool) & high["ok"].to_numpy(dtype=bool)
    for code, outside, words in ((LOWER_95, complete & (low_value > value), "above"),
                                 (UPPER_95, complete & (high_value < value), "below")):
        if outside.any():
            first = outside.argmax()
            bound, estimate = bounds[code].iloc[first], estimates.iloc[first]
            raise ReaderError(
                f"the {MARGINS[code]} (Marges {code}) {bound['value']:g} lies {words} its estimate "
                f"{estimate['value']:g} (row {int(estimate['source_row'])}); the interval must contain the estimate.",
                file=str(path), row=int(bound["source_row"]), column=str(estimate[topic]),
                hint="The file was edited or damaged; download the table again.",
            )
    without_figure = ~estimate_ok & (low["ok"].to_numpy(dtype=bool) | high["ok"].to_numpy(dtype=bool))
    if without_figure.any():
        # An interval around a suppressed figure would reveal it: it is not read.
        first = estimates.iloc[without_figure.argmax()]
        result.notes.append(
            f"{int(without_figure.sum())} interval bound(s) given for figures without a value, not read "
            f"(first: row {int(first['source_row'])}, column {first[topic]!r})")
    incomplete = estimate_ok & ~complete
    if incomplete.any():
        first = estimates.iloc[incomplete.argmax()]
        result.notes.append(
            f"{int(incomplete.sum())} figure(s) without a complete 95% interval (a bound empty, suppressed or "
            f"absent): ci_low and ci_high left empty (first: row {int(first['source_row'])}, column {first[topic]!r})")
    return estimates.assign(ci_low=pd.array(np.where(complete, low_value, np.nan), dtype="Float64"),
                            ci_high=pd.array(np.where(complete, high_value, np.nan), dtype="Float64"))
