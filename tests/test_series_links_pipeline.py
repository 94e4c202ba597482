"""Series joined across boundary changes in a whole run (config `area_links`): a small tidy export in
which buurt BU03440119 (retired after 2022) was split into BU03440113 and BU03440114 (population shares
0.6 and 0.4) and buurt BU03440118 was recoded to BU03440121. The published observations carry the old
figures to the new codes (flagged in link/linked_from), the density cannot be carried (a break, in the
table series_breaks, the bundle and the report), and a bad links file stops the run with one message."""

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from test_pipeline import SNAKEMAKE, pdf_pages, snakemake, write_config

from conftest import ROOT

pytestmark = pytest.mark.pipeline

OLD_BUURTEN = [  # retired codes, as a register built from several kwb years lists them (valid_to)
    'BU03440118,Oud Lombok,buurt,SW0344012,WK034401,GM0344,Oud Lombok|Buurt Oud Lombok,,2022',
    'BU03440119,Oude Halve Maan,buurt,SW0344011,WK034401,GM0344,Oude Halve Maan|Buurt Oude Halve Maan,,2022',
]
LINKS = ("old_code,new_code,relation,share,from_year,to_year,evidence\n"
         "BU03440111,BU03440111,same,1,2022,2023,same code and name\n"
         "BU03440118,BU03440121,recoded,1,2022,2023,stated\n"
         "BU03440119,BU03440113,split,0.6,2022,2023,stated\n"
         "BU03440119,BU03440114,split,0.4,2022,2023,stated\n")
YEARS = range(2019, 2024)
PUBLISHED = "data/processed/analysis/published_observations.parquet"


def tidy_export() -> str:
    """Inhabitants (kwb a_inw), the share of households on social assistance (with n) and, once, the
    density (kwb bev_dich) under the source names the catalogue knows."""
    rows = ["indicator,area_code,period,value,n"]
    for i, year in enumerate(YEARS):
        rows += [f"a_inw,GM0344,{year},{361000 + 1000 * i},", f"huishoudens met bijstand,GM0344,{year},{6.0 - 0.1 * i:.1f},"]
        if year <= 2022:  # the old division
            rows += [f"a_inw,BU03440119,{year},{100 + 10 * i},",
                     f"huishoudens met bijstand,BU03440119,{year},{12.5 - 0.5 * i},200", f"a_inw,BU03440118,{year},{300 + 10 * i},"]
        else:  # the new division
            rows += ["a_inw,BU03440113,2023,80,", "huishoudens met bijstand,BU03440113,2023,10.2,120",
                     "a_inw,BU03440114,2023,55,", "huishoudens met bijstand,BU03440114,2023,9.0,100",
                     "a_inw,BU03440121,2023,340,"]
    rows.append("bev_dich,BU03440119,2022,5000,")  # per km²: cannot be apportioned by population
    return "\n".join(rows) + "\n"


def analyse_only(workdir: Path) -> subprocess.CompletedProcess:
    """Snakemake up to the analysis step (the target before --configfile, which takes several values)."""
    return subprocess.run(
        [SNAKEMAKE, PUBLISHED, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "1",
         "--configfile", str(workdir / "config.yaml")],
        capture_output=True, text=True, cwd=workdir, timeout=600,
    )


def setup_run(tmp_path: Path) -> dict:
    """The register with the retired buurten, the export, the links and the config; returns the config."""
    (tmp_path / "data/raw").mkdir(parents=True)
    (tmp_path / "data/raw/buurten.csv").write_text(tidy_export(), encoding="utf-8")
    register = (ROOT / "catalogue/areas.csv").read_text(encoding="utf-8").rstrip("\n")
    (tmp_path / "areas.csv").write_text(register + "\n" + "\n".join(OLD_BUURTEN) + "\n", encoding="utf-8")
    (tmp_path / "area_links.csv").write_text(LINKS, encoding="utf-8")
    config = {"city": {"name": "Utrecht", "code": "GM0344"}, "periods": {"first": 2015, "last": 2023},
              "area_register": "areas.csv", "area_links": "area_links.csv",
              "sources": [{"id": "monitor", "format": "tidy_csv", "files": ["data/raw/buurten.csv"]}],
              "report": {"focus_areas": ["BU03440113"], "key_indicators": ["huishoudens_bijstand", "inwoners"],
                         "reference_period": 2019, "trend_charts": 0}}
    write_config(tmp_path, config)
    return config


