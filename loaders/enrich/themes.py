"""Themes (SPEC §6): groups of incidents whose root causes and contributing factors share
vocabulary, found by k-means over their TF-IDF rows.

k-means rather than NMF for time: at 10,000 post-mortems NMF took 5-14 s of CPU however it
was bounded (measured with bench/similarity.py's documents), k-means about one second
with at most 1,000 words and 50 rounds. A fixed seed (`random_state`) makes it
deterministic: the same store gives the same themes. Each incident is in one theme or none
(SPEC allows up to three). A theme is labelled by the words that weigh most in its centre,
and holds only the incidents whose own text uses at least two of them, so the label is
true of every incident listed under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans

MIN_INCIDENTS = 10  # fewer incidents than this get no themes rather than nonsense
MIN_MEMBERS = 2  # a "theme" of one incident is not a theme
LABEL_TERMS = 3  # 2–4 terms a person can read
MIN_LABEL_WORDS = 2  # of the label's words a member's own text uses
MAX_TERMS = 1000  # the most widespread words are enough to group by; fewer is faster
SEED = 0
MAX_ITERATIONS = 50  # k-means settles within a few dozen rounds on post-mortem text


@dataclass(frozen=True, slots=True)
class Theme:
    label: str
    terms: tuple[str, ...]
    members: tuple[tuple[str, float], ...]  # (incident_id, cosine to the theme), closest first


def theme_count(n_documents: int) -> int:
    """About one theme per three incidents, between 2 and 40: enough to separate the kinds
    of failure a team has, few enough to read."""
    return max(2, min(40, round(n_documents / 3)))


def find_themes(ids: Sequence[str], causes: sp.csr_matrix, terms: np.ndarray) -> list[Theme]:
    """Themes of the documents whose cause rows (TF-IDF, L2-normalised) say something;
    ordered by size, then label."""
    stated = np.flatnonzero(causes.getnnz(axis=1) > 0)
    if len(ids) < MIN_INCIDENTS or len(stated) < MIN_INCIDENTS:
        return []
    rows = causes[stated]
    spread = np.asarray((rows > 0).sum(axis=0)).ravel()
    columns = np.sort(np.argsort(-spread, kind="stable")[:MAX_TERMS])
    rows = sp.csr_matrix(rows[:, columns])
    k = min(theme_count(len(stated)), rows.shape[0] - 1)
    model = KMeans(n_clusters=k, random_state=SEED, n_init=1, max_iter=MAX_ITERATIONS).fit(rows)
    themes = []
    for c, centre in enumerate(model.cluster_centers_):
        top = [t for t in np.argsort(-centre, kind="stable")[:LABEL_TERMS] if centre[t] > 0]
        if len(top) < 2:
            continue
        in_cluster = np.flatnonzero(model.labels_ == c)
        uses = np.asarray((rows[in_cluster][:, top] > 0).sum(axis=1)).ravel() >= MIN_LABEL_WORDS
        members = in_cluster[uses]
        if len(members) < MIN_MEMBERS:
            continue
        closeness = np.asarray(rows[members] @ centre).ravel() / max(np.linalg.norm(centre), 1e-9)
        listed = sorted(
            ((ids[int(stated[m])], round(float(w), 4)) for m, w in zip(members, closeness, strict=True)),
            key=lambda member: (-member[1], member[0]),
        )  # fmt: skip
        words = tuple(str(terms[columns[t]]) for t in top)
        themes.append(Theme(", ".join(words), words, tuple(listed)))
    return sorted(themes, key=lambda t: (-len(t.members), t.label))
