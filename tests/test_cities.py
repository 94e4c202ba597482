"""The whole country (`cities:`): the national register, names and slugs, and a run for two municipalities."""

import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT, job_counts, skip_without_shared
from wijkmonitor.cities import (
    area_codes,
    batch_priorities,
    city_batches,
    city_settings,
    city_slug,
    city_slugs,
    comparison_table,
    national_register,
)
from wijkmonitor.config import validate_config
from wijkmonitor.errors import ConfigError, ReaderError, WijkmonitorError
from wijkmonitor.readers import read_file

SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
RIVM_2020 = "national/rivm-50090NED/RIVM_gezondheid2020_18+.xlsx"


@pytest.mark.parametrize(("name", "slug"), [
    ("Utrecht", "utrecht"), ("'s-Hertogenbosch", "s-hertogenbosch"), ("Bergen (L.)", "bergen-l"),
    ("Bergen (NH.)", "bergen-nh"), ("Súdwest-Fryslân", "sudwest-fryslan"), ("Aa en Hunze", "aa-en-hunze"),
])
def test_a_municipality_name_as_a_file_name(name, slug):
    assert city_slug(name) == slug


def test_two_municipalities_with_the_same_slug_get_their_codes():
    register = pd.DataFrame({"code": ["GM0001", "GM0002", "GM0344"], "name": ["Bergen", "Bergen", "Utrecht"],
                             "level": "gemeente"})
    assert city_slugs(register) == {"bergen-gm0001": "GM0001", "bergen-gm0002": "GM0002", "utrecht": "GM0344"}


def test_municipalities_are_analysed_in_batches_in_code_order():
    slugs = {f"m{number}": f"GM{number:04d}" for number in range(23, 0, -1)}  # given in reverse
    batches = city_batches(slugs, 10)
    assert list(batches) == ["1", "2", "3"]
    assert [len(members) for members in batches.values()] == [10, 10, 3]
    assert list(batches["1"].values()) == [f"GM{number:04d}" for number in range(1, 11)]
    assert batches["3"] == {"m21": "GM0021", "m22": "GM0022", "m23": "GM0023"}
    one_each = city_batches(slugs, 1)
    assert list(one_each)[:2] == ["01", "02"] and len(one_each) == 23  # one width: sorts as it counts
    assert one_each["23"] == {"m23": "GM0023"}
    with pytest.raises(ConfigError, match="cities_per_job"):
        city_batches(slugs, 0)


def test_the_batch_with_the_most_areas_runs_first():
    batches = {"1": {"a": "GM0001", "b": "GM0002"}, "2": {"c": "GM0003"}, "3": {"d": "GM0004"},
               "4": {"e": "GM0005"}}
    areas = {"GM0001": 10, "GM0002": 5, "GM0003": 579, "GM0004": 15, "GM0005": 15}
    # 15, 579, 15 and 15 areas: batch 2 first; the ties in code order (1 before 3 before 4).
    assert batch_priorities(batches, areas) == {"2": 4, "1": 3, "3": 2, "4": 1}


def test_a_failing_municipality_stops_its_batch_and_is_named(monkeypatch, tmp_path):
    from wijkmonitor import steps

    done = []

    def analyse(db, catalogue_dir, code, settings, last, outputs, links, municipality, catalogue):
        if code == "GM0307":
            raise WijkmonitorError("no figures", file="warehouse.duckdb")
        done.append((code, municipality, outputs["gaps"]))

    monkeypatch.setattr(steps, "analyse", analyse)
    batch = {"utrecht": "GM0344", "amersfoort": "GM0307", "zwolle": "GM0193"}
    with pytest.raises(WijkmonitorError) as caught:
        steps.analyse_batch("w.duckdb", str(ROOT / "catalogue"), batch, {}, 2020, str(tmp_path),
                            {"gaps": "gaps.parquet"})
    assert caught.value.render() == "warehouse.duckdb: analysis of municipality GM0307 (amersfoort): no figures"
    assert done == [("GM0344", "GM0344", str(tmp_path / "utrecht" / "gaps.parquet"))]


