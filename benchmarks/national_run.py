"""The whole country: every municipality's analysis tables from the eight national RIVM files.

    python benchmarks/national_run.py [--cities all|GM0344,GM0307] [--target analysis_tables] [--cores 2]
                                       [--cities-per-job N]

Runs config/national.yaml (cities: all; ../shared/data/national/rivm-50090NED/*.xlsx) from scratch in
a temporary working directory, to the target `analysis_tables` (every municipality's analysis
tables, no figures or reports) unless told otherwise, then reruns it with nothing changed. Prints:

- the wall time of the run and of the no-op rerun, and the peak memory of any one process of the run
  (ru_maxrss of the children, measured in a wrapper process);
- per stage (Snakemake's benchmark files, one per job): jobs, summed and median job time, the
  largest job's peak memory, and the throughput (observations read per second for ingest,
  municipalities per core-minute for the per-municipality steps), and the core-seconds of all
  per-municipality steps together.

Nothing is written outside the temporary directory. Jobs run two at a time on two cores, so the
memory in use at once can reach the sum of two jobs' peaks; both figures are printed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from measured import ROOT, snakemake_run

# The stages with a job per municipality (or per batch of them, `analyse`).
PER_MUNICIPALITY = ("city_warehouse", "analyse", "figures", "edition", "report", "bundle")


def stage_of(path: Path, logs: Path) -> str:
    """logs/benchmarks/<rule>.tsv, logs/benchmarks/<rule>/<job...>.tsv (ingest per file, analyse per
    batch of municipalities) or logs/<city>/benchmarks/<rule>.tsv."""
    parts = path.relative_to(logs).parts
    per_city = parts[0] != "benchmarks"
    name = parts[1] if not per_city and len(parts) > 2 else path.stem
    if per_city and name == "warehouse":
        return "city_warehouse"
    return name


def stage_table(logs: Path, workdir: Path, municipalities: int) -> pd.DataFrame:
    rows = []
    for tsv in sorted(logs.rglob("benchmarks/**/*.tsv")):
        last = pd.read_csv(tsv, sep="\t").iloc[-1]
        rows.append({"stage": stage_of(tsv, logs), "seconds": float(last["s"]), "max_rss_mb": float(last["max_rss"])})
    jobs = pd.DataFrame(rows)
    observations = sum(json.loads(p.read_text())["observations_read"]
                       for p in (workdir / "data/processed/staging").rglob("*.ingest.json"))
    table = jobs.groupby("stage").agg(jobs=("seconds", "size"), total_s=("seconds", "sum"),
                                      median_s=("seconds", "median"), peak_mb=("max_rss_mb", "max"))
    table["throughput"] = ""
    if "ingest" in table.index:
        table.loc["ingest", "throughput"] = f"{observations / table.loc['ingest', 'total_s']:,.0f} observations/s"
    for stage in PER_MUNICIPALITY:
        if stage in table.index:
            # municipalities per core-minute (two jobs run at once on two cores; an analysis job
            # analyses a batch of municipalities)
            table.loc[stage, "throughput"] = (f"{60 * municipalities / table.loc[stage, 'total_s']:.1f} "
                                              "municipalities per core-minute")
    order = [s for s in ("national_register", "ingest", "warehouse", "validate", "city_warehouse", "analyse",
                         "figures", "edition", "report", "bundle", "comparison") if s in table.index]
    return table.loc[order + [s for s in table.index if s not in order]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", default="all", help="all, or comma-separated GM codes")
    parser.add_argument("--target", default="analysis_tables")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--cities-per-job", type=int, default=None,
                        help="municipalities per analysis job (default: the config's cities_per_job)")
    parser.add_argument("--keep", type=Path, default=None, help="run in this folder and keep it")
    args = parser.parse_args()
    config = yaml.safe_load((ROOT / "config/national.yaml").read_text(encoding="utf-8"))
    config["cities"] = "all" if args.cities == "all" else args.cities.split(",")
    if args.cities_per_job:
        config["cities_per_job"] = args.cities_per_job
    config["catalogue"] = str(ROOT / "catalogue")
    config["sources"][0]["files"] = [str((ROOT / f).resolve()) for f in config["sources"][0]["files"]]
    config.pop("outputs")
    with tempfile.TemporaryDirectory(prefix="wijkmonitor-national-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        full = snakemake_run(workdir, args.cores, args.target)
        noop = snakemake_run(workdir, args.cores, args.target)
        cities = len(list((workdir / "data/processed/cities").glob("*/analysis")))
        table = stage_table(workdir / "logs", workdir, cities)
        observations = duckdb_count(workdir / "data/processed/warehouse.duckdb")
    print(f"national run to {args.target!r}: {cities} municipalities, {observations:,} observations in the "
          f"warehouse, {args.cores} cores")
    print(f"wall time {full['seconds']:.0f} s ({full['seconds'] / 60:.1f} min); peak memory of one process "
          f"{full['peak_kib'] / 1024:.0f} MiB; no-op rerun {noop['seconds']:.2f} s")
    with pd.option_context("display.width", 160, "display.float_format", "{:.2f}".format):
        print(table.to_string())
    per_city = table.loc[[s for s in PER_MUNICIPALITY if s in table.index], "total_s"].sum()
    print(f"per-municipality steps: {per_city:.0f} core-seconds, "
          f"{per_city / cities if cities else 0:.2f} s per municipality")


def duckdb_count(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observation").fetchone()[0]
    finally:
        con.close()


if __name__ == "__main__":
    main()
