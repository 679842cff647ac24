"""BM25 over sections: rank-bm25 fits the model, an inverted index scores it.

rank-bm25's get_scores loops in Python over every document for every query term.
Scoring only the documents that hold a query term gives exactly the same numbers
(a term a document lacks adds 0) at a fraction of the cost.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi


class NonNegativeIdfBM25(BM25Okapi):
    """BM25Okapi with Lucene's idf, log(1 + (N - n + 0.5) / (n + 0.5)).

    The classic idf is 0 for a term in exactly half the documents and negative above
    that; rank-bm25 then floors it to epsilon times the average idf, which is itself 0
    in a tiny corpus, so a matching note could score nothing. Lucene's idf stays
    positive and keeps the same order.
    """

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


@dataclass(frozen=True)
class Scored:
    doc: int
    score: float
    matched: tuple[str, ...]


class BM25Index:
    """Exact BM25 scores for a list of term lists; empty lists of documents allowed."""

    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.size = len(docs)
        self.model: NonNegativeIdfBM25 | None = None
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if not any(docs):
            return  # rank-bm25 divides by the total length: nothing to fit
        self.model = NonNegativeIdfBM25(docs, k1=k1, b=b)
        m = self.model
        norm = m.k1 * (1 - m.b + m.b * np.asarray(m.doc_len, dtype=float) / m.avgdl)
        rows: dict[str, tuple[list[int], list[int]]] = {}
        for doc, freqs in enumerate(m.doc_freqs):
            for term, tf in freqs.items():
                ids, tfs = rows.setdefault(term, ([], []))
                ids.append(doc)
                tfs.append(tf)
        for term, (ids, tfs) in rows.items():
            ids_a = np.asarray(ids, dtype=np.int64)
            tf_a = np.asarray(tfs, dtype=float)
            # The per-document weight of one occurrence of term in a query.
            weight = m.idf[term] * tf_a * (m.k1 + 1) / (tf_a + norm[ids_a])
            self._postings[term] = (ids_a, weight)

    def idf(self, term: str) -> float | None:
        return self.model.idf.get(term) if self.model else None

    def max_idf(self) -> float:
        """The idf a term found in no document would get."""
        n = self.size
        return math.log(1 + (n + 0.5) / 0.5)

    def scores(self, query: list[str]) -> np.ndarray:
        """The score of every document, equal to rank-bm25's get_scores."""
        scores = np.zeros(self.size)
        for term in query:  # a repeated query term counts again, as in rank-bm25
            posting = self._postings.get(term)
            if posting is not None:
                np.add.at(scores, posting[0], posting[1])
        return scores

    def top(self, query: list[str], k: int) -> list[Scored]:
        """The k best documents that hold at least one query term, best first.

        Ties keep document order, so results are stable."""
        if k <= 0 or not self._postings:
            return []
        scores = self.scores(query)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size == 0:
            return []
        order = candidates[np.lexsort((candidates, -scores[candidates]))][:k]
        terms = set(query)
        result = []
        for doc in order:
            freqs = self.model.doc_freqs[doc]
            matched = tuple(t for t in dict.fromkeys(query) if t in freqs and t in terms)
            result.append(Scored(int(doc), float(scores[doc]), matched))
        return result

    def doc_terms(self, doc: int) -> Counter:
        return Counter(self.model.doc_freqs[doc]) if self.model else Counter()
