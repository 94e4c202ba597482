# The analysis tables (gaps with intervals and comparisons, spread and inequality, trends,
# convergence, projections, composite index, revisions, series breaks), as parquet; also views in the
# warehouse. The current observations are joined across the config's area_links first. A `cities:` run
# analyses its municipalities in batches (rules/cities.smk).


if not CITIES:

    rule analyse:
        input:
            db=WAREHOUSE,
            validation=VALIDATION,
            catalogue=CATALOGUE_FILES,
            links=AREA_LINKS,
        output:
            **ANALYSIS_FILES,
            observations=PUBLISHED,
        log:
            f"{CITY_LOGS}/analyse.log",
        benchmark:
            f"{CITY_LOGS}/benchmarks/analyse.tsv"
        threads: 1
        resources:
            mem_mb=2000,
        params:
            code=CODE,
            city=city_code,
            catalogue=CATALOGUE,
            settings=ANALYSIS_SETTINGS,
            last_period=config["periods"]["last"],
        message:
            "Computing gaps, inequality, trends, convergence, projections and the composite index"
        script:
            "../scripts/analyse.py"
