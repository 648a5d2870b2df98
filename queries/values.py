"""Small helpers for single values read back from DataFrames."""

from __future__ import annotations

from typing import Any

import pandas as pd


def missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA: a value the store does not have."""
    if (
        isinstance(value, list | tuple)
        or hasattr(value, "__array__")
        and not pd.api.types.is_scalar(value)
    ):
        return False
    return bool(pd.isna(value))


def number(value: Any) -> float | None:
    return None if missing(value) else float(value)
