"""The area register (gemeente, wijken, subwijken, buurten) and matching source names and codes to it."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import ConfigError, ReaderError
from .readers.excel import read_sheet

LEVELS = ("gemeente", "wijk", "subwijk", "buurt")
REGISTER_COLUMNS = [
    "code", "name", "level", "parent_code", "wijk_code", "gemeente_code", "aliases",
    "valid_from", "valid_to",
]
ALIAS_SEPARATOR = "|"
_LEVEL_PREFIX = re.compile(r"^(gemeente|wijk|subwijk|buurt)\s+(\d+\s+)?", re.IGNORECASE)
_KWB_LEVELS = {"Gemeente": "gemeente", "Wijk": "wijk", "Buurt": "buurt"}


def normalise_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form of an area name."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " en ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def is_abbreviation(short: str, full: str) -> bool:
    """Whether a normalised name abbreviates another word by word: each word is the full word, or
    starts with its first letter and keeps its letters in order (`schepenbrt` for `schepenbuurt`,
    `nrd` for `noord`). Words of digits must be equal; at least one word must be abbreviated."""
    short_words, full_words = short.split(), full.split()
    if len(short_words) != len(full_words) or short_words == full_words:
        return False
    for s_word, f_word in zip(short_words, full_words, strict=True):
        if s_word == f_word:
            continue
        if s_word.isdigit() or f_word.isdigit() or len(s_word) < 2 or s_word[0] != f_word[0]:
            return False
        rest = iter(f_word[1:])
        if not all(ch in rest for ch in s_word[1:]):
            return False
    return True


def municipality_digits(code: str) -> str | None:
    """The four CBS digits of the municipality a code belongs to (GM0344, WK034403, BU03440311, SW0344031)."""
    match = re.match(r"^(GM|WK|BU|SW)(\d{4})", str(code).strip())
    return match.group(2) if match else None


def wijk_short_name(statnaam: str) -> str:
    """`Wijk 03 Overvecht` -> `Overvecht`."""
    return _LEVEL_PREFIX.sub("", statnaam.strip()).strip()


def select_municipality(gemeenten: list[str], municipality: str | None, path: str | Path) -> str:
    """The GM code of the municipality to take from a kwb file holding `gemeenten`: the one asked
    for, or the file's only one."""
    if municipality is not None:
        if municipality not in set(gemeenten):
            raise ReaderError(
                f"holds no municipality {municipality!r} (it holds {len(gemeenten)}: "
                f"{', '.join(gemeenten[:5])}{', ...' if len(gemeenten) > 5 else ''}).",
                file=str(path), hint="Give the CBS code of the municipality, e.g. GM0344 for Utrecht.",
            )
        return municipality
    if len(gemeenten) == 1:
        return gemeenten[0]
    raise ReaderError(
        f"holds {len(gemeenten)} municipalities; say which one (--municipality GM....).", file=str(path),
    )


def area_row(code: str, statnaam: str, level: str, digits: str, gm_code: str,
             prefix_to_subwijk: dict[str, str]) -> dict:
    """The register row of one kwb area (`digits`: its code without the GM/WK/BU prefix)."""
    if level == "gemeente":
        name, parent, wijk = statnaam, None, None
        aliases = [statnaam, f"Gemeente {statnaam}"]
    elif level == "wijk":
        name, parent, wijk = wijk_short_name(statnaam), gm_code, code
        aliases = [statnaam, name, f"Wijk {name}"]
    else:
        wijk = f"WK{digits[:6]}"
        parent = prefix_to_subwijk.get(digits[:7], wijk)
        name = statnaam
        aliases = [statnaam, f"Buurt {statnaam}"]
    return {"code": code, "name": name, "level": level, "parent_code": parent, "wijk_code": wijk,
            "gemeente_code": gm_code, "aliases": aliases, "valid_from": None, "valid_to": None}


def read_subwijken(subwijken_path: str | Path | None) -> pd.DataFrame:
    """The subwijken table (code, name, wijk_code, buurt_prefix, aliases), empty without a path."""
    return (
        pd.read_csv(subwijken_path, dtype=str, keep_default_na=False)
        if subwijken_path is not None
        else pd.DataFrame(columns=["code", "name", "wijk_code", "buurt_prefix", "aliases"])
    )


