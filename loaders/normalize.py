"""Raw labels to canonical ones: severity levels, service and category names (SPEC §5).

Matching ignores case and punctuation. An unknown severity keeps its raw text and gets no
level: pmdash never guesses a severity.
"""

from __future__ import annotations

import re

from loaders.config import DEFAULT_SEVERITY_WORDS, Config

_NUMBERED = re.compile(r"^(?:sev(?:erity)?|s|p|priority|pri|level|lvl|l|incident)?(\d)$")


def squash(text: str) -> str:
    """Lower case with everything but letters and digits removed: `Sev-2` -> `sev2`."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


class Normalizer:
    def __init__(self, config: Config) -> None:
        self.levels = config.severity_levels
        self._severity = {squash(level): i for i, level in enumerate(self.levels)}
        for word, index in DEFAULT_SEVERITY_WORDS.items():
            if index < len(self.levels):
                self._severity.setdefault(word, index)
        for raw, level in config.severity_aliases.items():
            self._severity[squash(raw)] = self.levels.index(level)
        self._services = {_name_key(k): v for k, v in config.service_aliases.items()}
        self._categories = {_name_key(k): v for k, v in config.category_aliases.items()}

    def severity(self, raw: str) -> tuple[str, int] | None:
        """(canonical level, rank with 1 = most severe), or None when the label is unknown."""
        key = squash(raw)
        index = self._severity.get(key)
        if index is None:
            numbered = _NUMBERED.match(key)
            if numbered:
                number = int(numbered[1])
                # Scales that start at 0 (SEV0, P0) name their worst level 0.
                index = max(number - 1, 0)
        if index is None or index >= len(self.levels):
            return None
        return self.levels[index], index + 1

    def service(self, raw: str) -> str:
        return self._services.get(_name_key(raw), _clean_name(raw))

    def category(self, raw: str) -> str:
        return self._categories.get(_name_key(raw), _clean_name(raw))


def _clean_name(raw: str) -> str:
    return re.sub(r"\s+", " ", raw.strip().strip("`*_")).lower()


def _name_key(raw: str) -> str:
    return squash(raw)


def split_list(value: object) -> list[str]:
    """`api, db` / `api; db` / a YAML list -> names, in order, without blanks or repeats."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[,;]|\s+and\s+", str(value))
    out: list[str] = []
    for item in items:
        text = str(item).strip().strip("`*_").strip()
        if text and text.lower() not in (o.lower() for o in out):
            out.append(text)
    return out


_NO_OWNER = {"", "-", "—", "n/a", "na", "tbd", "none", "nobody", "?"}


def owner_name(raw: object) -> str | None:
    """One spelling per owner: `@grace`, `grace` and `**grace**` are all `grace`; `TBD` is nobody."""
    if raw is None:
        return None
    name = str(raw).strip().strip("*_` ").removeprefix("@").strip()
    return None if name.lower() in _NO_OWNER else name
