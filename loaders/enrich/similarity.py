"""Similar incidents (SPEC §6): TF-IDF of titles and of bodies, a weighted cosine, sparse.

Why two vectors: in real collections the same failure is titled alike ("Hub pods dying",
"hub pods OOMKilled") while bodies share the boilerplate every post-mortem has (users,
engineer, deploy, monitoring). One vector over all the text lets the long bodies drown the
titles, so pairs a reader links score like unrelated ones. The weights and the default
threshold were measured on the real post-mortems in the shared corpus (see
`TITLE_WEIGHT` and `loaders.config_schema.DEFAULT_SIMILARITY`).

Everything stays sparse: the similarity matrix is built a block of rows at a time and only
the entries at or above the threshold are kept, so memory grows with the number of similar
pairs, never with n × n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

# Words nearly every post-mortem uses, whatever went wrong: they say nothing about which
# failure it was. Month and weekday names come from titles such as "Incident report July 11".
POSTMORTEM_STOP_WORDS = frozenset(
    [
        "incident",
        "incidents",
        "issue",
        "issues",
        "problem",
        "problems",
        "team",
        "teams",
        "report",
        "reports",
        "reported",
        "postmortem",
        "postmortems",
        "post",
        "mortem",
        "mortems",
        "summary",
        "overview",
        "root",
        "cause",
        "causes",
        "caused",
        "impact",
        "impacted",
        "action",
        "actions",
        "item",
        "items",
        "timeline",
        "resolution",
        "resolved",
        "resolve",
        "fix",
        "fixed",
        "follow",
        "followup",
        "improve",
        "improved",
        "improvement",
        "improvements",
        "better",
        "ensure",
        "monitoring",
        "outage",
        "outages",
        "user",
        "users",
        "customer",
        "customers",
        "engineer",
        "engineers",
        "people",
        "time",
        "times",
        "happened",
        "happen",
        "went",
        "wrong",
        "going",
        "make",
        "made",
        "need",
        "needed",
        "able",
        "did",
        "does",
        "done",
        "way",
        "lot",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "morning",
        "afternoon",
        "evening",
        "night",
        "day",
        "days",
        "week",
        "weeks",
        "hour",
        "hours",
        "minute",
        "minutes",
        "utc",
        "pm",
        "am",
        "wasn",
        "didn",
        "doesn",
        "isn",
        "aren",
        "couldn",
        "wouldn",
        "shouldn",
        "hasn",
        "haven",
        "weren",
        "won",
        "don",
        "ll",
        "ve",
        "identified",
        "attempting",
        "attempt",
        "attempted",
        "tried",
        "noticed",
        "started",
        "caused",
        "causing",
        "result",
        "resulted",
        "led",
        "leading",
        "appears",
        "appeared",
        "seemed",
        "believe",
        "think",
        "likely",
        "probably",
        "gone",
        "concrete",
    ]
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | POSTMORTEM_STOP_WORDS)
# Words of letters (with inner hyphens or dots, as in `ingress-nginx`), at least two long:
# numbers, dates and ids are not what two failures have in common.
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_]+(?:[-.][^\W\d_]+)*\b"

# The title's share of the combined similarity (the body has the rest). Measured on the
# shared corpus: see the module docstring of tests/test_similarity_corpus.py.
TITLE_WEIGHT = 0.7
# A body term in more than this share of the post-mortems is boilerplate. Only applied from
# MIN_DOCS_FOR_MAX_DF documents on: in a store of three, a shared word is not boilerplate.
BODY_MAX_DF = 0.5
MIN_DOCS_FOR_MAX_DF = 10
SHARED_TERMS = 5  # terms kept per pair, the ones that weigh most in its similarity
ROWS_PER_BLOCK = 1024  # rows of the similarity matrix built at once


@dataclass(frozen=True, slots=True)
class Document:
    incident_id: str
    title: str
    body: str  # summary, root cause, contributing factors


@dataclass(frozen=True, slots=True)
class Pair:
    incident_id: str
    similar_incident_id: str
    similarity: float
    shared_terms: tuple[str, ...]


@dataclass(slots=True)
class Vectors:
    """The title and body TF-IDF rows of the documents, in the documents' order."""

    titles: sp.csr_matrix
    bodies: sp.csr_matrix
    title_terms: np.ndarray
    body_terms: np.ndarray


def vectorizer(n_documents: int, *, max_df: float = 1.0) -> TfidfVectorizer:
    """Word TF-IDF with pmdash's stop words; rows come out L2-normalised (dot = cosine)."""
    return TfidfVectorizer(
        lowercase=True,
        stop_words=STOP_WORDS,
        token_pattern=TOKEN_PATTERN,
        sublinear_tf=True,
        max_df=max_df if n_documents >= MIN_DOCS_FOR_MAX_DF else 1.0,
        dtype=np.float32,
    )


