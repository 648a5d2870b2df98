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
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.preprocessing import normalize

# Words nearly every post-mortem uses, whatever went wrong: they say nothing about which
# failure it was. Month and weekday names come from titles such as "Incident report July 11".
POSTMORTEM_STOP_WORDS = frozenset(
    """
    incident incidents issue issues problem problems team teams report reports reported
    postmortem postmortems post mortem mortems summary overview root cause causes caused
    impact impacted action actions item items timeline resolution resolved resolve fix fixed
    follow followup improve improved improvement improvements better ensure monitoring
    outage outages user users customer customers engineer engineers people time times
    happened happen went wrong going make made need needed able did does done way lot
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
    friday saturday sunday today yesterday morning afternoon evening night day days week
    weeks hour hours minute minutes utc pm am
    wasn didn doesn isn aren couldn wouldn shouldn hasn haven weren won don ll ve
    identified attempting attempt attempted tried noticed started caused causing result
    resulted led leading appears appeared seemed believe think likely probably gone concrete
    notice sooner soon quickly faster
    """.split()  # noqa: SIM905 - a word list reads best as words
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
ROWS_PER_BLOCK = 1024  # rows of the title similarity matrix built at once
BODY_TERMS = 32  # a body's heaviest words, the ones compared
PAIRS_PER_SLICE = 50_000  # candidate pairs whose bodies are compared at once


@dataclass(frozen=True, slots=True)
class Document:
    incident_id: str
    title: str
    summary: str
    causes: str  # root cause and contributing factors


@dataclass(frozen=True, slots=True)
class Pair:
    incident_id: str
    similar_incident_id: str
    similarity: float
    shared_terms: tuple[str, ...]


@dataclass(slots=True)
class Vectors:
    """TF-IDF rows of the documents, in the documents' order (L2-normalised: dot = cosine).

    `bodies` are summary + causes; `causes` are what themes read: root cause and
    contributing factors, or the summary of a document that has neither. Both use
    `body_terms`."""

    titles: sp.csr_matrix
    bodies: sp.csr_matrix
    causes: sp.csr_matrix
    title_terms: np.ndarray
    body_terms: np.ndarray


def vectorizer(n_documents: int, *, max_df: float = 1.0) -> TfidfVectorizer:
    """Word TF-IDF with pmdash's stop words."""
    return TfidfVectorizer(
        lowercase=True,
        stop_words=STOP_WORDS,
        token_pattern=TOKEN_PATTERN,
        sublinear_tf=True,
        max_df=max_df if n_documents >= MIN_DOCS_FOR_MAX_DF else 1.0,
        dtype=np.float32,
    )


def vectorize(documents: Sequence[Document]) -> Vectors:
    """Each text is read once: titles by one vectorizer, summaries and causes by one
    counter over both, whose counts add up to the bodies."""
    n = len(documents)
    titles, title_terms = _fit(vectorizer(n), [d.title for d in documents], n)
    counter = CountVectorizer(
        lowercase=True, stop_words=STOP_WORDS, token_pattern=TOKEN_PATTERN, dtype=np.float32
    )
    try:
        counts = sp.csr_matrix(
            counter.fit_transform([d.summary for d in documents] + [d.causes for d in documents])
        )
        body_terms = counter.get_feature_names_out()
    except ValueError:  # no text has a single word that is not a stop word
        counts, body_terms = sp.csr_matrix((2 * n, 0), dtype=np.float32), np.array([], dtype=object)
    summaries, causes = counts[:n], counts[n:]
    bodies = summaries + causes
    if n >= MIN_DOCS_FOR_MAX_DF:  # boilerplate: a word in most post-mortems
        common = np.asarray((bodies > 0).sum(axis=0)).ravel() > BODY_MAX_DF * n
        bodies, summaries, causes = (
            m @ sp.diags((~common).astype(np.float32)) for m in (bodies, summaries, causes)
        )
    stated = (causes.getnnz(axis=1) > 0).astype(np.float32)
    causes = sp.diags(stated) @ causes + sp.diags(1 - stated) @ summaries
    if not body_terms.size:  # no body has a word: nothing to weigh (scikit-learn refuses)
        return Vectors(titles, bodies, causes, title_terms, body_terms)
    return Vectors(titles, _heaviest(_weigh(bodies)), _weigh(causes), title_terms, body_terms)


def _heaviest(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row cut to its BODY_TERMS heaviest words, normalised again. Those words carry
    nearly all of a cosine between two bodies, and comparing ~30 instead of ~300 words per
    body keeps a large store's sync fast."""
    matrix = sp.csr_matrix(matrix)
    for k in range(matrix.shape[0]):
        begin, end = matrix.indptr[k], matrix.indptr[k + 1]
        if end - begin > BODY_TERMS:
            row = matrix.data[begin:end]
            row[np.argsort(-row, kind="stable")[BODY_TERMS:]] = 0
    matrix.eliminate_zeros()
    return sp.csr_matrix(normalize(matrix), dtype=np.float32)


def _weigh(counts: sp.csr_matrix) -> sp.csr_matrix:
    return sp.csr_matrix(
        TfidfTransformer(sublinear_tf=True).fit_transform(counts), dtype=np.float32
    )


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
    left, right, scores = _scored_pairs(vectors, threshold, title_weight)
    terms = shared_terms(vectors, left, right, title_weight)
    pairs: list[Pair] = []
    for i, j, score, shared in zip(
        left.tolist(), right.tolist(), scores.tolist(), terms, strict=True
    ):
        similarity = round(min(score, 1.0), 4)
        pairs.append(Pair(ids[i], ids[j], similarity, shared))
        pairs.append(Pair(ids[j], ids[i], similarity, shared))
    return pairs


def _scored_pairs(
    vectors: Vectors, threshold: float, title_weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, score) with i < j for every pair at or above the threshold.

    Bodies share many words (nearly every pair has a body cosine above 0), so their full
    product is close to dense. A body cosine is at most 1, so a pair can only reach the
    threshold when its title cosine is at least (threshold − body weight) / title weight:
    the sparse title product names the candidates, and bodies are compared for those only.
    Below a threshold of the body weight, every pair is a candidate and the bodies' product
    is built a block of rows at a time instead.
    """
    body_weight = 1.0 - title_weight
    has_body = np.asarray(vectors.bodies.getnnz(axis=1) > 0)
    titles_t = vectors.titles.T.tocsc()
    bodies_t = vectors.bodies.T.tocsc()
    n = vectors.titles.shape[0]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, n, ROWS_PER_BLOCK):
        stop = min(start + ROWS_PER_BLOCK, n)
        by_title = sp.csr_matrix(vectors.titles[start:stop] @ titles_t)
        if threshold > body_weight:
            by_title = by_title.tocoo()
            floor = (threshold - body_weight) / title_weight - 1e-6
            keep = (by_title.data >= floor) & (by_title.row + start < by_title.col)
            rows, cols, title_scores = (
                by_title.row[keep] + start,
                by_title.col[keep],
                by_title.data[keep],
            )
            body_scores = _row_dots(vectors.bodies, rows, cols)
        else:  # every pair is a candidate: the block's products, kept sparse
            by_body = sp.csr_matrix(vectors.bodies[start:stop] @ bodies_t)
            union = (by_title + by_body).tocoo()
            keep = union.row + start < union.col
            rows, cols = union.row[keep] + start, union.col[keep]
            title_scores = np.asarray(by_title[rows - start, cols]).ravel()
            body_scores = np.asarray(by_body[rows - start, cols]).ravel()
        both = has_body[rows] & has_body[cols]
        scores = np.where(
            both, title_weight * title_scores + body_weight * body_scores, title_scores
        )
        keep = scores >= threshold - 1e-6
        found.append((rows[keep], cols[keep], scores[keep]))
    if not found:
        empty = np.array([], dtype=np.int64)
        return empty, empty, np.array([], dtype=np.float32)
    return tuple(np.concatenate(part) for part in zip(*found, strict=True))  # type: ignore[return-value]


def _row_dots(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[rows[k]] · matrix[cols[k]] for every k, a bounded slice of pairs at a time."""
    out = np.zeros(len(rows), dtype=np.float32)
    for begin in range(0, len(rows), PAIRS_PER_SLICE):
        end = begin + PAIRS_PER_SLICE
        product = matrix[rows[begin:end]].multiply(matrix[cols[begin:end]])
        out[begin:end] = np.asarray(product.sum(axis=1)).ravel()
    return out


def shared_terms(
    vectors: Vectors, left: np.ndarray, right: np.ndarray, title_weight: float
) -> list[tuple[str, ...]]:
    """For each pair, the words whose weights in both documents add most to its similarity
    (heaviest first, ties by the word, so the choice never depends on the run)."""
    if len(left) == 0:
        return []
    vocabulary = np.array(sorted(set(vectors.title_terms) | set(vectors.body_terms)), dtype=object)
    index = {term: k for k, term in enumerate(vocabulary)}
    contributions = sp.csr_matrix(
        title_weight * _onto(vectors.titles[left].multiply(vectors.titles[right]), vectors.title_terms, index)
        + (1 - title_weight) * _onto(vectors.bodies[left].multiply(vectors.bodies[right]), vectors.body_terms, index)
    )  # fmt: skip
    contributions.eliminate_zeros()
    row = np.repeat(np.arange(contributions.shape[0]), np.diff(contributions.indptr))
    # Columns are in alphabetical order (the vocabulary is sorted), so they break ties.
    order = np.lexsort((contributions.indices, -contributions.data, row))
    rank = np.arange(len(order)) - contributions.indptr[row[order]]
    chosen = order[rank < SHARED_TERMS]
    words = vocabulary[contributions.indices[chosen]]
    counts = np.bincount(row[chosen], minlength=contributions.shape[0])
    return [tuple(part) for part in np.split(words, np.cumsum(counts)[:-1])]


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
