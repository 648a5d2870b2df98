"""Which catalog services an incident's text names (SPEC §4.5 `mentioned`).

Rules, each against a trap found in real post-mortems:
- whole words only, and a hyphen joins a word: `auth` is not named by "authentication",
  and `api` is not named by "payments-api" (that is the payments-api service);
- case does not matter, except for aliases of two letters or fewer and plain English words
  ("hub", "studio", "search", "api", "DNS"), which count only when written exactly as in the
  catalog: "the hub was slow" says nothing about a service called `Hub`. A word is plain
  English when English text uses it at least once per million words (wordfreq's Zipf
  frequency >= 3), which catches tech words like "api" and "login" as well as "studio";
- words inside a URL do not count: a link's path names the tracker or dashboard that holds
  the link (`https://grafana…/d/payments`), not the service the incident hit. A host name
  written on its own (`sushibar.example.org was down`) does count. Words in code spans do
  count: engineers write exact service names there (`payments-api`), and the stored text no
  longer tells code spans apart anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from wordfreq import zipf_frequency

from loaders.enrich.catalog import CatalogService

SHORT_ALIAS = 2  # letters or fewer: must be written exactly
PLAIN_WORD_ZIPF = 3.0  # once per million words of English text
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
# A word character or a hyphen on either side means the alias is part of a longer name.
_BEFORE, _AFTER = r"(?<![\w-])", r"(?![\w-])"


def written_exactly(alias: str) -> bool:
    """Whether an alias counts only when written exactly as in the catalog."""
    if len(alias) <= SHORT_ALIAS:
        return True
    return alias.isalpha() and zipf_frequency(alias.lower(), "en") >= PLAIN_WORD_ZIPF


@dataclass(slots=True)
class Mention:
    service: str
    found: list[tuple[str, str]] = field(default_factory=list)  # (text field, words as written)

    def describe(self) -> str:
        places = "; ".join(f"'{words}' in {where}" for where, words in self.found)
        return f"{self.service} ({places})"


class MentionMatcher:
    def __init__(self, services: list[CatalogService]) -> None:
        self._exact: dict[str, str] = {}  # alias as written -> service
        self._folded: dict[str, str] = {}  # casefolded alias -> service
        for service in services:
            for alias in service.aliases:
                if written_exactly(alias):
                    self._exact.setdefault(alias, service.service)
                else:
                    self._folded.setdefault(alias.casefold(), service.service)
        # Longest first, so "payments api" wins over "payments" where both are aliases.
        parts = [(a, re.escape(a)) for a in self._exact] + [
            (a, f"(?i:{re.escape(a)})") for a in self._folded
        ]
        parts.sort(key=lambda p: -len(p[0]))
        self._pattern = (
            re.compile(f"{_BEFORE}(?:{'|'.join(p for _, p in parts)}){_AFTER}") if parts else None
        )

    def find(self, texts: Mapping[str, str | None]) -> list[Mention]:
        """The services named in `texts` (field name -> text), in catalog order of first find."""
        if self._pattern is None:
            return []
        mentions: dict[str, Mention] = {}
        for where, text in texts.items():
            if not text:
                continue
            for match in self._pattern.finditer(URL.sub(" ", text)):
                words = match.group(0)
                service = self._exact.get(words) or self._folded.get(words.casefold())
                if service is None:
                    continue
                mention = mentions.setdefault(service, Mention(service))
                if (where, words) not in mention.found:
                    mention.found.append((where, words))
        return sorted(mentions.values(), key=lambda m: m.service)
