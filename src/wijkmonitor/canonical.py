"""The canonical long table (`observation`) that every reader produces and the warehouse stores."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Status of a cell. A value is present exactly when the status is "ok".
OK = "ok"
SUPPRESSED = "suppressed"  # secret / too few cases: "." or "x"
MISSING = "missing"  # "?" or an empty cell
NOT_APPLICABLE = "not_applicable"  # "-"
STATUSES = (OK, SUPPRESSED, MISSING, NOT_APPLICABLE)

# Markers portals write instead of a number, and the status each one means.
MARKERS = {
    ".": SUPPRESSED,
    "x": SUPPRESSED,
    "X": SUPPRESSED,
    "?": MISSING,
    "": MISSING,
    "-": NOT_APPLICABLE,
}

# What a reader returns: one row per cell, before areas and indicators are resolved.
READ_COLUMNS = {
    "source_indicator": "string",  # the indicator as the source names it (header or code)
    "area_code": "string",  # the source's own area code, when it has one
    "area_name": "string",  # the area as the source wrote it
    "category": "string",  # a second dimension, else NULL
    "period": "Int64",
    "period_label": "string",
    "value": "Float64",
    "status": "string",
    "n": "Float64",  # respondents (surveys) or the denominator, when the source gives it
    "sd": "Float64",  # standard deviation of a mean (e.g. a report mark), when the source gives it
    "ci_low": "Float64",  # lower bound of the 95% interval the source publishes (CBS Marges MOG0095)
    "ci_high": "Float64",  # upper bound of that interval (MBG0095); both NULL when the source gives none
    "vintage": "string",  # the edition, when the file itself says (else the config's or the file name)
    "provisional": "boolean",  # the source flags the figure as provisional (voorlopig)
    "source_unit": "string",  # the unit as the source states it (`%`, `km`, `aantal`), else NULL
    "source_row": "Int64",  # 1-based row as a spreadsheet or editor shows it
    "source_column": "string",  # the header of the cell's column
}

# What the warehouse stores in `observation` (see docs/architecture.md).
OBSERVATION_COLUMNS = {
    "indicator_id": "string",
    "area_code": "string",
    "area_name": "string",
    "category": "string",
    "period": "Int64",
    "period_label": "string",
    "value": "Float64",
    "status": "string",
    "n": "Float64",
    "sd": "Float64",
    "ci_low": "Float64",
    "ci_high": "Float64",
    "source_id": "string",
    "vintage": "string",
    "provisional": "boolean",
    "source_unit": "string",
    "source_file": "string",
    "source_row": "Int64",
    "source_column": "string",
    "source_indicator": "string",
}
# The published observations (the analysis step's output, the bundle's observations.csv): the current
# observations plus the figures carried over area links (series_links.join_across_links): `link` the
# relation(s) a figure was carried over (`recoded`, `split`, `merged`, `split>merged`), `linked_from`
# the code(s) it was observed under; both NULL on observed figures.
PUBLISHED_COLUMNS = OBSERVATION_COLUMNS | {"link": "string", "linked_from": "string"}


# The analysis tables (data/processed/analysis/<name>.parquet, also warehouse views): the
# contract the report and any later tool rely on.
GAPS_COLUMNS = {
    "indicator_id": "string", "category": "string", "area_code": "string", "level": "string",
    "period": "Int64", "value": "Float64", "ci_low": "Float64", "ci_high": "Float64", "ci_method": "string",
    "n": "Float64", "n_source": "string", "count": "Float64", "city_value": "Float64", "abs_gap": "Float64",
    "rel_gap": "Float64", "unfavourable_gap": "Float64", "rank": "Int64", "n_ranked": "Int64",
    "comparison_95": "string", "comparison_998": "string", "city_p": "Float64", "city_q": "Float64",
    "comparison_fdr": "string",
}
TRENDS_COLUMNS = {
    "indicator_id": "string", "category": "string", "area_code": "string", "level": "string",
    "first_period": "Int64", "last_period": "Int64", "n_periods": "Int64", "trend_test": "string",
    "slope": "Float64", "slope_ci_low": "Float64", "slope_ci_high": "Float64", "slope_p": "Float64",
    "change": "Float64", "change_p": "Float64", "trend_p": "Float64", "trend_q": "Float64",
    "recent_trend": "string",
    "first_gap": "Float64", "last_gap": "Float64", "gap_slope": "Float64", "gap_slope_p": "Float64",
    "gap_change": "Float64", "gap_change_p": "Float64", "gap_p": "Float64", "gap_q": "Float64",
    "gap_trend": "string", "relative_change": "string", "unfavourable": "boolean",
}
INEQUALITY_COLUMNS = {
    "indicator_id": "string", "category": "string", "period": "Int64", "level": "string", "n_areas": "Int64",
    "range": "Float64", "ratio_max_min": "Float64", "cv": "Float64", "gini": "Float64", "theil": "Float64",
    "theil_between": "Float64", "theil_within": "Float64", "dissimilarity": "Float64",
    "sii": "Float64", "sii_ci_low": "Float64", "sii_ci_high": "Float64",
    "rii": "Float64", "rii_ci_low": "Float64", "rii_ci_high": "Float64", "rii_method": "string",
    "rii_ends": "Float64", "rii_ends_ci_low": "Float64", "rii_ends_ci_high": "Float64", "weights": "string",
}
INEQUALITY_CHANGE_COLUMNS = {
    "indicator_id": "string", "category": "string", "level": "string", "first_period": "Int64",
    "last_period": "Int64", "n_areas": "Int64",
    "city_first": "Float64", "city_last": "Float64", "city_change": "Float64", "city_change_p": "Float64",
    "city_change_tested": "boolean", "city_improved": "boolean",
    "theil_first": "Float64", "theil_last": "Float64", "theil_change": "Float64",
    "theil_change_ci_low": "Float64", "theil_change_ci_high": "Float64", "theil_change_p": "Float64",
    "between_first": "Float64", "between_last": "Float64", "within_first": "Float64", "within_last": "Float64",
    "sii_first": "Float64", "sii_last": "Float64", "sii_change": "Float64",
    "sii_change_ci_low": "Float64", "sii_change_ci_high": "Float64", "sii_change_p": "Float64",
    "theil_change_q": "Float64", "sii_change_q": "Float64", "inequality_worsened": "string",
    "divided_triumph": "boolean",
}
CONVERGENCE_COLUMNS = {
    "indicator_id": "string", "category": "string", "level": "string", "first_period": "Int64",
    "last_period": "Int64", "n_periods": "Int64", "n_areas": "Int64", "sigma_measure": "string",
    "sigma_slope": "Float64", "sigma_p": "Float64", "sigma_trend": "string",
    "beta": "Float64", "beta_ci_low": "Float64", "beta_ci_high": "Float64", "half_life": "Float64",
}
PROJECTIONS_COLUMNS = {
    "indicator_id": "string", "category": "string", "area_code": "string", "level": "string",
    "scenario": "string", "model": "string", "n_waves": "Int64", "last_period": "Int64", "target_period": "Int64",
    "projected": "Float64", "pi_low": "Float64", "pi_high": "Float64", "pi50_low": "Float64", "pi50_high": "Float64",
    "city_projected": "Float64", "projected_gap": "Float64", "gap_pi_low": "Float64", "gap_pi_high": "Float64",
    "position_slope": "Float64", "position_slope_ci_low": "Float64", "position_slope_ci_high": "Float64",
    "years_to_close_low": "Float64", "years_to_close_high": "Float64", "projection_status": "string",
}
COMPOSITE_COLUMNS = {
    "area_code": "string", "level": "string", "period": "Int64", "theme": "string", "score": "Float64",
    "rank": "Int64", "rank_min": "Int64", "rank_max": "Int64",
}
REVISIONS_COLUMNS = {
    "indicator_id": "string", "category": "string", "area_code": "string", "period": "Int64", "source_id": "string",
    "value": "Float64", "vintage": "string", "source_file": "string", "source_row": "Int64",
    "other_value": "Float64", "other_vintage": "string", "other_source_file": "string", "other_source_row": "Int64",
    "change": "Float64",
}
# Where a series cannot be joined across an area link (series_links.join_across_links): one row per
# new area, indicator and link step; `reason` the English text, `cause` its code(s) of
# series_links.BREAK_CAUSES (several joined with `;`).
SERIES_BREAKS_COLUMNS = {
    "area_code": "string", "indicator_id": "string", "from_year": "Int64", "to_year": "Int64", "relation": "string",
    "reason": "string", "cause": "string",
}
ANALYSIS_COLUMNS = {
    "gaps": GAPS_COLUMNS, "trends": TRENDS_COLUMNS, "inequality": INEQUALITY_COLUMNS,
    "inequality_change": INEQUALITY_CHANGE_COLUMNS,
    "convergence": CONVERGENCE_COLUMNS, "projections": PROJECTIONS_COLUMNS, "composite": COMPOSITE_COLUMNS,
    "revisions": REVISIONS_COLUMNS, "series_breaks": SERIES_BREAKS_COLUMNS,
}


def carried(frame: pd.DataFrame) -> pd.Series:
    """Per row: true where the figure was carried over an area link (`link` set), false where it was
    observed (or the frame has no `link`)."""
    if "link" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["link"].notna().astype(bool)


def estimated(frame: pd.DataFrame) -> pd.Series:
    """Per row: true where the figure was estimated across a split or merge (`link` names one): it has
    no n, sd or interval of its own. False for observed figures and one-to-one copies."""
    if "link" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["link"].astype("string").str.contains("split|merged", regex=True).fillna(False).astype(bool)


def typed_frame(records: list[dict] | pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """A frame with exactly `columns`, in order, with their nullable dtypes."""
    # A shallow copy: pandas copies on write, so adding columns below never changes `records`.
    frame = pd.DataFrame(records) if not isinstance(records, pd.DataFrame) else records.copy(deep=False)
    for name in columns:
        if name not in frame.columns:
            frame[name] = pd.NA
    frame = frame[list(columns)]
    return frame.astype(columns)


def read_frame(records: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """A reader's table in canonical column order and types (`provisional` defaults to false)."""
    frame = typed_frame(records, READ_COLUMNS)
    frame["provisional"] = frame["provisional"].fillna(False)
    return frame


@dataclass
class ReadResult:
    """What a reader returns: the canonical read table and what it learnt about the file.

    `skipped` maps a reason (`title row`, `legend`, `blank row`, ...) to the source rows that were
    read but hold no observations, so the ingest log can account for every row of the file.
    `notes` keeps what the file says about itself (footnotes, export date, title). `layout` says
    in a few words which variant of its format the reader found (`wijkmonitor inspect` shows it),
    e.g. `regions as rows; plain CSV, decimal comma; codes from 'Regioaanduiding/Codering (code)'`.
    """

    table: pd.DataFrame
    encoding: str | None = None
    skipped: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    layout: str | None = None

    def skip(self, reason: str, row: int) -> None:
        self.skipped.setdefault(reason, []).append(int(row))


def observation_frame(records: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Observations in canonical column order and types."""
    return typed_frame(records, OBSERVATION_COLUMNS)
