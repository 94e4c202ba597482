# One job per raw file (parallel); only files that changed are read again.


rule ingest:
    input:
        raw=lambda w: RAW[f"{w.source}/{w.name}"].path,
        register=REGISTER,
        catalogue=CATALOGUE_FILES,
        metadata=lambda w: RAW[f"{w.source}/{w.name}"].options.get("metadata", []),
    output:
        parquet=f"{PROCESSED}/staging/{{source}}/{{name}}.parquet",
        ingest_log=f"{PROCESSED}/staging/{{source}}/{{name}}.ingest.json",
    log:
        f"{LOGS}/ingest/{{source}}/{{name}}.log",
    benchmark:
        f"{LOGS}/benchmarks/ingest/{{source}}/{{name}}.tsv"
    wildcard_constraints:
        source="[a-z][a-z0-9_]*",
    threads: 1
    resources:
        mem_mb=1500,
    params:
        code=CODE,
        raw=lambda w: vars(RAW[f"{w.source}/{w.name}"]),
        catalogue=CATALOGUE,
        settings=config["ingest"],
    message:
        "Reading {input.raw}"
    script:
        "../scripts/ingest.py"
