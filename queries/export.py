"""CSV out of pmdash: every chart's and table's rows, safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by spreadsheet programs, and document text is not ours to trust, so such text cells get a
leading apostrophe (the OWASP advice). Numbers stay numbers. Dates are written as ISO dates,
times as ISO date-times, so the files compare equal wherever they are produced. NULL, and
empty text, is an empty cell.

Two writers follow these rules. A table worked out by one query is written by DuckDB itself
(`copy_csv`): the rules are a SQL projection over the query, so 100,000 rows go from the
store to the file without becoming a DataFrame. A frame put together in Python (a few tiles,
a chart's rows, the quarterly pack) is written by pandas (`to_csv_bytes`). Both write the
same text for the same values, but where DuckDB knows more than a DataFrame:
- a TIMESTAMP column is always written with its time: a DataFrame holds DATE columns as
  date-times too, so `csv_frame` writes a column whose times are all midnight as dates;
- a text cell holding a carriage return is quoted: pandas quotes only the line end it
  writes (`\n`), and a spreadsheet would end the row at the bare `\r`;
- lists and structs are written as DuckDB writes them as text (`[a, b]`, `{'k': v}`), where
  pandas writes numpy's picture of them (`['a' 'b']`, NULL as `--`). No table has one today.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from queries.runner import ROWS_IN_ALL_COLUMN, Query

if TYPE_CHECKING:  # duckdb.typing in DuckDB 1.3 (our floor), duckdb.sqltypes in 2.0
    from duckdb.sqltypes import DuckDBPyType

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


# DuckDB's CSV dialect set to what `to_csv_bytes` writes: commas, `"` quotes doubled inside a
# cell and only where needed, `\n` line ends on every system, NULL as an empty cell, and no
# comment character (DuckDB would quote every cell holding a `#`).
COPY_OPTIONS = (
    "header, delimiter ',', quote '\"', escape '\"', new_line e'\\n', nullstr '', comment ''"
)
# FORMULA_STARTS as a regular expression (RE2 reads the \t and \r).
FORMULA_PATTERN = r"^[-=+@\t\r]"
INTEGERS = {"tinyint", "smallint", "integer", "bigint", "hugeint",
            "utinyint", "usmallint", "uinteger", "ubigint", "uhugeint"}  # fmt: skip
TIMESTAMPS = {"timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns",
              "timestamp with time zone"}  # fmt: skip


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cells(column: str, kind: DuckDBPyType) -> str:
    """The SQL of one column's CSV cells, by its DuckDB type: the rules of `csv_frame`."""
    x = _identifier(column)
    if kind.id == "date":
        return f"strftime({x}, '%Y-%m-%d')"
    if kind.id in TIMESTAMPS:
        return f"strftime({x}, '%Y-%m-%d %H:%M:%S')"
    if kind.id == "boolean":  # as pandas writes them
        return f"case when {x} then 'True' when not {x} then 'False' end"
    if kind.id in ("double", "float"):  # NaN is NULL to a DataFrame
        return f"case when not isnan({x}) then {x} end"
    if kind.id == "decimal":  # a DataFrame holds a decimal as a float: 1.50 is written 1.5
        return f"cast({x} as double)"
    if kind.id in INTEGERS:
        return x
    # Text, and anything else (lists, structs) as DuckDB writes it as text.
    text = x if kind.id == "varchar" else f"cast({x} as varchar)"
    return (
        f"case when regexp_matches({text}, '{FORMULA_PATTERN}') then concat('''', {text}) "
        f"else nullif({text}, '') end"
    )


def copy_csv(conn: duckdb.DuckDBPyConnection, query: Query, names: list[str], path: Path) -> int:
    """Have DuckDB run `query` and write its rows to `path` as CSV, headed by `names` (one per
    column of the query, the runner's row count left out); returns how many rows it wrote.

    The query's columns are renamed by position (`c0`, `c1`, …), so two of one name cannot
    clash. The SQL around the query is made of its types, `names` and the path only: every
    value stays a parameter."""
    kept = [i for i, c in enumerate(query.columns) if c != ROWS_IN_ALL_COLUMN]
    if len(kept) != len(names):
        raise ValueError(f"{len(names)} names for the {len(kept)} columns of the query")
    positions = ", ".join(f"c{i}" for i in range(len(query.columns)))
    cells = ", ".join(
        f"{_cells(f'c{i}', query.types[i])} as {_identifier(name)}"
        for i, name in zip(kept, names, strict=True)
    )
    # COPY takes no parameter for its file in DuckDB 1.3 (our floor): the path is quoted as a SQL
    # literal, as loaders.store quotes the one ATTACH takes. It is the caller's file.
    literal = "'" + str(path).replace("'", "''") + "'"
    # The rows come in the query's order: a projection reads its subquery's rows in order,
    # and COPY writes them in order (DuckDB's preserve_insertion_order, on by default).
    sql = (
        f"copy (select {cells} from (\n{query.sql}\n) as pmdash_table({positions})) "
        f"to {literal} ({COPY_OPTIONS})"
    )
    with conn.cursor() as cursor:
        [(rows,)] = cursor.execute(sql, query.values).fetchall()
    return int(rows)


def zip_of_csvs(tables: dict[str, pd.DataFrame]) -> bytes:
    """One zip holding `<name>.csv` for each table, in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            info = zipfile.ZipInfo(f"{name}.csv", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, to_csv_bytes(frame))
    return buffer.getvalue()
