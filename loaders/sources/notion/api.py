"""The Notion HTTP boundary: one configured client, bounded retries, pagination, errors for people.

notion-client 3.1.0 retries by itself, but only some failures: `rate_limited` (HTTP 429, waiting
out Retry-After) on every method, and 500 / 503 with a JSON error body on GET. It does not retry a
500 on POST (our data-source queries are read-only, so retrying them is safe), 502 / 504 / 529,
error bodies that are not Notion JSON, timeouts or dropped connections. `NotionApi.call` retries
exactly those, so no failure is retried by both layers and the attempts never multiply: every
request is tried at most `Tuning.max_attempts` times, then the source fails with one line that
names the database and what to check, never the token.

The token reaches the client and nothing else. The client logs a warning on every failed attempt
(with the server's message, and at debug level the whole error body), so it gets a logger of ours
whose filter blanks the token out of any record, whatever a server or proxy echoes back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from notion_client import Client, RetryOptions, iterate_paginated_api
from notion_client.errors import (
    APIErrorCode,
    APIResponseError,
    HTTPResponseError,
    RequestTimeoutError,
)

from loaders.model import SourceError
from loaders.sources.responses import cap_httpx_response

API_URL = "https://api.notion.com"
API_VERSION = "2025-09-03"  # databases hold data sources; pages are queried per data source
PAGE_SIZE = 100  # the API's maximum, for queries and block children alike
TRANSIENT_STATUSES = (429, 500, 502, 503, 504, 529)
LOGGER_NAME = "loaders.sources.notion.http"


@dataclass(frozen=True, slots=True)
class Tuning:
    """Timeouts and retry bounds. Production defaults; tests pass tiny ones to run in seconds."""

    timeout_ms: int = 30_000
    max_attempts: int = 5
    initial_delay_ms: int = 1_000
    max_delay_ms: int = 60_000  # also caps a Retry-After; Notion's per-connection window is 60 s


class _Redact(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.secret in text:
            record.msg, record.args = text.replace(self.secret, "[token]"), ()
        return True


@contextmanager
def redacting_logger(token: str) -> Iterator[logging.Logger]:
    """The client's logger, with the token blanked out of every record while it is in use."""
    logger = logging.getLogger(LOGGER_NAME)
    redact = _Redact(token)
    logger.addFilter(redact)
    try:
        yield logger
    finally:
        logger.removeFilter(redact)


def make_client(token: str, api_url: str, tuning: Tuning, logger: logging.Logger) -> Client:
    return Client(
        client=httpx.Client(event_hooks={"response": [cap_httpx_response]}),
        auth=token,
        base_url=api_url,
        timeout_ms=tuning.timeout_ms,
        notion_version=API_VERSION,
        logger=logger,
        log_level=logging.WARNING,
        retry=RetryOptions(
            max_retries=tuning.max_attempts - 1,
            initial_retry_delay_ms=tuning.initial_delay_ms,
            max_retry_delay_ms=tuning.max_delay_ms,
        ),
    )


