"""The report's words in Dutch and English: one message catalogue (`messages.yaml`), one language object.

A message is a `str.format` template with named fields; both languages of a message must name the
same fields (a test checks). Numbers are formatted here too, so a language switch changes every
label, sentence and number format together (18,2% / 18.2%).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .formatting import format_gap, format_number, format_p, format_ratio, format_value

LANGUAGES = ("nl", "en")


@cache
def messages() -> dict[str, dict[str, str]]:
    """Every message id -> {language: template}."""
    return yaml.safe_load(resources.files("wijkmonitor").joinpath("messages.yaml").read_text(encoding="utf-8"))


def fields(template: str) -> set[str]:
    """The named fields a message template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class Language:
    """`tr("summary.scope", wijken=10, ...)` gives the sentence in this language; `tr.value(18.25, unit)`
    gives `18,3%` in Dutch and `18.3%` in English."""

    code: str = "nl"

    def __post_init__(self) -> None:
        if self.code not in LANGUAGES:
            raise ValueError(f"report language {self.code!r} is not one of {', '.join(LANGUAGES)}")

    def __call__(self, key: str, **values: object) -> str:
        return messages()[key][self.code].format(**values)

    def section(self, prefix: str) -> dict[str, str]:
        """All messages under `prefix.` (without fields), by their last name: the template's labels."""
        return {key[len(prefix) + 1:]: text[self.code] for key, text in messages().items()
                if key.startswith(prefix + ".")}

    def number(self, value: float | None, decimals: int = 1, *, signed: bool = False) -> str:
        return format_number(value, decimals, lang=self.code, signed=signed)

    def value(self, value: float | None, unit: dict | None, *, signed: bool = False) -> str:
        return format_value(value, unit, lang=self.code, signed=signed)

    def gap(self, gap: float | None, unit: dict | None) -> str:
        return format_gap(gap, unit, lang=self.code)

    def ratio(self, ratio: float | None) -> str:
        return format_ratio(ratio, lang=self.code)

    def p(self, p: float | None) -> str:
        return format_p(p, lang=self.code)

    def q(self, q: float | None) -> str:
        """`q = 0,030` or `q < 0,001`: a false-discovery-rate q-value."""
        return format_p(q, lang=self.code, name="q")

    def pq(self, p: float | None, q: float | None) -> str:
        """`p = 0,012; q = 0,030`: a p-value with its q-value."""
        return f"{self.p(p)}; {self.q(q)}"

    def join(self, items: list[str]) -> str:
        """`a, b en c` / `a, b and c`."""
        if len(items) < 2:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self('word.and')} " + items[-1]
