"""Wall time and peak memory of reading the national RIVM 50090NED files, against a naive pandas read.

    python benchmarks/read_rivm.py [--repeats 3] [--files 2016_18+.xlsx ...]
                                   [--folder ../shared/data/national/rivm-50090NED]

Each measurement is a fresh process, so the peak resident set is that file's alone:

- `baseline`: the naive read the readers must keep up with: `pd.read_excel(path, engine="calamine")`,
  `melt` of the indicator columns and `pd.to_numeric(errors="coerce")` of the cells (no checks,
  no intervals, no canonical table);
- `read_file`: `readers.read_file(path, "auto")`: detect the format and read the file (17,341
  regions x 35 indicators) into the canonical read table;
- `ingest`: `wijkmonitor ingest FILE --out X.parquet` (read + write the canonical table), on the
  2016 18+ file (or the first of `--files`).

Every timing includes importing pandas. The three are measured in turn within each repeat, so a
busy spell of the machine hits all of them; the script prints every measurement, the medians, and
the ratio of each median to the baseline's median (wall time and peak RSS; <= 1.0 is the target).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE = """
import json, resource, sys, time
start = time.perf_counter()
import pandas as pd
table = pd.read_excel(sys.argv[1], engine="calamine")
identifiers = list(table.columns[:8])  # ID, Leeftijd, Marges, WijkenEnBuurten, Perioden, 3 region attributes
long = table.melt(id_vars=identifiers, var_name="column", value_name="cell")
long["value"] = pd.to_numeric(long["cell"], errors="coerce")
print(json.dumps({"seconds": time.perf_counter() - start, "format": "pandas", "cells": len(long),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

READ = """
import json, resource, sys, time
start = time.perf_counter()
from wijkmonitor.readers import read_file
fmt, result = read_file(sys.argv[1], "auto")
print(json.dumps({"seconds": time.perf_counter() - start, "format": fmt, "cells": len(result.table),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

CLI = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(json.dumps({"seconds": time.perf_counter() - start, "code": code, "format": "ingest", "cells": 0,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def medians(runs: list[dict]) -> tuple[float, float]:
    """(median seconds, median peak MiB) of repeated measurements."""
    return (statistics.median(r["seconds"] for r in runs),
            statistics.median(r["peak_kib"] for r in runs) / 1024)


def line(label: str, runs: list[dict], baseline: tuple[float, float] | None = None) -> str:
    seconds, peak = medians(runs)
    each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    text = f"  {label:10} {runs[0]['format']:16} median {seconds:5.2f} s  peak {peak:4.0f} MiB  ({each} s)"
    if baseline is not None:
        text += f"  ratio to baseline: time {seconds / baseline[0]:.2f}, peak {peak / baseline[1]:.2f}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", default=str(ROOT.parent / "shared/data/national/rivm-50090NED"))
    parser.add_argument("--files", nargs="+", metavar="NAME",
                        help="file names in the folder to measure (default: all eight)")
    args = parser.parse_args()
    folder = Path(args.folder)
    files = [folder / name for name in args.files] if args.files else sorted(folder.glob("*.xlsx"))
    absent = [str(path) for path in files if not path.is_file()]
    if not files or absent:
        raise SystemExit(f"no RIVM file(s) {', '.join(absent) or '*.xlsx'} in {folder}")
    ingested = folder / "2016_18+.xlsx" if folder / "2016_18+.xlsx" in files else files[0]
    wijkmonitor = str(Path(sys.executable).parent / "wijkmonitor")
    totals = {"baseline": [], "read_file": []}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            runs = {"baseline": [], "read_file": [], "ingest": []}
            for _ in range(args.repeats):
                runs["baseline"].append(run(BASELINE, str(path)))
                runs["read_file"].append(run(READ, str(path)))
                if path == ingested:
                    runs["ingest"].append(run(CLI, wijkmonitor, "ingest", str(path), "--out", f"{tmp}/rivm.parquet"))
            if any(r["code"] for r in runs["ingest"]):
                raise SystemExit("wijkmonitor ingest failed")
            baseline = medians(runs["baseline"])
            print(f"{path.name}: {runs['read_file'][0]['cells']:,} cells read "
                  f"({runs['baseline'][0]['cells']:,} melted by the baseline)")
            print(line("baseline", runs["baseline"]))
            for label in ("read_file", "ingest"):
                if runs[label]:
                    print(line(label, runs[label], baseline))
            for label in totals:
                totals[label].append(medians(runs[label]))
    base_s, read_s = (sum(s for s, _ in totals[label]) for label in ("baseline", "read_file"))
    print(f"all {len(files)} file(s), {args.repeats} runs each: sum of medians baseline {base_s:.1f} s, "
          f"read_file {read_s:.1f} s (ratio {read_s / base_s:.2f}); largest median peak baseline "
          f"{max(p for _, p in totals['baseline']):.0f} MiB, read_file {max(p for _, p in totals['read_file']):.0f} MiB")


if __name__ == "__main__":
    main()
