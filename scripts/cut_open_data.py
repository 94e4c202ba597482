"""Cut the real open data (CBS, RIVM; CC BY 4.0) in ../shared/data to one municipality.

    python scripts/cut_open_data.py [--shared ../shared/data] [--municipality GM0344] [--out data/raw/open]

Writes, under --out:
  rivm-50090NED/<file>.xlsx  each national RIVM/CBS 50090NED workbook cut to its header row, the
                             municipality, its wijken and buurten, and the country row NL01; every
                             cell kept exactly as stored (text stays text, padding kept, empty stays
                             empty), same sheet name and column order;
  cbs-kwb/, statline/, geometry/   the Utrecht files (already cut to GM0344), copied byte for byte
                             (only with --municipality GM0344, the municipality they hold);
  PROVENANCE.json            per file: sha256, source file and its sha256, publisher/table, what
                             the cut did, licence and attribution.
The output is deterministic: a rerun gives the same bytes. Relative paths are taken from the
repository root.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import openpyxl

from wijkmonitor.demo import save_workbook_reproducibly

REPO = Path(__file__).resolve().parent.parent
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CODE_COLUMN = "WijkenEnBuurten"
COUNTRY = "NL01"
COPIED = "copied unchanged"

RIVM = {
    "folder": "national/rivm-50090NED",
    "publisher": "RIVM / CBS",
    "table": "50090NED Gezondheid per wijk en buurt (Gezondheidsmonitor Volwassenen en Ouderen, "
             "GGD'en/CBS/RIVM), OData UntypedDataSet saved as xlsx",
    "attribution": "Bron: RIVM",
    "retrieved_from": "github.com/ImkeDekkers/Buurtvergelijker (commit 796ab86e…)",
}
# The Utrecht files in ../shared/data/utrecht, already cut to gemeente Utrecht: copied as they are.
COPIES = [
    {"pattern": "utrecht/cbs-kwb/*.xlsx", "out": "cbs-kwb", "publisher": "CBS",
     "table": "CBS Kerncijfers wijken en buurten {year} (kwb-{year}.xlsx), filtered to GM0344",
     "attribution": "Bron: CBS",
     "retrieved_from": "github.com/wardeiling/Society-in-the-Loop (branch dev, commit 775e6ce9…)"},
    {"pattern": "utrecht/statline/*.csv", "out": "statline", "publisher": "CBS",
     "table": "CBS StatLine 85830NED Nabijheid voorzieningen; buurt 2023 (CSV met statistische "
              "symbolen), Nederland and gemeente Utrecht",
     "attribution": "Bron: CBS",
     "retrieved_from": "github.com/wardeiling/Society-in-the-Loop (branch dev, commit 775e6ce9…)"},
    {"pattern": "utrecht/geometry/*.geojson", "out": "geometry", "publisher": "CBS / Kadaster",
     "table": "CBS/Kadaster Wijk- en buurtkaart (generalised boundaries, WGS84), Utrecht features",
     "attribution": "CBS / Kadaster",
     "retrieved_from": "github.com/cartomap/nl (wgs84/wijk_2023.geojson at commit 7234d7f8…, "
                       "wgs84/buurt_2024.geojson at commit 01e3b4ce…)"},
]
UTRECHT = "GM0344"  # the municipality the files under utrecht/ hold


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def keeps(code: object, municipality: str) -> bool:
    """Whether a (space-padded) WijkenEnBuurten code is the municipality, one of its wijken
    (WK + its 4 digits + 2), one of its buurten (BU + its 4 digits + 4) or the country."""
    if not isinstance(code, str):
        return False
    code = code.strip()
    digits = municipality[2:]
    return (code in (municipality, COUNTRY)
            or re.fullmatch(rf"WK{digits}\d{{2}}", code) is not None
            or re.fullmatch(rf"BU{digits}\d{{4}}", code) is not None)


def cut_rivm(source: Path, target: Path, municipality: str) -> int:
    """Write the header and the municipality's rows (and NL01) of one national workbook; returns
    the number of data rows written."""
    book = openpyxl.load_workbook(source, read_only=True)
    try:
        if len(book.worksheets) != 1:
            raise SystemExit(f"{source}: expected one sheet, found {book.sheetnames}")
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows)
        column = header.index(CODE_COLUMN)
        kept = [row for row in rows if keeps(row[column], municipality)]
        title = sheet.title
    finally:
        book.close()
    out = openpyxl.Workbook()
    out_sheet = out.active
    out_sheet.title = title
    for r, row in enumerate([header, *kept], start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue  # empty stays empty: no cell is written
            cell = out_sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    out.properties.title = f"{source.name}: rows of {municipality}, its wijken and buurten and {COUNTRY}"
    target.parent.mkdir(parents=True, exist_ok=True)
    save_workbook_reproducibly(out, target, creator="wijkmonitor scripts/cut_open_data.py")
    return len(kept)


def entry(path: Path, out: Path, source: Path, shared: Path, spec: dict, cut: str, **extra) -> dict:
    return {
        "file": path.relative_to(out).as_posix(),
        "sha256": sha256(path),
        "bytes": path.stat().st_size,
        "source": {
            "path": f"shared/data/{source.relative_to(shared).as_posix()}",
            "sha256": sha256(source),
            "publisher": spec["publisher"],
            "table": spec["table"],
            "retrieved_from": spec["retrieved_from"],
        },
        "cut": cut,
        **extra,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": spec["attribution"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared/data",
                        help="the folder with national/ and utrecht/ (default: %(default)s)")
    parser.add_argument("--municipality", default=UTRECHT, help="CBS code GM#### (default: %(default)s)")
    parser.add_argument("--out", default="data/raw/open", help="output folder (default: %(default)s)")
    args = parser.parse_args()
    shared, out = (REPO / args.shared).resolve(), REPO / args.out
    municipality = args.municipality.strip().upper()
    if not re.fullmatch(r"GM\d{4}", municipality):
        parser.error(f"--municipality must be a CBS code GM####, not {args.municipality!r}")
    rivm_sources = sorted((shared / RIVM["folder"]).glob("*.xlsx"))
    if not rivm_sources:
        parser.error(f"no RIVM workbooks in {shared / RIVM['folder']}")

    files = []
    for source in rivm_sources:
        target = out / "rivm-50090NED" / source.name
        rows = cut_rivm(source, target, municipality)
        cut = f"rows of {municipality}, its wijken and buurten and {COUNTRY}; cells unchanged"
        files.append(entry(target, out, source, shared, RIVM, cut, data_rows=rows))
        print(f"{rows:>5} rows  {files[-1]['file']}")
    if municipality == UTRECHT:
        for spec in COPIES:
            sources = sorted(shared.glob(spec["pattern"]))
            if not sources:
                parser.error(f"no files match {shared / spec['pattern']}")
            for source in sources:
                target = out / spec["out"] / source.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                year = re.search(r"20\d\d", source.name)
                table = spec["table"].format(year=year.group(0) if year else "")
                files.append(entry(target, out, source, shared, spec | {"table": table}, COPIED))
                print(f"   copy     {files[-1]['file']}")
    else:
        print(f"note: the files under {shared / 'utrecht'} hold {UTRECHT}; not copied for {municipality}")

    provenance = {
        "description": f"Real open data (CBS, RIVM) for {municipality}, cut from the files in ../shared/data "
                       "by scripts/cut_open_data.py",
        "command": f"python scripts/cut_open_data.py --municipality {municipality}",
        "licence": LICENCE,
        "files": files,
    }
    (out / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    print(f"wrote {len(files)} files and PROVENANCE.json to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