def test_a_city_sees_the_config_with_itself_as_the_city_and_no_other_citys_areas():
    config = {"city": None, "cities": "all", "report": {"title": "Wijkmonitor", "focus_areas": ["WK034403"],
                                                         "boundaries": ["x.geojson"], "key_indicators": ["a"]}}
    settings = city_settings(config, "GM0307", "Amersfoort")
    assert settings["city"] == {"name": "Amersfoort", "code": "GM0307"}
    assert settings["report"]["title"] == "Wijkmonitor Amersfoort"
    assert settings["report"]["focus_areas"] == [] and settings["report"]["boundaries"] == []
    assert settings["report"]["key_indicators"] == ["a"]
    assert config["report"]["focus_areas"] == ["WK034403"]  # the run's config is left alone


def test_a_code_with_the_wrong_number_of_digits_is_refused():
    table = pd.DataFrame({"area_code": ["GM0344", "WK03443"], "area_name": ["Utrecht", "WK03443"]})
    with pytest.raises(ReaderError, match="WK03443.*wrong number of digits"):
        area_codes(table, "f.xlsx")


def test_the_comparison_table_puts_each_municipality_first_and_keeps_its_values():
    one = pd.DataFrame({"indicator_id": ["x", "x"], "category": [None, None], "period": [2020, 2020],
                        "level": ["wijk", "buurt"], "theil": [0.01, 0.02]})
    two = one.assign(theil=[0.03, 0.04])
    table = comparison_table({"GM0344": one, "GM0307": two, "GM0363": one.iloc[:0]},
                             {"GM0344": "Utrecht", "GM0307": "Amersfoort", "GM0363": "Amsterdam"})
    assert list(table.columns[:2]) == ["gemeente_code", "gemeente"]
    assert list(table["gemeente"]) == ["Amersfoort", "Amersfoort", "Utrecht", "Utrecht"]
    assert table.set_index(["gemeente_code", "level"])["theil"].to_dict() == {
        ("GM0307", "buurt"): 0.04, ("GM0307", "wijk"): 0.03, ("GM0344", "buurt"): 0.02, ("GM0344", "wijk"): 0.01}


def test_cities_are_codes_or_all_and_register_sources_must_be_sources():
    base = {"periods": {"first": 2012, "last": 2020}, "sources": [{"id": "rivm", "files": ["x"]}]}
    with pytest.raises(ConfigError, match="cities"):
        validate_config(base | {"cities": ["GM344"]})
    with pytest.raises(ConfigError, match="register_sources: kwb is not the id of a source"):
        validate_config(base | {"cities": "all", "register_sources": ["kwb"]})
    with pytest.raises(ConfigError):
        validate_config(base)  # neither city nor cities
    assert validate_config(base | {"cities": ["GM0344", "GM0307"]})["cities"] == ["GM0344", "GM0307"]


# ------------------------------------------------------------- the real national file


@pytest.fixture(scope="module")
def rivm_2020_areas(shared_data):
    path = str(shared_data / RIVM_2020)
    return [(path, area_codes(read_file(path, "auto")[1].table, path))]


@skip_without_shared
def test_the_national_register_holds_every_municipality_wijk_and_buurt_of_the_file(rivm_2020_areas):
    # Counted in the file (WijkenEnBuurten): 17,341 regions = NL + 355 + 3,177 + 13,808 (data README).
    register = national_register(rivm_2020_areas, "all")
    assert register["level"].value_counts().to_dict() == {"buurt": 13808, "wijk": 3177, "gemeente": 355}
    by_code = register.set_index("code")
    # A municipality's own row is named by Gemeentenaam_1; wijken and buurten have no name in the file.
    assert by_code.loc["GM0344", "name"] == "Utrecht"
    assert by_code.loc["GM0796", "name"] == "'s-Hertogenbosch"
    assert by_code.loc["WK034403", "name"] == "WK034403"
    assert by_code.loc["BU03440311", ["parent_code", "wijk_code", "gemeente_code"]].tolist() == [
        "WK034403", "WK034403", "GM0344"]
    assert by_code.loc["WK034403", "parent_code"] == "GM0344"


