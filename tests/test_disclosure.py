"""Disclosure control: primary suppression by cases, secondary suppression over the area hierarchy,
and the attacker's linear programme that checks that no withheld figure can be pinned down."""

import numpy as np
import pandas as pd
import pytest

from wijkmonitor.disclosure import Structure, Table, attacker_intervals, primary, protect, publish

# gemeente G = wijk W1 + wijk W2; W1 = buurten B1 + B2 + B3 (through subwijk S1, which no table has);
# W2 = buurten B4 + B5 (no subwijk).
AREAS = pd.DataFrame({
    "code": ["G", "W1", "W2", "S1", "B1", "B2", "B3", "B4", "B5"],
    "level": ["gemeente", "wijk", "wijk", "subwijk", "buurt", "buurt", "buurt", "buurt", "buurt"],
    "parent_code": [None, "G", "G", "W1", "S1", "S1", "S1", "W2", "W2"],
})
INDICATORS = pd.DataFrame({
    "id": ["bijstand", "inwoners", "bijstand_per_1000", "laag_inkomen", "tevreden", "gezond", "woningen"],
    "unit": ["count", "count", "per_1000_inhabitants", "percent", "percent", "percent", "count"],
    "denominator": [None, None, "inhabitants", "households", "respondents", "adults", None],
    "estimate": ["direct", "direct", "direct", "direct", "direct", "model", "direct"],
    "disclosure": ["frequency", "frequency", "frequency", "frequency", "frequency", "frequency", "none"],
})
DERIVED = pd.DataFrame({"id": ["bijstand_per_1000"], "numerator": ["bijstand"], "denominator": ["inwoners"],
                        "per": [1000.0], "kind": ["share"]})
STRUCTURE = Structure.of(AREAS)


def table(cases, withheld, primary=None, indicator="bijstand"):
    """A Table of one indicator: cases and withheld cells by area."""
    return Table(cases={(indicator, a): float(v) for a, v in cases.items()},
                 withheld={(indicator, a) for a in withheld},
                 primary={(indicator, a) for a in (withheld if primary is None else primary)})


def intervals(t, structure=STRUCTURE):
    """The attacker's interval of each primarily withheld cell, by area (one indicator)."""
    present = set(t.cases) | t.withheld
    return {area: bounds for (_, area), bounds in attacker_intervals(t, structure.relations(present)).items()}


def figures(rows):
    """(indicator, area, value, n, n_source, count) rows of one year, status ok."""
    frame = pd.DataFrame(rows, columns=["indicator_id", "area_code", "value", "n", "n_source", "count"])
    return frame.assign(category=pd.Series(pd.NA, index=frame.index, dtype="string"), period=2023, status="ok")


def counts(indicator, values):
    return [(indicator, area, float(v), np.nan, pd.NA, np.nan) for area, v in values.items()]


BIJSTAND = {"G": 300, "W1": 103, "W2": 197, "B1": 3, "B2": 40, "B3": 60, "B4": 97, "B5": 100}
INWONERS = {"G": 6000, "W1": 2060, "W2": 3940, "B1": 500, "B2": 800, "B3": 760, "B4": 1940, "B5": 2000}


def rates():
    return [("bijstand_per_1000", a, BIJSTAND[a] / INWONERS[a] * 1000, float(INWONERS[a]), "inhabitants",
             float(BIJSTAND[a])) for a in BIJSTAND]


def test_a_lone_withheld_child_is_recomputed_from_its_parent_and_siblings():
    low, high = intervals(table({"W1": 103, "B2": 40, "B3": 60}, {"B1"}))["B1"]
    assert (low, high) == pytest.approx((3.0, 3.0))


def test_the_attacker_also_goes_through_areas_no_table_has():
    # W1 is not published, but G - W2 gives it; S1 is in no table, but it is W1.
    t = table({"G": 300, "W2": 197, "B2": 40, "B3": 60, "B4": 97, "B5": 100}, {"B1"})
    assert intervals(t)["B1"] == pytest.approx((3.0, 3.0))


def test_the_attacker_allows_the_tables_own_rounding():
    # 52 + 50 > 100: the tables do not add up; the smallest tolerance that fits (2) still pins B1 to 0.
    low, high = intervals(table({"W1": 100, "B2": 52, "B3": 50}, {"B1"}))["B1"]
    assert low == pytest.approx(0.0) and high == pytest.approx(0.0, abs=1e-5)
    # Two withheld children: B1 lies anywhere between 0 and the 60 they hold together.
    assert intervals(table({"W1": 100, "B2": 40}, {"B1", "B3"}, {"B1"}))["B1"] == pytest.approx((0.0, 60.0))


