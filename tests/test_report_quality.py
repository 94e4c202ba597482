"""The data-quality section: failing values shown literally, and long ids wrapped inside the page."""

import re
import shutil
import subprocess
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from test_warehouse_checks import build

from conftest import ROOT
from wijkmonitor.checks import validate_warehouse
from wijkmonitor.i18n import Language
from wijkmonitor.report.context import _quality

LONG_ID = "aantal_huishoudens_met_een_laag_inkomen_en_een_huurtoeslag_x"  # 60 characters, no space


def quality(report: dict, uncatalogued: list[str] = ()) -> dict:
    """_quality of a run with this validation report (the rest of the run as small as it can be)."""
    run = SimpleNamespace(
        lang=Language("en"), validation=report,
        observations=pd.DataFrame({"status": ["ok"], "provisional": [False]}),
        quarantine=pd.DataFrame(columns=["source_file", "source_row", "area_code", "area_name", "observations",
                                         "closest"]),
        revisions=pd.DataFrame(columns=["indicator_id", "area_code", "period", "value", "vintage", "other_value",
                                        "other_vintage"]),
        series_breaks=pd.DataFrame(columns=["area_code", "indicator_id", "from_year", "to_year", "relation", "reason"]),
        indicators=pd.DataFrame({"id": ["x", *uncatalogued], "catalogued": [True] + [False] * len(uncatalogued),
                                 "label_nl": ["x", *uncatalogued], "label_en": [None] * (1 + len(uncatalogued))}))
    return _quality(run)


def test_failing_values_are_shown_literally(tmp_path, catalogue, matcher, register):
    db, raw = build(tmp_path, catalogue, matcher, register)
    con = duckdb.connect(str(db))
    # A header with a backslash whose percentage is out of range; an area code with quotes in it.
    con.execute("UPDATE observation SET source_column = ?, value = 129 WHERE indicator_id = 'slechte_gezondheid' "
                "AND area_code = 'WK034403'", ["back\\slash"])
    con.execute("UPDATE observation SET area_code = ? WHERE area_code = 'WK034401'", ["'sq'"])
    con.close()
    rows = {row[0]: row for row in quality(validate_warehouse(str(db), 2010, 2023))["rows"]}
    percent = rows["values in per cent are in [0, 100]"]
    assert percent[3] == "failed" and percent[5] == (
        f"{raw}, row 2, column 'back\\slash': value = 129.0 (slechte_gezondheid, WK034403, 2017)")
    area = rows["every area is in the area register"]
    assert area[5] == f"{raw}, row 6, column 'value': area_code = ''sq'' (buurtoordeel, 'sq', 2017)"
    examples = "".join(row[5] for row in rows.values())
    assert "\\\\" not in examples and "\\'" not in examples and "back\\slash" in examples


def test_long_ids_wrap_inside_the_page(tmp_path):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler) is not installed")
    from wijkmonitor.report import render_pdf

    example = (f"data/raw/open/statline/CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023.csv, row 3, column "
               f"'back\\slash': indicator_id = '{LONG_ID}' ({LONG_ID}, GM0344, 2023)")
    report = {"passed": 0, "checks": 1, "failed_warning": 1, "results": [{
        "description": "every indicator is catalogued (label, unit, polarity known)", "description_nl": "-",
        "table": "observation", "severity": "warning", "success": False, "unexpected_count": 2,
        "examples": [example, example]}]}
    section = quality(report, uncatalogued=[LONG_ID + "_" + LONG_ID, "kort"])
    context = {
        "lang": "en", "t": Language("en").section("template"), "title": "T", "document_title": "T", "city": "Stad",
        "edition": "2023", "period": "2014–2023", "demo_notice": "", "demo_text": "", "summary": [],
        "largest_gaps": [], "widening": [], "changes": [], "outlook": [], "themes": [], "trend_figures": [],
        "gap_table": {"header": ["Wijk", "x"], "rows": [], "note": ""}, "focus": [], "quality": section,
        "inequality": {"rows": []}, "projections": {"rows": [], "target": "2030"},
        "composite": {"rows": [], "period": "2023"}, "references": [], "maps": [], "projection_figures": [],
        "inequality_figures": [], "divided": [], "profiles": [], "sources": [], "hashes": [], "versions": [],
        "config": "x", "revision": "abc", "methods": [], "definitions": [],
    }
    render_pdf(context, ROOT / "reports/templates/report.typ", tmp_path, tmp_path / "r.pdf")
    boxes = subprocess.run([pdftotext, "-bbox", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)
    text = "".join(word for _, word in words).replace("\u200b", "")
    assert LONG_ID in text and "back\\slash" in text  # every character is there, the backslash once
    right_margin = page_width - 2 * 72 / 2.54  # the template's 2 cm margin
    assert max(float(x) for x, _ in words) <= right_margin + 1
