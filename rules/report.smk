# Figures (SVG, text kept as text) and the PDF report typeset with typst.
import json
from pathlib import Path


def figure_manifest(output):
    """Rule figures' manifest: a list of {file, kind, title, caption, alt, ...}, one per SVG."""
    return json.loads(Path(output.manifest).read_text(encoding="utf-8"))


def figure_entry(manifest, name):
    return next(entry for entry in manifest if entry["file"] == f"{name}.svg")


def figure_group(wildcards, output):
    """A figure's subcategory in `snakemake --report`: its kind in the report's language."""
    return figure_entry(figure_manifest(output), wildcards.name)["group"]


def figure_labels(wildcards, output):
    """A figure's row in `snakemake --report`: its title, plus its file name when another figure has the
    same title (e.g. a map per level), since the report shows one row per distinct label.
    """
    manifest = figure_manifest(output)
    entry = figure_entry(manifest, wildcards.name)
    shared = sum(e["title"] == entry["title"] for e in manifest) > 1
    return {
        "figure": f"{entry['title']} ({entry['file']})" if shared else entry["title"]
    }


rule figures:
    input:
        **ANALYSIS_FILES,
        published=PUBLISHED,
        db=CITY_WAREHOUSE,
        validation=VALIDATION,
        themes=f"{CATALOGUE}/themes.yaml",
        boundaries=BOUNDARY_FILES,
    output:
        figures=report(
            directory(f"{CITY_REPORTS}/figures"),
            patterns=["{name}.svg"],
            caption="../reports/captions/figures.rst",
            category=WORDS("html.figures"),
            subcategory=figure_group,
            labels=figure_labels,
        ),
        manifest=f"{CITY_REPORTS}/build/figures.json",
    log:
        f"{CITY_LOGS}/figures.log",
    benchmark:
        f"{CITY_LOGS}/benchmarks/figures.tsv"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        code=CODE,
        config=city_config,
    message:
        "Drawing the figures"
    script:
        "../scripts/figures.py"


rule edition:
    input:
        published=PUBLISHED,
        db=CITY_WAREHOUSE,
    output:
        **EDITION_FILES,
    log:
        f"{CITY_LOGS}/edition.log",
    benchmark:
        f"{CITY_LOGS}/benchmarks/edition.tsv"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        code=CODE,
        config=city_config,
        edition=EDITION,
    message:
        "Recording edition {params.edition}"
    script:
        "../scripts/edition.py"


rule report:
    input:
        **ANALYSIS_FILES,
        published=PUBLISHED,
        edition=EDITION_FILES["manifest"],
        previous=previous_edition_files,
        db=CITY_WAREHOUSE,
        validation=VALIDATION,
        figures=f"{CITY_REPORTS}/figures",
        manifest=f"{CITY_REPORTS}/build/figures.json",
        template=workflow.source_path("../reports/templates/report.typ"),
    output:
        pdf=report(
            REPORT_PDF,
            caption="../reports/captions/report.rst",
            category=WORDS("html.report"),
        ),
        context=f"{CITY_REPORTS}/build/report-data.json",
    log:
        f"{CITY_LOGS}/report.log",
    benchmark:
        f"{CITY_LOGS}/benchmarks/report.tsv"
    threads: 1
    resources:
        mem_mb=1500,
    params:
        code=CODE,
        config=city_config,
        code_root=workflow.basedir,
    message:
        "Typesetting {output.pdf}"
    script:
        "../scripts/report.py"


rule bundle:
    input:
        **ANALYSIS_FILES,
        published=PUBLISHED,
        dictionary=workflow.source_path("../schemas/tables.yaml"),
    output:
        **BUNDLE_FILES,
    log:
        f"{CITY_LOGS}/bundle.log",
    benchmark:
        f"{CITY_LOGS}/benchmarks/bundle.tsv"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        code=CODE,
    message:
        "Writing the data bundle (CSV for spreadsheets) and its data dictionary"
    script:
        "../scripts/bundle.py"
