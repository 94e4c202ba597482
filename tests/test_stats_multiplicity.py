"""Benjamini-Hochberg q-values against the paper's worked example and statsmodels."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from wijkmonitor.stats.multiplicity import bh_by_family, bh_qvalues, expected_false_positives

# Benjamini & Hochberg (1995), section 4.3: 15 p-values from a multiple-endpoint trial; at q* = 0.05 the
# procedure rejects the four smallest (Bonferroni only the first three).
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
           0.5719, 0.6528, 0.7590, 1.000]


def test_bh_1995_worked_example():
    q = bh_qvalues(BH_1995)
    assert int((q < 0.05).sum()) == 4
    # q(i) = min over ranks j >= i of 15 p(j) / j: q(4) = 15 x 0.0095 / 4 = 0.035625, q(5) = 15 x 0.0201 / 5
    # = 0.0603, q(6) = min(15 x 0.0278 / 6, 15 x 0.0298 / 7, ...) = 0.063857 (rank 7 wins), q(9) = 0.0765.
    assert q[3] == pytest.approx(0.035625)
    assert q[4] == pytest.approx(0.0603)
    assert q[5] == pytest.approx(15 * 0.0298 / 7)
    assert q[8] == pytest.approx(0.0765)
    assert q[-1] == 1.0


def test_missing_p_values_are_not_tests():
    q = bh_qvalues([0.01, np.nan, None, 0.04])
    assert np.isnan(q[1]) and np.isnan(q[2])
    assert q[0] == pytest.approx(0.02) and q[3] == pytest.approx(0.04)  # m = 2, not 4
    assert np.isnan(bh_qvalues([np.nan])).all() and bh_qvalues([]).size == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=40))
def test_bh_equals_statsmodels(p):
    assert np.allclose(bh_qvalues(p), multipletests(p, method="fdr_bh")[1])


def test_families_are_adjusted_separately():
    frame = pd.DataFrame({"level": ["wijk", "wijk", "buurt", "buurt", "buurt"], "p": [0.01, 0.04, 0.01, 0.02, 0.9]})
    q = bh_by_family(frame, "p", ["level"])
    assert q.tolist() == pytest.approx([0.02, 0.04, 0.03, 0.03, 0.9])


def test_expected_false_positives():
    assert expected_false_positives(200, 0.05) == 10.0


def test_families_vectorised_equal_one_call_per_family():
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame({
        "level": rng.choice(["wijk", "buurt"], n),
        "category": pd.array(np.where(rng.random(n) < 0.3, None, rng.choice(["18+", "65+"], n)), dtype="string"),
        "p": np.where(rng.random(n) < 0.4, rng.random(n) ** 3, np.nan)})
    q = bh_by_family(frame, "p", ["level", "category"])
    expected = pd.Series(np.nan, index=frame.index)
    for _, rows in frame.groupby(["level", "category"], dropna=False):  # a missing category is a family too
        expected[rows.index] = bh_qvalues(rows["p"])
    assert frame.groupby(["level", "category"], dropna=False).ngroups == 6
    assert np.allclose(q, expected, equal_nan=True) and q.notna().sum() == frame["p"].notna().sum()
