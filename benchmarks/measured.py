"""Shared by the benchmarks: run Snakemake on a working folder and measure its wall time and the peak
memory of its process tree (in a separate wrapper process per run, so runs do not mix)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")

# Runs one command and prints its wall time and the peak RSS (KiB) of its process tree.
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(json.dumps({"seconds": time.perf_counter() - start, "code": code,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def snakemake_run(workdir: Path, cores: int, *targets: str) -> dict:
    """{seconds, code, peak_kib} of `snakemake` on `workdir` (its config.yaml); exits on failure."""
    command = [sys.executable, "-c", WRAPPER, SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"),
               "--directory", str(workdir), "--configfile", str(workdir / "config.yaml"), "--cores", str(cores),
               *targets]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    if result["code"] != 0:
        raise SystemExit(f"snakemake failed in {workdir} (exit {result['code']}); see {workdir}/logs")
    return result
