"""Statistical disclosure control: which figures are published.

One module decides. The analysis step calls `protect` on every figure (observations, derived rates,
subwijk sums) before anything is computed from them; the published observations, the data bundle,
the figures and the PDF are made from what it lets through.

**Primary suppression** (a frequency rule, as `sdcTable::primarySuppression(type = "freq")` with
`allowZeros = FALSE`: an empty cell reveals nobody). A figure is withheld when it rests on fewer than
`min_cases` cases:

- a survey figure (the source gives its respondents n): n < min_cases;
- a count of persons or households (unit `count`, catalogue `disclosure: frequency`, the default):
  0 < value < min_cases;
- a register share of households or inhabitants (catalogue `denominator`): its numerator, share x
  denominator / 100, is > 0 and < min_cases (7.0% of 50 households is 3.5 households);
- a derived rate is withheld with its numerator or its denominator (rate x denominator = numerator).

Model-based small-area estimates (catalogue `estimate: model`) count nobody and do not add up over
areas: they are not suppressed here (their producer applies its own rules).

**Secondary suppression.** Counts, share numerators and survey n add up over the area hierarchy
(buurt -> subwijk -> wijk -> gemeente), and the counts of a breakdown add up to their total within an
area (men + women = inhabitants; catalogue/breakdowns.yaml), so a withheld figure could be recomputed
by subtraction. Per table (one category and year, and one indicator or the indicators a breakdown
links) every withheld figure gets company: in each relation total = sum of parts the unknown parts
must be two or more and hold at least `min_cases` cases together (cheapest published part first, the
idea of tau-argus's hypercube method). Then the attacker's linear programme (`attacker_intervals`: the
published figures, the relations up to the smallest tolerance the published tables allow, since
rounded tables do not add up exactly, and non-negative unknowns) is solved for every primarily
withheld figure; while one can be pinned to an interval narrower than `min_cases` cases, a further
fellow part is withheld.

**Figures carried over area links** (`link` set: series_links.join_across_links) are kept out of
those tables (the figure of a retired area and the one carried to its successor describe the same
persons in the same year) and follow the figures they were made from: withheld when one of those is
withheld (they are a function of those figures and the published link shares), and also when they
fail the primary rule themselves (a split count below `min_cases`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .canonical import OK, SUPPRESSED, carried

PRIMARY, SECONDARY = "primary", "secondary"
COUNT, SHARE, SURVEY = "count", "share", "survey"  # how a figure's cases are counted (its family)
REGISTER_DENOMINATORS = ("households", "inhabitants")
KEY = ["indicator_id", "category", "area_code", "period"]
MAX_ROUNDS = 20


def cases(figures: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Per figure its family (count, share, survey or none) and its number of cases: the count, the
    share's numerator, or the survey's respondents. `figures` has the analysis columns (value, n,
    n_source, count for derived rates)."""
    info = indicators.set_index("id")
    unit = figures["indicator_id"].map(info["unit"])
    rule = figures["indicator_id"].map(info["disclosure"]).fillna("frequency") if "disclosure" in info else "frequency"
    model = figures["indicator_id"].map(info["estimate"]).eq("model") if "estimate" in info else False
    n_source = figures["n_source"] if "n_source" in figures else pd.Series(pd.NA, index=figures.index)
    derived = figures["count"].notna() if "count" in figures else pd.Series(False, index=figures.index)
    value, n = figures["value"].astype(float), figures["n"].astype(float)
    frequency = (rule == "frequency") & ~model & ~derived
    is_count = frequency & (unit == "count")
    is_share = frequency & (unit == "percent") & n_source.isin(REGISTER_DENOMINATORS) & n.notna()
    is_survey = ~model & ~derived & ~is_count & ~is_share & n.notna()
    family = pd.Series(np.select([is_count, is_share, is_survey], [COUNT, SHARE, SURVEY], ""),
                       index=figures.index).replace("", pd.NA).astype("string")
    number = pd.Series(np.select([is_count, is_share, is_survey], [value, value * n / 100, n], np.nan),
                       index=figures.index)
    return pd.DataFrame({"family": family, "cases": number})


