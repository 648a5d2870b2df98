"""The bundled demo corpus: a deterministic generator of a team's post-mortem folder.

A first run without config, `pmdash demo` and the docs need data that looks like a real
team's folder: most documents follow `templates/postmortem.md` (YAML front matter), about a
third are free-form the way teams write when nobody enforces a template, plus a README index
and a few files broken on purpose so that `load_errors` has something to show. Everything
comes from one seeded `random.Random` and fixed dates (the window ends 2026-10-31), never from
today's date or the machine, so one seed always writes byte-identical files. `build_corpus`
returns what each document states, so tests can check the corpus without parsing it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

WINDOW_START, WINDOW_END = date(2024, 9, 1), date(2026, 10, 31)
WRITTEN_UNTIL = date(2026, 11, 20)  # the corpus's last edit: no item closes after it
RANDOM_INCIDENTS = 163  # plus the 7 planted ones
SEVERITY_WEIGHTS = {"SEV1": 5, "SEV2": 17, "SEV3": 40, "SEV4": 38}
SEVERITY_SPELLINGS = {  # how free-form documents write each level; normalize.py maps all back
    "SEV1": ("SEV1", "Sev 1", "P1", "Critical"),
    "SEV2": ("SEV2", "Sev-2", "P2", "Major", "High"),
    "SEV3": ("SEV3", "Sev 3", "P3", "Medium"),
    "SEV4": ("SEV4", "sev4", "P4", "Minor", "Low"),
}
SERVICES = {  # name: (what customers do with it, ticket project, weight)
    "checkout": ("complete a purchase", "PAY", 9),
    "payments": ("pay by card", "PAY", 8),
    "billing": ("download invoices", "PAY", 4),
    "api-gateway": ("reach any API", "PLAT", 8),
    "auth": ("sign in", "PLAT", 6),
    "search": ("search the catalogue", "OPS", 7),
    "notifications": ("receive order emails", "OPS", 4),
    "inventory": ("see stock levels", "OPS", 4),
    "web-frontend": ("load the storefront", "OPS", 6),
    "mobile-api": ("use the mobile app", "OPS", 5),
    "data-pipeline": ("see fresh sales reports", "DATA", 5),
    "postgres": ("save orders", "PLAT", 5),
    "kafka": ("get order status updates", "DATA", 3),
}
OWNERS = ("priya", "marco", "lena", "tomasz", "aisha", "kenji", "sofia", "dmitri", "grace", "omar")


class Scenario(NamedTuple):
    weight: int
    titles: tuple[str, ...]
    what: str  # past tense, for the summary
    trigger: str  # present tense, for the timeline
    symptom: str
    fix: str
    cause: str
    factors: tuple[str, ...]
    actions: tuple[str, ...]


CATEGORIES = {
    "deployment": Scenario(9, ("502s on {svc} after a release", "Bad {svc} deploy rolled back"),
        "a release changed a connection-pool default and halved the workers of {svc}",
        "Release of {svc} starts rolling out to all regions", "5xx rate on {svc} above 5%",
        "On-call rolls {svc} back to the previous release",
        "The release changed a connection-pool default. The pipeline promoted the build to every region before the smoke test ran, so nothing stopped it.",
        ("No canary stage for {svc}", "Rollback needed a manual approval from a release manager", "The setting change was hidden inside a dependency bump"),
        ("Add a canary stage to the {svc} deploy pipeline", "Run the {svc} smoke test before promotion", "Let on-call roll back without a release manager", "Show config diffs in release pull requests")),
    "configuration": Scenario(8, ("Wrong feature flag disabled {svc}", "Config push broke {svc} routing"),
        "a configuration push sent {svc} traffic to a retired backend",
        "Config change for {svc} is applied through the admin console", "{svc} requests failing with 404",
        "On-call reverts the configuration change",
        "The admin console applies changes to production immediately and keeps no history, so the bad value was only found by comparing against a backup.",
        ("Console changes skip review", "No diff or history for runtime config", "Alert thresholds too loose to catch a partial failure"),
        ("Move {svc} runtime config into git with review", "Add an audit log to the admin console", "Validate backend names before applying a config push")),
    "capacity": Scenario(8, ("{svc} slowdown during a marketing campaign", "Traffic spike saturated {svc}"),
        "a marketing campaign tripled traffic and {svc} ran out of workers",
        "Campaign email goes out and traffic to {svc} triples", "p99 latency of {svc} above 3 s",
        "On-call scales {svc} out by hand",
        "Autoscaling for {svc} keys on CPU, but the service was blocked on I/O, so it never scaled while latency climbed.",
        ("Marketing campaigns are not shared with on-call", "Autoscaling watches CPU only", "No load test since the last architecture change"),
        ("Scale {svc} on request concurrency instead of CPU", "Add campaign launches to the on-call calendar", "Run a quarterly load test of {svc} at three times peak")),
    "third-party": Scenario(6, ("Upstream provider outage hit {svc}", "Third-party API timeouts degraded {svc}"),
        "an upstream provider degraded and {svc} kept retrying without a limit",
        "Provider status page reports degraded performance", "{svc} upstream timeouts above 20%",
        "On-call switches {svc} to the secondary provider",
        "Our client retried every failed call immediately and without a cap, which turned a slow provider into a full outage of {svc}.",
        ("No circuit breaker around the provider client", "Failover to the secondary provider is manual", "We learned about the outage from customers, not the provider"),
        ("Add a circuit breaker around the provider client in {svc}", "Automate failover to the secondary provider", "Subscribe the on-call channel to the provider status page")),
    "database": Scenario(7, ("Lock contention stalled {svc}", "Slow query exhausted {svc} connections"),
        "a schema migration took a table lock and {svc} queued every write behind it",
        "Schema migration starts on the primary database", "{svc} database connections at 100%",
        "DBA cancels the migration and the queue drains",
        "The migration added a column with a default, which rewrites the table under an exclusive lock on this version of Postgres.",
        ("Migrations are not reviewed for locking behaviour", "Connection pool has no queue timeout", "Migration ran during business hours"),
        ("Add a lint for locking migrations to CI", "Set a queue timeout on the {svc} connection pool", "Document the safe migration patterns for Postgres")),
    "network": Scenario(5, ("Packet loss between zones degraded {svc}", "DNS change broke {svc} in one zone"),
        "a network change dropped part of the traffic between availability zones",
        "Network change is applied to the zone routing tables", "{svc} error rate up in one zone",
        "Network team rolls the routing change back",
        "A routing change was tested in staging, which has one zone, so the cross-zone path it broke was never exercised.",
        ("Staging has one availability zone", "Zone-level dashboards did not exist", "The change window overlapped peak traffic"),
        ("Add per-zone error dashboards for {svc}", "Require a two-zone test for routing changes", "Move network changes out of peak hours")),
    "certificates": Scenario(4, ("Expired TLS certificate broke {svc}", "Certificate rotation failure on {svc}"),
        "the TLS certificate of {svc} expired and clients refused to connect",
        "Certificate of {svc} expires at midnight UTC", "TLS handshake failures on {svc}",
        "On-call issues and deploys a new certificate by hand",
        "The certificate was issued by hand two years ago; automatic renewal never covered this hostname and the reminder went to a former employee.",
        ("Renewal reminders go to a personal inbox", "No expiry monitoring", "Only one person knew how to issue the certificate"),
        ("Move {svc} certificates to automatic renewal", "Alert 21 days before any certificate expires", "Write down how to issue a certificate by hand")),
    "kubernetes": Scenario(6, ("Node pool upgrade evicted {svc} pods", "Pod evictions took {svc} down"),
        "a node pool upgrade drained nodes faster than {svc} pods could reschedule",
        "Node pool upgrade starts on the production cluster", "{svc} ready replicas at 0",
        "On-call pauses the upgrade and scales {svc} up",
        "The {svc} deployment had no PodDisruptionBudget, so the upgrade drained every replica at once.",
        ("No PodDisruptionBudget on {svc}", "Cluster upgrades are not announced", "Readiness probe passes before the cache is warm"),
        ("Add a PodDisruptionBudget to every {svc} deployment", "Announce cluster upgrades in the on-call channel", "Make the {svc} readiness probe wait for a warm cache")),
    "data-integrity": Scenario(4, ("Duplicate events from {svc}", "Stale data served by {svc}"),
        "a consumer replayed a day of events and {svc} processed them twice",
        "Consumer group offset is reset during maintenance", "duplicate records in {svc} output",
        "Data team pauses the consumer and deduplicates the records",
        "Processing in {svc} is not idempotent, so replaying a partition writes every record again.",
        ("Offset resets need no second person", "No duplicate detection downstream", "Replay tooling defaults to the earliest offset"),
        ("Make {svc} processing idempotent", "Require a second person for offset resets", "Add a duplicate-rate check to the {svc} output")),
}  # fmt: skip
GENERIC_ACTIONS = (
    "Write a runbook section for this failure of {svc}",
    "Add an alert on the {svc} error budget burn rate",
    "Add a saturation panel to the {svc} dashboard",
)
VAGUE_ACTIONS = ("Improve monitoring", "Look into alerts", "Better testing", "Add more alerts",
                 "Review the runbook", "Investigate further", "Be more careful with changes")  # fmt: skip
DRILLS = {  # game days: what was rehearsed, and the category it rehearses
    "failover of the {svc} primary database": "database",
    "loss of one zone for {svc}": "network",
    "restore of {svc} from backup": "data-integrity",
}
# Two recurring patterns whose repeats came while an earlier fix was still open (see PLANTED_ITEMS).
# No random incident has these service × category pairs, so each pattern is exactly as listed.
PLANTED_PAIRS = (("payments", "third-party"), ("checkout", "deployment"))
PLANTED = (  # date, title, services, category, severity, style
    (date(2025, 1, 14), "Card processor timeouts failed payments", ["payments"], "third-party", "SEV2", "front_matter"),
    (date(2025, 3, 3), "Card processor outage hit payments and checkout", ["payments", "checkout"], "third-party", "SEV2", "plain"),
    (date(2025, 5, 20), "Card processor latency slowed payments", ["payments"], "third-party", "SEV3", "front_matter"),
    (date(2026, 3, 10), "Checkout 502s after the morning release", ["checkout"], "deployment", "SEV2", "front_matter"),
    (date(2026, 5, 12), "Checkout deploy rolled back after errors", ["checkout"], "deployment", "SEV2", "front_matter"),
    (date(2026, 7, 21), "Checkout and payments down after a release", ["checkout", "payments"], "deployment", "SEV1", "checkbox"),
    (date(2026, 8, 27), "Checkout errors after a partial rollout", ["checkout"], "deployment", "SEV3", "table"),
)  # fmt: skip
PLANTED_ITEMS: dict[date, list[tuple[str, str, str | None, date | None, str | None, date | None]]] = {  # title, status, owner, due, ticket, closed
    date(2025, 1, 14): [("Add a circuit breaker around the card processor client", "open", "tomasz", date(2025, 2, 28), "PAY-1187", None)],
    date(2026, 3, 10): [
        ("Add an automatic canary rollback to the checkout deploy pipeline", "in_progress", "marco", date(2026, 4, 30), "PAY-2031", None),
        ("Run the checkout smoke test before promotion", "done", "lena", date(2026, 4, 15), "PAY-2032", date(2026, 4, 11)),
        ("Improve monitoring", "open", None, None, None, None),
    ],
    date(2026, 5, 12): [
        ("Block checkout deploys while a previous release is still rolling out", "done", "priya", date(2026, 6, 30), "PAY-2090", date(2026, 8, 3)),
        ("Page the release owner when a canary rollback fires", "open", "marco", date(2026, 6, 15), None, None),
    ],
}  # fmt: skip
FREEFORM_STYLES = ("checkbox", "plain", "markers", "emoji", "strike", "table", "grouped")
GROUPS = {  # sub-headings of the "grouped" style, in document order
    "done": ("Completed", "Done"),
    "in_progress": ("In progress", "In progress"),
    "open": ("Open", "Not started"),
    "wont_do": ("Won't do", "Dropped"),
}
MARKERS = {"done": ("(done)", "DONE:", "(completed)"), "in_progress": ("(in progress)", "(WIP)"),
           "wont_do": ("(won't do)", "(dropped)")}  # fmt: skip
EMOJI = {"done": "✅", "in_progress": "🚧", "wont_do": "❌"}
MARKED = {"plain": (), "strike": ("done",), "markers": tuple(MARKERS), "emoji": tuple(EMOJI)}
TABLE_STATUS = {"done": "Done", "in_progress": "In progress", "open": "Open", "wont_do": "Won't do"}
HEADINGS = {  # free-form documents pick one; front matter documents use the first
    "summary": ("Summary", "Overview", "TL;DR", "Incident summary"),
    "timeline": ("Timeline", "Timeline (UTC)", "Timeline (all times UTC)"),
    "factors": ("Contributing factors", "What went wrong", "What didn't go so well"),
    "cause": ("Root cause", "Root causes", "Root cause analysis"),
    "impact": ("Customer impact", "Impact", "User impact", "Impact on users"),
    "actions": ("Action items", "Follow-ups", "Corrective actions", "Next steps", "Remediation"),
}
IMPACT = {
    "SEV1": ("customers", 40, 90),
    "SEV2": ("many customers", 10, 40),
    "SEV3": ("some customers", 1, 10),
}
KIND_TEXT = {  # summary, customer impact and (for game days) timeline of non-incidents
    "near_miss": ("On {long}, {symptom} showed up in the canary and was stopped before customers noticed.", "None."),
    "drill": ("On {long} we ran a planned game day ({drill}). The gaps it found are below.", "None: a planned exercise.",
              "Game day starts: {drill}", "Alert fires: {symptom}", "On-call follows the runbook",
              "A runbook step fails and the team works around it", "Exercise ends; findings collected"),
}  # fmt: skip
JIRA = "https://example-shop.atlassian.net/browse/"
GITHUB_REPO = "example-shop/platform"
# Every way a GitHub reference is written (SPEC §4.4), chosen by the ticket's number so the
# random stream (and every count the tests pin) stays as it was: an issue link, a pull-request
# link, OWNER/REPO#N, and #N (for `[trackers.github] default_repo = "example-shop/platform"`).
GITHUB_FORMS = (
    "https://github.com/" + GITHUB_REPO + "/issues/{n}",
    "https://github.com/" + GITHUB_REPO + "/pull/{n}",
    GITHUB_REPO + "#{n}",
    "#{n}",
)
GENERATED_NAME = re.compile(r"(?:\d{4}-\d\d-\d\d-|\d{3}-|broken-)[a-z0-9-]+\.md|README\.md")


@dataclass
class Item:
    """An action item as its document states it (`unknown` when nothing marks its status)."""

    title: str
    status: str
    owner: str | None = None
    due: date | None = None
    ticket: str | None = None  # as written: a key such as PAY-123 or an issue URL
    closed: date | None = None


@dataclass
class Incident:
    """What one generated document states; what a document leaves out is None."""

    title: str
    incident_date: date
    services: list[str]
    categories: list[str]
    severity: str | None
    style: str  # "front_matter", or how a free-form document writes its action items
    times: tuple[datetime, datetime, datetime]  # started, detected, resolved (for the prose)
    look: int  # seeds the cosmetic choices made while rendering
    severity_raw: str | None = None
    kind: str | None = "incident"
    status: str | None = "published"
    tags: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    filename: str = ""
    heading: str = ""  # the H1 of a free-form document, often with the date in it
    stated_times: bool = True  # started_at / detected_at / resolved_at in the front matter
    stated_durations: bool = False  # "Time to detection" / "Time to recovery" lines

    @property
    def free_form(self) -> bool:
        return self.style != "front_matter"


def build_corpus(seed: int = 7) -> list[Incident]:
    """Every post-mortem of the corpus, oldest first, named and titled as written."""
    rng = random.Random(seed)
    span = (WINDOW_END - WINDOW_START).days
    days = sorted(
        WINDOW_START + timedelta(rng.randrange(span + 1)) for _ in range(RANDOM_INCIDENTS)
    )
    incidents = [_random_incident(rng, day) for day in days]
    for day, title, services, category, severity, style in PLANTED:
        inc = _incident(rng, day, services, [category], severity, style, title=title)
        inc.severity, inc.severity_raw = severity, inc.severity_raw or severity
        if day in PLANTED_ITEMS:
            inc.items = [Item(*fields) for fields in PLANTED_ITEMS[day]]
            inc.kind, inc.status, inc.stated_times = "incident", "published", True
        incidents.append(inc)
    incidents.sort(key=lambda i: i.times[0])
    names: set[str] = set()
    for number, inc in enumerate(incidents, start=1):
        slug = "-".join(re.sub(r"[^a-z0-9]+", " ", inc.title.lower()).split()[:7])
        dated = rng.random() > 0.12  # some teams number their files instead
        name = f"{inc.incident_date}-{slug}.md" if dated else f"{number:03d}-{slug}.md"
        while name in names:
            name = name.replace(".md", "-2.md")
        names.add(name)
        inc.filename = name
        if inc.free_form:  # the first H1 is the title, and it often carries the date
            day, long = inc.incident_date, _long(inc.incident_date).replace(",", "")
            forms = (f"{day} {inc.title}", f"Incident report {long} - {inc.title}",
                     f"Post-mortem: {inc.title} ({day})", inc.title)  # fmt: skip
            inc.heading = rng.choice(forms)
    return incidents


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _random_incident(rng: random.Random, day: date) -> Incident:
    services = [_pick(rng, {s: w for s, (_, _, w) in SERVICES.items()})]
    if rng.random() < 0.25:
        services.append(rng.choice([s for s in SERVICES if s != services[0]]))
    categories: list[str] = []
    while not categories or any((s, c) in PLANTED_PAIRS for s in services for c in categories):
        categories = [_pick(rng, {c: s.weight for c, s in CATEGORIES.items()})]
        categories += [rng.choice(list(CATEGORIES))] if rng.random() < 0.1 else []
    categories = list(dict.fromkeys(categories))
    kind = rng.choices(["incident", "near_miss", "drill"], [95, 3, 2])[0]
    if kind == "incident":
        style = "front_matter" if rng.random() < 0.6 else rng.choice(FREEFORM_STYLES)
        return _incident(rng, day, services, categories, _pick(rng, SEVERITY_WEIGHTS), style)
    drill = rng.choice(list(DRILLS))
    title = (
        f"Game day: {drill}"
        if kind == "drill"
        else f"Near miss: {CATEGORIES[categories[0]].symptom} caught early"
    )
    categories = [DRILLS[drill]] if kind == "drill" else categories[:1]
    inc = _incident(
        rng, day, services, categories, "SEV4", "front_matter", title.format(svc=services[0])
    )
    inc.kind = kind
    if kind == "drill":  # a rehearsal has no severity
        inc.severity = inc.severity_raw = None
    return inc


def _incident(rng: random.Random, day: date, services: list[str], categories: list[str],
              severity: str, style: str, title: str | None = None) -> Incident:  # fmt: skip
    start = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60))
    ttd = rng.randint(2, 15) if severity == "SEV1" else int(rng.triangular(2, 120, 10))
    ttr = int(rng.triangular(12, 600, 60))
    times = (start, start + timedelta(minutes=ttd), start + timedelta(minutes=ttd + ttr))
    if title is None:
        title = rng.choice(CATEGORIES[categories[0]].titles).format(svc=services[0])
        title = title[0].upper() + title[1:]
    inc = Incident(title, day, services, categories, severity, style, times, rng.getrandbits(32))
    if inc.free_form:
        inc.stated_times, inc.stated_durations = False, rng.random() < 0.6
        inc.severity_raw = rng.choice(SEVERITY_SPELLINGS[severity])
        if rng.random() < 0.1:  # some teams never write a severity down
            inc.severity = inc.severity_raw = None
        inc.status = inc.kind = None
    else:
        inc.severity_raw = severity
        inc.status = rng.choices(["published", "draft", "in_review", None], [80, 6, 3, 11])[0]
        inc.kind = inc.kind if inc.status else None  # older documents predate these two keys
        inc.stated_times = rng.random() < 0.9
        tags = {"customer-facing": severity in ("SEV1", "SEV2"), "weekend": day.weekday() >= 5}
        inc.tags = [t for t, on in {**tags, "on-call": rng.random() < 0.3}.items() if on]
    inc.items = _items(rng, inc)
    return inc


def _items(rng: random.Random, inc: Incident) -> list[Item]:
    """Action items that get done as they age, stated as far as the document's style allows."""
    svc = inc.services[0]
    pool = [a.format(svc=svc) for a in CATEGORIES[inc.categories[0]].actions + GENERIC_ACTIONS]
    chosen = rng.sample(pool, k=rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)))
    chosen = [rng.choice(VAGUE_ACTIONS) if rng.random() < 0.09 else t for t in chosen]
    done = 0.3 + 0.45 * min((WRITTEN_UNTIL - inc.incident_date).days, 540) / 540
    items = []
    for title in dict.fromkeys(chosen):
        vague = title in VAGUE_ACTIONS
        status = rng.choices(
            ["done", "in_progress", "wont_do", "open"], [done, 0.12, 0.06, 0.82 - done]
        )[0]
        item, created = Item(title, status), inc.incident_date + timedelta(days=rng.randint(1, 5))
        if rng.random() < (0.3 if vague else 0.8):
            item.owner = rng.choice(OWNERS)
        if rng.random() < (0.15 if vague else 0.65):
            item.due = created + timedelta(days=rng.choice((14, 21, 30, 45, 60, 90)))
        if rng.random() < (0.05 if vague else 0.55):
            number, project = rng.randint(100, 2400), SERVICES[svc][1]
            github = GITHUB_FORMS[number % len(GITHUB_FORMS)].format(n=number)
            item.ticket = github if rng.random() < 0.25 else f"{project}-{number}"
        if status == "done":
            room = max((WRITTEN_UNTIL - created).days, 1)
            item.closed = created + timedelta(days=min(rng.randint(2, 120), room))
        items.append(_as_written(item, inc.style))
    if inc.style == "grouped":  # the document lists them group by group
        items.sort(key=lambda i: list(GROUPS).index(i.status))
    return items


