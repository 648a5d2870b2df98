"""The tracker look-up: ask a tracker about the tickets of every action item, then give the items
the tracker's status, owner, due date and closing time (SPEC §4.4).

Each configured tracker runs as its own enrichment step (loaders/enrich/trackers.py:
`tracker:github`, `tracker:jira`), so its own transaction and `sync_runs` row: a tracker that
fails keeps every document row and every answer it gave before.

What is asked on a sync:
- tickets never asked, asked more than a week ago, or left `not_checked` last time;
- of the others, those the tracker says changed since they were asked (one cheap request per
  few repositories or projects); a tracker that cannot tell (GitHub without a token) is asked
  again about its open tickets only, with conditional requests. A ticket closed at the last
  look-up and unchanged is thus asked at most weekly.
The document's own values are kept in the `document_*` columns the first time a step sees a
row, so they come back when the tracker stops answering for it (or is disconnected).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import duckdb
import pandas as pd

from loaders import store
from loaders.config import Config
from loaders.model import ConfigError
from loaders.trackers.answers import Answer, LookupStopped
from loaders.trackers.references import GitHubReferences, JiraReferences, Reference

RECHECK = timedelta(days=7)
PROBE_MARGIN = timedelta(minutes=5)  # asked "changed since" a little earlier than we looked
CLOSED = ("done", "wont_do")
STATES = ("found", "not_found", "forbidden", "not_checked")
ANSWER_COLUMNS = (
    "tracker_kind", "ticket", "state", "status", "status_detail", "closed_at", "owner",
    "due_date", "url", "updated_at", "etag", "checked_at",
)  # fmt: skip


class Tracker(Protocol):
    kind: str
    requests: int

    def look_up(self, tickets: list[str], known: dict[str, Answer]) -> Iterator[Answer]: ...

    def changed_since(self, tickets: list[str], since: datetime) -> set[str] | None: ...

    def close(self) -> None: ...


class Resolver(Protocol):
    def resolve(self, ticket: str | None, url: str | None) -> Reference | None: ...


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(slots=True)
class Report:
    message: str
    partial: bool = False  # the tracker stopped answering part-way (a spent rate limit)


class TrackerLookup:
    def __init__(self, kind: str, resolver: Resolver, connect: Callable[[], Tracker],
                 now: Callable[[], datetime] = utc_now) -> None:  # fmt: skip
        self.kind = kind
        self.resolver, self.connect, self.now = resolver, connect, now

    def run(self, conn: duckdb.DuckDBPyConnection) -> Report:
        keep_document_values(conn)
        refs = self._references(conn)
        tickets = sorted(set(refs["ticket"]))
        known = _known(conn, self.kind)
        now = self.now()
        stopped: LookupStopped | None = None
        tracker = self.connect() if tickets else None
        answers: list[Answer] = []
        ask: list[str] = []
        if tracker is not None:
            try:
                ask = _to_ask(tracker, tickets, known, now)
                for answer in tracker.look_up(ask, known):  # one by one: kept if it stops
                    answers.append(answer)
            except LookupStopped as e:
                stopped = e
            finally:
                tracker.close()
            answered = {a.ticket for a in answers}
            for ticket in ask:
                if (
                    ticket not in answered
                    and known.get(ticket, Answer(ticket, "")).state != "found"
                ):
                    answers.append(Answer(ticket, "not_checked"))
        _save(conn, self.kind, answers, now, keep=tickets)
        apply_answers(conn, self.kind, refs)
        requests = tracker.requests if tracker else 0
        conn.execute(
            "insert into tracker_lookups values (?, ?, ?, ?, ?, ?, ?)",
            [self.kind, now, len(tickets), len(ask), requests,
             str(stopped) if stopped else None, stopped.resets_at if stopped else None],
        )  # fmt: skip
        counts = dict.fromkeys(STATES, 0)
        for (state,) in conn.execute(
            "select state from tracker_tickets where tracker_kind = ?", [self.kind]
        ).fetchall():
            counts[state] += 1
        message = (
            f"{len(tickets)} tickets: {counts['found']} found, {counts['not_found']} not found, "
            f"{counts['forbidden']} forbidden, {counts['not_checked']} not checked; asked about "
            f"{len(ask)} in {requests} requests"
        )
        if stopped:
            message += f"; stopped: {stopped} (earlier answers are kept)"
        return Report(message, partial=stopped is not None)

    def _references(self, conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        rows = conn.execute(
            "select action_item_id, document_ticket, ticket_url from ("
            " select action_item_id, ticket as document_ticket, ticket_url from action_items"
            " where ticket is not null or ticket_url is not null)"
        ).fetchall()
        found = []
        for item_id, ticket, url in rows:
            ref = self.resolver.resolve(ticket, url)
            if ref is not None:
                found.append((item_id, ref.ticket, ref.url))
        return pd.DataFrame(found, columns=["action_item_id", "ticket", "url"])


def reset(conn: duckdb.DuckDBPyConnection) -> Report:
    """With no tracker connected: items a tracker answered for before get the document's
    values back."""
    keep_document_values(conn)
    restored = _restore(conn, "tracker_kind is not null")
    return Report(f"no tracker connected; {restored} action items back to their document values")


def _to_ask(
    tracker: Tracker, tickets: list[str], known: dict[str, Answer], now: datetime
) -> list[str]:
    asked_at = {t: a.checked_at for t, a in known.items() if a.checked_at is not None}
    recent = [
        t for t in tickets
        if t in asked_at and known[t].state != "not_checked" and asked_at[t] >= now - RECHECK
    ]  # fmt: skip
    ask = [t for t in tickets if t not in set(recent)]
    # Tickets not found or forbidden a few days ago are asked again at the weekly re-check.
    found = [t for t in recent if known[t].state == "found"]
    if not found:
        return ask
    since = min(asked_at[t] for t in found) - PROBE_MARGIN
    try:
        changed = tracker.changed_since(found, since)
    except LookupStopped:
        return ask  # the look-up below stops at once too, and says why
    if changed is None:  # cannot tell: ask again about the open ones, not the closed
        changed = {t for t in found if known[t].status not in CLOSED}
    return sorted(ask + [t for t in found if t in changed])


def _known(conn: duckdb.DuckDBPyConnection, kind: str) -> dict[str, Answer]:
    columns = ANSWER_COLUMNS[1:]
    rows = conn.execute(
        f"select {', '.join(columns)} from tracker_tickets where tracker_kind = ?",
        [kind],
    ).fetchall()
    return {row[0]: Answer(*row) for row in rows}


def _save(conn: duckdb.DuckDBPyConnection, kind: str, answers: list[Answer], now: datetime,
          keep: list[str]) -> None:  # fmt: skip
    """Store the new answers; forget tickets no action item names any more."""
    conn.register("kept_tickets", pd.DataFrame({"ticket": pd.Series(keep, dtype="object")}))
    try:
        conn.execute(
            "delete from tracker_tickets where tracker_kind = ? and ticket not in (select ticket from kept_tickets)",
            [kind],
        )
    finally:
        conn.unregister("kept_tickets")
    if not answers:
        return
    fresh = {a.ticket: a for a in answers}
    conn.register("fresh_tickets", pd.DataFrame({"ticket": list(fresh)}))
    try:
        conn.execute(
            "delete from tracker_tickets where tracker_kind = ? and ticket in (select ticket from fresh_tickets)",
            [kind],
        )
    finally:
        conn.unregister("fresh_tickets")
    rows = [
        (kind, a.ticket, a.state, a.status, a.status_detail, a.closed_at, a.owner, a.due_date,
         a.url, a.updated_at, a.etag, now)
        for a in fresh.values()
    ]  # fmt: skip
    store.append_rows(conn, "tracker_tickets", ANSWER_COLUMNS, rows)


def keep_document_values(conn: duckdb.DuckDBPyConnection) -> None:
    """The first time a step sees an action item (new or re-loaded), keep what its document
    says, before any tracker's word replaces it."""
    conn.execute(
        "update action_items set document_status = status, document_status_basis = status_basis,"
        " document_owner = owner, document_due_date = due_date, document_closed_at = closed_at"
        " where document_status is null"
    )


