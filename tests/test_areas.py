"""The area register and matching the names and codes portals use."""

import pandas as pd
import pytest

from conftest import ROOT, skip_without_shared
from wijkmonitor.areas import AreaMatcher, build_register, load_register, normalise_name
from wijkmonitor.errors import ConfigError
from wijkmonitor.readers.swing import read_swing_csv


def test_register_levels_and_parents(register):
    assert register["level"].value_counts().to_dict() == {"buurt": 111, "subwijk": 34, "wijk": 10, "gemeente": 1}
    codes = set(register["code"])
    assert register["parent_code"].dropna().isin(codes).all()
    wijken = register[register["level"] == "wijk"]
    assert (wijken["parent_code"] == "GM0344").all()
    assert set(register.loc[register["level"] == "subwijk", "parent_code"]) == set(wijken["code"])
    overvecht_buurten = register[(register["level"] == "buurt") & (register["wijk_code"] == "WK034403")]
    assert len(overvecht_buurten) == 10
    assert set(overvecht_buurten["parent_code"]) == {"SW0344031", "SW0344032", "SW0344033", "SW0344034"}


@skip_without_shared
@pytest.mark.realdata
def test_register_is_rebuilt_from_the_cbs_kwb_file(shared_data):
    rebuilt = build_register(shared_data / "utrecht/cbs-kwb/CBS-Utrecht-kwb-2024.xlsx", ROOT / "catalogue/subwijken.csv")
    committed = load_register(ROOT / "catalogue/areas.csv")
    pd.testing.assert_frame_equal(rebuilt.astype("string"), committed.astype("string"))


@pytest.mark.parametrize(
    ("name", "code"),
    [("Wijk 03 Overvecht", "WK034403"), ("Overvecht", "WK034403"), ("Wijk Overvecht", "WK034403"),
     ("Utrecht", "GM0344"), ("Subwijk Nieuw Engeland, Schepenbrt", "SW0344013"),
     ("Subwijk Zuilen-west", "SW0344023"), ("Wijk C", "BU03440621"), ("Maximapark", "BU03441014"),
     ("  OVERVECHT ", "WK034403"), ("Binnenstad", "WK034406")],
)
def test_match_name(matcher, name, code):
    assert matcher.match_name(name) == code


def test_unknown_name_has_suggestions(matcher):
    assert matcher.match_name("Overvecth") is None
    assert "Overvecht" in matcher.closest("Wijk Overvecth")


def test_codes_inside_and_outside_the_municipality(matcher):
    assert matcher.knows_code("BU03440311")
    assert matcher.in_municipality("BU03449999") and not matcher.knows_code("BU03449999")
    assert not matcher.in_municipality("GM0363") and not matcher.in_municipality("NL01")


def test_normalise_name():
    assert normalise_name("Máximapark") == "maximapark"
    assert normalise_name("Zuilen-noord en -oost") == normalise_name("Zuilen Noord en Oost")


@skip_without_shared
@pytest.mark.realdata
def test_every_incijfers_area_name_matches(shared_data, matcher):
    for path in sorted((shared_data / "utrecht/incijfers").glob("*.csv")):
        names = read_swing_csv(path).table["area_name"].unique()
        unmatched = [n for n in names if matcher.match_name(n) is None]
        assert unmatched == [], path.name
        assert len(names) == 35


def test_register_with_unknown_parent_is_refused(tmp_path, register):
    broken = register.copy()
    broken.loc[broken["code"] == "WK034403", "parent_code"] = "GM9999"
    path = tmp_path / "areas.csv"
    broken.to_csv(path, index=False)
    with pytest.raises(ConfigError, match=r"areas.csv, row \d+, column 'parent_code'.*GM9999"):
        load_register(path)


def test_register_needs_a_gemeente(register):
    with pytest.raises(ConfigError, match="holds no gemeente"):
        AreaMatcher(register[register["level"] != "gemeente"])


def test_a_register_of_two_municipalities_matches_codes_of_both_and_drops_a_third():
    register = pd.DataFrame([
        {"code": "GM0344", "name": "Utrecht", "level": "gemeente", "aliases": ""},
        {"code": "WK034403", "name": "Overvecht", "level": "wijk", "aliases": ""},
        {"code": "GM0307", "name": "Amersfoort", "level": "gemeente", "aliases": ""},
        {"code": "WK030701", "name": "Centrum", "level": "wijk", "aliases": ""},
        {"code": "WK034401", "name": "Centrum", "level": "wijk", "aliases": ""},
    ])
    matcher = AreaMatcher(register)
    assert matcher.gemeente_codes == ["GM0307", "GM0344"]
    assert matcher.match_code("WK030701  ") == "WK030701"
    assert matcher.in_municipality("BU03440311") and matcher.in_municipality("BU03070100")
    assert not matcher.in_municipality("WK036301")  # Amsterdam: outside both
    assert matcher.match_name("Centrum") is None  # a name both municipalities use is ambiguous
    assert matcher.match_name("Overvecht") == "WK034403"


@pytest.mark.parametrize(
    ("short", "full", "expected"),
    [("nieuw engeland schepenbrt", "nieuw engeland schepenbuurt", True),
     ("lunetten nrd", "lunetten noord", True),
     ("zuilen oost", "zuilen west", False),  # not an abbreviation: letters out of order
     ("ondiep 2e daalsebrt", "ondiep 3e daalsebuurt", False),
     ("wijk c", "wijk c", False),  # identical is a plain match, not an abbreviation
     ("zuilen", "zuilen west", False)],  # a word missing is not an abbreviation
)
def test_is_abbreviation(short, full, expected):
    from wijkmonitor.areas import is_abbreviation

    assert is_abbreviation(short, full) is expected


def test_abbreviated_names_match_without_an_alias(register):
    bare = register.copy()
    bare["aliases"] = bare["aliases"].str.replace("|Subwijk Nieuw Engeland, Schepenbrt", "", regex=False)
    matcher = AreaMatcher(bare)
    assert matcher.match_name("Subwijk Nieuw Engeland, Schepenbrt") == "SW0344013"
    assert matcher.match_name("Subwijk Nw Engeland, Schepenbrt") == "SW0344013"
    # Abbreviations that fit two areas match neither.
    assert matcher.match_name("Wijk Zd") is None  # Zuid and Zuidwest
    assert matcher.match_name("Wijk Zdwst") == "WK034408"
