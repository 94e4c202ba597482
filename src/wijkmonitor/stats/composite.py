"""Composite index per area in the style of Rotterdam's Wijkprofiel, and its sensitivity to the weights.

Every indicator is standardised against the city in a base year (city = 100, one base-year standard
deviation across the areas = 10 points, higher = better), indicators are averaged into theme scores and the
theme scores into an overall score ("total"); `rank_sensitivity` reports how far each area's rank moves when
the indicator weights are varied one at a time.

Scores are computed on the z scale (weighted means of z) and only then mapped to 100 + 10 * z: the two are
algebraically identical, and it keeps "the city scores exactly 100" exact in floating point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..canonical import typed_frame

INDEX_BASE = 100.0  # the city in the base period
INDEX_POINTS_PER_SD = 10.0  # one base-period standard deviation across the areas
TOTAL = "total"  # theme id of the overall score
POLARITY_SIGN = {"higher_is_better": 1.0, "lower_is_better": -1.0}  # neutral and unknown: left out

INDICATOR_INDEX_COLUMNS = {
    "area_code": "string", "indicator_id": "string", "period": "Int64", "value": "Float64",
    "city_base": "Float64", "sd_base": "Float64", "z": "Float64", "index": "Float64",
}
COMPOSITE_COLUMNS = {
    "area_code": "string", "period": "Int64", "theme": "string", "score": "Float64", "rank": "Int64",
}
SENSITIVITY_COLUMNS = {
    "area_code": "string", "period": "Int64", "theme": "string", "rank_min": "Int64", "rank_max": "Int64",
}

_OECD_JRC_2008 = (
    "Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffmann, A. & Giovannini, E. (2008). Handbook on "
    "Constructing Composite Indicators: Methodology and User Guide. OECD Publishing, Paris (OECD and European "
    "Commission Joint Research Centre). ISBN 978-92-64-04345-9"
)
_WIJKPROFIEL = (
    "Gemeente Rotterdam (2016). Wijkprofiel Rotterdam: veelgestelde vragen ('Hoe lees ik het wijkprofiel?', "
    "'Wat betekenen de indexcijfers?'), https://wijkprofiel.rotterdam.nl/nl/2016/vragen: an index of about 100 "
    "is the Rotterdam average in the base year 2014; a theme score is the mean of its indicator scores; the "
    "index is the mean of the theme scores, without weighting (the full methodological account of the "
    "Wijkprofiel was not available to us; the 10 points per base-year standard deviation is this module's choice)"
)
_COINR = (
    "Becker, W. et al. COINr: Composite Indicator Construction and Analysis (R package, CRAN), function "
    "n_zscore(x, m_sd): (x - mean(x)) / sd(x) * m_sd[2] + m_sd[1], with the sample (n - 1) standard deviation"
)
REFERENCES: dict[str, str] = {
    "indicator_index": f"{_WIJKPROFIEL}. {_OECD_JRC_2008}: normalisation by standardisation (z-scores) "
                       f"with fixed reference values so that scores are comparable over time. {_COINR}.",
    "composite_index": f"{_WIJKPROFIEL}. {_OECD_JRC_2008}: linear (weighted arithmetic mean) aggregation.",
    "rank_sensitivity": f"{_OECD_JRC_2008}: uncertainty and sensitivity analysis of the ranks to the weights "
                        "(one-at-a-time variation of each weight, reported as the range of ranks).",
}


# ----------------------------------------------------------------------------- standardisation


def _check_unique(frame: pd.DataFrame, keys: list[str], name: str) -> None:
    if frame.duplicated(keys).any():
        raise ValueError(f"{name} has more than one value per {tuple(keys)}")


def _clean(values: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The rows with a finite value and a period, value as float64 and period as int64."""
    out = values[[*keys, "value"]].copy()
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["period"] = pd.to_numeric(out["period"], errors="coerce")
    out = out[np.isfinite(out["value"].to_numpy()) & out["period"].notna()].copy()
    out["period"] = out["period"].astype("int64")
    return out


def _signs(polarity: dict[str, str]) -> dict[str, float]:
    """indicator -> +1 / -1 for the scored polarities; neutral and unknown polarities are absent."""
    return {str(k): POLARITY_SIGN[v] for k, v in polarity.items() if v in POLARITY_SIGN}


