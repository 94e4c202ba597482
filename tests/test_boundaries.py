"""Boundary changes: an area register with validity periods from kwb files of several years, and
the link table from old codes to new (same, renamed, recoded, split, merged).

The kwb files are in tests/data/boundaries/, written by make_boundary_files.py there (a buurt split
in 2023, a wijk recoded and a buurt renamed in 2024, two merges in 2025, an ambiguous 2023)."""

import importlib.util
import math

import pandas as pd
import pytest

from conftest import ROOT, skip_without_shared
from wijkmonitor.areas import AreaMatcher, build_register, load_register
from wijkmonitor.boundaries import (
    LINK_COLUMNS,
    BoundaryError,
    build_history_register,
    load_stated_links,
    read_kwb_year,
    read_kwb_years,
)
from wijkmonitor.cli import main
from wijkmonitor.errors import ConfigError, ReaderError
from wijkmonitor.readers.excel import read_sheet

DATA = ROOT / "tests" / "data" / "boundaries"
K2022, K2023, K2024 = DATA / "kwb-2022.xlsx", DATA / "kwb-2023.xlsx", DATA / "kwb-2024.xlsx"
K2025 = DATA / "kwb-2025-merged.xlsx"
AMBIGUOUS, STATED = DATA / "kwb-2023-ambiguous.xlsx", DATA / "links-ambiguous.csv"
REAL_KWB = "utrecht/cbs-kwb/CBS-Utrecht-kwb-{}.xlsx"


