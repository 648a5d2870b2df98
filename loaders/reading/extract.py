"""Reading rules shared by every source: section headings, labelled lines, action-item text.

Markdown, Notion blocks and Confluence pages are different containers for the same writing,
so the words that mark a section (`Follow-ups`), a field (`**Severity:** SEV2`) or an item's
status (`[x]`, `(done)`, `✅`) are recognised here once. Synonyms extend from `[parsing]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from loaders.config import Config
from loaders.model import ActionItem
from loaders.normalize import owner_name
from loaders.reading.dates import find_date

SECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary", "overview", "incident summary", "executive summary", "tldr", "tl dr",
        "description", "synopsis", "abstract", "incident overview",
    ),
    "timeline": (
        "timeline", "events", "chronology", "incident timeline", "sequence of events",
        "timeline of events", "detailed timeline",
    ),
    "contributing_factors": (
        "contributing factors", "what went wrong", "what didnt go well", "what didnt go so well",
        "what went badly", "trigger", "triggers", "contributing causes", "factors",
    ),
    "root_cause": (
        "root cause", "root causes", "cause", "causes", "root cause analysis", "rca",
        "root cause s", "causes and contributing factors",
    ),
    "impact": (
        "impact", "customer impact", "user impact", "impact on users", "business impact",
        "impact assessment", "who was affected", "impact and severity",
    ),
    "action_items": (
        "action items", "action item", "actions", "follow ups", "follow up", "followups",
        "follow up items", "follow up actions", "follow up improvements", "follow up tasks",
        "remediation", "remediations", "remediation items", "remediation actions",
        "corrective actions", "corrective and preventative measures",
        "corrective and preventive measures", "corrective and preventive actions",
        "preventive measures", "preventative measures", "preventive actions", "next steps",
        "long term solution", "long term solutions", "long term fixes", "todo", "to do",
        "action plan", "lessons learned and action items",
    ),
}  # fmt: skip

# Action-item headings written as a question or a sentence, matched on their words (see
# `words`): "How do we stop this from happening again?", "What we're doing about it",
# "Preventing recurrence", "Follow-up work", "Remediation plan", "Action items and owners".
_ACTION_SENTENCE = re.compile(
    r"^(?:how (?:do|can|will|should|could) we |how to |what (?:can|will|should) we do to )?"
    r"(?:prevent|stop|avoid)\w*\b.*\b(?:recurr\w*|again|repeat\w*|future)$"
    r"|^(?:recurrence )?prevention$"
    r"|^what (?:were|we re|we are|we will|well|we ll|will we|are we|we plan to|we intend to) "
    r"(?:doing|do|changing|change|improving|improve|going to (?:do|change))\b"
    r"|^whats? next$"
    r"|^(?:follow ?ups?|followups?|remediation|corrective|preventive|preventative)"
    r"(?: (?:work|items?|actions?|tasks?|steps|plan|measures|improvements|and next steps))?$"
    r"|\baction items?\b"
)
# A sub-heading that sorts action items by horizon ("Short-term", "Long term fixes"): beside
# an action-items heading at its own level it continues that section instead of ending it.
_HORIZON = re.compile(r"^(?:(?:short|medium|mid|long|near) ?term|immediate|later)\b")

LABEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "incident title", "incident name"),
    "severity": (
        "severity", "sev", "priority", "incident severity", "severity level", "impact level",
    ),
    "services": (
        "service", "services", "affected service", "affected services", "affected system",
        "affected systems", "component", "components", "system", "systems", "affected components",
    ),
    "categories": ("category", "categories", "incident category", "incident type", "root cause category"),
    "tags": ("tags", "tag", "labels", "keywords"),
    "status": ("postmortem status", "post mortem status", "document status", "status"),
    "kind": ("kind", "incident kind"),
    "incident_date": ("date", "incident date", "date of incident", "occurred", "occurred on", "day"),
    "started_at": ("start", "started", "start time", "started at", "incident start", "impact start", "began"),
    "detected_at": ("detected", "detected at", "time detected", "detected on"),
    "resolved_at": ("end", "ended", "end time", "resolved", "resolved at", "recovered", "recovered at", "resolved on"),
    "published_at": ("published", "published at", "published on"),
    "time_to_detect_minutes": ("time to detection", "time to detect", "ttd", "mttd", "detection time"),
    "time_to_recover_minutes": (
        "time to recovery", "time to recover", "time to resolution", "time to resolve",
        "time to restore", "ttr", "mttr", "duration", "outage duration", "downtime",
    ),
}  # fmt: skip

ACTION_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "done": (
        "done", "completed", "complete", "closed", "fixed", "resolved", "finished", "shipped",
        "merged", "implemented", "deployed", "yes", "true",
    ),
    "in_progress": (
        "in progress", "wip", "ongoing", "started", "doing", "in review", "underway", "in flight",
    ),
    "wont_do": (
        "wont do", "wontdo", "wontfix", "wont fix", "cancelled", "canceled", "dropped", "declined",
        "rejected", "obsolete", "not doing", "not planned",
    ),
    "open": (
        "open", "todo", "to do", "not started", "pending", "planned", "new", "backlog", "no", "false",
        "outstanding", "remaining", "not done",
    ),
}  # fmt: skip
_STATUS_OF_WORD = {w: status for status, words in ACTION_STATUS_WORDS.items() for w in words}
# Words a sub-heading uses to say its items are finished or not. Table-cell answers (`yes`,
# `no`, `new`) and words that are also adjectives (`complete list`, `doing`) are left out.
_NOT_HEADING_WORDS = {"yes", "no", "true", "false", "new", "complete", "doing"}
_HEADING_STATUS = {
    **{w: s for w, s in _STATUS_OF_WORD.items() if w not in _NOT_HEADING_WORDS},
    # "Planned work (not yet done or in progress)": the negation covers the words after it.
    **{
        f"{negation} {w}": "open"
        for status in ("done", "in_progress")
        for w in ACTION_STATUS_WORDS[status]
        if w not in _NOT_HEADING_WORDS
        for negation in ("not", "not yet")
    },
}

POSTMORTEM_STATUS_WORDS = {
    "draft": "draft", "wip": "draft", "in progress": "draft",
    "in review": "in_review", "review": "in_review", "under review": "in_review", "in_review": "in_review",
    "published": "published", "final": "published", "approved": "published", "complete": "published",
}  # fmt: skip
KIND_WORDS = {
    "incident": "incident", "outage": "incident",
    "near miss": "near_miss", "near_miss": "near_miss", "nearmiss": "near_miss",
    "drill": "drill", "game day": "drill", "gameday": "drill", "exercise": "drill",
}  # fmt: skip

EMOJI_STATUS = {
    "✅": "done", "✔️": "done", "✔": "done", "☑️": "done", "☑": "done", "🟢": "done",
    "🚧": "in_progress", "⏳": "in_progress", "🔄": "in_progress", "🟡": "in_progress",
    "❌": "wont_do", "🚫": "wont_do", "⛔": "wont_do",
    "⬜": "open", "🔲": "open", "🔴": "open",
}  # fmt: skip

_LABEL_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?P<label>[A-Za-z][A-Za-z0-9 /()'’.-]{0,40}?)\s*:\s*(?P<value>.*)$"
)
_CHECKBOX = re.compile(r"^\s*\[(?P<mark>[ xX]?)\]\s*")
_PAREN_MARKER = re.compile(r"[(\[]\s*(?P<word>[A-Za-z' ’]{2,16})\s*[)\]]")
_CAPS_MARKER = re.compile(
    r"(?:^|\s)(?P<word>DONE|FIXED|COMPLETED?|CLOSED|WIP|IN PROGRESS|TODO|OPEN|WONTFIX|WON'T DO|CANCELL?ED)(?=$|[\s:.,;—–-])"
)
_HANDLE = re.compile(r"(?<![\w.@/])@(?P<handle>[A-Za-z0-9][\w.-]*\w|[A-Za-z0-9])")
_OWNER = re.compile(
    r"\b(?:owner|owners|assignee|assigned to|responsible|dri)\s*[:=-]\s*(?P<owner>[^,;()\n]+?)\s*(?=$|[,;()]|\s+(?:due|by|ticket)\b)",
    re.IGNORECASE,
)
_DUE = re.compile(
    r"\b(?:due(?:\s+date)?|by|deadline|eta|target(?:\s+date)?)\s*[:=]?\s*(?P<date>[^,;()]*?\d{4}(?:-\d\d-\d\d)?)",
    re.IGNORECASE,
)
_TICKET_KEY = re.compile(r"(?<![\w/-])(?P<key>[A-Z][A-Z0-9]{1,9}-\d{1,7})(?![\w-])")
_NOT_TICKETS = {
    "UTF",
    "ISO",
    "SHA",
    "RFC",
    "SEV",
    "CVE",
    "TLS",
    "HTTP",
    "COVID",
    "PEP",
    "AES",
    "ECMA",
}
_HASH_REF = re.compile(r"(?<![\w&/])#(?P<n>\d{1,7})\b")
_HEADING_HASH_REF = re.compile(
    r"\b(?:issues?|tickets?|bugs?|prs?|pull requests?|tracked|tracking|see)\b[^#\n]{0,24}#\d",
    re.IGNORECASE,
)
_URL = re.compile(r"<?(?P<url>https?://[^\s<>()]+[^\s<>().,;:!?'\"])>?")
_GITHUB_ISSUE = re.compile(
    r"https?://(?:www\.)?github\.com/(?P<repo>[\w.-]+/[\w.-]+)/(?:issues|pull)/(?P<n>\d+)"
)
_GITLAB_ISSUE = re.compile(
    r"https?://[^/\s]+/(?P<repo>[\w./-]+?)/-/(?:issues|merge_requests)/(?P<n>\d+)"
)
# An issue or pull request on another host with GitHub's paths: GitHub Enterprise Server. The
# GitHub tracker decides from its `api_url` whether the host is its own (loaders/trackers/).
_FORGE_ISSUE = re.compile(
    r"https?://[^/\s]+/(?P<repo>[\w.-]+/[\w.-]+)/(?:issues|pull)/(?P<n>\d+)(?:[/?#]|$)"
)
# GitHub's cross-repository reference in text: `pmdash/pmdash#12`.
_REPO_REF = re.compile(r"(?<![\w/.@-])(?P<repo>[A-Za-z0-9][\w.-]*/[\w.-]*\w)#(?P<n>\d{1,7})\b")
_JIRA_LINK = re.compile(r"https?://[^\s]+/browse/(?P<key>[A-Z][A-Z0-9]+-\d+)")


def words(text: str) -> str:
    """Heading or label text reduced to lower-case words: `Events/Timeline:` -> `events timeline`."""
    text = re.sub(r"\([^)]*\)", " ", text.lower().replace("’", "'"))
    text = text.replace("'", "")
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def heading_status(heading: str) -> str | None:
    """The status a sub-heading gives the items under it: the first status phrase it writes.

    Parentheses count ("Immediate fixes (completed)" is done), and the longest phrase at each
    word wins, so "not yet done or in progress" is open rather than done.
    """
    tokens = re.sub(r"[^0-9a-z]+", " ", heading.lower().replace("’", "").replace("'", "")).split()
    for start in range(len(tokens)):
        for end in range(min(len(tokens), start + 4), start, -1):
            status = _HEADING_STATUS.get(" ".join(tokens[start:end]))
            if status:
                return status
    return None


def is_horizon(heading: str) -> bool:
    """Whether a heading sorts action items by horizon: "Short-term", "Long-term fixes"."""
    return bool(_HORIZON.match(words(heading)))


def heading_ticket(heading: str, links: list[str] | tuple[str, ...] = ()) -> Ticket | None:
    """A ticket a sub-heading names for the items under it ("Fixes (tracked in issue #1234)").

    A bare `#N` counts only after a word that makes it a reference: "Phase #1" is no ticket.
    """
    ticket = find_ticket(heading, links)
    if ticket is None or not ticket.key.startswith("#"):
        return ticket
    return ticket if _HEADING_HASH_REF.search(heading) else None


def status_from_word(text: str | None) -> str | None:
    """An action-item status from a word such as `Done`, `In progress`, `Won't do`."""
    if text is None:
        return None
    return _STATUS_OF_WORD.get(words(str(text)))


class Rules:
    """The section and label vocabularies of one configuration."""

    def __init__(self, config: Config) -> None:
        self._sections: dict[str, str] = {}
        for section, synonyms in SECTION_SYNONYMS.items():
            for synonym in (*synonyms, *config.heading_synonyms.get(section, [])):
                self._sections[words(synonym)] = section
        self._labels: dict[str, str] = {}
        for name, synonyms in LABEL_SYNONYMS.items():
            for synonym in (*synonyms, *config.label_synonyms.get(name, [])):
                self._labels[words(synonym)] = name

    def section_of(self, heading: str) -> str | None:
        """The section a heading opens, or None; `Timeline (times in BST)` opens `timeline`."""
        key = words(heading.split(":")[0]) if ":" in heading else words(heading)
        key = re.sub(r"^\d+ ", "", key)  # a numbered heading: "5. Action items"
        if key in self._sections:
            return self._sections[key]
        # "Events/Timeline", "Root causes & triggers": one of the alternatives names a section.
        for part in re.split(r"/|&|\+", heading.split(":")[0]):
            section = self._sections.get(words(part))
            if section:
                return section
        return "action_items" if _ACTION_SENTENCE.search(key) else None

    def label_of(self, text: str) -> str | None:
        return self._labels.get(words(text))

    def labelled(self, line: str) -> tuple[str, str] | None:
        """(field, value) for a line such as `Severity: SEV2` or `- Category: Kubernetes`."""
        match = _LABEL_LINE.match(re.sub(r"\*\*|__|`", "", line))
        if not match:
            return None
        name = self.label_of(match["label"])
        if name is None:
            return None
        return name, match["value"].strip()


@dataclass(slots=True)
class Ticket:
    key: str
    url: str | None


def find_ticket(text: str, links: list[str] | tuple[str, ...] = ()) -> Ticket | None:
    """The first issue reference in an item: a link to an issue or PR, a key `OPS-123`, `#42`."""
    for url in [*links, *(m["url"] for m in _URL.finditer(text))]:
        ticket = ticket_from_url(url)
        if ticket:
            return ticket
    for match in _TICKET_KEY.finditer(text):
        if match["key"].split("-")[0] not in _NOT_TICKETS:
            return Ticket(match["key"], None)
    if repo_ref := _REPO_REF.search(text):
        return Ticket(f"{repo_ref['repo']}#{repo_ref['n']}", None)
    hashed = _HASH_REF.search(text)
    if hashed:
        return Ticket(f"#{hashed['n']}", None)
    return None


def ticket_from_url(url: str) -> Ticket | None:
    if m := _GITHUB_ISSUE.match(url):
        return Ticket(f"{m['repo']}#{m['n']}", url)
    if m := _JIRA_LINK.match(url):
        return Ticket(m["key"], url)
    if m := _GITLAB_ISSUE.match(url):
        return Ticket(f"{m['repo']}#{m['n']}", url)
    if m := _FORGE_ISSUE.match(url):
        return Ticket(f"{m['repo']}#{m['n']}", url)
    return None


def find_owner(text: str) -> str | None:
    """`Owner: Jane`, `(owner: jane)`, `assignee - jane`, else the first `@handle`."""
    match = _OWNER.search(text)
    if match:
        return owner_name(match["owner"])
    handle = _HANDLE.search(text)
    return handle["handle"] if handle else None


def find_due(text: str) -> date | None:
    match = _DUE.search(text)
    return find_date(match["date"]) if match else None


def status_marker(text: str, *, struck: bool = False) -> tuple[str, str, str] | None:
    """(status, basis, raw marker) from the markers written in an item's text, or None."""
    box = _CHECKBOX.match(text)
    if box:
        mark = box["mark"]
        return ("done" if mark.lower() == "x" else "open"), "checkbox", f"[{mark}]"
    for emoji, status in EMOJI_STATUS.items():
        if emoji in text:
            return status, "emoji", emoji
    for match in _PAREN_MARKER.finditer(text):
        marked = status_from_word(match["word"])
        if marked and words(match["word"]) not in ("no", "yes", "true", "false", "new"):
            return marked, "marker", match.group(0)
    caps = _CAPS_MARKER.search(text)
    if caps:
        return status_from_word(caps["word"]) or "unknown", "marker", caps["word"]
    if struck:
        return "done", "marker", "~~strike~~"
    return None


