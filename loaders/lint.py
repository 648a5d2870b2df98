"""`pmdash lint`: check post-mortems the way a team would in its own CI.

It reads documents exactly as a sync does and reports what makes a post-mortem hard to act
on: missing sections, action items without an owner, due date or ticket, vague items, and
documents that cannot be read. One line per problem, `file:line: message`, like a compiler.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wcmatch import glob as wcglob

from loaders.config import Config, SourceConfig
from loaders.hygiene import vague_reason
from loaders.model import SECTIONS, Failed, Loaded, PostMortem
from loaders.sources.git_folder import GitFolderSource

SECTION_NAMES = {
    "summary": "Summary",
    "timeline": "Timeline",
    "contributing_factors": "Contributing factors",
    "root_cause": "Root cause",
    "impact": "Impact",
    "action_items": "Action items",
}


@dataclass(slots=True)
class Problem:
    document: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.message}"

    def github(self) -> str:
        """A GitHub Actions workflow command, shown as an annotation on the file's line."""
        return (
            f"::error file={_escape(self.document, True)},line={self.line}::{_escape(self.message)}"
        )


def _escape(text: str, property_value: bool = False) -> str:
    # GitHub's workflow-command escapes: `%`, CR, LF everywhere; `:` and `,` inside properties.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def lint_path(path: Path, config: Config) -> Iterator[Problem]:
    """Problems in a folder of post-mortems, or in one file."""
    folder, glob = (path.parent, path.name) if path.is_file() else (path, None)
    options: dict[str, object] = {"path": str(folder)}
    if glob:
        options["glob"] = wcglob.escape(glob)  # the one file, even if its name holds `[` or `{`
    source = GitFolderSource.from_config(SourceConfig("lint", "git", options), config)
    prefix = "" if path.is_file() else f"{path.as_posix().rstrip('/')}/"
    for outcome in source.read({}, None):
        if glob and isinstance(outcome, Failed | Loaded) and _source_id(outcome) != glob:
            continue  # a single file: extension-less neighbours are not asked about
        if isinstance(outcome, Failed):
            yield Problem(
                f"{prefix}{outcome.source_id}" if glob is None else str(path),
                1,
                f"cannot be read: {outcome.message}",
            )
        elif isinstance(outcome, Loaded):
            name = f"{prefix}{outcome.postmortem.source_id}" if glob is None else str(path)
            yield from lint_postmortem(outcome.postmortem, name)


def _source_id(outcome: Failed | Loaded) -> str:
    return outcome.postmortem.source_id if isinstance(outcome, Loaded) else outcome.source_id


def lint_postmortem(pm: PostMortem, name: str) -> Iterator[Problem]:
    for warning in pm.warnings:
        yield Problem(name, 1, warning)
    for section in SECTIONS:
        if section not in pm.sections:
            yield Problem(name, 1, f"missing section: {SECTION_NAMES[section]}")
    for item in pm.action_items:
        if item.status in ("done", "wont_do"):
            continue  # closed items need no owner or date any more
        line = item.line or 1
        label = f"action item {item.position} ({_short(item.title)})"
        if not item.owner:
            yield Problem(name, line, f"{label} has no owner")
        if not item.due_date:
            yield Problem(name, line, f"{label} has no due date")
        if not item.ticket:
            yield Problem(name, line, f"{label} has no ticket")
        reason = vague_reason(item.title)
        if reason:
            yield Problem(
                name,
                line,
                f"{label} is vague ({reason}): say what will change and how to tell it is done",
            )


def _short(title: str, width: int = 50) -> str:
    return repr(title if len(title) <= width else title[: width - 1] + "…")
