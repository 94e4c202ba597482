# Shared set-up: validate the config (schema with defaults), resolve raw files, name outputs.
import functools
import sys
import time
from pathlib import Path

from wijkmonitor import code_digest
from wijkmonitor.bundle import BUNDLE_TABLES, DICTIONARY
from wijkmonitor.areas import load_register
from wijkmonitor.canonical import ANALYSIS_COLUMNS
from wijkmonitor.cities import (
    batch_priorities,
    city_batches,
    city_settings,
    city_slug,
    city_slugs,
)
from wijkmonitor.config import (
    analysis_settings,
    area_links_file,
    boundary_files,
    raw_files,
    validate_config,
)
from wijkmonitor.editions import previous_edition
from wijkmonitor.errors import WijkmonitorError
from wijkmonitor.i18n import Language
from wijkmonitor.steps import step_errors

# When this run started, less a second of slack for file systems that store whole seconds.
RUN_STARTED = time.time() - 1

try:
    validate_config(config)
    RAW = raw_files(config)
    ANALYSIS_SETTINGS = analysis_settings(config)
    BOUNDARY_FILES = [path for path, _ in boundary_files(config)]
    # The link table of boundary changes (`wijkmonitor register ... --links-out`) the analysis joins
    # the series over, in both modes (none or one file; checked to exist here).
    AREA_LINKS = area_links_file(config)
except WijkmonitorError as exc:
    sys.exit(f"wijkmonitor: error: {exc.render()}")

PROCESSED = config["outputs"]["processed"]
REPORTS = config["outputs"]["reports"]
LOGS = config["outputs"]["logs"]
CATALOGUE = config["catalogue"]
CATALOGUE_FILES = sorted(str(p) for p in Path(CATALOGUE).rglob("*.yaml"))
WAREHOUSE = f"{PROCESSED}/warehouse.duckdb"
VALIDATION = f"{REPORTS}/validation/results.json"
# One municipality (`city:`), or many (`cities: all` or a list of GM codes, docs/scaling.md): then the
# register is built from the national files, ingest, warehouse and validation run once, and every step
# from the analysis on runs per municipality, with {city} (its file-name slug) in its paths.
CITIES = config.get("cities")
# The sources whose files list the areas of a `cities:` run (default: all).
REGISTER_SOURCES = config.get("register_sources") or [
    s["id"] for s in config["sources"]
]
if CITIES:
    REGISTER = f"{PROCESSED}/register/areas.csv"
    CITY_PROCESSED = f"{PROCESSED}/cities/{{city}}"
    CITY_REPORTS = f"{REPORTS}/{{city}}"
    CITY_LOGS = f"{LOGS}/{{city}}"
    CITY_WAREHOUSE = f"{CITY_PROCESSED}/warehouse.duckdb"
    REPORT_PDF = f"{REPORTS}/{{city}}-{config['periods']['last']}.pdf"
    COMPARISON = f"{REPORTS}/national-comparison-{config['periods']['last']}.csv"
    ANALYSIS_BATCH = f"{PROCESSED}/cities/analysis-batches/{{batch}}"
else:
    REGISTER = config["area_register"]
    CITY_PROCESSED, CITY_REPORTS, CITY_LOGS, CITY_WAREHOUSE = (
        PROCESSED,
        REPORTS,
        LOGS,
        WAREHOUSE,
    )
    REPORT_PDF = (
        f"{REPORTS}/{city_slug(config['city']['name'])}-{config['periods']['last']}.pdf"
    )
ANALYSIS = f"{CITY_PROCESSED}/analysis"


wildcard_constraints:
    city="[a-z0-9-]+",  # a municipality's file-name slug (cities.city_slug)
    batch="[0-9]+",  # a batch of municipalities one analysis job analyses (cities.city_batches)


ANALYSIS_FILES = {table: f"{ANALYSIS}/{table}.parquet" for table in ANALYSIS_COLUMNS}
# The current observations as published (disclosure control applied): the bundle, figures and report read these.
PUBLISHED = f"{ANALYSIS}/published_observations.parquet"
BUNDLE_FILES = {
    table: f"{CITY_REPORTS}/data/{table}.csv" for table in BUNDLE_TABLES
} | {DICTIONARY: f"{CITY_REPORTS}/data/data-dictionary.csv"}
# This edition's record, and the newest earlier edition's (if a previous run left one) for the chapter
# on what changed since.
EDITION = str(config["report"]["edition"] or config["periods"]["last"])
EDITION_FILES = {
    "manifest": f"{CITY_REPORTS}/editions/{EDITION}/manifest.json",
    "observations": f"{CITY_REPORTS}/editions/{EDITION}/observations.parquet",
}


def previous_edition_files(wildcards):
    """The record of the newest edition before this one, if a previous run left one."""
    folder = f"{CITY_REPORTS}/editions".format(**wildcards)
    previous = previous_edition(folder, EDITION)
    return (
        [
            f"{folder}/{previous}/manifest.json",
            f"{folder}/{previous}/observations.parquet",
        ]
        if previous
        else []
    )


@functools.lru_cache
def _register(register_path, modified):
    """The register of a `cities:` run, read once per version of the file."""
    return load_register(register_path)


@functools.lru_cache
def _cities(register_path, modified):
    register = _register(register_path, modified)
    return city_slugs(register), dict(zip(register["code"], register["name"]))


def cities():
    """(slug -> GM code, GM code -> name) of a `cities:` run, once the register is built."""
    path = checkpoints.national_register.get().output.register
    return _cities(path, Path(path).stat().st_mtime)


@functools.lru_cache
def _batches(register_path, modified, per_job):
    batches = city_batches(_cities(register_path, modified)[0], per_job)
    areas = _register(register_path, modified)["gemeente_code"].value_counts().to_dict()
    return (
        batches,
        {slug: batch for batch, members in batches.items() for slug in members},
        batch_priorities(batches, areas),
    )


def batches():
    """(batch id -> {slug: GM code}, slug -> batch id, batch id -> priority) of a `cities:` run: the
    municipalities one analysis job analyses (`cities_per_job`), and the order they are best run in
    (the largest first)."""
    path = checkpoints.national_register.get().output.register
    return _batches(path, Path(path).stat().st_mtime, config["cities_per_job"])


def city_code(wildcards):
    """The CBS code of the municipality a job is for."""
    return cities()[0][wildcards.city] if CITIES else config["city"]["code"]


def city_config(wildcards):
    """The config as the municipality a job is for sees it (cities.city_settings)."""
    if not CITIES:
        return config
    code = city_code(wildcards)
    return city_settings(config, code, cities()[1][code])


# The Snakemake priority of the jobs that should run as soon as they can: above every analysis
# batch's (cities.batch_priorities: at most the number of batches).
FIRST = 100000
WORDS = Language(config["report"]["language"])  # category names in `snakemake --report`
CODE = code_digest()  # every rule's param: a changed package reruns the steps


def staging(key, suffix):
    return f"{PROCESSED}/staging/{key}.{suffix}"
