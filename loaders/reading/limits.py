"""Bounds on the work one document may cost, so that one hostile or broken file never stalls
a sync or fills memory (SPEC §10). Real post-mortems are far inside every bound here: the
longest in the public collections read so far is under 700 lines with under 40 action items.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_LINES = 20_000  # checked before parsing: parser memory grows with the lines it holds
MAX_ACTION_ITEMS = 10_000
MAX_FRONT_MATTER_VALUES = 10_000  # after YAML aliases are expanded ("billion laughs")
SECONDS_PER_DOCUMENT = 10.0


class OverBudget(Exception):
    """A document took longer to read than SECONDS_PER_DOCUMENT."""


@contextmanager
def time_budget(seconds: float | None = None) -> Iterator[None]:
    """Raise OverBudget in the block once `seconds` (default SECONDS_PER_DOCUMENT) have passed.

    A timer signal interrupts even a parser stuck inside one call. Signals reach only the main
    thread, which is where `pmdash sync` and the parsing worker processes read documents; in
    other threads (the dashboard's sync button) the line and item bounds still hold.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seconds = SECONDS_PER_DOCUMENT if seconds is None else seconds

    def over(signum: int, frame: Any) -> None:
        raise OverBudget(f"reading it took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, over)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def expanded_size(value: object, limit: int = MAX_FRONT_MATTER_VALUES) -> int:
    """How many values `value` holds once shared (aliased) parts are counted each time they
    appear, counting no further than limit + 1: a YAML alias bomb is cheap to load but
    exponential to walk, and every reader of the front matter walks it."""
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return count
