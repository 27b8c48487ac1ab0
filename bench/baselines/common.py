"""Helpers shared by the baseline scripts: reading the exporter's CSVs and the home sample."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

# Ids are opaque strings (zero-padded ids must survive); coordinates are float64.
DTYPES = {"building_id": str, "facility_id": str, "category": str, "code": str,
          "x": "float64", "y": "float64", "threshold_m": "float64", "cutoff_m": "float64"}


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=DTYPES, keep_default_na=False, na_values=[""])


def sample_mask(n: int, fraction: float) -> np.ndarray:
    """Row i is in the sample when floor((i+1)f) > floor(if): exactly round-down(n*f) rows, spread
    evenly over the file, and reproducible in SQL with the same float8 arithmetic (see
    SAMPLE_SQL), so PostGIS and GeoPandas look at the same homes."""
    if fraction >= 1.0:
        return np.ones(n, dtype=bool)
    i = np.arange(n, dtype=np.float64)
    return np.floor((i + 1.0) * fraction) > np.floor(i * fraction)


def sample_sql(rn: str, fraction: float) -> str:
    if fraction >= 1.0:
        return "true"
    return f"floor(({rn} + 1)::float8 * {fraction!r}::float8) > floor({rn}::float8 * {fraction!r}::float8)"


def emit(result: dict) -> None:
    """The driver parses the last stdout line, so the JSON goes last and on one line."""
    print(json.dumps(result, sort_keys=False), flush=True)
