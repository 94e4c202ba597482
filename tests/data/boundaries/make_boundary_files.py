"""Writes the small kwb workbooks (.xlsx) with boundary changes that tests/test_boundaries.py reads.

Run by hand when the files must change (`python tests/data/boundaries/make_boundary_files.py`); the
tests read the committed files, and check that they still hold what this script writes. openpyxl
is a project dependency. The layout is the one of CBS's kwb files 2019-2024 (as in
../shared/data/utrecht/cbs-kwb/): one header row of short names, `gwb_code_10`, `gwb_code_8`, `regio`,
`gm_naam`, `recs` (Gemeente/Wijk/Buurt), `gwb_code`, `ind_wbi`, `a_inw`, `a_man`; sheet names differ
per year. Codes and names are Utrecht's; the changes and figures are invented, in the way CBS
publishes real ones. ind_wbi as in CBS's codebook: 1 = code and boundary unchanged against the year
before (a new name is possible), 2 = code changed, boundary unchanged, 3 = boundary changed.

    kwb-2022.xlsx              wijk 01 West with four buurten; wijk 99 Leidsche Rijn with two
    kwb-2023.xlsx              buurt BU03440112 Oog in Al split into BU03440115 Oog in Al-Noord and
                               BU03440116 Oog in Al-Zuid (ind_wbi 3 on both)
    kwb-2024.xlsx              wijk WK034499 recoded WK034410, its buurten BU034499xx -> BU034410xx
                               (same names, ind_wbi 2); BU03440113 renamed Halve Maan-Zuid ->
                               Halve Maan Zuid-West (ind_wbi 1)
    kwb-2025-merged.xlsx       Oog in Al-Noord and -Zuid merged into BU03440117 Oog in Al (names);
                               Welgelegen, Den Hommel and Halve Maan Zuid-West merged into
                               BU03440118 Lageweide (names unrelated: ind_wbi 3 and inhabitants)
    kwb-2023-ambiguous.xlsx    instead of the 2023 split: Oog in Al gone, BU03440117 Park Transwijk and
                               BU03440118 Dichterswijk-West new (ind_wbi 3), names unrelated and
                               inhabitants 4200 -> 1500 + 900: cannot be linked without guessing
    links-ambiguous.csv        the links an analyst states for that case (written as text below)
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
HEADER = ["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi", "a_inw", "a_man"]
GEMEENTE = ("GM0344", "Utrecht")


def kwb_rows(wijken: list[tuple[str, str, int, list[tuple[str, str, int, int]]]],
             gemeente_flag: int = 1) -> list[list[object]]:
    """Header and rows of a kwb table: wijken as (code, statnaam, ind_wbi, buurten), buurten as
    (code, name, ind_wbi, a_inw). A wijk's and the gemeente's a_inw are the sums of their buurten;
    a_man is about half (secret, ".", for buurten under 50 inhabitants, as CBS does)."""
    def men(n: int) -> object:
        return "." if n < 50 else round(n * 0.49 / 5) * 5

    body = []
    for wk_code, wk_name, wk_flag, buurten in wijken:
        total = sum(b[3] for b in buurten)
        body.append([wk_code, wk_code[2:], wk_name, "Utrecht", "Wijk", wk_code, wk_flag, total, men(total)])
        body += [[code, code[2:], name, "Utrecht", "Buurt", code, flag, n, men(n)] for code, name, flag, n in buurten]
    total = sum(row[7] for row in body if row[4] == "Wijk")
    gm_code, gm_name = GEMEENTE
    return [HEADER, [gm_code, gm_code[2:], gm_name, gm_name, "Gemeente", gm_code, gemeente_flag, total, men(total)],
            *body]


LEIDSCHE_RIJN_99 = ("WK034499", "Wijk 99 Leidsche Rijn", 1, [
    ("BU03449901", "Vleuterweide", 1, 14050), ("BU03449902", "Terwijde", 1, 9020)])

FILES: dict[str, tuple[str, list[list[object]]]] = {
    "kwb-2022.xlsx": ("kwb-2022", kwb_rows([
        ("WK034401", "Wijk 01 West", 1, [
            ("BU03440111", "Welgelegen, Den Hommel", 1, 1810),
            ("BU03440112", "Oog in Al", 1, 4200),
            ("BU03440113", "Halve Maan-Zuid", 1, 1380),
            ("BU03440114", "Bedrijventerrein Cartesiusweg", 1, 35),
        ]),
        LEIDSCHE_RIJN_99,
    ])),
    "kwb-2023.xlsx": ("kwb-2023", kwb_rows([
        ("WK034401", "Wijk 01 West", 1, [
            ("BU03440111", "Welgelegen, Den Hommel", 1, 1805),
            ("BU03440113", "Halve Maan-Zuid", 1, 1395),
            ("BU03440114", "Bedrijventerrein Cartesiusweg", 1, 40),
            ("BU03440115", "Oog in Al-Noord", 3, 2520),
            ("BU03440116", "Oog in Al-Zuid", 3, 1690),
        ]),
        ("WK034499", "Wijk 99 Leidsche Rijn", 1, [
            ("BU03449901", "Vleuterweide", 1, 14210), ("BU03449902", "Terwijde", 1, 9105)]),
    ])),
    "kwb-2024.xlsx": ("Gemeente-Utrecht", kwb_rows([
        ("WK034401", "Wijk 01 West", 1, [
            ("BU03440111", "Welgelegen, Den Hommel", 1, 1800),
            ("BU03440113", "Halve Maan Zuid-West", 1, 1420),
            ("BU03440114", "Bedrijventerrein Cartesiusweg", 1, 40),
            ("BU03440115", "Oog in Al-Noord", 1, 2555),
            ("BU03440116", "Oog in Al-Zuid", 1, 1700),
        ]),
        ("WK034410", "Wijk 10 Leidsche Rijn", 2, [
            ("BU03441001", "Vleuterweide", 2, 14390), ("BU03441002", "Terwijde", 2, 9180)]),
    ])),
    "kwb-2025-merged.xlsx": ("Gemeente-Utrecht", kwb_rows([
        ("WK034401", "Wijk 01 West", 1, [
            ("BU03440114", "Bedrijventerrein Cartesiusweg", 1, 40),
            ("BU03440117", "Oog in Al", 3, 4270),
            ("BU03440118", "Lageweide", 3, 3230),
        ]),
        ("WK034410", "Wijk 10 Leidsche Rijn", 1, [
            ("BU03441001", "Vleuterweide", 1, 14500), ("BU03441002", "Terwijde", 1, 9240)]),
    ])),
    "kwb-2023-ambiguous.xlsx": ("kwb-2023", kwb_rows([
        ("WK034401", "Wijk 01 West", 1, [
            ("BU03440111", "Welgelegen, Den Hommel", 1, 1805),
            ("BU03440113", "Halve Maan-Zuid", 1, 1395),
            ("BU03440114", "Bedrijventerrein Cartesiusweg", 1, 40),
            ("BU03440117", "Park Transwijk", 3, 1500),
            ("BU03440118", "Dichterswijk-West", 3, 900),
        ]),
        ("WK034499", "Wijk 99 Leidsche Rijn", 1, [
            ("BU03449901", "Vleuterweide", 1, 14210), ("BU03449902", "Terwijde", 1, 9105)]),
    ])),
}

LINKS_AMBIGUOUS = """\
old_code,new_code,relation,from_year,to_year,share,evidence
BU03440112,BU03440117,split,2022,2023,,buurtindeling 2023 of the municipality (invented for the test)
BU03440112,BU03440118,split,2022,2023,,buurtindeling 2023 of the municipality (invented for the test)
"""


def write_kwb(path: Path, sheet: str, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    table = book.active
    table.title = sheet
    for row in rows:
        table.append(row)
    book.save(path)


def main(folder: Path = HERE) -> None:
    for name, (sheet, rows) in FILES.items():
        write_kwb(folder / name, sheet, rows)
    (folder / "links-ambiguous.csv").write_text(LINKS_AMBIGUOUS, encoding="utf-8")


if __name__ == "__main__":
    main()
