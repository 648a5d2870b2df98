"""Run the .sql files of this package and return DataFrames.

Each query lives in its own file, `queries/<name>.sql`, with a header saying what it is for
and which named parameters (`$name`) it takes. Values always travel as parameters, never as
text pasted into SQL.

Several queries start from the same rows (the incidents the filters select, their action
items, repeat flags). Those shared pieces are fragments, `queries/_<name>.sql`, and a query
lists the ones it builds on in a header line such as `-- uses: filtered_incidents`; the
runner puts them in front of the query as common table expressions, in dependency order.
The runner passes a query only the parameters it names, so callers can hand every query the
same filter parameters. Comments, the leading `with` and the parameter names are found by
DuckDB's own tokenizer and parser, so a `'--'` or `'$x'` inside a string literal is text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

if TYPE_CHECKING:  # duckdb.typing in DuckDB 1.3 (our floor), duckdb.sqltypes in 2.0
    from duckdb.sqltypes import DuckDBPyType

SQL_DIR = Path(__file__).resolve().parent
_USES = re.compile(r"^--\s*uses:\s*(.+)$", re.MULTILINE)


class QueryError(Exception):
    """A query file is missing, or was called without a parameter it needs."""


@cache
def _read(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"No query file {path.name} in {SQL_DIR}.")
    return path.read_text(encoding="utf-8")


def _uses(text: str) -> list[str]:
    return [n.strip() for line in _USES.findall(text) for n in line.split(",") if n.strip()]


def _code_tokens(sql: bytes) -> list[tuple[int, duckdb.token_type]]:
    # Offsets count UTF-8 bytes. Newer DuckDB reports comments as tokens, older ones skip them.
    return [t for t in duckdb.tokenize(sql.decode()) if t[1] != duckdb.token_type.comment]


def _without_comments(sql: bytes) -> bytes:
    kept, start = [], 0
    for offset, kind in duckdb.tokenize(sql.decode()):
        if kind == duckdb.token_type.comment:
            kept.append(sql[start:offset])
            block = sql.startswith(b"/*", offset)
            end = sql.find(b"*/", offset) + 2 if block else sql.find(b"\n", offset)
            start = len(sql) if end < (2 if block else 0) else end
    kept.append(sql[start:])
    return b"".join(kept)


def _body(text: str) -> str:
    """The statement from its first word to its closing `;` (left out, so it nests as a CTE),
    without comments, so a `$name` in the header is never mistaken for SQL."""
    sql = _without_comments(text.encode())
    tokens = _code_tokens(sql)
    if not tokens:
        return ""
    end = tokens[-1][0] if sql[tokens[-1][0] :].startswith(b";") else len(sql)
    return sql[tokens[0][0] : end].decode().strip()


def _starts_with_with(sql: str) -> bool:
    code = sql.encode()
    tokens = _code_tokens(code)
    if len(tokens) < 2 or tokens[0][1] != duckdb.token_type.keyword:
        return False
    return code[tokens[0][0] : tokens[1][0]].strip().lower() == b"with"


@cache
def compose(name: str) -> str:
    """The full SQL of a query: its fragments as CTEs, then the query itself."""
    ordered: list[str] = []

    def visit(fragment: str, trail: tuple[str, ...]) -> None:
        if fragment in trail:
            raise QueryError(f"Fragments use each other in a circle: {' -> '.join(trail)}.")
        if fragment in ordered:
            return
        for dependency in _uses(_read(f"_{fragment}")):
            visit(dependency, (*trail, fragment))
        ordered.append(fragment)

    text = _read(name)
    for fragment in _uses(text):
        visit(fragment, (name,))
    body = _body(text)
    if not ordered:
        return body
    ctes = ",\n".join(f"{f} as (\n{_body(_read(f'_{f}'))}\n)" for f in ordered)
    if _starts_with_with(body):
        return f"with {ctes},\n{body[len('with') :].lstrip()}"
    return f"with {ctes}\n{body}"


@cache
def parameters(name: str) -> frozenset[str]:
    """The named parameters (`$name`) of a query, as DuckDB's parser reads them."""
    statements = duckdb.extract_statements(compose(name))
    if len(statements) != 1:
        raise QueryError(f"Query {name} holds {len(statements)} statements; write exactly one.")
    return frozenset(statements[0].named_parameters)


@dataclass(slots=True)
class FirstRows:
    """While `first_rows` is in effect: how many rows `run` returns at most, and how many
    the whole result of the one query it ran holds."""

    limit: int
    rows_in_all: int = 0
    queries: int = 0


