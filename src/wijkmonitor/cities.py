"""The whole country: one register for many municipalities, a monitor per municipality, and a
national comparison table.

With `cities: all` (or a list of CBS municipality codes) in the config, the run reads national
files once, builds the area register of every selected municipality from the region codes and
names in them (`national_register`), loads one warehouse and validates it once, and then fans out:
each municipality gets its own warehouse (a subset of the national one, `city_warehouse`), its own
analysis tables, figures, edition record, data bundle and report (`reports/<city>-<year>.pdf`, the
city named by `city_slug`). `comparison_table` puts every municipality's inequality indices side by
side. See docs/scaling.md.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from pathlib import Path

import pandas as pd

from .areas import area_row, finish_register, municipality_digits
from .errors import ConfigError, ReaderError

ALL = "all"
_CODE = re.compile(r"^(GM|WK|BU)\d+$")
_LEVEL_OF_PREFIX = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
_DIGITS_OF_LEVEL = {"gemeente": 4, "wijk": 6, "buurt": 8}

# What the national comparison table keeps of each municipality's inequality table.
COMPARISON_KEYS = ["gemeente_code", "gemeente", "indicator_id", "category", "period", "level"]


def area_codes(read_table: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """The distinct CBS areas (code, level, name) of one read file; a name equal to the code (RIVM
    50090NED files carry codes only) counts as no name. Rows without a CBS code (the country, totals)
    are left out."""
    pairs = read_table[["area_code", "area_name"]].drop_duplicates()
    codes = pairs["area_code"].fillna("").str.strip()
    names = pairs["area_name"].fillna("").str.strip()
    names = names.where(names != codes, "")
    valid = codes.str.match(_CODE.pattern)
    areas = pd.DataFrame({"code": codes[valid], "name": names[valid]})
    areas["level"] = areas["code"].str[:2].map(_LEVEL_OF_PREFIX)
    wrong = areas["code"].str.len() - 2 != areas["level"].map(_DIGITS_OF_LEVEL)
    if wrong.any():
        raise ReaderError(f"area code {areas['code'][wrong].iloc[0]!r} has the wrong number of digits for its "
                          "level (GM + 4, WK + 6, BU + 8).", file=str(path))
    # One name per code: the first non-empty one.
    areas = areas.sort_values("name", ascending=False, kind="stable").drop_duplicates("code")
    return areas.reset_index(drop=True)


def national_register(tables: list[tuple[str, pd.DataFrame]], cities: str | list[str]) -> pd.DataFrame:
    """The area register of the selected municipalities (`"all"` or GM codes) from the region codes of
    national files (`tables`: each file's path and its `area_codes`).

    Levels and parents follow from the CBS codes (BU03440311 lies in WK034403, which lies in GM0344).
    Names come from the first file that names an area; an area no file names (RIVM 50090NED gives codes
    only) is named by its code, so its report still says which area is meant. A wijk or buurt whose
    municipality is in no file is refused.
    """
    found = pd.concat([table for _, table in tables], ignore_index=True)
    if found.empty:
        raise ReaderError("none of the national files holds CBS area codes (GM...., WK......, BU........).",
                          file=", ".join(path for path, _ in tables))
    found = found.sort_values("name", ascending=False, kind="stable").drop_duplicates("code")
    found["digits"] = found["code"].map(municipality_digits)
    listed = set(found.loc[found["level"] == "gemeente", "code"])
    missing = [] if cities == ALL else [c for c in cities if c not in listed]
    if missing:
        raise ConfigError(
            f"cities: {', '.join(missing)} not in the national files (they hold {len(listed)} municipalities).",
            hint="Give CBS municipality codes of the files' regional division, e.g. GM0344.")
    gemeenten = listed if cities == ALL else set(cities)
    orphans = found[(found["level"] != "gemeente") & ~("GM" + found["digits"]).isin(listed)]
    if len(orphans):
        raise ReaderError(f"area {orphans['code'].iloc[0]} lies in municipality GM{orphans['digits'].iloc[0]}, "
                          "which no national file lists.", file=", ".join(path for path, _ in tables))
    selected = found[("GM" + found["digits"]).isin(gemeenten)]
    rows = [
        area_row(r.code, r.name or r.code, r.level, r.code[2:], f"GM{r.digits}", {})
        for r in selected.itertuples(index=False)
    ]
    return finish_register(rows)


def city_slug(name: str) -> str:
    """A municipality's name as a file name: `'s-Hertogenbosch` -> `s-hertogenbosch`,
    `Bergen (L.)` -> `bergen-l`, `Súdwest-Fryslân` -> `sudwest-fryslan`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def city_slugs(register: pd.DataFrame) -> dict[str, str]:
    """File-name slug -> GM code of every municipality in the register; two municipalities with the same
    slug get their code appended."""
    gemeenten = register[register["level"] == "gemeente"].sort_values("code")
    slugs = [city_slug(name) or code.lower() for code, name in zip(gemeenten["code"], gemeenten["name"], strict=True)]
    repeated = {s for s in slugs if slugs.count(s) > 1}
    return {
        (f"{slug}-{code.lower()}" if slug in repeated else slug): code
        for slug, code in zip(slugs, gemeenten["code"], strict=True)
    }


def city_batches(slugs: dict[str, str], per_job: int) -> dict[str, dict[str, str]]:
    """The municipalities (`slugs`: slug -> GM code) in batches of at most `per_job`, in code order, as
    batch id (its number, zero-padded to the width of the last: "01" to "36") -> {slug: code}. One
    analysis job analyses one batch: a job pays some 1.5 s to start Python and import the libraries,
    as much as the analysis of a small municipality takes (docs/scaling.md)."""
    if per_job < 1:
        raise ConfigError(f"cities_per_job must be at least 1, not {per_job}.")
    ordered = sorted(slugs.items(), key=lambda item: item[1])
    chunks = [dict(ordered[start:start + per_job]) for start in range(0, len(ordered), per_job)]
    width = len(str(len(chunks)))
    return {str(number).zfill(width): chunk for number, chunk in enumerate(chunks, start=1)}


def batch_priorities(batches: dict[str, dict[str, str]], areas: dict[str, int]) -> dict[str, int]:
    """Snakemake priorities of the analysis batches (`city_batches`): the batch with the most areas
    (`areas`: GM code -> number of areas in the register) gets the highest, so the largest batches run
    first and the last jobs are small ones, which keeps every core busy to the end (longest processing
    time first). Ties in code order. 1 for the smallest."""
    work = {batch: sum(areas.get(code, 0) for code in members.values()) for batch, members in batches.items()}
    ranked = sorted(work, key=lambda batch: (work[batch], -int(batch)))
    return {batch: rank for rank, batch in enumerate(ranked, start=1)}


def city_settings(config: dict, code: str, name: str) -> dict:
    """The run's config as one municipality's monitor sees it: `city` is that municipality, the report's
    title ends with its name, and the settings that name areas of one city (focus areas, boundary maps)
    are left out."""
    settings = copy.deepcopy(config)
    settings["city"] = {"name": name, "code": code}
    report = settings["report"]
    report["title"] = f"{report['title']} {name}".strip()
    report["focus_areas"] = []
    report["boundaries"] = []
    return settings


def comparison_table(inequality: dict[str, pd.DataFrame], names: dict[str, str]) -> pd.DataFrame:
    """Every municipality's inequality indices side by side: one row per municipality, indicator,
    category, year and level, with the municipality's code and name first. `inequality` maps GM codes to
    their analysis table `inequality`."""
    frames = [
        table.assign(gemeente_code=code, gemeente=names[code])
        for code, table in sorted(inequality.items()) if len(table)
    ]
    if not frames:
        return pd.DataFrame(columns=COMPARISON_KEYS)
    table = pd.concat(frames, ignore_index=True)
    rest = [c for c in table.columns if c not in COMPARISON_KEYS]
    keys = [c for c in COMPARISON_KEYS if c in table.columns]
    return table[keys + rest].sort_values(keys, na_position="first").reset_index(drop=True)
