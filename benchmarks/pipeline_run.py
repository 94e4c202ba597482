"""Wall time and peak memory of the default (demo) run and of the no-op rerun.

    python benchmarks/pipeline_run.py [--repeats 3] [--cores 2]

Each repeat runs the workflow from scratch in a fresh temporary working directory (a copy of the
demo data, the repository's catalogue), then reruns it with nothing changed. Peak memory is the
largest resident set of any process of the run (ru_maxrss of the children, measured in a separate
wrapper process per run so runs do not mix). Prints every measurement and the medians.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

import yaml
from measured import ROOT, snakemake_run


def prepare(workdir: Path) -> None:
    shutil.copytree(ROOT / "data/raw/demo", workdir / "data/raw/demo")
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["catalogue"] = str(ROOT / "catalogue")
    config["area_register"] = str(ROOT / "catalogue/areas.csv")
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    full, noop = [], []
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory(prefix="wijkmonitor-bench-") as tmp:
            workdir = Path(tmp)
            prepare(workdir)
            full.append(snakemake_run(workdir, args.cores))
            noop.append(snakemake_run(workdir, args.cores))
        print(f"run {i + 1}: full {full[-1]['seconds']:.1f} s, peak {full[-1]['peak_kib'] / 1024:.0f} MiB; "
              f"no-op {noop[-1]['seconds']:.2f} s, peak {noop[-1]['peak_kib'] / 1024:.0f} MiB")
    for name, runs in (("default run", full), ("no-op rerun", noop)):
        print(f"{name}: median wall time {statistics.median(r['seconds'] for r in runs):.2f} s, "
              f"median peak memory {statistics.median(r['peak_kib'] for r in runs) / 1024:.0f} MiB "
              f"({len(runs)} runs, {args.cores} cores)")


if __name__ == "__main__":
    main()
