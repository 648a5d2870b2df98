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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from loaders.enrich.catalog import CatalogService

SHORT_ALIAS = 2  # letters or fewer: must be written exactly
PLAIN_WORD_ZIPF = 3.0  # once per million words of English text
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
# A word: letters and digits, hyphens inside joining them into one ("payments-api").
WORD = re.compile(r"\w+(?:-\w+)*")


def written_exactly(alias: str) -> bool:
    """Whether an alias counts only when written exactly as in the catalog."""
    if len(alias) <= SHORT_ALIAS:
        return True
    # Imported here: wordfreq takes a tenth of a second to import, and a sync that matches
    # no new catalog alias (every re-sync of an unchanged folder) never asks.
    from wordfreq import zipf_frequency

    return alias.isalpha() and zipf_frequency(alias.lower(), "en") >= PLAIN_WORD_ZIPF


@dataclass(slots=True)
class Mention:
    service: str
    found: list[tuple[str, str]] = field(default_factory=list)  # (text field, words as written)

    def describe(self) -> str:
        places = "; ".join(f"'{words}' in {where}" for where, words in self.found)
        return f"{self.service} ({places})"


class MentionMatcher:
    """Finds aliases by their words: the text is split once into words (a hyphen joins a
    word), and at each word only the aliases that start with it are looked up, by their
    words, so a long catalog costs a few dictionary look-ups per word rather than a regular
    expression per alias."""

    def __init__(self, services: list[CatalogService]) -> None:
        self._lengths: dict[str, list[int]] = {}  # first word, casefolded -> alias lengths
        self._aliases: dict[tuple[str, ...], list[Alias]] = {}  # casefolded words -> aliases
        for service in services:
            for alias in service.aliases:
                found = list(WORD.finditer(alias))
                if not found:
                    continue
                words = tuple(m[0] for m in found)
                gaps = tuple(_gap(alias, a, b) for a, b in zip(found, found[1:], strict=False))
                key = tuple(w.casefold() for w in words)
                self._aliases.setdefault(key, []).append(
                    (words, gaps, written_exactly(alias), service.service)
                )
                lengths = self._lengths.setdefault(key[0], [])
                if len(key) not in lengths:
                    lengths.append(len(key))
                    lengths.sort(reverse=True)  # longest first

    def find(self, texts: Mapping[str, str | None]) -> list[Mention]:
        """The services named in `texts` (field name -> text), by service name."""
        mentions: dict[str, Mention] = {}
        for where, text in texts.items():
            for service, written in self._matches(text or ""):
                mention = mentions.setdefault(service, Mention(service))
                if (where, written) not in mention.found:
                    mention.found.append((where, written))
        return sorted(mentions.values(), key=lambda m: m.service)

    def _matches(self, text: str) -> Iterator[tuple[str, str]]:
        """(service, the words as written) for each alias in `text`, longest first, each word
        used once. Between an alias's words the text has the same separator: any run of
        spaces for a space ("Payments  API"), else the same characters ("learningequality.org")."""
        text = URL.sub(" ", text)
        found = list(WORD.finditer(text))
        folded = [m[0].casefold() for m in found]
        i = 0
        while i < len(found):
            hit = self._alias_at(text, found, folded, i)
            if hit is None:
                i += 1
                continue
            service, length = hit
            yield service, " ".join(text[found[i].start() : found[i + length - 1].end()].split())
            i += length

    def _alias_at(
        self, text: str, found: list[re.Match[str]], folded: list[str], i: int
    ) -> tuple[str, int] | None:
        for length in self._lengths.get(folded[i], ()):
            for words, gaps, exact, service in self._aliases.get(tuple(folded[i : i + length]), ()):
                if exact and tuple(m[0] for m in found[i : i + length]) != words:
                    continue
                between = (_gap(text, found[j], found[j + 1]) for j in range(i, i + length - 1))
                if all(g == want for g, want in zip(between, gaps, strict=True)):
                    return service, length
        return None


def _gap(text: str, left: re.Match[str], right: re.Match[str]) -> str:
    """What separates two words: " " for any run of spaces, else the characters themselves."""
    between = text[left.end() : right.start()]
    return " " if between.isspace() else between


Alias = tuple[tuple[str, ...], tuple[str, ...], bool, str]
