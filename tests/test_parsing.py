"""Cell parsing: Dutch and English notation, missing markers, and refusal of anything else."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wijkmonitor.readers.common import CellError, parse_cell, parse_series, period_from_label


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("18,2", ",", (18.2, "ok")),
        ("1.600", ",", (1600.0, "ok")),
        ("1.234.567,5", ",", (1234567.5, "ok")),
        ("8%", ",", (8.0, "ok")),
        ("\u22123,5", ",", (-3.5, "ok")),
        ("    76.1", ".", (76.1, "ok")),
        ("1,600", ".", (1600.0, "ok")),
        ("0", ".", (0.0, "ok")),
        (".", ",", (None, "suppressed")),
        ("       .", ".", (None, "suppressed")),
        ("x", ",", (None, "suppressed")),
        ("-", ",", (None, "not_applicable")),
        ("?", ",", (None, "missing")),
        ("", ",", (None, "missing")),
        (None, ",", (None, "missing")),
    ],
)
def test_parse_cell(text, decimal, expected):
    assert parse_cell(text, decimal=decimal) == expected


@pytest.mark.parametrize("text", ["n.v.t.", "12a", "1,2,3", "--"])
def test_parse_cell_refuses_non_numbers(text):
    with pytest.raises(CellError):
        parse_cell(text, decimal=",")


def test_missing_marker_is_never_zero():
    for marker in (".", "x", "-", "?", ""):
        value, status = parse_cell(marker)
        assert value is None and status != "ok"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 1)))
def test_dutch_notation_round_trips(value):
    text = f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_cell(text, decimal=",") == (value, "ok")


@given(st.lists(st.sampled_from(["18,2", "1.600", ".", "x", "-", "?", "", "7", "abc", "3,5%"]), min_size=1))
def test_vectorised_parse_agrees_with_cellwise(cells):
    value, status, bad = parse_series(pd.Series(cells, dtype="string"), decimal=",")
    for i, cell in enumerate(cells):
        try:
            expected = parse_cell(cell, decimal=",")
        except CellError:
            assert bool(bad.iloc[i])
            continue
        assert not bool(bad.iloc[i])
        assert status.iloc[i] == expected[1]
        assert (pd.isna(value.iloc[i]) and expected[0] is None) or value.iloc[i] == expected[0]


@pytest.mark.parametrize(
    ("label", "year"),
    [("2023", 2023), ("2016JJ00", 2016), ("schooljaar 2022/2023", 2023), ("kwb-2024", 2024), ("geen", None)],
)
def test_period_from_label(label, year):
    assert period_from_label(label) == year


@pytest.mark.parametrize("code, valid", [
    ("NL01", True), ("LD01", True), ("PV26", True), ("CR17", True), ("GM0344", True), ("WK034401", True),
    ("BU03440111", True), ("WK0363MB", True), ("BU0363MB03", True),  # Amsterdam since 2023
    ("GM344", False), ("WK03440", False), ("BU0344011", False), ("SW0344011", False), ("wk034401", False),
    ("WK0363mb", False), ("GM0344 ", False), ("0344", False),
])
def test_one_pattern_for_cbs_region_codes(code, valid):
    from wijkmonitor.readers.common import CBS_CODE_PATTERN

    assert bool(CBS_CODE_PATTERN.match(code)) is valid
