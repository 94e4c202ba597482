"""Dutch number notation in the report."""

import pytest

from wijkmonitor.formatting import format_gap, format_number, format_value

PERCENT = {"id": "percent", "decimals": 1, "suffix_nl": "%", "suffix_en": "%"}
RATING = {"id": "rating", "decimals": 1, "suffix_nl": "", "suffix_en": ""}


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(18.2, 1, "18,2"), (1234567.891, 2, "1.234.567,89"), (-3.5, 1, "\u22123,5"), (-0.01, 1, "0,0"),
     (None, 1, "\u2013"), (float("nan"), 1, "\u2013"), (374238, 0, "374.238")],
)
def test_format_number_dutch(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_format_value_and_gap():
    assert format_value(18.2, PERCENT) == "18,2%"
    assert format_value(18.2, PERCENT, lang="en") == "18.2%"
    assert format_value(4.9, RATING) == "4,9"
    assert format_gap(11.7, PERCENT) == "+11,7 procentpunt"
    assert format_gap(-2.2, RATING) == "\u22122,2"


def test_missing_values_of_nullable_columns_print_as_a_dash():
    import pandas as pd

    from wijkmonitor.formatting import format_number, format_p

    assert format_number(pd.NA) == "\u2013" and format_number(float("nan"), 2) == "\u2013"
    assert format_p(pd.NA) == "p = \u2013"