def _standardise(values: pd.DataFrame, city: pd.DataFrame, polarity: dict[str, str],
                 base_period: int) -> pd.DataFrame:
    """`indicator_index` before sorting and typing: z and index as float64 with NaN."""
    _check_unique(values, ["area_code", "indicator_id", "period"], "values")
    _check_unique(city, ["indicator_id", "period"], "city")
    frame = _clean(values, ["area_code", "indicator_id", "period"])
    frame["indicator_id"] = frame["indicator_id"].astype(str)
    frame["area_code"] = frame["area_code"].astype(str)
    frame["_sign"] = frame["indicator_id"].map(_signs(polarity)).astype("float64")
    frame = frame[frame["_sign"].notna()]

    base_areas = frame[frame["period"] == base_period]
    sd = base_areas.groupby("indicator_id")["value"].std(ddof=1).rename("sd_base")
    sd = sd.where(sd > 0)
    city_clean = _clean(city, ["indicator_id", "period"])
    city_clean["indicator_id"] = city_clean["indicator_id"].astype(str)
    city_base = (city_clean[city_clean["period"] == base_period]
                 .set_index("indicator_id")["value"].rename("city_base"))

    frame = frame.join(city_base, on="indicator_id").join(sd, on="indicator_id")
    frame["z"] = frame["_sign"] * (frame["value"] - frame["city_base"]) / frame["sd_base"]
    frame["index"] = INDEX_BASE + INDEX_POINTS_PER_SD * frame["z"]
    return frame


def indicator_index(values: pd.DataFrame, city: pd.DataFrame, polarity: dict[str, str],
                    base_period: int) -> pd.DataFrame:
    """Per area, indicator and period: the standardised, polarity-aligned indicator index.

    z = s * (x - c_b) / sd_b and index = 100 + 10 * z, where x is the area's value, c_b the city's own value
    of the indicator in the base period, sd_b the sample standard deviation (n - 1, as R's `sd` used by
    COINr's `n_zscore`) of the areas' values in the base period, and s = +1 for higher_is_better, -1 for
    lower_is_better, so a higher index is always better. The city in the base period is 100 and one
    base-year standard deviation is 10 points. Later (and earlier) periods are standardised with the
    base period's c_b and sd_b, so a change of the index over time is a change of the value itself
    (distance-to-reference standardisation with fixed reference values, OECD/JRC 2008), not a change
    of the reference. The index is invariant to a change of unit, x -> a + b * x with b > 0.

    `values`: area_code, indicator_id, period, value (the areas of one level, in the indicator's unit);
    `city`: indicator_id, period, value (the city's own value, same unit); `polarity`: indicator ->
    "higher_is_better" | "lower_is_better" | "neutral". Neutral indicators, and indicators without a
    known polarity, are left out. Missing or non-finite values are dropped.

    Returns area_code, indicator_id, period, value, city_base, sd_base, z, index. z and index are NA
    where the base period has no city value, fewer than two area values or a zero standard deviation.
    Raises ValueError only for duplicate keys.
    """
    frame = _standardise(values, city, polarity, base_period)
    frame = frame.sort_values(["indicator_id", "period", "area_code"])
    return typed_frame(frame, INDICATOR_INDEX_COLUMNS).reset_index(drop=True)


# ----------------------------------------------------------------------------- aggregation


