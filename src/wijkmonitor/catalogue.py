"""The indicator catalogue (indicators, units, themes) as data, and resolving source names to indicator ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .errors import ConfigError

POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
INDICATOR_COLUMNS = [
    "id", "label_nl", "label_en", "theme", "unit", "polarity", "source", "definition", "definition_nl",
    "denominator", "estimate", "disclosure", "catalogued",
]
# How a figure is made: `direct` (counted or surveyed; the default) or `model` (a model-based small-area
# estimate, e.g. RIVM/CBS 50090NED): without published margins such figures get no test at all.
ESTIMATES = ("direct", "model")
# Whether the frequency rule of disclosure control applies to a count or to a register share's numerator
# (`frequency`, the default: counts of persons or households) or not (`none`: dwellings, businesses, cars).
DISCLOSURE_RULES = ("frequency", "none")
_REQUIRED = ("id", "label_nl", "label_en", "theme", "unit", "polarity", "source_keys")
DERIVED_COLUMNS = ["id", "numerator", "denominator", "per", "kind"]
# A derived figure is a `rate` (events per population: Poisson, Byar's interval) or a `share` (persons of
# the denominator's population who are counted in the numerator: binomial, Wilson's interval).
DERIVED_KINDS = ("rate", "share")
# The longest indicator id derived from a header; longer ones are cut and end in a short hash.
MAX_ID_LENGTH = 60


def source_key(text: str) -> str:
    """The form in which source names are compared: case- and whitespace-insensitive."""
    return " ".join(str(text).casefold().split())


def _words(text: str) -> str:
    """A header as lower-case ASCII words joined by `_`: `% Afstand (km)` -> `pct_afstand_km`."""
    text = unicodedata.normalize("NFKD", str(text).replace("%", " pct "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _digest(name: str) -> str:
    return hashlib.sha1(str(name).encode("utf-8")).hexdigest()[:8]


def _shortened(text: str, name: str, max_length: int) -> str:
    """`text` cut to `max_length` with a short hash of the whole header `name` at its end."""
    return f"{text[: max_length - 9].rstrip('_')}_{_digest(name)}"


def slug(text: str, max_length: int = MAX_ID_LENGTH) -> str:
    """An indicator id derived from a header: `% cultuurdeelname` -> `pct_cultuurdeelname`.

    Long headers are cut and get a short hash of the whole header, so two headers that differ
    only at the end keep different ids.
    """
    words = _words(text) or "indicator"
    return words if len(words) <= max_length else _shortened(words, text, max_length)


def header_parts(name: str) -> list[str]:
    """The levels of a hierarchical header, outer first: split on `/` and `|` outside brackets.

    `Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk` -> three parts;
    `Ziekenhuis (incl. buitenpolikliniek)|Aantal (per 1/km2)` -> two. StatLine's topics start with
    a capital, so a part that starts in lower case continues the one before it: `Havo/vwo` stays
    one part (as `Havo/vwo`).
    """
    parts, current, depth = [], [], 0
    for ch in str(name):
        depth += (ch in "([") - (ch in ")]")
        if ch in "/|" and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    joined: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if joined and part[0].islower():
            joined[-1] = f"{joined[-1]}/{part}"
        else:
            joined.append(part)
    return joined or [str(name)]


def readable_ids(names, units: dict | None = None, taken=(), max_length: int = MAX_ID_LENGTH) -> dict[str, str]:
    """Ids for the uncatalogued headers of one file, from the distinguishing end of each header.

    `Detailhandel/Winkels dagelijkse boodschappen/Afstand tot grote supermarkt` with unit `km`
    -> `afstand_tot_grote_supermarkt_km`: the last part of the header, plus the unit the reader
    split off (`units`: header -> unit) unless the id already names it. Headers whose ids would
    coincide take one more part from the end, together, until they differ or run out of parts:
    `.../Huisartsenpraktijk/Aantal huisartsenpraktijken/Binnen 1 km` -> `aantal_huisartsenpraktijken_binnen_1_km`.
    An id that is a catalogued id (`taken`) gets `_uncatalogued`; only ids that still coincide or
    are longer than `max_length` end in a short hash of the whole header.

    Deterministic: the same set of headers gives the same ids, and a header keeps its id in
    another file or year as long as its own end is as unique there as here.
    """
    names = list(dict.fromkeys(names))
    units = units or {}
    parts = {n: header_parts(n) for n in names}
    depth = dict.fromkeys(names, 1)

    def candidate(name: str) -> str:
        words = _words(" ".join(parts[name][-depth[name]:])) or "indicator"
        unit = _words(units.get(name) or "")
        return f"{words}_{unit}" if unit and f"_{unit}_" not in f"_{words}_" else words

    while True:
        ids = {n: candidate(n) for n in names}
        groups: dict[str, list[str]] = {}
        for name, i in ids.items():
            groups.setdefault(i, []).append(name)
        grow = [n for group in groups.values() if len(group) > 1 for n in group if depth[n] < len(parts[n])]
        if not grow:
            break
        for name in grow:
            depth[name] += 1
    taken = set(taken)
    ids = {n: f"{i}_uncatalogued" if i in taken else i for n, i in ids.items()}
    counts = pd.Series(list(ids.values()), dtype=object).value_counts()
    return {n: _shortened(i, n, max_length) if counts[i] > 1 or len(i) > max_length else i
            for n, i in ids.items()}


def _load_breakdowns(path: Path, known: set[str]) -> dict[str, tuple[str, list[str]]]:
    """breakdowns.yaml (optional): id -> (total, parts), every id a catalogued count."""
    if not path.exists():
        return {}
    result = {}
    for i, entry in enumerate(_load_yaml(path).get("breakdowns") or [], start=1):
        where = {"file": str(path), "hint": f"(breakdown number {i}) Each needs id, total and at least two parts."}
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("total") \
                or len(entry.get("parts") or []) < 2:
            raise ConfigError("a breakdown lacks id, total or two parts.", **where)
        unknown = sorted({entry["total"], *entry["parts"]} - known)
        if unknown:
            raise ConfigError(f"breakdown {entry['id']!r} names unknown indicator(s) {', '.join(unknown)}.", **where)
        result[str(entry["id"])] = (str(entry["total"]), [str(p) for p in entry["parts"]])
    return result


# libyaml's safe loader where PyYAML was built with it (ten times faster on the catalogue, which every
# analysis, figures and report job of a many-municipality run loads), else the pure-Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SAFE_LOADER) or {}  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise ConfigError("not found.", file=str(path)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"is not valid YAML: {exc}", file=str(path)) from None


@dataclass
class Catalogue:
    """Indicators, units and themes, loaded from the catalogue folder."""

    indicators: pd.DataFrame
    units: pd.DataFrame
    theme_sets: dict
    _by_key: dict[str, str] = field(default_factory=dict)
    # Indicators computed from two others (a count over a denominator): id, numerator, denominator, per.
    derived: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DERIVED_COLUMNS))
    # Counts that split a total into parts (breakdowns.yaml): id -> (total, [parts]).
    breakdowns: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str | Path) -> Catalogue:
        folder = Path(folder)
        units = pd.DataFrame(_load_yaml(folder / "units.yaml").get("units", []))
        theme_sets = _load_yaml(folder / "themes.yaml").get("theme_sets", {})
        theme_ids = {t["id"] for s in theme_sets.values() for t in s["themes"]}
        rows, by_key, derived = [], {}, []
        files = sorted((folder / "indicators").glob("*.yaml"))
        if not files:
            raise ConfigError("holds no indicators/*.yaml files.", file=str(folder))
        for path in files:
            content = _load_yaml(path)
            defaults = content.get("defaults") or {}
            for i, entry in enumerate(content.get("indicators", []), start=1):
                where = {"file": str(path), "hint": f"(indicator number {i})"}
                entry = {"estimate": "direct", "disclosure": "frequency"} | defaults | entry
                for key, allowed in (("estimate", ESTIMATES), ("disclosure", DISCLOSURE_RULES)):
                    if entry[key] not in allowed:
                        raise ConfigError(f"indicator {entry.get('id')!r} has {key} {entry[key]!r}; use one of "
                                          f"{', '.join(allowed)}.", **where)
                spec = entry.get("derived")
                missing = [k for k in _REQUIRED if not entry.get(k) and not (spec and k == "source_keys")]
                if missing:
                    raise ConfigError(f"indicator {entry.get('id')!r} lacks {', '.join(missing)}.", **where)
                if entry["unit"] not in set(units["id"]):
                    raise ConfigError(f"indicator {entry['id']!r} has unknown unit {entry['unit']!r}.", **where)
                if entry["polarity"] not in POLARITIES:
                    raise ConfigError(
                        f"indicator {entry['id']!r} has polarity {entry['polarity']!r}; use one of "
                        f"{', '.join(POLARITIES)}.", **where,
                    )
                if entry["theme"] not in theme_ids:
                    raise ConfigError(f"indicator {entry['id']!r} has unknown theme {entry['theme']!r}.", **where)
                if spec:
                    if not isinstance(spec, dict) or not {"numerator", "denominator"} <= set(spec):
                        raise ConfigError(
                            f"indicator {entry['id']!r}: `derived` needs numerator and denominator.", **where)
                    kind = spec.get("kind", "rate")
                    if kind not in DERIVED_KINDS:
                        raise ConfigError(f"indicator {entry['id']!r}: `derived.kind` {kind!r} is not one of "
                                          f"{', '.join(DERIVED_KINDS)}.", **where)
                    derived.append({"id": entry["id"], "numerator": spec["numerator"],
                                    "denominator": spec["denominator"], "per": float(spec.get("per", 1)),
                                    "kind": kind})
                for key in entry.get("source_keys") or []:
                    k = source_key(key)
                    if k in by_key and by_key[k] != entry["id"]:
                        raise ConfigError(
                            f"source key {key!r} is claimed by both {by_key[k]!r} and {entry['id']!r}.", **where
                        )
                    by_key[k] = entry["id"]
                rows.append({c: entry.get(c) for c in INDICATOR_COLUMNS} | {"catalogued": True})
        indicators = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
        dup = indicators["id"].duplicated()
        if dup.any():
            raise ConfigError(f"indicator id {indicators['id'][dup].iloc[0]!r} is defined twice.", file=str(folder))
        for set_id, theme_set in theme_sets.items():
            for theme in theme_set["themes"]:
                listed = theme.get("indicators") or []
                unknown = sorted(set(listed) - set(indicators["id"]))
                if unknown:
                    raise ConfigError(f"theme {theme['id']!r} of theme set {set_id!r} lists unknown indicator(s) "
                                      f"{', '.join(unknown)}.", file=str(folder / "themes.yaml"))
        derived_table = pd.DataFrame(derived, columns=DERIVED_COLUMNS)
        unknown = set(derived_table["numerator"]).union(derived_table["denominator"]) - set(indicators["id"])
        if unknown:
            raise ConfigError(f"derived indicators refer to unknown indicator(s) {', '.join(sorted(unknown))}.",
                              file=str(folder))
        breakdowns = _load_breakdowns(folder / "breakdowns.yaml", set(indicators["id"]))
        return cls(indicators=indicators, units=units, theme_sets=theme_sets, _by_key=by_key,
                   derived=derived_table, breakdowns=breakdowns)

    def indicator_id(self, name: str) -> str | None:
        """The catalogued id for a name a source uses, or None."""
        return self._by_key.get(source_key(name))

    def uncatalogued_ids(self, names, units: dict | None = None) -> dict[str, str]:
        """The ids the uncatalogued columns of one file are kept under (see `readable_ids`)."""
        return readable_ids(names, units, taken=set(self.indicators["id"]))

    def uncatalogued_id(self, name: str, unit: str | None = None) -> str:
        """The id of one uncatalogued column on its own (a file's columns: `uncatalogued_ids`)."""
        return self.uncatalogued_ids([name], {name: unit})[name]

    def unit(self, unit_id: str) -> dict:
        return self.units.set_index("id").loc[unit_id].to_dict()


def theme_members(theme_set: dict, indicator_themes: dict[str, str]) -> dict[str, list[str]]:
    """Theme id -> its indicator ids, for one theme set: the ids a theme lists (`indicators:`, as the
    seed's framings do), else those whose catalogue `theme` is that theme (the WijkWijzer set)."""
    return {theme["id"]: list(theme["indicators"]) if "indicators" in theme
            else [i for i, t in indicator_themes.items() if t == theme["id"]]
            for theme in theme_set["themes"]}
