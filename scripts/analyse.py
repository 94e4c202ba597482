"""Rule analyse: gaps to the city and trends per area."""

from wijkmonitor.steps import analyse, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(
    smk.log[0],
    lambda: analyse(
        smk.input.db, smk.params.city, smk.params.min_periods, smk.params.significance,
        smk.output.gaps, smk.output.trends,
    ),
)
