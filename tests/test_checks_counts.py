"""Counts are whole numbers: an observation whose indicator's unit is `count` with a fraction
(1.25 inhabitants: `1,250` read with a decimal comma) fails validation, located in its raw file."""

import pytest
from test_warehouse_checks import build

from wijkmonitor.checks import raise_on_failure, validate_warehouse
from wijkmonitor.errors import ValidationFailed

WHOLE = "values in number (counts) are whole numbers"

# a_inw is the kwb key of `inwoners` (unit count); slechte gezondheid is a percentage.
COUNTS = """indicator,area_code,area_name,period,value
a_inw,WK034403,Overvecht,2017,34910
a_inw,GM0344,Utrecht,2017,{city}
a_inw,WK034401,West,2017,.
slechte gezondheid,WK034403,Overvecht,2017,29.5
"""


def test_whole_counts_and_fractional_percentages_pass(tmp_path, catalogue, matcher, register):
    db, _ = build(tmp_path, catalogue, matcher, register, COUNTS.format(city="361966"))
    report = validate_warehouse(str(db), 2010, 2023)
    whole = [r for r in report["results"] if r["description"] == WHOLE]
    assert len(whole) == 1 and whole[0]["success"] and whole[0]["severity"] == "critical"
    assert whole[0]["description_nl"] == "waarden in aantal (tellingen) zijn gehele getallen"
    assert whole[0]["element_count"] == 2  # the two ok counts: not the suppressed one, not the percentage
    assert report["success"]


def test_a_count_of_1_25_is_an_error_naming_its_row_and_area(tmp_path, catalogue, matcher, register):
    db, raw = build(tmp_path, catalogue, matcher, register, COUNTS.format(city="1.25"))
    report = validate_warehouse(str(db), 2010, 2023)
    failed = [r for r in report["results"] if not r["success"]]
    assert [(r["description"], r["severity"], r["unexpected_count"]) for r in failed] == [(WHOLE, "critical", 1)]
    assert failed[0]["examples"] == [
        f"{raw}, row 3, column 'value': value = 1.25, nearest_whole = 1.0 (inwoners, GM0344, 2017)"]
    assert not report["success"]
    with pytest.raises(ValidationFailed, match=r"counts\) are whole numbers .*row 3.*value = 1\.25"):
        raise_on_failure(report)


def test_float_noise_is_not_a_fraction(tmp_path, catalogue, matcher, register):
    db, _ = build(tmp_path, catalogue, matcher, register, COUNTS.format(city="361966.0000000001"))
    assert validate_warehouse(str(db), 2010, 2023)["success"]
