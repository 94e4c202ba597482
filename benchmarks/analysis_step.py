"""Wall time and peak memory of the analysis step (rule `analyse`) of the default demo run.

    python benchmarks/analysis_step.py [--repeats 5]

Runs the demo workflow once in a temporary working directory, then forces the `analyse` rule
alone `--repeats` times; each time Snakemake's own benchmark file (logs/benchmarks/analyse.tsv:
wall seconds and max RSS of the job, Python start-up and imports included) is read. Prints
every measurement and the medians. Target: under 15 seconds.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import tempfile
from pathlib import Path

from pipeline_run import SNAKEMAKE, prepare  # the script's folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]


def snakemake(workdir: Path, *args: str) -> None:
    subprocess.run([SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
                    "--configfile", str(workdir / "config.yaml"), "--cores", "2", *args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="wijkmonitor-bench-") as tmp:
        workdir = Path(tmp)
        prepare(workdir)
        snakemake(workdir)
        for i in range(args.repeats):
            snakemake(workdir, "--forcerun", "analyse", "--until", "analyse")
            with open(workdir / "logs/benchmarks/analyse.tsv", encoding="utf-8") as handle:
                row = next(csv.DictReader(handle, delimiter="\t"))
            runs.append((float(row["s"]), float(row["max_rss"])))
            print(f"run {i + 1}: {runs[-1][0]:.2f} s, max RSS {runs[-1][1]:.0f} MB")
    print(f"analysis step: median {statistics.median(s for s, _ in runs):.2f} s, "
          f"median max RSS {statistics.median(m for _, m in runs):.0f} MB ({len(runs)} runs)")


if __name__ == "__main__":
    main()
