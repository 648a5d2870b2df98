"""A size limit on what a remote source may send in one response (SPEC §10).

Post-mortem pages are small; a response of many megabytes is a misconfigured proxy or a
hostile server, and reading it whole would hold it all in memory. Each HTTP client checks the
declared length before the body is read, then reads at most the limit of an undeclared one.
"""

from __future__ import annotations

from typing import Any

import httpx
import requests

from loaders.model import SourceError

MAX_RESPONSE_BYTES = 20 * 1024 * 1024


class ResponseTooLarge(SourceError):
    """One response went over MAX_RESPONSE_BYTES: refused, never read whole."""

    def __init__(self, url: str, size: str) -> None:
        super().__init__(
            f"the answer to {url} is {size}, over the {MAX_RESPONSE_BYTES // 1024 // 1024} MB "
            "limit for one response; check the source's URL (a proxy or login page answers "
            "instead of the API?) or ask for smaller pages",
            title="A response was too large",
        )


def _declared(headers: Any) -> int | None:
    try:
        return int(headers.get("content-length", ""))
    except ValueError:
        return None


def cap_httpx_response(response: httpx.Response) -> None:
    """An httpx response hook (notion-client): runs before httpx reads the body."""
    url = str(response.request.url.copy_with(query=None))
    declared = _declared(response.headers)
    if declared is not None and declared > MAX_RESPONSE_BYTES:
        response.close()
        raise ResponseTooLarge(url, f"{declared / 1024 / 1024:.1f} MB")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            response.close()
            raise ResponseTooLarge(url, "larger than that")
    # httpx reads the body after the hooks unless it has one already: give it the one read here.
    response._content = bytes(body)


def cap_requests_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """A requests response hook (atlassian-python-api): requests reads the body after it."""
    url = (response.url or "").split("?", 1)[0]
    declared = _declared(response.headers)
    if declared is not None and declared > MAX_RESPONSE_BYTES:
        response.close()
        raise ResponseTooLarge(url, f"{declared / 1024 / 1024:.1f} MB")
    body = response.raw.read(MAX_RESPONSE_BYTES + 1, decode_content=True)
    if len(body) > MAX_RESPONSE_BYTES:
        response.close()
        raise ResponseTooLarge(url, "larger than that")
    # requests reads the body after the hooks unless it is marked read: hand it this one.
    response._content = body
    response._content_consumed = True
