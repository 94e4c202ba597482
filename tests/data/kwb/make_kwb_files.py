"""Writes the small historic kwb workbooks (.xls, BIFF) that tests/test_readers_kwb_history.py reads.

Run by hand when the files must change; the tests read the committed files and never call xlwt
(a BIFF writer that is not a project dependency: `pip install xlwt`, then
`python tests/data/kwb/make_kwb_files.py`). The figures are invented in the shape of CBS's files.

Layouts, as found in public code that reads the real CBS downloads (kwb-2012.xls ... kwb-2018.xls):
- 2012 and before: upper-case names (GWB_CODE12, GWB_NAAM12_60POS, GEM_NAAM, RECS G/W/B, AANT_INW,
  WWB_UITTOT), codes without the GM/WK/BU prefix;
- 2013-2018: today's lower-case short names, `gwb_code` with its prefix, recs Gemeente/Wijk/Buurt,
  some figures stored as text with a decimal comma (`5,0`), and names later renamed (g_woz, a_w_all).
"""

from pathlib import Path

import xlwt

HERE = Path(__file__).resolve().parent


def write(name: str, sheet: str, rows: list[list[object]]) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    table = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                table.write(r, c, value)
    book.save(str(HERE / name))


# kwb 2013: codes with prefix in `gwb_code` (padded with spaces), gwb_code_8 without; a blank row;
# p_stadsv as text with a decimal comma; "." = secret.
write("kwb-2013.xls", "Blad1", [
    ["gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi", "a_inw", "a_man", "a_soz_wb", "g_woz",
     "p_stadsv"],
    ["0344", "Utrecht", "Utrecht", "Gemeente", "GM0344  ", 1, 321916, 156740, 10280, 214, "5,0"],
    ["034401", "Wijk 01 West", "Utrecht", "Wijk", "WK034401", 1, 25640, 12700, 1360, 176, "1,5"],
    [None] * 11,
    ["03440111", "Welgelegen, Den Hommel", "Utrecht", "Buurt", "BU03440111", 1, 1620, 790, ".", 233, "0,0"],
    ["03440112", "Oog in Al", "Utrecht", "Buurt", "BU03440112", 1, 4505, 2150, 40, ".", "."],
])

# kwb 2016, downloaded as a re-issued version: the file name names two years.
write("kwb-2016-versie-2018-03-01.xls", "kwb2016", [
    ["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi", "a_inw", "a_soz_wb", "a_w_all"],
    ["GM0344", "0344", "Utrecht", "Utrecht", "Gemeente", "GM0344", 1, 338967, 10510, 33390],
    ["WK034401", "034401", "Wijk 01 West", "Utrecht", "Wijk", "WK034401", 1, 26715, 1305, 3090],
    ["BU03440111", "03440111", "Welgelegen, Den Hommel", "Utrecht", "Buurt", "BU03440111", 1, 1700, ".", 215],
])

# kwb 2012: upper-case names, codes without prefix; the gemeente's code stored as a number (344).
write("kwb-2012.xls", "KWB2012", [
    ["GWB_CODE12", "GWB_NAAM12_60POS", "GEM_NAAM", "RECS", "AANT_INW", "AANT_MAN", "WWB_UITTOT", "P_00_14_JR"],
    [344, "Utrecht", "Utrecht", "G", 316275, 153880, 7935, 18],
    ["034401", "Wijk 01 West", "Utrecht", "W", 25125, 12400, 1090, 15],
    ["03440111", "Welgelegen, Den Hommel", "Utrecht", "B", 1585, 775, "x", 12],
])

# Refusals: a code that cannot be a CBS code, and a code whose level disagrees with recs.
write("kwb-2014-bad-code.xls", "Blad1", [
    ["gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "a_inw"],
    ["0344", "Utrecht", "Utrecht", "Gemeente", "GM0344", 330772],
    ["03441", "Wijk 01 West", "Utrecht", "Wijk", "WK-3441", 26145],
])
write("kwb-2015-bad-level.xls", "Blad1", [
    ["gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "a_inw"],
    ["0344", "Utrecht", "Utrecht", "Gemeente", "GM0344", 334176],
    ["034401", "Wijk 01 West", "Utrecht", "Buurt", "WK034401", 26415],
])
