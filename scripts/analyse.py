"""Rule analyse: every analysis table, from the warehouse's current observations (joined across the
config's area_links, `input.links`: none or one file)."""

from wijkmonitor.steps import analyse, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(
    smk.log[0],
    lambda: analyse(
        smk.input.db, smk.params.catalogue, smk.params.city, smk.params.settings, smk.params.last_period,
        dict(smk.output.items()), next(iter(smk.input.links), None),
    ),
)
