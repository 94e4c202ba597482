# Optional: CBS tables through the CBS OData API (docs/download.md), as the config's `download:`
# section and city.code name them: the Kerncijfers wijken en buurten of its kwb_years and the
# RIVM/CBS health table with its Marges. Included by the Snakefile only when the config has a
# `download:` section, and not part of the default target: `snakemake --cores 1 download` fetches
# the tables that have no download yet; `--forcerun download_table` fetches them all again.
#
# Each table is a job of its own whose output is the provenance record `download.json`, written
# last: the data set and metadata files beside it are written by the same job but not declared,
# so the default run's ingest jobs never depend on this rule (files placed by hand, without
# download.json, are read as they are), and a failed refresh keeps the earlier download
# (`update`: Snakemake neither removes nor cleans up the record).
import sys

from wijkmonitor.download import PROVENANCE, download_plan
from wijkmonitor.errors import WijkmonitorError

try:
    DOWNLOAD_PLAN = {item.table_id: item for item in download_plan(config)}
except WijkmonitorError as exc:
    sys.exit(f"wijkmonitor: error: {exc.render()}")

DOWNLOAD_OUT = next(iter(DOWNLOAD_PLAN.values())).out_dir
DOWNLOAD_LOGS = (config.get("outputs") or {}).get("logs", "logs")


rule download:
    input:
        [str(item.provenance) for item in DOWNLOAD_PLAN.values()],


rule download_table:
    output:
        update(f"{DOWNLOAD_OUT}/{{table}}/{PROVENANCE}"),
    log:
        f"{DOWNLOAD_LOGS}/download/{{table}}.log",
    wildcard_constraints:
        table="|".join(DOWNLOAD_PLAN),
    # All cores: one table at a time, so CBS's API gets one request at a time and, offline, the
    # first failure stops the run with one message (it names the other tables' files too).
    threads: workflow.cores
    params:
        table=lambda w: DOWNLOAD_PLAN[w.table].settings(),
    message:
        "Downloading CBS table {wildcards.table}, cut to the municipality"
    script:
        "../scripts/download.py"
