"""The indicator catalogue: complete for the real files, consistent, and resolving source names."""

import pytest
import yaml

from conftest import ROOT, skip_without_shared
from wijkmonitor.catalogue import Catalogue, slug
from wijkmonitor.errors import ConfigError
from wijkmonitor.readers.kwb import REGION_COLUMNS
from wijkmonitor.readers.rivm import DIMENSIONS, REGION_ATTRIBUTES, indicator_key


def test_catalogue_loads_with_labels_units_polarity(catalogue):
    ind = catalogue.indicators
    assert ind["id"].is_unique
    assert ind["label_nl"].notna().all() and ind["label_en"].notna().all()
    assert set(ind["polarity"]) <= {"higher_is_better", "lower_is_better", "neutral"}
    row = ind.set_index("id").loc["huishoudens_bijstand"]
    assert (row["unit"], row["polarity"], row["theme"]) == ("percent", "lower_is_better", "sociaal_economisch")


def test_source_names_resolve(catalogue):
    assert catalogue.indicator_id("% huishoudens met bijstand") == "huishoudens_bijstand"
    assert catalogue.indicator_id("  % Huishoudens  met bijstand ") == "huishoudens_bijstand"
    assert catalogue.indicator_id("ErvarenGezondheidGoedZeerGoed") == "ervaren_gezondheid_goed"
    assert catalogue.indicator_id("a_inw") is not None
    assert catalogue.indicator_id("% dat popmuziek of dance bezoekt") is None


def test_uncatalogued_ids_derive_from_the_header(catalogue):
    assert catalogue.uncatalogued_id("% dat popmuziek of dance bezoekt") == "pct_dat_popmuziek_of_dance_bezoekt"
    long_a = "aantal minderjarige kinderen in huishoudens met inkomen tot 125% WSM"
    long_b = "aantal minderjarige kinderen in huishoudens met inkomen tot 101% WSM"
    assert slug(long_a) != slug(long_b) and len(slug(long_a)) <= 60


@skip_without_shared
@pytest.mark.realdata
def test_every_kwb_and_rivm_column_is_catalogued(shared_data, catalogue):
    import pandas as pd

    for name in ("CBS-Utrecht-kwb-2023.xlsx", "CBS-Utrecht-kwb-2024.xlsx"):
        header = pd.read_excel(shared_data / "utrecht/cbs-kwb" / name, nrows=0, engine="calamine").columns
        missing = [c for c in header if c not in REGION_COLUMNS and catalogue.indicator_id(c) is None]
        assert missing == [], name
    header = pd.read_excel(shared_data / "national/rivm-50090NED/2016_18+.xlsx", nrows=0, engine="calamine").columns
    keys = [indicator_key(c) for c in header if c not in DIMENSIONS + REGION_ATTRIBUTES]
    assert len(keys) == 35 and all(catalogue.indicator_id(k) for k in keys)


def test_a_source_key_claimed_twice_is_refused(tmp_path):
    for name in ("units.yaml", "themes.yaml"):
        (tmp_path / name).write_text((ROOT / "catalogue" / name).read_text())
    (tmp_path / "indicators").mkdir()
    entry = {"label_nl": "x", "label_en": "x", "theme": "veiligheid", "unit": "percent",
             "polarity": "neutral", "source_keys": ["zelfde kop"]}
    (tmp_path / "indicators/a.yaml").write_text(yaml.safe_dump(
        {"indicators": [entry | {"id": "een"}, entry | {"id": "twee"}]}))
    with pytest.raises(ConfigError, match="claimed by both 'een' and 'twee'"):
        Catalogue.load(tmp_path)


