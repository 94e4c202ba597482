# wijkmonitor: raw exports -> staging -> DuckDB warehouse -> validation -> analysis -> figures -> PDF.
# The default run uses the committed demonstration data. With `--configfile my.yaml` only that
# file is used (not merged with config.yaml), so no demo setting leaks into an analyst's run.


if not workflow.overwrite_configfiles:

    configfile: "config.yaml"


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/warehouse.smk"
include: "rules/analyse.smk"
include: "rules/report.smk"
include: "rules/cities.smk"


# Optional (docs/download.md): `snakemake --cores 1 download` fetches the CBS tables of `download:`.
if config.get("download"):

    include: "rules/download.smk"


rule all:
    default_target: True
    input:
        all_outputs,


# A failed run ends with the wijkmonitor error(s) its rules logged, as its last lines, rather than
# under Snakemake's summary; errors of Snakemake itself keep Snakemake's own ending.
onerror:
    errors = step_errors(LOGS, RUN_STARTED)
    if errors:
        print(
            "\n".join(f"wijkmonitor: error: {e}" for e in errors), file=sys.stderr
        )
        sys.exit(1)
