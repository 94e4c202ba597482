"""Reader for CBS Kerncijfers wijken en buurten (kwb) workbooks: one row per area, CBS short names as headers.

The layouts over the years (.xls up to about 2018, .xlsx after):

    gwb_code_10  gwb_code_8  regio         gm_naam  recs      gwb_code  ...  a_inw   a_soz_wb     2019-2024
    GM0344       0344        Utrecht       Utrecht  Gemeente  GM0344         374238  .
    gwb_code_8   regio       gm_naam       recs     gwb_code  a_inw     ...                       2013-2018 (.xls)
    0344         Utrecht     Utrecht       Gemeente GM0344    334176
    GWB_CODE12   GWB_NAAM12_60POS          GEM_NAAM RECS      AANT_INW  WWB_UITTOT  ...           2012 and before
    0344         Utrecht                   Utrecht  G         316275    7935

Header names are compared case-insensitively and kept as written (`AANT_INW`): the catalogue maps an
older name to the indicator of its newer one through `source_keys`. The area code is taken from the
first of gwb_code_10, gwb_code, gwb_code_8 or gwb_codeNN; codes without their CBS prefix get it from
the level in `recs` (Gemeente/G -> GM, Wijk/W -> WK, Buurt/B -> BU, Land/N -> NL).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..canonical import ReadResult, read_frame
from ..errors import ReaderError
from .common import CBS_CODE_PATTERN, COMMA, notation_of, parse_long_cells, years_in
from .excel import read_sheet
from .sample import Sample

# Region attributes of the kwb table (lower case), not statistics about the region.
REGION_COLUMNS = (
    "gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi",
    "pst_mvp", "pst_dekp",
    # older layouts (2012 and before)
    "gm_code", "wk_code", "bu_code", "gem_naam", "wk_naam", "bu_naam", "dek_perc",
)
# Year-stamped region attributes of older layouts: GWB_CODE12, GWB_NAAM12_60POS, Code_10_pos12.
_DATED_REGION_COLUMN = re.compile(r"^(gwb_code\d\d|gwb_naam\d\d\w*|code_10_pos\d\d)$")
CODE_COLUMNS = ("gwb_code_10", "gwb_code", "gwb_code_8")
_DATED_CODE_COLUMN = re.compile(r"^gwb_code\d\d$")
_NAME_COLUMN = re.compile(r"^(regio|gwb_naam\d\d\w*)$")
LEVEL_COLUMN = "recs"
# recs (lower case) -> (CBS code prefix, digits after it)
LEVELS = {
    "land": ("NL", 2), "nederland": ("NL", 2), "n": ("NL", 2),
    "gemeente": ("GM", 4), "g": ("GM", 4),
    "wijk": ("WK", 6), "w": ("WK", 6),
    "buurt": ("BU", 8), "b": ("BU", 8),
}
# The kwb year in a file or sheet name: the year right after `kwb` or `buurten` (kwb-2009-versie-2014-06-01.xls).
_KWB_YEAR = re.compile(r"(?:kwb|buurten)[\s_-]*((?:19|20)\d\d)(?!\d)", re.IGNORECASE)


def is_region_column(name: str) -> bool:
    key = str(name).strip().casefold()
    return key in REGION_COLUMNS or bool(_DATED_REGION_COLUMN.match(key))


def _columns(header: list[str]) -> tuple[str | None, str | None, str | None]:
    """(code column, name column, level column) of a kwb header as written, None where absent."""
    lower = {h.casefold(): h for h in reversed(header)}
    code = next((lower[c] for c in CODE_COLUMNS if c in lower), None) or next(
        (h for h in header if _DATED_CODE_COLUMN.match(h.casefold())), None)
    name = next((h for h in header if _NAME_COLUMN.match(h.casefold())), None)
    return code, name, lower.get(LEVEL_COLUMN)


def looks_like(sample: Sample) -> bool:
    """A workbook whose first row holds CBS kwb short names: a gwb_code column, regio (or gwb_naam..), recs."""
    if sample.kind != "excel" or not sample.rows:
        return False
    return all(_columns([str(c).strip() for c in sample.rows[0]]))


def _year_in(text: str, path: str | Path) -> int | None:
    """The kwb year a name states: the one after `kwb`/`buurten`, else its only year; several
    years without that anchor are refused rather than guessed."""
    anchored = _KWB_YEAR.search(text)
    if anchored:
        return int(anchored.group(1))
    years = sorted(set(years_in(text)))
    if len(years) > 1:
        raise ReaderError(
            f"names several years ({', '.join(map(str, years))}) in {text!r}; which is the kwb year is not certain.",
            file=str(path), hint="Set `period:` for this source (or --period), or rename the file to kwb-<year>.xls.",
        )
    return years[0] if years else None


def kwb_period(path: str | Path, sheet_name: str, explicit: int | None = None) -> int:
    """The year of a kwb file: given explicitly, else from the file name or the sheet name."""
    if explicit is not None:
        return int(explicit)
    for text in (Path(path).name, sheet_name):
        year = _year_in(text, path)
        if year is not None:
            return year
    raise ReaderError(
        f"names no year in its file name or sheet name ({sheet_name!r}).",
        file=str(path),
        hint="Rename the file to include the kwb year (kwb-2023.xlsx) or set `period:` for this source.",
    )


def area_codes(body: pd.DataFrame, code_column: str, level_column: str, path: str | Path) -> tuple[pd.Series, list[str]]:
    """The CBS code of every row, and what had to be done to get it (for the layout).

    A code that is already a CBS code is kept (stripped, upper case); a code of digits only gets
    the prefix of its level in `recs` and, when its leading zeros were lost (`344` for a gemeente),
    those zeros. A code whose prefix disagrees with `recs`, a `recs` that is not a level, and a
    code that cannot be made a CBS code are refused with their row and column.
    """
    raw = body[code_column].astype("string").str.strip()
    level = body[level_column].astype("string").str.strip().str.casefold()
    unknown_level = ~level.isin(list(LEVELS))
    if unknown_level.any():
        first = unknown_level.to_numpy().argmax()
        raise ReaderError(
            f"level {body[level_column].iloc[first]!r} is not a kwb level (Land, Gemeente, Wijk, Buurt or N, G, W, B).",
            file=str(path), row=int(body["source_row"].iloc[first]), column=level_column,
            hint="Correct the level in the export, or download the kwb file again.",
        )
    prefix = level.map(lambda key: LEVELS[key][0])
    width = level.map(lambda key: LEVELS[key][1])
    upper = raw.str.upper()
    unprefixed = upper.str.fullmatch(r"\d[0-9A-Z]*").fillna(False)
    digits = upper.str.fullmatch(r"\d+").fillna(False)
    short = digits & (upper.str.len() < width)
    padded = upper.copy()
    for digit_count in width.unique():
        zeros = digits & (width == digit_count)
        padded[zeros] = upper[zeros].str.zfill(int(digit_count))
    codes = upper.where(~unprefixed, prefix + padded)
    bad = ~codes.fillna("").str.match(CBS_CODE_PATTERN) | (codes.str[:2] != prefix).fillna(True)
    if bad.any():
        first = bad.to_numpy().argmax()
        code, recs = raw.iloc[first], body[level_column].iloc[first]
        what = (f"is a {codes.iloc[first][:2]} code but {level_column} says {recs!r}" if not unprefixed.iloc[first]
                and pd.notna(code) and CBS_CODE_PATTERN.match(str(code).upper()) else
                f"is not a CBS code (GM…, WK…, BU…) and cannot be made one for level {recs!r}")
        raise ReaderError(
            f"area code {code!r} {what}.", file=str(path), row=int(body["source_row"].iloc[first]),
            column=code_column, hint="Correct the code in the export, or download the kwb file again.",
        )
    how = []
    if unprefixed.any():
        how.append(f"codes without GM/WK/BU prefix (level from {level_column!r})")
    if short.any():
        how.append("leading zeros restored")
    return codes, how


def _case(names: list[str]) -> str:
    letters = [n for n in names if any(ch.isalpha() for ch in n)]
    if all(n == n.upper() for n in letters):
        return "upper-case"
    return "lower-case" if all(n == n.lower() for n in letters) else "mixed-case"


def header_columns(path: str | Path, table: pd.DataFrame, hint: str) -> tuple[list[str], str, str, str]:
    """A kwb sheet's header and its code, name and level (`recs`) columns; refused (`hint`) without them."""
    header = [str(c).strip() for c in table.iloc[0]]
    code_column, name_column, level_column = _columns(header)
    if code_column is None or name_column is None or level_column is None:
        raise ReaderError(
            "is not a CBS Kerncijfers wijken en buurten table: the first row needs a code column "
            "(gwb_code_10, gwb_code, gwb_code_8 or gwb_codeNN), a name column (regio or gwb_naamNN) and 'recs'.",
            file=str(path), row=1, hint=hint,
        )
    return header, code_column, name_column, level_column


