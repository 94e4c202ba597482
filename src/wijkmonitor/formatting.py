"""Numbers as the report prints them: Dutch notation (18,2%), a real minus sign, units from the catalogue."""

from __future__ import annotations

import math

import pandas as pd

MINUS = "\u2212"


def _missing(value: object) -> bool:
    """None, NaN or pandas' NA (analysis tables use nullable columns)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, decimals: int = 1, *, lang: str = "nl", signed: bool = False) -> str:
    """`18.25` -> `18,3` (nl) or `18.3` (en); thousands grouped; `−` for negatives; `–` for missing."""
    if _missing(value):
        return "\u2013"
    text = f"{abs(value):,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    rounded_zero = float(f"{abs(value):.{decimals}f}") == 0
    if value < 0 and not rounded_zero:
        text = MINUS + text
    elif signed and not rounded_zero:
        text = "+" + text
    return text


def format_value(value: float | None, unit: dict | None, *, lang: str = "nl", signed: bool = False) -> str:
    """A value with its unit's decimals and suffix (`18,2%`, `4,9`, `36`)."""
    if unit is None:
        return format_number(value, 1, lang=lang, signed=signed)
    decimals = int(unit.get("decimals", 1))
    suffix = unit.get(f"suffix_{lang}") or ""
    text = format_number(value, decimals, lang=lang, signed=signed)
    return text if text == "\u2013" else text + suffix


def format_gap(gap: float | None, unit: dict | None, *, lang: str = "nl") -> str:
    """A difference with a sign; percentages as percentage points (`+11,7 procentpunt`)."""
    if unit is not None and unit.get("id") == "percent":
        word = "procentpunt" if lang == "nl" else "percentage points"
        return f"{format_number(gap, int(unit.get('decimals', 1)), lang=lang, signed=True)} {word}"
    return format_value(gap, unit, lang=lang, signed=True)


def format_ratio(ratio: float | None, *, lang: str = "nl") -> str:
    """`2.8` -> `2,8×`."""
    return format_number(ratio, 1, lang=lang) + "\u00d7"


def format_p(p: float | None, *, lang: str = "nl", name: str = "p") -> str:
    """`p = 0,012` or `p < 0,001` (`name="q"` for a q-value)."""
    if _missing(p):
        return f"{name} = \u2013"
    if p < 0.001:
        return f"{name} < " + format_number(0.001, 3, lang=lang)
    return f"{name} = " + format_number(p, 3, lang=lang)