def primary(figures: pd.DataFrame, indicators: pd.DataFrame, min_cases: int,
            counted: pd.DataFrame | None = None) -> pd.Series:
    """Figures withheld for themselves (see the module docstring). `counted`: `cases(figures, indicators)`
    when the caller has it already. A figure without a family (e.g. a model-based estimate that comes
    with a respondents n) is withheld on its n alone."""
    c = cases(figures, indicators) if counted is None else counted
    small = (c["cases"] < min_cases) & ((c["cases"] > 0) | (c["family"] == SURVEY))
    own_n = c["family"].isna() & (figures["n"].astype(float) < min_cases)
    if "count" in figures:
        own_n &= figures["count"].isna()
    return ((figures["status"] == OK) & (small.fillna(False) | own_n.fillna(False))).astype(bool)


def children_of(areas: pd.DataFrame) -> dict[str, list[str]]:
    """Each area's direct children in the register (parent_code)."""
    kids = areas.dropna(subset=["parent_code"]).groupby("parent_code")["code"].apply(list)
    return {parent: sorted(codes) for parent, codes in kids.items()}


Cell = tuple[str, str]  # (indicator_id, area_code)
Relation = tuple[Cell, list[Cell]]  # total = sum of parts


@dataclass
class Structure:
    """What adds up: areas to their parent area (`children`: the register) and, within an area, the
    parts of a breakdown to their total (`breakdowns`: id -> (total indicator, part indicators))."""

    children: dict[str, list[str]]
    breakdowns: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, areas: pd.DataFrame, breakdowns: dict | None = None) -> Structure:
        return cls(children_of(areas), dict(breakdowns or {}))

    def component(self) -> dict[str, str]:
        """Indicator -> the first indicator of the set it is linked to by breakdowns (itself if none):
        linked indicators form one table, since a cell can be reached through either relation."""
        root: dict[str, str] = {}

        def find(i: str) -> str:
            while root.get(i, i) != i:
                i = root[i]
            return i

        for total, parts in self.breakdowns.values():
            for part in parts:
                a, b = sorted((find(total), find(part)))
                root[b] = a
        return {i: find(i) for i in {*root, *[t for t, _ in self.breakdowns.values()]}}

    def relations(self, present: set[Cell]) -> list[Relation]:
        """The relations among the present cells' indicators: per indicator, parent = sum of children over
        the present areas and their ancestors (an area that no table has, such as a subwijk in CBS tables,
        still links its buurten to its wijk); per area with a present cell, total = sum of parts."""
        parent_of = {kid: p for p, kids in self.children.items() for kid in kids}
        indicators = {i for i, _ in present}
        areas = {a for _, a in present}
        for area in list(areas):
            while area in parent_of:
                area = parent_of[area]
                areas.add(area)
        found: list[Relation] = [((i, p), [(i, k) for k in kids]) for i in sorted(indicators)
                                 for p, kids in self.children.items() if p in areas]
        for total, parts in self.breakdowns.values():
            if indicators.intersection([total, *parts]):
                found += [((total, a), [(part, a) for part in parts]) for a in sorted(areas)]
        return found


@dataclass
class Table:
    """The figures that add up with each other (one category and year, one indicator or the indicators
    a breakdown links): published cases by cell, the withheld cells and which were withheld for themselves."""

    cases: dict[Cell, float]
    withheld: set[Cell]
    primary: set[Cell]


def _add_company(table: Table, relations: list[Relation], min_cases: int) -> set[Cell]:
    """The heuristic: per relation with a known total and withheld parts, withhold the cheapest
    published parts until the unknown parts are two or more and hold `min_cases` cases; per relation
    with a withheld total and only published parts, withhold the cheapest part. Repeated until nothing
    changes; returns the cells withheld here."""
    added: set[Cell] = set()
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            known = [k for k in parts if k in table.cases and k not in table.withheld]
            unknown = [k for k in parts if k not in known]
            total_withheld = total in table.withheld
            total_known = total in table.cases and not total_withheld
            held = sum(table.cases.get(k, 0.0) for k in unknown)
            need = ((total_known and any(k in table.withheld for k in parts) and (len(unknown) < 2 or held < min_cases))
                    or (total_withheld and not unknown))
            if need and known:
                ordered = sorted(known, key=lambda k: (table.cases[k], k))
                enough = [k for k in ordered if held + table.cases[k] >= min_cases]
                pick = enough[0] if enough else ordered[-1]
                table.withheld.add(pick)
                added.add(pick)
                changed = True
    return added


