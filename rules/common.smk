# Shared set-up: validate the config (schema with defaults), resolve raw files, name outputs.
import sys
import time
from pathlib import Path

from wijkmonitor import code_digest
from wijkmonitor.bundle import BUNDLE_TABLES, DICTIONARY
from wijkmonitor.canonical import ANALYSIS_COLUMNS
from wijkmonitor.config import (
    analysis_settings,
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
except WijkmonitorError as exc:
    sys.exit(f"wijkmonitor: error: {exc.render()}")

PROCESSED = config["outputs"]["processed"]
REPORTS = config["outputs"]["reports"]
LOGS = config["outputs"]["logs"]
CATALOGUE = config["catalogue"]
CATALOGUE_FILES = sorted(str(p) for p in Path(CATALOGUE).rglob("*.yaml"))
REGISTER = config["area_register"]
WAREHOUSE = f"{PROCESSED}/warehouse.duckdb"
ANALYSIS = f"{PROCESSED}/analysis"
ANALYSIS_FILES = {table: f"{ANALYSIS}/{table}.parquet" for table in ANALYSIS_COLUMNS}
# The current observations as published (disclosure control applied): the bundle, figures and report read these.
PUBLISHED = f"{ANALYSIS}/published_observations.parquet"
BUNDLE_FILES = {table: f"{REPORTS}/data/{table}.csv" for table in BUNDLE_TABLES} | {
    DICTIONARY: f"{REPORTS}/data/data-dictionary.csv"
}
VALIDATION = f"{REPORTS}/validation/results.json"
CITY_SLUG = config["city"]["name"].lower().replace(" ", "-")
# This edition's record, and the newest earlier edition's (if a previous run left one) for the chapter
# on what changed since.
EDITION = str(config["report"]["edition"] or config["periods"]["last"])
EDITION_FILES = {
    "manifest": f"{REPORTS}/editions/{EDITION}/manifest.json",
    "observations": f"{REPORTS}/editions/{EDITION}/observations.parquet",
}
_previous = previous_edition(f"{REPORTS}/editions", EDITION)
PREVIOUS_EDITION = (
    [
        f"{REPORTS}/editions/{_previous}/manifest.json",
        f"{REPORTS}/editions/{_previous}/observations.parquet",
    ]
    if _previous
    else []
)
REPORT_PDF = f"{REPORTS}/{CITY_SLUG}-{config['periods']['last']}.pdf"
WORDS = Language(config["report"]["language"])  # category names in `snakemake --report`
CODE = code_digest()  # every rule's param: a changed package reruns the steps


def staging(key, suffix):
    return f"{PROCESSED}/staging/{key}.{suffix}"
