"""Small helpers for single values read back from DataFrames."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

# What a rate shows when it has nothing to divide by: never `nan%`, `None` or `inf`.
NO_VALUE = "—"
# Why a rate has no value, by the name its tile carries (pages put it in the tile's help).
NO_DENOMINATOR = {
    "Repeat rate": "no incident in this selection",
    "Closure rate": "no action item of this selection is done, open or in progress",
    "Closure rate of the quarter's action items": "no action item of the quarter's incidents "
    "is done, open or in progress",
    "Won't do": "this selection has no action items",
    "Status unknown": "this selection has no action items",
    "On time": "no done item has both a due date and a close date",
}


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
    """A float, or None for a missing or infinite value."""
    if missing(value):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def percent(value: Any) -> str:
    """A rate as a whole percentage; NO_VALUE when there is none."""
    rate = number(value)
    return NO_VALUE if rate is None else f"{rate:.0%}"
