# A single writer loads the warehouse; validation reads it and stops the run on critical failures.


rule warehouse:
    message:
        "Loading {output.db} from {params.n} staged files"
    input:
        parquet=[staging(key, "parquet") for key in RAW],
        ingest_logs=[staging(key, "ingest.json") for key in RAW],
        register=REGISTER,
        catalogue=CATALOGUE_FILES,
    output:
        db=WAREHOUSE,
    params:
        n=len(RAW),
        catalogue=CATALOGUE,
        priorities={s["id"]: i for i, s in enumerate(config["sources"])},
        demo_manifest=config["demo_manifest"],
        analysis_dir=ANALYSIS,
    log:
        f"{LOGS}/warehouse.log",
    script:
        "../scripts/warehouse.py"


rule validate:
    message:
        "Validating the warehouse with great-expectations"
    input:
        db=WAREHOUSE,
    output:
        results=VALIDATION,
    params:
        first=config["periods"]["first"],
        last=config["periods"]["last"],
    log:
        f"{LOGS}/validate.log",
    script:
        "../scripts/validate.py"
