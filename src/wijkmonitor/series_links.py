"""Series across boundary changes: an area's figures from before a change carried over the links of
`area_links.csv` (see `boundaries.py` and docs/boundaries.md, *Joining series across a change*).

`join_across_links(observations, links, units)` takes the current observations (one row per
indicator, area, category and period, as `observation_current`), the link table (LINK_COLUMNS) and
each indicator's unit id (catalogue/units.yaml), and returns `JoinedSeries`:

- `observations`: the input rows unchanged, plus rows carried or derived for the new codes, with two
  added columns: `link` (NA on the input rows; the relation(s) a row was carried over, e.g. `recoded`,
  `split`, `merged`, or `split>merged` along two changes) and `linked_from` (NA on the input rows; the
  code(s) the figure was observed under, several joined with `+`);
- `breaks`: where a series cannot be joined (BREAK_COLUMNS: area_code, indicator_id, from_year,
  to_year, relation, reason, cause), one row per new area, indicator, link step and relation.
  `reason` is the detailed English text (codes, units, shares and the periods concerned); `cause` the
  same in machine-readable codes of BREAK_CAUSES, for the report to say in its own language. A row
  with several reasons has them joined with `; ` (sorted), and its distinct causes joined with `;` in
  the order of the reasons.

Rules, per link step (`from_year` -> `to_year`; steps in order, so figures are carried along a chain
of changes). "Before the change" is a period < `to_year`: the new division applies from the kwb year
`to_year`; an old code's rows of `to_year` or later are not carried. A row is never added where the
new code already has a row (any status) for that indicator, category and period: the new code's own
figure is kept and nothing is duplicated.

- same, renamed, recoded (one old code, one new): every row of the old code before the change is
  copied to the new code, status, n, sd and interval included (the area is the same). same and
  renamed keep the code, so they add nothing.
- merged (several old codes, one new): per indicator, category and period, a figure for the new code
  only when every old part has a figure (status ok). Counts (ADDITIVE_UNITS) are summed; shares,
  rates and means (AVERAGED_UNITS) are averaged with the link shares as weights, sum(share * value) /
  sum(share); the shares are each part's inhabitants in `from_year` (boundaries.py), used for every
  earlier period too. n is the sum when every part has one, else NA; sd and the interval are NA. When
  a part has no figure: no figure, and a break.
- split (one old code, several new): each new code gets, per row of the old code, a count times its
  share (the new code's inhabitants in `to_year` / the parts' sum): an estimate that assumes the count
  was spread over the parts like the population; a share, rate or mean unchanged: it assumes the old
  area was homogeneous. n, sd and the interval are NA (respondents cannot be apportioned). Rows
  without a figure (suppressed, missing) are carried with their status.
- A split or merge that keeps a code (K -> K and K -> N; or K + M -> K): K's own rows before the change
  are of its old boundary; nothing is added under K and K gets a break.
- No figure, and a break, for: a unit in neither list (densities per km², hectares, codes, or an
  indicator without a unit: they need area weights or cannot be averaged), a relation that is not
  one of boundaries.RELATIONS, a split or merge whose shares are missing, negative or do not sum to 1
  (within boundaries.SHARE_SUM), and two links of one step leading to the same figure.
- A break of an old code is inherited by the code(s) its series is carried to (the carried figures
  hold the same break): the reason says `; inherited from OLD through the <relation> <a>-<b>`, the
  cause stays that of the original break.

Break causes (BREAK_CAUSES): `unknown_relation` (a relation not in boundaries.RELATIONS),
`shares_missing`, `shares_negative`, `shares_not_one` (a split's or merge's shares), `code_kept_split`
and `code_kept_merge` (a code kept through a split or merge: its earlier figures are of its old
boundary), `not_apportionable` (a split of a figure whose unit cannot be apportioned by population),
`not_combinable` (a merge of such a figure), `part_missing` (a merged area one of whose parts has no
figure) and `link_clash` (two links of one step lead to the same figure).

Derived rows keep the input row's other columns (source_file, source_row, vintage, ...: where the
figure came from); a merged row has the value its parts share, else NA, `area_name` the parts' names
joined with ` + `, and `provisional` when any part is.

The pipeline (steps.analyse) reads the config's `area_links` with `read_area_links` and joins the
current observations with `join_links` before the analysis (docs/boundaries.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .boundaries import RELATIONS, SHARE_SUM, STATED_OPTIONAL, STATED_REQUIRED, load_stated_links
from .canonical import OK, SERIES_BREAKS_COLUMNS
from .errors import ConfigError

# Units whose figures add up over areas: summed in a merge, spread by population share in a split.
ADDITIVE_UNITS = ("count",)
# Units of shares, rates, means and other per-person or per-dwelling figures: a population-weighted
# mean in a merge, the old area's value in a split.
AVERAGED_UNITS = ("percent", "rating", "average", "per_100_inhabitants", "per_1000_inhabitants",
                  "per_household", "euro_1000", "km", "kwh", "m3")
ONE_TO_ONE = ("same", "renamed", "recoded")
BREAK_COLUMNS = SERIES_BREAKS_COLUMNS  # the analysis table series_breaks
# The machine-readable causes of a break (column `cause`; the module docstring says what each means).
BREAK_CAUSES = ("unknown_relation", "shares_missing", "shares_negative", "shares_not_one", "code_kept_split",
                "code_kept_merge", "not_apportionable", "not_combinable", "part_missing", "link_clash")
REQUIRED_OBSERVATION = ("indicator_id", "area_code", "category", "period", "value", "status", "n")
REQUIRED_LINK = ("old_code", "new_code", "relation", "share", "from_year", "to_year")
KEY = ["indicator_id", "area_code", "_cat", "period"]
UNSET = ("sd", "ci_low", "ci_high")  # not derivable for an apportioned or combined figure
_NO_CATEGORY = "\x00"  # stands for a missing category in keys (NA does not compare)
_ADDITIVE, _AVERAGED = "additive", "averaged"
_INTERNAL = ["_cat", "_origin", "_path"]


@dataclass(frozen=True)
class JoinedSeries:
    """The observations with carried and derived rows (`link`, `linked_from`), and the breaks."""

    observations: pd.DataFrame
    breaks: pd.DataFrame


def join_across_links(observations: pd.DataFrame, links: pd.DataFrame, units: dict[str, str], *,
                      additive_units: tuple[str, ...] = ADDITIVE_UNITS,
                      averaged_units: tuple[str, ...] = AVERAGED_UNITS) -> JoinedSeries:
    """The observations with figures carried over boundary changes, and the breaks (module docstring).

    `observations`: one row per indicator_id, area_code, category and period (at least the columns
    REQUIRED_OBSERVATION; others are kept); `links`: the link table (REQUIRED_LINK; `evidence` is not
    read); `units`: indicator_id -> unit id. The input frames are not changed. The result is sorted
    by indicator_id, area_code, category (missing first) and period; the breaks by area_code,
    indicator_id, from_year, to_year and relation."""
    _check_observations(observations)
    links = _checked_links(links)
    kinds = {i: _ADDITIVE if u in additive_units else _AVERAGED if u in averaged_units else None
             for i, u in units.items()}
    frame = observations.copy()
    frame["link"] = pd.array([pd.NA] * len(frame), dtype="string")
    frame["linked_from"] = pd.array([pd.NA] * len(frame), dtype="string")
    frame["_cat"] = frame["category"].astype("string").fillna(_NO_CATEGORY)
    frame["_origin"] = frame["area_code"].astype("string")
    frame["_path"] = ""
    breaks = _empty_breaks()
    steps = links[["from_year", "to_year"]].drop_duplicates().sort_values(["from_year", "to_year"])
    for a, b in steps.itertuples(index=False):
        step = links[(links["from_year"] == a) & (links["to_year"] == b)]
        before = frame[frame["period"].lt(b).fillna(False).astype(bool)]
        added, step_breaks = _step(frame, before, step, int(a), int(b), kinds, units)
        inherited = _inherited(breaks, step, int(a), int(b))
        breaks = pd.concat([breaks, step_breaks, inherited], ignore_index=True)
        if len(added):
            frame = _append(frame, added)
    carried = frame["_path"] != ""
    frame.loc[carried, "link"] = frame.loc[carried, "_path"].map(_relations)
    frame.loc[carried, "linked_from"] = frame.loc[carried, "_origin"]
    frame = frame.drop(columns=_INTERNAL)
    frame = frame.sort_values(["indicator_id", "area_code", "category", "period"], na_position="first",
                              kind="stable").reset_index(drop=True)
    return JoinedSeries(observations=frame, breaks=_final_breaks(breaks))


# ------------------------------------------------------------------------------ the pipeline's links


LINKS_FILE_HINT = ("area_links is the link table `wijkmonitor register KWB1 KWB2 ... --links-out FILE` writes "
                   f"(columns {', '.join(STATED_REQUIRED + STATED_OPTIONAL)}; see docs/boundaries.md).")


def read_area_links(path: str | Path, area_codes: Iterable[str]) -> pd.DataFrame:
    """The config's `area_links` file, checked (boundaries.load_stated_links: codes, relations, years,
    shares; the steps are those between the years the file names), as a link table (LINK_COLUMNS and
    `row`), keeping the links whose new code is in the area register (`area_codes`); the others are of
    areas this run does not cover (another municipality). A link from an area of the register to a
    code that is not in it is refused: its figures would be carried to an unknown area."""
    path = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ConfigError("area_links: file not found.", file=path, hint="Check the path in the config's area_links.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ConfigError(f"area_links: not a readable CSV file ({str(exc).strip()}).", file=path,
                          hint=LINKS_FILE_HINT) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    years = sorted({int(y) for c in ("from_year", "to_year") if c in raw.columns
                    for y in raw[c].str.strip() if y.isdigit()})
    try:
        links = load_stated_links(path, years)
    except ConfigError as exc:
        raise ConfigError(f"area_links: {exc.message}", file=exc.file, row=exc.row, column=exc.column,
                          hint=exc.hint) from None
    codes = set(area_codes)
    known_old, known_new = links["old_code"].isin(codes), links["new_code"].isin(codes)
    unknown = known_old & ~known_new
    if unknown.any():
        r = links[unknown].iloc[0]
        raise ConfigError(
            f"area_links: new_code {r['new_code']!r} is not in the area register, but old_code {r['old_code']!r} "
            "is: its figures would be carried to an unknown area.", file=path, row=int(r["row"]), column="new_code",
            hint="Use the register written with the links (wijkmonitor register ... --out REGISTER --links-out "
                 "LINKS) as area_register.")
    return links[known_new].reset_index(drop=True)


def join_links(observations: pd.DataFrame, links: pd.DataFrame | None, units: dict[str, str]) -> JoinedSeries:
    """`join_across_links` when there are links; else the observations with empty `link` and
    `linked_from` (the published observations have the same columns with or without links) and no
    breaks."""
    if links is None or links.empty:
        frame = observations.assign(link=pd.array([pd.NA] * len(observations), dtype="string"),
                                    linked_from=pd.array([pd.NA] * len(observations), dtype="string"))
        return JoinedSeries(observations=frame, breaks=_empty_breaks())
    return join_across_links(observations, links, units)


def carried_summary(joined: JoinedSeries) -> str:
    """One line for the log: the figures carried per relation, and the breaks."""
    counts = joined.observations["link"].value_counts().sort_index()
    carried = ", ".join(f"{relation} {n}" for relation, n in counts.items())
    return (f"{int(counts.sum())} figure(s) carried over area links ({carried or 'none'}); "
            f"{len(joined.breaks)} break(s)")


# ------------------------------------------------------------------------------------------ checks


def _check_observations(observations: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_OBSERVATION if c not in observations.columns]
    if missing:
        raise ValueError(f"observations lack the column(s) {', '.join(missing)}.")
    present = [c for c in ("link", "linked_from", *_INTERNAL) if c in observations.columns]
    if present:
        raise ValueError(f"observations already have the column(s) {', '.join(present)}: join them once.")
    key = observations[["indicator_id", "area_code", "period"]].assign(
        category=observations["category"].astype("string").fillna(_NO_CATEGORY))
    if key.duplicated().any():
        first = key[key.duplicated()].iloc[0]
        raise ValueError(f"observations have more than one row for {first['indicator_id']}, {first['area_code']}, "
                         f"{first['period']}: give one figure per key (observation_current).")


def _checked_links(links: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED_LINK if c not in links.columns]
    if missing:
        raise ValueError(f"links lack the column(s) {', '.join(missing)}.")
    links = links[list(REQUIRED_LINK)].copy()
    for column in ("old_code", "new_code", "relation"):
        links[column] = links[column].astype("string").str.strip().fillna("")
    links["share"] = pd.to_numeric(links["share"], errors="coerce").astype("float64")
    links["from_year"] = pd.to_numeric(links["from_year"]).astype("int64")
    links["to_year"] = pd.to_numeric(links["to_year"]).astype("int64")
    return links.sort_values(["from_year", "to_year", "relation", "new_code", "old_code"]).reset_index(drop=True)


# -------------------------------------------------------------------------------------- one step


def _step(frame: pd.DataFrame, before: pd.DataFrame, step: pd.DataFrame, a: int, b: int,
          kinds: dict, units: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows one link step adds, and its breaks."""
    known = step["relation"].isin(RELATIONS)
    one = step[step["relation"].isin(ONE_TO_ONE) & (step["old_code"] != step["new_code"])]
    split = step[step["relation"] == "split"]
    merged = step[step["relation"] == "merged"]
    split_ok, split_bad = _valid_groups(split, "old_code")
    merged_ok, merged_bad = _valid_groups(merged, "new_code")
    kept_split = split_ok[split_ok["old_code"] == split_ok["new_code"]]
    kept_merged = merged_ok[merged_ok["new_code"].isin(merged_ok.loc[merged_ok["old_code"] == merged_ok["new_code"],
                                                                      "new_code"])]
    split_ok = split_ok[split_ok["old_code"] != split_ok["new_code"]]
    merged_ok = merged_ok[~merged_ok["new_code"].isin(kept_merged["new_code"])]

    split_rows, split_breaks = _split(before, split_ok, a, b, kinds, units)
    merge_rows, merge_breaks = _merged(before, merged_ok, a, b, kinds, units)
    rows = [_carried(before, one, a, b), split_rows, merge_rows]
    key_breaks = [split_breaks, merge_breaks]
    # Breaks whatever the new code has: a link that cannot be used at all.
    group_breaks = [
        _link_breaks(before, step[~known], lambda r: f"relation {r['relation']!r} is not one of "
                     f"{', '.join(RELATIONS)}: figures of {r['old_code']} are not carried", "unknown_relation"),
        _link_breaks(before, pd.concat([split_bad, merged_bad]), lambda r: r["_problem"], lambda r: r["_cause"]),
        _link_breaks(before, kept_split, lambda r: (
            f"{r['new_code']} keeps its code through its split: its figures before {b} are of its old, larger "
            "area"), "code_kept_split"),
        _link_breaks(before, kept_merged, lambda r: (
            f"{r['new_code']} keeps its code through the merge with {_others(kept_merged, r)}: its figures "
            f"before {b} are of its old, smaller area"), "code_kept_merge"),
    ]
    added = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(len(r) for r in rows) else before.iloc[:0]
    key_breaks = pd.concat(key_breaks, ignore_index=True)
    # The new code's own rows win; then two links giving the same figure give none.
    existing = pd.MultiIndex.from_frame(frame[KEY])
    if len(added):
        added = added[~pd.MultiIndex.from_frame(added[KEY]).isin(existing)]
        clash = added.duplicated(KEY, keep=False)
        if clash.any():
            key_breaks = pd.concat([key_breaks, added.loc[clash, ["area_code", "indicator_id", "_cat", "period"]].assign(
                relation=added.loc[clash, "_path"].str.rsplit(":", n=1).str[-1],
                reason="two links of this step lead to the same figure", cause="link_clash")], ignore_index=True)
            added = added[~clash]
    if len(key_breaks):
        key_breaks = key_breaks[~pd.MultiIndex.from_frame(key_breaks[KEY]).isin(existing)]
    step_breaks = pd.concat([_periods_breaks(key_breaks), *group_breaks], ignore_index=True)
    return added, step_breaks.assign(from_year=a, to_year=b)