def _generator():
    spec = importlib.util.spec_from_file_location("make_boundary_files", DATA / "make_boundary_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


def link_rows(links):
    """(old_code, new_code, relation, share rounded to 6 places, from_year, to_year) of each link."""
    return [(r.old_code, r.new_code, r.relation, round(r.share, 6), r.from_year, r.to_year)
            for r in links.itertuples()]


def links_of(links, code):
    return links[(links["old_code"] == code) | (links["new_code"] == code)]


@pytest.fixture(scope="module")
def history():
    """Register and links of 2022, 2023 and 2024 (the files given out of order)."""
    return build_history_register([K2024, K2022, K2023])


def test_committed_files_are_what_the_generator_writes():
    for name, (sheet, rows) in GENERATOR.FILES.items():
        sheet_name, table = read_sheet(DATA / name)
        assert sheet_name == sheet, name
        expected = [[None if v is None else str(v) for v in row] for row in rows]
        assert table.astype(object).where(table.notna(), None).values.tolist() == expected, name
    assert STATED.read_text(encoding="utf-8") == GENERATOR.LINKS_AMBIGUOUS


def test_a_kwb_year_is_read_through_the_kwb_reader_rules():
    kwb = read_kwb_year(K2024)
    assert (kwb.year, kwb.gemeente) == (2024, "GM0344")  # year from the file name; the sheet is Gemeente-Utrecht
    areas = kwb.areas
    assert areas["level"].value_counts().to_dict() == {"buurt": 7, "wijk": 2, "gemeente": 1}
    assert areas.at["WK034410", "name"] == "Leidsche Rijn" and areas.at["WK034410", "parent"] == "GM0344"
    assert areas.at["BU03441001", "parent"] == "WK034410" and areas.at["GM0344", "parent"] is None
    assert areas.at["BU03440113", "a_inw"] == 1420 and areas.at["GM0344", "a_inw"] == 1800 + 1420 + 40 + 2555 + 1700 \
        + 14390 + 9180
    assert areas.at["WK034410", "ind_wbi"] == 2 and areas.at["BU03440115", "ind_wbi"] == 1


def test_buurt_split_in_two_between_2022_and_2023(history):
    _, links = history
    split = links[links["relation"] == "split"]
    assert link_rows(split) == [
        ("BU03440112", "BU03440115", "split", round(2520 / 4210, 6), 2022, 2023),
        ("BU03440112", "BU03440116", "split", round(1690 / 4210, 6), 2022, 2023),
    ]
    assert math.isclose(split["share"].sum(), 1, abs_tol=1e-6)
    evidence = split["evidence"].iloc[0]
    assert "names derived from the old one" in evidence
    assert "BU03440115 ind_wbi=3: boundary changed" in evidence and "BU03440116 ind_wbi=3" in evidence
    assert "a_inw 4200 (2022) vs 2520 + 1690 = 4210 (2023) (agree within rounding)" in evidence
    assert "share = a_inw 2023 / sum" in evidence


def test_wijk_recoded_with_its_buurten(history):
    _, links = history
    recoded = links[links["relation"] == "recoded"]
    assert link_rows(recoded) == [
        ("WK034499", "WK034410", "recoded", 1.0, 2023, 2024),
        ("BU03449901", "BU03441001", "recoded", 1.0, 2023, 2024),
        ("BU03449902", "BU03441002", "recoded", 1.0, 2023, 2024),
    ]
    wijk = recoded["evidence"].iloc[0]
    assert "same (linked) parent with the same name" in wijk and "'Wijk 99 Leidsche Rijn' (2023)" in wijk
    assert "WK034410 ind_wbi=2: code changed, boundary unchanged" in wijk
    assert "a_inw 9105 (2023) vs 9180 (2024)" in recoded["evidence"].iloc[2]


def test_buurt_renamed(history):
    _, links = history
    renamed = links[links["relation"] == "renamed"]
    assert link_rows(renamed) == [("BU03440113", "BU03440113", "renamed", 1.0, 2023, 2024)]
    assert ("name 'Halve Maan-Zuid' (2023) -> 'Halve Maan Zuid-West' (2024); ind_wbi=1: code and boundary "
            "unchanged") in renamed["evidence"].iloc[0]


def test_every_link_of_2022_to_2024(history):
    _, links = history
    assert list(links.columns) == LINK_COLUMNS
    same = [(c, c, "same", 1.0, a, a + 1) for a, codes in (
        (2022, ["GM0344", "WK034401", "WK034499", "BU03440111", "BU03440113", "BU03440114", "BU03449901",
                "BU03449902"]),
        (2023, ["GM0344", "WK034401", "BU03440111", "BU03440114", "BU03440115", "BU03440116"]))
        for c in codes]
    expected = same + [
        ("BU03440112", "BU03440115", "split", 0.598575, 2022, 2023),
        ("BU03440112", "BU03440116", "split", 0.401425, 2022, 2023),
        ("WK034499", "WK034410", "recoded", 1.0, 2023, 2024),
        ("BU03449901", "BU03441001", "recoded", 1.0, 2023, 2024),
        ("BU03449902", "BU03441002", "recoded", 1.0, 2023, 2024),
        ("BU03440113", "BU03440113", "renamed", 1.0, 2023, 2024),
    ]
    assert sorted(link_rows(links)) == sorted(expected)
    assert (links.loc[links["relation"] == "same", "evidence"].str.contains("ind_wbi=1: code and boundary unchanged")).all()


def test_register_validity_periods(history, tmp_path):
    register, _ = history
    validity = {r.code: (r.valid_from, None if pd.isna(r.valid_to) else r.valid_to) for r in register.itertuples()}
    assert validity == {
        "GM0344": (2022, None), "WK034401": (2022, None),
        "WK034499": (2022, 2023), "WK034410": (2024, None),  # recoded
        "BU03440111": (2022, None), "BU03440114": (2022, None),
        "BU03440112": (2022, 2022), "BU03440115": (2023, None), "BU03440116": (2023, None),  # split
        "BU03440113": (2024, None),  # renamed in 2024: this name since then
        "BU03449901": (2022, 2023), "BU03449902": (2022, 2023), "BU03441001": (2024, None), "BU03441002": (2024, None),
    }
    rows = register.set_index("code")
    assert rows.at["BU03440113", "name"] == "Halve Maan Zuid-West"
    assert rows.at["BU03440113", "aliases"].split("|") == [
        "Halve Maan Zuid-West", "Buurt Halve Maan Zuid-West", "Halve Maan-Zuid", "Buurt Halve Maan-Zuid"]
    assert rows.at["WK034499", "name"] == "Leidsche Rijn" and rows.at["BU03449901", "parent_code"] == "WK034499"
    path = tmp_path / "areas.csv"
    register.to_csv(path, index=False)
    pd.testing.assert_frame_equal(load_register(path).astype("string"), register.astype("string"))


def test_matcher_takes_the_current_code_for_a_name_a_retired_code_shares(history):
    matcher = AreaMatcher(history[0])
    assert matcher.match_name("Leidsche Rijn") == "WK034410"  # also the name of the retired WK034499
    assert matcher.match_name("Vleuterweide") == "BU03441001"
    assert matcher.match_name("Wijk 99 Leidsche Rijn") == "WK034499"  # only the old code had that statnaam
    assert matcher.match_name("Halve Maan-Zuid") == "BU03440113"  # the old name of a renamed buurt
    assert matcher.match_code("BU03449901") == "BU03449901"


def test_merges_by_names_and_by_ind_wbi_and_population():
    _, links = build_history_register([K2024, K2025])
    merged = links[links["relation"] == "merged"]
    assert link_rows(merged) == [
        ("BU03440111", "BU03440118", "merged", round(1800 / 3220, 6), 2024, 2025),
        ("BU03440113", "BU03440118", "merged", round(1420 / 3220, 6), 2024, 2025),
        ("BU03440115", "BU03440117", "merged", round(2555 / 4255, 6), 2024, 2025),
        ("BU03440116", "BU03440117", "merged", round(1700 / 4255, 6), 2024, 2025),
    ]
    by_population, by_names = merged["evidence"].iloc[0], merged["evidence"].iloc[2]
    assert "names unrelated; ind_wbi=3 (boundary changed) on the new code" in by_population
    assert "a_inw 1800 + 1420 = 3220 (2024) vs 3230 (2025) (agree within rounding)" in by_population
    assert "names it is derived from" in by_names and "share = a_inw 2024 / sum" in by_names
    assert set(links["relation"]) == {"same", "merged"}


def test_files_years_apart_link_by_names_but_not_by_ind_wbi():
    register, links = build_history_register([K2022, K2024])
    assert sorted(link_rows(links[links["relation"] != "same"])) == sorted([
        ("BU03440112", "BU03440115", "split", round(2555 / 4255, 6), 2022, 2024),  # a_inw 2024 gives the shares
        ("BU03440112", "BU03440116", "split", round(1700 / 4255, 6), 2022, 2024),
        ("WK034499", "WK034410", "recoded", 1.0, 2022, 2024),
        ("BU03449901", "BU03441001", "recoded", 1.0, 2022, 2024),
        ("BU03449902", "BU03441002", "recoded", 1.0, 2022, 2024),
        ("BU03440113", "BU03440113", "renamed", 1.0, 2022, 2024),
    ])
    assert "ind_wbi no evidence (files 2 years apart)" in links_of(links, "BU03440115")["evidence"].iloc[0]
    # The merge that only ind_wbi and the population show cannot be made across a gap of years.
    with pytest.raises(BoundaryError) as refused:
        build_history_register([K2023, K2025])
    message = refused.value.render()
    assert message.startswith(f"{K2025}: the buurt codes of 2023 (kwb-2023.xlsx) and 2025 cannot be linked")
    assert "BU03440111 'Welgelegen, Den Hommel' (2023, in WK034401) is not in 2025" in message
    assert "ind_wbi is no evidence: the files are 2 years apart" in message
    assert "new in 2025 without a predecessor: BU03440118 'Lageweide' with ind_wbi=3: boundary changed" in message


def test_ambiguous_change_is_refused_with_a_hint():
    with pytest.raises(BoundaryError) as refused:
        build_history_register([K2022, AMBIGUOUS])
    error = refused.value
    assert error.file == str(AMBIGUOUS)
    assert "BU03440112 'Oog in Al' (2022, in WK034401) is not in 2023, and no new code in its (linked) parent " \
        "has a name derived from it, nor do ind_wbi and the population show where it went" in error.message
    assert "new in 2023 without a predecessor: BU03440117 'Park Transwijk' with ind_wbi=3: boundary changed, " \
        "BU03440118 'Dichterswijk-West'" in error.message
    assert "pass it with --links" in error.hint and "docs/boundaries.md" in error.hint


def test_stated_links_resolve_the_ambiguous_change():
    register, links = build_history_register([K2022, AMBIGUOUS], links_path=STATED)
    stated = links[links["relation"] == "split"]
    assert link_rows(stated) == [
        ("BU03440112", "BU03440117", "split", 0.625, 2022, 2023),  # shares from a_inw 2023: 1500 and 900
        ("BU03440112", "BU03440118", "split", 0.375, 2022, 2023),
    ]
    assert stated["evidence"].iloc[0] == ("stated in links-ambiguous.csv row 2: buurtindeling 2023 of the "
                                          "municipality (invented for the test); share = a_inw 2023 / sum")
    assert set(links["relation"]) == {"same", "split"} and len(links) == 10
    rows = register.set_index("code")
    assert (rows.at["BU03440112", "valid_to"], rows.at["BU03440117", "valid_from"]) == (2022, 2023)


def test_stated_shares_are_kept(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text(GENERATOR.LINKS_AMBIGUOUS.replace(",2022,2023,,", ",2022,2023,0.5,"), encoding="utf-8")
    _, links = build_history_register([K2022, AMBIGUOUS], links_path=path)
    assert links.loc[links["relation"] == "split", "share"].tolist() == [0.5, 0.5]
    assert links.loc[links["relation"] == "split", "evidence"].str.endswith("share as stated").all()


@pytest.mark.parametrize(("text", "complaint"), [
    ("old_code,new_code,relation,from_year,to_year\nBU03440112,BU03440117,moved,2022,2023\n",
     "row 2, column 'relation': relation 'moved' is not one of same, renamed, recoded, split, merged."),
    ("old_code,new_code,relation,from_year,to_year\nBU03440112,BU03440117,recoded,2021,2023\n",
     "row 2, column 'from_year': links 2021 to 2023, which is not a step between the kwb files given (2022-2023)."),
    ("old_code,new_code,relation,from_year,to_year\nBU03440112,BU03440117,split,2022,2023\n",
     "row 2, column 'relation': the split of BU03440112 has one row"),
    ("old_code,new_code,relation,from_year,to_year,share\nBU03440112,BU03440117,split,2022,2023,0.5\n"
     "BU03440112,BU03440118,split,2022,2023,0.4\n",
     "column 'share': the shares of the split of BU03440112 (2022) must all be given and sum to 1 (they sum to 0.9)"),
    ("old_code,new_code,relation,from_year,to_year\nBU03440112,BU03440117,same,2022,2023\n",
     "same and renamed keep the code"),
    ("old_code,new_code,relation,from_year,to_year,share\nBU03440112,BU03440117,recoded,2022,2023,0.5\n",
     "row 2, column 'share': share '0.5' for relation 'recoded': one old code to one new code has share 1."),
    ("old_code,new_code,relation,from_year,to_year\nBU03440112,BU03440117,recoded,2022,2023\n"
     "BU03440112,BU03440118,recoded,2022,2023\n",
     "row 3, column 'old_code': old_code BU03440112 (2022) is in 2 rows (recoded); only a split may repeat"),
    ("old_code,new_code,relation,from_year\nBU03440112,BU03440117,recoded,2022\n", "row 1: lacks the column(s) to_year."),
    ("old_code,new_code,relation,from_year,to_year\nBU03440199,BU03440117,recoded,2022,2023\n",
     "row 2, column 'old_code': old_code 'BU03440199' is not an area of GM0344 in kwb-2022.xlsx."),
    ("old_code,new_code,relation,from_year,to_year\nWK034401,BU03440117,recoded,2022,2023\n",
     "row 2, column 'new_code': links a wijk to a buurt."),
])
def test_wrong_stated_links_are_refused(tmp_path, text, complaint):
    path = tmp_path / "links.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        build_history_register([K2022, AMBIGUOUS], links_path=path)
    assert str(path) in refused.value.render() and complaint in refused.value.render()
    assert refused.value.hint


def test_load_stated_links_needs_the_years_given(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text(GENERATOR.LINKS_AMBIGUOUS, encoding="utf-8")
    assert len(load_stated_links(path, [2022, 2023])) == 2
    with pytest.raises(ConfigError, match="not a step between the kwb files given"):
        load_stated_links(path, [2022, 2024])


def test_a_kept_code_that_gives_ground_is_split_and_starts_anew(tmp_path):
    """BU03440111 keeps its code but loses Den Hommel to a new buurt (ind_wbi 3 on both)."""
    rows = GENERATOR.kwb_rows([("WK034401", "Wijk 01 West", 1, [
        ("BU03440111", "Welgelegen", 3, 1000), ("BU03440113", "Halve Maan Zuid-West", 1, 1420),
        ("BU03440114", "Bedrijventerrein Cartesiusweg", 3, 60), ("BU03440115", "Oog in Al-Noord", 1, 2555),
        ("BU03440116", "Oog in Al-Zuid", 1, 1700), ("BU03440119", "Den Hommel", 3, 805)]),
        ("WK034410", "Wijk 10 Leidsche Rijn", 1, [("BU03441001", "Vleuterweide", 1, 14500),
                                                  ("BU03441002", "Terwijde", 1, 9240)])])
    path = tmp_path / "kwb-2025.xlsx"
    GENERATOR.write_kwb(path, "kwb-2025", rows)
    register, links = build_history_register([K2023, K2024, path])
    assert link_rows(links[links["from_year"] == 2024].query("relation != 'same'")) == [
        ("BU03440111", "BU03440111", "split", round(1000 / 1805, 6), 2024, 2025),
        ("BU03440111", "BU03440119", "split", round(805 / 1805, 6), 2024, 2025),
    ]
    moved = links_of(links[links["from_year"] == 2024], "BU03440114")["evidence"].iloc[0]
    assert moved.endswith("ind_wbi=3: boundary changed; the boundary changed without codes appearing or "
                          "disappearing: figures are not strictly comparable")
    validity = register.set_index("code")[["valid_from", "valid_to"]]
    assert validity.at["BU03440111", "valid_from"] == 2025 and pd.isna(validity.at["BU03440111", "valid_to"])
    assert validity.at["BU03440114", "valid_from"] == 2025  # a boundary change starts a new period too
    assert validity.at["BU03440115", "valid_from"] == 2023 and validity.at["BU03440119", "valid_from"] == 2025
    assert register.set_index("code").at["BU03440111", "aliases"].split("|")[:3] == [
        "Welgelegen", "Buurt Welgelegen", "Welgelegen, Den Hommel"]


def test_a_kept_code_that_takes_ground_is_merged(tmp_path):
    """Oog in Al disappears into Welgelegen, Den Hommel, which keeps its code (ind_wbi 3; the
    inhabitants agree): merged, found by ind_wbi and the population; the same stated by hand needs
    the kept code's own link too."""
    rows = [row for row in GENERATOR.FILES["kwb-2023.xlsx"][1] if row[0] not in ("BU03440115", "BU03440116")]
    rows = [[*row[:6], 3, 6020, row[8]] if row[0] == "BU03440111" else row for row in rows]
    path = tmp_path / "kwb-2023.xlsx"
    GENERATOR.write_kwb(path, "kwb-2023", rows)
    register, links = build_history_register([K2022, path])
    assert link_rows(links.query("relation != 'same'")) == [
        ("BU03440111", "BU03440111", "merged", round(1810 / 6010, 6), 2022, 2023),
        ("BU03440112", "BU03440111", "merged", round(4200 / 6010, 6), 2022, 2023),
    ]
    assert register.set_index("code").at["BU03440111", "valid_from"] == 2023
    stated = tmp_path / "links.csv"
    stated.write_text("old_code,new_code,relation,from_year,to_year\nBU03440112,BU03440111,recoded,2022,2023\n",
                      encoding="utf-8")
    with pytest.raises(BoundaryError, match="BU03440111 'Welgelegen, Den Hommel' is in both years, and a stated "
                       "link leads into it but none from it; state its own link"):
        build_history_register([K2022, path], links_path=stated)
    stated.write_text("old_code,new_code,relation,from_year,to_year,share\n"
                      "BU03440112,BU03440111,merged,2022,2023,0.7\nBU03440111,BU03440111,merged,2022,2023,0.3\n",
                      encoding="utf-8")
    _, links = build_history_register([K2022, path], links_path=stated)
    assert link_rows(links.query("relation != 'same'")) == [
        ("BU03440111", "BU03440111", "merged", 0.3, 2022, 2023), ("BU03440112", "BU03440111", "merged", 0.7, 2022, 2023)]


def test_a_wijk_split_by_ind_wbi_and_population_takes_its_buurten_along(tmp_path):
    """Wijk West keeps its code and gives the two Oog in Al buurten to a new wijk 11 (names unrelated:
    ind_wbi 3 and the inhabitants show it); the buurten are recoded into the new wijk."""
    rows = GENERATOR.kwb_rows([
        ("WK034401", "Wijk 01 West", 3, [
            ("BU03440111", "Welgelegen, Den Hommel", 1, 1805), ("BU03440113", "Halve Maan Zuid-West", 1, 1425),
            ("BU03440114", "Bedrijventerrein Cartesiusweg", 1, 40)]),
        ("WK034410", "Wijk 10 Leidsche Rijn", 1, [("BU03441001", "Vleuterweide", 1, 14500),
                                                  ("BU03441002", "Terwijde", 1, 9240)]),
        ("WK034411", "Wijk 11 Kanaalzone", 3, [("BU03441115", "Oog in Al-Noord", 2, 2560),
                                               ("BU03441116", "Oog in Al-Zuid", 2, 1705)])])
    path = tmp_path / "kwb-2025.xlsx"
    GENERATOR.write_kwb(path, "kwb-2025", rows)
    _, links = build_history_register([K2024, path])
    assert link_rows(links.query("relation != 'same'")) == [
        ("WK034401", "WK034401", "split", round(3270 / 7535, 6), 2024, 2025),
        ("WK034401", "WK034411", "split", round(4265 / 7535, 6), 2024, 2025),
        ("BU03440115", "BU03441115", "recoded", 1.0, 2024, 2025),
        ("BU03440116", "BU03441116", "recoded", 1.0, 2024, 2025),
    ]
    assert "names unrelated; ind_wbi=3 (boundary changed) on every new code" in links["evidence"].iloc[1]


def test_two_files_of_one_year_are_refused():
    with pytest.raises(ReaderError, match="is a kwb file of 2023, as is"):
        read_kwb_years([K2023, AMBIGUOUS])


def test_one_file_gives_no_history():
    with pytest.raises(ReaderError, match="validity periods and links need two or more years"):
        build_history_register([K2023])


def test_a_single_file_register_is_unchanged():
    register = build_register(K2024)
    assert register["valid_from"].isna().all() and register["valid_to"].isna().all()
    assert len(register) == 10


# ---------------------------------------------------------------------------------------- command


def test_register_command_with_three_years(tmp_path, capsys):
    out = tmp_path / "out" / "areas.csv"
    assert main(["register", str(K2022), str(K2023), str(K2024), "--municipality", "GM0344", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"wrote {out}: 14 areas (10 buurt, 3 wijk, 1 gemeente) of the kwb years 2022, 2023, 2024; "
        "4 no longer in 2024 (valid_to set)",
        f"wrote {out.parent / 'area_links.csv'}: 20 links (14 same, 1 renamed, 3 recoded, 2 split)",
    ]
    links = pd.read_csv(out.parent / "area_links.csv", dtype=str, keep_default_na=False)
    assert list(links.columns) == LINK_COLUMNS
    assert links.query("old_code == 'BU03440112'")[["new_code", "share"]].values.tolist() == [
        ["BU03440115", "0.598575"], ["BU03440116", "0.401425"]]
    assert load_register(out).set_index("code").at["WK034499", "valid_to"] == 2023


def test_register_command_refuses_and_takes_stated_links(tmp_path, capsys):
    out, links_out = tmp_path / "areas.csv", tmp_path / "links" / "area_links.csv"
    args = ["register", str(K2022), str(AMBIGUOUS), "--out", str(out), "--links-out", str(links_out)]
    assert main(args) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith(f"wijkmonitor register: {AMBIGUOUS}: the buurt codes of 2022")
    assert "pass it with --links." in err
    assert not out.exists() and not links_out.exists()
    assert main([*args, "--links", str(STATED)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert pd.read_csv(links_out)["relation"].value_counts().to_dict() == {"same": 8, "split": 2}


def test_register_command_links_need_two_years(tmp_path, capsys):
    assert main(["register", str(K2024), "--out", str(tmp_path / "a.csv"), "--links", str(STATED)]) == 1
    assert "--links and --links-out need kwb files of two or more years" in " ".join(capsys.readouterr().err.split())
    assert main(["register", str(K2024), "--out", str(tmp_path / "a.csv")]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'a.csv'}: 10 areas (7 buurt, 2 wijk, 1 gemeente)\n"


# -------------------------------------------------------------------------------------- real data


@skip_without_shared
@pytest.mark.realdata
def test_real_utrecht_kwb_2023_and_2024(shared_data):
    """Utrecht's kwb 2023 and 2024 have the same 122 codes and names, and ind_wbi is 1 for all of
    them in both files (no change against the year before): 122 `same` links."""
    paths = [shared_data / REAL_KWB.format(year) for year in (2023, 2024)]
    for path in paths:
        assert read_kwb_year(path).areas["ind_wbi"].tolist() == [1] * 122
    register, links = build_history_register(paths, ROOT / "catalogue/subwijken.csv")
    assert links["relation"].value_counts().to_dict() == {"same": 122}
    assert (links["old_code"] == links["new_code"]).all() and set(links["from_year"]) == {2023}
    assert links["evidence"].str.endswith("ind_wbi=1: code and boundary unchanged").all()
    kwb_rows = register["level"] != "subwijk"
    assert (register.loc[kwb_rows, "valid_from"] == 2023).all() and register["valid_to"].isna().all()
    assert register.loc[~kwb_rows, "valid_from"].isna().all()  # subwijken: a local table, no kwb years
    committed = load_register(ROOT / "catalogue/areas.csv")
    without_validity = register.assign(valid_from=pd.array([pd.NA] * len(register), dtype="Int64"))
    pd.testing.assert_frame_equal(without_validity.astype("string"), committed.astype("string"))
