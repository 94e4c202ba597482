"""The report: choose what to show from the analysis tables, draw the figures, and typeset the PDF with typst.

Every number reaches the template as a formatted string inside JSON data (never as markup), so
names from input files cannot inject typst code.

`data` loads the run and chooses what to show, `tables` formats the tables, `text` writes the
sentences, `charts` draws the figures, `context` assembles the template's data and `render`
typesets it; the names callers use are re-exported here.
"""

from .charts import (
    build_figures,
    draw_maps,
    draw_profiles,
    draw_projections,
    draw_trends,
    theme_panels,
)
from .context import PACKAGES, build_context, code_revision
from .data import (
    DUTCH,
    RATE_UNITS,
    RunData,
    largest_gaps,
    level_gaps,
    load_run,
    ordered_indicators,
    profile_areas,
    profile_rows,
    report_themes,
    series,
    widening_gaps,
)
from .render import FONT_DIR, PDF_STANDARDS, PDF_TIMESTAMP, render_pdf
from .tables import composite_rows, definitions, inequality_rows, projection_rows, then_and_now
from .text import (
    change_summary,
    outlook_sentences,
    outlook_summary,
    references,
    significance_sentence,
)

__all__ = [
    "DUTCH", "FONT_DIR", "PACKAGES", "PDF_STANDARDS", "PDF_TIMESTAMP", "RATE_UNITS", "RunData",
    "build_context", "build_figures", "change_summary", "code_revision", "composite_rows", "definitions",
    "draw_maps", "draw_profiles", "draw_projections", "draw_trends", "inequality_rows", "largest_gaps",
    "level_gaps", "load_run", "ordered_indicators", "outlook_sentences", "outlook_summary",
    "profile_areas", "profile_rows", "projection_rows", "references", "render_pdf",
    "report_themes", "series", "significance_sentence", "theme_panels",
    "then_and_now", "widening_gaps",
]
