"""Rule edition: this edition's record (manifest with inputs, code and headline numbers; published observations)."""

from wijkmonitor.steps import run_rule, write_edition

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(
    smk.log[0],
    lambda: write_edition(smk.input.db, smk.input.published, dict(smk.params.config), smk.params.edition,
                          smk.output.manifest, smk.output.observations),
)
