"""Config mistakes as lines a person can act on: the file, the line, the key, what to write.

pydantic reports where a value sits as a path of keys (`('sources', 0, 'git', 'globb')`);
`tomllib` keeps no positions, so `key_lines` reads the lines of the file once more for the table
headers and `key =` lines and maps each key path to the line that wrote it. That reading is only
for pointing at a line: the values themselves always come from `tomllib`, and a key it cannot
place (inside an inline table or a multi-line value) is reported with its table's line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from loaders.config_schema import SOURCE_KINDS

Loc = tuple[str | int, ...]

_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_KEY_PART = re.compile(_KEY)
_MULTILINE_QUOTE = re.compile(r'"""|\'\'\'')


def _keys(dotted: str) -> list[str]:
    return [k.strip("\"'") for k in _KEY_PART.findall(dotted)]


def key_lines(text: str) -> dict[Loc, int]:
    """{key path: line number} for every table header and `key =` line of a TOML text."""
    lines: dict[Loc, int] = {}
    table: Loc = ()
    counts: dict[Loc, int] = {}  # how many [[array]] entries each array of tables has so far
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = len(_MULTILINE_QUOTE.findall(line))
        if in_string:
            in_string = quotes % 2 == 0
            continue
        header = _HEADER.match(line)
        assign = None if header else _ASSIGN.match(line)
        if header:
            path: Loc = ()
            for key in _keys(header[2]):
                path = (*path, key)
                if path in counts:  # a sub-table of an array's latest entry
                    path = (*path, counts[path] - 1)
            if header[1] == "[[":
                base = path[:-1] if isinstance(path[-1], int) else path
                counts[base] = counts.get(base, 0) + 1
                path = (*base, counts[base] - 1)
            table = path
            for end in range(1, len(path) + 1):  # `[a.b]` also writes table `a`
                lines.setdefault(path[:end], number)
        elif assign:
            lines.setdefault((*table, *_keys(assign[1])), number)
        in_string = in_string or quotes % 2 == 1
    return lines


def line_of(loc: Loc, lines: Mapping[Loc, int]) -> int | None:
    """The line of the longest prefix of `loc` that the file writes out."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`? " if close else ""


class _Describer:
    """Names a key path the way the config is written: `[recurrence] window_days`."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def walk(self, loc: Loc) -> tuple[Loc, str, str]:
        """(the loc as written in the file, the table's name, the key's name)."""
        value: Any = self.raw
        written: list[str | int] = []
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if isinstance(value, dict) and part not in value and not last:
                continue  # pydantic's name for a union member (the source's kind): not written
            written.append(part)
            value = value.get(part) if isinstance(value, dict) else _item(value, part)
        table, key = tuple(written[:-1]), written[-1] if written else ""
        return tuple(written), self.table(table), str(key)

    def table(self, loc: Loc) -> str:
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            entry = _item(self.raw.get("sources"), loc[1])
            name = entry.get("name") if isinstance(entry, dict) else None
            kind = entry.get("kind") if isinstance(entry, dict) else None
            if isinstance(name, str) and name:
                label = f"{kind} source {name!r}" if kind in SOURCE_KINDS else f"source {name!r}"
            else:
                label = f"[[sources]] entry {loc[1] + 1}"
            rest = ".".join(str(p) for p in loc[2:])
            return f"{label} [{rest}]" if rest else label
        return f"[{'.'.join(str(p) for p in loc)}]" if loc else ""


def _item(value: Any, index: str | int) -> Any:
    if isinstance(value, list) and isinstance(index, int) and index < len(value):
        return value[index]
    return None


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def describe_errors(
    error: ValidationError,
    keys_at: Callable[[Loc], tuple[str, ...]],
    raw: dict[str, Any],
    text: str | None,
) -> list[tuple[int | None, str]]:
    """(line, message) for each mistake, in the order of the file.

    `keys_at(loc)` lists the keys the schema allows in the table at `loc`, for suggestions.
    """
    lines = key_lines(text) if text is not None else {}
    names = _Describer(raw)
    found: dict[str, tuple[int | None, str]] = {}
    for e in error.errors():
        loc, ctx = tuple(e["loc"]), e.get("ctx") or {}
        if e["type"] in ("config_entry", "config_unknown_key"):
            loc = (*loc, ctx["key"])
        written, table, key = names.walk(loc)
        where = f"{table} {key}" if table else f"[{key}]"
        kind = e["type"]
        if kind in ("extra_forbidden", "config_unknown_key"):
            known = ctx.get("known") or keys_at(loc[:-1])
            if not table:
                hint = _suggest(key, known).replace("`", "").replace("mean ", "mean [", 1)
                hint = hint.replace("? ", "]? ") if hint else ""
                message = f"unknown section [{key}]; {hint}the sections are {', '.join(known)}"
            else:
                message = (
                    f"{table} has no key `{key}`; {_suggest(key, known)}"
                    f"the keys are {', '.join(known)}"
                )
        elif kind == "missing":
            message = f"{table or 'the config'} needs a `{key}`"
        elif kind in ("union_tag_not_found", "union_tag_invalid"):
            entry = names.table(loc)
            written = (*loc, "kind")
            message = (
                f"{entry} needs a `kind`: one of {', '.join(SOURCE_KINDS)}"
                if kind == "union_tag_not_found"
                else f"{entry} has kind {ctx.get('tag')!r}; use one of {', '.join(SOURCE_KINDS)}"
            )
        elif kind == "value_error":
            message = str(ctx["error"])  # a check across keys writes its whole message
        elif kind == "config_entry":
            message = f"{table} {key} must be {ctx['what']} (got {_show(ctx['got'])})"
        elif kind == "config_value":
            message = f"{where} must be {ctx['what']} (got {_show(e['input'])})"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = (
                f"{names.table(loc) if loc and isinstance(loc[-1], int) else where} must be a table"
            )
        else:
            message = f"{where}: {e['msg']} (got {_show(e['input'])})"
        found.setdefault(message, (line_of(written, lines), message))
    return sorted(found.values(), key=lambda m: (m[0] is None, m[0] or 0))


def format_errors(mistakes: list[tuple[int | None, str]], path: Path | None) -> str:
    origin = str(path) if path else "config"
    return "\n".join(
        f"{origin}:{line}: {message}." if line else f"{origin}: {message}."
        for line, message in mistakes
    )
