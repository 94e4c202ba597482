"""Rule ingest: one raw file -> staging parquet + ingest log."""

from wijkmonitor.steps import ingest, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(
    smk.log[0],
    lambda: ingest(
        smk.params.raw, smk.params.catalogue, smk.input.register, smk.params.settings,
        smk.output.parquet, smk.output.ingest_log,
    ),
)
