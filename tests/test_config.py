"""Config validation (schema with defaults) and resolving raw files."""

import pytest
import yaml

from conftest import ROOT
from wijkmonitor.config import load_config, raw_files, validate_config
from wijkmonitor.errors import ConfigError


def minimal(**extra):
    return {"city": {"name": "Utrecht", "code": "GM0344"}, "periods": {"first": 2014, "last": 2023},
            "sources": [{"id": "survey", "files": ["data/raw/demo/bewonersenquete/*.csv"]}]} | extra


def test_defaults_are_filled_in():
    config = validate_config(minimal())
    assert config["sources"][0]["format"] == "auto"
    assert config["analysis"] == {
        "min_periods_for_trend": 5, "significance": 0.05, "min_cases": 10, "vintage": "newest", "design_effect": {},
        "deprivation_indicator": None, "projection_period": None, "projection": {"indicators": [], "draws": 2000},
        "population_weights": "age_band", "simulations": 1000, "seed": 2017,
        "composite": {"indicators": [], "base_period": None, "weights": {}, "themes": {}, "sensitivity": 0.5}}
    assert config["report"]["theme_set"] == "wijkwijzer" and config["outputs"]["processed"] == "data/processed"


def test_the_default_config_is_valid():
    config = load_config(ROOT / "config.yaml")
    assert [s["id"] for s in config["sources"]] == ["bewonersenquete", "incijfers", "cbs_kwb", "rivm"]


@pytest.mark.parametrize(
    ("change", "message"),
    [({"city": {"name": "Utrecht", "code": "0344"}}, "'0344' does not match"),
     ({"periods": {"first": 2023, "last": 2014}}, "periods.first is after periods.last"),
     ({"colour": "blue"}, "unknown key 'colour' (keys allowed at the top level: analysis, area_links, area_register, "),
     ({"analysis": {"min_casess": 10}}, "unknown key 'analysis.min_casess' (keys allowed in 'analysis': composite,"),
     ({"report": {"language": "de"}}, "report.language: 'de' is not one of ['nl', 'en']"),
     ({"sources": [{"id": "a", "files": ["x"], "format": "excel"}]}, "sources[0].format: 'excel' is not one of"),
     ({"sources": [{"id": "a", "files": ["x"]}, {"id": "a", "files": ["y"]}]}, "source ids must be unique")],
)
def test_invalid_config_gives_one_message(change, message):
    with pytest.raises(ConfigError, match="invalid configuration") as error:
        validate_config(minimal(**change))
    assert message in str(error.value)


def test_raw_files_resolve_globs_and_refuse_empty_patterns(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    files = raw_files(validate_config(minimal()))
    assert list(files) == ["survey/wijkwijzer_bewonersenquete.csv"]
    assert files["survey/wijkwijzer_bewonersenquete.csv"].path == "data/raw/demo/bewonersenquete/wijkwijzer_bewonersenquete.csv"
    with pytest.raises(ConfigError, match="source 'survey': no file matches 'nowhere/\\*.csv'"):
        raw_files(validate_config(minimal(sources=[{"id": "survey", "files": ["nowhere/*.csv"]}])))


def test_load_config_names_a_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(minimal()))
    assert load_config(tmp_path / "c.yaml")["city"]["code"] == "GM0344"


def test_reader_options_reach_each_raw_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.csv").write_text("x", encoding="utf-8")
    (tmp_path / "b.xlsx").write_text("x", encoding="utf-8")
    config = validate_config(minimal(sources=[
        {"id": "swing", "files": ["a.csv"], "columns": ["% a|alle|2023", "% a|met kinderen|2023"]},
        {"id": "odata", "format": "cbs_odata", "files": ["b.xlsx"], "metadata": "meta/DataProperties.json",
         "sheet": "Data", "period": 2024},
    ]))
    files = raw_files(config)
    assert files["swing/a.csv"].options == {"columns": ["% a|alle|2023", "% a|met kinderen|2023"]}
    assert files["odata/b.xlsx"].options == {"period": 2024, "sheet": "Data", "metadata": "meta/DataProperties.json"}
    assert files["odata/b.xlsx"].format == "cbs_odata"


def test_a_column_mapping_must_name_indicator_and_year():
    with pytest.raises(ConfigError, match="does not match"):
        validate_config(minimal(sources=[{"id": "s", "files": ["a.csv"], "columns": ["% a"]}]))


def test_unknown_areas_policy_defaults_to_stop():
    assert validate_config(minimal())["ingest"]["unknown_areas"] == "stop"
    with pytest.raises(ConfigError, match="'ignore' is not one of"):
        validate_config(minimal(ingest={"unknown_areas": "ignore"}))


def test_composite_defaults_follow_the_report():
    from wijkmonitor.config import analysis_settings

    config = validate_config(minimal(report={"key_indicators": ["a", "b"], "reference_period": 2017}))
    settings = analysis_settings(config)
    assert settings["composite"]["indicators"] == ["a", "b"] and settings["composite"]["base_period"] == 2017
    assert config["analysis"]["composite"]["indicators"] == []  # the config itself is left as it was
    chosen = validate_config(minimal(analysis={"composite": {"indicators": ["c"], "base_period": 2015}},
                                     report={"key_indicators": ["a"], "reference_period": 2017}))
    assert analysis_settings(chosen)["composite"] == {
        "indicators": ["c"], "base_period": 2015, "weights": {}, "themes": {}, "sensitivity": 0.5}


def test_code_digest_follows_the_package_source(tmp_path):
    from wijkmonitor import code_digest

    (tmp_path / "readers").mkdir()
    (tmp_path / "readers/a.py").write_text("x = 1\n")
    (tmp_path / "messages.yaml").write_text("a: {nl: b, en: c}\n")
    first = code_digest(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__/a.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "notes.txt").write_text("not code")
    assert code_digest(tmp_path) == first  # compiled files and other files do not count
    (tmp_path / "readers/a.py").write_text("x = 2\n")
    assert code_digest(tmp_path) != first
    assert len(code_digest()) == 64 and code_digest() == code_digest()


def test_the_schema_offers_every_reader_format():
    """A format the readers have must be settable in the config, and no other."""
    from wijkmonitor.config import SCHEMA
    from wijkmonitor.readers import FORMATS

    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    offered = schema["properties"]["sources"]["items"]["properties"]["format"]["enum"]
    assert offered == ["auto", *FORMATS]