@pytest.fixture(scope="module")
def linked_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("links")
    config = setup_run(workdir)
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir, config


def test_split_and_recoded_series_are_carried_and_flagged(linked_run):
    workdir, _ = linked_run
    published = pd.read_parquet(workdir / PUBLISHED)
    rows = published.set_index(["indicator_id", "area_code", "period"])
    for area, share in (("BU03440113", 0.6), ("BU03440114", 0.4)):
        for i, year in enumerate(range(2019, 2023)):
            count = rows.loc[("inwoners", area, year)]
            assert count["value"] == pytest.approx((100 + 10 * i) * share)  # 100 -> 60 and 40, ...
            assert (count["link"], count["linked_from"], count["status"]) == ("split", "BU03440119", "ok")
            rate = rows.loc[("huishoudens_bijstand", area, year)]  # a share is kept; no n, no interval
            assert rate["value"] == pytest.approx(12.5 - 0.5 * i) and rate["link"] == "split"
            assert pd.isna(rate["n"]) and pd.isna(rate["ci_low"])
        assert pd.isna(rows.loc[("inwoners", area, 2023), "link"])  # its own figure
    recoded = rows.loc[("inwoners", "BU03440121", 2019)]
    assert recoded["value"] == 300 and (recoded["link"], recoded["linked_from"]) == ("recoded", "BU03440118")
    assert not published[published["link"].isna()]["linked_from"].notna().any()
    assert ("bevolkingsdichtheid", "BU03440113", 2022) not in rows.index  # not carried: a break
    # The bundle has the flags too.
    from wijkmonitor.bundle import read_csv

    bundle = read_csv(workdir / "reports/data/observations.csv")
    flagged = bundle[bundle["link"].notna()]
    assert len(flagged) == 2 * 4 * 2 + 4 and set(flagged["link"]) == {"split", "recoded"}
    log = (workdir / "logs/analyse.log").read_text(encoding="utf-8")
    assert "20 figure(s) carried over area links (recoded 4, split 16); 2 break(s)" in log


def test_trends_follow_the_joined_series_and_gaps_keep_each_years_division(linked_run):
    workdir, _ = linked_run
    analysis = workdir / "data/processed/analysis"
    trends = pd.read_parquet(analysis / "trends.parquet").set_index(["indicator_id", "area_code"])
    joined = trends.loc[("huishoudens_bijstand", "BU03440113")]
    assert (joined["first_period"], joined["last_period"], joined["n_periods"]) == (2019, 2023, 5)
    assert joined["trend_test"] == "ols_trend"  # five points: a line, whose test needs no intervals
    gaps = pd.read_parquet(analysis / "gaps.parquet")
    years = gaps[gaps["indicator_id"] == "huishoudens_bijstand"].groupby("area_code")["period"].agg(list).to_dict()
    assert years["BU03440113"] == [2023] and years["BU03440119"] == [2019, 2020, 2021, 2022]