class _Design:
    """The standardised values as a matrix and everything the aggregation needs, built once."""

    def __init__(self, values: pd.DataFrame, city: pd.DataFrame, polarity: dict[str, str],
                 themes: dict[str, str], weights: dict[str, float] | None, base_period: int):
        themes = {str(k): str(v) for k, v in themes.items()}
        if TOTAL in themes.values():
            raise ValueError(f"theme id {TOTAL!r} is reserved for the overall score")
        index = _standardise(values, city, polarity, base_period)
        index = index[index["indicator_id"].isin(list(themes))]
        self.indicators = np.array(sorted(index["indicator_id"].unique()), dtype=object)
        self.themes = np.array(sorted({themes[i] for i in self.indicators}), dtype=object)
        rows = index[["area_code", "period"]].drop_duplicates().sort_values(["period", "area_code"])
        self.area_code = rows["area_code"].to_numpy(dtype=object)
        self.period = rows["period"].to_numpy(dtype="int64")

        n_rows, n_ind = len(rows), len(self.indicators)
        row_of = pd.MultiIndex.from_frame(rows).get_indexer(
            pd.MultiIndex.from_frame(index[["area_code", "period"]]))
        col_of = pd.Index(self.indicators).get_indexer(index["indicator_id"])
        z = np.full((n_rows, n_ind), np.nan)
        z[row_of, col_of] = index["z"].to_numpy(dtype="float64")
        self.present = ~np.isnan(z)
        self.z = np.where(self.present, z, 0.0)

        theme_of = pd.Index(self.themes).get_indexer([themes[i] for i in self.indicators])
        self.membership = np.zeros((n_ind, len(self.themes)))
        self.membership[np.arange(n_ind), theme_of] = 1.0
        self.n_in_theme = self.membership.sum(axis=0)

        weights = weights or {}
        w = np.array([float(weights.get(i, 1.0)) for i in self.indicators])
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("weights must be finite and non-negative")
        self.weights = w

    def scores(self, weight_sets: np.ndarray) -> np.ndarray:
        """z-scale scores, shape (n_weight_sets, n_rows, n_themes + 1); the last column is the total.

        theme z = sum_k w_k z_k / sum_k w_k over the theme's indicators present for the row, NaN when
        fewer than half of the theme's indicators are present or their weights sum to 0; total z =
        the theme z's weighted by each theme's mean indicator weight (equal themes when all weights
        are equal), NaN when fewer than half of the themes have a score.
        """
        wm = weight_sets[:, :, None] * self.membership[None, :, :]  # (V, K, T)
        num = np.matmul(self.z[None], wm)  # (V, R, T)
        den = np.matmul(self.present[None].astype("float64"), wm)
        count = self.present.astype("float64") @ self.membership  # (R, T)
        enough = (2.0 * count >= self.n_in_theme)[None] & (den > 0)
        theme = np.divide(num, den, out=np.full(num.shape, np.nan), where=enough)
        has = ~np.isnan(theme)
        n_themes = has.sum(axis=2)
        theme_weight = (weight_sets @ self.membership / self.n_in_theme)[:, None, :]  # (V, 1, T)
        weight_sum = np.where(has, theme_weight, 0.0).sum(axis=2)
        total_ok = (2 * n_themes >= len(self.themes)) & (n_themes > 0) & (weight_sum > 0)
        total = np.divide(np.where(has, theme * theme_weight, 0.0).sum(axis=2), weight_sum,
                          out=np.full(n_themes.shape, np.nan), where=total_ok)
        return np.concatenate([theme, total[:, :, None]], axis=2)

    @property
    def theme_ids(self) -> list[str]:
        return [*self.themes, TOTAL]

    def ranks(self, scores: np.ndarray) -> np.ndarray:
        """Rank 1 = highest score among the rows of the same weight set and period; ties 'min'; NaN stays NaN."""
        n_sets, n_rows, n_cols = scores.shape
        frame = pd.DataFrame(scores.reshape(n_sets * n_rows, n_cols))
        keys = [np.repeat(np.arange(n_sets), n_rows), np.tile(self.period, n_sets)]
        ranked = frame.groupby(keys).rank(method="min", ascending=False, na_option="keep")
        return ranked.to_numpy(dtype="float64").reshape(n_sets, n_rows, n_cols)

    def long(self, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        """Rows x themes arrays -> a long table with area_code, period, theme and the given columns."""
        n_cols = len(self.theme_ids)
        out = pd.DataFrame({
            "area_code": np.repeat(self.area_code, n_cols),
            "period": np.repeat(self.period, n_cols),
            "theme": np.tile(np.array(self.theme_ids, dtype=object), len(self.area_code)),
            **{name: array.reshape(-1) for name, array in columns.items()},
        })
        return out


def composite_index(values: pd.DataFrame, city: pd.DataFrame, polarity: dict[str, str],
                    themes: dict[str, str], weights: dict[str, float] | None, base_period: int) -> pd.DataFrame:
    """Wijkprofiel-style theme scores and overall score per area and period, with ranks.

    Indicator index I_k = 100 + 10 * z_k (see `indicator_index`: the city in the base period = 100, one
    base-year standard deviation across the areas = 10 points, higher = better). Theme score
    S_t = sum_k w_k I_k / sum_k w_k over the theme's indicators present for that area and period (the
    weights are renormalised over the available indicators); S_t is NaN when fewer than half of the
    theme's indicators are present (2 * present >= n_t is required; n_t counts the theme's non-neutral
    indicators that occur in `values`). Overall score (theme "total") = mean of the available theme
    scores, each theme weighted by the mean weight of its indicators: with equal indicator weights the
    themes weigh equally, as in the Wijkprofiel ("geen weging"), and a configured weight moves both its
    theme score and that theme's share of the total. NaN when fewer than half of the themes have a score. Rank 1 = the highest score among the areas of the same period and theme,
    ties share the lowest rank ('min'); a NaN score has no rank.

    `values`: area_code, indicator_id, period, value (the areas of one level); `city`: indicator_id,
    period, value (the city's own value); `polarity`: indicator -> higher_is_better / lower_is_better /
    neutral (neutral and unknown are left out); `themes`: indicator -> theme id (indicators without a
    theme are left out; "total" is reserved); `weights`: indicator -> non-negative weight (default 1);
    `base_period`: the year in which the city = 100.

    Returns area_code, period, theme, score, rank for every area and period with at least one scored
    indicator value. Degenerate input (no base-period data, one area, zero spread) gives NA scores,
    never an invented number. Raises ValueError for duplicate keys, negative weights or a theme "total".
    References: Wijkprofiel Rotterdam; OECD/JRC (2008) Handbook (see REFERENCES).
    """
    design = _Design(values, city, polarity, themes, weights, base_period)
    z = design.scores(design.weights[None])
    ranks = design.ranks(z)
    out = design.long({"score": INDEX_BASE + INDEX_POINTS_PER_SD * z[0], "rank": ranks[0]})
    out = out.sort_values(["period", "theme", "rank", "area_code"], na_position="last")
    return typed_frame(out, COMPOSITE_COLUMNS).reset_index(drop=True)


def rank_sensitivity(values: pd.DataFrame, city: pd.DataFrame, polarity: dict[str, str],
                     themes: dict[str, str], weights: dict[str, float] | None, base_period: int,
                     factor: float = 0.5) -> pd.DataFrame:
    """Range of each area's rank when the indicator weights are varied one at a time.

    Weight sets: the given weights w, and for every scored indicator k in turn w with w_k replaced by
    w_k * (1 - factor) and by w_k * (1 + factor) (1 + 2K sets for K indicators). For each set the scores
    and ranks are recomputed exactly as in `composite_index`; rank_min / rank_max are the best (lowest)
    and worst (highest) rank the area reaches in any set, including the unvaried one, so
    rank_min <= rank <= rank_max. A one-at-a-time sensitivity analysis of the weights (OECD/JRC 2008,
    uncertainty and sensitivity analysis). Varying the weight of a theme's only indicator changes that
    theme's weight in the total.

    Inputs as `composite_index`; `factor` in [0, 1]. Returns area_code, period, theme, rank_min,
    rank_max (NA where the score is NA in every set). Raises ValueError for a factor outside [0, 1].
    """
    if not 0.0 <= factor <= 1.0:
        raise ValueError("factor must lie in [0, 1]")
    design = _Design(values, city, polarity, themes, weights, base_period)
    n_ind = len(design.indicators)
    w = design.weights
    sets = np.tile(w, (1 + 2 * n_ind, 1))
    k = np.arange(n_ind)
    sets[1 + k, k] = w * (1.0 - factor)
    sets[1 + n_ind + k, k] = w * (1.0 + factor)
    ranks = design.ranks(design.scores(sets))
    out = design.long({"rank_min": np.fmin.reduce(ranks, axis=0), "rank_max": np.fmax.reduce(ranks, axis=0)})
    out = out.sort_values(["period", "theme", "rank_min", "area_code"], na_position="last")
    return typed_frame(out, SENSITIVITY_COLUMNS).reset_index(drop=True)