def apply_answers(conn: duckdb.DuckDBPyConnection, kind: str, refs: pd.DataFrame) -> None:
    """Effective values from the tracker where it found the ticket; the document's otherwise.
    An owner or due date the tracker leaves empty is taken from the document."""
    conn.register("ticket_refs", refs)
    try:
        conn.execute(
            """
            update action_items as a set
                tracker_kind = ?, ticket = r.ticket, ticket_url = coalesce(a.ticket_url, r.url),
                tracker_state = coalesce(t.state, 'not_checked'), tracker_status = t.status,
                tracker_closed_at = t.closed_at, tracker_owner = t.owner,
                tracker_due_date = t.due_date, tracker_checked_at = t.checked_at,
                status = if(t.state = 'found', t.status, a.document_status),
                status_basis = if(t.state = 'found', 'tracker', a.document_status_basis),
                owner = if(t.state = 'found', coalesce(t.owner, a.document_owner), a.document_owner),
                due_date = if(t.state = 'found', coalesce(t.due_date, a.document_due_date),
                              a.document_due_date),
                closed_at = if(t.state = 'found', t.closed_at, a.document_closed_at)
            from ticket_refs as r
            left join tracker_tickets as t on t.tracker_kind = ? and t.ticket = r.ticket
            where a.action_item_id = r.action_item_id
            """,
            [kind, kind],
        )
        _restore(
            conn,
            "tracker_kind = ? and action_item_id not in (select action_item_id from ticket_refs)",
            [kind],
        )
    finally:
        conn.unregister("ticket_refs")


def _restore(conn: duckdb.DuckDBPyConnection, where: str, params: list | None = None) -> int:
    """Give items a tracker no longer speaks for their document's values back."""
    # `where` is one of this module's constant conditions, never input.
    rows = conn.execute(
        "update action_items set status = document_status, status_basis = document_status_basis,"
        " owner = document_owner, due_date = document_due_date, closed_at = document_closed_at,"
        " tracker_kind = null, tracker_state = null, tracker_status = null,"
        " tracker_closed_at = null, tracker_owner = null, tracker_due_date = null,"
        f" tracker_checked_at = null where {where}",
        params or [],
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def lookups(config: Config) -> list[TrackerLookup]:
    """One look-up per connected tracker. A token variable that is named but not set is a
    configuration error now, before any source is read (a typo must not read anonymously)."""
    found: list[TrackerLookup] = []
    github, jira = config.trackers.github, config.trackers.jira
    if github is not None:
        from loaders.trackers.github import GitHubTracker

        _require_env("github", [github.token_env])
        found.append(
            TrackerLookup("github", GitHubReferences(github), lambda: GitHubTracker(github))
        )
    if jira is not None:
        from loaders.trackers.jira import JiraTracker

        _require_env("jira", [jira.username_env, jira.token_env])
        found.append(TrackerLookup("jira", JiraReferences(jira), lambda: JiraTracker(jira)))
    return found


def _require_env(kind: str, names: list[str | None]) -> None:
    unset = [n for n in names if n and not os.environ.get(n)]
    if unset:
        hint = (
            "; or leave token_env out to read public repositories anonymously"
            if kind == "github"
            else ""
        )
        raise ConfigError(
            f"[trackers.{kind}] names the environment variable {', '.join(unset)}, which is not set{hint}."
        )
