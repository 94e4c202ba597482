# The whole country (`cities: all` or a list of GM codes; docs/scaling.md): the register of the selected
# municipalities from the national files, each municipality's warehouse cut from the national one, and
# the national comparison table. The steps from the analysis on fan out per municipality ({city}).

if CITIES:

    checkpoint national_register:
        input:
            [raw.path for raw in RAW.values() if raw.source_id in REGISTER_SOURCES],
        output:
            register=REGISTER,
        log:
            f"{LOGS}/national_register.log",
        benchmark:
            f"{LOGS}/benchmarks/national_register.tsv"
        threads: 1
        resources:
            mem_mb=2000,
        params:
            code=CODE,
            raws=[
                vars(raw) for raw in RAW.values() if raw.source_id in REGISTER_SOURCES
            ],
            cities=CITIES,
        message:
            "Building the area register of the selected municipalities from the national files"
        script:
            "../scripts/national_register.py"

    rule analyse:
        # The analysis tables of a batch of municipalities (`cities_per_job`), one after the other in one
        # job, each straight from the national warehouse (only its areas are read), into a temporary
        # folder; city_analysis copies each municipality's tables to its own folder. The batches start
        # as soon as the warehouse is loaded, beside the validation (a minute for the whole country, on
        # one core); city_analysis waits for it, so nothing is published from data that failed it.
        input:
            db=WAREHOUSE,
            catalogue=CATALOGUE_FILES,
            links=AREA_LINKS,
        output:
            temp(directory(ANALYSIS_BATCH)),
        log:
            f"{LOGS}/analyse/{{batch}}.log",
        benchmark:
            f"{LOGS}/benchmarks/analyse/{{batch}}.tsv"
        # The largest batches first, so that the last jobs are small (cities.batch_priorities).
        priority: lambda w: batches()[2][w.batch]
        threads: 1
        resources:
            mem_mb=2000,
        params:
            code=CODE,
            municipalities=lambda w: batches()[0][w.batch],
            catalogue=CATALOGUE,
            settings=ANALYSIS_SETTINGS,
            last_period=config["periods"]["last"],
            file_names={
                table: Path(path).name
                for table, path in (
                    ANALYSIS_FILES | {"observations": PUBLISHED}
                ).items()
            },
        message:
            "Computing gaps, inequality, trends, convergence, projections and the composite index of municipalities batch {wildcards.batch}"
        script:
            "../scripts/analyse_batch.py"

    localrules:
        city_analysis,

    rule city_analysis:
        # A shell command, not a `run:` block: Snakemake starts a whole new Snakemake process for each
        # local `run:` job (about 1.5 s), and a `cities: all` run has 355 of these. Above the batches'
        # priorities: each batch's copies run when it is done, not all 355 after the last batch.
        input:
            batch=lambda w: ANALYSIS_BATCH.format(batch=batches()[1][w.city]),
            validation=VALIDATION,
        output:
            **ANALYSIS_FILES,
            observations=PUBLISHED,
        priority: FIRST
        params:
            tables=lambda w, input: f"{input.batch}/{w.city}",
        shell:
            "for table in {output:q}; do cp {params.tables:q}/$(basename $table) $table; done"

    rule city_warehouse:
        input:
            db=WAREHOUSE,
            validation=VALIDATION,
        output:
            db=CITY_WAREHOUSE,
        log:
            f"{CITY_LOGS}/warehouse.log",
        benchmark:
            f"{CITY_LOGS}/benchmarks/warehouse.tsv"
        threads: 1
        resources:
            mem_mb=1000,
        params:
            code=CODE,
            city=city_code,
            analysis_dir=lambda w: ANALYSIS.format(city=w.city),
        message:
            "Cutting the warehouse of {wildcards.city} from the national one"
        script:
            "../scripts/city_warehouse.py"

    rule comparison:
        input:
            inequality=lambda w: [
                ANALYSIS_FILES["inequality"].format(city=slug) for slug in cities()[0]
            ],
            register=REGISTER,
        output:
            COMPARISON,
        log:
            f"{LOGS}/comparison.log",
        threads: 1
        resources:
            mem_mb=2000,
        params:
            code=CODE,
            cities=lambda w: list(cities()[0].values()),
        message:
            "Putting every municipality's inequality indices side by side"
        script:
            "../scripts/comparison.py"

    rule analysis_tables:
        # `snakemake analysis_tables`: every municipality's analysis tables, without figures and reports
        # (what benchmarks/national_run.py times).
        input:
            lambda w: expand(
                [*ANALYSIS_FILES.values(), PUBLISHED], city=list(cities()[0])
            ),


def all_outputs(wildcards):
    """The default target: the report and data bundle (of every municipality, and the comparison)."""
    if not CITIES:
        return [REPORT_PDF, *BUNDLE_FILES.values()]
    slugs = list(cities()[0])
    return [
        *expand(REPORT_PDF, city=slugs),
        *expand(list(BUNDLE_FILES.values()), city=slugs),
        COMPARISON,
    ]
