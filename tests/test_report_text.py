"""The typst template: names from input files are text, never markup."""

import io

from pypdf import PdfReader

from conftest import ROOT

HOSTILE = "#set page(width: 1cm) $x$ *vet* _schuin_ @label <anker> \\ [haak] ]"


def render(tmp_path, lang: str) -> str:
    """The template typeset with a context whose every string is hostile; the PDF's text."""
    from wijkmonitor.i18n import Language
    from wijkmonitor.report import render_pdf

    hostile = HOSTILE
    table = {"header": ["Wijk", hostile], "rows": [[hostile, "18,2% (17,0%) ↓"]], "note": hostile}
    context = {
        "lang": lang, "t": Language(lang).section("template"), "changes": [hostile], "outlook": [hostile],
        "title": hostile, "document_title": hostile, "city": "Stad #1", "edition": "2023", "period": "2014–2023", "demo_notice": "",
        "demo_text": "", "summary": [hostile], "largest_gaps": [], "widening": [],
        "themes": [{"id": "x", "label": hostile, "intro": hostile, "figure": None, "then_now": table}],
        "trend_figures": [], "gap_table": {"header": ["Wijk", "x"], "rows": [[hostile, "18,2%"]], "note": ""},
        "focus": [{"code": "WK1", "name": hostile, "text": hostile, "rows": [], "reference_period": "2017",
                   "significance": [hostile], "note": hostile}], "quality": {"text": "", "rows": [], "uncatalogued": [], "n_uncatalogued": 0,
                        "quarantined": [["raw.csv", "3", hostile, "2", ""]], "n_quarantined": 1,
                        "revised": [[hostile, hostile, "2016", "6,4% (2015-2018)", "5,7% (2016-2019)"]], "n_revised": 1,
                        "boundaries": {"text": hostile, "breaks_text": hostile, "n_breaks": 2,
                                       "breaks": [[hostile, hostile, "2022–2023 (split)", hostile]]}},
        "inequality": {"rows": [[hostile, "2023", "10", "2,0×", "0,40", "0,200", "0,100", "–", "–", "–", "–"]]},
        "projections": {"rows": [[hostile, hostile, "2030", "1", "0–2", "1", "0", "niet in dit tempo"]],
                        "target": "2030"},
        "composite": {"rows": [["1", hostile, "100", "1–2"]], "period": "2023"},
        "references": [hostile],
        "maps": [{"file": "p.svg", "alt": hostile, "caption": hostile + " (kaart)", "level": "wijk"},
                 {"file": "p.svg", "alt": hostile, "caption": hostile + " (buurtkaart)", "level": "buurt"}],
        "projection_figures": [{"file": "p.svg", "alt": hostile, "caption": hostile + " (projectie)"}],
        "inequality_figures": [{"file": "p.svg", "alt": hostile, "caption": hostile + " (ongelijkheid)"}],
        "divided": [hostile + " (verdeelde triomf)"],
        "profiles": [{"name": hostile, "figure": {"file": "p.svg", "alt": hostile, "caption": hostile},
                      "outlook": [hostile]}],
        "sources": [], "hashes": [], "versions": [], "config": hostile, "revision": "abc", "methods": [],
        "definitions": [[hostile, "%", hostile, hostile, hostile]],
    }
    (tmp_path / "p.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    render_pdf(context, ROOT / "reports/templates/report.typ", tmp_path, tmp_path / "r.pdf")
    pdf = (tmp_path / "r.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    # Tagged and accessible: a structure tree, the document language, PDF/UA-1 and PDF/A-2a declared.
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root and root["/Lang"] == lang
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp and "<pdfaid:part>2</pdfaid:part>" in xmp
    return "".join(page.extract_text() for page in reader.pages)


def test_template_renders_hostile_names_literally(tmp_path):
    text = render(tmp_path, "nl")
    assert "Gebieden die niet in het gebiedsregister staan" in text and "Als er niets verandert" in text
    assert "Gebiedswijzigingen" in text and "2022–2023" in text
    assert "Ongelijkheid tussen de wijken" in text and "Samengestelde index 2023" in text
    assert "Profielen" in text and "Kaarten" in text and "(buurtkaart)" in text and "Definities" in text and "Nu en vier jaar eerder" in text
    assert "Significante veranderingen in vier jaar" in text and "pagina 2 van" in text
    assert text.count("*vet*") >= 3 and "$x$" in text and "<anker>" in text and "#set page" in text
    assert text.count("[haak] ]") >= 10 and "18,2% (17,0%) ↓" in text


def test_template_labels_switch_to_english(tmp_path):
    text = render(tmp_path, "en")
    assert "Areas not in the area register" in text and "If nothing changes" in text and "page 2 of" in text
    assert "Inequality between the wijken" in text and "Composite index 2023" in text and "Now and four years earlier" in text
    assert "Gebieden die niet" not in text and "pagina" not in text and "Samenvatting" not in text
    assert text.count("*vet*") >= 3
