"""The query calls each dashboard page makes, recorded from the page itself (P3).

Pages reach the store only through `pages.ui.data.table(name, view)`,
`pages.ui.data.first_rows(name, view)` and `pages.ui.data.call(function, *args, **kwargs)` (STYLE 1: pages -> queries -> DuckDB). Both
are wrapped while AppTest renders each page once, as a shared link with no filters opens it,
so the recorded list is exactly what that page asks for, in its order and with its arguments,
and it stays so when a page changes. A call the page repeats with the same arguments is kept
once, as the cache would answer it. bench/render.py records them in the process that renders
every page for P5 and pickles them (functions by name) for the parent. Replaying a call runs
the same `queries/` function on a given connection without the Streamlit cache in between:
P3 times the queries, not the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from queries import tables

REPO = Path(__file__).resolve().parents[1]
# As in pages/ui/navigation.py; the first is the default page.
PAGES = ("overview", "recurrence", "action_items", "quarterly_review", "incidents", "data_sources",
         "triage")  # fmt: skip
TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class Call:
    """`function(conn, *args, **kwargs)`, under the name the page knows it by."""

    label: str
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]

    def __call__(self, conn: duckdb.DuckDBPyConnection) -> Any:
        return self.function(conn, *self.args, **dict(self.kwargs))


def quiet_streamlit() -> None:
    """No warnings that AppTest runs without a server ("missing ScriptRunContext", "No runtime")."""
    from streamlit import logger

    logger.set_log_level("error")


def open_page(page: str) -> Any:
    """A fresh AppTest of the dashboard on `page`, as a shared link opens it (tests/test_pages.py)."""
    quiet_streamlit()
    from streamlit.testing.v1 import AppTest  # late: only the processes that render need it

    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=TIMEOUT_SECONDS)
    if page != PAGES[0]:
        at.switch_page(f"pages/{page}.py")
    return at


def check(at: Any) -> Any:
    problems = [e.value for e in (*at.exception, *at.error)]
    if problems:
        raise RuntimeError(f"the page failed to render: {problems}")
    return at


@contextmanager
def recording(calls: list[Call]) -> Iterator[None]:
    quiet_streamlit()
    from pages.ui import data

    original_table, original_first, original_call = data.table, data.first_rows, data.call

    def table(name: str, view: tables.View) -> Any:
        calls.append(Call(name, tables.table, (name, view), ()))
        return original_table(name, view)

    def first_rows(name: str, view: tables.View) -> Any:
        calls.append(Call(name, tables.first_rows, (name, view), ()))
        return original_first(name, view)

    def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        label = function.__name__.replace("_", "-")
        calls.append(Call(label, function, args, tuple(sorted(kwargs.items()))))
        return original_call(function, *args, **kwargs)

    data.table, data.first_rows, data.call = table, first_rows, call
    try:
        yield
    finally:
        data.table, data.first_rows, data.call = original_table, original_first, original_call