def vectorize(documents: Sequence[Document]) -> Vectors:
    n = len(documents)
    titles, title_terms = _fit(vectorizer(n), [d.title for d in documents], n)
    bodies, body_terms = _fit(vectorizer(n, max_df=BODY_MAX_DF), [d.body for d in documents], n)
    return Vectors(titles, bodies, title_terms, body_terms)


def _fit(model: TfidfVectorizer, texts: list[str], n: int) -> tuple[sp.csr_matrix, np.ndarray]:
    try:
        matrix = model.fit_transform(texts)
    except ValueError:  # no text has a single word that is not a stop word
        return sp.csr_matrix((n, 0), dtype=np.float32), np.array([], dtype=object)
    return sp.csr_matrix(matrix), model.get_feature_names_out()


def similar_pairs(
    vectors: Vectors, ids: Sequence[str], threshold: float, title_weight: float = TITLE_WEIGHT
) -> list[Pair]:
    """Every pair of documents whose combined similarity is at least `threshold`, in both
    orders, with the terms that weigh most in it.

    Combined = title_weight × cos(titles) + (1 − title_weight) × cos(bodies); for a pair in
    which one side has no body, the titles alone (a missing section is not a difference).
    """
    body_weight = 1.0 - title_weight
    has_body = np.asarray(vectors.bodies.getnnz(axis=1) > 0, dtype=np.float32)
    titles_t = vectors.titles.T.tocsc()
    bodies_t = vectors.bodies.T.tocsc()
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    values: list[np.ndarray] = []
    n = vectors.titles.shape[0]
    for start in range(0, n, ROWS_PER_BLOCK):
        stop = min(start + ROWS_PER_BLOCK, n)
        by_title = vectors.titles[start:stop] @ titles_t
        by_body = vectors.bodies[start:stop] @ bodies_t
        # Where both have a body: weighted sum. Otherwise the title's score alone.
        both = sp.diags(has_body[start:stop]) @ by_title @ sp.diags(has_body)
        block = sp.csr_matrix(
            title_weight * both + body_weight * by_body + (by_title - both)
        ).tocoo()
        keep = (block.data >= threshold - 1e-6) & (block.row + start < block.col)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
        values.append(block.data[keep])
    left = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
    right = np.concatenate(cols) if cols else np.array([], dtype=np.int64)
    scores = np.concatenate(values) if values else np.array([], dtype=np.float32)
    terms = shared_terms(vectors, left, right, title_weight)
    pairs: list[Pair] = []
    for i, j, score, shared in zip(left, right, scores, terms, strict=True):
        similarity = round(min(float(score), 1.0), 4)
        pairs.append(Pair(ids[i], ids[j], similarity, shared))
        pairs.append(Pair(ids[j], ids[i], similarity, shared))
    return pairs


def shared_terms(
    vectors: Vectors, left: np.ndarray, right: np.ndarray, title_weight: float
) -> list[tuple[str, ...]]:
    """For each pair, the words whose weights in both documents add most to its similarity."""
    if len(left) == 0:
        return []
    vocabulary = sorted(set(vectors.title_terms) | set(vectors.body_terms))
    index = {term: k for k, term in enumerate(vocabulary)}
    contributions = title_weight * _onto(
        vectors.titles[left].multiply(vectors.titles[right]), vectors.title_terms, index
    ) + (1 - title_weight) * _onto(
        vectors.bodies[left].multiply(vectors.bodies[right]), vectors.body_terms, index
    )
    contributions = sp.csr_matrix(contributions)
    result = []
    for k in range(contributions.shape[0]):
        begin, end = contributions.indptr[k], contributions.indptr[k + 1]
        weights = contributions.data[begin:end]
        columns = contributions.indices[begin:end]
        # Highest weight first; ties by the word, so the choice never depends on the run.
        order = np.lexsort((np.array([vocabulary[c] for c in columns]), -weights))
        result.append(tuple(vocabulary[columns[o]] for o in order[:SHARED_TERMS]))
    return result


def _onto(matrix: sp.spmatrix, terms: np.ndarray, index: dict[str, int]) -> sp.csr_matrix:
    """Columns of `matrix` (one per term of `terms`) moved onto the shared vocabulary."""
    mapping = sp.csr_matrix(
        (np.ones(len(terms)), (np.arange(len(terms)), [index[t] for t in terms])),
        shape=(len(terms), len(index)),
    )
    return sp.csr_matrix(matrix) @ mapping


def groups(pairs: Sequence[Pair], ids: Sequence[str]) -> dict[str, int]:
    """The group (connected component) of every incident that has a similar one."""
    position = {incident_id: k for k, incident_id in enumerate(ids)}
    left = [position[p.incident_id] for p in pairs]
    right = [position[p.similar_incident_id] for p in pairs]
    graph = sp.csr_matrix((np.ones(len(pairs)), (left, right)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    linked = set(left)
    return {ids[k]: int(labels[k]) for k in sorted(linked)}
