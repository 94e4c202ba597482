# Gaps to the city and trends per area, as parquet (also views in the warehouse).


rule analyse:
    input:
        db=WAREHOUSE,
        validation=VALIDATION,
    output:
        gaps=f"{ANALYSIS}/gaps.parquet",
        trends=f"{ANALYSIS}/trends.parquet",
    log:
        f"{LOGS}/analyse.log",
    benchmark:
        f"{LOGS}/benchmarks/analyse.tsv"
    params:
        city=config["city"]["code"],
        min_periods=config["analysis"]["min_periods_for_trend"],
        significance=config["analysis"]["significance"],
    message:
        "Computing gaps to the city and trends"
    script:
        "../scripts/analyse.py"