def subwijk_rows(subwijken: pd.DataFrame, gm_code: str) -> list[dict]:
    rows = []
    for _, s in subwijken.iterrows():
        aliases = [s["name"], f"Subwijk {s['name']}"] + [a for a in s["aliases"].split(ALIAS_SEPARATOR) if a]
        rows.append(
            {"code": s["code"], "name": s["name"], "level": "subwijk", "parent_code": s["wijk_code"],
             "wijk_code": s["wijk_code"], "gemeente_code": gm_code, "aliases": aliases,
             "valid_from": None, "valid_to": None}
        )
    return rows


def finish_register(rows: list[dict]) -> pd.DataFrame:
    """Register rows (aliases as lists) as the register table: aliases joined, levels in order."""
    register = pd.DataFrame(rows)
    register["aliases"] = register["aliases"].map(
        lambda names: ALIAS_SEPARATOR.join(dict.fromkeys(n.strip() for n in names if n.strip()))
    )
    order = register["level"].map({lvl: i for i, lvl in enumerate(LEVELS)})
    register = register.assign(_order=order).sort_values(["_order", "code"]).drop(columns="_order")
    register["valid_from"] = register["valid_from"].astype("Int64")
    register["valid_to"] = register["valid_to"].astype("Int64")
    return register[REGISTER_COLUMNS].reset_index(drop=True)


def build_register(
    kwb_path: str | Path, subwijken_path: str | Path | None = None, municipality: str | None = None
) -> pd.DataFrame:
    """Build the area register of one municipality from a CBS kwb file.

    The kwb file may hold the whole country; `municipality` (a GM code) selects one, and may be
    left out when the file holds a single municipality. Codes, names, levels and the wijk of each
    buurt come from the kwb file; subwijken (a local level between wijk and buurt, e.g. Utrecht
    in Cijfers' subwijken) from a small table with code, name, wijk_code, buurt_prefix (the first
    seven digits of their buurten's codes) and aliases (`|`-separated names portals use).
    valid_from and valid_to stay empty: one file says nothing about other years (for a register
    with validity periods from several kwb years see `boundaries.build_history_register`).
    """
    _, table = read_sheet(kwb_path)
    header = [str(c).strip() for c in table.iloc[0]]
    body = table.iloc[1:].copy()
    body.columns = header
    needed = {"gwb_code_10", "gwb_code_8", "regio", "recs"}
    if not needed <= set(header):
        raise ReaderError(
            f"lacks the kwb columns {', '.join(sorted(needed - set(header)))}.", file=str(kwb_path), row=1
        )
    body["gwb_code_10"] = body["gwb_code_10"].fillna("").str.strip()
    gemeenten = body.loc[body["recs"].str.strip() == "Gemeente", "gwb_code_10"]
    gm_code = select_municipality(list(gemeenten), municipality, kwb_path)
    body = body[body["gwb_code_10"].map(municipality_digits) == municipality_digits(gm_code)]
    subwijken = read_subwijken(subwijken_path)
    prefix_to_subwijk = dict(zip(subwijken["buurt_prefix"], subwijken["code"], strict=True))
    rows = []
    for _, r in body.iterrows():
        level = _KWB_LEVELS.get(str(r["recs"]).strip())
        if level is None:
            continue
        rows.append(area_row(r["gwb_code_10"].strip(), str(r["regio"]).strip(), level,
                             str(r["gwb_code_8"]).strip(), gm_code, prefix_to_subwijk))
    return finish_register(rows + subwijk_rows(subwijken, gm_code))


def load_register(path: str | Path) -> pd.DataFrame:
    """Read and check an area register CSV."""
    try:
        register = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ConfigError("area register not found.", file=str(path)) from None
    missing = [c for c in REGISTER_COLUMNS if c not in register.columns]
    if missing:
        raise ConfigError(f"area register lacks column(s) {', '.join(missing)}.", file=str(path), row=1)
    register = register[REGISTER_COLUMNS].replace({"": None})
    wrong_level = ~register["level"].isin(LEVELS)
    if wrong_level.any():
        i = int(wrong_level.idxmax())
        raise ConfigError(
            f"level {register['level'][i]!r} is not one of {', '.join(LEVELS)}.", file=str(path), row=i + 2,
            column="level",
        )
    duplicated = register["code"].duplicated()
    if duplicated.any():
        i = int(duplicated.idxmax())
        raise ConfigError(f"code {register['code'][i]!r} appears twice.", file=str(path), row=i + 2)
    unknown_parent = register["parent_code"].notna() & ~register["parent_code"].isin(register["code"])
    if unknown_parent.any():
        i = int(unknown_parent.idxmax())
        raise ConfigError(
            f"parent_code {register['parent_code'][i]!r} is not a code in the register.",
            file=str(path), row=i + 2, column="parent_code",
        )
    for column in ("valid_from", "valid_to"):
        register[column] = pd.to_numeric(register[column]).astype("Int64")
    return register


