"""Wall time and peak memory of reading each of the eight national RIVM 50090NED files.

    python benchmarks/read_rivm.py [--repeats 3] [--folder ../shared/data/national/rivm-50090NED]

Each measurement is a fresh process that detects the format and reads one file
(`readers.read_file(path, "auto")`: 17,341 regions x 35 indicators), so the peak resident set is
that file's alone; a last measurement runs `wijkmonitor ingest` (read + write the canonical table
as parquet) on the 2016 18+ file. Prints every measurement and the medians.
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
print(json.dumps({"seconds": time.perf_counter() - start, "code": code,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", default=str(ROOT.parent / "shared/data/national/rivm-50090NED"))
    args = parser.parse_args()
    files = sorted(Path(args.folder).glob("*.xlsx"))
    if not files:
        raise SystemExit(f"no RIVM files in {args.folder}")
    totals = []
    for path in files:
        runs = [run(READ, str(path)) for _ in range(args.repeats)]
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_kib"] for r in runs) / 1024
        totals.append((seconds, peak))
        each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(f"{path.name:34} {runs[0]['format']:16} {runs[0]['cells']:>8,} cells  median {seconds:5.2f} s  "
              f"peak {peak:4.0f} MiB  ({each} s)")
    print(f"all {len(files)} files: sum of medians {sum(s for s, _ in totals):.1f} s, "
          f"largest median peak {max(p for _, p in totals):.0f} MiB ({args.repeats} runs each)")
    cli = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            cli.append(run(CLI, str(Path(sys.executable).parent / "wijkmonitor"), "ingest",
                           str(Path(args.folder) / "2016_18+.xlsx"), "--out", f"{tmp}/rivm.parquet"))
    if any(r["code"] for r in cli):
        raise SystemExit("wijkmonitor ingest failed")
    print(f"wijkmonitor ingest 2016_18+.xlsx -> parquet: median {statistics.median(r['seconds'] for r in cli):.2f} s, "
          f"peak {statistics.median(r['peak_kib'] for r in cli) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
