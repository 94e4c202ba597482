"""Rule download_table: one CBS table through the CBS OData API, cut to the municipality (docs/download.md)."""

from wijkmonitor.download import download_for_rule
from wijkmonitor.steps import run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(smk.log[0], lambda: download_for_rule(dict(smk.params.table), dict(smk.config)))
