"""Rule comparison: every municipality's inequality indices side by side."""

from wijkmonitor.steps import comparison, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(
    smk.log[0],
    lambda: comparison(
        dict(zip(smk.params.cities, smk.input.inequality, strict=True)), smk.input.register, smk.output[0]
    ),
)