def read_cbs_kwb_xlsx(path: str | Path, period: int | None = None, sheet: str | None = None) -> ReadResult:
    """Read a CBS kwb workbook, xlsx or xls (its one sheet with data, or `sheet`), into the canonical read table."""
    sheet_name, table = read_sheet(path, sheet)
    header, code_column, name_column, level_column = header_columns(
        path, table, "Use the kwb file as CBS publishes it (header row first), or set `format:` for this source.")
    repeated = pd.Series(header).str.casefold().duplicated()
    if repeated.any():
        raise ReaderError(f"has the column {header[int(repeated.idxmax())]!r} twice (ignoring case).",
                          file=str(path), row=1, column=header[int(repeated.idxmax())],
                          hint="Remove one of the two columns, or download the kwb file again.")
    year = kwb_period(path, sheet_name, period)
    body = table.iloc[1:].copy()
    body.columns = header
    body["source_row"] = range(2, len(body) + 2)
    blank = body.drop(columns="source_row").isna().all(axis=1)
    skipped = {"header row": [1], **({"blank row": body.loc[blank, "source_row"].tolist()} if blank.any() else {})}
    body = body[~blank]
    body["_code"], how = area_codes(body, code_column, level_column, path)
    body["_name"] = body[name_column].astype("string").str.strip()
    indicator_columns = [c for c in header if not is_region_column(c)]
    long = body.melt(
        id_vars=["_code", "_name", "source_row"], value_vars=indicator_columns,
        var_name="source_indicator", value_name="cell",
    )
    # Numbers stored as numbers arrive as point-notation text (`5.5`); older .xls files store some
    # figures as text with a decimal comma (`5,0`). The workbook declares no notation: each column
    # is read by the one its cells show, and `1,234` in a column that shows none is refused.
    value, status = parse_long_cells(long, path, "source_indicator", decimal=None)
    comma = bool((notation_of(long["cell"]) == COMMA).any())
    layout = (f"kwb {year} ({Path(path).suffix.lower() or 'workbook'}): {_case(indicator_columns)} short names, "
              f"codes from {code_column!r}" + "".join(f", {h}" for h in how)
              + ("; decimal comma in text cells" if comma else ""))
    return ReadResult(skipped=skipped, layout=layout, table=read_frame(
        pd.DataFrame(
            {
                "source_indicator": long["source_indicator"],
                "area_code": long["_code"],
                "area_name": long["_name"],
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
