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
            # Dates (DuckDB DATE, or times all at midnight) as YYYY-MM-DD, others with time.
            dated = series.dropna()
            midnight = bool((dated == dated.dt.normalize()).all())
            text = series.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
            out[column] = text.astype("object").where(series.notna(), "")
        elif pd.api.types.is_string_dtype(series) and pd.api.types.infer_dtype(
            series, skipna=True
        ) in ("string", "empty"):
            risky = series.str.startswith(FORMULA_STARTS, na=False)
            out[column] = series.where(~risky, "'" + series.fillna(""))
        elif series.dtype == object:
            # Mixed cells (whole numbers beside rates): one by one, as Series.map would turn
            # 17 into 17.0.
            values = [neutralise(v) for v in series]
            out[column] = pd.Series(values, index=series.index, dtype=object)
    return out


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