def attacker_intervals(table: Table, relations: list[Relation], targets: list[Cell] | None = None,
                       min_width: float = 0.0) -> dict[Cell, tuple[float, float]]:
    """What someone holding every published figure can say about each target (default: the primarily
    withheld cells): the lowest and highest number of cases consistent with the published figures,
    non-negative unknowns (withheld, missing or never published cells, such as subwijken in CBS
    tables) and the relations total = sum of parts, which hold up to the smallest tolerance the
    published figures allow (rounded tables do not add up exactly). Solved with HiGHS."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    targets = sorted(table.primary) if targets is None else targets
    if not targets:
        return {}
    unknowns = sorted({c for total, parts in relations for c in [total, *parts]
                       if c not in table.cases or c in table.withheld} | set(targets))
    index = {c: i for i, c in enumerate(unknowns)}
    n_var = len(unknowns) + 1  # the last variable: the tolerance t
    entries, rhs = [], []  # sparse rows of A_ub: (row, column, coefficient)
    for total, parts in relations:
        terms = [(total, 1.0)] + [(k, -1.0) for k in parts]
        if not any(c in index for c, _ in terms):
            continue
        coef: dict[int, float] = {}
        constant = 0.0
        for c, sign in terms:
            if c in index:
                coef[index[c]] = coef.get(index[c], 0.0) + sign
            else:
                constant += sign * table.cases[c]
        row = len(rhs)  # |coef.x + constant| <= t, as two rows
        entries += [(row, j, v) for j, v in coef.items()] + [(row, n_var - 1, -1.0)]
        entries += [(row + 1, j, -v) for j, v in coef.items()] + [(row + 1, n_var - 1, -1.0)]
        rhs += [-constant, constant]
    a_ub = b_ub = None
    if rhs:
        r, c, v = zip(*entries, strict=True)
        a_ub, b_ub = csr_array((v, (r, c)), shape=(len(rhs), n_var)), np.array(rhs)
    bounds = [(0, None)] * n_var
    objective = np.zeros(n_var)
    objective[-1] = 1.0
    tolerance = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    t = float(tolerance.x[-1]) if tolerance.status == 0 else 0.0
    bounds[-1] = (0, t + 1e-6 * (1 + t))
    result = {}
    for target in targets:
        objective = np.zeros(n_var)
        objective[index[target]] = 1.0
        high = linprog(-objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        upper = -float(high.fun) if high.status == 0 else np.inf
        if upper < min_width:  # narrow whatever the lower bound (>= 0): one programme saved
            result[target] = (0.0, upper)
            continue
        low = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        result[target] = (float(low.fun) if low.status == 0 else 0.0, upper)
    return result


def _too_narrow(table: Table, relations: list[Relation], min_cases: int, targets: list[Cell] | None = None
                ) -> list[Cell]:
    intervals = attacker_intervals(table, relations, targets, min_cases)
    return [c for c, (low, high) in intervals.items() if high - low < min_cases - 1e-9]


def _widen(table: Table, cell: Cell, relations: list[Relation]) -> Cell | None:
    """One more cell to withhold for a cell the attacker can still pin down: its cheapest published
    fellow part in a relation, else its cheapest published part, else a published total."""
    pools = ([k for total, parts in relations if cell in parts for k in parts],
             [k for total, parts in relations if total == cell for k in parts],
             [total for total, parts in relations if cell in parts])
    for pool in pools:
        known = [k for k in pool if k in table.cases and k not in table.withheld and k != cell]
        if known:
            return min(known, key=lambda k: (table.cases[k], k))
    return None


def table_keys(figures: pd.DataFrame, structure: Structure) -> pd.Series:
    """Per figure the table it adds up in: category, year and the indicator's breakdown component."""
    component = figures["indicator_id"].map(structure.component()).fillna(figures["indicator_id"])
    return component + "|" + figures["category"].fillna("").astype(str) + "|" + figures["period"].astype(str)


