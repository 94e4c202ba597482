# A single writer loads the warehouse; validation reads it and stops the run on critical failures.


rule warehouse:
    input:
        parquet=[staging(key, "parquet") for key in RAW],
        ingest_logs=[staging(key, "ingest.json") for key in RAW],
        register=REGISTER,
        catalogue=CATALOGUE_FILES,
    output:
        db=WAREHOUSE,
    log:
        f"{LOGS}/warehouse.log",
    benchmark:
        f"{LOGS}/benchmarks/warehouse.tsv"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        code=CODE,
        n=len(RAW),
        catalogue=CATALOGUE,
        priorities={s["id"]: i for i, s in enumerate(config["sources"])},
        demo_manifest=config["demo_manifest"],
        # A national warehouse (`cities:`) gets no views over analysis tables: each city's warehouse has them.
        analysis_dir=None if CITIES else ANALYSIS,
    message:
        "Loading {output.db} from {params.n} staged files"
    script:
        "../scripts/warehouse.py"


rule validate:
    input:
        db=WAREHOUSE,
    output:
        results=VALIDATION,
    log:
        f"{LOGS}/validate.log",
    benchmark:
        f"{LOGS}/benchmarks/validate.tsv"
    # First of the jobs that wait for the warehouse: a failure stops the run before most work.
    priority: FIRST
    threads: 1
    resources:
        mem_mb=4000,
    params:
        code=CODE,
        first=config["periods"]["first"],
        last=config["periods"]["last"],
    message:
        "Validating the warehouse with great-expectations"
    script:
        "../scripts/validate.py"