def test_primary_rule_by_cases():
    frame = figures([
        ("bijstand", "B1", 3.0, np.nan, pd.NA, np.nan),      # 3 persons
        ("bijstand", "B2", 0.0, np.nan, pd.NA, np.nan),      # nobody: an empty cell reveals no one
        ("laag_inkomen", "B1", 7.0, 50.0, "households", np.nan),   # 3.5 households
        ("laag_inkomen", "B2", 30.0, 50.0, "households", np.nan),  # 15 households
        ("laag_inkomen", "B3", 0.0, 50.0, "households", np.nan),
        ("tevreden", "W1", 80.0, 9.0, "respondents", np.nan),      # 9 respondents
        ("tevreden", "W2", 2.0, 300.0, "respondents", np.nan),     # 6 of 300 respondents: n decides
        ("gezond", "B1", 1.5, np.nan, pd.NA, np.nan),         # a model-based estimate counts nobody
        ("woningen", "B1", 4.0, np.nan, pd.NA, np.nan),       # dwellings: disclosure none
    ])
    assert primary(frame, INDICATORS, 10).tolist() == [True, False, True, False, False, True, False, False, False]


def test_protect_gives_a_withheld_count_company_and_takes_its_rate_along():
    frame = figures(counts("bijstand", BIJSTAND) + counts("inwoners", INWONERS) + rates())
    protected = protect(frame, INDICATORS, AREAS, DERIVED, 10)
    decision = protected.set_index(["indicator_id", "area_code"])["disclosure"]
    withheld = decision.dropna().to_dict()
    # B1 (3 persons) for itself; B2, the cheapest sibling that brings the unknowns to 10 cases or more; the
    # rates of both, which times the published inhabitants would give the counts back.
    assert withheld == {("bijstand", "B1"): "primary", ("bijstand", "B2"): "secondary",
                        ("bijstand_per_1000", "B1"): "secondary", ("bijstand_per_1000", "B2"): "secondary"}
    hidden = protected[protected["disclosure"].notna()]
    assert (hidden["status"] == "suppressed").all() and hidden[["value", "count"]].isna().all().all()
    # What is left published: B1 lies anywhere in 0..43.
    ok = protected[(protected["indicator_id"] == "bijstand") & (protected["status"] == "ok")]
    t = table(dict(zip(ok["area_code"], ok["value"], strict=True)), {"B1", "B2"}, {"B1"})
    assert intervals(t)["B1"] == pytest.approx((0.0, 43.0))


def test_protect_withholds_more_when_the_company_is_too_small():
    values = {"G": 300, "W1": 103, "W2": 197, "B1": 3, "B2": 2, "B3": 98, "B4": 97, "B5": 100}
    protected = protect(figures(counts("bijstand", values)), INDICATORS, AREAS, DERIVED, 10)
    withheld = protected.loc[protected["disclosure"].notna(), "area_code"].tolist()
    # B1 and B2 are both primary and hold 5 together: B3 joins them.
    assert sorted(withheld) == ["B1", "B2", "B3"]


def test_a_withheld_survey_figure_loses_its_n_and_a_sibling_goes_with_it():
    frame = figures([("tevreden", "G", 70.0, 600.0, "respondents", np.nan),
                     ("tevreden", "W1", 50.0, 6.0, "respondents", np.nan),
                     ("tevreden", "W2", 71.0, 594.0, "respondents", np.nan)])
    protected = protect(frame, INDICATORS, AREAS, DERIVED, 10).set_index("area_code")
    assert pd.isna(protected.loc["G", "disclosure"])
    assert protected.loc[["W1", "W2"], "disclosure"].tolist() == ["primary", "secondary"]
    assert protected.loc[["W1", "W2"], ["value", "n"]].isna().all().all()
    assert protected.loc["G", "n"] == 600.0


def test_publish_applies_the_decisions_to_the_observations():
    observations = figures(counts("bijstand", BIJSTAND)).drop(columns=["n_source", "count"]).assign(
        sd=np.nan, ci_low=np.nan, ci_high=np.nan)
    protected = protect(figures(counts("bijstand", BIJSTAND)), INDICATORS, AREAS, DERIVED, 10)
    published = publish(observations, protected).set_index("area_code")
    assert published.loc[["B1", "B2"], "status"].tolist() == ["suppressed", "suppressed"]
    assert published.loc[["B1", "B2"], "value"].isna().all()
    assert published.loc["B3", "value"] == 60.0 and published.loc["B3", "status"] == "ok"


