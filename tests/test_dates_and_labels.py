"""Dates, durations, severities and action-item markers as people write them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.reading.dates import (
    ImpossibleDate,
    find_date,
    parse_date,
    parse_datetime,
    parse_duration_minutes,
    row_day,
)
from loaders.reading.extract import parse_action_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# 2018-03-26, no space left", date(2018, 3, 26)),
        ("Incident report May 12 2025 - Earthscope", date(2025, 5, 12)),
        ("In the morning of Sept. 18th, 2017, a couple of our sites", date(2017, 9, 18)),
        ("Monday, Nov. 13, 2017", date(2017, 11, 13)),
        ("On 12 May 2025 we saw", date(2025, 5, 12)),
        ("2024/02/29 leap day", date(2024, 2, 29)),
        ("version 1.2.3 shipped", None),
        ("## May 12", None),  # no year: not a date pmdash can place
    ],
)
def test_find_date(text: str, expected: date | None) -> None:
    assert find_date(text) == expected


@pytest.mark.parametrize(
    ("row", "day"),
    [
        ("2018-08-22, 03:26pm: first noticed", date(2018, 8, 22)),
        ("### July 11, 2025, 12:42 PM", date(2025, 7, 11)),
        ("July 22", (7, 22)),  # no year: the reader places it among the document's dates
        ("15 May", (5, 15)),
        ("- **Monday, May 12th** alert fires", (5, 12)),
        ("February 29", (2, 29)),  # a day in a leap year
        ("February 30", None),
        ("10:00 we read the 2019-01-01 runbook", None),  # a row's day is the one it starts with
        ("2023-02-30 12:00", None),
    ],
)
def test_the_day_a_timeline_row_starts_with(row: str, day: object) -> None:
    assert row_day(row) == day


def test_impossible_dates_are_reported_not_guessed() -> None:
    assert find_date("released 2023-02-30") is None, "prose is passed over"
    with pytest.raises(ImpossibleDate, match="'2023-02-30' is not a real date"):
        parse_date("2023-02-30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T14:02:00Z", datetime(2024, 5, 1, 14, 2)),
        ("2024-05-01T16:02:00+02:00", datetime(2024, 5, 1, 14, 2)),  # converted to UTC
        ("2018-08-22, 03:26pm: first noticed", datetime(2018, 8, 22, 15, 26)),
        ("2024-05-01", None),  # a day without a time is not a point in time
    ],
)
def test_parse_datetime(text: str, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("8 minutes", 8),
        ("1 hour 5 minutes", 65),
        ("1h05", 65),
        ("1:05", 65),
        ("90 min", 90),
        ("2.5 hours", 150),
        ("~1hr", 60),
        ("1 day", 1440),
        ("soon", None),
    ],
)
def test_durations_in_any_common_wording(text: str, minutes: float | None) -> None:
    assert parse_duration_minutes(text) == minutes


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_round_trip(hours: int, minutes: int) -> None:
    expected = hours * 60 + minutes
    assert parse_duration_minutes(f"{hours} hours {minutes} minutes") == expected
    assert parse_duration_minutes(f"{hours}h{minutes}m") == expected
    assert parse_duration_minutes(f"{hours}:{minutes:02d}") == expected


@pytest.mark.parametrize(
    ("text", "status", "basis"),
    [
        ("[x] Rotate the keys", "done", "checkbox"),
        ("[ ] Rotate the keys", "open", "checkbox"),
        ("Rotate the keys (done)", "done", "marker"),
        ("DONE: rotate the keys", "done", "marker"),
        ("✅ Rotate the keys", "done", "emoji"),
        ("Rotate the keys (won't do)", "wont_do", "marker"),
        ("Rotate the keys (in progress)", "in_progress", "marker"),
        (
            "Rotate the keys when done with the audit",
            "unknown",
            "none",
        ),  # "done" in prose is no marker
    ],
)
def test_action_item_status_markers(text: str, status: str, basis: str) -> None:
    item = parse_action_text(text, 1)
    assert (item.status, item.status_basis) == (status, basis)
    assert item.title.lower().startswith("rotate the keys")


def test_owner_due_date_and_ticket_from_the_text() -> None:
    item = parse_action_text("Add canary deploys (owner: Maria Lopez, due 2024-05-01) OPS-123", 1)
    assert (item.title, item.owner, item.due_date, item.ticket) == (
        "Add canary deploys",
        "Maria Lopez",
        date(2024, 5, 1),
        "OPS-123",
    )
    item = parse_action_text(
        "Page on queue depth @sam by 2024-06-30 https://github.com/acme/ops/issues/7", 2
    )
    assert (item.owner, item.due_date, item.ticket, item.ticket_url) == (
        "sam",
        date(2024, 6, 30),
        "acme/ops#7",
        "https://github.com/acme/ops/issues/7",
    )
    assert parse_action_text("Upgrade to UTF-8 everywhere in the importer", 3).ticket is None, (
        "UTF-8 is no ticket key"
    )


def test_status_sub_headings_group_action_items(tmp_path) -> None:
    from loaders.config import Config
    from loaders.normalize import Normalizer
    from loaders.reading.document import BlockReader
    from loaders.reading.extract import Rules
    from loaders.reading.markdown import parse_markdown

    text = (
        "# Outage\n\n## Action items\n### Done\n- Pin the base image digest in the Dockerfile\n"
        "### To do\n- Add a canary stage before the global rollout (@aisha; OPS-4)\n"
        "### Infra\n- Move the build cache to its own volume\n\n## Lessons learned\n- Unrelated bullet\n"
    )
    config = Config()
    pm = parse_markdown(
        text,
        source_name="s",
        source_id="a.md",
        reader=BlockReader(Rules(config), Normalizer(config)),
    )
    # "To do" is also an action-items heading, but under "Action items" it is a status group;
    # "Infra" names no status, so its item has none.
    assert [(a.title, a.status, a.status_basis) for a in pm.action_items] == [
        ("Pin the base image digest in the Dockerfile", "done", "heading"),
        ("Add a canary stage before the global rollout", "open", "heading"),
        ("Move the build cache to its own volume", "unknown", "none"),
    ]
    assert (pm.action_items[1].owner, pm.action_items[1].ticket) == ("aisha", "OPS-4")
