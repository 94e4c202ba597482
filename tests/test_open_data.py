"""The real open data committed in data/raw/open (CBS, RIVM; CC BY 4.0): the cut RIVM workbooks hold
exactly the municipality's rows of the national files, cell for cell; the other files are byte-for-byte
copies; PROVENANCE.json lists every file with its checksum; the cut script is deterministic."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, SHARED_DATA, skip_without_shared

OPEN = ROOT / "data/raw/open"
NATIONAL_RIVM = SHARED_DATA / "national/rivm-50090NED"
MUNICIPALITY = "GM0344"
RIVM_FILES = ["2012_18+.xlsx", "2012_18_65.xlsx", "2012_65+.xlsx", "2016_18+.xlsx", "2016_18_65.xlsx",
              "2016_65+.xlsx", "RIVM_gezondheid2020_18+.xlsx", "RIVM_gezondheid2020_65+.xlsx"]
# Gemeente Utrecht in the 2020 regional division: itself, 10 wijken, 111 buurten; plus the country row.
UTRECHT_ROWS = 1 + 10 + 111
NOT_FILES = {"README.md", "PROVENANCE.json"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ours(code: object) -> bool:
    """The municipality, its wijken or buurten (codes space-padded in the file)."""
    return isinstance(code, str) and re.fullmatch(r"(GM0344|WK0344\d\d|BU0344\d{4})", code.strip()) is not None


@cache
def workbook(path: Path) -> tuple[str, list[tuple]]:
    """Sheet name and rows (values as stored, padded to the header's width) of a one-sheet workbook."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        assert len(book.worksheets) == 1, path
        sheet = book.worksheets[0]
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        title = sheet.title
    finally:
        book.close()
    width = len(rows[0])
    return title, [row + (None,) * (width - len(row)) for row in rows]


def provenance() -> dict:
    return json.loads((OPEN / "PROVENANCE.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ against ../shared/data


@skip_without_shared
@pytest.mark.realdata
@pytest.mark.parametrize("name", RIVM_FILES)
def test_rivm_cut_holds_exactly_the_municipality_rows_cell_for_cell(name):
    national_title, national = workbook(NATIONAL_RIVM / name)
    cut_title, cut = workbook(OPEN / "rivm-50090NED" / name)
    assert cut_title == national_title
    assert cut[0] == national[0]  # same header, same column order
    assert len(national) - 1 == 17341
    column = national[0].index("WijkenEnBuurten")
    national_by_code = {row[column]: row for row in national[1:]}
    assert len(national_by_code) == len(national) - 1  # one row per region
    # Every cut row equals its national row, cell by cell (padded text stays padded text, empty stays empty).
    for row in cut[1:]:
        assert row == national_by_code[row[column]], row[column]
    # Every national row of the municipality is in the cut, and nothing else but the country.
    expected = [row for row in national[1:] if ours(row[column])]
    assert len(expected) == UTRECHT_ROWS
    assert [row for row in cut[1:] if ours(row[column])] == expected  # same order as the national file
    assert [row[column] for row in cut[1:] if not ours(row[column])] == ["NL01      "]
    assert len(cut) == 1 + 1 + UTRECHT_ROWS


@skip_without_shared
@pytest.mark.realdata
def test_a_real_cell_read_off_the_national_file():
    """Self-rated health good/very good, 18+: gemeente Utrecht 78.3 / 77.0 / 80.8 and Overvecht
    (WK034403) 65.8 / 63.5 / 69.9 in 2012 / 2016 / 2020, stored as space-padded text."""
    expected = {"2012_18+.xlsx": ("    78.3", "    65.8"), "2016_18+.xlsx": ("    77.0", "    63.5"),
                "RIVM_gezondheid2020_18+.xlsx": ("    80.8", "    69.9")}
    for name, (city, overvecht) in expected.items():
        for folder in (NATIONAL_RIVM, OPEN / "rivm-50090NED"):
            _, rows = workbook(folder / name)
            header = rows[0]
            code, good = header.index("WijkenEnBuurten"), header.index("ErvarenGezondheidGoedZeerGoed_4")
            values = {row[code]: row[good] for row in rows[1:]}
            assert (values["GM0344    "], values["WK034403  "]) == (city, overvecht), (folder, name)


@skip_without_shared
@pytest.mark.realdata
def test_copies_have_the_bytes_of_their_source():
    copies = [f for f in provenance()["files"] if f["cut"] == "copied unchanged"]
    assert sorted(f["file"] for f in copies) == [
        "cbs-kwb/CBS-Utrecht-kwb-2023.xlsx", "cbs-kwb/CBS-Utrecht-kwb-2024.xlsx",
        "geometry/utrecht_buurten_2024.geojson", "geometry/utrecht_wijken_2023.geojson",
        "geometry/utrecht_wijken_2024_from_buurten.geojson",
        "statline/CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv",
    ]
    for entry in copies:
        source = SHARED_DATA / entry["source"]["path"].removeprefix("shared/data/")
        assert (OPEN / entry["file"]).read_bytes() == source.read_bytes(), entry["file"]
        assert entry["source"]["sha256"] == sha256(source) == entry["sha256"]
    for entry in provenance()["files"]:  # the recorded source checksums are those of ../shared/data
        source = SHARED_DATA / entry["source"]["path"].removeprefix("shared/data/")
        assert entry["source"]["sha256"] == sha256(source), entry["file"]


@skip_without_shared
@pytest.mark.realdata
def test_rerunning_the_cut_gives_the_same_bytes(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts/cut_open_data.py"), "--shared", str(SHARED_DATA),
                           "--municipality", MUNICIPALITY, "--out", str(tmp_path / "open")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    rerun = {p.relative_to(tmp_path / "open").as_posix(): p.read_bytes()
             for p in (tmp_path / "open").rglob("*") if p.is_file()}
    committed = {p.relative_to(OPEN).as_posix(): p.read_bytes()
                 for p in OPEN.rglob("*") if p.is_file() and p.name != "README.md"}
    assert sorted(rerun) == sorted(committed)
    for name, data in committed.items():
        assert rerun[name] == data, name


# ------------------------------------------------------------------ always


def test_provenance_lists_exactly_the_committed_files_with_their_checksums():
    files = sorted(p.relative_to(OPEN).as_posix() for p in OPEN.rglob("*")
                   if p.is_file() and p.relative_to(OPEN).as_posix() not in NOT_FILES)
    entries = provenance()["files"]
    assert sorted(e["file"] for e in entries) == files
    assert len(files) == len(RIVM_FILES) + 2 + 1 + 3
    for entry in entries:
        assert entry["sha256"] == sha256(OPEN / entry["file"]), entry["file"]
        assert entry["licence"] == "CC BY 4.0"
        assert entry["attribution"] in {"Bron: CBS", "Bron: RIVM", "CBS / Kadaster"}
        assert entry["source"]["path"].startswith(("shared/data/national/", "shared/data/utrecht/"))
        assert re.fullmatch(r"[0-9a-f]{64}", entry["source"]["sha256"])
        if entry["file"].startswith("rivm-50090NED/"):
            assert entry["cut"] == f"rows of {MUNICIPALITY}, its wijken and buurten and NL01; cells unchanged"
            assert entry["attribution"] == "Bron: RIVM" and "50090NED" in entry["source"]["table"]
        else:
            assert entry["cut"] == "copied unchanged"
    # Nothing from the municipal portal or the hand transcription.
    assert not any("incijfers" in e["source"]["path"] or "monitor-transcribed" in e["source"]["path"]
                   for e in entries)


def test_the_open_data_config_reads_only_committed_open_files():
    import yaml

    config = yaml.safe_load((ROOT / "config/utrecht-open-data.yaml").read_text(encoding="utf-8"))
    assert config["demo_manifest"] is None
    globs = [pattern for source in config["sources"] for pattern in source["files"]]
    globs += list(config["report"]["boundaries"])
    for pattern in globs:
        assert pattern.startswith("data/raw/open/"), pattern
        assert list(ROOT.glob(pattern)), pattern