def secondary(figures: pd.DataFrame, withheld_primary: pd.Series, counted: pd.DataFrame,
              structure: Structure, min_cases: int) -> pd.Series:
    """Figures withheld so that no primarily withheld one can be recomputed or narrowly bounded.
    `counted`: `cases(figures, indicators)`."""
    c = counted
    data = figures[KEY].assign(family=c["family"], cases=c["cases"], primary=withheld_primary,
                               ok=figures["status"] == OK)
    data = data[data["family"].notna()]
    data = data.assign(_table=table_keys(data, structure))
    data = data[data["_table"].isin(set(data.loc[data["primary"], "_table"]))]
    extra = pd.Series(False, index=figures.index)
    for _, rows in data.groupby("_table", sort=True):
        ok = rows[rows["ok"]]
        cells = list(zip(ok["indicator_id"], ok["area_code"], strict=True))
        chosen = {cell for cell, first in zip(cells, ok["primary"], strict=True) if first}
        table = Table(cases=dict(zip(cells, ok["cases"].astype(float), strict=True)), withheld=set(chosen),
                      primary=set(chosen))
        relations = structure.relations(set(zip(rows["indicator_id"], rows["area_code"], strict=True)))
        _add_company(table, relations, min_cases)
        # Withholding more only adds unknowns, so a cell found wide enough mostly stays so: after the first
        # check of every cell, each round checks the cells that were too narrow, and a last round all again.
        narrow, all_checked = _too_narrow(table, relations, min_cases), True
        for _ in range(MAX_ROUNDS):
            if not narrow:
                if all_checked:
                    break
                narrow, all_checked = _too_narrow(table, relations, min_cases), True
                continue
            picks = {p for p in (_widen(table, c, relations) for c in narrow) if p}
            if not picks:
                break
            table.withheld |= picks
            _add_company(table, relations, min_cases)
            narrow, all_checked = _too_narrow(table, relations, min_cases, narrow), False
        if narrow or not all_checked and _too_narrow(table, relations, min_cases):
            table.withheld |= set(table.cases)  # not settled: nothing of this table is published
        new = table.withheld - chosen
        hit = pd.Series(list(zip(rows["indicator_id"], rows["area_code"], strict=True)), index=rows.index).isin(new)
        extra[rows.index[hit.to_numpy() & rows["ok"].to_numpy()]] = True
    return extra


def protect(figures: pd.DataFrame, indicators: pd.DataFrame, areas: pd.DataFrame, derived: pd.DataFrame,
            min_cases: int, breakdowns: dict | None = None) -> pd.DataFrame:
    """`figures` with the withheld ones suppressed (no value, no n of their own, no interval) and a
    column `disclosure`: primary, secondary or NULL (published).

    Figures carried over an area link (`link` set, series_links) are decided after the observed ones
    and kept out of their tables (a carried figure and the one it came from, in one year, would count
    the same persons twice in the area hierarchy): a carried figure is withheld when a figure it was
    made from (`linked_from`, same indicator, category and year) is withheld, or when it fails the
    primary rule itself. It is a function of those figures and the link shares, so it reveals
    nothing they do not."""
    is_carried = carried(figures)
    if not is_carried.any():
        return _suppress(_decide(figures, indicators, areas, derived, min_cases, breakdowns))
    observed = _decide(figures[~is_carried], indicators, areas, derived, min_cases, breakdowns)
    follow = _follow_origins(figures[is_carried], observed, indicators, derived, min_cases)
    return _suppress(pd.concat([observed, follow]).loc[figures.index])


def _decide(figures: pd.DataFrame, indicators: pd.DataFrame, areas: pd.DataFrame, derived: pd.DataFrame,
            min_cases: int, breakdowns: dict | None) -> pd.DataFrame:
    """`figures` with `disclosure` (primary, secondary or NULL); values not yet removed."""
    counted = cases(figures, indicators)
    first = primary(figures, indicators, min_cases, counted)
    second = secondary(figures, first, counted, Structure.of(areas, breakdowns), min_cases)
    reason = pd.Series(np.select([first, second], [PRIMARY, SECONDARY], ""), index=figures.index)
    figures = figures.assign(disclosure=reason.replace("", pd.NA).astype("string"))
    return _with_rates(figures, figures, derived)


