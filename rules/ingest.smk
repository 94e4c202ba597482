# One job per raw file (parallel); only files that changed are read again.


rule ingest:
    message:
        "Reading {input.raw}"
    input:
        raw=lambda w: RAW[f"{w.source}/{w.name}"].path,
        register=REGISTER,
        catalogue=CATALOGUE_FILES,
    output:
        parquet=f"{PROCESSED}/staging/{{source}}/{{name}}.parquet",
        ingest_log=f"{PROCESSED}/staging/{{source}}/{{name}}.ingest.json",
    params:
        raw=lambda w: vars(RAW[f"{w.source}/{w.name}"]),
        catalogue=CATALOGUE,
        aggregate_names=config["ingest"]["aggregate_names"],
    wildcard_constraints:
        source="[a-z][a-z0-9_]*",
    log:
        f"{LOGS}/ingest/{{source}}/{{name}}.log",
    script:
        "../scripts/ingest.py"
