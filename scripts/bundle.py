"""Rule bundle: the tidy data bundle (CSV for spreadsheets) and its data dictionary."""

from wijkmonitor.canonical import ANALYSIS_COLUMNS
from wijkmonitor.steps import data_bundle, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
tables = {t: smk.input[t] for t in ANALYSIS_COLUMNS} | {"observations": smk.input.published}
run_rule(smk.log[0], lambda: data_bundle(tables, smk.input.dictionary, dict(smk.output.items())))
