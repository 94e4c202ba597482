"""Boundary changes between kwb years: an area register with validity periods, and links from old codes to new.

`build_history_register` reads two or more CBS kwb files of different years (each through the kwb
reader's own code path: `read_sheet`, its header rules, `area_codes` and `kwb_period`), links the
areas of each year to those of the next, and builds one register whose rows carry `valid_from` and
`valid_to`. The links say for each old code where it went:

    relation  old -> new                                             share
    same      the same code with the same name                      1
    renamed   the same code with another name                       1
    recoded   a code that disappears and reappears under a new code  1
              in the same (linked) parent with the same or a close name
    split     one old code -> two or more new codes                  new a_inw (year after) / their sum
    merged    two or more old codes -> one new code                  old a_inw (year before) / their sum

Evidence for a split, merge or recode is (a) names: new codes in the parent the old code's parent
went to, whose names equal, abbreviate, contain or are contained in the old name, or (b) when names
say nothing: CBS's flag `ind_wbi` = 3 (boundary changed) on the new codes and population sums that
agree within rounding. A code that disappears, or appears, without such evidence is refused
(BoundaryError) unless a links file the user wrote (`--links`) states the change. See docs/boundaries.md.

`ind_wbi` (CBS codebook, Toelichting variabelen kwb 2023 and 2024): the change of an area against
the previous year: 1 = code and boundary unchanged (the name may have changed), 2 = code changed,
boundary unchanged, 3 = boundary changed (perhaps the code too; CBS counts shifts of about 5 m or
more). It only describes the step from the year before, so it is used only between files of
consecutive years.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .areas import (
    area_row,
    finish_register,
    is_abbreviation,
    municipality_digits,
    normalise_name,
    read_subwijken,
    select_municipality,
    subwijk_rows,
    wijk_short_name,
)
from .errors import ConfigError, ReaderError, WijkmonitorError
from .readers.common import parse_long_cells
from .readers.excel import read_sheet
from .readers.kwb import area_codes, header_columns, kwb_period

RELATIONS = ("same", "renamed", "recoded", "split", "merged")
LINK_COLUMNS = ["old_code", "new_code", "relation", "share", "from_year", "to_year", "evidence"]
STATED_REQUIRED = ("old_code", "new_code", "relation", "from_year", "to_year")
STATED_OPTIONAL = ("share", "evidence")
CLOSE_NAME = 0.9  # difflib ratio of two normalised names that counts as "a close name"
ROUNDING = 5  # CBS rounds the inhabitants of wijken and buurten to 5
YEARLY_CHANGE = 0.02  # population change allowed between the year before and the year after a change
SHARE_SUM = 0.01  # stated shares of one split or merge must sum to 1 within this
IND_WBI = {1: "code and boundary unchanged", 2: "code changed, boundary unchanged", 3: "boundary changed"}
POPULATION_COLUMNS = ("a_inw", "aant_inw")
_CODE_LEVEL = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
_AREA_LEVELS = ("gemeente", "wijk", "buurt")
LINKS_HINT = ("If you know what happened, state it in a links file (columns old_code, new_code, relation, "
              "from_year, to_year, optional share and evidence; see docs/boundaries.md) and pass it with --links.")


class BoundaryError(WijkmonitorError):
    """Area codes of two kwb years cannot be linked without guessing, or a stated link is wrong."""


@dataclass
class KwbYear:
    """The areas of one municipality in one kwb file.

    `areas` is indexed by code: statnaam (as in the file), name (the register's name: `West` for
    `Wijk 01 West`), key (normalised name), level, parent (GM code of a wijk, WK code of a buurt),
    digits (the code without prefix), a_inw (float, NaN when secret or absent), ind_wbi (Int64) and
    source_row."""

    path: Path
    year: int
    gemeente: str
    areas: pd.DataFrame

    def describe(self, code: str) -> str:
        return f"{code} {self.areas.at[code, 'statnaam']!r}"


def read_kwb_year(path: str | Path, municipality: str | None = None) -> KwbYear:
    """The areas of `municipality` (or the file's only one) in a kwb file, with a_inw and ind_wbi."""
    path = Path(path)
    sheet_name, table = read_sheet(path)
    header, code_column, name_column, level_column = header_columns(
        path, table, "Use the kwb file as CBS publishes it (header row first).")
    lower = pd.Series(header).str.casefold()
    if lower.duplicated().any():
        repeated = header[int(lower.duplicated().idxmax())]
        raise ReaderError(f"has the column {repeated!r} twice (ignoring case).", file=str(path), row=1,
                          column=repeated, hint="Remove one of the two columns, or download the kwb file again.")
    year = kwb_period(path, sheet_name)
    body = table.iloc[1:].copy()
    body.columns = header
    body["source_row"] = range(2, len(body) + 2)
    body = body[~body.drop(columns="source_row").isna().all(axis=1)]
    body["_code"], _ = area_codes(body, code_column, level_column, path)
    gemeenten = body.loc[body["_code"].str[:2] == "GM", "_code"].tolist()
    gm_code = select_municipality(gemeenten, municipality, path)
    body = body[body["_code"].map(municipality_digits) == municipality_digits(gm_code)]
    repeated = body["_code"].duplicated()
    if repeated.any():
        first = body[repeated].iloc[0]
        raise ReaderError(f"has the area code {first['_code']!r} twice.", file=str(path),
                          row=int(first["source_row"]), column=code_column,
                          hint="Download the kwb file again; CBS gives each area one row.")
    level = body["_code"].str[:2].map(_CODE_LEVEL)
    statnaam = body[name_column].astype("string").str.strip().fillna("")
    name = statnaam.where(level != "wijk", statnaam.map(wijk_short_name))
    digits = body["_code"].str[2:]
    parent = pd.Series(None, index=body.index, dtype="object")
    parent[level == "wijk"] = gm_code
    parent[level == "buurt"] = "WK" + digits[level == "buurt"].str[:6]
    areas = pd.DataFrame({
        "code": body["_code"], "statnaam": statnaam, "name": name, "key": name.map(normalise_name),
        "level": level, "parent": parent, "digits": digits,
        "a_inw": _numbers(body, header, POPULATION_COLUMNS, path).astype("float64"),
        "ind_wbi": _numbers(body, header, ("ind_wbi",), path).astype("Int64"),
        "source_row": body["source_row"],
    }).set_index("code")
    areas["parent"] = areas["parent"].astype(object).where(areas["parent"].notna(), None)
    return KwbYear(path=path, year=year, gemeente=gm_code, areas=areas)


def _numbers(body: pd.DataFrame, header: list[str], names: tuple[str, ...], path: Path) -> pd.Series:
    """The first of the columns `names` (ignoring case) parsed as the kwb reader parses cells (`.` and
    other markers: NaN); all NaN when the file has none of them."""
    lower = {h.casefold(): h for h in header}
    column = next((lower[n] for n in names if n in lower), None)
    if column is None:
        return pd.Series(float("nan"), index=body.index)
    long = pd.DataFrame({"cell": body[column].to_numpy(), "source_row": body["source_row"].to_numpy(),
                         "source_indicator": column})
    value, _ = parse_long_cells(long, path, "source_indicator", decimal=None)
    return pd.Series(pd.to_numeric(value, errors="coerce").to_numpy(dtype="float64", na_value=float("nan")),
                     index=body.index)


# ----------------------------------------------------------------------------------------- names


def _contains(outer: str, inner: str) -> bool:
    """Whether the words of `inner` appear, in a row, among the words of `outer`."""
    o, i = outer.split(), inner.split()
    return 0 < len(i) <= len(o) and any(o[k:k + len(i)] == i for k in range(len(o) - len(i) + 1))


def close_names(a: str, b: str) -> bool:
    """Normalised names that are the same area's name: equal, an abbreviation, or nearly equal."""
    return (a == b or is_abbreviation(a, b) or is_abbreviation(b, a)
            or difflib.SequenceMatcher(None, a, b).ratio() >= CLOSE_NAME)


def related_names(a: str, b: str) -> bool:
    """Names of which one may be derived from the other: close, or one contains the other's words
    (`Oog in Al` and `Oog in Al-Noord`; `Welgelegen, Den Hommel` and `Den Hommel`)."""
    return bool(a and b) and (close_names(a, b) or _contains(a, b) or _contains(b, a))


# ----------------------------------------------------------------------------------------- links


def _flag_text(flag: object) -> str:
    return "ind_wbi not given" if pd.isna(flag) else f"ind_wbi={int(flag)}: {IND_WBI.get(int(flag), 'unknown value')}"


def _population_text(codes: list[str], kwb: KwbYear) -> str:
    values = [kwb.areas.at[c, "a_inw"] for c in codes]
    shown = " + ".join("?" if pd.isna(v) else f"{v:.0f}" for v in values)
    total = "" if len(values) == 1 or any(pd.isna(v) for v in values) else f" = {sum(values):.0f}"
    return f"{shown}{total} ({kwb.year})"


def _population_agrees(old_codes: list[str], old: KwbYear, new_codes: list[str], new: KwbYear) -> bool | None:
    """Whether the old areas' inhabitants (year before) equal the new ones' (year after) within
    rounding (5 per figure) and a year's change (2%); None when a figure is missing."""
    before = [old.areas.at[c, "a_inw"] for c in old_codes]
    after = [new.areas.at[c, "a_inw"] for c in new_codes]
    if any(pd.isna(v) for v in before + after):
        return None
    return abs(sum(after) - sum(before)) <= ROUNDING * (len(before) + len(after)) + YEARLY_CHANGE * sum(before)


def _shares(codes: list[str], kwb: KwbYear, what: str) -> dict[str, float]:
    """Each code's share of the codes' inhabitants in `kwb`; refused when a figure is missing or all are 0."""
    values = {c: kwb.areas.at[c, "a_inw"] for c in codes}
    total = sum(values.values())
    if any(pd.isna(v) for v in values.values()) or not total > 0:
        raise BoundaryError(
            f"the population shares of the {what} cannot be computed: a_inw {kwb.year} is "
            + ", ".join(f"{c} {'missing' if pd.isna(v) else f'{v:.0f}'}" for c, v in values.items()) + ".",
            file=str(kwb.path), hint="State the shares in a links file (column share) and pass it with --links.",
        )
    return {c: round(v / total, 6) for c, v in values.items()}


@dataclass
class _Pair:
    """Linking the areas of one kwb year to those of the next."""

    old: KwbYear
    new: KwbYear
    stated: pd.DataFrame  # the links file's rows for this pair (with `row`), possibly empty
    stated_path: str | None

    @property
    def consecutive(self) -> bool:
        return self.new.year == self.old.year + 1

    def flag(self, code: str) -> object:
        """ind_wbi of a code in the newer file, NA when it is not evidence (files not consecutive)."""
        return self.new.areas.at[code, "ind_wbi"] if self.consecutive else pd.NA

    def flag_text(self, code: str) -> str:
        if not self.consecutive:
            return f"ind_wbi no evidence (files {self.new.year - self.old.year} years apart)"
        return _flag_text(self.flag(code))

    def flagged(self, code: str, value: int) -> bool:
        """Whether ind_wbi of a code in the newer file is `value` and is evidence."""
        flag = self.flag(code)
        return not pd.isna(flag) and int(flag) == value

    def link(self, old_code: str, new_code: str, relation: str, share: float, evidence: str,
             continues: bool = False) -> dict:
        return {"old_code": old_code, "new_code": new_code, "relation": relation, "share": share,
                "from_year": self.old.year, "to_year": self.new.year, "evidence": evidence,
                "_continues": continues}

    def links(self) -> list[dict]:
        parent_map: dict[str, set[str]] = {}
        links: list[dict] = []
        for level in _AREA_LEVELS:
            level_links = self._level_links(level, parent_map)
            for row in level_links:
                parent_map.setdefault(row["old_code"], set()).add(row["new_code"])
            links += level_links
        return links

    # -- one level ----------------------------------------------------------------------------

    def _level_links(self, level: str, parent_map: dict[str, set[str]]) -> list[dict]:
        old = self.old.areas[self.old.areas["level"] == level]
        new = self.new.areas[self.new.areas["level"] == level]
        links = self._stated_links(level)
        done_old = {r["old_code"] for r in links}
        done_new = {r["new_code"] for r in links}
        kept = [c for c in old.index if c in new.index and c not in done_old and c not in done_new]
        gone = [c for c in old.index if c not in new.index and c not in done_old]
        appeared = [c for c in new.index if c not in old.index and c not in done_new]

        def images(code: str) -> set:
            parent = old.at[code, "parent"]
            return {None} if pd.isna(parent) else parent_map.get(parent, {parent})

        def same_parent(old_code: str, new_code: str) -> bool:
            return new.at[new_code, "parent"] in images(old_code)

        # Kept codes that may have given or taken ground: the flag says the boundary changed, or
        # (files not consecutive) nothing is known.
        open_kept = [c for c in kept if pd.isna(self.flag(c)) or self.flagged(c, 3)]
        groups = _Groups()
        for o in gone + open_kept:
            for n in appeared + ([] if o in open_kept else open_kept):
                if same_parent(o, n) and related_names(old.at[o, "key"], new.at[n, "key"]):
                    groups.join(("old", o), ("new", n))
        for k in open_kept:
            if groups.has(("old", k)) or groups.has(("new", k)):
                groups.join(("old", k), ("new", k))
        problems: list[str] = []
        for olds, news in groups.components():
            links += self._named_change(olds, news, problems)
        linked_old = {r["old_code"] for r in links}
        linked_new = {r["new_code"] for r in links}
        links += self._population_changes(
            [c for c in gone if c not in linked_old], [c for c in appeared if c not in linked_new],
            [c for c in kept if c not in linked_old and self.flagged(c, 3)], images,
        )
        linked_old = {r["old_code"] for r in links}
        linked_new = {r["new_code"] for r in links}
        links += [self._kept_link(code) for code in kept if code not in linked_old]
        linked_old = {r["old_code"] for r in links}
        linked_new = {r["new_code"] for r in links}
        lost = [c for c in old.index if c not in linked_old]  # gone codes, or kept ones a stated link leads into
        born = [c for c in new.index if c not in linked_new]
        if lost or born or problems:
            self._refuse(level, lost, born, problems, old, new)
        return links

    def _kept_link(self, code: str) -> dict:
        old_name = self.old.areas.at[code, "name"]
        new_name = self.new.areas.at[code, "name"]
        moved = self.flagged(code, 3)
        caveat = ("; the boundary changed without codes appearing or disappearing: figures are not strictly "
                  "comparable" if moved else "")
        if old_name == new_name:
            return self.link(code, code, "same", 1.0, f"code and name {old_name!r} in both years; "
                             f"{self.flag_text(code)}{caveat}", continues=not moved)
        return self.link(code, code, "renamed", 1.0, f"code in both years; name {self.old.areas.at[code, 'statnaam']!r}"
                         f" ({self.old.year}) -> {self.new.areas.at[code, 'statnaam']!r} ({self.new.year}); "
                         f"{self.flag_text(code)}{caveat}")

    def _named_change(self, olds: list[str], news: list[str], problems: list[str]) -> list[dict]:
        """Links of one group of old and new codes that names relate (a recode, split or merge)."""
        old, new = self.old, self.new
        names = (f"{', '.join(old.describe(c) for c in olds)} ({old.year}) and "
                 f"{', '.join(new.describe(c) for c in news)} ({new.year})")
        flags = "; ".join(f"{c} {self.flag_text(c)}" for c in news)
        agree = _population_agrees(olds, old, news, new)
        population = (f"a_inw {_population_text(olds, old)} vs {_population_text(news, new)}"
                      + ("" if agree is None else " (agree within rounding)" if agree
                         else " (differ by more than rounding and a year's change: part of the ground may "
                              "have come from or gone to other areas)"))
        if len(olds) == 1 and len(news) == 1:
            o, n = olds[0], news[0]
            if close_names(old.areas.at[o, "key"], new.areas.at[n, "key"]) or self.flagged(n, 2):
                how = ("the same name" if old.areas.at[o, "key"] == new.areas.at[n, "key"]
                       else "a close name" if close_names(old.areas.at[o, "key"], new.areas.at[n, "key"])
                       else "a related name, and ind_wbi=2 says the boundary is unchanged")
                return [self.link(o, n, "recoded", 1.0, f"{o} not in {new.year}, {n} new in {new.year} in the "
                                  f"same (linked) parent with {how}: {names}; {flags}; {population}")]
            problems.append(f"{names}: related but different names in the same parent; a recode with a new name "
                            "cannot be told from a change of boundary")
            return []
        if len(olds) == 1:
            shares = _shares(news, new, f"split of {olds[0]}")
            evidence = (f"split: {names}: new codes in the same (linked) parent with names derived from the old "
                        f"one; {flags}; {population}; share = a_inw {new.year} / sum")
            return [self.link(olds[0], n, "split", shares[n], evidence) for n in news]
        if len(news) == 1:
            shares = _shares(olds, old, f"merge into {news[0]}")
            evidence = (f"merged: {names}: old codes in the parent(s) of the new one with names it is derived "
                        f"from; {flags}; {population}; share = a_inw {old.year} / sum")
            return [self.link(o, news[0], "merged", shares[o], evidence) for o in olds]
        problems.append(f"{names}: several old codes became several new ones; shares cannot be told from the "
                        "files")
        return []

    def _population_changes(self, gone: list[str], appeared: list[str], moved: list[str], images) -> list[dict]:
        """Splits and merges that names do not show, per parent: ind_wbi=3 on the new codes and
        population sums that agree. Only between consecutive years, and only where one old code
        (or one new) is left in a parent."""
        if not self.consecutive or not (gone or appeared):
            return []
        old, new = self.old, self.new
        links = []
        parents = {new.areas.at[c, "parent"] for c in appeared} | {
            next(iter(images(c))) for c in gone + moved if len(images(c)) == 1}
        for parent in sorted(parents, key=str):
            g = [c for c in gone if images(c) == {parent}]
            a = [c for c in appeared if new.areas.at[c, "parent"] == parent]
            k = [c for c in moved if images(c) == {parent} and new.areas.at[c, "parent"] == parent]
            if len(k) > 1:
                continue
            olds, news = g + k, a + k
            if not (len(olds) == 1 and len(news) >= 2 or len(olds) >= 2 and len(news) == 1):
                continue
            if not all(self.flagged(c, 3) for c in news) or not _population_agrees(olds, old, news, new):
                continue
            where = "gemeente" if parent is None else parent
            names = (f"{', '.join(old.describe(c) for c in olds)} ({old.year}) and "
                     f"{', '.join(new.describe(c) for c in news)} ({new.year}), all in {where}")
            population = f"a_inw {_population_text(olds, old)} vs {_population_text(news, new)} (agree within rounding)"
            if len(olds) == 1:
                shares = _shares(news, new, f"split of {olds[0]}")
                evidence = (f"split: {names}; names unrelated; ind_wbi=3 (boundary changed) on every new code; "
                            f"{population}; share = a_inw {new.year} / sum")
                links += [self.link(olds[0], n, "split", shares[n], evidence) for n in news]
            else:
                shares = _shares(olds, old, f"merge into {news[0]}")
                evidence = (f"merged: {names}; names unrelated; ind_wbi=3 (boundary changed) on the new code; "
                            f"{population}; share = a_inw {old.year} / sum")
                links += [self.link(o, news[0], "merged", shares[o], evidence) for o in olds]
        return links

    def _refuse(self, level: str, lost: list[str], born: list[str], problems: list[str],
                old: pd.DataFrame, new: pd.DataFrame) -> None:
        parts = list(problems)
        for code in [c for c in lost if c in new.index]:
            parts.append(f"{self.old.describe(code)} is in both years, and a stated link leads into it but none "
                         f"from it; state its own link ({code} to {code}) too")
        for code in [c for c in lost if c not in new.index]:
            elsewhere = [f"{c} in {new.at[c, 'parent']}" for c in new.index if new.at[c, "key"] == old.at[code, "key"]]
            parent = old.at[code, "parent"]
            parts.append(f"{self.old.describe(code)} ({self.old.year}{f', in {parent}' if parent else ''}) is not in "
                         f"{self.new.year}, and no new code in its (linked) parent has a name derived from it"
                         + (", nor do ind_wbi and the population show where it went" if self.consecutive else
                            f" (ind_wbi is no evidence: the files are {self.new.year - self.old.year} years apart)")
                         + (f"; the same name appears as {', '.join(elsewhere)}" if elsewhere else ""))
        born = [c for c in born if c not in old.index]  # kept codes without a link are listed above
        if born:
            parts.append(f"new in {self.new.year} without a predecessor: "
                         + ", ".join(f"{self.new.describe(c)} with {_flag_text(self.new.areas.at[c, 'ind_wbi'])}"
                                     for c in born))
        raise BoundaryError(
            f"the {level} codes of {self.old.year} ({self.old.path.name}) and {self.new.year} cannot be linked "
            "without guessing: " + "; ".join(parts) + ".",
            file=str(self.new.path), hint=LINKS_HINT,
        )

    # -- stated links -------------------------------------------------------------------------

    def _stated_links(self, level: str) -> list[dict]:
        rows = self.stated[self.stated["level"] == level]
        links = []
        for (relation, group_code), group in rows.groupby(["relation", "_group"], sort=False):
            shares = group["share"].tolist()
            if any(pd.isna(s) for s in shares):
                if relation == "split":
                    computed = _shares(group["new_code"].tolist(), self.new, f"split of {group_code}")
                    shares = [computed[c] for c in group["new_code"]]
                elif relation == "merged":
                    computed = _shares(group["old_code"].tolist(), self.old, f"merge into {group_code}")
                    shares = [computed[c] for c in group["old_code"]]
                else:
                    shares = [1.0] * len(group)
                source = f"share = a_inw {self.new.year if relation == 'split' else self.old.year} / sum"
            else:
                source = "share as stated"
            for (_, r), share in zip(group.iterrows(), shares, strict=True):
                note = f": {r['evidence']}" if r["evidence"] else ""
                links.append(self.link(
                    r["old_code"], r["new_code"], relation, float(share),
                    f"stated in {Path(self.stated_path).name} row {r['row']}{note}"
                    + (f"; {source}" if relation in ("split", "merged") else ""),
                    continues=relation == "same" and not self.flagged(r["new_code"], 3),
                ))
        return links


class _Groups:
    """Union-find over ("old", code) and ("new", code) nodes."""

    def __init__(self) -> None:
        self._parent: dict[tuple, tuple] = {}

    def has(self, node: tuple) -> bool:
        return node in self._parent

    def _root(self, node: tuple) -> tuple:
        self._parent.setdefault(node, node)
        while self._parent[node] != node:
            self._parent[node] = self._parent[self._parent[node]]
            node = self._parent[node]
        return node

    def join(self, a: tuple, b: tuple) -> None:
        self._parent[self._root(a)] = self._root(b)

    def components(self) -> list[tuple[list[str], list[str]]]:
        groups: dict[tuple, list[tuple]] = {}
        for node in self._parent:
            groups.setdefault(self._root(node), []).append(node)
        return [(sorted(c for side, c in nodes if side == "old"), sorted(c for side, c in nodes if side == "new"))
                for nodes in sorted(groups.values())]


# ------------------------------------------------------------------------------ stated links file


def load_stated_links(path: str | Path, years: list[int]) -> pd.DataFrame:
    """A links file the user wrote: old_code, new_code, relation, from_year, to_year and, optionally,
    share and evidence. Each row must be a step between two consecutive kwb files given; a split's
    rows share their old_code, a merge's their new_code; shares, where given, sum to 1 per group."""
    path = str(path)
    try:
        stated = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ConfigError("links file not found.", file=path, hint="Check the path given to --links.") from None
    stated.columns = [str(c).strip() for c in stated.columns]
    missing = [c for c in STATED_REQUIRED if c not in stated.columns]
    if missing:
        raise ConfigError(f"lacks the column(s) {', '.join(missing)}.", file=path, row=1,
                          hint=f"A links file has the columns {', '.join(STATED_REQUIRED + STATED_OPTIONAL)}.")
    for column in STATED_OPTIONAL:
        if column not in stated.columns:
            stated[column] = ""
    stated = stated.apply(lambda s: s.str.strip())
    stated["row"] = range(2, len(stated) + 2)
    steps = list(zip(years, years[1:], strict=False))
    shares = []
    for _, r in stated.iterrows():
        where = {"file": path, "row": int(r["row"])}
        for column in ("old_code", "new_code"):
            if not r[column]:
                raise ConfigError(f"{column} is empty.", column=column, **where,
                                  hint="Each row links one old code to one new code.")
        if r["relation"] not in RELATIONS:
            raise ConfigError(f"relation {r['relation']!r} is not one of {', '.join(RELATIONS)}.", column="relation",
                              **where, hint="See docs/boundaries.md for what each relation means.")
        try:
            step = (int(r["from_year"]), int(r["to_year"]))
        except ValueError:
            raise ConfigError(f"from_year {r['from_year']!r} and to_year {r['to_year']!r} must be years.",
                              column="from_year", **where, hint="Write the kwb years, e.g. 2022 and 2023.") from None
        if step not in steps:
            raise ConfigError(
                f"links {step[0]} to {step[1]}, which is not a step between the kwb files given "
                f"({', '.join(f'{a}-{b}' for a, b in steps)}).", column="from_year", **where,
                hint="Link each kwb year to the next one given; give the kwb files of both years.")
        keeps = r["old_code"] == r["new_code"]
        if (r["relation"] in ("same", "renamed") and not keeps) or (r["relation"] == "recoded" and keeps):
            raise ConfigError(
                f"relation {r['relation']!r} with old_code {r['old_code']!r} and new_code {r['new_code']!r}: "
                "same and renamed keep the code, recoded changes it (a split or merge may keep one).",
                column="relation", **where, hint="Correct the relation or the codes.")
        share = None
        if r["share"]:
            try:
                share = float(r["share"])
            except ValueError:
                share = -1.0
            if not 0 < share <= 1:
                raise ConfigError(f"share {r['share']!r} is not a number above 0 and at most 1.", column="share",
                                  **where, hint="Write the population share as a fraction, e.g. 0.6.")
        if share is not None and share != 1 and r["relation"] not in ("split", "merged"):
            raise ConfigError(f"share {r['share']!r} for relation {r['relation']!r}: one old code to one new code "
                              "has share 1.", column="share", **where, hint="Leave the share empty, or write 1.")
        shares.append(share)
    stated["share"] = pd.array(shares, dtype="Float64")
    stated["from_year"] = stated["from_year"].astype(int)
    stated["to_year"] = stated["to_year"].astype(int)
    stated["_group"] = stated["new_code"].where(stated["relation"] == "merged", stated["old_code"])
    for (relation, step, group_code), group in stated.groupby(["relation", "from_year", "_group"]):
        where = {"file": path, "row": int(group["row"].iloc[0])}
        if relation in ("split", "merged") and len(group) < 2:
            raise ConfigError(
                f"the {relation} of {group_code} has one row; a {relation} links "
                + ("one old code to two or more new codes." if relation == "split" else
                   "two or more old codes to one new code."), column="relation", **where,
                hint="Add the other rows, or use relation recoded for one old code to one new code.")
        if relation in ("split", "merged"):
            given = group["share"]
            if given.notna().any() and (given.isna().any() or abs(float(given.sum()) - 1) > SHARE_SUM):
                raise ConfigError(
                    f"the shares of the {relation} of {group_code} ({step}) must all be given and sum to 1 "
                    f"(they sum to {float(given.fillna(0).sum()):g}).", column="share", **where,
                    hint="Give every row's share, or none (then they are computed from a_inw).")
    for side in ("old_code", "new_code"):
        for (step, code), group in stated.groupby(["from_year", side]):
            relations = set(group["relation"])
            several = len(group) > 1
            fine = (relations == {"split"} if side == "old_code" else relations == {"merged"}) if several else True
            if not fine:
                raise ConfigError(
                    f"{side} {code} ({step}) is in {len(group)} rows ({', '.join(sorted(relations))}); only a "
                    + ("split" if side == "old_code" else "merge") + f" may repeat an {side}.",
                    column=side, file=path, row=int(group["row"].iloc[1]), hint="State each change once.")
    return stated


def _stated_for(stated: pd.DataFrame, old: KwbYear, new: KwbYear, path: str) -> pd.DataFrame:
    """The stated links of one step, each checked against both files, with the level of its codes."""
    rows = stated[stated["from_year"] == old.year].copy()
    levels = []
    for _, r in rows.iterrows():
        where = {"file": path, "row": int(r["row"])}
        if r["old_code"] not in old.areas.index:
            raise ConfigError(f"old_code {r['old_code']!r} is not an area of {old.gemeente} in {old.path.name}.",
                              column="old_code", **where, hint="Use a code of the older kwb file.")
        if r["new_code"] not in new.areas.index:
            raise ConfigError(f"new_code {r['new_code']!r} is not an area of {new.gemeente} in {new.path.name}.",
                              column="new_code", **where, hint="Use a code of the newer kwb file.")
        level = old.areas.at[r["old_code"], "level"]
        if new.areas.at[r["new_code"], "level"] != level:
            raise ConfigError(f"links a {level} to a {new.areas.at[r['new_code'], 'level']}.", column="new_code",
                              **where, hint="Link areas of the same level (gemeente, wijk or buurt).")
        levels.append(level)
    rows["level"] = levels
    return rows


# ----------------------------------------------------------------------------------- the register


def link_years(kwbs: list[KwbYear], stated: pd.DataFrame | None = None,
               stated_path: str | None = None) -> pd.DataFrame:
    """The link table between each kwb year and the next (LINK_COLUMNS plus `_continues`: the code
    goes on with the same name and boundary)."""
    if stated is None:
        stated = _no_stated_links()
    links: list[dict] = []
    for old, new in zip(kwbs, kwbs[1:], strict=False):
        pair = _Pair(old, new, _stated_for(stated, old, new, stated_path or ""), stated_path)
        links += pair.links()
    frame = pd.DataFrame(links, columns=[*LINK_COLUMNS, "_continues"])
    order = frame["old_code"].str[:2].map({"GM": 0, "WK": 1, "BU": 2})
    frame = (frame.assign(_order=order).sort_values(["from_year", "_order", "old_code", "new_code"])
             .drop(columns="_order").reset_index(drop=True))
    frame["share"] = frame["share"].astype("float64")
    return frame


def _no_stated_links() -> pd.DataFrame:
    return pd.DataFrame(columns=[*STATED_REQUIRED, *STATED_OPTIONAL, "row", "_group"]).astype(
        {"from_year": "int64", "to_year": "int64"})


def read_kwb_years(kwb_paths: list[str | Path], municipality: str | None = None) -> list[KwbYear]:
    """The kwb files read and ordered by year; refused when two have the same year or hold
    different municipalities."""
    kwbs = sorted((read_kwb_year(p, municipality) for p in kwb_paths), key=lambda k: k.year)
    for a, b in zip(kwbs, kwbs[1:], strict=False):
        if a.year == b.year:
            raise ReaderError(f"is a kwb file of {b.year}, as is {a.path}.", file=str(b.path),
                              hint="Give one kwb file per year.")
    gemeenten = {k.gemeente for k in kwbs}
    if len(gemeenten) > 1:
        raise ReaderError(
            "holds another municipality than the other kwb files ("
            + ", ".join(f"{k.path.name}: {k.gemeente}" for k in kwbs) + ").", file=str(kwbs[-1].path),
            hint="Say which municipality to take from each file (--municipality GM....).")
    return kwbs


def build_history_register(
    kwb_paths: list[str | Path], subwijken_path: str | Path | None = None, municipality: str | None = None,
    links_path: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(register, links) of one municipality from kwb files of two or more years.

    Every code found in any year is a row, described as in the last year it appears. valid_from is
    the first year of the run of files up to then in which it keeps its name and boundary (a
    rename, a split or merge it survives, or ind_wbi=3 starts a new run; its older names stay as
    aliases); valid_to is the last year it appears, empty for codes of the newest file. Subwijken
    (a local table, not in kwb) have no validity. `links_path`: links stated by hand (see
    load_stated_links) for changes the files cannot show without guessing.
    """
    kwbs = read_kwb_years(kwb_paths, municipality)
    if len(kwbs) < 2:
        raise ReaderError("is the only kwb file: validity periods and links need two or more years.",
                          file=str(kwb_paths[0]), hint="Give kwb files of two or more years.")
    years = [k.year for k in kwbs]
    stated = load_stated_links(links_path, years) if links_path is not None else None
    links = link_years(kwbs, stated, str(links_path) if links_path is not None else None)
    continues = set(zip(links.loc[links["_continues"], "from_year"], links.loc[links["_continues"], "old_code"],
                        strict=True))
    gm_code = kwbs[0].gemeente
    subwijken = read_subwijken(subwijken_path)
    prefix_to_subwijk = dict(zip(subwijken["buurt_prefix"], subwijken["code"], strict=True))
    codes = list(dict.fromkeys(c for k in reversed(kwbs) for c in k.areas.index))
    rows = []
    for code in codes:
        present = [i for i, k in enumerate(kwbs) if code in k.areas.index]
        last = present[-1]
        first = last
        while first > 0 and code in kwbs[first - 1].areas.index and (years[first - 1], code) in continues:
            first -= 1
        area = kwbs[last].areas.loc[code]
        row = area_row(code, area["statnaam"], area["level"], area["digits"], gm_code, prefix_to_subwijk)
        for i in reversed(present[:-1]):  # older names, newest first, as aliases
            older = kwbs[i].areas.loc[code]
            row["aliases"] += area_row(code, older["statnaam"], older["level"], older["digits"], gm_code,
                                       prefix_to_subwijk)["aliases"]
        row["valid_from"] = years[first]
        row["valid_to"] = None if last == len(kwbs) - 1 else years[last]
        rows.append(row)
    register = finish_register(rows + subwijk_rows(subwijken, gm_code))
    return register, links.drop(columns="_continues")


__all__ = [
    "LINK_COLUMNS", "RELATIONS", "BoundaryError", "KwbYear", "build_history_register",
    "link_years", "load_stated_links", "read_kwb_year", "read_kwb_years",
]
