"""Deterministic synthetic demonstration data for gemeente Utrecht, in the real export formats.

The demo set lets the pipeline build a full report offline from nothing but the repository. Every
number is synthetic, drawn from a small model with a fixed seed, EXCEPT the published WijkWijzer 2017
figures for Overvecht and the city (`WIJKWIJZER_2017`), which the files reproduce exactly.

The model, in brief:

* Population: each buurt has a 2016 size and a growth rate (fast in Leidsche Rijn and
  Vleuten-De Meern); wijk counts are sums of buurt counts and the city the sum of the wijken.
  Business parks, polders, Rijnenburg and Haarrijn stay below 50 inhabitants.
* Every wijk has a deprivation score (Overvecht highest, then Zuidwest, Noordwest, Zuid; West in
  between; Oost, Binnenstad, Noordoost and the two new-town wijken lowest). Each indicator moves
  with it in the direction its polarity implies, on a link scale that keeps values in range
  (logit for percentages and marks, log for rates).
* For the WijkWijzer indicators, the city's and Overvecht's trajectories are set directly
  (through the 2017 anchors) and the other wijken are shifted each year so that the household- or
  population-weighted mean of all wijken is the city value. Overvecht's gap to the city widens
  for social assistance and poor health, narrows for feeling unsafe, and stays put for the marks.
* Subwijken and buurten scatter around their wijk and are shifted so that their weighted mean is
  the wijk value.

The writers copy the shape of the real files (see ../shared/data/README.md): a tidy CSV, Swing
("Utrecht in Cijfers") CSV exports in three encodings, CBS kwb xlsx and RIVM 50090NED xlsx with
space-padded text cells. Workbooks are re-zipped with fixed timestamps so that every run gives
byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

SEED = 3442017
GEMEENTE = "GM0344"
OVERVECHT = "WK034403"

MODEL_YEARS = tuple(range(2012, 2024))  # the population model covers every year any file needs
WIJK_YEARS = tuple(range(2014, 2024))  # survey and the wijk-level Swing export
SUBWIJK_YEARS = tuple(range(2016, 2024))
KWB_YEARS = tuple(range(2016, 2024))
# CBS publishes income statistics two years late: the 2022 and 2023 kwb files have "." there,
# exactly as the real 2023 and 2024 files do.
KWB_INCOME_UNPUBLISHED = (2022, 2023)
RIVM_YEARS = (2012, 2016, 2020, 2022)
CULTURE_YEAR = 2023
ANCHOR_YEAR = 2017

# WijkWijzer 2017 (gemeente Utrecht; transcribed in ../shared/seed/wijkwijzer_2017_overvecht.csv):
# the published 2017 values (Overvecht WK034403, city GM0344) that the demo files reproduce exactly.
WIJKWIJZER_2017 = {
    "huishoudens_bijstand": (18.2, 6.5),  # % huishoudens met bijstand
    "werkgelegenheid": (36, 72),  # banen per 100 inwoners
    "slechte_gezondheid": (29, 14),  # %
    "buurtoordeel": (4.9, 7.1),  # rapportcijfer 1-10
    "sociale_cohesie": (4.5, 5.8),  # rapportcijfer 1-10
    "onveilig_in_wijk": (54, 33),  # % voelt zich wel eens onveilig in de wijk
}

SMALL_POPULATION = 50  # below this CBS and RIVM publish no rates ("." instead)
# Buurten that are business parks or open land: fewer than SMALL_POPULATION inhabitants.
_SMALL_BUURT = re.compile(r"^(?:Bedrijventerrein|Bedrijvengebied|Poldergebied)\b|^(?:Rijnenburg|Haarrijn)$")
# New-build buurt that grows from a handful of homes to a few thousand residents.
NEW_BUILD_BUURTEN = {"BU03440951": (100, 0.45)}  # Rijnvliet: 2016 inhabitants, growth per year (log)
# Subwijken the portal suppresses ("." in every year): too few households or respondents.
SUPPRESSED_SUBWIJKEN = ("SW0344095", "SW0344104")  # Leidsche Rijn-Zuid, Rijnenburg


@dataclass(frozen=True)
class WijkProfile:
    """Synthetic characteristics of one wijk (none copied from a real source)."""

    deprivation: float  # 0 (least) .. 1 (most deprived)
    population_2016: int
    growth: float  # per year
    household_size: float
    ages: tuple[float, float, float]  # shares aged 0-14, 15-24, 65+ (rest: 25-44 and 45-64)
    owner_occupied: float  # % koopwoningen
    housing_association: float  # % of all homes owned by a woningcorporatie
    woz_2016: float  # x 1000 euro
    income_2016: float  # x 1000 euro per inhabitant
    jobs: float  # relative number of jobs per inhabitant (Binnenstad and Science Park high)
    culture: float  # how close cultural facilities are (logit shift of satisfaction)


WIJKEN = {
    "WK034401": WijkProfile(0.40, 25_500, 0.009, 1.9, (0.15, 0.14, 0.09), 47, 27, 255, 28.5, 1.05, 0.30),  # West
    "WK034402": WijkProfile(0.60, 39_500, 0.006, 1.8, (0.15, 0.16, 0.09), 38, 35, 205, 25.0, 0.58, 0.05),  # Noordwest
    "WK034403": WijkProfile(1.00, 32_500, 0.007, 2.1, (0.21, 0.14, 0.11), 27, 55, 165, 19.5, 0.40, -0.40),  # Overvecht
    "WK034404": WijkProfile(0.15, 38_500, 0.006, 1.8, (0.15, 0.17, 0.12), 56, 17, 315, 32.5, 0.55, 0.20),  # Noordoost
    "WK034405": WijkProfile(0.08, 30_500, 0.010, 1.7, (0.12, 0.24, 0.12), 52, 19, 345, 33.5, 2.10, 0.35),  # Oost
    "WK034406": WijkProfile(0.12, 17_500, 0.004, 1.5, (0.07, 0.22, 0.12), 44, 15, 330, 32.0, 3.20, 0.70),  # Binnenstad
    "WK034407": WijkProfile(0.52, 33_500, 0.008, 1.8, (0.14, 0.17, 0.14), 42, 34, 220, 26.0, 0.55, 0.00),  # Zuid
    "WK034408": WijkProfile(0.82, 40_000, 0.010, 2.0, (0.19, 0.15, 0.10), 31, 47, 190, 21.5, 1.00, -0.20),  # Zuidwest
    "WK034409": WijkProfile(0.25, 40_000, 0.031, 2.4, (0.25, 0.10, 0.07), 62, 20, 300, 30.0, 0.90, -0.50),  # Leidsche Rijn
    "WK034410": WijkProfile(0.20, 42_500, 0.016, 2.5, (0.22, 0.11, 0.13), 70, 14, 330, 31.5, 0.60, -0.60),  # Vleuten-De Meern
}

# Index numbers (2016 = 1) of house values and incomes: a synthetic rise, not CBS's series.
WOZ_INDEX = {2016: 1.00, 2017: 1.05, 2018: 1.13, 2019: 1.23, 2020: 1.32, 2021: 1.41, 2022: 1.58, 2023: 1.63}
INCOME_GROWTH = 0.02


# --------------------------------------------------------------------------------------------
# Small helpers


def rng_for(component: str) -> np.random.Generator:
    """A generator per component, so adding draws to one file never changes another file."""
    return np.random.default_rng([SEED, zlib.crc32(component.encode())])


def logit(p):
    return np.log(p / (1 - p))


def expit(x):
    return 1 / (1 + np.exp(-x))


@dataclass(frozen=True)
class Link:
    """A scale on which indicators move additively and never leave their range."""

    to_link: Callable
    from_link: Callable


LINKS = {
    "percent": Link(lambda v: logit(np.asarray(v, float) / 100), lambda x: 100 * expit(x)),
    "mark": Link(lambda v: logit((np.asarray(v, float) - 1) / 9), lambda x: 1 + 9 * expit(x)),
    "rate": Link(lambda v: np.log(np.asarray(v, float)), np.exp),
}


def weighted_mean(values, weights) -> float:
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    return float((values * weights).sum() / weights.sum())


def fit_shift(link_values, weights, target: float, link: Link, fixed=None) -> np.ndarray:
    """Values `link.from_link(link_values + s)` whose weighted mean equals `target`.

    `fixed` (same length, NaN where free) holds values that must not move (Overvecht in the
    anchored series); they count in the mean but are not shifted. Found by bisection: the mean
    rises monotonically with the shift.
    """
    link_values = np.asarray(link_values, float)
    free = np.ones(len(link_values), bool) if fixed is None else np.isnan(fixed)

    def values_for(shift: float) -> np.ndarray:
        values = link.from_link(link_values + shift)
        return values if fixed is None else np.where(free, values, fixed)

    low, high = -30.0, 30.0
    for _ in range(200):
        middle = (low + high) / 2
        if weighted_mean(values_for(middle), weights) < target:
            low = middle
        else:
            high = middle
    return values_for((low + high) / 2)


def round_to(value, base: int):
    """Round counts to a multiple of `base`, as CBS publishes them."""
    return (np.round(np.asarray(value, float) / base) * base).astype(int)


def largest_remainder(total: int, shares) -> np.ndarray:
    """Integers proportional to `shares` that add up to `total` exactly."""
    shares = np.asarray(shares, float) / np.sum(shares)
    raw = total * shares
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: total - counts.sum()]:
        counts[i] += 1
    return counts


def dutch_number(value: float, decimals: int) -> str:
    """`18,2`: decimal comma, no thousands separator, as Swing exports write numbers."""
    return f"{value:.{decimals}f}".replace(".", ",")


# --------------------------------------------------------------------------------------------
# Areas and population


@dataclass(frozen=True)
class Areas:
    """The register split by level, in code order, with the names each source uses."""

    gemeente_name: str
    wijken: pd.DataFrame  # code, name, statnaam ("Wijk 03 Overvecht")
    subwijken: pd.DataFrame  # code, name, wijk_code, portal ("Subwijk Zuilen-west")
    buurten: pd.DataFrame  # code, name, wijk_code, subwijk_code, small

    @classmethod
    def from_register(cls, register: pd.DataFrame) -> Areas:
        register = register.sort_values("code", kind="stable")
        aliases = register["aliases"].fillna("").str.split("|")
        gemeente = register[register["code"] == GEMEENTE]
        if gemeente.empty:
            raise ValueError(f"the demo data are for {GEMEENTE}; the register does not hold it")
        wijken = register[register["level"] == "wijk"].assign(
            # CBS's name ("Wijk 03 Overvecht") is the first alias the register lists.
            statnaam=lambda f: aliases[f.index].map(lambda names: names[0])
        )
        missing = sorted(set(WIJKEN) - set(wijken["code"]))
        if missing or len(wijken) != len(WIJKEN):
            raise ValueError(f"the register's wijken differ from the demo model's (missing: {missing})")
        subwijken = register[register["level"] == "subwijk"].assign(
            # The portal's (often abbreviated) spelling is the last `Subwijk ...` alias.
            portal=lambda f: aliases[f.index].map(
                lambda names: [n for n in names if n.startswith("Subwijk ")][-1]
            )
        )
        buurten = register[register["level"] == "buurt"].assign(
            subwijk_code=lambda f: f["parent_code"],
            small=lambda f: f["name"].str.contains(_SMALL_BUURT),
        )
        return cls(
            gemeente_name=str(gemeente["name"].iloc[0]),
            wijken=wijken[["code", "name", "statnaam"]].reset_index(drop=True),
            subwijken=subwijken[["code", "name", "wijk_code", "portal"]].reset_index(drop=True),
            buurten=buurten[["code", "name", "wijk_code", "subwijk_code", "small"]].reset_index(drop=True),
        )

    def deprivation(self) -> pd.Series:
        return pd.Series({c: WIJKEN[c].deprivation for c in self.wijken["code"]})


@dataclass(frozen=True)
class Population:
    """Inhabitants and households per buurt and year (exact, before CBS's rounding)."""

    inhabitants: pd.DataFrame  # buurt code x year
    households: pd.DataFrame  # buurt code x year
    household_size: pd.Series  # per buurt, in 2016

    def by(self, frame: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
        """Counts summed to a coarser level (groups: buurt code -> wijk or subwijk code)."""
        return frame.groupby(groups.reindex(frame.index).to_numpy()).sum()

    def published_wijk_weights(self, areas: Areas, what: str) -> pd.DataFrame:
        """Wijk inhabitants or households rounded to 5, as in the kwb files: the weights of city means."""
        frame = self.inhabitants if what == "a_inw" else self.households
        totals = self.by(frame, areas.buurten.set_index("code")["wijk_code"])
        return totals.apply(lambda column: round_to(column, 5)).reindex(areas.wijken["code"])


def model_population(areas: Areas) -> Population:
    """Buurt populations 2012-2023: wijk size split over buurten, each with its own growth."""
    rng = rng_for("population")
    years = np.array(MODEL_YEARS)
    inhabitants, households, sizes = {}, {}, {}
    for wijk_code, buurten in areas.buurten.groupby("wijk_code", sort=True):
        profile = WIJKEN[wijk_code]
        residential = buurten[~buurten["small"]]
        shares = rng.gamma(4.0, 1.0, len(residential))
        for (_, buurt), share in zip(residential.iterrows(), shares / shares.sum(), strict=True):
            if buurt["code"] in NEW_BUILD_BUURTEN:
                start, growth = NEW_BUILD_BUURTEN[buurt["code"]]
            else:
                start, growth = profile.population_2016 * share, profile.growth + rng.normal(0, 0.004)
            inhabitants[buurt["code"]] = start * np.exp(growth * (years - 2016)) * (
                1 + rng.normal(0, 0.004, len(years))
            )
        for code in buurten.loc[buurten["small"], "code"]:
            # A caretaker's house or a farm: a few to a few dozen people, not growing.
            inhabitants[code] = np.full(len(years), rng.integers(0, 45)) + rng.integers(0, 4, len(years))
        for code in buurten["code"]:
            sizes[code] = profile.household_size * float(np.exp(rng.normal(0, 0.08)))
            # Households slowly get smaller, as they do in Dutch cities.
            households[code] = inhabitants[code] / (sizes[code] * (1 - 0.003 * (years - 2016)))
    order = list(areas.buurten["code"])

    def frame(data):
        return pd.DataFrame(
            {code: np.round(np.clip(data[code], 0, None)).astype(int) for code in order}, index=years
        ).T

    inhabitants_frame = frame(inhabitants)
    households_frame = np.minimum(frame(households), inhabitants_frame)
    households_frame[(households_frame == 0) & (inhabitants_frame > 0)] = 1
    return Population(inhabitants_frame, households_frame, pd.Series(sizes).reindex(order))


# --------------------------------------------------------------------------------------------
# The WijkWijzer indicators per wijk (survey and Swing export)


@dataclass(frozen=True)
class WijkIndicator:
    """How one WijkWijzer indicator is generated (trends in natural units per year)."""

    key: str  # catalogue id, also the key of WIJKWIJZER_2017
    source_name: str  # the name the export uses
    link: str
    decimals: int
    weight: str  # a_hh or a_inw: what the city mean is weighted by
    deprivation_slope: float  # on the link scale; positive = more deprived, higher value
    city_trend: float
    overvecht_trend: float
    noise: float  # year-to-year noise of the city and Overvecht series, natural units


WIJK_INDICATORS = (
    # Overvecht falls further behind on social assistance and health ("divided triumph") ...
    WijkIndicator("huishoudens_bijstand", "% huishoudens met bijstand", "percent", 1, "a_hh", 2.3, -0.10, 0.22, 0.12),
    WijkIndicator("werkgelegenheid", "werkgelegenheid (banen per 100 inwoners)", "rate", 0, "a_inw", -0.3, 0.8, 0.2, 0.6),
    WijkIndicator("slechte_gezondheid", "slechte gezondheid", "percent", 1, "a_inw", 1.6, -0.12, 0.35, 0.3),
    # ... keeps its distance on the marks ...
    WijkIndicator("buurtoordeel", "rapportcijfer buurtoordeel", "mark", 1, "a_inw", -1.4, 0.03, 0.03, 0.04),
    WijkIndicator("sociale_cohesie", "rapportcijfer sociale cohesie", "mark", 1, "a_inw", -1.0, 0.02, 0.02, 0.04),
    # ... and catches up on feeling safe.
    WijkIndicator("onveilig_in_wijk", "voelt zich wel eens onveilig in de wijk", "percent", 1, "a_inw", 1.4, -0.6, -1.5, 0.5),
)


@dataclass(frozen=True)
class WijkSeries:
    """Published (rounded) values of one indicator: wijk x year, the city per year, and the
    unrounded link-scale values the finer levels scatter around."""

    wijken: pd.DataFrame
    city: pd.Series
    link_values: pd.DataFrame


def wijk_series(spec: WijkIndicator, areas: Areas, weights: pd.DataFrame) -> WijkSeries:
    """One WijkWijzer indicator for the ten wijken and the city, 2014-2023, through the 2017 anchors."""
    rng = rng_for(f"wijk/{spec.key}")
    link = LINKS[spec.link]
    codes = list(areas.wijken["code"])
    overvecht_anchor, city_anchor = WIJKWIJZER_2017[spec.key]
    years = np.array(WIJK_YEARS)
    unit = 10.0 ** -spec.decimals

    def trajectory(anchor: float, trend: float) -> np.ndarray:
        noise = rng.normal(0, spec.noise, len(years))
        noise[years == ANCHOR_YEAR] = 0  # the series passes exactly through the published value
        return anchor + trend * (years - ANCHOR_YEAR) + noise

    overvecht = trajectory(overvecht_anchor, spec.overvecht_trend)
    city_target = trajectory(city_anchor, spec.city_trend)
    # Where a wijk stands: its deprivation (and, for jobs, where the offices are), plus a
    # persistent local effect and a little noise each year.
    profile = np.array([spec.deprivation_slope * WIJKEN[c].deprivation for c in codes])
    if spec.key == "werkgelegenheid":
        profile += np.log([WIJKEN[c].jobs for c in codes])
    profile += rng.normal(0, 0.08, len(codes))
    is_overvecht = np.array([c == OVERVECHT for c in codes])

    published, city, link_values = {}, {}, {}
    for i, year in enumerate(years):
        w = weights[year].to_numpy(float)
        fixed = np.where(is_overvecht, overvecht[i], np.nan)
        values = fit_shift(profile + rng.normal(0, 0.03, len(codes)), w, city_target[i], link, fixed)
        link_values[year] = link.to_link(values)
        rounded = np.round(values, spec.decimals)
        if year == ANCHOR_YEAR:
            # Rounding the wijken moves their mean a little; nudge the largest other wijken by one
            # unit until the weighted mean of the published values rounds to the anchor.
            rounded[is_overvecht] = overvecht_anchor
            for j in np.argsort(-w, kind="stable"):
                if is_overvecht[j]:
                    continue
                gap = weighted_mean(rounded, w) - city_anchor
                if abs(gap) <= unit / 4:
                    break
                rounded[j] = np.round(rounded[j] - np.sign(gap) * unit, spec.decimals)
            city[year] = city_anchor
        else:
            city[year] = np.round(weighted_mean(rounded, w), spec.decimals)
        assert abs(weighted_mean(rounded, w) - city[year]) <= unit / 2 + 1e-9, (spec.key, year)
        published[year] = rounded
    return WijkSeries(
        wijken=pd.DataFrame(published, index=codes),
        city=pd.Series(city),
        link_values=pd.DataFrame(link_values, index=codes),
    )


def scatter_below(
    parent_values: pd.Series, children: pd.DataFrame, weights: pd.Series, effects: pd.Series, link: Link
) -> pd.Series:
    """Values for finer areas around their parent's.

    `children` has columns code and parent; each child sits `effects[code]` (link scale) from its
    parent, and each parent's children are then shifted together so that their weighted mean is
    the parent's value: the finer level adds detail without contradicting the coarser one.
    """
    result = {}
    for parent, group in children.groupby("parent", sort=True):
        values = fit_shift(
            link.to_link(parent_values[parent]) + effects.reindex(group["code"]).to_numpy(float),
            weights.reindex(group["code"]).to_numpy(float).clip(1e-9),
            float(parent_values[parent]),
            link,
        )
        result.update(zip(group["code"], values, strict=True))
    return pd.Series(result)


def local_effects(component: str, codes: Iterable[str], persistent: float, yearly: float, year: int) -> pd.Series:
    """Each area's distance from its parent on the link scale: a persistent part (the same every
    year) plus a little noise for the year. Drawn over the full code list, so one area's draw
    does not depend on which others are published."""
    codes = list(codes)
    lasting = rng_for(f"{component}/persistent").normal(0, persistent, len(codes))
    noise = rng_for(f"{component}/{year}").normal(0, yearly, len(codes))
    return pd.Series(lasting + noise, index=codes)


# --------------------------------------------------------------------------------------------
# Writers: one per file type


def write_survey_csv(path: Path, areas: Areas, series: dict[str, WijkSeries], population: Population) -> None:
    """The project's tidy CSV of the resident survey (bewonersenquête), city and wijken, 2014-2023."""
    rng = rng_for("survey/respondents")
    inhabitants = population.published_wijk_weights(areas, "a_inw")
    # Respondents per wijk and year: bigger wijken get somewhat more, within 250-700.
    respondents = (
        (150 + inhabitants / 90 + rng.normal(0, 25, inhabitants.shape)).clip(250, 700).round().astype(int)
    )
    names = dict(zip(areas.wijken["code"], areas.wijken["name"], strict=True))
    rows = []
    for spec in WIJK_INDICATORS:
        if spec.key not in ("slechte_gezondheid", "buurtoordeel", "sociale_cohesie", "onveilig_in_wijk"):
            continue
        s = series[spec.key]
        # A few respondents skip each question.
        item_n = respondents - rng.integers(0, 12, respondents.shape)
        for year in WIJK_YEARS:
            rows.append([spec.source_name, GEMEENTE, areas.gemeente_name, year,
                         f"{s.city[year]:.1f}", int(item_n[year].sum())])
        for code in areas.wijken["code"]:
            for year in WIJK_YEARS:
                rows.append([spec.source_name, code, names[code], year,
                             f"{s.wijken.loc[code, year]:.1f}", int(item_n.loc[code, year])])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["indicator", "area_code", "area_name", "period", "value", "n"])
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def swing_csv(header: list[str], rows: list[list[str | None]], encoding: str, newline: str) -> bytes:
    """A Swing export: `;`-separated; texts quoted, numbers bare (as the portal writes them),
    None as the suppression marker `"."`."""

    def field(cell: str | None, quoted: bool) -> str:
        if cell is None:
            return '"."'
        return f'"{cell}"' if quoted else cell

    lines = [";".join(field(h, True) for h in header)]
    for name, *cells in rows:
        lines.append(";".join([field(name, True)] + [field(c, False) for c in cells]))
    return "".join(line + newline for line in lines).encode(encoding)


def write_swing_wijken(path: Path, areas: Areas, series: dict[str, WijkSeries]) -> None:
    """Wijk-level Swing export of social assistance and jobs (UTF-8 with BOM, CRLF)."""
    specs = [s for s in WIJK_INDICATORS if s.key in ("huishoudens_bijstand", "werkgelegenheid")]
    header = ["Niveau"] + [f"{s.source_name}|{y}" for s in specs for y in WIJK_YEARS]
    rows = []
    for code, name in zip(areas.wijken["code"], areas.wijken["name"], strict=True):
        rows.append([f"Wijk {name}"] + [
            dutch_number(series[s.key].wijken.loc[code, y], s.decimals) for s in specs for y in WIJK_YEARS
        ])
    rows.append([areas.gemeente_name] + [
        dutch_number(series[s.key].city[y], s.decimals) for s in specs for y in WIJK_YEARS
    ])
    path.write_bytes(swing_csv(header, rows, "utf-8-sig", "\r\n"))


def write_swing_subwijken_bijstand(
    path: Path, areas: Areas, bijstand: WijkSeries, population: Population
) -> None:
    """Subwijk-level Swing export of social assistance 2016-2023 (UTF-8 with BOM, CRLF)."""
    link = LINKS["percent"]
    households = population.by(population.households, areas.buurten.set_index("code")["subwijk_code"])
    children = areas.subwijken.rename(columns={"wijk_code": "parent"})
    values = {
        year: scatter_below(
            bijstand.wijken[year], children, households[year],
            local_effects("subwijk/bijstand", children["code"], 0.25, 0.04, year), link,
        )
        for year in SUBWIJK_YEARS
    }
    spec = next(s for s in WIJK_INDICATORS if s.key == "huishoudens_bijstand")
    header = ["Niveau"] + [f"{spec.source_name}|{y}" for y in SUBWIJK_YEARS]
    rows = []
    for code, portal in zip(areas.subwijken["code"], areas.subwijken["portal"], strict=True):
        suppressed = code in SUPPRESSED_SUBWIJKEN
        rows.append([portal] + [None if suppressed else dutch_number(values[y][code], 1) for y in SUBWIJK_YEARS])
    rows.append([areas.gemeente_name] + [dutch_number(bijstand.city[y], 1) for y in SUBWIJK_YEARS])
    path.write_bytes(swing_csv(header, rows, "utf-8-sig", "\r\n"))


def write_swing_culture(path: Path, areas: Areas, population: Population) -> None:
    """Subwijk-level satisfaction with cultural facilities 2023, three answer categories
    (cp1252, CRLF: how an export looks after a round trip through Excel on Windows)."""
    rng = rng_for("subwijk/culture")
    indicator = "% inwoners dat tevreden is over culturele voorzieningen in de buurt"
    categories = ("(zeer) tevreden", "neutraal", "(zeer) ontevreden")
    closeness = np.array([
        WIJKEN[w].culture - 0.2 * WIJKEN[w].deprivation + rng.normal(0, 0.15) for w in areas.subwijken["wijk_code"]
    ])
    satisfied = 100 * expit(logit(0.50) + closeness)
    dissatisfied = 100 * expit(logit(0.17) - 0.8 * closeness + rng.normal(0, 0.1, len(closeness)))
    shares = np.column_stack([satisfied, 100 - satisfied - dissatisfied, dissatisfied])
    inhabitants = population.by(population.inhabitants, areas.buurten.set_index("code")["subwijk_code"])
    weights = inhabitants[CULTURE_YEAR].reindex(areas.subwijken["code"]).to_numpy(float)
    city = (shares * weights[:, None]).sum(axis=0) / weights.sum()
    # Each category is rounded on its own, so a row adds up to 99, 100 or 101 as on the portal.
    header = ["Niveau"] + [f"{indicator}|{c}|{CULTURE_YEAR}" for c in categories]
    rows = []
    for code, portal, row in zip(areas.subwijken["code"], areas.subwijken["portal"], shares, strict=True):
        suppressed = code in SUPPRESSED_SUBWIJKEN
        rows.append([portal] + [None if suppressed else str(int(np.round(v))) for v in row])
    rows.append([areas.gemeente_name] + [str(int(np.round(v))) for v in city])
    path.write_bytes(swing_csv(header, rows, "cp1252", "\r\n"))


# CBS kwb columns in the demo files (a subset of the real 121, in the real order).
KWB_REGION_COLUMNS = ["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi"]
KWB_COLUMNS = [
    "a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo", "a_hh", "a_1p_hh",
    "a_hh_m_k", "g_hhgro", "bev_dich", "a_woning", "g_wozbag", "p_koopw", "p_huurw", "p_wcorpw",
    "g_ink_pi", "p_hh_li", "p_hh_110", "a_soz_wb", "a_soz_ao", "a_soz_ww", "a_soz_ow", "a_bedv", "a_opp_ha",
]
# Counts CBS rounds to 5 below the municipal level (municipal totals are exact).
_ROUND_5_BELOW_GEMEENTE = ["a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64",
                           "a_65_oo", "a_hh", "a_1p_hh", "a_hh_m_k"]
_ROUND_10 = ["a_soz_wb", "a_soz_ao", "a_soz_ww", "a_soz_ow"]  # benefits: rounded to 10 everywhere
_ROUND_5 = ["a_bedv"]
_INCOME = ["g_ink_pi", "p_hh_li", "p_hh_110"]
_PUBLISHED_AS_RATE = [c for c in KWB_COLUMNS if c.startswith(("p_", "g_"))]


def kwb_buurt_characteristics(areas: Areas) -> pd.DataFrame:
    """Per buurt, the persistent traits behind the kwb rates: its wijk's profile plus local variation."""
    rng = rng_for("kwb/buurten")
    rows = {}
    for code, wijk, small in zip(areas.buurten["code"], areas.buurten["wijk_code"], areas.buurten["small"], strict=True):
        p = WIJKEN[wijk]
        children, youth, old = (np.array(p.ages) * np.exp(rng.normal(0, 0.12, 3))).tolist()
        owner = float(np.clip(p.owner_occupied + rng.normal(0, 12), 3, 95))
        rented = 100 - owner
        rows[code] = {
            "male": rng.normal(0.492, 0.012),
            "ages": (children, youth, (1 - children - youth - old) * 0.6, (1 - children - youth - old) * 0.4, old),
            "owner": owner,
            "unknown_tenure": float(rng.integers(0, 2)),
            # The housing associations' share of the rented homes varies from buurt to buurt.
            "association": rented * float(
                np.clip(p.housing_association / (100 - p.owner_occupied) + rng.normal(0, 0.1), 0, 0.95)
            ),
            "woz": p.woz_2016 * float(np.exp(rng.normal(0, 0.15))),
            "income": p.income_2016 * float(np.exp(rng.normal(0, 0.08))),
            "low_income": float(np.clip((7 + 14 * p.deprivation) * np.exp(rng.normal(0, 0.2)), 1, 60)),
            "near_minimum": float(np.clip((4 + 11 * p.deprivation) * np.exp(rng.normal(0, 0.2)), 1, 50)),
            "disability": 0.04 + 0.05 * p.deprivation + rng.normal(0, 0.004),
            "unemployment": 0.018 + 0.015 * p.deprivation + rng.normal(0, 0.002),
            "homes_per_household": float(rng.uniform(1.0, 1.06)),
            # Business parks and open land are large; residential buurten 20-150 ha.
            "hectares": int(rng.integers(150, 700) if small else rng.integers(20, 150)),
            "business_weight": (6.0 if small else 1.0) * float(np.exp(rng.normal(0, 0.4))),
        }
    return pd.DataFrame(rows).T


def kwb_table(year: int, areas: Areas, population: Population, traits: pd.DataFrame,
              bijstand: WijkSeries, jobs: WijkSeries) -> list[list]:
    """The rows of one kwb vintage: gemeente, then each wijk followed by its buurten."""
    buurten = areas.buurten.set_index("code")
    inw = population.inhabitants[year]
    hh = population.households[year]
    t = year - 2016
    # Social assistance per buurt scatters around the wijk's published share, so that benefits
    # over households in the kwb file agree with the Swing export.
    bijstand_share = scatter_below(
        bijstand.wijken[year], buurten.reset_index()[["code", "wijk_code"]].rename(columns={"wijk_code": "parent"}),
        hh.clip(lower=1), local_effects("kwb/bijstand", buurten.index, 0.3, 0.03, year), LINKS["percent"],
    )
    counts: dict[str, dict[str, float]] = {}  # exact counts per buurt
    rates: dict[str, dict[str, float]] = {}  # rates per buurt with their weights
    for code in buurten.index:
        tr = traits.loc[code]
        n = int(inw[code])
        ages = largest_remainder(n, tr["ages"]) if n else np.zeros(5, int)
        one_person = float(np.clip(1.05 - 0.33 * population.household_size[code], 0.15, 0.8))
        with_children = min(2.0 * tr["ages"][0] / sum(tr["ages"]), 0.95 - one_person)
        homes = round(hh[code] * tr["homes_per_household"])
        counts[code] = {
            "a_inw": n, "a_man": round(n * tr["male"]), "a_00_14": ages[0], "a_15_24": ages[1],
            "a_25_44": ages[2], "a_45_64": ages[3], "a_65_oo": ages[4], "a_hh": int(hh[code]),
            "a_1p_hh": round(hh[code] * one_person), "a_hh_m_k": round(hh[code] * with_children),
            "a_woning": homes,
            "a_soz_wb": hh[code] * bijstand_share[code] / 100,
            "a_soz_ao": (ages[2] + ages[3]) * tr["disability"],
            # Unemployment benefits rose briefly in the 2020 pandemic year.
            "a_soz_ww": (ages[1] + ages[2] + ages[3]) * (tr["unemployment"] + (0.006 if year == 2020 else 0)),
            "a_soz_ow": ages[4] * 0.96,
            "a_opp_ha": tr["hectares"],
        }
        counts[code]["a_vrouw"] = n - counts[code]["a_man"]
        owner = float(np.clip(tr["owner"] + 0.3 * t, 3, 97))
        rates[code] = {
            "p_koopw": owner, "p_huurw": 100 - owner - tr["unknown_tenure"],
            "p_wcorpw": float(np.clip(tr["association"] - 0.3 * t, 0, 100 - owner)),
            "g_wozbag": tr["woz"] * WOZ_INDEX[year],
            "g_ink_pi": tr["income"] * (1 + INCOME_GROWTH) ** t,
            # Slightly fewer low-income households each year as incomes rise.
            "p_hh_li": tr["low_income"] * (1 - 0.015 * t), "p_hh_110": tr["near_minimum"] * (1 - 0.01 * t),
        }
    # Establishments follow the jobs of the wijk (about 4.5 jobs per establishment).
    for wijk_code, group in buurten.groupby("wijk_code"):
        wijk_jobs = jobs.wijken.loc[wijk_code, year] * inw[group.index].sum() / 100
        weight = (inw[group.index] + 50) * traits.loc[group.index, "business_weight"].astype(float)
        for code in group.index:
            counts[code]["a_bedv"] = wijk_jobs / 4.5 * weight[code] / weight.sum()

    rate_weight = {"p_koopw": "a_woning", "p_huurw": "a_woning", "p_wcorpw": "a_woning", "g_wozbag": "a_woning",
                   "g_ink_pi": "a_inw", "p_hh_li": "a_hh", "p_hh_110": "a_hh"}

    def row_for(codes: list[str], level: str) -> dict[str, object]:
        total = {k: sum(counts[c][k] for c in codes) for k in counts[codes[0]]}
        cells: dict[str, object] = {}
        for column in KWB_COLUMNS:
            if column in total:
                value = total[column]
                if column in _ROUND_10:
                    cells[column] = int(round_to(value, 10))
                elif column in _ROUND_5 or (column in _ROUND_5_BELOW_GEMEENTE and level != "Gemeente"):
                    cells[column] = int(round_to(value, 5))
                else:
                    cells[column] = int(round(value))
        for column, weight_column in rate_weight.items():
            w = np.array([counts[c][weight_column] for c in codes], float)
            v = np.array([rates[c][column] for c in codes], float)
            if not w.sum():
                cells[column] = "."  # no homes or households: nothing to average
                continue
            mean = float((v * w).sum() / w.sum())
            cells[column] = round(mean, 1) if column == "g_ink_pi" else int(round(mean))
        cells["g_hhgro"] = round(total["a_inw"] / total["a_hh"], 1) if total["a_hh"] else "."
        cells["bev_dich"] = int(round(total["a_inw"] / (total["a_opp_ha"] * 0.97 / 100)))
        # Too few inhabitants: CBS publishes no rates or averages.
        if total["a_inw"] < SMALL_POPULATION:
            cells.update({c: "." for c in _PUBLISHED_AS_RATE})
        if year in KWB_INCOME_UNPUBLISHED:
            cells.update({c: "." for c in _INCOME})
        return cells

    def code_row(code: str, digits: str, regio: str, recs: str, cells: dict) -> list:
        return [code, digits, regio, areas.gemeente_name, recs, code, 1] + [cells[c] for c in KWB_COLUMNS]

    table = [KWB_REGION_COLUMNS + KWB_COLUMNS]
    table.append(code_row(GEMEENTE, GEMEENTE[2:], areas.gemeente_name, "Gemeente",
                          row_for(list(buurten.index), "Gemeente")))
    for wijk_code, statnaam in zip(areas.wijken["code"], areas.wijken["statnaam"], strict=True):
        members = list(buurten.index[buurten["wijk_code"] == wijk_code])
        table.append(code_row(wijk_code, wijk_code[2:], statnaam, "Wijk", row_for(members, "Wijk")))
        for code in members:
            table.append(code_row(code, code[2:], buurten.loc[code, "name"], "Buurt", row_for([code], "Buurt")))
    return table


def write_kwb(path: Path, year: int, table: list[list]) -> None:
    """A CBS kwb workbook: one sheet `kwb-<year>`, CBS short names in row 1, `.` for secret cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = f"kwb-{year}"
    for row in table:
        sheet.append(row)
    save_workbook_reproducibly(book, path)


# RIVM/CBS 50090NED: the table's dimensions, region attributes and indicator keys (with the OData
# position suffixes of the real download).
RIVM_HEADER = ["ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "Gemeentenaam_1", "SoortRegio_2",
               "Codering_3"]

# Indicator key: (synthetic Utrecht level in 2016 in %, slope on the logit scale per unit of
# deprivation (positive: more deprived, higher), trend on the logit scale per year).
RIVM_INDICATORS = {
    "ErvarenGezondheidGoedZeerGoed_4": (80.3, -1.0, 0.015),
    "VoldoetAanBeweegrichtlijn_5": (57.0, -0.5, 0.0),
    "WekelijkseSporters_6": (57.5, -0.9, 0.005),
    "Ondergewicht_7": (2.4, 0.1, 0.0),
    "NormaalGewicht_8": (None, None, None),  # 100 minus under- and overweight
    "Overgewicht_9": (38.0, 0.7, 0.01),
    "ErnstigOvergewicht_10": (10.5, 0.8, 0.015),
    "Roker_11": (23.0, 0.5, -0.04),
    "VoldoetAanAlcoholRichtlijn_12": (39.5, 0.6, 0.01),
    "Drinker_13": (80.0, -1.2, -0.01),
    "ZwareDrinker_14": (11.0, -0.4, -0.03),
    "OvermatigeDrinker_15": (8.0, -0.4, -0.03),
    "EenOfMeerLangdurigeAandoeningen_16": (29.5, 0.5, -0.01),
    "BeperktVanwegeGezondheid_17": (25.5, 0.6, 0.0),
    "ErnstigBeperktVanwegeGezondheid_18": (4.6, 0.8, 0.0),
    "LangdurigeZiekteEnBeperkt_19": (23.5, 0.6, 0.0),
    "EenOfMeerLichamelijkeBeperkingen_20": (12.8, 0.9, -0.005),
    "BeperkingInHoren_21": (3.9, 0.8, 0.005),
    "BeperkingInZien_22": (5.3, 0.8, -0.005),
    "BeperkingInBewegen_23": (8.5, 0.9, -0.01),
    "MatigHoogRisicoOpAngstOfDepressie_24": (49.5, 0.4, 0.0),
    "HoogRisicoOpAngstOfDepressie_25": (8.0, 0.7, 0.0),
    "HeelVeelStressInAfgelopen4Weken_26": (22.0, 0.3, 0.01),
    "MatigVeelRegieOverEigenLeven_27": (90.0, -0.7, 0.0),
    "Eenzaam_28": (44.0, 0.6, 0.02),
    "ErnstigZeerErnstigEenzaam_29": (10.5, 0.8, 0.015),
    "EmotioneelEenzaam_30": (25.0, 0.5, 0.03),
    "SociaalEenzaam_31": (29.0, 0.6, 0.0),
    "Mantelzorger_32": (10.5, 0.0, -0.01),
    "Vrijwilligerswerk_33": (26.5, -0.5, -0.02),
    "LopenEnOfFietsenNaarSchoolOfWerk_34": (None, None, None),  # not measured in these years
    "LopenNaarSchoolOfWerk_35": (None, None, None),
    "FietsenNaarSchoolOfWerk_36": (None, None, None),
    "ErnstigeGeluidhinderDoorBuren_37": (8.5, 0.4, 0.0),
    "MoeiteMetRondkomen_38": (21.0, 1.1, -0.04),
}
# Indicators the health monitor did not ask in a year: empty cells, the pattern of the real
# downloads for GM0344 (2022, not in the real set, follows 2020).
_NOT_ASKED_2020 = {"LopenEnOfFietsenNaarSchoolOfWerk_34", "LopenNaarSchoolOfWerk_35", "FietsenNaarSchoolOfWerk_36"}
_NOT_ASKED_2016 = _NOT_ASKED_2020 | {
    "BeperktVanwegeGezondheid_17", "ErnstigBeperktVanwegeGezondheid_18", "LangdurigeZiekteEnBeperkt_19",
    "HeelVeelStressInAfgelopen4Weken_26", "ErnstigeGeluidhinderDoorBuren_37",
}
RIVM_NOT_ASKED = {
    2012: _NOT_ASKED_2016 | {
        "VoldoetAanBeweegrichtlijn_5", "WekelijkseSporters_6", "VoldoetAanAlcoholRichtlijn_12",
        "EenOfMeerLangdurigeAandoeningen_16", "MatigVeelRegieOverEigenLeven_27", "SociaalEenzaam_31",
        "Vrijwilligerswerk_33",
    },
    2016: _NOT_ASKED_2016,
    2020: _NOT_ASKED_2020,
    2022: _NOT_ASKED_2020,
}
RIVM_AGE_18_PLUS = 20300
RIVM_ESTIMATE = "MW00000"
# The download's sheet is named after the OData data set and the download date, cut to Excel's
# 31 characters; the date here is fixed.
RIVM_SHEET = "50090NED_UntypedDataSet_01012024"[:31]
# A second municipality, as in the national table, so the filter to the city is exercised.
OTHER_MUNICIPALITY = ("GM0356", "Nieuwegein")


def rivm_values(year: int, areas: Areas, population: Population) -> dict[str, dict[str, float | None]]:
    """Indicator values (rounded to 0.1, None = not asked, NaN = too few inhabitants) per region code."""
    rng = rng_for(f"rivm/{year}")
    link = LINKS["percent"]
    codes = list(areas.wijken["code"])
    deprivation = areas.deprivation().reindex(codes).to_numpy()
    wijk_inw = population.by(population.inhabitants[[year]], areas.buurten.set_index("code")["wijk_code"])[year]
    weights = wijk_inw.reindex(codes).to_numpy(float)
    reference = weighted_mean(deprivation, weights)
    buurt_inw = population.inhabitants[year]
    measured_buurten = areas.buurten[buurt_inw.reindex(areas.buurten["code"]).to_numpy() >= SMALL_POPULATION]
    children = measured_buurten.rename(columns={"wijk_code": "parent"})[["code", "parent"]]
    national_offset = rng_for("rivm/national").normal(0, 0.1, len(RIVM_INDICATORS))
    other_offset = rng_for("rivm/other").normal(0, 0.08, len(RIVM_INDICATORS))
    # Persistent wijk effects are the same in every year: draw them from a year-independent stream.
    wijk_effects = rng_for("rivm/wijk-effects").normal(0, 0.06, (len(RIVM_INDICATORS), len(codes)))

    values: dict[str, dict[str, float | None]] = {}

    def put(code: str, key: str, value: float | None) -> None:
        values.setdefault(code, {})[key] = value

    for k, (key, (level, slope, trend)) in enumerate(RIVM_INDICATORS.items()):
        if level is None:
            continue
        base = float(logit(level / 100)) + trend * (year - 2016)
        wijk = link.from_link(base + slope * (deprivation - reference) + wijk_effects[k]
                              + rng.normal(0, 0.03, len(codes)))
        wijk_rounded = np.round(wijk, 1)
        put(GEMEENTE, key, float(np.round(weighted_mean(wijk_rounded, weights), 1)))
        # The Netherlands is a little older and heavier than Utrecht.
        heavier = 0.35 if key in ("Overgewicht_9", "ErnstigOvergewicht_10") else 0.0
        put("NL01", key, float(np.round(link.from_link(base + national_offset[k] + heavier), 1)))
        put(OTHER_MUNICIPALITY[0], key,
            float(np.round(link.from_link(base + national_offset[k] + other_offset[k] + heavier), 1)))
        for code, v in zip(codes, wijk_rounded, strict=True):
            put(code, key, float(v))
        effects = local_effects(f"rivm/buurt/{key}", areas.buurten["code"], 0.15, 0.04, year)
        buurt = scatter_below(pd.Series(wijk, index=codes), children, buurt_inw, effects, link)
        for code in areas.buurten["code"]:
            put(code, key, float(np.round(buurt[code], 1)) if code in buurt.index else np.nan)
    for row in values.values():
        if not np.isnan(row["Overgewicht_9"]):
            row["NormaalGewicht_8"] = round(100 - row["Ondergewicht_7"] - row["Overgewicht_9"], 1)
        else:
            row["NormaalGewicht_8"] = np.nan
        for key in RIVM_INDICATORS:
            if key in RIVM_NOT_ASKED[year]:
                row[key] = None
            row.setdefault(key, None)
    return values


def rivm_cell(value: float | None) -> str | None:
    """A 50090NED number as the UntypedDataSet stores it: text right-aligned in 8 characters."""
    if value is None:
        return None
    if np.isnan(value):
        return f"{'.':>8}"
    return f"{value:8.1f}"


def write_rivm(path: Path, year: int, areas: Areas, population: Population) -> None:
    """A 50090NED UntypedDataSet workbook for adults (18+): NL, another municipality, the city,
    each wijk followed by its buurten; codes and names padded, numbers as padded text."""
    values = rivm_values(year, areas, population)
    regions = [("NL01", "Nederland", "Land"), (OTHER_MUNICIPALITY[0], OTHER_MUNICIPALITY[1], "Gemeente"),
               (GEMEENTE, areas.gemeente_name, "Gemeente")]
    for wijk_code in areas.wijken["code"]:
        regions.append((wijk_code, areas.gemeente_name, "Wijk"))
        regions.extend((code, areas.gemeente_name, "Buurt")
                       for code in areas.buurten.loc[areas.buurten["wijk_code"] == wijk_code, "code"])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = RIVM_SHEET
    sheet.append(RIVM_HEADER + list(RIVM_INDICATORS))
    year_index = RIVM_YEARS.index(year)
    for number, (code, municipality, kind) in enumerate(regions):
        # The OData ID counts rows over all periods of the table; ID and Leeftijd are numbers in
        # the real downloads, every other cell is text.
        sheet.append([number * len(RIVM_YEARS) + year_index, RIVM_AGE_18_PLUS, RIVM_ESTIMATE, f"{code:<10}",
                      f"{year}JJ00", f"{municipality:<40}", f"{kind:<10}", f"{code:<20}"]
                     + [rivm_cell(values[code][key]) for key in RIVM_INDICATORS])
    save_workbook_reproducibly(book, path)


# --------------------------------------------------------------------------------------------
# Reproducible xlsx, manifest, README

FIXED_TIMESTAMP = "2024-01-01T00:00:00Z"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def save_workbook_reproducibly(book: openpyxl.Workbook, path: Path,
                               creator: str = "wijkmonitor scripts/make_demo_data.py") -> None:
    """Save an openpyxl workbook without the wall-clock time it embeds (document properties and
    zip entry dates), so that the bytes depend on the contents only; `creator` names the script."""
    book.properties.creator = creator
    raw = io.BytesIO()
    book.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + FIXED_TIMESTAMP.encode() + rb"\g<3>",
                    data,
                )
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # else it records the OS of the machine that ran the script
            info.external_attr = 0
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


README = """\
# Demonstration data (synthetic)

These files are **synthetic demonstration data**, generated by `scripts/make_demo_data.py`
(model and seed in `src/wijkmonitor/demo.py`). They let the pipeline build a complete report
offline with nothing but this repository. Regenerating them gives byte-identical files;
`MANIFEST.json` lists their SHA-256 checksums.

They are written in the same formats as the real exports the readers handle (a tidy CSV, Utrecht
in Cijfers / Swing CSV exports, CBS Kerncijfers wijken en buurten xlsx, RIVM/CBS 50090NED xlsx)
and use the real area codes and names of gemeente Utrecht.

The only real figures in them are the published **WijkWijzer 2017** values for Overvecht and the
city (social assistance, jobs, poor health, neighbourhood and cohesion marks, feeling unsafe),
which they reproduce exactly. **Every other number is invented and is not a real statistic**
about Utrecht, its wijken, subwijken or buurten, or about the Netherlands or Nieuwegein.
"""

MANIFEST_DESCRIPTION = (
    "Synthetic demonstration data for gemeente Utrecht in the real export formats; reproduces the "
    "published WijkWijzer 2017 figures for Overvecht and the city, every other number is invented."
)


def sha256_bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(out_dir: Path, files: Iterable[Path]) -> Path:
    manifest = {
        "generator": "scripts/make_demo_data.py",
        "description": MANIFEST_DESCRIPTION,
        "files": {p.relative_to(out_dir).as_posix(): sha256_bytes(p) for p in files},
    }
    path = out_dir / "MANIFEST.json"
    path.write_bytes((json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


# --------------------------------------------------------------------------------------------


def write_demo_data(out_dir: Path, register: pd.DataFrame) -> list[Path]:
    """Write the whole demo set under `out_dir`; returns the paths written (data files, README,
    MANIFEST.json), in a fixed order."""
    out_dir = Path(out_dir)
    areas = Areas.from_register(register)
    population = model_population(areas)
    households = population.published_wijk_weights(areas, "a_hh")
    inhabitants = population.published_wijk_weights(areas, "a_inw")
    series = {
        spec.key: wijk_series(spec, areas, households if spec.weight == "a_hh" else inhabitants)
        for spec in WIJK_INDICATORS
    }

    def target(relative: str) -> Path:
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    files = []
    path = target("bewonersenquete/wijkwijzer_bewonersenquete.csv")
    write_survey_csv(path, areas, series, population)
    files.append(path)
    path = target("incijfers/wijken_bijstand_werkgelegenheid.csv")
    write_swing_wijken(path, areas, series)
    files.append(path)
    path = target("incijfers/subwijken_bijstand.csv")
    write_swing_subwijken_bijstand(path, areas, series["huishoudens_bijstand"], population)
    files.append(path)
    path = target(f"incijfers/subwijken_tevredenheid_culturele_voorzieningen_{CULTURE_YEAR}.csv")
    write_swing_culture(path, areas, population)
    files.append(path)
    traits = kwb_buurt_characteristics(areas)
    for year in KWB_YEARS:
        path = target(f"cbs-kwb/kwb-{year}.xlsx")
        table = kwb_table(year, areas, population, traits, series["huishoudens_bijstand"], series["werkgelegenheid"])
        write_kwb(path, year, table)
        files.append(path)
    for year in RIVM_YEARS:
        path = target(f"rivm/50090NED_{year}_18+.xlsx")
        write_rivm(path, year, areas, population)
        files.append(path)
    readme = target("README.md")
    readme.write_bytes(README.encode("utf-8"))
    return files + [readme, write_manifest(out_dir, files)]