SEX = {"geslacht": ("inwoners", ["mannen", "vrouwen"])}


def test_a_withheld_part_of_a_breakdown_is_not_left_as_total_minus_the_rest():
    # B1: 500 inhabitants, 3 men (withheld for itself), 497 women. Without the breakdown the men are safe in
    # the area hierarchy (B2 joins them); with it, inhabitants - women gives them back unless a second
    # cell of the breakdown goes too.
    indicators = pd.concat([INDICATORS, pd.DataFrame({
        "id": ["mannen", "vrouwen"], "unit": ["count", "count"], "denominator": [None, None],
        "estimate": ["direct", "direct"], "disclosure": ["frequency", "frequency"]})], ignore_index=True)
    men = {"G": 2900, "W1": 1003, "W2": 1897, "B1": 3, "B2": 400, "B3": 600, "B4": 897, "B5": 1000}
    women = {a: INWONERS[a] - men[a] if a != "G" else 6000 - 2900 for a in INWONERS}
    frame = figures(counts("inwoners", INWONERS) + counts("mannen", men) + counts("vrouwen", women))
    attacker = Structure.of(AREAS, SEX)

    def published_cells(protected):
        ok = protected[protected["status"] == "ok"]
        return Table(cases=dict(zip(zip(ok["indicator_id"], ok["area_code"], strict=True), ok["value"], strict=True)),
                     withheld=set(), primary={("mannen", "B1")})

    blind = protect(frame, indicators, AREAS, DERIVED, 10)  # secondary suppression without the breakdown
    t = published_cells(blind)
    low, high = attacker_intervals(t, attacker.relations(set(t.cases) | {("mannen", "B1")}))[("mannen", "B1")]
    assert (low, high) == pytest.approx((3.0, 3.0))
    protected = protect(frame, indicators, AREAS, DERIVED, 10, SEX)
    t = published_cells(protected)
    low, high = attacker_intervals(t, attacker.relations(set(t.cases) | {("mannen", "B1")}))[("mannen", "B1")]
    assert high - low >= 10
    withheld = set(zip(*protected.loc[protected["disclosure"].notna(), ["indicator_id", "area_code"]].T.values,
                       strict=True))
    assert ("vrouwen", "B1") in withheld or ("inwoners", "B1") in withheld


def test_carried_figures_follow_the_figures_they_were_made_from():
    """Figures carried over area links (series_links) stay out of the tables (the observed decisions do
    not change) and are withheld with a figure they came from, or for themselves."""
    observed = figures(counts("bijstand", BIJSTAND) + [("tevreden", "G", 70.0, 600.0, "respondents", np.nan),
                                                       ("tevreden", "W1", 50.0, 6.0, "respondents", np.nan),
                                                       ("tevreden", "W2", 71.0, 594.0, "respondents", np.nan)])
    observed = observed.assign(link=pd.Series(pd.NA, index=observed.index, dtype="string"),
                               linked_from=pd.Series(pd.NA, index=observed.index, dtype="string"))
    carried = figures([("bijstand", "B6", 60 * 0.6, np.nan, pd.NA, np.nan),  # split of B3: published
                       ("bijstand", "B7", 40 * 0.6, np.nan, pd.NA, np.nan),  # split of B2, withheld as company
                       ("bijstand", "B8", 3.0, np.nan, pd.NA, np.nan),  # recoded B1: 3 persons, as B1
                       ("bijstand", "B9", 97 * 0.05, np.nan, pd.NA, np.nan),  # a split count below 10: itself
                       ("tevreden", "W3", 50.0, np.nan, pd.NA, np.nan)])  # split of W1 (6 respondents): no n
    carried = carried.assign(link=["split", "split", "recoded", "split", "split"],
                             linked_from=["B3", "B2", "B1", "B4", "W1"]).astype({"link": "string", "linked_from": "string"})
    frame = pd.concat([observed, carried], ignore_index=True)
    protected = protect(frame, INDICATORS, AREAS, DERIVED, 10)
    alone = protect(observed.drop(columns=["link", "linked_from"]), INDICATORS, AREAS, DERIVED, 10)
    assert protected["disclosure"].iloc[:len(observed)].tolist() == alone["disclosure"].tolist()
    decision = protected.set_index("area_code")["disclosure"].iloc[len(observed):]
    assert pd.isna(decision["B6"])
    assert decision.drop("B6").to_dict() == {"B7": "secondary", "B8": "primary", "B9": "primary", "W3": "secondary"}
    assert protected.set_index("area_code").loc[["B7", "B8", "B9", "W3"], "value"].isna().all()
