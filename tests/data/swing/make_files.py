"""Writes the small Swing xlsx test files in this folder (run: python tests/data/swing/make_files.py).

They reproduce the shapes the portals export (no real file of these shapes is in ../shared/data):
a Thema's report with labelled footer blocks (utrecht.incijfers.nl) and table exports of another
Swing portal (Rotterdam's onderzoek010.nl) whose header labels span their columns by merged cells,
by repetition, or one label per column. Every value cell of the table exports is stored as text.
"""

from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

ROTTERDAM_FOOTER = [
    [],
    ["Speciale waarden", ". = geheim"],
    [None, "? = onbekend"],
    [None, "leeg = geen gegevens"],
    ["Eenheid", "aantal"],
    ["Bron", "CBS, bewerking OBI"],
    [None, "Gemeente Rotterdam, Basisregistratie Personen"],
    ["onderzoek010"],
    ["Website", "https://onderzoek010.nl"],
    ["Datum export", "12-03-2024"],
]

# (a) the year merged over its two category columns (B2:C2, D2:E2, F2:G2).
MERGED = [
    ["ZZP-ers - Buurten"],                                                        # 1
    [None, "2009", None, "2014", None, "2022", None],                             # 2
    [None, "zzp", "geen zzp", "zzp", "geen zzp", "zzp", "geen zzp"],              # 3
    ["Buurt Stadsdriehoek", "120", "1500", ".", "1.620", "12,5", "?"],            # 4
    ["Buurt Afrikaanderwijk", "85", "2310", "90", None, "110", "2.405"],          # 5
    ["Gemeente Rotterdam", "31200", "298000", "36100", "301500", "45000", "305000"],  # 6
    *ROTTERDAM_FOOTER,                                                            # 7-16
]
MERGED_RANGES = ["B2:C2", "D2:E2", "F2:G2"]

# (b) categories on top, each repeated over its years; one year per column below.
REPEATED = [
    ["Woningen naar eigendom - Wijken"],                                          # 1
    [None, "koop", "koop", "huur", "huur"],                                       # 2
    [None, "2019", "2023", "2019", "2023"],                                       # 3
    ["Wijk Delfshaven", "8.900", "9.400", "21.300", "."],                         # 4
    ["Wijk Charlois", "12.010", "12.500", "19.800", "19.650"],                    # 5
    [],                                                                           # 6
    ["Eenheid", "aantal"],                                                        # 7
    ["Bron", "Gemeente Rotterdam, BAG"],                                          # 8
    ["Datum export", "1-2-2024"],                                                 # 9
]

# (c) one label per column: school years, no category row.
SINGLE = [
    ["Voortijdig schoolverlaters - Gebieden"],                                    # 1
    [None, "2019/2020", "2020/2021", "2021/2022"],                                # 2
    ["Gebied Feijenoord", "2,9", "3,4", "."],                                     # 3
    ["Gebied Noord", "1,8", None, "2,1"],                                         # 4
    ["Speciale waarden", ". = geheim"],                                           # 5
    ["Eenheid", "%"],                                                             # 6
    ["Bron", "DUO"],                                                              # 7
]

# A Thema's report (utrecht.incijfers.nl) whose footer has labelled blocks with continuation rows.
THEMAS = [
    ["Thema's - 2025 - Wijken"],                                                  # 1
    [None, "Aantal inwoners [aantal] (1)", "Ervaren gezondheid goed [%]"],        # 2
    ["Wijk 03 Overvecht", 35120, "68,5"],                                         # 3
    ["Wijk 06 Binnenstad", "18.050", "."],                                        # 4
    ["Utrecht", 374238, None],                                                    # 5
    [],                                                                           # 6
    ["Legenda", "- Niet van toepassing"],                                         # 7
    [None, "? Ontbreekt"],                                                        # 8
    [None, ". Geheim"],                                                           # 9
    ["Bron", "CBS, Kerncijfers wijken en buurten"],                               # 10
    [None, "Gemeente Utrecht, Basisregistratie Personen"],                        # 11
    [None, "RIVM, Gezondheidsmonitor"],                                           # 12
    ["(1)", "Cijfers van 2025 zijn"],                                             # 13
    [None, "voorlopig."],                                                         # 14
    ["Utrecht in Cijfers"],                                                       # 15
    ["Datum export", "woensdag 19 maart 2025"],                                   # 16
]


def write(path: Path, rows: list[list], merged: list[str] = (), title: str = "Export") -> Path:
    """An xlsx with `rows` from A1 (None and missing cells stay empty) and the merged ranges."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for ref in merged:
        sheet.merge_cells(ref)
    book.save(path)
    return path


if __name__ == "__main__":
    write(HERE / "zzp_buurten_merged.xlsx", MERGED, MERGED_RANGES)
    write(HERE / "woningen_wijken_repeated.xlsx", REPEATED)
    write(HERE / "vsv_gebieden_single.xlsx", SINGLE)
    write(HERE / "themas_footer_blocks.xlsx", THEMAS, title="Thema's")
