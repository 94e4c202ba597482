# Shared set-up: validate the config (schema with defaults), resolve raw files, name outputs.
import sys
from pathlib import Path

from wijkmonitor.config import raw_files, validate_config
from wijkmonitor.errors import WijkmonitorError

try:
    validate_config(config)
    RAW = raw_files(config)
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
VALIDATION = f"{REPORTS}/validation/results.json"
CITY_SLUG = config["city"]["name"].lower().replace(" ", "-")
REPORT_PDF = f"{REPORTS}/{CITY_SLUG}-{config['periods']['last']}.pdf"


def staging(key, suffix):
    return f"{PROCESSED}/staging/{key}.{suffix}"
