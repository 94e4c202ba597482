"""Rule analyse of a `cities:` run: the analysis tables of a batch of municipalities, one after the
other in one job (steps.analyse_batch), each in its own folder of the output directory."""

from wijkmonitor.steps import analyse_batch, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(
    smk.log[0],
    lambda: analyse_batch(
        smk.input.db, smk.params.catalogue, smk.params.municipalities, smk.params.settings, smk.params.last_period,
        smk.output[0], smk.params.file_names, next(iter(smk.input.links), None),
    ),
)