def test_theme_sets_take_listed_indicators_or_the_catalogue_theme(catalogue, tmp_path):
    from wijkmonitor.catalogue import theme_members

    themes = dict(zip(catalogue.indicators["id"], catalogue.indicators["theme"], strict=True))
    wijkwijzer = theme_members(catalogue.theme_sets["wijkwijzer"], themes)
    assert "huishoudens_bijstand" in wijkwijzer["sociaal_economisch"]
    assert sum(len(ids) for ids in wijkwijzer.values()) == len(catalogue.indicators)  # every indicator once
    custom = {"themes": [{"id": "a", "indicators": ["onveilig_in_wijk", "huishoudens_bijstand"]}, {"id": "b"}]}
    assert theme_members(custom, {"x": "b", "y": "a"}) == {"a": ["onveilig_in_wijk", "huishoudens_bijstand"],
                                                           "b": ["x"]}
    # A theme set naming an indicator the catalogue lacks is refused when the catalogue loads.
    for name in ("units.yaml", "indicators/derived.yaml", "indicators/wijkwijzer.yaml", "indicators/cbs_kwb.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text((ROOT / "catalogue" / name).read_text())
    sets = yaml.safe_load((ROOT / "catalogue/themes.yaml").read_text())
    sets["theme_sets"]["eigen"] = {"label_nl": "x", "label_en": "x",
                                   "themes": [{"id": "t", "label_nl": "t", "label_en": "t",
                                               "indicators": ["huishoudens_bijstand", "bestaat_niet"]}]}
    (tmp_path / "themes.yaml").write_text(yaml.safe_dump(sets))
    with pytest.raises(ConfigError, match="theme 't' of theme set 'eigen' lists unknown indicator\\(s\\) bestaat_niet"):
        Catalogue.load(tmp_path)


def test_estimate_kind_from_file_defaults_and_refused_when_unknown(catalogue, tmp_path):
    estimate = catalogue.indicators.set_index("id")["estimate"]
    assert estimate["ervaren_gezondheid_goed"] == "model"  # rivm_50090.yaml: defaults: {estimate: model}
    assert estimate["inwoners"] == "direct" and estimate["bijstand_per_1000_inwoners"] == "direct"
    for name in ("units.yaml", "themes.yaml"):
        (tmp_path / name).write_text((ROOT / "catalogue" / name).read_text())
    (tmp_path / "indicators").mkdir()
    entry = {"id": "een", "label_nl": "x", "label_en": "x", "theme": "veiligheid", "unit": "percent",
             "polarity": "neutral", "source_keys": ["kop"]}
    (tmp_path / "indicators/a.yaml").write_text(yaml.safe_dump({"defaults": {"estimate": "guess"},
                                                                "indicators": [entry]}))
    with pytest.raises(ConfigError, match="estimate 'guess'"):
        Catalogue.load(tmp_path)


def test_disclosure_rule_and_breakdowns_from_the_catalogue(catalogue, tmp_path):
    rule = catalogue.indicators.set_index("id")["disclosure"]
    assert rule["personen_bijstand"] == "frequency" and rule["woningvoorraad"] == "none"
    assert catalogue.breakdowns["geslacht"] == ("inwoners", ["mannen", "vrouwen"])
    assert catalogue.breakdowns["huishoudenssamenstelling"][0] == "huishoudens"
    (tmp_path / "units.yaml").write_text((ROOT / "catalogue/units.yaml").read_text())
    (tmp_path / "themes.yaml").write_text(yaml.safe_dump({"theme_sets": {"s": {"themes": [{"id": "veiligheid"}]}}}))
    (tmp_path / "indicators").mkdir()
    entry = {"id": "een", "label_nl": "x", "label_en": "x", "theme": "veiligheid", "unit": "count",
             "polarity": "neutral", "source_keys": ["kop"]}
    (tmp_path / "indicators/a.yaml").write_text(yaml.safe_dump({"indicators": [entry]}))
    (tmp_path / "breakdowns.yaml").write_text(yaml.safe_dump(
        {"breakdowns": [{"id": "b", "total": "een", "parts": ["een", "twee"]}]}))
    with pytest.raises(ConfigError, match="breakdown 'b' names unknown indicator\\(s\\) twee"):
        Catalogue.load(tmp_path)
    (tmp_path / "indicators/a.yaml").write_text(yaml.safe_dump({"indicators": [entry | {"disclosure": "maybe"}]}))
    with pytest.raises(ConfigError, match="disclosure 'maybe'"):
        Catalogue.load(tmp_path)