@dataclass
class AreaMatcher:
    """Resolves the names and codes sources use to register codes."""

    register: pd.DataFrame
    _by_alias: dict[str, set[str]] = field(init=False, default_factory=dict)
    _codes: set[str] = field(init=False, default_factory=set)
    _level: dict[str, str] = field(init=False, default_factory=dict)
    _retired: set[str] = field(init=False, default_factory=set)
    _gemeenten: list[str] = field(init=False, default_factory=list)
    _digits: set[str | None] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        # One municipality, or several for a national run (cities.national_register); names are matched
        # within the whole register, so a name two municipalities share matches nothing (codes still do).
        gemeenten = self.register.loc[self.register["level"] == "gemeente", "code"]
        if len(gemeenten) == 0:
            raise ConfigError("the area register holds no gemeente (a row with level gemeente).")
        self._gemeenten = sorted(str(code) for code in gemeenten)
        self._digits = {municipality_digits(code) for code in self._gemeenten}
        self._codes = set(self.register["code"])
        self._level = dict(zip(self.register["code"], self.register["level"], strict=True))
        if "valid_to" in self.register.columns:
            self._retired = set(self.register.loc[self.register["valid_to"].notna(), "code"])
        for code, name, aliases in zip(
            self.register["code"], self.register["name"], self.register["aliases"], strict=True
        ):
            for alias in [name, code, *(aliases or "").split(ALIAS_SEPARATOR)]:
                if alias:
                    self._by_alias.setdefault(normalise_name(alias), set()).add(code)

    @property
    def gemeente_codes(self) -> list[str]:
        return self._gemeenten

    def knows_code(self, code: str) -> bool:
        return code in self._codes

    def in_municipality(self, code: str) -> bool:
        """Whether a code lies in (one of) the register's municipalities."""
        return municipality_digits(code) in self._digits

    def match_code(self, code: str) -> str | None:
        """The register code for a source's code: the code itself (padding stripped), or the code an
        old code was replaced by (old codes are listed as aliases in the register)."""
        code = str(code).strip()
        if code in self._codes:
            return code
        return self._one(self._by_alias.get(normalise_name(code), set()))

    def _one(self, codes: set[str]) -> str | None:
        """The one code of `codes`; of several, the one that is not retired (a register built from
        several kwb years keeps retired codes, e.g. a recoded wijk under its old code with the same
        name, and a name then means the current area); else None: ambiguous."""
        if len(codes) > 1:
            codes = codes - self._retired
        return next(iter(codes)) if len(codes) == 1 else None

    def match_name(self, name: str) -> str | None:
        """The register code for a name, or None. Ambiguous names match nothing.

        Tried in turn: the name or an alias (ignoring case, accents and punctuation); the same
        without a level prefix (`Subwijk `, `Wijk 03 `); an abbreviation of exactly one register
        name of that level (`Nieuw Engeland, Schepenbrt` for `... Schepenbuurt`).
        """
        key = normalise_name(name)
        codes = self._by_alias.get(key)
        if codes:
            return self._one(codes)
        prefix = _LEVEL_PREFIX.match(name.strip())
        level = prefix.group(1).lower() if prefix else None
        stripped = normalise_name(_LEVEL_PREFIX.sub("", name.strip()))
        codes = self._by_alias.get(stripped, set())
        if level and len(codes) > 1:
            codes = {c for c in codes if self._level[c] == level}
        if not codes:
            codes = {
                code for alias, alias_codes in self._by_alias.items() if is_abbreviation(stripped, alias)
                for code in alias_codes if level is None or self._level[code] == level
            }
        return self._one(codes)

    def closest(self, name: str, k: int = 3) -> list[str]:
        """Register names closest to an unknown name, for the error message."""
        names = dict(zip(self.register["name"].map(normalise_name), self.register["name"], strict=False))
        key = normalise_name(_LEVEL_PREFIX.sub("", name.strip()))
        return [names[m] for m in difflib.get_close_matches(key, list(names), n=k, cutoff=0.5)]
