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


def test_boundary_breaks_are_in_the_reports_language():
    """The breaks of the section on boundary changes: the relation and the cause in the report's language
    (series_breaks' `cause`), not the table's English reason."""
    from types import SimpleNamespace

    import pandas as pd

    from wijkmonitor.boundaries import LINK_COLUMNS
    from wijkmonitor.canonical import observation_frame
    from wijkmonitor.i18n import Language
    from wijkmonitor.report.context import _boundaries
    from wijkmonitor.series_links import join_across_links

    links = pd.DataFrame([(*r, "test") for r in [
        ("BU03440112", "BU03440115", "split", 0.6, 2022, 2023), ("BU03440112", "BU03440116", "split", 0.4, 2022, 2023),
        ("BU03440111", "BU03440118", "merged", 0.25, 2024, 2025), ("BU03440113", "BU03440118", "merged", 0.75, 2024, 2025),
        ("BU03440114", "BU03440119", "moved", 1.0, 2024, 2025),
        ("BU03440120", "BU03440120", "split", 0.5, 2024, 2025), ("BU03440120", "BU03440121", "split", 0.5, 2024, 2025),
        ("BU03440120", "BU03440131", "recoded", 1.0, 2025, 2026)]], columns=LINK_COLUMNS)
    observations = observation_frame([
        {"indicator_id": i, "area_code": a, "period": p, "value": v, "status": "ok" if v is not None else "missing"}
        for i, a, p, v in [("bevolkingsdichtheid", "BU03440112", 2022, 5000.0), ("inwoners", "BU03440112", 2022, 100.0),
                           ("inwoners", "BU03440111", 2024, 30.0), ("inwoners", "BU03440113", 2024, None),
                           ("inwoners", "BU03440114", 2024, 40.0), ("inwoners", "BU03440120", 2024, 900.0)]])
    joined = join_across_links(observations, links, {"inwoners": "count", "bevolkingsdichtheid": "per_km2"})
    assert joined.breaks["cause"].tolist() == ["not_apportionable", "not_apportionable", "part_missing",
                                               "unknown_relation", "code_kept_split", "code_kept_split"]
    names = {"BU03440115": "Oog in Al-Noord", "BU03440118": "Welgelegen"}
    labels = {"bevolkingsdichtheid": "Bevolkingsdichtheid", "inwoners": "Inwoners"}

    def section(lang: str) -> dict:
        run = SimpleNamespace(lang=Language(lang), observations=joined.observations, series_breaks=joined.breaks,
                              areas=pd.DataFrame({"code": list(names), "name": list(names.values())}),
                              label=labels.__getitem__)
        return _boundaries(run)

    nl = section("nl")
    assert nl["breaks"] == [
        ["Oog in Al-Noord", "Bevolkingsdichtheid", "2022–2023 (gesplitst)", "eenheid niet naar bevolking te verdelen"],
        ["BU03440116", "Bevolkingsdichtheid", "2022–2023 (gesplitst)", "eenheid niet naar bevolking te verdelen"],
        ["Welgelegen", "Inwoners", "2024–2025 (samengevoegd)", "een deelgebied heeft geen cijfer"],
        ["BU03440119", "Inwoners", "2024–2025 (moved)", "onbekende relatie in het linkbestand"],
        ["BU03440120", "Inwoners", "2024–2025 (gesplitst)",
         "code bleef bij de splitsing: eerdere cijfers gelden voor het oude, grotere gebied"],
        # inherited by the code BU03440120 was recoded to: the same cause
        ["BU03440131", "Inwoners", "2024–2025 (gesplitst)",
         "code bleef bij de splitsing: eerdere cijfers gelden voor het oude, grotere gebied"]]
    assert nl["n_breaks"] == 6 and nl["breaks_text"].startswith("6 reeks(en) zijn bij een gebiedswijziging gebroken")
    cells = " ".join(cell for row in nl["breaks"] for cell in row)
    for reason in joined.breaks["reason"]:
        assert reason not in cells
    for english in ("(split)", "split of", "merged", "cannot", "inherited", "keeps its code", "no figure", "not one of"):
        assert english not in cells, english
    en = section("en")
    assert [row[2:] for row in en["breaks"][2:5]] == [
        ["2024–2025 (merged)", "a part has no figure"], ["2024–2025 (moved)", "relation not known in the links file"],
        ["2024–2025 (split)", "code kept through the split: earlier figures are of the old, larger area"]]
