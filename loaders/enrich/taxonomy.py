"""Categories from a taxonomy (SPEC §4.5 `inferred`): each category a short list of phrases,
matched on whole words after Snowball stemming ("certificate expired" also finds
"certificates expiring").

A wrong category is worse than none: it sends a review after the wrong pattern. So phrases
are specific (a bare "alert" or "deploy" is in nearly every post-mortem, whatever broke), a
category needs a score of at least MIN_SCORE, and an incident gets at most two. Scoring: a
phrase of two or more words counts 2 (it rarely appears by chance), one word 1; a phrase
also in the title, or found twice or more, counts 1 more. Each phrase counts once however
often it appears, so one word repeated in a long text does not win alone, and the longest
phrase at a place uses its words up ("database migration" is not also "database").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from loaders.enrich.mentions import URL

MIN_SCORE = 2
MAX_CATEGORIES = 2

# The built-in taxonomy; `[categories.taxonomy]` replaces a category's phrases or adds one,
# `[categories] default_taxonomy = false` starts from nothing. README.md lists it as a table.
DEFAULT_TAXONOMY: dict[str, list[str]] = {
    "deployment": [
        "bad deploy", "failed deployment", "deployment failed", "rollback", "rolled back",
        "roll back", "reverted the release", "bad release", "faulty release", "rollout",
        "version bump", "ci/cd pipeline", "release pipeline", "merged a pr", "merging a pr",
    ],
    "configuration": [
        "misconfiguration", "misconfigured", "config change", "configuration change",
        "wrong configuration", "incorrect configuration", "wrong config", "typo in",
        "feature flag", "limit set", "limit was set", "no limit", "not set up properly",
    ],
    "capacity": [
        "out of memory", "oom", "oomkilled", "memory limit", "memory pressure", "overload",
        "overloaded", "overcommit", "overcommitment", "ran out of", "resource exhaustion",
        "traffic spike", "load spike", "cpu", "throttled", "eviction", "evicted",
        "resource guarantee", "autoscaler", "capacity", "stress test",
    ],
    "dependency": [
        "third party", "third-party", "upstream", "vendor outage", "provider outage",
        "dependency", "dependencies", "docker image", "base image", "library upgrade",
        "dropped support", "deprecated", "breaking change",
    ],
    "network": [
        "network", "networking", "connectivity", "packet loss", "firewall", "load balancer",
        "ingress", "proxy", "proxying", "routing", "redirect loop", "bgp", "vpn",
        "connection refused", "connection reset",
    ],
    "dns": [
        "dns", "nameserver", "subdomain", "subdomains", "dns record",
        "a record", "cname", "wildcard record", "domain name", "dns resolution",
    ],
    "certificate": [
        "certificate", "tls", "ssl", "certificate expired", "expired certificate",
        "cert expired", "let's encrypt", "letsencrypt", "cert-manager",
        "certificate renewal",
    ],
    "database": [
        "database", "db migration", "database migration", "schema migration",
        "missing migration", "migration failed",
        "postgres", "postgresql", "mysql", "replica", "replication lag", "deadlock",
        "slow query", "slow queries", "connection pool",
    ],
    "storage": [
        "disk full", "no space left", "disk space", "out of disk", "storage", "volume",
        "persistent volume", "pvc", "nfs", "filesystem", "file system", "bucket", "quota",
        "data loss",
    ],
    "hardware": [
        "hardware", "hardware failure", "disk failure", "failed disk", "power outage",
        "power failure", "faulty", "host failure", "node failure", "raid", "datacenter",
        "data center",
    ],
    "security": [
        "security", "vulnerability", "breach", "unauthorized", "unauthorised", "leaked",
        "credentials", "compromised", "attack", "ddos", "phishing", "exploit",
        "secret exposed", "access control",
    ],
    "monitoring": [
        "no alert", "no alerts", "missing alert", "alert did not fire", "alerts did not fire",
        "no monitoring", "lack of monitoring", "monitoring gap", "not monitored",
        "alert fatigue", "noisy alert", "false alarm", "no notifications",
        "notifications were not", "nobody noticed",
    ],
    # Not a bare "time zone": post-mortems name time zones for the people involved ("the
    # tech lead, in a different time zone"), not only for the bug.
    "time": [
        "clock", "clock skew", "wrong time zone", "wrong timezone", "timezone bug",
        "time zone bug", "utc offset", "daylight saving", "leap second", "ntp", "time drift",
        "date rollover", "leap year",
    ],
}  # fmt: skip

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    # The Snowball stemmer is pure Python and slow; a store's vocabulary is small.
    return str(_STEMMER.stemWord(word))


def stems(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(URL.sub(" ", text).lower())]


def taxonomy_for(default: bool, overrides: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The default taxonomy (unless turned off) with `[categories.taxonomy]` laid over it: a
    category named there gets exactly those phrases (an empty list drops it)."""
    taxonomy = dict(DEFAULT_TAXONOMY) if default else {}
    taxonomy.update(overrides)
    return {c: phrases for c, phrases in taxonomy.items() if phrases}


@dataclass(slots=True)
class Inference:
    category: str
    score: int
    phrases: list[str] = field(default_factory=list)  # as written in the taxonomy

    def describe(self) -> str:
        return f"{self.category} (score {self.score}: {', '.join(self.phrases)})"


class TaxonomyMatcher:
    def __init__(self, taxonomy: Mapping[str, list[str]]) -> None:
        # first stem -> [(stems of the phrase, category, phrase)]
        self._index: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        self._words: dict[tuple[str, str], int] = {}  # (category, phrase) -> words in it
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for category, phrases in taxonomy.items():
            for phrase in phrases:
                key = tuple(stems(phrase))
                # "database" and "databases" stem alike: one phrase, counted once.
                if key and (category, key) not in seen:
                    seen.add((category, key))
                    self._index.setdefault(key[0], []).append((key, category, phrase))
                    self._words[(category, phrase)] = len(key)

    def _hits(self, text: str) -> dict[tuple[str, str], int]:
        """(category, phrase) -> how often it appears in `text`. The longest phrase at a
        place wins and its words are used up: "database migration" is not also "database"."""
        words = stems(text)
        hits: dict[tuple[str, str], int] = {}
        i = 0
        while i < len(words):
            found = [(key, c, p) for key, c, p in self._index.get(words[i], ())
                     if tuple(words[i : i + len(key)]) == key]  # fmt: skip
            if not found:
                i += 1
                continue
            longest = max(len(key) for key, _, _ in found)
            for key, category, phrase in found:
                if len(key) == longest:
                    hits[(category, phrase)] = hits.get((category, phrase), 0) + 1
            i += longest
        return hits

    def infer(self, title: str | None, body: str) -> list[Inference]:
        """The (at most two) categories that score at least MIN_SCORE, best first."""
        in_title = self._hits(title or "")
        in_all = self._hits(f"{title or ''}\n{body}")
        scores: dict[str, Inference] = {}
        for (category, phrase), count in in_all.items():
            weight = 2 if self._words[(category, phrase)] >= 2 else 1
            points = weight + int(count >= 2 or (category, phrase) in in_title)
            found = scores.setdefault(category, Inference(category, 0))
            found.score += points
            found.phrases.append(phrase)
        ranked = sorted(scores.values(), key=lambda f: (-f.score, f.category))
        chosen = [f for f in ranked if f.score >= MIN_SCORE][:MAX_CATEGORIES]
        # A second category must be about as strong as the first, or it is likely noise.
        if len(chosen) == 2 and chosen[1].score * 2 < chosen[0].score:
            chosen = chosen[:1]
        return chosen