def _as_written(item: Item, style: str) -> Item:
    """What a document of this style can state: plain bullets no status, a checkbox two."""
    if style != "front_matter":
        item.closed = None  # free-form documents do not write when an item closed
    if style == "checkbox" and item.status != "done":
        item.status = "open"  # an empty box
    elif style in MARKED and item.status not in MARKED[style]:
        item.status = "unknown"  # teams that mark finished items leave the others bare
    return item


def render_corpus(seed: int = 7) -> dict[str, bytes]:
    """Every file of the corpus by name: post-mortems, the README index, the broken files."""
    incidents = build_corpus(seed)
    files = {inc.filename: render(inc).encode() for inc in incidents}
    files |= {name: content for name, (_, content) in BROKEN.items()}
    files["README.md"] = _readme(incidents, seed).encode()
    return dict(sorted(files.items()))


def generate(out_dir: Path, seed: int = 7) -> list[Path]:
    """Write the corpus into `out_dir`, first removing the files an earlier run wrote there.

    Only names this generator uses go (dated, numbered, `broken-*`, README.md): anything else
    kept in the folder survives.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.glob("*.md")):
        if GENERATED_NAME.fullmatch(old.name):
            old.unlink()
    paths = []
    for name, content in render_corpus(seed).items():
        (out_dir / name).write_bytes(content)
        paths.append(out_dir / name)
    return paths


def render(inc: Incident) -> str:
    rng = random.Random(inc.look)
    if inc.free_form:
        return _free_form(inc, rng)
    start, detect, resolve = inc.times
    fields: list[tuple[str, object]] = [("title", inc.title), ("date", inc.incident_date)]
    if inc.stated_times:
        fields += [("started_at", start), ("detected_at", detect), ("resolved_at", resolve)]
    fields += [("severity", inc.severity), ("services", inc.services), ("categories", inc.categories),
               ("tags", inc.tags or None), ("status", inc.status), ("kind", inc.kind)]  # fmt: skip
    lines = ["---", *(f"{key}: {_yaml(value)}" for key, value in fields if value is not None)]
    lines += ["action_items:"] if inc.items else []
    for item in inc.items:
        pairs = {"title": item.title, "owner": item.owner, "due": item.due,
                 "status": item.status, "ticket": item.ticket, "closed": item.closed}  # fmt: skip
        stated = [f"{key}: {_yaml(value)}" for key, value in pairs.items() if value is not None]
        lines += [f"  - {stated[0]}", *(f"    {line}" for line in stated[1:])]
    pointer = "Tracked in the `action_items` front matter above; the tickets have the detail."
    body = _sections(inc, rng, "##", drop=0.04)
    ending = pointer if inc.items else "None agreed."
    return "\n".join([*lines, "---", "", f"# {inc.title}", "", *body, ending, ""])


def _yaml(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:00Z")
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    text = str(value)
    plain = re.fullmatch(r"https?://[\w./-]+|[A-Za-z0-9][\w .,'/-]*", text)
    return text if plain else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _free_form(inc: Incident, rng: random.Random) -> str:
    (start, detect, resolve), day = inc.times, inc.incident_date
    meta = {  # label spellings: value, when the document states it
        ("Date", "Incident date"): None if re.search(r"\d{4}", inc.heading) else str(day),
        ("Severity", "Severity", "Priority"): inc.severity_raw,
        ("Services", "Affected services"): ", ".join(inc.services),
        ("Category", "Incident type"): ", ".join(c.capitalize() for c in inc.categories),
        ("Time to detection", "TTD"): inc.stated_durations and _human(detect - start, rng),
        ("Time to recovery", "Time to resolution"): inc.stated_durations and _human(resolve - start, rng),
        ("Authors",): rng.random() < 0.4 and ", ".join(o.capitalize() for o in rng.sample(OWNERS, 2)),
    }  # fmt: skip
    form = rng.choice(["{}: {}", "- **{}:** {}", "**{}:** {}  ", "- {}: {}"])
    level = rng.choices(["##", "###", "#"], [8, 1, 1])[0]
    lines = [form.format(rng.choice(labels), value) for labels, value in meta.items() if value]
    body = [*_sections(inc, rng, level, drop=0.2), *_item_lines(inc, rng, level + "#")]
    return "\n".join([f"# {inc.heading}", "", *lines, "", *body, ""])


def _sections(inc: Incident, rng: random.Random, level: str, drop: float) -> list[str]:
    """The prose sections up to the action-items heading; a few are left out, as in life."""
    svc, sc, (start, detect, resolve) = inc.services[0], CATEGORIES[inc.categories[0]], inc.times
    verb, long, took = SERVICES[svc][0], _long(inc.incident_date), _human(resolve - start, rng)
    who, low, high = IMPACT.get(inc.severity or "", ("", 0, 0))
    summary = f"On {long}, {sc.what}. " + (
        f"For {took}, {who} could not {verb}." if who else f"It lasted {took}; customers barely noticed.")  # fmt: skip
    share, tickets = rng.randint(low, high), rng.randint(2, 80)
    impact = f"About {share}% of attempts to {verb} failed for {took}; support received {tickets} tickets."
    if not who:
        impact = "No measurable customer impact."
    found = (
        f"Support escalates: customers cannot {verb}"
        if who and rng.random() < 0.4
        else "Alert fires: {symptom}"
    )
    steps: tuple[str, ...] = (sc.trigger, found, "On-call acknowledges the page and opens an incident channel", sc.fix,
             "Metrics back to baseline; incident resolved")  # fmt: skip
    if inc.kind in KIND_TEXT:
        summary, impact, *drill_steps = KIND_TEXT[inc.kind]
        steps = tuple(drill_steps) or steps
    ack = detect + timedelta(minutes=rng.randint(1, 6))
    row = rng.choice(["- {:%H:%M} UTC — {}", "- **{:%H:%M}** {}", "| {:%H:%M} | {} |"])
    timeline = [row.format(t, step) for t, step in zip((start, detect, ack, ack + (resolve - ack) * 0.6, resolve), steps, strict=True)]  # fmt: skip
    if row.startswith("|"):
        timeline = ["| Time (UTC) | Event |", "|---|---|", *timeline]
    factors = [f"- {f}" for f in rng.sample(sc.factors, rng.randint(2, 3))]
    parts = {"summary": [summary], "timeline": timeline, "factors": factors, "impact": [impact]}
    if inc.kind != "drill":  # a rehearsal has findings, not a root cause
        parts = {**parts, "cause": [sc.cause]}
    lines = []
    for key in HEADINGS:
        if key in parts and (key == "summary" or rng.random() >= drop):
            heading = HEADINGS[key][0] if drop < 0.1 else rng.choice(HEADINGS[key])
            text = (line.format(svc=svc, long=long, symptom=sc.symptom.format(svc=svc), drill=inc.title[10:]) for line in parts[key])  # fmt: skip
            lines += [f"{level} {heading}", "", *text, ""]
    heading = HEADINGS["actions"][0] if drop < 0.1 else rng.choice(HEADINGS["actions"])
    return [*lines, f"{level} {heading}", ""]


def _item_lines(inc: Incident, rng: random.Random, sub: str) -> list[str]:
    """The action items in the document's style, each stating exactly what its Item holds."""
    lines, group = [], None
    if inc.style == "table":
        lines = ["| Action | Owner | Due | Status | Ticket |", "|---|---|---|---|---|"]
    for n, item in enumerate(inc.items, start=1):
        ticket = item.ticket or ""
        # Some Jira keys are written as their browse link (GitHub references are written as is).
        if ticket and not ticket.startswith("http") and "#" not in ticket and rng.random() < 0.3:
            ticket = f"[{ticket}]({JIRA}{ticket})"
        if inc.style == "table":
            owner = f"@{item.owner}" if item.owner and rng.random() < 0.5 else item.owner or ""
            lines.append(
                f"| {item.title} | {owner} | {item.due or ''} | {TABLE_STATUS[item.status]} | {ticket} |"
            )
            continue
        owner = rng.choice([f"@{item.owner}", f"owner: {item.owner}"]) if item.owner else ""
        due = f"{rng.choice(['due', 'by'])} {item.due}" if item.due else ""
        extras = [e for e in (owner, due, ticket) if e]
        text = item.title + (
            rng.choice([f" — {', '.join(extras)}", f" ({'; '.join(extras)})"]) if extras else ""
        )
        if inc.style == "grouped" and item.status != group:
            group = item.status
            lines += [*([""] if lines else []), f"{sub} {rng.choice(GROUPS[group])}", ""]
        if inc.style == "checkbox":
            text = f"[{'x' if item.status == 'done' else ' '}] {text}"
        elif inc.style == "markers" and item.status in MARKERS:
            marker = rng.choice(MARKERS[item.status])
            text = f"{marker} {text}" if marker.endswith(":") else f"{text} {marker}"
        elif inc.style == "emoji" and item.status in EMOJI:
            text = f"{EMOJI[item.status]} {text}"
        elif inc.style == "strike" and item.status == "done":
            text = f"~~{text}~~"
        lines.append(f"{n}. {text}" if inc.style == "markers" else f"- {text}")
    return lines


