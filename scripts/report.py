"""Rule report: the PDF report (typst) and the data it was typeset from."""

from wijkmonitor.canonical import ANALYSIS_COLUMNS
from wijkmonitor.steps import run_rule, write_report

smk = snakemake  # noqa: F821 (injected by Snakemake)
tables = {t: smk.input[t] for t in ANALYSIS_COLUMNS} | {"observations": smk.input.published}
run_rule(
    smk.log[0],
    lambda: write_report(
        smk.input.db, tables, smk.input.validation, smk.input.manifest,
        smk.input.figures, dict(smk.params.config), smk.input.template, smk.params.code_root,
        smk.output.pdf, smk.output.context, smk.input.edition, list(smk.input.previous),
    ),
)
