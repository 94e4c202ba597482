# wijkmonitor: raw exports -> staging -> DuckDB warehouse -> validation -> analysis -> figures -> PDF.
# The default run uses the committed demonstration data; point `--configfile` at your own.


configfile: "config.yaml"


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/warehouse.smk"
include: "rules/analyse.smk"
include: "rules/report.smk"


rule all:
    input:
        REPORT_PDF,
    default_target: True