def clean_title(text: str) -> str:
    """An item's text without its checkbox, markers, links, owner and due-date phrases."""
    title = _CHECKBOX.sub("", text)
    for emoji in EMOJI_STATUS:
        title = title.replace(emoji, "")
    title = _URL.sub("", title)
    title = re.sub(
        r"\((?:[^()]*\b(?:owner|assignee|due|by)\b[^()]*)\)", "", title, flags=re.IGNORECASE
    )
    title = _OWNER.sub("", title)
    title = _DUE.sub("", title)
    title = _PAREN_MARKER.sub(lambda m: "" if status_from_word(m["word"]) else m.group(0), title)
    title = re.sub(r"^\s*(?:DONE|TODO|WIP|FIXED|WONTFIX)\b[:\s-]*", "", title)
    title = re.sub(r"\s+(?:DONE|FIXED|WONTFIX)\s*$", "", title)
    title = re.sub(r"\(\s*(?:see|cf\.?)?\s*\)", "", title)  # what a removed link leaves behind
    title = re.sub(r"\s+", " ", title)
    title = re.sub(r"\s+([.,;:!?])", r"\1", title)
    # References were read into owner and ticket: `… (@ben; OPS-7)`, `… @ben OPS-7` -> `…`.
    title = re.sub(
        r"\((?:\s*(?:@[\w.-]+|[A-Z][A-Z0-9]{1,9}-\d+|(?:[\w.-]+/[\w.-]+)?#\d+|[;,]))*\s*\)",
        "",
        title,
    )
    title = title.strip(" \t-–—:;,|~")
    title = re.sub(
        r"(?:[\s,;—–-]+(?:@[\w.-]+|[A-Z][A-Z0-9]{1,9}-\d+|(?:[\w.-]+/[\w.-]+)?#\d+))+[\s,;]*$",
        "",
        title,
    )
    return title.strip(" \t-–—:;,|~")


def parse_action_text(
    text: str,
    position: int,
    *,
    links: list[str] | tuple[str, ...] = (),
    struck: bool = False,
    group_status: str | None = None,
    group_heading: str | None = None,
) -> ActionItem:
    """One action item from its written text; `group_status` comes from a sub-heading."""
    item = ActionItem(position=position, title=clean_title(text))
    marker = status_marker(text, struck=struck)
    if marker:
        item.status, item.status_basis, item.status_raw = marker
    elif group_status:
        item.status, item.status_basis, item.status_raw = group_status, "heading", group_heading
    item.owner = find_owner(text)
    item.due_date = find_due(text)
    ticket = find_ticket(text, links)
    if ticket:
        item.ticket, item.ticket_url = ticket.key, ticket.url
    # An item that is only a link ("- [ ] https://…/issues/6477") is named by its ticket.
    item.title = item.title or item.ticket or text.strip()
    return item


def postmortem_status(text: str) -> str | None:
    return POSTMORTEM_STATUS_WORDS.get(words(text)) or POSTMORTEM_STATUS_WORDS.get(
        text.strip().lower()
    )


def kind_of(text: str) -> str | None:
    return KIND_WORDS.get(words(text)) or KIND_WORDS.get(text.strip().lower())