def _long(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _human(span: timedelta, rng: random.Random) -> str:
    hours, minutes = divmod(int(span.total_seconds()) // 60, 60)
    if not hours:
        return rng.choice([f"{minutes} minutes", f"{minutes} min"])
    plural = "s" if hours > 1 else ""
    if not minutes:
        return f"{hours} hour{plural}"
    return rng.choice([f"{hours} hour{plural} {minutes} minutes", f"{hours}h{minutes:02d}"])


def _readme(incidents: list[Incident], seed: int) -> str:
    rows = [f"| {i.incident_date} | [{i.title}]({i.filename}) | {i.severity or ''} | {', '.join(i.services)} |"
            for i in reversed(incidents)]  # fmt: skip
    broken = [f"| [{name}]({name}) | {why} |" for name, (why, _) in BROKEN.items()]
    return "\n".join([
        "# Post-mortems", "",
        "Post-mortems of the Example Shop engineering team, one Markdown file per incident, game day",
        "or near miss. New ones start from `templates/postmortem.md` in the pmdash repository.", "",
        f"This is the pmdash demo corpus, written by `pmdash demo` (`loaders/demo.py`, seed {seed}):",
        "regenerate it instead of editing these files. pmdash skips this README as an index.", "",
        "## Broken on purpose", "",
        "They show what the Data & sources page reports for documents it cannot read.", "",
        "| File | What pmdash reports |", "|---|---|", *broken, "",
        "## Index, newest first", "",
        "| Date | Post-mortem | Severity | Services |", "|---|---|---|---|", *rows, "",
    ])  # fmt: skip


def _broken(front: str, body: str, encoding: str = "utf-8") -> bytes:
    return f"---\n{front}---\n\n{body}\n".encode(encoding)


_STALE = "## Summary\n\nSearch indexing fell behind for {} and results were stale."
BROKEN = {  # name: (what pmdash reports, content)
    "broken-invalid-yaml.md": ("error: invalid YAML front matter (the services list is never closed)", _broken(
        "title: Checkout timeouts during the flash sale\ndate: 2026-02-14\nseverity: SEV2\n"
        "services: [checkout, payments\ncategories: [capacity]\n",
        "# Checkout timeouts during the flash sale\n\n## Summary\n\nCheckout timed out for 20 minutes.")),
    "broken-not-utf8.md": ("error: not UTF-8 (saved as Latin-1)", _broken(
        "title: Café kiosk orders lost\ndate: 2026-01-09\nseverity: SEV3\nservices: [checkout]\n",
        "# Café kiosk orders lost\n\n## Summary\n\nThe café kiosk lost 14 orders.", "latin-1")),
    "broken-empty.md": ("error: the file is empty", b""),
    "broken-unknown-severity.md": ("warning: unknown severity `Catastrophic-ish` (loads, without one)", _broken(
        "title: Search index rebuild stalled\ndate: 2025-11-04\nseverity: Catastrophic-ish\n"
        "services: [search]\ncategories: [capacity]\nstatus: published\nkind: incident\n",
        "# Search index rebuild stalled\n\n" + _STALE.format("six hours"))),
    "broken-impossible-date.md": ("warning: `2025-02-30` is not a real date (loads, without a date)", _broken(
        "title: Search results stale after reindex\ndate: 2025-02-30\nseverity: SEV4\n"
        "services: [search]\ncategories: [data-integrity]\n",
        "# Search results stale after reindex\n\n" + _STALE.format("two hours"))),
}  # fmt: skip
