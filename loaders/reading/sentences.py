"""Time to detect and to recover stated in a sentence, for documents with no labelled line.

"The problem went unnoticed for 3 hours 20 minutes", "the service recovered within 25 minutes",
"the hub was inaccessible for ~1hr". A duration counts only right beside words about detection
or recovery, so "servers taking >15min to start" or "CPU bound for 96s" fill nothing, and a
sentence that speaks of what should or will happen ("should have been detected within 5
minutes") states no measured duration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from loaders.reading.dates import parse_duration_minutes

_UNIT = r"(?:days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)"
_AMOUNT = rf"\d+(?:[.,]\d+)?[ \t-]*{_UNIT}\b"
_DURATION = (
    r"(?P<duration>(?:~\s*|about |around |approximately |roughly |nearly |almost )?"
    rf"(?:{_AMOUNT}(?:,?\s*(?:and\s+)?{_AMOUNT})*|half an hour|an? (?:hour|day|minute)\b))"
)
_SOME_WORDS = r"(?:[\w'’-]+\s+){0,4}?"
_DETECTION = (
    rf"\b(?:unnoticed|undetected|not (?:noticed|detected|spotted))\s+for\s+{_DURATION}",
    rf"\b(?:detected|noticed|spotted|caught)\s+{_SOME_WORDS}(?:after|within|in)\s+{_DURATION}",
    rf"\btook\s+(?:us\s+|them\s+|the team\s+)?{_DURATION}\s+(?:to|before we|until we)\s+"
    r"(?:detect|notice|spot|discover|realise|realize)",
    rf"{_DURATION}\s+(?:before|until)\s+(?:anyone|someone|we|the team|on-?call|an? alerts?|"
    r"monitoring)\s+(?:\w+\s+)?(?:noticed|detected|spotted|fired|caught|alerted)",
    rf"\btime to detect(?:ion)?\s+(?:was|of)\s+{_DURATION}",
)
_RECOVERY = (
    rf"\b(?:recovered|restored|resolved|mitigated|back (?:up|online|to normal))\s+{_SOME_WORDS}"
    rf"(?:after|within|in)\s+{_DURATION}",
    rf"\btook\s+(?:us\s+|them\s+|the team\s+)?{_DURATION}\s+to\s+"
    r"(?:recover|restore|resolve|mitigate|bring\s+(?:\w+\s+){0,3}?back)",
    rf"\b(?:down|offline|unavailable|inaccessible|unreachable)\s+for\s+{_DURATION}",
    rf"\b(?:outage|downtime|disruption|incident)\s+lasted\s+(?:for\s+)?{_DURATION}",
    rf"{_DURATION}\s+(?:long\s+)?(?:outage|of downtime|disruption)\b",
    rf"\btime to (?:recover|recovery|restore|resolve|resolution)\s+(?:was|of)\s+{_DURATION}",
)
PATTERNS = {
    "time_to_detect_minutes": [re.compile(p, re.IGNORECASE) for p in _DETECTION],
    "time_to_recover_minutes": [re.compile(p, re.IGNORECASE) for p in _RECOVERY],
}
# Words that make a sentence about a wish, a plan or a hypothesis rather than what happened.
_NOT_MEASURED = re.compile(
    r"\b(?:should|would|will|could|must|might|can|goal|target|aim|slo|sla|want|need|ensure)\b",
    re.IGNORECASE,
)
# Every duration above starts with a digit or says "an hour", "a day", "a minute": a
# sentence with neither states none, and skipping it saves the eleven searches (most of
# the reading time of a long post-mortem; 11 of the patterns can match anywhere).
_MAY_STATE_DURATION = re.compile(r"\d|\ban? (?:hour|day|minute)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n\s*\n")
_WORDED = {"half an hour": "30 minutes", "an hour": "1 hour", "a day": "1 day"}


def durations_in_prose(
    texts: Iterable[tuple[str, int | None]],
) -> dict[str, tuple[float, str]]:
    """{field: (minutes, provenance)} from the first sentence that states each duration.

    `texts` are paragraphs or list items with the line they start on.
    """
    found: dict[str, tuple[float, str]] = {}
    for text, first_line in texts:
        start = 0
        for end_match in [*_SENTENCE_END.finditer(text), None]:
            end = end_match.start() if end_match else len(text)
            _read_sentence(text, start, end, first_line, found)
            start = end_match.end() if end_match else len(text)
    return found


def _read_sentence(
    text: str, start: int, end: int, first_line: int | None, found: dict[str, tuple[float, str]]
) -> None:
    sentence = text[start:end]
    if not _MAY_STATE_DURATION.search(sentence):
        return
    for name, patterns in PATTERNS.items():
        if name in found:
            continue
        for pattern in patterns:
            match = pattern.search(sentence)
            if match is None or _NOT_MEASURED.search(sentence[: match.end()]):
                continue
            minutes = _minutes(match["duration"])
            if minutes:
                at = start + match.start()
                line = None if first_line is None else first_line + text.count("\n", 0, at)
                quoted = " ".join(match.group(0).split())
                found[name] = (minutes, f"sentence: '{quoted}' (line {line})")
                break


def _minutes(duration: str) -> float | None:
    text = duration.lower().lstrip("~ ")
    text = re.sub(r"^(?:about|around|approximately|roughly|nearly|almost)\s+", "", text)
    text = _WORDED.get(text, text).replace("a minute", "1 minute")
    return parse_duration_minutes(re.sub(r"(?<=\d)[ \t]*-[ \t]*(?=[a-z])", " ", text))
