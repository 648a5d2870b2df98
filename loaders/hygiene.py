"""Vague action items: the "Improve monitoring" kind, which nobody can tell is done.

SPEC §6: an item is vague when it has no measurable object — fewer than 4 words, or a
vague verb (improve, investigate, look into…) with nothing that says when it is finished
(a number, a threshold, a named thing in backticks, a "so that…" outcome).
"""

from __future__ import annotations

import re

MIN_WORDS = 4
VAGUE_VERBS = (
    "improve", "investigate", "look into", "look at", "monitor", "review", "consider",
    "explore", "think about", "revisit", "enhance", "optimize", "optimise", "clean up",
    "discuss", "evaluate", "research", "check", "better", "work on", "figure out",
)  # fmt: skip
_VAGUE_START = re.compile(
    r"^\s*(?:" + "|".join(re.escape(v) for v in VAGUE_VERBS) + r")\b", re.IGNORECASE
)
# Something that makes an item checkable: a number, a code name, or a stated outcome.
_MEASURABLE = re.compile(
    r"\d|`[^`]+`|\b(?:so that|such that|until|to ensure|below|above|under|within|at least|at most)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_][\w'’-]*")


def vague_reason(title: str | None) -> str | None:
    """Why an action item's title is vague, or None when it states something checkable."""
    text = (title or "").strip()
    if len(_WORD.findall(text)) < MIN_WORDS:
        return f"fewer than {MIN_WORDS} words"
    verb = _VAGUE_START.match(text)
    if verb and not _MEASURABLE.search(text):
        return f"'{verb.group(0).strip().lower()}' with no measurable target"
    return None


def is_vague(title: str | None) -> bool:
    return vague_reason(title) is not None
