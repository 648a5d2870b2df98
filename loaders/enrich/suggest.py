"""Candidate service names from a folder of post-mortems (`pmdash suggest services PATH`), so a
lead can write a first catalog in minutes instead of reading every document.

Three signals, each counted over the whole folder with the number of documents it is in:
- code spans (`payments-api`): engineers write exact names there; spans that look like
  commands or paths (spaces, slashes) or are plain English words (`yes`) are left out;
- host names (status.example.org), without a scheme or `www.`;
- capitalised terms (Kolibri, CloudBank, LEAP) written at least twice and not at the start
  of a sentence, that are not plain English words (loaders/enrich/mentions.py).
Fenced code blocks are skipped: their commands and logs would drown the names. These are
suggestions for a person to pick from, never written anywhere by themselves.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from loaders.enrich.mentions import written_exactly

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]{2,60})`(?!`)")
NAME_LIKE = re.compile(r"^[A-Za-z][\w.-]*[A-Za-z0-9]$")
HOST = re.compile(r"\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b", re.IGNORECASE)
# A capitalised word that does not open a sentence (after a letter, digit, comma …).
CAPITALISED = re.compile(r"(?<=[\w,;:)] )([A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*)\b")
FILE_SUFFIXES = (".md", ".markdown", ".txt", "")
MAX_FILE_BYTES = 5 * 1024 * 1024
NOT_POSTMORTEMS = ("LICENSE", "LICENCE", "COPYING", "NOTICE")  # legal text, all capitals
NOT_HOSTS = (".md", ".py", ".yaml", ".yml", ".json", ".txt", ".sh", ".toml", ".whl", ".png")


@dataclass(slots=True)
class Candidate:
    name: str
    signal: str  # code span | host name | capitalised term
    mentions: int
    documents: int


def suggest_services(folder: Path, *, min_mentions: int = 2) -> list[Candidate]:
    """Candidates from every Markdown or plain-text file under `folder`, most mentioned first."""
    counts: dict[str, Counter[str]] = {"code span": Counter(), "host name": Counter(),
                                       "capitalised term": Counter()}  # fmt: skip
    documents: dict[str, Counter[str]] = {signal: Counter() for signal in counts}
    for text in _texts(folder):
        found = _candidates(FENCE.sub(" ", text))
        for signal, names in found.items():
            counts[signal].update(names)
            documents[signal].update(set(names))
    out = [
        Candidate(name, signal, n, documents[signal][name])
        for signal, counter in counts.items()
        for name, n in counter.items()
        if n >= min_mentions or signal == "code span"
    ]
    return sorted(out, key=lambda c: (-c.mentions, c.name.lower(), c.signal))


def _texts(folder: Path) -> Iterable[str]:
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in FILE_SUFFIXES:
            continue
        if path.name.upper().startswith(NOT_POSTMORTEMS):
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            continue
        try:
            yield path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue


def _candidates(text: str) -> dict[str, list[str]]:
    spans = [s.strip() for s in CODE_SPAN.findall(text)]
    code = [s for s in spans if NAME_LIKE.match(s) and not written_exactly(s)]
    prose = CODE_SPAN.sub(" ", text)
    hosts = [
        h.lower().removeprefix("www.")
        for h in HOST.findall(prose)
        if not h.lower().endswith(NOT_HOSTS) and not h.replace(".", "").isdigit()
    ]
    without_urls = re.sub(r"\S+://\S+", " ", prose)
    terms = [
        t for t in CAPITALISED.findall(without_urls)
        if len(t) > 2 and not written_exactly(t) and "." not in t
    ]  # fmt: skip
    return {"code span": code, "host name": hosts, "capitalised term": terms}
