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
(buurt -> subwijk -> wijk -> gemeente), so a withheld figure could be recomputed from its parent and
its published siblings. Within each indicator, category and year, every withheld figure gets
company: in each relation parent = sum of children the unknown children must be two or more and hold
at least `min_cases` cases together (the heuristic of tau-argus's hypercube method for a hierarchy,
cheapest sibling first). Then the attacker's linear programme (`attacker_intervals`: the published
figures, additivity up to the tables' own rounding, non-negative unknowns) is solved for every
primarily withheld figure; while one can be pinned to an interval narrower than `min_cases`, a
further sibling is withheld. Relations between different indicators of one area (men + women =
inhabitants) are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .canonical import OK, SUPPRESSED

PRIMARY, SECONDARY = "primary", "secondary"
COUNT, SHARE, SURVEY = "count", "share", "survey"  # how a figure's cases are counted (its family)
REGISTER_DENOMINATORS = ("households", "inhabitants")
KEY = ["indicator_id", "category", "area_code", "period"]
GROUP = ["indicator_id", "category", "period"]
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


def primary(figures: pd.DataFrame, indicators: pd.DataFrame, min_cases: int) -> pd.Series:
    """Figures withheld for themselves (see the module docstring)."""
    c = cases(figures, indicators)
    ok = figures["status"] == OK
    small = (c["cases"] < min_cases) & ((c["cases"] > 0) | (c["family"] == SURVEY))
    # Figures without a family: the respondents n where the source gives one (the rule before families).
    plain = c["family"].isna() & figures["n"].notna() & ~(figures.get("count", pd.Series(np.nan, index=figures.index))
                                                            .notna()) & (figures["n"].astype(float) < min_cases)
    return (ok & (small.fillna(False) | plain.fillna(False))).astype(bool)


def children_of(areas: pd.DataFrame) -> dict[str, list[str]]:
    """Each area's direct children in the register (parent_code)."""
    kids = areas.dropna(subset=["parent_code"]).groupby("parent_code")["code"].apply(list)
    return {parent: sorted(codes) for parent, codes in kids.items()}


@dataclass
class Group:
    """The figures of one indicator, category and year, by area: known (published) cases, withheld
    ones and which were withheld for themselves."""

    cases: dict[str, float]
    withheld: set[str]
    primary: set[str]


