"""The data bundle: CSV that Excel in a Dutch locale opens as columns, and that cannot carry formulas."""

import numpy as np
import pandas as pd

from conftest import ROOT
from wijkmonitor.bundle import (
    load_dictionary,
    neutralise,
    read_csv,
    write_csv,
)
from wijkmonitor.canonical import ANALYSIS_COLUMNS, PUBLISHED_COLUMNS

TYPES = {"string": "text", "Int64": "integer", "Float64": "decimal", "boolean": "boolean"}


def test_formulas_are_neutralised_and_numbers_left_alone():
    frame = pd.DataFrame({
        "name": ["=HYPERLINK(\"http://x\",\"klik\")", "+31 6", "-Noord", "@SUM(A1)", "\tTab", "Overvecht", None],
        "value": [-3.5, 1.0, 2.0, 3.0, 4.0, 5.0, np.nan],
    })
    out = neutralise(frame)
    assert out["name"].tolist()[:6] == ["'=HYPERLINK(\"http://x\",\"klik\")", "'+31 6", "'-Noord", "'@SUM(A1)",
                                        "'\tTab", "Overvecht"]
    assert pd.isna(out["name"].iloc[6])
    assert out["value"].tolist()[:6] == [-3.5, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_csv_is_utf8_with_bom_semicolons_and_decimal_commas(tmp_path):
    frame = pd.DataFrame({"area_name": ["Oog in Al, Welgelegen", "=1+1", "Zuilen-Noord en -Oost"],
                          "value": [18.25, -0.5, np.nan], "rank": pd.array([1, 2, None], dtype="Int64")})
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").splitlines()[:3] == [
        "area_name;value;rank", "Oog in Al, Welgelegen;18,25;1", "'=1+1;-0,5;2"]
    back = read_csv(path)
    assert back.columns.tolist() == ["area_name", "value", "rank"]
    assert back["value"].tolist()[:2] == [18.25, -0.5] and np.isnan(back["value"].iloc[2])
    assert back["area_name"].tolist() == ["Oog in Al, Welgelegen", "'=1+1", "Zuilen-Noord en -Oost"]


def test_the_dictionary_describes_exactly_the_bundled_columns():
    dictionary = load_dictionary(ROOT / "schemas/tables.yaml")
    contracts = {"observations": PUBLISHED_COLUMNS, **ANALYSIS_COLUMNS}
    assert list(dictionary["table"].drop_duplicates()) == list(contracts)
    for table, columns in contracts.items():
        described = dictionary[dictionary["table"] == table]
        assert described["column"].tolist() == list(columns), table
        assert described["type"].tolist() == [TYPES[t] for t in columns.values()], table
    assert dictionary[["description_nl", "description_en"]].map(lambda d: isinstance(d, str) and len(d) > 10).all().all()