class NotFound(Exception):
    """An object answered 404 `object_not_found`: the caller says what a missing object means."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Notion answered 404 (object_not_found) for {what}")
        self.what = what


class NotionApi:
    """Calls through the client with the retries it lacks, and words failures for a person."""

    def __init__(
        self, client: Client, *, database_id: str, token: str, token_env: str, api_url: str,
        tuning: Tuning,
    ) -> None:  # fmt: skip
        self.client = client
        self.database_id = database_id
        self._token = token
        self.token_env = token_env
        self.api_url = api_url
        self.tuning = tuning

    def call(self, method: str, what: str, function: Callable[..., Any], **kwargs: Any) -> Any:
        """One API call; `what` names it in messages ("the query of data source …")."""
        attempt = 1
        while True:
            try:
                return function(**kwargs)
            except (HTTPResponseError, RequestTimeoutError, httpx.TransportError) as e:
                delay = self._own_retry_delay(e, method, attempt)
                if delay is None:
                    raise self._explain(e, what) from None
                time.sleep(delay)
                attempt += 1

    def paginate(
        self, method: str, what: str, function: Callable[..., Any], **kwargs: Any
    ) -> Iterator[Any]:
        """Every result of a paginated endpoint, `PAGE_SIZE` at a time, following next_cursor."""

        def one_page(**page_kwargs: Any) -> Any:
            return self.call(method, what, function, **page_kwargs)

        return iterate_paginated_api(one_page, page_size=PAGE_SIZE, **kwargs)

    def _own_retry_delay(self, error: Exception, method: str, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when retrying is pointless or done."""
        if attempt >= self.tuning.max_attempts or _client_retried(error, method):
            return None
        retry_after: float | None = None
        if isinstance(error, HTTPResponseError):
            if error.status not in TRANSIENT_STATUSES:
                return None
            retry_after = _retry_after_seconds(error.headers.get("retry-after"))
        backoff = self.tuning.initial_delay_ms * 2 ** (attempt - 1) / 1000
        delay = backoff if retry_after is None else retry_after
        return min(delay, self.tuning.max_delay_ms / 1000)

    def _explain(self, error: Exception, what: str) -> Exception:
        """The one line a person reads: what failed and what to check."""
        db, attempts = self.database_id, self.tuning.max_attempts
        if isinstance(error, RequestTimeoutError):
            seconds = self.tuning.timeout_ms / 1000
            return SourceError(
                f"Notion did not answer {what} within {seconds:g} s, {attempts} times; "
                "try the sync again later.",
                title="Notion is not answering",
            )
        if isinstance(error, httpx.TransportError):
            return SourceError(
                f"Could not reach {self.api_url} for {what} ({type(error).__name__}), "
                f"{attempts} times; check the network and `api_url`.",
                title="Notion is unreachable",
            )
        assert isinstance(error, HTTPResponseError)
        code = _code(error)
        if code == APIErrorCode.Unauthorized.value:
            return SourceError(
                f"Notion rejected the token in ${self.token_env} (401 unauthorized) while reading "
                f"database {db}: set ${self.token_env} to the integration's internal secret "
                "(https://www.notion.so/profile/integrations).",
                title="The Notion token is wrong",
            )
        if code == APIErrorCode.ObjectNotFound.value:
            return NotFound(what)
        if code == APIErrorCode.RestrictedResource.value:
            return SourceError(
                f"The integration may not read {what} of database {db} (403 restricted_resource): "
                "give it the 'Read content' capability.",
                title="The Notion integration lacks a capability",
            )
        message = self.redact(str(error))[:300]
        if error.status in TRANSIENT_STATUSES:
            return SourceError(
                f"Notion answered HTTP {error.status} ({code}) to {what} of database {db}, "
                f"{attempts} times; try the sync again later. Notion said: {message}",
                title="Notion is unavailable"
                if error.status != 429
                else "Notion kept rate-limiting pmdash",
            )
        return SourceError(
            f"Notion refused {what} of database {db}: HTTP {error.status} ({code}): {message}",
            title="Could not read the Notion database",
        )

    def redact(self, text: str) -> str:
        return text.replace(self._token, "[token]") if self._token else text


def database_not_shared(database_id: str) -> SourceError:
    return SourceError(
        f"Notion database {database_id} was not found (404 object_not_found): share it with the "
        "integration (the database's ••• menu → Connections → add the integration) and check "
        "`database_id` in the config.",
        title="The Notion database is not shared with the integration",
    )


def _code(error: HTTPResponseError) -> str:
    code = error.code
    return code.value if isinstance(code, APIErrorCode) else str(code)


def _client_retried(error: Exception, method: str) -> bool:
    """Whether notion-client already spent its attempts on this error (its own `_can_retry`)."""
    if not isinstance(error, APIResponseError):
        return False
    if error.code == APIErrorCode.RateLimited:
        return True
    return method.upper() in ("GET", "DELETE") and error.code in (
        APIErrorCode.InternalServerError,
        APIErrorCode.ServiceUnavailable,
    )


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After in whole seconds (the form Notion sends); an HTTP date falls back to backoff."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
