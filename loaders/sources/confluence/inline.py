"""Inline content of Confluence storage XHTML as text: links, mentions, dates, lozenges, keys.

The element helpers here know the storage format's namespaces (`ac:`, `ri:`); `InlineReader`
turns a paragraph, list item or table cell into plain text plus its link targets, reading
Confluence's inline macros for what they mean to a post-mortem: a user mention is the user's
name, `<time datetime>` its date, the `status` lozenge its title, the Jira macro its issue
key, the ✅/❌ emoticons their emoji. Macro parameters and template placeholders are not text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from loaders.reading.dates import ImpossibleDate, parse_date
from loaders.reading.extract import EMOJI_STATUS

NAMESPACES = {
    "ac": "http://atlassian.com/content",
    "ri": "http://atlassian.com/resource/identifier",
    "at": "http://atlassian.com/template",
}
_PREFIX_OF = {uri: prefix for prefix, uri in NAMESPACES.items()}
SKIPPED = {"colgroup", "col", "hr", "ac:image", "ac:placeholder", "ac:parameter", "script", "style"}
EMOTICONS = {"tick": "✅", "cross": "❌"}
USER_ATTRIBUTES = ("account-id", "userkey", "username")
_BLOCK_LEVEL = {"p", "li", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ac:task"}

# (kind, id) of a mentioned user -> the name to show; kind is one of USER_ATTRIBUTES.
UserNames = Callable[[str, str], str]


def name_of(el: etree._Element) -> str:
    """`ac:task-list` for `{http://atlassian.com/content}task-list`; plain names lower-cased."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        return f"{_PREFIX_OF.get(uri, uri)}:{local}"
    return tag.lower()


def attribute(el: etree._Element, prefix: str, name: str) -> str | None:
    value = el.get(f"{{{NAMESPACES[prefix]}}}{name}")
    return None if value is None else str(value)


def macro_name(el: etree._Element) -> str:
    return (attribute(el, "ac", "name") or "").lower()


def parameter(el: etree._Element, name: str) -> str | None:
    for child in el:
        if name_of(child) == "ac:parameter" and attribute(child, "ac", "name") == name:
            return "".join(child.itertext()).strip()
    return None


def child(el: etree._Element, *names: str) -> etree._Element | None:
    """The first direct child with one of the names (an lxml element with no children is falsy,
    so never `child(a) or child(b)`)."""
    return next((c for c in el if name_of(c) in names), None)


def tidy(text: str) -> str:
    """Non-breaking spaces to spaces, runs of blanks to one, blank lines out, lines trimmed."""
    lines = (
        re.sub(r"[ \t]+", " ", line).strip() for line in text.replace("\u00a0", " ").split("\n")
    )
    return "\n".join(line for line in lines if line)


def user_ref(el: etree._Element) -> tuple[str, str] | None:
    """(kind, id) of an `ri:user`: account id on Cloud, user key or name on Server/DC."""
    if name_of(el) != "ri:user":
        return None
    for kind in USER_ATTRIBUTES:
        value = attribute(el, "ri", kind)
        if value:
            return kind, value
    return None


def time_date(el: etree._Element) -> date | None:
    if name_of(el) != "time":
        return None
    try:
        return parse_date(el.get("datetime") or "".join(el.itertext()))
    except ImpossibleDate:
        return None


@dataclass(slots=True)
class Inline:
    """Text gathered from inline content, with links and how much of it is struck through."""

    parts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    struck_chars: int = 0
    plain_chars: int = 0

    def add(self, text: str | None, struck: bool = False) -> None:
        if not text:
            return
        self.parts.append(text)
        size = len(text.strip())
        if struck:
            self.struck_chars += size
        else:
            self.plain_chars += size

    def text(self) -> str:
        return tidy("".join(self.parts))

    def struck(self) -> bool:
        return self.struck_chars > 0 and self.plain_chars == 0


class InlineReader:
    def __init__(self, user_name: UserNames) -> None:
        self.user_name = user_name
        self.macros: set[str] = set()  # every macro met, by name

    def inline_of(self, el: etree._Element, separator: str = " ") -> Inline:
        """The content of `el` (not the element itself); `separator` goes between its blocks."""
        out = Inline()
        out.add(el.text)
        for node in el:
            self.inline(node, out, False, separator)
            out.add(node.tail)
        return out

    def inline(self, el: etree._Element, out: Inline, struck: bool, separator: str = " ") -> None:
        name = name_of(el)
        struck = struck or name in ("s", "del", "strike")
        if name in SKIPPED or name in ("ac:task-id", "ac:task-uuid", "ac:task-status"):
            return
        if name == "br":
            out.add("\n", struck)
        elif name == "time":
            out.add(el.get("datetime") or "".join(el.itertext()), struck)
        elif name == "ac:emoticon":
            # Only the emoticons that mark a status carry meaning for an action item.
            fallback = attribute(el, "ac", "emoji-fallback")
            emoji = fallback or EMOTICONS.get(attribute(el, "ac", "name") or "")
            out.add(emoji if emoji in EMOJI_STATUS else None, struck)
        elif name in ("ac:structured-macro", "ac:macro"):
            self.macro(el, out, struck, separator)
        elif name == "ac:link":
            self.link(el, out, struck)
        elif name == "ac:plain-text-body":
            out.add("".join(el.itertext()), struck)
        else:
            if name == "a" and el.get("href"):
                out.links.append(str(el.get("href")))
            block_level = name in _BLOCK_LEVEL
            out.add(separator if block_level else None)
            out.add(el.text, struck)
            for node in el:
                self.inline(node, out, struck, separator)
                out.add(node.tail, struck)
            out.add(separator if block_level else None)

    def macro(self, el: etree._Element, out: Inline, struck: bool, separator: str) -> None:
        name = macro_name(el)
        self.macros.add(name)
        if name == "jira":
            out.add(f" {parameter(el, 'key') or ''} ", struck)
        elif name == "status":
            out.add(parameter(el, "title"), struck)
        else:
            body = child(el, "ac:rich-text-body", "ac:plain-text-body")
            if body is not None:
                self.inline(body, out, struck, separator)

    def link(self, el: etree._Element, out: Inline, struck: bool) -> None:
        for node in el:
            user = user_ref(node)
            if user:
                out.add(self.user_name(*user), struck)
                return
        body = child(el, "ac:link-body", "ac:plain-text-link-body")
        text = "".join(body.itertext()) if body is not None else ""
        if not text.strip():
            # A link to a page or attachment with no text of its own shows the target's name.
            text = next(
                (
                    t
                    for n in el
                    if (t := attribute(n, "ri", "content-title") or attribute(n, "ri", "filename"))
                ),
                "",
            )
        out.add(text, struck)
