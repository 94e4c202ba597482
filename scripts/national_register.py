"""Rule national_register: the register of the selected municipalities from the national files."""

from wijkmonitor.steps import national_register, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
run_rule(smk.log[0], lambda: national_register(list(smk.params.raws), smk.params.cities, smk.output.register))
