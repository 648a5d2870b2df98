"""Themes (SPEC §6): groups of incidents whose root causes and contributing factors share
vocabulary, found by non-negative matrix factorisation of their TF-IDF rows.

NMF rather than clustering because an incident can belong to more than one theme (a
certificate that expired because nobody was alerted is about certificates and about
alerting), and each factor is a weighted list of words, which gives the label directly.
`init="nndsvd"` and the coordinate-descent solver use no random numbers: the same store
gives the same themes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from loaders.enrich.similarity import vectorizer

MIN_INCIDENTS = 10  # fewer incidents than this get no themes rather than nonsense
MAX_THEMES_PER_INCIDENT = 3
MIN_SHARE = 0.25  # a theme holds an incident when it carries this share of its weights
MIN_MEMBERS = 2  # a "theme" of one incident is not a theme
LABEL_TERMS = 3  # 2–4 terms a person can read; fewer when the factor has fewer
MAX_ITERATIONS = 200


@dataclass(frozen=True, slots=True)
class Theme:
    label: str
    terms: tuple[str, ...]
    members: tuple[tuple[str, float], ...]  # (incident_id, weight), heaviest first


def theme_count(n_documents: int) -> int:
    """About one theme per four incidents, between 2 and 40: enough to separate the kinds
    of failure a team has, few enough to read."""
    return max(2, min(40, round(n_documents / 4)))


def find_themes(ids: Sequence[str], texts: Sequence[str]) -> list[Theme]:
    """Themes of the documents whose `texts` (root cause and contributing factors) say
    something; ordered by size, then label."""
    if len(ids) < MIN_INCIDENTS:
        return []
    model = vectorizer(len(ids), max_df=0.5)
    try:
        matrix = sp.csr_matrix(model.fit_transform(texts))
    except ValueError:  # no document has a word that is not a stop word
        return []
    terms = model.get_feature_names_out()
    components = min(theme_count(len(ids)), *matrix.shape)
    if components < 2:
        return []
    nmf = NMF(n_components=components, init="nndsvd", solver="cd", max_iter=MAX_ITERATIONS)
    with warnings.catch_warnings():
        # Stopping at MAX_ITERATIONS short of full convergence still gives the same factors
        # on every run; the cap is what keeps themes inside the sync's time budget.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = nmf.fit_transform(matrix)
    themes = []
    for k, factor in enumerate(nmf.components_):
        columns = [t for t in np.argsort(-factor, kind="stable")[:LABEL_TERMS] if factor[t] > 0]
        if len(columns) < 2:
            continue
        # A member's own text uses at least two of the label's words: the label is true of
        # every incident listed under it, not only of the factor's heaviest ones.
        says = np.asarray((matrix[:, columns] > 0).sum(axis=1)).ravel() >= 2
        members = _members(weights, k, ids, says)
        if len(members) < MIN_MEMBERS:
            continue
        top = [str(terms[t]) for t in columns]
        themes.append(Theme(", ".join(top), tuple(top), members))
    return sorted(themes, key=lambda t: (-len(t.members), t.label))


def _members(
    weights: np.ndarray, k: int, ids: Sequence[str], says: np.ndarray
) -> tuple[tuple[str, float], ...]:
    """The incidents theme `k` holds: among their three heaviest themes, at least MIN_SHARE
    of their total weight, and `says` (their text uses the label's words)."""
    totals = weights.sum(axis=1)
    # The rank of theme k among each incident's themes (0 = heaviest).
    rank = (weights > weights[:, [k]]).sum(axis=1)
    share = np.divide(weights[:, k], totals, out=np.zeros_like(totals), where=totals > 0)
    chosen = np.flatnonzero((rank < MAX_THEMES_PER_INCIDENT) & (share >= MIN_SHARE) & says)
    members = [(ids[int(i)], round(float(share[i]), 4)) for i in chosen]
    return tuple(sorted(members, key=lambda m: (-m[1], m[0])))
