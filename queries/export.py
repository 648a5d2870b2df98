"""CSV out of pmdash: every chart's and table's rows, safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by spreadsheet programs, and document text is not ours to trust, so such text cells get a
leading apostrophe (the OWASP advice). Numbers stay numbers. Dates are written as ISO dates,
times as ISO date-times, so the files compare equal wherever they are produced.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it goes into a CSV: text neutralised, dates and times as ISO text."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.map(_iso)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            # Element by element: Series.map would turn a column of whole numbers and rates
            # into floats (17 -> 17.0).
            out[column] = pd.Series(
                [neutralise(v) for v in series], index=series.index, dtype=object
            )
    return out


def _iso(value: pd.Timestamp) -> str:
    if pd.isna(value):
        return ""
    if value == value.normalize():
        return value.date().isoformat()
    return value.isoformat(sep=" ")


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return csv_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def zip_of_csvs(tables: dict[str, pd.DataFrame]) -> bytes:
    """One zip holding `<name>.csv` for each table, in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            info = zipfile.ZipInfo(f"{name}.csv", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, to_csv_bytes(frame))
    return buffer.getvalue()
