"""Statistical methods of the analysis step: pure, vectorised functions with cited references.

intervals (Wilson, Byar/exact Poisson, t), compare (area against the city), inequality (spread,
Gini, Theil with decomposition, dissimilarity, SII/RII), trends (recent trend, convergence),
projection (if nothing changes), composite (index and weight sensitivity).
"""

import numpy as np
import pandas as pd


def as_float(values) -> np.ndarray:
    """Any scalar / array-like / Series as a float ndarray with NaN for missing (None, NaN, pd.NA)."""
    if isinstance(values, (pd.Series, pd.Index)):
        return pd.to_numeric(pd.Series(values)).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    array = np.asarray(values)
    if array.dtype == object:
        flat = pd.to_numeric(pd.Series(array.ravel(), dtype=object)).astype("Float64")
        return flat.to_numpy(dtype="float64", na_value=np.nan).reshape(array.shape)
    return array.astype("float64")
