"""A generated national panel (gemeenten, wijken, buurten x indicators x years) and the gap and
trend summary of every area's series, once in DuckDB SQL and once in plain pandas.

The panel stands for the warehouse's `observation` table at the size of the country (about
17,000 areas x 50 indicators x 15 years, ~12.75 million rows) for `benchmarks/national_panel.py`.
Its columns are the canonical ones the analysis needs (`indicator_id`, `area_code`, `period`,
`value`, `status`, `n`) plus `level` and `gemeente_code`, which the warehouse keeps in its `area`
table; here they are carried on every row so that the benchmark measures the gap and trend
computation rather than a join with the area register.

Area codes follow CBS: a gemeente `GM0001`, its wijken `WK000100` .. `WK000109` and each wijk's
buurten `BU00010000` .. `BU00010003` (10 wijken of 4 buurten: 51 areas per gemeente, close to the
country's ~340 gemeenten, ~3,300 wijken and ~14,000 buurten).

The summary (one row per indicator and area, see SUMMARY_COLUMNS):

- the gap of an area to its gemeente in a period: abs_gap = value - gemeente value, rel_gap =
  abs_gap / gemeente value (missing when the gemeente's value is missing or 0); a gemeente's gap
  to itself is 0;
- the ordinary least squares line of value on period over the periods with a value: slope per
  year, n_periods and the slope's standard error sqrt(((syy - sxy^2 / sxx) / (n - 2)) / sxx)
  (missing with fewer than 3 periods; the slope missing with fewer than 2). The line's intercept
  (its value in year 0) is left out: it is the small difference of two large numbers (a mean of
  ~40 minus slope x ~2017), so it carries cancellation error from the slope's last bits and is of
  no use to a reader;
- gap_last and rel_gap_last: the gap in the last period where it exists (both values present);
- gap_slope: the OLS slope of abs_gap on period (how fast the gap widens, per year).
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from .canonical import MISSING, OK

LEVELS = ("gemeente", "wijk", "buurt")
WIJKEN_PER_GEMEENTE = 10
BUURTEN_PER_WIJK = 4
AREAS_PER_GEMEENTE = 1 + WIJKEN_PER_GEMEENTE * (1 + BUURTEN_PER_WIJK)

PANEL_COLUMNS = ("indicator_id", "area_code", "gemeente_code", "level", "period", "value", "status", "n")

# The summary both implementations return, in this order, sorted by indicator_id, area_code.
SUMMARY_COLUMNS = {
    "indicator_id": "string",
    "area_code": "string",
    "n_periods": "int64",
    "slope": "float64",
    "se": "float64",
    "gap_last": "float64",
    "rel_gap_last": "float64",
    "gap_slope": "float64",
}

# Spread of the area effects (percentage points) by level; the trends' spread per year.
_EFFECT_SD = np.array([6.0, 4.0, 3.0])
_TREND_SD = np.array([0.25, 0.15, 0.10])
# Typical number of respondents of a survey figure by level.
_RESPONDENTS = np.array([4000.0, 600.0, 120.0])


def area_register(areas: int) -> pd.DataFrame:
    """The first `areas` areas of the generated country, gemeente by gemeente (each gemeente, then
    each of its wijken followed by that wijk's buurten): code, level, gemeente_code, wijk_code and
    the positions of the gemeente and wijk rows (`gemeente_row`, `wijk_row`; a gemeente's wijk_row
    is its own row). A buurt's wijk and every area's gemeente are always among the first `areas`."""
    if areas < 1:
        raise ValueError(f"areas must be at least 1, not {areas}")
    gemeenten = -(-areas // AREAS_PER_GEMEENTE)
    if gemeenten > 9999:
        raise ValueError(f"at most {9999 * AREAS_PER_GEMEENTE} areas fit four-digit gemeente codes")
    codes, levels, gm_codes, wk_codes, gm_rows, wk_rows = [], [], [], [], [], []
    for g in range(1, gemeenten + 1):
        gm = f"GM{g:04d}"
        gm_row = len(codes)
        codes.append(gm), levels.append("gemeente"), gm_codes.append(gm), wk_codes.append(None)
        gm_rows.append(gm_row), wk_rows.append(gm_row)
        for w in range(WIJKEN_PER_GEMEENTE):
            wk = f"WK{g:04d}{w:02d}"
            wk_row = len(codes)
            codes.append(wk), levels.append("wijk"), gm_codes.append(gm), wk_codes.append(wk)
            gm_rows.append(gm_row), wk_rows.append(wk_row)
            for b in range(BUURTEN_PER_WIJK):
                codes.append(f"BU{g:04d}{w:02d}{b:02d}"), levels.append("buurt")
                gm_codes.append(gm), wk_codes.append(wk), gm_rows.append(gm_row), wk_rows.append(wk_row)
    register = pd.DataFrame({"code": codes, "level": levels, "gemeente_code": gm_codes, "wijk_code": wk_codes,
                             "gemeente_row": gm_rows, "wijk_row": wk_rows})
    return register.iloc[:areas]


def generate_panel(areas: int = 17_000, indicators: int = 50, years: int = 15, first_year: int = 2010,
                   seed: int = 0, missing: float = 0.05) -> pa.Table:
    """A panel of percentages: one row per indicator, area and year, in the warehouse's order
    (indicator_id, area_code, period), as an Arrow table with PANEL_COLUMNS.

    A figure is the indicator's national level plus the effects of the area's gemeente, wijk and
    buurt, plus a linear trend (the indicator's, shifted per gemeente, wijk and buurt), plus the
    sampling error of a share among `n` respondents; clipped to 0..100 and rounded to one decimal
    as published. A share `missing` of the rows, drawn at random, has status "missing" and no value.
    Deterministic for a seed; vectorised (the national size takes a few seconds)."""
    if not 0 <= missing < 1:
        raise ValueError(f"missing must be in [0, 1), not {missing}")
    rng = np.random.default_rng(seed)
    register = area_register(areas)
    level = register["level"].map({name: i for i, name in enumerate(LEVELS)}).to_numpy()
    gm_row, wk_row = register["gemeente_row"].to_numpy(), register["wijk_row"].to_numpy()
    below_gemeente, buurt = (level >= 1)[None, :], (level == 2)[None, :]

    def hierarchical(own_sd: np.ndarray) -> np.ndarray:
        """(indicators, areas): an effect per area, summed down the tree (gemeente + wijk + buurt)."""
        own = rng.normal(size=(indicators, areas)) * own_sd[level]
        return own[:, gm_row] + np.where(below_gemeente, own[:, wk_row], 0.0) + np.where(buurt, own, 0.0)

    national = rng.uniform(10.0, 70.0, size=(indicators, 1))
    national_trend = rng.normal(0.0, 0.4, size=(indicators, 1))
    level_effect = national + hierarchical(_EFFECT_SD)
    trend = national_trend + hierarchical(_TREND_SD)
    t = np.arange(years, dtype=float)
    share = np.clip(level_effect[:, :, None] + trend[:, :, None] * t, 0.5, 99.5)
    respondents = rng.poisson(np.broadcast_to(_RESPONDENTS[level][None, :, None], share.shape)).astype(float)
    respondents = np.maximum(respondents, 10.0)
    sampling_sd = np.sqrt(share * (100.0 - share) / respondents)
    value = np.round(np.clip(share + rng.normal(size=share.shape) * sampling_sd, 0.0, 100.0), 1)
    absent = rng.random(size=share.shape) < missing

    # Rows in the warehouse's order: indicator, then area code (sorted as strings), then period.
    order = np.argsort(register["code"].to_numpy(dtype=str), kind="stable")
    value, respondents, absent = value[:, order].ravel(), respondents[:, order].ravel(), absent[:, order].ravel()
    area_rows = np.tile(np.repeat(order, years), indicators)
    indicator_rows = np.repeat(np.arange(indicators), areas * years)
    width = max(2, len(str(indicators - 1)))
    return pa.table({
        "indicator_id": pa.array([f"ind_{i:0{width}d}" for i in range(indicators)]).take(indicator_rows),
        "area_code": pa.array(register["code"].tolist()).take(area_rows),
        "gemeente_code": pa.array(register["gemeente_code"].tolist()).take(area_rows),
        "level": pa.array(register["level"].tolist()).take(area_rows),
        "period": pa.array(np.tile(np.arange(first_year, first_year + years, dtype=np.int32), indicators * areas)),
        "value": pa.array(value, mask=absent),
        "status": pa.array([OK, MISSING]).take(absent.astype(np.int8)),
        "n": pa.array(respondents),
    })


_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

GAPS_AND_TRENDS_SQL = """
WITH gemeente AS (
    SELECT indicator_id, area_code AS gemeente_code, period, value AS gemeente_value
    FROM {table} WHERE level = 'gemeente' AND value IS NOT NULL
),
gap AS (
    SELECT o.indicator_id, o.area_code, o.period, o.value, g.gemeente_value,
           o.value - g.gemeente_value AS abs_gap,
           (o.value - g.gemeente_value) / nullif(g.gemeente_value, 0) AS rel_gap
    FROM {table} o LEFT JOIN gemeente g
      ON g.indicator_id = o.indicator_id AND g.gemeente_code = o.gemeente_code AND g.period = o.period
),
fit AS (
    SELECT indicator_id, area_code,
           regr_count(value, period) AS n,
           regr_slope(value, period) AS slope,
           regr_sxx(value, period) AS sxx, regr_syy(value, period) AS syy, regr_sxy(value, period) AS sxy,
           arg_max(abs_gap, period) FILTER (WHERE abs_gap IS NOT NULL) AS gap_last,
           arg_max_null(rel_gap, period) FILTER (WHERE abs_gap IS NOT NULL) AS rel_gap_last,
           regr_slope(abs_gap, period) AS gap_slope, regr_sxx(abs_gap, period) AS gap_sxx
    FROM gap
    GROUP BY indicator_id, area_code
)
SELECT indicator_id, area_code, CAST(n AS BIGINT) AS n_periods,
       CASE WHEN sxx > 0 THEN slope END AS slope,
       CASE WHEN n > 2 THEN sqrt(greatest(syy - sxy * sxy / sxx, 0) / (n - 2) / sxx) END AS se,
       gap_last, rel_gap_last,
       CASE WHEN gap_sxx > 0 THEN gap_slope END AS gap_slope
FROM fit
ORDER BY indicator_id, area_code
"""


def _summary_types(summary: pd.DataFrame) -> pd.DataFrame:
    return summary.reset_index(drop=True)[list(SUMMARY_COLUMNS)].astype(SUMMARY_COLUMNS)


def gaps_and_trends_duckdb(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """The gap and trend summary of every (indicator_id, area_code) of `table` (a table or view with
    PANEL_COLUMNS), computed in DuckDB: only the summary (one row per indicator and area) comes
    into pandas, never the panel itself."""
    if not _TABLE_NAME.match(table):
        raise ValueError(f"not a table name: {table!r}")
    return _summary_types(con.execute(GAPS_AND_TRENDS_SQL.format(table=table)).df())


def _grouped_line(group: np.ndarray, x: pd.Series, y: pd.Series, groups: int) -> pd.DataFrame:
    """Per group 0..groups-1: n, the OLS slope of y on x and the centred sums of squares sxx, syy,
    sxy (two-pass: group means first), over the rows where y is present."""
    present = y.notna().to_numpy()
    key = group[present]
    xy = pd.DataFrame({"x": x.to_numpy(dtype=float)[present], "y": y.to_numpy(dtype=float, na_value=np.nan)[present]})
    mean = xy.groupby(key).transform("mean")
    dx, dy = xy["x"] - mean["x"], xy["y"] - mean["y"]
    sums = pd.DataFrame({"n": 1, "sxx": dx * dx, "syy": dy * dy, "sxy": dx * dy})
    line = sums.groupby(key).sum()
    line = line.reindex(pd.RangeIndex(groups))
    line["n"] = line["n"].fillna(0).astype("int64")
    line["slope"] = (line["sxy"] / line["sxx"]).where(line["sxx"] > 0)
    return line


def gaps_and_trends_pandas(frame: pd.DataFrame) -> pd.DataFrame:
    """The same summary as `gaps_and_trends_duckdb`, from a DataFrame with PANEL_COLUMNS, in plain
    pandas (merge and groupby, vectorised; no loop over groups)."""
    keys = ["indicator_id", "area_code"]
    panel = frame[["indicator_id", "area_code", "gemeente_code", "level", "period", "value"]]
    gemeente = panel.loc[(panel["level"] == "gemeente") & panel["value"].notna(),
                         ["indicator_id", "area_code", "period", "value"]]
    gemeente = gemeente.rename(columns={"area_code": "gemeente_code", "value": "gemeente_value"})
    gap = panel.merge(gemeente, on=["indicator_id", "gemeente_code", "period"], how="left")
    gemeente_value = gap["gemeente_value"].astype(float)
    gap["abs_gap"] = gap["value"].astype(float) - gemeente_value
    gap["rel_gap"] = gap["abs_gap"] / gemeente_value.where(gemeente_value != 0)

    by_area = gap.groupby(keys, sort=True)
    group = by_area.ngroup().to_numpy()
    names = by_area.size().index.to_frame(index=False)
    value_line = _grouped_line(group, gap["period"], gap["value"], len(names))
    gap_line = _grouped_line(group, gap["period"], gap["abs_gap"], len(names))
    with np.errstate(divide="ignore", invalid="ignore"):
        residual = ((value_line["syy"] - value_line["sxy"] ** 2 / value_line["sxx"]).clip(lower=0)
                    / (value_line["n"] - 2))
        se = np.sqrt(residual / value_line["sxx"]).where(value_line["n"] > 2)

    with_gap = gap.loc[gap["abs_gap"].notna(), ["period", "abs_gap", "rel_gap"]]
    last = with_gap.groupby(group[gap["abs_gap"].notna().to_numpy()])["period"].idxmax()
    last_gap = with_gap.loc[last.to_numpy()].set_axis(last.index).reindex(pd.RangeIndex(len(names)))

    return _summary_types(names.assign(
        n_periods=value_line["n"], slope=value_line["slope"], se=se,
        gap_last=last_gap["abs_gap"], rel_gap_last=last_gap["rel_gap"], gap_slope=gap_line["slope"],
    ))
