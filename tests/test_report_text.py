"""The typst template: names from input files are text, never markup."""

import io
import json

from pypdf import PdfReader

from conftest import ROOT


def test_template_renders_hostile_names_literally(tmp_path):
    import typst

    from wijkmonitor.report import FONT_DIR

    hostile = "#set page(width: 1cm) $x$ *vet* _schuin_ @label <anker> \\ [haak] ]"
    context = {
        "title": hostile, "city": "Stad #1", "edition": "2023", "period": "2014–2023", "demo_notice": "",
        "demo_text": "", "summary": [hostile], "largest_gaps": [], "widening": [], "themes": [],
        "trend_figures": [], "gap_table": {"header": ["Wijk", "x"], "rows": [[hostile, "18,2%"]], "note": ""},
        "focus": [{"code": "WK1", "name": hostile, "text": hostile, "rows": [], "reference_period": "2017",
                   "significance": [hostile]}], "quality": {"text": "", "rows": [], "uncatalogued": [], "n_uncatalogued": 0,
                        "quarantined": [["raw.csv", "3", hostile, "2", ""]], "n_quarantined": 1},
        "inequality": {"rows": [[hostile, "2023", "10", "2,0×", "0,40", "0,200", "0,100", "–", "–", "–", "–"]]},
        "projections": {"rows": [[hostile, hostile, "2030", "1", "0–2", "1", "0", "niet in dit tempo"]],
                        "target": "2030"},
        "composite": {"rows": [["1", hostile, "100", "1–2"]], "period": "2023"},
        "references": [hostile],
        "maps": [{"file": "p.svg", "alt": hostile, "caption": hostile + " (kaart)"}],
        "projection_figures": [{"file": "p.svg", "alt": hostile, "caption": hostile + " (projectie)"}],
        "profiles": [{"name": hostile, "figure": {"file": "p.svg", "alt": hostile, "caption": hostile},
                      "outlook": [hostile]}],
        "sources": [], "hashes": [], "versions": [], "config": hostile, "revision": "abc", "methods": [],
        "figures_dir": "",
    }
    (tmp_path / "p.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    pdf = typst.compile((ROOT / "reports/templates/report.typ").read_bytes(), root=str(tmp_path),
                        font_paths=[str(FONT_DIR)], ignore_system_fonts=True,
                        sys_inputs={"data": json.dumps(context)}, timestamp=0)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Gebieden die niet in het gebiedsregister staan" in text and "Als er niets verandert" in text
    assert "Ongelijkheid tussen de wijken" in text and "Samengestelde index 2023" in text
    assert "Wijkprofielen" in text and "Kaarten" in text
    assert text.count("*vet*") >= 3 and "$x$" in text and "<anker>" in text and "#set page" in text
    assert "18,2%" in text
