"""Typeset the report's context into a PDF with typst, reproducibly and as PDF/UA-1 and PDF/A-2a."""

from __future__ import annotations

import json
from pathlib import Path

from .. import figures

FONT_DIR = Path(figures.matplotlib.get_data_path()) / "fonts" / "ttf"
# typst's PDF timestamp: fixed, so the same inputs give the same bytes.
PDF_TIMESTAMP = 0
# Tagged and accessible (PDF/UA-1: structure tree, language, alt text on every figure, table headers)
# and archivable (PDF/A-2a); typst refuses to write a PDF that breaks either.
PDF_STANDARDS = ("a-2a", "ua-1")


def render_pdf(context: dict, template: str | Path, figures_dir: str | Path, out_pdf: str | Path) -> None:
    """Typeset the report with typst; fonts are matplotlib's bundled DejaVu (pinned with it), system
    fonts are ignored and the timestamp is fixed, so identical inputs give identical bytes."""
    import typst

    from ..steps import atomic_path

    # The template is passed as bytes with the figures folder as typst's root, so the template
    # can live in the repository while outputs live wherever the config puts them.
    data = dict(context, figures_dir="")
    pdf = typst.compile(
        Path(template).read_bytes(), root=str(Path(figures_dir).resolve()), font_paths=[str(FONT_DIR)],
        ignore_system_fonts=True, sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        timestamp=PDF_TIMESTAMP, pdf_standards=list(PDF_STANDARDS),
    )
    with atomic_path(out_pdf) as tmp:
        tmp.write_bytes(pdf)
