"""Every reader names the variant of its format it found (`ReadResult.layout`), which
`wijkmonitor inspect` prints: one per format here, on the committed demo, open and test files."""

import subprocess
import sys
from pathlib import Path

import pytest
from test_readers_swing_cross import CROSS_TABLE
from test_readers_swing_exports import TILES_LINES

from conftest import ROOT
from wijkmonitor.readers import FORMATS, read_file

DATA = ROOT / "tests" / "data"

LAYOUTS = [
    ("data/raw/demo/bewonersenquete/wijkwijzer_bewonersenquete.csv", "tidy_csv",
     "tidy CSV with area_code, area_name, n; area codes"),
    ("data/raw/demo/incijfers/subwijken_bijstand.csv", "swing_csv",
     "Swing wide CSV, 8 value columns '<indicator>|[<category>|]<year>'"),
    ("tests/data/swing/themas_footer_blocks.xlsx", "swing_themas_xlsx",
     "Thema's report; footer blocks with continuation rows"),
    ("tests/data/swing/zzp_buurten_merged.xlsx", "swing_table_xlsx",
     "Swing table export: title, year row (merged cells) and category row (one label per column); "
     "values stored as text"),
    ("tests/data/statline/ses_woa_regiocode_2021.csv", "statline_csv",
     "regions as rows; plain CSV (decimal comma); codes from 'Regiocode (gemeente, wijk, buurt) (code)'"),
    ("data/raw/open/statline/CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv", "statline_csv",
     "regions as rows; CSV met statistische symbolen (decimal point); codes from 'Regioaanduiding/Codering (code)'"),
    ("tests/data/statline/kwb_transposed_2021.csv", "statline_transposed_csv",
     "topics as rows (transposed); unit in column 2; codes from the 'Regioaanduiding|Codering' row (decimal comma)"),
    ("tests/data/kwb/kwb-2012.xls", "cbs_kwb_xlsx",
     "kwb 2012 (.xls): upper-case short names, codes from 'GWB_CODE12', codes without GM/WK/BU prefix "
     "(level from 'RECS'), leading zeros restored"),
    ("data/raw/open/cbs-kwb/CBS-Utrecht-kwb-2024.xlsx", "cbs_kwb_xlsx",
     "kwb 2024 (.xlsx): lower-case short names, codes from 'gwb_code_10'"),
    ("data/raw/open/rivm-50090NED/2016_18+.xlsx", "rivm_50090_xlsx",
     "50090NED UntypedDataSet xlsx, age groups 18+; estimates only (no interval bounds)"),
]


@pytest.mark.parametrize("relative, fmt, layout", LAYOUTS, ids=[Path(r).name for r, _, _ in LAYOUTS])
def test_each_reader_names_the_layout_it_found(relative, fmt, layout):
    used, result = read_file(ROOT / relative, "auto")
    assert (used, result.layout) == (fmt, layout)


def test_cross_table_tiles_and_odata_layouts(tmp_path):
    cross = tmp_path / "leerlingen.csv"
    cross.write_text(CROSS_TABLE, encoding="utf-8")
    assert read_file(cross)[1].layout == ("Swing cross-table CSV, 2 value columns "
                                          "'<indicator>|[<category>|]<year>'; row-total column not read; "
                                          "column-total row skipped")
    tiles = tmp_path / "tegels.csv"
    tiles.write_text("\n".join(TILES_LINES) + "\n", encoding="utf-8")
    assert read_file(tiles)[1].layout == "Swing dashboard tile CSV, 3 tiles, one figure per line"
    # The RIVM table is a CBS OData UntypedDataSet: read as one, its dimensions are named.
    odata = read_file(ROOT / "data/raw/open/rivm-50090NED/2016_65+.xlsx", "cbs_odata")[1]
    assert odata.layout == ("OData data set (xlsx), 35 topic columns and 3 region attribute columns; regions in "
                            "'WijkenEnBuurten', periods in "
                            "'Perioden', dimensions Leeftijd; Marges in 'Marges', estimates only")


def test_every_format_is_covered_here():
    covered = {fmt for _, fmt, _ in LAYOUTS} | {"cbs_odata", "swing_tiles_csv"}
    assert covered == set(FORMATS)


def test_inspect_prints_the_layout():
    script = Path(sys.executable).parent / "wijkmonitor"
    done = subprocess.run([str(script), "inspect", str(DATA / "statline" / "kwb_older_layout_2009.csv")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("layout     older layout: title, Onderwerp/subject/unit lines; regions as rows by name, "
            "no region codes (decimal comma)") in done.stdout.splitlines()
