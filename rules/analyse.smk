# Gaps to the city and trends per area, as parquet (also views in the warehouse).


rule analyse:
    message:
        "Computing gaps to the city and trends"
    input:
        db=WAREHOUSE,
        validation=VALIDATION,
    output:
        gaps=f"{ANALYSIS}/gaps.parquet",
        trends=f"{ANALYSIS}/trends.parquet",
    params:
        city=config["city"]["code"],
        min_periods=config["analysis"]["min_periods_for_trend"],
        significance=config["analysis"]["significance"],
    log:
        f"{LOGS}/analyse.log",
    script:
        "../scripts/analyse.py"
