"""Build catalogue/areas.csv from a CBS kwb file filtered to one municipality (and a subwijken table).

    python scripts/build_area_register.py KWB.xlsx [--subwijken catalogue/subwijken.csv] --out catalogue/areas.csv
"""

import argparse
import sys

from wijkmonitor.areas import build_register
from wijkmonitor.errors import WijkmonitorError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kwb")
    parser.add_argument("--subwijken")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        register = build_register(args.kwb, args.subwijken)
    except WijkmonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    register.to_csv(args.out, index=False, lineterminator="\n")
    counts = register["level"].value_counts().to_dict()
    print(f"wrote {args.out}: {len(register)} areas {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