def _with_rates(figures: pd.DataFrame, decided: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    """A derived rate goes with its numerator and its denominator (rate x denominator = numerator):
    `figures`' rates withheld where one of them is withheld in `decided`."""
    if "count" not in figures or not len(derived):
        return figures
    withheld_keys = decided.loc[decided["disclosure"].notna(), KEY]
    for spec in derived.itertuples():
        parts = withheld_keys[withheld_keys["indicator_id"].isin([spec.numerator, spec.denominator])]
        hit = (figures["indicator_id"] == spec.id) & figures["status"].eq(OK) & figures["disclosure"].isna()
        if not hit.any() or parts.empty:
            continue
        mine = figures.loc[hit, ["category", "area_code", "period"]].reset_index()
        matched = mine.merge(parts.drop(columns="indicator_id").drop_duplicates(), how="inner",
                             on=["category", "area_code", "period"])["index"]
        figures.loc[matched, "disclosure"] = SECONDARY
    return figures


def _follow_origins(figures: pd.DataFrame, observed: pd.DataFrame, indicators: pd.DataFrame,
                    derived: pd.DataFrame, min_cases: int) -> pd.DataFrame:
    """Carried figures with `disclosure`: primary when they fail the primary rule themselves, secondary
    when a figure they were made from is withheld (or, for a derived rate, its numerator or
    denominator)."""
    first = primary(figures, indicators, min_cases)
    withheld = observed.loc[observed["disclosure"].notna(), KEY]
    withheld = set(zip(withheld["indicator_id"], withheld["category"].astype("string").fillna(""),
                       withheld["area_code"], withheld["period"], strict=True))
    origins = figures["linked_from"].astype("string").fillna("").str.split("+")
    category = figures["category"].astype("string").fillna("")
    hit = [any((i, c, code, p) in withheld for code in codes)
           for i, c, codes, p in zip(figures["indicator_id"], category, origins, figures["period"], strict=True)]
    second = pd.Series(hit, index=figures.index, dtype=bool) & ~first
    reason = pd.Series(np.select([first, second], [PRIMARY, SECONDARY], ""), index=figures.index)
    figures = figures.assign(disclosure=reason.replace("", pd.NA).astype("string"))
    return _with_rates(figures, pd.concat([observed, figures]), derived)


def _suppress(figures: pd.DataFrame) -> pd.DataFrame:
    """The withheld figures (`disclosure` set) without value, own n, interval or sd."""
    withheld = figures["disclosure"].notna()
    figures.loc[withheld, "value"] = np.nan
    figures.loc[withheld, "status"] = SUPPRESSED
    own_n = withheld & ~figures.get("n_source", pd.Series(pd.NA, index=figures.index)).isin(REGISTER_DENOMINATORS)
    figures.loc[own_n, "n"] = np.nan  # a survey's n would let the figure be bounded (city n = sum of the wijken's)
    for column in ("count", "source_ci_low", "source_ci_high", "ci_low", "ci_high", "sd"):
        if column in figures:
            figures.loc[withheld, column] = np.nan
    return figures


def publish(observations: pd.DataFrame, protected: pd.DataFrame) -> pd.DataFrame:
    """The observations with the decisions of `protect` (on the same figures) applied."""
    decisions = protected.loc[protected["disclosure"].notna(), KEY].drop_duplicates()
    keyed = observations.assign(category=observations["category"].astype("string"))
    hit = keyed[KEY].merge(decisions.assign(_w=True).astype({"category": "string"}), on=KEY, how="left")["_w"]
    hit = hit.fillna(False).to_numpy(dtype=bool)
    published = observations.copy()
    published.loc[hit, ["value", "n", "sd", "ci_low", "ci_high"]] = np.nan
    published.loc[hit, "status"] = SUPPRESSED
    return published
