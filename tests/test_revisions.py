"""Revised figures: another edition's different value, listed next to the one the analyses use, and
never a withheld figure or a disclosive earlier value."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import skip_without_shared
from wijkmonitor.revisions import revision_table
from wijkmonitor.warehouse import CURRENT_VIEW_SQL, current_query

INDICATORS = pd.DataFrame({"id": ["pct", "bijstand"], "unit": ["percent", "count"], "denominator": [None, None],
                           "estimate": ["direct", "direct"], "disclosure": ["frequency", "frequency"]})


def rows(records):
    """(indicator, area, period, value, vintage, source_row) observations of source `s`, file `f.csv`."""
    frame = pd.DataFrame(records, columns=["indicator_id", "area_code", "period", "value", "vintage", "source_row"])
    return frame.assign(category=pd.Series(pd.NA, index=frame.index, dtype="string"), status="ok", source_id="s",
                        source_file="f.csv", n=np.nan)


def used(history, keep):
    """The figures the analyses use: the rows at positions `keep`, published unless said otherwise."""
    return history.iloc[keep].assign(disclosure=pd.NA, n_source=pd.NA).reset_index(drop=True)


def test_a_revision_is_listed_with_both_editions():
    history = rows([("pct", "GM0344", 2016, 6.4, "2015-2018", 58), ("pct", "GM0344", 2016, 5.7, "2016-2019", 72),
                    ("pct", "GM0344", 2015, 6.4, "2015-2018", 57)])
    table = revision_table(history, used(history, [1, 2]), INDICATORS, 10)
    assert table[["period", "value", "vintage", "other_value", "other_vintage", "other_source_row"]].values.tolist() == [
        [2016, 5.7, "2016-2019", 6.4, "2015-2018", 58]]
    assert table["change"].tolist() == pytest.approx([-0.7])


def test_no_revision_of_a_withheld_figure_nor_a_disclosive_earlier_value():
    history = rows([("bijstand", "BU1", 2020, 8.0, "2021", 3), ("bijstand", "BU1", 2020, 15.0, "2022", 4),
                    ("bijstand", "BU2", 2020, 30.0, "2021", 5), ("bijstand", "BU2", 2020, 40.0, "2022", 6)])
    figures = used(history, [1, 3])
    assert revision_table(history, figures, INDICATORS, 10)["area_code"].tolist() == ["BU2"]  # 8 persons: not shown
    figures.loc[1, ["status", "disclosure"]] = ["suppressed", "secondary"]
    assert revision_table(history, figures, INDICATORS, 10).empty


def test_the_analyses_can_use_a_named_edition(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE source_file (path VARCHAR, priority INTEGER)")
    con.execute("INSERT INTO source_file VALUES ('a.csv', 0), ('b.csv', 0)")
    con.execute("CREATE TABLE observation AS SELECT * FROM (VALUES "
                "('pct', 'GM0344', NULL, 2016, 6.4::DOUBLE, '2015-2018', 'a.csv', 58), "
                "('pct', 'GM0344', NULL, 2016, 5.7::DOUBLE, '2016-2019', 'b.csv', 72)) "
                "t(indicator_id, area_code, category, period, value, vintage, source_file, source_row)")
    con.execute("CREATE VIEW observation_current AS SELECT * FROM observation WHERE vintage = '2016-2019'")
    assert con.execute(*current_query("newest")).fetchall()[0][4] == 5.7
    assert con.execute(*current_query("2015-2018")).fetchall()[0][4] == 6.4


@skip_without_shared
def test_revisions_in_the_transcribed_utrecht_monitor(shared_data):
    from wijkmonitor.readers.tidy import read_tidy_csv

    path = shared_data / "utrecht/monitor-transcribed/utrecht_monitor_city_series.csv"
    table = read_tidy_csv(path).table
    history = table.assign(indicator_id=table["source_indicator"], area_code=table["area_name"], source_id="monitor",
                           source_file=str(path), category=table["category"].astype("string"))
    # The analyses use the newest edition of each figure (the edition with columns 2016-2019 is newer).
    newest = history.sort_values("vintage").groupby(["indicator_id", "area_code", "period"]).tail(1)
    figures = newest.assign(disclosure=pd.NA, n_source=pd.NA)
    indicators = pd.DataFrame({"id": history["indicator_id"].unique(), "unit": "percent", "denominator": None,
                               "estimate": "direct", "disclosure": "frequency"})
    revisions = revision_table(history, figures, indicators, 10)
    # Of the 33 figures two editions give, two differ: WW-to-bijstand outflow 2016 and 2017, revised down.
    assert revisions[["indicator_id", "period", "other_value", "value", "other_source_row", "source_row"]].values.tolist() == [
        ["% doorstroom van WW naar bijstand (raming)", 2016, 6.4, 5.7, 58, 72],
        ["% doorstroom van WW naar bijstand (raming)", 2017, 6.4, 4.8, 59, 73]]


def test_the_current_figures_of_one_municipality_are_its_rows_of_the_current_figures(tmp_path):
    """current_query(vintage, municipality) chooses among one municipality's rows only; since the choice
    is per figure, it gives exactly that municipality's rows of the whole table's choice, for the newest
    and for a named vintage."""
    import duckdb

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE area (code VARCHAR, gemeente_code VARCHAR)")
    con.execute("INSERT INTO area VALUES ('GM0344', 'GM0344'), ('WK034401', 'GM0344'), ('GM0307', 'GM0307')")
    con.execute("CREATE TABLE source_file (path VARCHAR, priority INTEGER)")
    con.execute("INSERT INTO source_file VALUES ('a.csv', 0), ('b.csv', 1)")
    con.execute("CREATE TABLE observation (indicator_id VARCHAR, area_code VARCHAR, category VARCHAR, "
                "period INTEGER, value DOUBLE, vintage VARCHAR, source_file VARCHAR, source_row INTEGER)")
    rows = [("x", area, None, 2020, value, vintage, path, row)
            for row, (area, value, vintage, path) in enumerate([
                ("GM0344", 1.0, "2021", "a.csv"), ("GM0344", 2.0, "2022", "a.csv"), ("GM0344", 9.0, "2022", "b.csv"),
                ("WK034401", 3.0, "2021", "a.csv"), ("GM0307", 4.0, "2022", "a.csv"), ("GM0307", 5.0, "2021", "a.csv")])]
    con.executemany("INSERT INTO observation VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(CURRENT_VIEW_SQL)
    for vintage in ("newest", "2021"):
        whole = con.execute(*current_query(vintage)).fetchall()
        utrecht = con.execute(*current_query(vintage, "GM0344")).fetchall()
        assert utrecht == [r for r in whole if r[1] in ("GM0344", "WK034401")]
    assert [r[4] for r in con.execute(*current_query("newest", "GM0344")).fetchall()] == [2.0, 3.0]
    assert [r[4] for r in con.execute(*current_query("2021", "GM0344")).fetchall()] == [1.0, 3.0]
    assert [r[4] for r in con.execute(*current_query("2021", "GM0307")).fetchall()] == [5.0]
    con.close()
