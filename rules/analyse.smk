# The analysis tables (gaps with intervals and comparisons, spread and inequality, trends,
# convergence, projections, composite index), as parquet; also views in the warehouse.


rule analyse:
    input:
        db=WAREHOUSE,
        validation=VALIDATION,
        catalogue=CATALOGUE_FILES,
    output:
        **ANALYSIS_FILES,
        observations=PUBLISHED,
    log:
        f"{LOGS}/analyse.log",
    benchmark:
        f"{LOGS}/benchmarks/analyse.tsv"
    params:
        code=CODE,
        city=config["city"]["code"],
        catalogue=CATALOGUE,
        settings=ANALYSIS_SETTINGS,
        last_period=config["periods"]["last"],
    message:
        "Computing gaps, inequality, trends, convergence, projections and the composite index"
    script:
        "../scripts/analyse.py"
