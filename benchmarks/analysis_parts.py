"""Median wall time of the analysis step and of its slow parts (disclosure control's linear programmes,
the mixed-model projections, the bootstrap of inequality changes) on a finished run's warehouse.

    python benchmarks/analysis_parts.py RUN_FOLDER [--repeats 3]

RUN_FOLDER is a working directory where `snakemake` has run (it holds config.yaml, or pass
--config, and data/processed/warehouse.duckdb or the config's `outputs.processed`). Prints every
measurement and the medians; nothing is written.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from wijkmonitor import analysis
from wijkmonitor.catalogue import Catalogue
from wijkmonitor.config import analysis_settings, load_config
from wijkmonitor.warehouse import CURRENT_IN_ORDER, connect_read_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config = load_config(args.config or args.run / "config.yaml")
    db = args.run / config["outputs"]["processed"] / "warehouse.duckdb"
    con = connect_read_only(str(db))
    try:
        observations = con.execute(CURRENT_IN_ORDER).df()
        areas, indicators = con.execute("SELECT * FROM area").df(), con.execute("SELECT * FROM indicator").df()
        bounds = {i: (low, high) for i, low, high in con.execute(
            "SELECT i.id, u.min, u.max FROM indicator i JOIN unit u ON u.id = i.unit").fetchall()}
    finally:
        con.close()
    units = dict(zip(indicators["id"], indicators["unit"], strict=True))
    catalogue_dir = config["catalogue"] if Path(config["catalogue"]).is_absolute() else args.run / config["catalogue"]
    catalogue = Catalogue.load(catalogue_dir)
    settings = analysis_settings(config)
    city, last = config["city"]["code"], config["periods"]["last"]

    # Time the parts by wrapping the two slow builders; the rest is the whole step minus those.
    timings: dict[str, list[float]] = {"analysis step": [], "disclosure control": [], "projections": [],
                                       "inequality_change": []}
    originals = {name: getattr(analysis, f"{name}_table") for name in ("projection", "inequality_change")}
    originals["protect"] = analysis.protect

    def timed(name: str, key: str):
        def wrapper(*a, **k):
            start = time.perf_counter()
            result = originals[name](*a, **k)
            timings[key].append(time.perf_counter() - start)
            return result
        return wrapper

    analysis.protect = timed("protect", "disclosure control")
    analysis.projection_table = timed("projection", "projections")
    analysis.inequality_change_table = timed("inequality_change", "inequality_change")
    for repeat in range(args.repeats):
        start = time.perf_counter()
        tables, summary = analysis.run_analysis(observations, areas, indicators, units, catalogue.derived, city,
                                                settings, last, bounds, catalogue.breakdowns)
        timings["analysis step"].append(time.perf_counter() - start)
        print(f"repeat {repeat + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in timings.items())
              + f"; {len(tables['projections'])} projection rows, {summary['withheld_small_numbers']} withheld")
    print("medians: " + ", ".join(f"{k} {statistics.median(v):.1f} s" for k, v in timings.items()))
    print(f"observations {len(observations)}, projected indicators {len(settings['projection']['indicators'])}, "
          f"draws {settings['projection']['draws']}, bootstrap draws {settings['simulations']}")


if __name__ == "__main__":
    main()
