"""Write the synthetic demonstration data set (deterministic: the same bytes on every run).

    python scripts/make_demo_data.py [--out data/raw/demo] [--register catalogue/areas.csv]

Relative paths are taken from the repository root. The model lives in src/wijkmonitor/demo.py.
"""

import argparse
import sys
from pathlib import Path

from wijkmonitor.areas import load_register
from wijkmonitor.demo import write_demo_data
from wijkmonitor.errors import WijkmonitorError

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/raw/demo", help="output folder (default: %(default)s)")
    parser.add_argument("--register", default="catalogue/areas.csv", help="area register (default: %(default)s)")
    args = parser.parse_args()
    out_dir, register_path = REPO / args.out, REPO / args.register
    try:
        register = load_register(register_path)
    except WijkmonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    written = write_demo_data(out_dir, register)
    for path in written:
        print(f"{path.stat().st_size:>9}  {path.relative_to(out_dir).as_posix()}")
    print(f"wrote {len(written)} files to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