def test_a_break_is_listed_in_the_table_the_bundle_and_the_report(linked_run):
    workdir, _ = linked_run
    breaks = pd.read_parquet(workdir / "data/processed/analysis/series_breaks.parquet")
    assert breaks[["area_code", "indicator_id", "from_year", "to_year", "relation"]].values.tolist() == [
        ["BU03440113", "bevolkingsdichtheid", 2022, 2023, "split"],
        ["BU03440114", "bevolkingsdichtheid", 2022, 2023, "split"]]
    assert breaks["reason"].iloc[0] == "split of BU03440119: unit 'per_km2' cannot be apportioned by population (2022)"
    assert breaks["cause"].tolist() == ["not_apportionable", "not_apportionable"]
    from wijkmonitor.bundle import read_csv

    bundled = read_csv(workdir / "reports/data/series_breaks.csv")
    assert bundled["area_code"].tolist() == ["BU03440113", "BU03440114"]
    assert bundled["cause"].tolist() == ["not_apportionable", "not_apportionable"]
    dictionary = read_csv(workdir / "reports/data/data-dictionary.csv")
    assert {"link", "linked_from"} <= set(dictionary.loc[dictionary["table"] == "observations", "column"])
    assert {"reason", "cause"} <= set(dictionary.loc[dictionary["table"] == "series_breaks", "column"])
    text = " ".join(" ".join(pdf_pages(workdir / "reports/utrecht-2023.pdf")).split()).replace("\u200b", "")
    section = text[text.index("Gebiedswijzigingen 20 cijfer(s)"):]
    assert section.startswith("Gebiedswijzigingen 20 cijfer(s) zijn over een gebiedswijziging doorgetrokken naar de "
                              "nieuwe gebiedscode (area_links): 4 omgecodeerd (gekopieerd), 16 gesplitst (geschat).")
    assert "in de veronderstelling dat het oude gebied homogeen was" in section
    assert "2 reeks(en) zijn bij een gebiedswijziging gebroken" in section
    # The relation and the cause in Dutch, not the table's English reason.
    assert re.search(r"Halve Maan-Zuid Bevolkingsdichtheid 2022–2023 \(gesplitst\) eenheid niet naar bevolking te "
                     r"verdelen Halve Maan-Noord", section)
    assert "cannot be apportioned" not in section and "(split)" not in section
    # The focus table marks the carried figure of the reference year.
    assert re.search(r"Huishoudens met bijstand 12,5%\* 6,0%", text)
    assert "* doorgetrokken over een gebiedswijziging" in text
    # A trend chart of the area would say so in its caption (the run draws none: buurten are not charted).
    from wijkmonitor.canonical import ANALYSIS_COLUMNS
    from wijkmonitor.report.charts import _carried_note
    from wijkmonitor.report.data import load_run

    analysis = {t: workdir / f"data/processed/analysis/{t}.parquet" for t in ANALYSIS_COLUMNS} | {
        "observations": workdir / PUBLISHED}
    run = load_run(str(workdir / "data/processed/warehouse.duckdb"), analysis,
                   str(workdir / "reports/validation/results.json"))
    assert _carried_note(run, "inwoners", "BU03440113") == (
        " De cijfers van 2019–2022 zijn over een gebiedswijziging doorgetrokken (gesplitst).")
    assert _carried_note(run, "inwoners", "GM0344") == ""


def test_without_links_the_published_observations_have_empty_flags(tmp_path):
    """No area_links: the published observations have the same columns, empty, and there are no breaks
    (the run up to the analysis step)."""
    config = setup_run(tmp_path)
    config.pop("area_links")
    write_config(tmp_path, config)
    result = analyse_only(tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    published = pd.read_parquet(tmp_path / PUBLISHED)
    assert {"link", "linked_from"} <= set(published.columns) and published["link"].isna().all()
    assert pd.read_parquet(tmp_path / "data/processed/analysis/series_breaks.parquet").empty
    assert published.loc[published["area_code"] == "BU03440113", "period"].tolist() == [2023, 2023]


@pytest.mark.parametrize(("links", "message"), [
    (LINKS.replace("recoded,1", "moved,1"),
     "area_links.csv, row 3, column 'relation': area_links: relation 'moved' is not one of same, renamed, "
     "recoded, split, merged."),
    (LINKS.replace("BU03440121,recoded", "BU03449999,recoded"),
     "area_links.csv, row 3, column 'new_code': area_links: new_code 'BU03449999' is not in the area register, "
     "but old_code 'BU03440118' is"),
    (LINKS.replace("0.4,2022", "0.3,2022"),
     "area_links.csv, row 4, column 'share': area_links: the shares of the split of BU03440119 (2022) must all be "
     "given and sum to 1 (they sum to 0.9)."),
])
def test_a_bad_links_file_stops_the_run_with_one_message(linked_run, tmp_path, links, message):
    """The warehouse of the good run is reused (copied), so only the analysis runs again."""
    workdir, _ = linked_run
    shutil.copytree(workdir, tmp_path / "run")
    run = tmp_path / "run"
    (run / "area_links.csv").write_text(links, encoding="utf-8")
    result = analyse_only(run)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith(f"wijkmonitor: error: {message}")


def test_a_missing_links_file_stops_the_run_before_any_step(tmp_path):
    config = setup_run(tmp_path)
    write_config(tmp_path, config | {"area_links": "nowhere.csv"})
    result = snakemake(tmp_path)
    assert result.returncode != 0
    assert "wijkmonitor: error: nowhere.csv: area_links: file not found." in result.stderr
