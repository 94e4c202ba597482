"""The message catalogue: both languages complete and consistent, every message the code and the
template ask for exists, and the number format switches with the language."""

import re

import pytest

from conftest import ROOT
from wijkmonitor.i18n import LANGUAGES, Language, fields, messages

SOURCES = [*(ROOT / "src/wijkmonitor").glob("*.py"), *(ROOT / "src/wijkmonitor/report").glob("*.py"),
           *(ROOT / "rules").glob("*.smk")]


def test_every_message_has_both_languages_with_the_same_fields():
    for key, text in messages().items():
        assert set(text) == set(LANGUAGES), key
        assert fields(text["nl"]) == fields(text["en"]), key
        assert text["nl"].strip() and text["en"].strip(), key
    template_keys = [k for k in messages() if k.startswith("template.")]
    assert all(not fields(messages()[k]["nl"]) for k in template_keys)


def test_every_message_the_code_uses_exists_and_every_message_is_used():
    code = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    template = (ROOT / "reports/templates/report.typ").read_text(encoding="utf-8")
    static = set(re.findall(r"""(?:tr|self|lang|WORDS)\(\s*["']([a-z_]+\.[a-z_0-9]+)["']""", code))
    static |= set(re.findall(r"""["']([a-z_]+\.[a-z_0-9]+)["']\s+if\b""", code))  # tr("a" if c else "b")
    static |= set(re.findall(r"""else\s+["']([a-z_]+\.[a-z_0-9]+)["']""", code))
    dynamic = set(re.findall(r"""tr\(f["']([a-z_]+)\.\{""", code))
    used_labels = {"template." + name for name in re.findall(r"\bt\.([a-z_]+)", template)}
    known = set(messages())
    assert static - known == set()
    assert used_labels - known == set()
    assert dynamic <= {k.split(".")[0] for k in known}
    unused = {k for k in known if k not in static | used_labels and k.split(".")[0] not in dynamic
              and not k.startswith("template.")}
    assert unused == set()
    assert {k for k in known if k.startswith("template.")} - used_labels == set()


def test_numbers_switch_with_the_language():
    percent = {"id": "percent", "decimals": 1, "suffix_nl": "%", "suffix_en": "%"}
    nl, en = Language("nl"), Language("en")
    assert (nl.value(18.2, percent), en.value(18.2, percent)) == ("18,2%", "18.2%")
    assert (nl.number(192990, 0), en.number(192990, 0)) == ("192.990", "192,990")
    assert (nl.gap(11.7, percent), en.gap(11.7, percent)) == ("+11,7 procentpunt", "+11.7 percentage points")
    assert (nl.p(0.0123), en.p(0.0123)) == ("p = 0,012", "p = 0.012")
    assert nl.join(["a", "b", "c"]) == "a, b en c" and en.join(["a", "b"]) == "a and b" and en.join(["a"]) == "a"


def test_a_sentence_in_both_languages():
    values = {"area": "Overvecht", "indicator": "huishoudens met bijstand", "value": "18,2%",
              "city_value": "6,5%", "city": "Utrecht", "period": 2017, "gap": "+11,7 procentpunt"}
    assert Language("nl")("summary.largest_gap", **values) == (
        "Overvecht: huishoudens met bijstand 18,2% tegen 6,5% in heel Utrecht in 2017 (+11,7 procentpunt).")
    assert Language("en")("summary.largest_gap", **values).startswith(
        "Overvecht: huishoudens met bijstand 18,2% against 6,5% in all of Utrecht in 2017")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="report language 'fr' is not one of nl, en"):
        Language("fr")
