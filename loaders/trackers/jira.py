"""Jira tickets, through atlassian-python-api (the 4.0.7 pinned for Confluence; SPEC §4.4).

Tickets are asked for with JQL `key in (…)`, at most 100 keys a request, for the fields
status (and its category), resolution, resolutiondate, assignee, duedate and updated. Jira Cloud
answers on `/rest/api/2/search/jql` (its old `/search` is gone), Server and Data Center on
`/rest/api/2/search`; the library picks by `cloud`, which we set explicitly (API-NOTES §0).

A key Jira does not know, or may not show to this account, is simply absent from the answer
(Data Center with `validateQuery=warn`) or makes the whole query fail with a 400 naming it;
such keys are taken out and the rest asked again. Jira answers alike for "no such issue" and
"not yours to see", so both are `not_found`; a 403 on the search itself is `forbidden` for the
whole batch.

A re-sync first asks which issues of the tickets' projects changed since the last look-up
(`project in (…) and updated >= -Nm`, minutes by Jira's own clock, so no time zone is
guessed) and asks only for those.

The library's own retry is off (4.0.7 retries a 429 forever); ours is bounded and honours
`Retry-After`.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import requests
from atlassian import Jira

from loaders.config_schema import JiraTrackerSection
from loaders.model import ConfigError, SourceError
from loaders.trackers.answers import Answer, parse_time

BATCH = 100
FIELDS = ["status", "resolution", "resolutiondate", "assignee", "duedate", "updated"]
MAX_RETRIES = 3
RETRY_DELAY_SECONDS = 1.0  # the first wait after a 5xx or a timeout; doubled each time
MAX_RETRY_AFTER = 60.0
PROBE_LIMIT = 1000  # more changed issues than this: ask for every ticket instead
CLOUD_HOSTS = (".atlassian.net", ".jira.com")
# Resolutions that close a ticket without doing the work (compared as lower-case words).
WONT_DO = {
    "won't do", "wont do", "won't fix", "wont fix", "duplicate", "cannot reproduce",
    "can't reproduce", "declined", "obsolete", "rejected", "not a bug", "abandoned",
    "invalid", "incomplete", "out of scope",
}  # fmt: skip
_MISSING_KEY = re.compile(r"'([A-Z][A-Z0-9_]+-\d+)'")


class JiraTracker:
    kind = "jira"

    def __init__(self, config: JiraTrackerSection) -> None:
        self.env_names = [n for n in (config.username_env, config.token_env) if n]
        values = {name: os.environ.get(name) for name in self.env_names}
        unset = [name for name, value in values.items() if not value]
        if unset:
            raise ConfigError(f"[trackers.jira] names {', '.join(unset)}, which is not set.")
        token = values[config.token_env]
        host = urlsplit(config.url).netloc.lower()
        self.cloud = config.cloud if config.cloud is not None else host.endswith(CLOUD_HOSTS)
        self.base = config.url.rstrip("/")
        self._probed: dict[str, Answer] = {}
        self.requests = 0
        common: dict[str, Any] = {"cloud": self.cloud, "retry_with_header": False, "timeout": 30}
        if config.username_env:
            self.jira = Jira(
                config.url, username=values[config.username_env], password=token, **common
            )
        else:
            self.jira = Jira(config.url, token=token, **common)  # a Data Center personal token
        self.jira.session.hooks["response"].append(self._count)

    def close(self) -> None:
        self.jira.close()

    def look_up(self, tickets: list[str], known: dict[str, Answer]) -> Iterator[Answer]:
        # The "what changed?" query already brought the changed issues' fields: not asked twice.
        yield from (self._probed[t] for t in tickets if t in self._probed)
        rest = [t for t in tickets if t not in self._probed]
        for start in range(0, len(rest), BATCH):
            yield from self._batch(rest[start : start + BATCH])

    def changed_since(self, tickets: list[str], since: datetime) -> set[str] | None:
        projects = sorted({t.rsplit("-", 1)[0] for t in tickets})
        now = datetime.now(UTC).replace(tzinfo=None)
        minutes = int((now - since).total_seconds() // 60) + 5  # a margin for clock skew
        jql = f"project in ({', '.join(projects)}) and updated >= -{minutes}m order by updated"
        wanted = set(tickets)
        for seen, issue in enumerate(self._search(jql, limit=PROBE_LIMIT), start=1):
            if seen >= PROBE_LIMIT:
                return None
            if issue["key"] in wanted:
                self._probed[issue["key"]] = _from_issue(issue["key"], issue, self.base)
        return set(self._probed)

    # -- internals --------------------------------------------------------------------------

    def _batch(self, keys: list[str]) -> Iterator[Answer]:
        missing: set[str] = set()
        asked = list(keys)
        while asked:
            jql = f"key in ({', '.join(asked)})"
            try:
                found = {issue["key"]: issue for issue in self._search(jql, limit=BATCH)}
            except _KeysUnknown as e:
                gone = e.keys & set(asked)
                if not gone:
                    raise self._failure(e.error) from None
                missing |= gone
                asked = [k for k in asked if k not in gone]
                continue
            except _Forbidden:
                yield from (Answer(k, "forbidden") for k in asked)
                break
            for key in asked:
                issue = found.get(key)
                yield _from_issue(key, issue, self.base) if issue else Answer(key, "not_found")
            break
        yield from (Answer(k, "not_found") for k in sorted(missing))

    def _search(self, jql: str, *, limit: int) -> Iterator[dict[str, Any]]:
        """Every issue a JQL query finds, following Cloud's page tokens or Server's startAt."""
        token: str | None = None
        start, seen = 0, 0
        while seen < limit:
            if self.cloud:
                ask = partial(
                    self.jira.enhanced_jql, jql, fields=FIELDS, nextPageToken=token, limit=BATCH
                )
            else:
                ask = partial(
                    self.jira.jql,
                    jql,
                    fields=FIELDS,
                    start=start,
                    limit=BATCH,
                    validate_query="warn",
                )
            page = self._call(ask)
            issues = page.get("issues") or []
            yield from issues
            seen += len(issues)
            if self.cloud:
                token = page.get("nextPageToken")
                if page.get("isLast", True) or not token:
                    return
            else:
                start += len(issues)
                if not issues or start >= int(page.get("total", 0)):
                    return

    def _call(self, request: Any) -> dict[str, Any]:
        for attempt in range(MAX_RETRIES + 1):
            try:
                return request() or {}
            except requests.HTTPError as e:
                status = e.response.status_code if e.response is not None else 0
                if status == 400:
                    raise _KeysUnknown(set(_MISSING_KEY.findall(str(e))), e) from None
                if status == 403 and self._may_search():
                    raise _Forbidden() from None
                retryable = status == 429 or status >= 500
                if not retryable or attempt == MAX_RETRIES:
                    raise self._failure(e) from None
                wait = (
                    _retry_after(e.response) if status == 429 and e.response is not None else None
                )
                if wait is not None and wait > MAX_RETRY_AFTER:
                    raise self._failure(e) from None
                time.sleep(wait if wait is not None else RETRY_DELAY_SECONDS * 2**attempt)
            except requests.RequestException as e:
                if attempt == MAX_RETRIES:
                    raise self._failure(e) from None
                time.sleep(RETRY_DELAY_SECONDS * 2**attempt)
        raise AssertionError("unreachable")

    def _may_search(self) -> bool:
        """A 403 can refuse one project's issues or the account itself; the account is fine
        when it can read itself (`/myself`)."""
        try:
            self.jira.myself()
        except requests.RequestException:
            return False
        return True

    def _count(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        self.requests += 1

    def _failure(self, e: Exception) -> SourceError:
        title = "Jira could not be asked about the tickets"
        names = " and ".join(f"${n}" for n in self.env_names)
        if isinstance(e, requests.HTTPError) and e.response is not None:
            status = e.response.status_code
            if status in (401, 403):
                return SourceError(
                    f"Jira refused the credentials in {names} ({status}): check that they are "
                    "valid and may browse the projects.",
                    title=title,
                )
            first = str(e).splitlines()[0][:200] if str(e) else e.response.reason
            return SourceError(f"Jira answered {status}: {first}", title=title)
        return SourceError(f"Jira could not be reached ({type(e).__name__}).", title=title)


class _KeysUnknown(Exception):
    def __init__(self, keys: set[str], error: requests.HTTPError) -> None:
        super().__init__(str(error))
        self.keys, self.error = keys, error


class _Forbidden(Exception):
    pass


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _from_issue(key: str, issue: dict[str, Any], base: str) -> Answer:
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    category = ((status.get("statusCategory") or {}).get("key") or "").lower()
    resolution = (fields.get("resolution") or {}).get("name")
    assignee = fields.get("assignee") or {}
    answer = Answer(
        key,
        "found",
        status_detail=" / ".join(p for p in (status.get("name"), resolution) if p) or None,
        owner=assignee.get("displayName") or assignee.get("name"),
        due_date=date.fromisoformat(fields["duedate"]) if fields.get("duedate") else None,
        updated_at=parse_time(fields.get("updated")),
        url=f"{base}/browse/{key}",
    )
    if category == "done":
        won_t = (resolution or "").lower().replace("’", "'") in WONT_DO
        answer.status = "wont_do" if won_t else "done"
        answer.closed_at = parse_time(fields.get("resolutiondate"))
    else:
        answer.status = "in_progress" if category == "indeterminate" else "open"
    return answer