def _relations(group: Group, children: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The relations parent = sum of children over the present areas and their ancestors (an area that no
    table has, such as a subwijk in CBS tables, still links its buurten to its wijk)."""
    parent_of = {kid: p for p, kids in children.items() for kid in kids}
    relevant = set(group.cases) | group.withheld
    for area in list(relevant):
        while area in parent_of:
            area = parent_of[area]
            relevant.add(area)
    return [(p, kids) for p, kids in children.items() if p in relevant]


def _add_company(group: Group, children: dict[str, list[str]], min_cases: int) -> set[str]:
    """The heuristic: per relation with a known parent and withheld children, withhold the cheapest
    published children until the unknown children are two or more and hold `min_cases` cases; per
    relation with a withheld parent and only published children, withhold the cheapest child.
    Repeated until nothing changes; returns the areas withheld here."""
    added: set[str] = set()
    changed = True
    while changed:
        changed = False
        for parent, kids in _relations(group, children):
            known = [k for k in kids if k in group.cases and k not in group.withheld]
            unknown = [k for k in kids if k not in known]
            withheld_kids = [k for k in kids if k in group.withheld]
            parent_withheld = parent in group.withheld
            parent_known = parent in group.cases and not parent_withheld
            need = False
            if parent_known and withheld_kids:
                held = sum(group.cases.get(k, 0.0) for k in unknown)
                need = len(unknown) < 2 or held < min_cases
            elif parent_withheld and not unknown:
                need = True
            if need and known:
                held = sum(group.cases.get(k, 0.0) for k in unknown)
                ordered = sorted(known, key=lambda k: (group.cases[k], k))
                enough = [k for k in ordered if held + group.cases[k] >= min_cases]
                pick = enough[0] if enough else ordered[-1]
                group.withheld.add(pick)
                added.add(pick)
                changed = True
    return added


def attacker_intervals(group: Group, children: dict[str, list[str]], targets: list[str] | None = None
                       ) -> dict[str, tuple[float, float]]:
    """What someone holding every published figure of the group can say about each target (default:
    the primarily withheld areas): the lowest and highest number of cases consistent with the
    published figures, non-negative unknowns (withheld, missing or never published areas, such as
    subwijken in CBS tables) and the relations parent = sum of children, which hold up to the
    smallest tolerance the published figures allow (rounded tables do not add up exactly)."""
    from scipy.optimize import linprog

    targets = sorted(group.primary) if targets is None else targets
    relations = _relations(group, children)
    unknowns = sorted({a for p, kids in relations for a in [p, *kids]
                       if a not in group.cases or a in group.withheld})
    if not targets:
        return {}
    index = {a: i for i, a in enumerate(unknowns)}
    n_var = len(unknowns) + 1  # the last variable: the tolerance t
    rows, rhs = [], []
    for parent, kids in relations:
        terms = [(parent, 1.0)] + [(k, -1.0) for k in kids]
        if not any(a in index for a, _ in terms):
            continue
        coef = np.zeros(n_var - 1)
        constant = 0.0
        for a, sign in terms:
            if a in index:
                coef[index[a]] += sign
            else:
                constant += sign * group.cases[a]
        # |coef.x + constant| <= t
        rows.append(np.append(coef, -1.0))
        rhs.append(-constant)
        rows.append(np.append(-coef, -1.0))
        rhs.append(constant)
    bounds = [(0, None)] * n_var
    a_ub, b_ub = (np.array(rows), np.array(rhs)) if rows else (None, None)
    objective = np.zeros(n_var)
    objective[-1] = 1.0
    tolerance = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    t = float(tolerance.x[-1]) if tolerance.status == 0 else 0.0
    bounds[-1] = (0, t + 1e-6 * (1 + t))
    result = {}
    for target in targets:
        if target not in index:
            result[target] = (group.cases.get(target, np.nan),) * 2
            continue
        objective = np.zeros(n_var)
        objective[index[target]] = 1.0
        low = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        high = linprog(-objective, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        result[target] = (float(low.fun) if low.status == 0 else 0.0,
                          np.inf if high.status == 3 else (-float(high.fun) if high.status == 0 else np.inf))
    return result


def _too_narrow(group: Group, children: dict[str, list[str]], min_cases: int) -> list[str]:
    intervals = attacker_intervals(group, children)
    return [a for a, (low, high) in intervals.items() if high - low < min_cases - 1e-9]


def _widen(group: Group, area: str, children: dict[str, list[str]], areas_parent: dict[str, str]) -> str | None:
    """One more figure to withhold for an area the attacker can still pin down: its cheapest published
    sibling, else its cheapest published child, else its parent."""
    parent = areas_parent.get(area)
    for pool in (children.get(parent, []) if parent else [], children.get(area, [])):
        known = [k for k in pool if k in group.cases and k not in group.withheld and k != area]
        if known:
            return min(known, key=lambda k: (group.cases[k], k))
    if parent in group.cases and parent not in group.withheld:
        return parent
    return None


def secondary(figures: pd.DataFrame, withheld_primary: pd.Series, indicators: pd.DataFrame,
              areas: pd.DataFrame, min_cases: int) -> pd.Series:
    """Figures withheld so that no primarily withheld one can be recomputed or narrowly bounded."""
    children = children_of(areas)
    parent_of = dict(zip(areas["code"], areas["parent_code"], strict=True))
    c = cases(figures, indicators)
    data = figures[KEY].assign(family=c["family"], cases=c["cases"], primary=withheld_primary,
                               ok=figures["status"] == OK)
    data = data[data["family"].notna()]
    group_key = data["indicator_id"] + "|" + data["category"].fillna("") + "|" + data["period"].astype(str)
    data = data[group_key.isin(set(group_key[data["primary"]]))]
    extra = pd.Series(False, index=figures.index)
    for _, rows in data.groupby(GROUP, dropna=False, sort=True):
        ok = rows[rows["ok"]]
        group = Group(cases=dict(zip(ok["area_code"], ok["cases"].astype(float), strict=True)),
                      withheld=set(ok.loc[ok["primary"], "area_code"]),
                      primary=set(ok.loc[ok["primary"], "area_code"]))
        before = set(group.withheld)
        _add_company(group, children, min_cases)
        for _ in range(MAX_ROUNDS):
            narrow = _too_narrow(group, children, min_cases)
            picks = {p for p in (_widen(group, a, children, parent_of) for a in narrow) if p}
            if not picks:
                break
            group.withheld |= picks
            _add_company(group, children, min_cases)
        else:  # not settled in MAX_ROUNDS: nothing of this indicator, category and year is published
            if _too_narrow(group, children, min_cases):
                group.withheld |= set(group.cases)
        new = group.withheld - before
        extra[rows.index[rows["area_code"].isin(new) & rows["ok"]]] = True
    return extra


def protect(figures: pd.DataFrame, indicators: pd.DataFrame, areas: pd.DataFrame, derived: pd.DataFrame,
            min_cases: int) -> pd.DataFrame:
    """`figures` with the withheld ones suppressed (no value, no n of their own, no interval) and a
    column `disclosure`: primary, secondary or NULL (published)."""
    first = primary(figures, indicators, min_cases)
    second = secondary(figures, first, indicators, areas, min_cases)
    reason = pd.Series(np.select([first, second], [PRIMARY, SECONDARY], ""), index=figures.index)
    figures = figures.assign(disclosure=reason.replace("", pd.NA).astype("string"))
    # A derived rate goes with its numerator and its denominator (rate x denominator = numerator).
    if "count" in figures and len(derived):
        withheld_keys = figures.loc[figures["disclosure"].notna(), ["indicator_id", "category", "area_code",
                                                                     "period"]]
        for spec in derived.itertuples():
            parts = withheld_keys[withheld_keys["indicator_id"].isin([spec.numerator, spec.denominator])]
            hit = (figures["indicator_id"] == spec.id) & figures["status"].eq(OK) & figures["disclosure"].isna()
            if not hit.any() or parts.empty:
                continue
            mine = figures.loc[hit, ["category", "area_code", "period"]].reset_index()
            matched = mine.merge(parts.drop(columns="indicator_id").drop_duplicates(), how="inner",
                                 on=["category", "area_code", "period"])["index"]
            figures.loc[matched, "disclosure"] = SECONDARY
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
