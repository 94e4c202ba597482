"""Rule validate: great-expectations checks on the warehouse; stops the run on critical failures."""

from wijkmonitor.steps import run_rule, validate

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(smk.log[0], lambda: validate(smk.input.db, smk.params.first, smk.params.last, smk.output.results))
