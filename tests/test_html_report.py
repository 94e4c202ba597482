"""`snakemake --report reports/report.html` on the demo run: one self-contained HTML file with every
figure of the manifest embedded, each under its kind and with its own title and caption."""

import base64
import html
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

pytestmark = pytest.mark.pipeline
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", "2",
         "--configfile", str(workdir / "config.yaml"), *args],
        capture_output=True, text=True, cwd=workdir, timeout=1800,
    )


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    """The demo run (in a copy of the demo data), then its HTML report: (workdir, report text)."""
    workdir = tmp_path_factory.mktemp("html-report")
    shutil.copytree(ROOT / "data/raw/demo", workdir / "data/raw/demo")
    config = yaml.safe_load((ROOT / "config.yaml").read_text()) | {
        "catalogue": str(ROOT / "catalogue"), "area_register": str(ROOT / "catalogue/areas.csv")}
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    run = snakemake(workdir)
    assert run.returncode == 0, run.stderr[-3000:]
    report = snakemake(workdir, "--report", str(workdir / "reports/report.html"))
    assert report.returncode == 0, report.stderr[-3000:]
    return workdir, (workdir / "reports/report.html").read_text(encoding="utf-8")


def embedded(report: str, name: str):
    """The JSON the report's `<script id="name">var name = ...;</script>` holds."""
    match = re.search(rf'<script id="{name}">\s*var {name} = (.*?);\s*</script>', report, re.S)
    assert match, name
    return json.loads(match.group(1))


def decoded(data_uri: str) -> bytes:
    """The bytes of a `data:<mime>;charset=..;filename=..;base64,<data>` URI."""
    header, data = data_uri.split(",", 1)
    assert header.startswith("data:") and header.endswith(";base64"), header
    return base64.b64decode(data)


def text_of(caption_html: str) -> str:
    """A caption's HTML (as docutils writes it) as plain text with single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", caption_html)).split())


class References(HTMLParser):
    """Every src/href of the page's own tags (script contents, such as the embedded results, are not tags)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value or "") for name, value in attrs if name in ("src", "href")]


def test_html_report_is_one_self_contained_file(demo_report):
    _, report = demo_report
    references = References()
    references.feed(report)
    external = [r for r in references.found if re.match(r"(https?:)?//", r[2])]
    assert external == []
    assert not any(tag == "script" for tag, _, _ in references.found)  # every script is inline
    assert "var results = " in report and "var categories = " in report


def test_every_figure_is_embedded_with_its_own_title_and_caption(demo_report):
    workdir, report = demo_report
    manifest = json.loads((workdir / "reports/build/figures.json").read_text(encoding="utf-8"))
    results = embedded(report, "results")
    figures = {path: r for path, r in results.items() if r["mime_type"] == "image/svg+xml"}
    assert len(manifest) >= 30
    assert sorted(figures) == sorted(f"reports/figures/{entry['file']}" for entry in manifest)
    for entry in manifest:
        result = figures[f"reports/figures/{entry['file']}"]
        assert decoded(result["data_uri"]) == (workdir / "reports/figures" / entry["file"]).read_bytes()
        text = text_of(result["caption"])
        assert text == (f"{' '.join(entry['title'].split())} {' '.join(entry['caption'].split())} "
                        f"Beschrijving: {' '.join(entry['alt'].split())}"), entry["file"]  # alt text too
        assert result["caption"].startswith(f"<p><strong>{html.escape(entry['title'], quote=False)}</strong></p>")
        assert result["labels"]["figure"].startswith(entry["title"])
    assert len({r["caption"] for r in figures.values()}) == len(manifest)

    # The Overvecht profile and a map, read back as a browser would get them.
    profile = next(e for e in manifest if e["kind"] == "profile" and e["area_code"] == "WK034403")
    caption = text_of(results[f"reports/figures/{profile['file']}"]["caption"])
    assert "Overvecht" in profile["title"] and caption.startswith(f"{profile['title']} Overvecht ")
    bijstand = next(e for e in manifest if e["kind"] == "map" and e["indicator_id"] == "huishoudens_bijstand")
    caption = text_of(results[f"reports/figures/{bijstand['file']}"]["caption"])
    assert " ".join(bijstand["caption"].split()) in caption and "19,4%" in caption


def test_figures_are_grouped_by_kind_with_one_row_each(demo_report):
    workdir, report = demo_report
    manifest = json.loads((workdir / "reports/build/figures.json").read_text(encoding="utf-8"))
    categories = embedded(report, "categories")
    assert set(categories) == {"Figuren", "Rapport"}
    groups = Counter(entry["group"] for entry in manifest)
    assert {group: len(paths) for group, paths in categories["Figuren"].items()} == groups
    assert groups == {"Thema's": 5, "Profielen": 10, "Kaarten": 6, "Als er niets verandert": 12, "Ontwikkeling": 4,
                      "Ongelijkheid door de tijd": 6}
    results = embedded(report, "results")
    for paths in categories["Figuren"].values():  # the report shows one row per distinct label
        labels = [results[path]["labels"]["figure"] for path in paths]
        assert len(set(labels)) == len(labels), labels


def test_the_pdf_report_is_embedded_with_its_caption(demo_report):
    workdir, report = demo_report
    results = embedded(report, "results")
    assert embedded(report, "categories")["Rapport"] == {"Other": ["reports/utrecht-2023.pdf"]}
    pdf = results["reports/utrecht-2023.pdf"]
    assert pdf["mime_type"] == "application/pdf"
    assert decoded(pdf["data_uri"]) == (workdir / "reports/utrecht-2023.pdf").read_bytes()
    assert text_of(pdf["caption"]).startswith("Wijkmonitor Utrecht 2023 The wijkmonitor PDF report:")
