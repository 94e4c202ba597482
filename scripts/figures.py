"""Rule figures: the report's charts as SVG, a manifest with captions and alt text, and per figure its
caption as reStructuredText (`captions/<name>.rst`) for `snakemake --report`."""

from wijkmonitor.canonical import ANALYSIS_COLUMNS
from wijkmonitor.steps import draw_figures, run_rule

smk = snakemake  # noqa: F821 (injected by Snakemake)
tables = {t: smk.input[t] for t in ANALYSIS_COLUMNS} | {"observations": smk.input.published}
run_rule(
    smk.log[0],
    lambda: draw_figures(
        smk.input.db, tables, smk.input.validation, dict(smk.params.config),
        smk.output.figures, smk.output.manifest,
    ),
)