_FIRST_ROWS: ContextVar[FirstRows | None] = ContextVar("first_rows", default=None)
# The whole result is worked out once (its order too), counted, and only its first rows
# become a DataFrame: turning 100,000 rows into one to show 1,000 costs more than the query.
# `materialized` keeps DuckDB from computing the query twice (once for the count); a
# materialized CTE is read back in the query's order.
LIMITED = """with pmdash_all as materialized (
{sql}
)
select *, (select count(*) from pmdash_all) as pmdash_rows_in_all from pmdash_all limit {limit}"""


# A query may instead cut its rows itself, before it adds its costly columns (titles, lists
# joined into text): it names `$first_rows` (the limit, NULL for every row) and returns
# the count of all its rows in a `pmdash_rows_in_all` column, as LIMITED does. The runner
# passes the limit within `first_rows` and NULL otherwise, and drops the column.
FIRST_ROWS_PARAMETER = "first_rows"
ROWS_IN_ALL_COLUMN = "pmdash_rows_in_all"


@dataclass(frozen=True, slots=True)
class Query:
    """A query as `run` would send it: its SQL and parameter values, and its result's
    columns and DuckDB types (the runner's own `pmdash_rows_in_all` among them, if named)."""

    sql: str
    values: dict[str, Any]
    columns: list[str]
    types: list[DuckDBPyType]


_QUERIES: ContextVar[list[Query] | None] = ContextVar("queries", default=None)


@contextmanager
def first_rows(limit: int) -> Iterator[FirstRows]:
    """Within it, `run` returns only the first `limit` rows of its query (in the query's
    order) and counts all of them into the yielded `FirstRows`."""
    counted = FirstRows(limit)
    token = _FIRST_ROWS.set(counted)
    try:
        yield counted
    finally:
        _FIRST_ROWS.reset(token)


@contextmanager
def queries_only() -> Iterator[list[Query]]:
    """Within it, `run` reads no rows: it adds each query it is asked for to the yielded list
    (every row, not `first_rows`) and returns an empty frame with the query's columns, so the
    Python around a query (a column renamed) still runs. For a table whose rows DuckDB writes
    straight to a file (queries/export.py)."""
    asked: list[Query] = []
    token = _QUERIES.set(asked)
    try:
        yield asked
    finally:
        _QUERIES.reset(token)


def run(conn: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """Run `queries/<name>.sql` on a fresh cursor of `conn` and return all rows (within
    `first_rows`, the first of them).

    A cursor per query because Streamlit serves sessions from threads and a DuckDB
    connection is not safe to share between them; the result is fully fetched before
    the cursor closes.
    """
    needed = parameters(name)
    missing = needed - params.keys() - {FIRST_ROWS_PARAMETER}
    if missing:
        raise QueryError(f"Query {name} needs {', '.join(sorted(missing))}.")
    values = {key: _plain(params[key]) for key in needed - {FIRST_ROWS_PARAMETER}}
    asked = _QUERIES.get()
    if asked is not None:
        return _ask(conn, name, values, asked)
    counted = _FIRST_ROWS.get()
    limits_itself = FIRST_ROWS_PARAMETER in needed
    if limits_itself:
        values[FIRST_ROWS_PARAMETER] = counted.limit if counted else None
    with conn.cursor() as cursor:
        if counted is None and not limits_itself:
            return cursor.execute(compose(name), values).df()
        sql = compose(name)
        if counted is not None and not limits_itself:
            sql = LIMITED.format(sql=sql, limit=int(counted.limit))
        frame = cursor.execute(sql, values).df()
    if counted is not None:
        counted.queries += 1
        counted.rows_in_all = int(frame[ROWS_IN_ALL_COLUMN].iloc[0]) if len(frame) else 0
    return frame.drop(columns=ROWS_IN_ALL_COLUMN)


def _ask(
    conn: duckdb.DuckDBPyConnection, name: str, values: dict[str, Any], asked: list[Query]
) -> pd.DataFrame:
    """`run` within `queries_only`: the query noted, its columns as an empty frame."""
    if FIRST_ROWS_PARAMETER in parameters(name):
        values = {**values, FIRST_ROWS_PARAMETER: None}  # every row
    sql = compose(name)
    with conn.cursor() as cursor:
        # A relation is only planned, not run, until its rows are asked for.
        relation = cursor.sql(sql, params=values)
        query = Query(sql, values, list(relation.columns), list(relation.types))
    asked.append(query)
    return pd.DataFrame(columns=[c for c in query.columns if c != ROWS_IN_ALL_COLUMN])


def run_aside(conn: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """`run`, whole and run even within `first_rows` or `queries_only`: for a check a table
    makes beside its one query of rows."""
    first, asked = _FIRST_ROWS.set(None), _QUERIES.set(None)
    try:
        return run(conn, name, **params)
    finally:
        _QUERIES.reset(asked)
        _FIRST_ROWS.reset(first)


def _plain(value: Any) -> Any:
    # DuckDB binds lists, not tuples, as LIST values.
    return list(value) if isinstance(value, tuple) else value
