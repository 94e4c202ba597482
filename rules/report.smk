# Figures (SVG, text kept as text) and the PDF report typeset with typst.


rule figures:
    input:
        **ANALYSIS_FILES,
        db=WAREHOUSE,
        validation=VALIDATION,
        themes=f"{CATALOGUE}/themes.yaml",
    output:
        figures=report(
            directory(f"{REPORTS}/figures"),
            patterns=["{name}.svg"],
            caption="../reports/captions/figures.rst",
            category="Figuren",
        ),
        manifest=f"{REPORTS}/build/figures.json",
    log:
        f"{LOGS}/figures.log",
    benchmark:
        f"{LOGS}/benchmarks/figures.tsv"
    params:
        config=config,
    message:
        "Drawing the figures"
    script:
        "../scripts/figures.py"


rule report:
    input:
        **ANALYSIS_FILES,
        db=WAREHOUSE,
        validation=VALIDATION,
        figures=f"{REPORTS}/figures",
        manifest=f"{REPORTS}/build/figures.json",
        template=workflow.source_path("../reports/templates/report.typ"),
    output:
        pdf=report(
            REPORT_PDF, caption="../reports/captions/report.rst", category="Rapport"
        ),
        context=f"{REPORTS}/build/report-data.json",
    log:
        f"{LOGS}/report.log",
    benchmark:
        f"{LOGS}/benchmarks/report.tsv"
    params:
        config=config,
        code_root=workflow.basedir,
    message:
        "Typesetting {output.pdf}"
    script:
        "../scripts/report.py"


rule bundle:
    input:
        **ANALYSIS_FILES,
        db=WAREHOUSE,
        dictionary=workflow.source_path("../schemas/tables.yaml"),
    output:
        **BUNDLE_FILES,
    log:
        f"{LOGS}/bundle.log",
    benchmark:
        f"{LOGS}/benchmarks/bundle.tsv"
    params:
        min_cases=config["analysis"]["min_cases"],
    message:
        "Writing the data bundle (CSV for spreadsheets) and its data dictionary"
    script:
        "../scripts/bundle.py"
