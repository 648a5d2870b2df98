"""The Confluence REST client of the Confluence source: construction, paging, retries, errors.

Built on `atlassian-python-api` 4.0.7, pinned in pyproject.toml. Why that version and this
construction (API-NOTES §4): in 5.x, `Confluence(url, cloud=True)` dispatches to a Cloud class
that has no `get_page_by_id` and sends CQL to `{url}/content/search`, which is not an endpoint;
4.0.7's single `Confluence` class takes `cloud=` as a flag and uses the v1 routes
(`/wiki/rest/api/search`, `/wiki/rest/api/content/{id}`) on Cloud and Data Center alike. We
always pass `cloud=` explicitly, so tests against 127.0.0.1 take the production code path.

The library's own paging and retries are not used: 5.x drops `/wiki` from Cloud `_links.next`
and 4.0.7 sleeps on 429 forever. Here `_links.next` is followed explicitly (joined to the
configured base URL, never to another host, so credentials go nowhere else), and every request
gets a bounded number of attempts: 429 waits for Retry-After, 5xx and timeouts back off
exponentially. Other refusals end the source with one line that says what to check. Tokens
never reach a message: they are only read from the environment into the HTTP session.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from atlassian import Confluence
from atlassian.errors import ApiError

from loaders.model import SourceError
from loaders.sources.responses import cap_requests_response

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True, slots=True)
class Limits:
    """Every size, wait and bound of the Confluence source, in one place. Tests shrink them."""

    list_page_size: int = 100  # ids, versions and labels only
    body_page_size: int = 25  # with storage bodies; Confluence may cap it lower: we follow next
    timeout_seconds: float = 30.0  # per request
    max_attempts: int = 4  # per request, counting the first
    backoff_seconds: float = 2.0  # before the 2nd attempt; doubles after each failure
    max_backoff_seconds: float = 30.0
    max_retry_after_seconds: float = 120.0  # a longer Retry-After is cut to this
    overlap_minutes: int = 5  # CQL `lastmodified` has minute precision
    max_search_pages: int = 10_000  # a next link that never ends is a server fault


LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Target:
    """What to connect to, and the names a person needs when something is wrong."""

    source_name: str
    url: str  # base URL with context path, no trailing slash: https://x.atlassian.net/wiki
    space: str
    cloud: bool
    token_env: str
    username_env: str | None  # None: a Data Center personal access token (Bearer)


def connect(target: Target, limits: Limits = LIMITS) -> ConfluenceClient:
    """A client with credentials read from the environment now, not when the config loads."""
    token = _environment(target.token_env, target)
    username = _environment(target.username_env, target) if target.username_env else None
    credentials: dict[str, Any] = (
        {"username": username, "password": token} if username else {"token": token}
    )
    client = Confluence(
        url=target.url,
        cloud=target.cloud,
        timeout=max(1, int(limits.timeout_seconds)),
        backoff_and_retry=False,  # retries are ours, bounded (see the module docstring)
        retry_with_header=False,
        **credentials,
    )
    client.session.hooks["response"].append(cap_requests_response)
    # The constructor truncates the timeout to whole seconds; requests takes a float.
    client.timeout = limits.timeout_seconds  # type: ignore[assignment]
    return ConfluenceClient(client, target, limits, secrets=(token,))


def _environment(name: str, target: Target) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        what = (
            "an API token (id.atlassian.com > Security > API tokens)"
            if target.cloud
            else "a personal access token"
        )
        if name == target.username_env:
            what = "the Atlassian account e-mail the API token belongs to"
        raise SourceError(
            f"the environment variable {name} is not set: put {what} in it "
            f"(source {target.source_name!r})",
            title="Confluence credentials are missing",
        )
    return value


class ConfluenceClient:
    def __init__(
        self, client: Confluence, target: Target, limits: Limits, secrets: tuple[str, ...] = ()
    ) -> None:
        self.client = client
        self.target = target
        self.limits = limits
        self._secrets = tuple(s for s in secrets if s)
        self._names: dict[tuple[str, str], str | None] = {}
        self._users_refused = False

    # -- requests ---------------------------------------------------------------------------

    def search(self, cql: str, expand: str, limit: int) -> Iterator[dict[str, Any]]:
        """Every page that a CQL query finds, following `_links.next` to the end."""
        response = self._call(
            "the CQL search", lambda: self.client.cql(cql, start=0, limit=limit, expand=expand), cql
        )
        followed: set[str] = set()
        while True:
            if not isinstance(response, dict) or not isinstance(response.get("results"), list):
                raise self._error(
                    f"Confluence at {self.target.url} did not answer the CQL search with search "
                    "results: check `url` (for Cloud it ends in /wiki)"
                )
            for result in response["results"]:
                content = result.get("content") if isinstance(result, dict) else None
                if (
                    isinstance(content, dict)
                    and content.get("id")
                    and content.get("type") == "page"
                ):
                    yield content
            link = (response.get("_links") or {}).get("next")
            if not link:
                return
            url = self._next_url(str(link))
            if url in followed or len(followed) >= self.limits.max_search_pages:
                raise self._error(
                    "Confluence's search results never ended (the same next page came back); "
                    "sync again later"
                )
            followed.add(url)
            response = self._call("the CQL search", _get_absolute(self.client, url), cql)

    def page(self, page_id: str, expand: str) -> dict[str, Any] | None:
        """One page by id, or None when it is gone (deleted or hidden since it was listed)."""
        return self._call(
            f"page {page_id}",
            lambda: self.client.get_page_by_id(page_id, expand=expand),
            missing_ok=True,
        )

    def user_name(self, kind: str, value: str) -> str:
        """The display name of a mentioned user; the raw id when Confluence will not say."""
        key = (kind, value)
        if key not in self._names:
            self._names[key] = None if self._users_refused else self._look_up(kind, value)
        return self._names[key] or value

    def _look_up(self, kind: str, value: str) -> str | None:
        method = {
            "account-id": self.client.get_user_details_by_accountid,
            "userkey": self.client.get_user_details_by_userkey,
            "username": self.client.get_user_details_by_username,
        }[kind]
        found = self._call("a user lookup", lambda: method(value), missing_ok=True, forbidden=True)
        if found is _FORBIDDEN:
            self._users_refused = True  # no permission to browse users: keep ids, stop asking
            return None
        if isinstance(found, dict):
            return found.get("displayName") or found.get("publicName") or None
        return None

    # -- retries and errors -----------------------------------------------------------------

    def _call(
        self,
        what: str,
        request: Callable[[], T],
        cql: str | None = None,
        *,
        missing_ok: bool = False,
        forbidden: bool = False,
    ) -> Any:
        problem = ""
        for attempt in range(1, self.limits.max_attempts + 1):
            delay = min(
                self.limits.backoff_seconds * 2 ** (attempt - 1), self.limits.max_backoff_seconds
            )
            try:
                return request()
            except requests.Timeout:
                problem = f"did not answer within {self.limits.timeout_seconds:g} s"
            except requests.ConnectionError:
                problem = "could not be reached"
            except (requests.HTTPError, ApiError) as e:
                status, response = _status(e)
                if status == 404 and missing_ok:
                    return None
                if status == 403 and forbidden:
                    return _FORBIDDEN
                if status not in RETRY_STATUSES:
                    raise self._refused(status, response, what, cql) from e
                waited = _retry_after(response, self.limits.max_retry_after_seconds)
                delay = delay if waited is None else waited
                problem = (
                    "kept rate-limiting requests (HTTP 429)"
                    if status == 429
                    else f"answered HTTP {status}"
                )
            if attempt < self.limits.max_attempts:
                log.info("Confluence %s %s; retrying in %.1f s", what, problem, delay)
                time.sleep(delay)
        raise self._error(
            f"Confluence at {self.target.url} {problem} for {what}, "
            f"{self.limits.max_attempts} times in a row: check that the site is up and reachable, "
            "then sync again"
        )

    def _refused(
        self, status: int | None, response: requests.Response | None, what: str, cql: str | None
    ) -> SourceError:
        url, t = self.target.url, self.target
        if status == 401:
            check = (
                f"{t.username_env} holds the account e-mail and {t.token_env} a current API token"
                if t.username_env
                else f"{t.token_env} holds a valid personal access token"
            )
            return self._error(f"Confluence at {url} did not accept the credentials (HTTP 401): "
                               f"check that {check}")  # fmt: skip
        if status == 403:
            who = f"the account in {t.username_env}" if t.username_env else "the token's user"
            return self._error(f"Confluence at {url} refused {what} (HTTP 403): check that {who} "
                               f"may view space {t.space} and use the REST API")  # fmt: skip
        if status == 404:
            return self._error(f"Confluence at {url} answered 404 Not Found for {what}: check "
                               f"`url` of source {t.source_name!r} (a Cloud site's ends in /wiki)")  # fmt: skip
        said = _server_message(response)
        if status == 400 and cql is not None:
            return self._error(f"Confluence could not run the CQL query {cql!r} (HTTP 400: {said}): "
                               f"check `space`, `label` and `cql` of source {t.source_name!r}")  # fmt: skip
        return self._error(f"Confluence at {url} answered HTTP {status} for {what}: {said}")

    def _error(self, message: str) -> SourceError:
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return SourceError(
            " ".join(message.split()), title=f"Could not read Confluence space {self.target.space}"
        )

    def _next_url(self, link: str) -> str:
        """`_links.next` is relative to the context path (`/wiki`), which 5.x forgets."""
        base = self.target.url
        if link.startswith(("http://", "https://")):
            if not link.startswith(base + "/"):
                raise self._error(f"Confluence's next-page link leads outside {base}; not followed")
            return link
        return f"{base}/{link.lstrip('/')}"


_FORBIDDEN = object()


def _get_absolute(client: Confluence, url: str) -> Callable[[], Any]:
    return lambda: client.get(url, absolute=True)


def _status(error: Exception) -> tuple[int | None, requests.Response | None]:
    response = getattr(error, "response", None)
    if response is None and isinstance(error, ApiError):
        response = getattr(error.reason, "response", None)
    return (response.status_code if response is not None else None), response


def _retry_after(response: requests.Response | None, cap: float) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), capped; None if absent."""
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), cap)


def _server_message(response: requests.Response | None) -> str:
    if response is None:
        return "no answer"
    try:
        body = response.json()
    except ValueError:
        body = None
    said = ""
    if isinstance(body, dict):
        said = str(body.get("message") or body.get("reason") or "")
        errors = body.get("errors")
        if not said and isinstance(errors, list) and errors and isinstance(errors[0], dict):
            said = str(errors[0].get("title") or errors[0].get("detail") or "")
    return " ".join((said or response.reason or f"HTTP {response.status_code}").split())[:300]