@skip_without_shared
def test_the_register_of_selected_municipalities_and_an_unknown_code(rivm_2020_areas):
    register = national_register(rivm_2020_areas, ["GM0344"])
    assert register["level"].value_counts().to_dict() == {"buurt": 111, "wijk": 10, "gemeente": 1}
    assert set(register["gemeente_code"]) == {"GM0344"}
    with pytest.raises(ConfigError, match="GM9999 not in the national files"):
        national_register(rivm_2020_areas, ["GM0344", "GM9999"])


# -------------------------------------------------------- a run for two municipalities


@pytest.fixture(scope="module")
def cities_run(tmp_path_factory, shared_data):
    """config/national.yaml for Utrecht and Amersfoort, on the three 18+ files (2012, 2016, 2020)."""
    workdir = tmp_path_factory.mktemp("cities")
    config = yaml.safe_load((ROOT / "config/national.yaml").read_text(encoding="utf-8"))
    config["cities"] = ["GM0344", "GM0307"]
    config["catalogue"] = str(ROOT / "catalogue")
    config["sources"][0]["files"] = [str(shared_data / "national/rivm-50090NED/*18+.xlsx")]
    config.pop("outputs")
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    command = [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "2",
               "--configfile", str(workdir / "config.yaml")]
    result = subprocess.run(command, capture_output=True, text=True, cwd=workdir, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    again = subprocess.run([*command, "--dry-run"], capture_output=True, text=True, cwd=workdir, timeout=600)
    return workdir, again


@skip_without_shared
@pytest.mark.pipeline
def test_each_municipality_gets_its_own_report_named_after_it(cities_run):
    workdir, _ = cities_run
    reports = workdir / "reports"
    assert sorted(p.name for p in reports.glob("*.pdf")) == ["amersfoort-2020.pdf", "utrecht-2020.pdf"]
    first_page = PdfReader(io.BytesIO((reports / "utrecht-2020.pdf").read_bytes())).pages[0].extract_text()
    assert "Wijkmonitor Utrecht" in first_page
    for city in ("utrecht", "amersfoort"):
        assert (reports / city / "data" / "gaps.csv").is_file()
        assert (reports / city / "editions").is_dir()


@skip_without_shared
@pytest.mark.pipeline
def test_each_municipality_publishes_only_its_own_areas_with_the_files_values(cities_run):
    workdir, _ = cities_run
    utrecht = pd.read_parquet(workdir / "data/processed/cities/utrecht/analysis/published_observations.parquet")
    assert utrecht["area_code"].str[2:6].eq("0344").all()
    assert utrecht["area_code"].str.startswith("WK").sum() > 0
    good = utrecht[(utrecht["indicator_id"] == "ervaren_gezondheid_goed") & (utrecht["category"] == "18+")
                   & (utrecht["period"] == 2020)].set_index("area_code")["value"]
    # RIVM_gezondheid2020_18+.xlsx, ErvarenGezondheidGoedZeerGoed_4: GM0344 '    80.8', WK034403 '    69.9'.
    assert good["GM0344"] == pytest.approx(80.8) and good["WK034403"] == pytest.approx(69.9)
    amersfoort = pd.read_parquet(workdir / "data/processed/cities/amersfoort/analysis/gaps.parquet")
    assert amersfoort["area_code"].str[2:6].eq("0307").all()
    assert set(amersfoort.loc[amersfoort["level"] == "wijk", "area_code"]) <= {f"WK0307{i:02d}" for i in range(100)}


@skip_without_shared
@pytest.mark.pipeline
def test_the_national_comparison_holds_each_municipalitys_own_inequality_indices(cities_run):
    workdir, _ = cities_run
    comparison = pd.read_csv(workdir / "reports/national-comparison-2020.csv")
    assert set(comparison["gemeente"]) == {"Utrecht", "Amersfoort"}
    for slug, code in (("utrecht", "GM0344"), ("amersfoort", "GM0307")):
        own = pd.read_parquet(workdir / f"data/processed/cities/{slug}/analysis/inequality.parquet")
        mine = comparison[comparison["gemeente_code"] == code]
        assert len(mine) == len(own) > 0
        keys = ["indicator_id", "category", "period", "level"]
        merged = mine.merge(own, on=keys, suffixes=("", "_own"))
        assert len(merged) == len(own)
        # RIVM gives no population, so the weighted indices (Theil, Gini) are empty; the spread is not.
        assert merged["cv"].notna().sum() > 0
        for index in ("cv", "range", "ratio_max_min", "theil", "sii"):
            assert np.allclose(merged[index].astype(float), merged[f"{index}_own"].astype(float), equal_nan=True)


@skip_without_shared
@pytest.mark.pipeline
def test_a_finished_national_run_has_nothing_left_to_do(cities_run):
    workdir, again = cities_run
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Nothing to be done" in again.stdout + again.stderr
    # The batch folder was temporary: each municipality's tables were copied to its own folder.
    assert not (workdir / "data/processed/cities/analysis-batches").exists() or not any(
        (workdir / "data/processed/cities/analysis-batches").iterdir())


@skip_without_shared
@pytest.mark.pipeline
def test_the_analysis_jobs_are_batches_of_cities_per_job(cities_run):
    workdir, _ = cities_run
    command = [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "2",
               "--configfile", str(workdir / "config.yaml"), "--dry-run", "--forcerun", "analyse",
               "--until", "analysis_tables"]
    counts = {}
    for per_job in (10, 1):
        result = subprocess.run([*command, "--config", f"cities_per_job={per_job}"], capture_output=True, text=True,
                                cwd=workdir, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
        counts[per_job] = job_counts(result.stdout)
    assert counts[10]["analyse"] == 1 and counts[1]["analyse"] == 2
    assert counts[10]["city_analysis"] == counts[1]["city_analysis"] == 2


@skip_without_shared
@pytest.mark.pipeline
def test_the_analysis_runs_beside_the_validation_and_is_published_after_it(cities_run):
    """The analysis batches need the warehouse, not the validation (they start beside it); the copies
    that publish each municipality's tables wait for the validation (Snakemake's rule graph)."""
    workdir, _ = cities_run
    result = subprocess.run([SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
                             "--configfile", str(workdir / "config.yaml"), "--rulegraph", "--forcerun", "warehouse",
                             "analysis_tables"], capture_output=True, text=True, cwd=workdir, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    names = dict(re.findall(r"^\s*(\d+)\[label = \"(\w+)\"", result.stdout, flags=re.M))
    edges = {(names[a], names[b]) for a, b in re.findall(r"^\s*(\d+) -> (\d+)", result.stdout, flags=re.M)}
    assert ("warehouse", "analyse") in edges and ("warehouse", "validate") in edges
    assert ("validate", "city_analysis") in edges and ("analyse", "city_analysis") in edges
    assert ("validate", "analyse") not in edges


@skip_without_shared
@pytest.mark.pipeline
def test_analysing_the_national_warehouse_for_one_city_equals_analysing_its_own_warehouse(cities_run, tmp_path):
    """The analysis step reads a municipality's figures from the national warehouse (`municipality`);
    on the municipality's own warehouse (city_warehouse, what its figures and report read) every
    table comes out the same."""
    from wijkmonitor.canonical import ANALYSIS_COLUMNS
    from wijkmonitor.config import analysis_settings, load_config
    from wijkmonitor.steps import analyse

    workdir, _ = cities_run
    config = load_config(workdir / "config.yaml")
    settings = analysis_settings(config)
    tables = [*ANALYSIS_COLUMNS, "observations"]
    outputs = {}
    for name, db, municipality in (("national", workdir / "data/processed/warehouse.duckdb", "GM0307"),
                                   ("own", workdir / "data/processed/cities/amersfoort/warehouse.duckdb", None)):
        outputs[name] = {t: str(tmp_path / name / f"{t}.parquet") for t in tables}
        analyse(str(db), str(ROOT / "catalogue"), "GM0307", settings, 2020, outputs[name], None, municipality)
    for table in tables:
        national, own = (pd.read_parquet(outputs[name][table]) for name in ("national", "own"))
        pd.testing.assert_frame_equal(national, own, obj=table)
    assert len(pd.read_parquet(outputs["own"]["gaps"])) > 1000