def _append(frame: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """`frame` and the `added` rows in `frame`'s column types. Observations as DuckDB returns them have
    NumPy columns: a missing number in a float column is NaN, and an integer column that gets a missing
    value (a merged row's source_row) becomes nullable."""
    added = added.copy()
    for column, dtype in frame.dtypes.items():
        if not (isinstance(dtype, np.dtype) and dtype.kind in "iuf"):
            continue
        values = pd.to_numeric(added[column].astype(object).where(added[column].notna(), np.nan), errors="coerce")
        if dtype.kind in "iu" and values.isna().any():
            frame = frame.astype({column: "Int64"})
            values = values.astype("Int64")
        added[column] = values
    return pd.concat([frame, added.astype(frame.dtypes.to_dict())], ignore_index=True)


def _valid_groups(links: pd.DataFrame, group: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The split (group old_code) or merge (group new_code) links whose shares are all given, not
    negative and sum to 1, and the others with `_problem` (the reason) and `_cause`."""
    if links.empty:
        return links, links.assign(_problem=pd.Series(dtype="string"), _cause=pd.Series(dtype="string"))
    by = links.groupby(group)["share"]
    missing = by.transform(lambda s: s.isna().any()).astype(bool)
    negative = by.transform(lambda s: (s < 0).any()).astype(bool) & ~missing
    total = by.transform("sum")
    off = ((total - 1).abs() > SHARE_SUM) & ~missing & ~negative
    bad = missing | negative | off
    relation = links["relation"].iloc[0]
    the = "the shares of the " + ("split of " if relation == "split" else "merge into ") + links[group]
    problem = np.select(
        [missing, negative],
        [the + " are missing: figures are not carried", the + " include a negative share: figures are not carried"],
        the + " sum to " + total.round(6).astype(str) + ", not 1: figures are not carried")
    cause = np.select([missing, negative], ["shares_missing", "shares_negative"], "shares_not_one")
    mask = bad.to_numpy()
    return links[~bad], links[bad].assign(_problem=problem[mask], _cause=cause[mask])


def _add_step(path: pd.Series, a: int, b: int, relation: pd.Series | str) -> pd.Series:
    entry = f"{a}-{b}:" + (relation if isinstance(relation, str) else relation.astype(str))
    return pd.Series(np.where(path == "", entry, path + "|" + entry), index=path.index, dtype=object)


def _relations(path: str) -> str:
    return ">".join(entry.split(":", 1)[1] for entry in path.split("|"))


def _carried(before: pd.DataFrame, links: pd.DataFrame, a: int, b: int) -> pd.DataFrame:
    """Rows of one-to-one links: copied to the new code."""
    if links.empty:
        return before.iloc[:0]
    rows = before.merge(links[["old_code", "new_code", "relation"]], left_on="area_code", right_on="old_code")
    rows["area_code"] = rows["new_code"]
    rows["_path"] = _add_step(rows["_path"], a, b, rows["relation"])
    return rows[before.columns]


def _split(before: pd.DataFrame, links: pd.DataFrame, a: int, b: int, kinds: dict,
           units: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of splits: counts times the share, other handled units as they are; n, sd, interval NA."""
    if links.empty:
        return before.iloc[:0], _empty_key_breaks()
    rows = before.merge(links[["old_code", "new_code", "share"]], left_on="area_code", right_on="old_code")
    kind = rows["indicator_id"].map(kinds)
    unhandled = kind.isna()
    key_breaks = rows.loc[unhandled, ["indicator_id", "_cat", "period"]].assign(
        area_code=rows.loc[unhandled, "new_code"], relation="split", cause="not_apportionable",
        reason="split of " + rows.loc[unhandled, "old_code"] + ": "
        + rows.loc[unhandled, "indicator_id"].map(lambda i: _unit_text(i, units)) + " cannot be apportioned by population")
    rows = rows[~unhandled]
    kind = kind[~unhandled]
    additive = (kind == _ADDITIVE).to_numpy()
    rows["value"] = rows["value"].where(~additive, rows["value"] * rows["share"])
    rows["area_code"] = rows["new_code"]
    for column in ("n", *UNSET):
        if column in rows.columns:
            rows[column] = pd.NA
    rows["_path"] = _add_step(rows["_path"], a, b, "split")
    return rows[before.columns], key_breaks


def _merged(before: pd.DataFrame, links: pd.DataFrame, a: int, b: int, kinds: dict,
            units: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of merges: where every part has a figure, the sum (counts) or the share-weighted mean."""
    if links.empty:
        return before.iloc[:0], _empty_key_breaks()
    links = links.assign(_parts=links.groupby("new_code")["old_code"].transform("size"),
                         _label=links.groupby("new_code")["old_code"].transform(lambda s: "+".join(sorted(s))))
    parts = before.merge(links[["old_code", "new_code", "share", "_parts", "_label"]], left_on="area_code",
                         right_on="old_code").sort_values("old_code", kind="stable")
    if parts.empty:
        return before.iloc[:0], _empty_key_breaks()
    parts["_ok"] = parts["status"] == OK
    parts["_weighted"] = parts["value"].astype("float64") * parts["share"]
    parts["_value"] = parts["value"].astype("float64")
    parts["_n"] = parts["n"].astype("float64")
    parts["_name"] = parts["area_name"].astype("string") if "area_name" in parts.columns else pd.NA
    group = ["new_code", "indicator_id", "_cat", "period"]
    by = parts.groupby(group, sort=True, dropna=False)
    merged = by.agg(_ok=("_ok", "sum"), _parts=("_parts", "first"), _label=("_label", "first"),
                    _sum=("_value", "sum"), _weighted=("_weighted", "sum"), _weights=("share", "sum"),
                    _n=("_n", "sum"), _n_given=("_n", "count"), _rows=("_n", "size"),
                    _origin=("_origin", lambda s: "+".join(sorted({c for o in s for c in o.split("+")}))),
                    _path=("_path", lambda s: "|".join(sorted({e for p in s if p for e in p.split("|")}))),
                    area_name=("_name", lambda s: " + ".join(s.dropna()) or pd.NA),
                    ).reset_index()
    kind = merged["indicator_id"].map(kinds)
    complete = merged["_ok"] == merged["_parts"]
    # Breaks: a part without a figure, or a unit that cannot be combined.
    incomplete = merged[~complete]
    expected = incomplete[group + ["_label"]].merge(links[["new_code", "old_code"]], on="new_code")
    have = parts.loc[parts["_ok"], [*group, "old_code"]].assign(_have=True)
    expected = expected.merge(have, on=[*group, "old_code"], how="left")
    lacking = (expected[expected["_have"].isna()].groupby(group, sort=True)["old_code"]
               .agg(lambda s: ", ".join(sorted(s))).rename("_lacking").reset_index())
    incomplete = incomplete.merge(lacking, on=group)
    key_breaks = [
        incomplete[["indicator_id", "_cat", "period"]].assign(
            area_code=incomplete["new_code"], relation="merged", cause="part_missing",
            reason="merged from " + incomplete["_label"] + ": no figure for " + incomplete["_lacking"]
            + ", so none for the merged area"),
    ]
    unhandled = complete & kind.isna()
    key_breaks.append(merged.loc[unhandled, ["indicator_id", "_cat", "period"]].assign(
        area_code=merged.loc[unhandled, "new_code"], relation="merged", cause="not_combinable",
        reason="merged from " + merged.loc[unhandled, "_label"] + ": "
        + merged.loc[unhandled, "indicator_id"].map(lambda i: _unit_text(i, units)) + " cannot be combined by population"))
    take = complete & kind.notna()
    merged, kind = merged[take], kind[take]
    if merged.empty:
        return before.iloc[:0], pd.concat(key_breaks, ignore_index=True)
    value = np.where(kind == _ADDITIVE, merged["_sum"], merged["_weighted"] / merged["_weights"])
    rows = merged[["new_code", "indicator_id", "_cat", "period", "_origin", "area_name"]].rename(
        columns={"new_code": "area_code"})
    rows["value"] = value
    rows["status"] = OK
    rows["n"] = merged["_n"].where(merged["_n_given"] == merged["_rows"])
    rows["_path"] = _add_step(merged["_path"], a, b, "merged")
    # The other columns: the value the parts share, else NA; provisional when any part is. `by`'s
    # groups are in the order of `merged` before `take`.
    others = [c for c in before.columns if c not in rows.columns and c not in
              ("category", *UNSET, "provisional", "link", "linked_from")]
    if others:
        shared = by[others].first(skipna=False).where(by[others].nunique(dropna=False) == 1)
        for column in others:
            rows[column] = shared[column].to_numpy()[take.to_numpy()]
    if "provisional" in before.columns:
        provisional = parts["provisional"].astype("boolean").groupby(
            [parts[c] for c in group], sort=True, dropna=False).max()
        rows["provisional"] = provisional.to_numpy()[take.to_numpy()]
    category = before.drop_duplicates("_cat").set_index("_cat")["category"]
    rows["category"] = rows["_cat"].map(category)
    for column in before.columns:
        if column not in rows.columns:
            rows[column] = pd.NA
    return rows[before.columns], pd.concat(key_breaks, ignore_index=True)


def _unit_text(indicator: str, units: dict) -> str:
    unit = units.get(indicator)
    return "no unit known" if unit is None else f"unit {unit!r}"


def _others(links: pd.DataFrame, row: pd.Series) -> str:
    return "+".join(sorted(links.loc[(links["new_code"] == row["new_code"])
                                     & (links["old_code"] != row["new_code"]), "old_code"]))


# ----------------------------------------------------------------------------------------- breaks


def _empty_key_breaks() -> pd.DataFrame:
    return pd.DataFrame(columns=["area_code", "indicator_id", "_cat", "period", "relation", "reason", "cause"])


def _empty_breaks() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in BREAK_COLUMNS.items()})


def _years(periods) -> str:
    """Periods as text, runs shortened: 2015, 2017-2020."""
    years = sorted({int(p) for p in periods})
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _periods_breaks(key_breaks: pd.DataFrame) -> pd.DataFrame:
    """Breaks per figure -> per area, indicator, relation and reason (and its cause), with the periods
    concerned."""
    if key_breaks.empty:
        return _empty_breaks().drop(columns=["from_year", "to_year"])
    grouped = key_breaks.groupby(["area_code", "indicator_id", "relation", "reason", "cause"], sort=True)["period"]
    out = grouped.agg(_years).rename("_periods").reset_index()
    out["reason"] = out["reason"] + " (" + out["_periods"] + ")"
    return out.drop(columns="_periods")


def _link_breaks(before: pd.DataFrame, links: pd.DataFrame, reason, cause) -> pd.DataFrame:
    """A break for each link's new code and each indicator the old code has figures for before the
    change (a merge: any of its old codes). `reason`: a link row -> its text; `cause`: a code of
    BREAK_CAUSES, or a link row -> its code."""
    if links.empty:
        return _empty_breaks().drop(columns=["from_year", "to_year"])
    links = links.assign(reason=[reason(r) for _, r in links.iterrows()],
                         cause=[cause if isinstance(cause, str) else cause(r) for _, r in links.iterrows()])
    rows = before[["area_code", "indicator_id", "period"]].merge(
        links[["old_code", "new_code", "relation", "reason", "cause"]], left_on="area_code", right_on="old_code")
    if rows.empty:
        return _empty_breaks().drop(columns=["from_year", "to_year"])
    rows["area_code"] = rows["new_code"]
    return _periods_breaks(rows.drop(columns=["old_code", "new_code"]))


def _inherited(breaks: pd.DataFrame, step: pd.DataFrame, a: int, b: int) -> pd.DataFrame:
    """Breaks of earlier steps on an old code, repeated on the codes its series goes on under (the
    reason says so; the cause is the original's)."""
    usable = step[step["relation"].isin(RELATIONS) & (step["old_code"] != step["new_code"])]
    if breaks.empty or usable.empty:
        return _empty_breaks()
    rows = breaks.merge(usable[["old_code", "new_code", "relation"]].rename(columns={"relation": "_via"}),
                        left_on="area_code", right_on="old_code")
    rows["reason"] = (rows["reason"] + "; inherited from " + rows["old_code"] + " through the " + rows["_via"]
                      + f" {a}-{b}")
    rows["area_code"] = rows["new_code"]
    return rows[list(BREAK_COLUMNS)]


def _final_breaks(breaks: pd.DataFrame) -> pd.DataFrame:
    """One row per area, indicator, step and relation; its reasons joined with `; ` (sorted), its
    distinct causes with `;` in the order of the reasons."""
    if breaks.empty:
        return _empty_breaks()
    key = ["area_code", "indicator_id", "from_year", "to_year", "relation"]
    grouped = (breaks.astype(BREAK_COLUMNS).drop_duplicates()
               .sort_values([*key, "reason", "cause"]).groupby(key, sort=True))
    out = grouped.agg(reason=("reason", "; ".join), cause=("cause", lambda s: ";".join(dict.fromkeys(s))))
    return out.reset_index()[list(BREAK_COLUMNS)].astype(BREAK_COLUMNS).reset_index(drop=True)


__all__ = ["ADDITIVE_UNITS", "AVERAGED_UNITS", "BREAK_CAUSES", "BREAK_COLUMNS", "JoinedSeries", "carried_summary",
           "join_across_links", "join_links", "read_area_links"]
