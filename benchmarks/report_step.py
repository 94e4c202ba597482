"""Wall time of the figures and report steps, and the PDF's size and page count, in Dutch and English.

    python benchmarks/report_step.py [--repeats 3] [--language nl en]

Runs the demo workflow once in a fresh temporary working directory per language, then forces the
two report steps `--repeats` times (`snakemake --forcerun figures report`) and reads each step's
wall time from Snakemake's own benchmark files (logs/benchmarks/{figures,report}.tsv, which time the
step's script alone). Prints every measurement and the medians, plus the PDF's size, page count and
number of figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_run import ROOT, SNAKEMAKE, prepare  # noqa: E402


def snakemake(workdir: Path, *args: str) -> None:
    command = [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
               "--configfile", str(workdir / "config.yaml"), "--cores", "2", *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"snakemake failed in {workdir}:\n{result.stderr[-2000:]}")


def step_seconds(workdir: Path, step: str) -> float:
    with open(workdir / f"logs/benchmarks/{step}.tsv", encoding="utf-8") as handle:
        return float(next(csv.DictReader(handle, delimiter="\t"))["s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--language", nargs="+", default=["nl", "en"])
    args = parser.parse_args()
    for language in args.language:
        with tempfile.TemporaryDirectory(prefix="wijkmonitor-bench-") as tmp:
            workdir = Path(tmp)
            prepare(workdir)
            config = yaml.safe_load((workdir / "config.yaml").read_text())
            config["report"]["language"] = language
            (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
            snakemake(workdir)
            times = {"figures": [], "report": []}
            for i in range(args.repeats):
                snakemake(workdir, "--forcerun", "figures", "report")
                for step in times:
                    times[step].append(step_seconds(workdir, step))
                print(f"{language} run {i + 1}: figures {times['figures'][-1]:.2f} s, report {times['report'][-1]:.2f} s")
            pdf = next((workdir / "reports").glob("*.pdf"))
            manifest = json.loads((workdir / "reports/build/figures.json").read_text(encoding="utf-8"))
            print(f"{language}: median figures step {statistics.median(times['figures']):.2f} s, median report step "
                  f"{statistics.median(times['report']):.2f} s ({args.repeats} runs); {pdf.name}: "
                  f"{pdf.stat().st_size:,} bytes, {len(PdfReader(pdf).pages)} pages, {len(manifest)} figures")


if __name__ == "__main__":
    main()
