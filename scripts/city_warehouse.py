"""Rule city_warehouse: one municipality's warehouse, cut from the national warehouse."""

from wijkmonitor.steps import city_warehouse, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(smk.log[0], lambda: city_warehouse(smk.input.db, smk.params.city, smk.params.analysis_dir, smk.output.db))
