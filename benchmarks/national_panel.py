"""Throughput of a national panel from ingest to analysis, with DuckDB doing the work and plain pandas
measured alongside in the same run.

    python benchmarks/national_panel.py [--areas 17000] [--indicators 50] [--years 15] [--repeat 3]

The panel is `wijkmonitor.panel.generate_panel` (the country: ~17,000 gemeenten, wijken and buurten
x 50 indicators x 15 years = 12.75 million rows, 5% of the figures missing). Each repeat runs the
stages in turn, in one process, in a temporary directory:

- `generate`: the panel as an Arrow table;
- `ingest: parquet`: the panel written to a parquet file (staging), the table then released;
- `ingest: duckdb`: that file loaded into a DuckDB database file on disk
  (`CREATE TABLE observation AS SELECT * FROM read_parquet(...)`, the warehouse);
- `analysis: duckdb`: `gaps_and_trends_duckdb` on the database file (a fresh connection; only the
  per-indicator-and-area summary comes into pandas);
- `pandas: read`: `pd.read_parquet` of the staging file;
- `pandas: gaps+trends`: `gaps_and_trends_pandas` on that DataFrame: the same computation in
  plain pandas.

DuckDB runs with 2 threads (the machine has 2 cores); pandas is single-threaded, the parquet
reader and writer use Arrow's thread pool. Printed per stage: the median wall time over the
repeats, rows per second at that median, the stage's peak resident set (the kernel's high-water
mark is reset before each stage through /proc/self/clear_refs, so `getrusage` ru_maxrss is that
stage's own peak; where the reset is refused it is the process's peak so far) and the growth of the
resident set over the stage (psutil, else VmRSS in /proc/self/status), both the largest over the
repeats. Then the ratios pandas / DuckDB of the medians, and whether the two summaries agree
(relative 1e-9). Nothing is kept.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wijkmonitor.panel import gaps_and_trends_duckdb, gaps_and_trends_pandas, generate_panel

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is optional
    psutil = None

MIB = 1024 * 1024
STAGES = ("generate", "ingest: parquet", "ingest: duckdb", "analysis: duckdb", "pandas: read",
          "pandas: gaps+trends")


def rss_bytes() -> int:
    """The process's resident set now."""
    if psutil is not None:
        return psutil.Process().memory_info().rss
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> bool:
    """Reset the kernel's high-water mark of the resident set (Linux >= 4.0); False when refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class Stages:
    """Wall time, peak and growth of the resident set of each stage, over the repeats."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.peak: dict[str, list[int]] = defaultdict(list)
        self.growth: dict[str, list[int]] = defaultdict(list)
        self.peak_is_per_stage = True

    def run(self, name: str, work, *args):
        gc.collect()
        self.peak_is_per_stage &= reset_peak()
        before = rss_bytes()
        start = time.perf_counter()
        result = work(*args)
        self.seconds[name].append(time.perf_counter() - start)
        self.growth[name].append(rss_bytes() - before)
        self.peak[name].append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        return result


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET threads = 2")
    con.execute("SET temp_directory = ?", [str(path.parent / "duckdb.tmp")])
    return con


def load_warehouse(parquet: Path, db: Path) -> int:
    """Staging -> warehouse: the parquet file into a new DuckDB database file; its row count."""
    db.unlink(missing_ok=True)
    con = connect(db)
    try:
        con.execute("CREATE TABLE observation AS SELECT * FROM read_parquet(?)", [str(parquet)])
        return con.execute("SELECT count(*) FROM observation").fetchone()[0]
    finally:
        con.close()


def analyse_in_duckdb(db: Path) -> pd.DataFrame:
    con = connect(db, read_only=True)
    try:
        return gaps_and_trends_duckdb(con, "observation")
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=17_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = args.areas * args.indicators * args.years
    print(f"national panel: {args.areas:,} areas x {args.indicators} indicators x {args.years} years = "
          f"{rows:,} rows; {args.repeat} repeats; {date.today()}")
    print(f"duckdb {duckdb.__version__} (2 threads), pandas {pd.__version__}, pyarrow {pa.__version__}, "
          f"python {platform.python_version()}, {platform.machine()}, "
          f"memory: {'psutil' if psutil else '/proc/self/status'}")

    stages = Stages()
    sizes: dict[str, int] = {}
    agree = "not checked"
    with tempfile.TemporaryDirectory(prefix="national_panel_") as folder:
        parquet, db = Path(folder) / "observation.parquet", Path(folder) / "warehouse.duckdb"
        for repeat in range(args.repeat):
            panel = stages.run("generate", generate_panel, args.areas, args.indicators, args.years, 2010,
                               args.seed)
            assert panel.num_rows == rows
            stages.run("ingest: parquet", pq.write_table, panel, parquet)
            del panel
            loaded = stages.run("ingest: duckdb", load_warehouse, parquet, db)
            assert loaded == rows
            in_duckdb = stages.run("analysis: duckdb", analyse_in_duckdb, db)
            frame = stages.run("pandas: read", pd.read_parquet, parquet)
            in_pandas = stages.run("pandas: gaps+trends", gaps_and_trends_pandas, frame)
            del frame
            if repeat == args.repeat - 1:
                try:
                    pd.testing.assert_frame_equal(in_duckdb, in_pandas, rtol=1e-9, atol=1e-12)
                    agree = "yes (relative 1e-9)"
                except AssertionError as error:
                    agree = f"NO: {str(error).splitlines()[0]}"
            summary_rows = len(in_duckdb)
            del in_duckdb, in_pandas
            print(f"repeat {repeat + 1}: " + ", ".join(f"{name} {stages.seconds[name][-1]:.2f} s" for name in STAGES),
                  flush=True)
        sizes = {"parquet": parquet.stat().st_size, "duckdb": db.stat().st_size}

    median = {name: statistics.median(stages.seconds[name]) for name in STAGES}
    median["ingest (parquet + duckdb)"] = statistics.median(
        a + b for a, b in zip(stages.seconds["ingest: parquet"], stages.seconds["ingest: duckdb"], strict=True))
    peak_label = "stage peak RSS" if stages.peak_is_per_stage else "process peak RSS"
    print()
    print(f"{'stage':<27} {'median s':>9} {'rows/s':>12} {peak_label + ' MiB':>20} {'RSS growth MiB':>15}")
    for name in (*STAGES[:3], "ingest (parquet + duckdb)", *STAGES[3:]):
        seconds = median[name]
        if name in stages.peak:
            memory = f"{max(stages.peak[name]) / MIB:>20,.0f} {max(stages.growth[name]) / MIB:>15,.0f}"
        else:
            memory = f"{'':>20} {'':>15}"
        print(f"{name:<27} {seconds:>9.2f} {rows / seconds:>12,.0f} {memory}")
    print()
    duck = median["analysis: duckdb"]
    print(f"ratio pandas gaps+trends / duckdb analysis: {median['pandas: gaps+trends'] / duck:.1f}x; "
          f"with the parquet read: {(median['pandas: read'] + median['pandas: gaps+trends']) / duck:.1f}x")
    print(f"summary rows (indicator x area): {summary_rows:,}; DuckDB and pandas agree: {agree}")
    print(f"files: parquet {sizes['parquet'] / MIB:,.0f} MiB, duckdb {sizes['duckdb'] / MIB:,.0f} MiB")
    if stages.peak_is_per_stage:
        print("stage peak: ru_maxrss with the high-water mark reset before the stage (the run's peak is the "
              "largest); RSS growth: resident set after minus before (negative: the stage freed more)")


if __name__ == "__main__":
    main()
