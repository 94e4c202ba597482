"""Rule warehouse: staging parquet files -> data/processed/warehouse.duckdb (the single writer)."""

from wijkmonitor.steps import run_rule, warehouse

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(
    smk.log[0],
    lambda: warehouse(
        list(zip(smk.input.parquet, smk.input.ingest_logs, strict=True)), smk.params.catalogue,
        smk.input.register, dict(smk.params.priorities), smk.params.demo_manifest,
        smk.params.analysis_dir, smk.output.db,
    ),
)
