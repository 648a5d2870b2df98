"""The query runner: fragments as CTEs, named parameters only, a cursor per query."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from queries import runner
from queries.runner import QueryError, compose, parameters, run

SQL_FILES = sorted(p.stem for p in runner.SQL_DIR.glob("[a-z]*.sql"))


def test_fragments_become_ctes_in_dependency_order() -> None:
    sql = compose("repeat_rate_by_value")
    # repeat_rate_by_value uses repeats; repeats uses filtered_facts and repeat_flags, and
    # repeat_flags uses incident_values, so each comes before what uses it, and only once;
    # filtered_facts, the first that repeats names, comes first of all.
    assert sql.startswith("with filtered_facts as (")
    names = ("filtered_facts", "incident_values", "repeat_flags", "repeats")
    order = [sql.index(f"{name} as (") for name in names]
    assert order == sorted(order)
    assert sql.count("repeat_flags as (") == 1


def test_a_query_with_its_own_with_clause_gets_the_fragments_in_front() -> None:
    sql = compose("time_to_close")
    assert sql.startswith("with item_facts as (")
    assert ",\nclosed as (" in sql  # the query's own CTE follows the fragments'


@pytest.mark.parametrize("name", SQL_FILES)
def test_every_query_says_what_it_is_for_and_uses_only_named_parameters(name: str) -> None:
    text = (runner.SQL_DIR / f"{name}.sql").read_text()
    assert text.startswith("-- "), "a header comment says what the query is for"
    assert "Params:" in text
    sql = compose(name)
    code = re.sub(r"'[^']*'", "''", sql)  # outside string literals
    assert "?" not in code, "positional parameters are not used"
    assert not re.search(r"\{\w+\}", code), "no text templating"


def test_parameters_come_from_the_sql_not_the_header() -> None:
    assert parameters("date_bounds") == frozenset()
    assert parameters("incident_action_items") == {"incident_id"}


def test_missing_parameters_are_named_and_extra_ones_ignored(hand_db: str) -> None:
    conn = duckdb.connect(hand_db, read_only=True)
    with pytest.raises(QueryError, match="incident_id"):
        run(conn, "incident_action_items")
    frame = run(conn, "incident_action_items", incident_id="team:A.md", unused="ignored")
    assert len(frame) == 2
    with pytest.raises(QueryError, match="No query file"):
        run(conn, "no_such_query")


def test_user_values_never_reach_the_sql_text(hand_db: str) -> None:
    conn = duckdb.connect(hand_db, read_only=True)
    hostile = "x'); drop table incidents; --"
    assert run(conn, "incident_detail", incident_id=hostile).empty
    assert run(conn, "date_bounds")["first_date"].notna().all()  # the table is still there


def test_literals_that_look_like_comments_or_parameters_stay_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A regex would cut the line at '--' and take '$notaparam' for a parameter; DuckDB's
    # tokenizer and parser know both are inside string literals. The header's § is multi-byte.
    (tmp_path / "literal_text.sql").write_text(
        "-- Text that looks like SQL (§6).\n-- Params: $since\n"
        "select '-- not a comment' as a, '$notaparam' as b, $since as c; -- trailing\n"
    )
    (tmp_path / "two_statements.sql").write_text("select 1;\nselect 2;\n")
    monkeypatch.setattr(runner, "SQL_DIR", tmp_path)
    assert parameters("literal_text") == {"since"}
    frame = run(duckdb.connect(), "literal_text", since=7)
    assert frame.iloc[0].tolist() == ["-- not a comment", "$notaparam", 7]
    with pytest.raises(QueryError, match="holds 2 statements"):
        parameters("two_statements")
