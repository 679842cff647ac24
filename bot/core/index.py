"""BM25 over sections: exactly rank-bm25's get_scores, without looping over every section.

rank-bm25 loops in Python over every document for every query term. Here each term
keeps a posting list (the documents that hold it, with the weight one occurrence of
the term in a query adds to each), so a query touches only those documents. Every
number is computed with the operations get_scores uses, in the same order, so the
scores are equal to the last bit (tests/test_index.py checks it against
NonNegativeIdfBM25, which the search itself never imports).

The postings live in one of two stores. Small corpora use Python lists: for the few
hundred sections of a cold `manabi ask`, importing numpy takes longer than building
and searching. From ARRAY_MIN_DOCS sections on, numpy arrays: one sort builds them
and a query costs well under a millisecond at 100,000 sections.
"""

from __future__ import annotations

import base64
import heapq
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported only for large notes (ARRAY_MIN_DOCS)
    import numpy as np

ARRAY_MIN_DOCS = 2_000


def __getattr__(name: str):
    # `from bot.core.index import NonNegativeIdfBM25` keeps working for tests and
    # benchmarks, importing rank-bm25 only then.
    if name == "NonNegativeIdfBM25":
        from bot.core.bm25_reference import NonNegativeIdfBM25

        return NonNegativeIdfBM25
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Scored:
    doc: int
    score: float
    matched: tuple[str, ...]


def idf(size: int, doc_freq: int) -> float:
    """Lucene's idf, never negative; the same expression as NonNegativeIdfBM25."""
    return math.log(1 + (size - doc_freq + 0.5) / (doc_freq + 0.5))


def char_bigrams(text: str) -> list[str]:
    """Every pair of adjacent letters or digits of text, lower-cased: "仮想化" -> 仮想,
    想化. Whitespace, symbols and punctuation break the pairs; a lone letter between
    them gives none."""
    out: list[str] = []
    for run in _WORD_RUN.findall(text.lower()):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


_WORD_RUN = re.compile(r"[^\W_]+")


def _length_norm(doc_len, avgdl: float, k1: float, b: float):
    # For a number or a numpy array alike, grouped as get_scores groups it.
    return k1 * (1 - b + b * doc_len / avgdl)


def _weight(term_idf, tf, norm, k1: float):
    # What one occurrence of a query term adds to a document, grouped as get_scores.
    return term_idf * (tf * (k1 + 1) / (tf + norm))


class BM25Index:
    """Exact BM25 scores for a list of term lists; empty lists of documents allowed."""

    def __init__(
        self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75, pairs: list[list[str]] | None = None
    ) -> None:
        """pairs, when given: each document's letter pairs (char_bigrams), indexed the
        same way as self.pairs and stored with this index in its snapshot."""
        self.size = len(docs)
        self.k1, self.b = k1, b
        store = ArrayPostings if self.size >= ARRAY_MIN_DOCS else ListPostings
        self._postings = store(docs, k1, b)
        self.pairs = None if pairs is None else BM25Index(pairs, k1, b)
        if self.pairs is not None and self.pairs.size != self.size:
            raise ValueError(f"{self.pairs.size} pair lists for {self.size} documents")

    def snapshot(self) -> dict | None:
        """The index as plain data (JSON-ready: lists and base64 text), to be stored and
        loaded instead of rebuilt; None for small indexes, quicker to rebuild."""
        if not isinstance(self._postings, ArrayPostings):
            return None
        pairs = {} if self.pairs is None else {"pairs": self.pairs.snapshot()}
        return {"size": self.size, "k1": self.k1, "b": self.b} | self._postings.snapshot() | pairs

    @classmethod
    def from_snapshot(cls, data: object, size: int, k1: float, b: float) -> BM25Index | None:
        """The index snapshot() gave, if data is one for size documents and these
        parameters; None for anything else (another corpus, damaged data)."""
        if not isinstance(data, dict) or (data.get("size"), data.get("k1"), data.get("b")) != (size, k1, b):
            return None
        postings = ArrayPostings.from_snapshot(data, size)
        if postings is None:
            return None
        pairs = None
        if "pairs" in data:
            pairs = cls.from_snapshot(data["pairs"], size, k1, b)
            if pairs is None:
                return None
        index = cls.__new__(cls)
        index.size, index.k1, index.b, index._postings, index.pairs = size, k1, b, postings, pairs
        return index

    def idf(self, term: str) -> float | None:
        return self._postings.idf(term)

    def max_idf(self) -> float:
        """The idf a term found in no document would get."""
        return idf(self.size, 0)

    def scores(self, query: list[str]) -> np.ndarray:
        """The score of every document, equal to rank-bm25's get_scores."""
        return self._postings.scores(query)

    def top(self, query: list[str], k: int) -> list[Scored]:
        """The k best documents that hold at least one query term, best first.

        Ties keep document order, so results are stable."""
        return [Scored(doc, score, self.matched(query, doc)) for doc, score in self.ranked(query, k)[0]]

    def ranked(self, query: list[str], k: int) -> tuple[list[tuple[int, float]], Callable[[int], float]]:
        """(doc, score) of the k best, as top() orders them, and the score of any
        document for the same query (0.0 for one that holds no query term), from the
        one pass over the postings."""
        if k <= 0:
            return [], lambda doc: 0.0
        return self._postings.top(query, k)

    def docs(self, term: str) -> Sequence[int]:
        """The documents that hold term, ascending."""
        return self._postings.docs(term)

    def holds(self, doc: int, term: str) -> bool:
        return self._postings.holds(doc, term)

    def matched(self, query: list[str], doc: int) -> tuple[str, ...]:
        """The distinct query terms doc holds, in query order."""
        return tuple(t for t in dict.fromkeys(query) if self._postings.holds(doc, t))


class ListPostings:
    """term -> (ascending doc ids, weights) as Python lists; no numpy needed."""

    def __init__(self, docs: list[list[str]], k1: float, b: float) -> None:
        self.size = len(docs)
        self._postings: dict[str, tuple[list[int], list[float]]] = {}
        self._idf: dict[str, float] = {}
        total_len = sum(map(len, docs))
        if not total_len:
            return  # BM25 divides by the average length: nothing to index
        avgdl = total_len / self.size
        tfs: dict[str, tuple[list[int], list[int]]] = {}
        for doc, terms in enumerate(docs):
            for term, tf in Counter(terms).items():
                ids, counts = tfs.setdefault(term, ([], []))
                ids.append(doc)
                counts.append(tf)
        norms = [_length_norm(len(d), avgdl, k1, b) for d in docs]
        for term, (ids, counts) in tfs.items():
            term_idf = self._idf[term] = idf(self.size, len(ids))
            self._postings[term] = (ids, [_weight(term_idf, tf, norms[d], k1) for d, tf in zip(ids, counts)])

    def idf(self, term: str) -> float | None:
        return self._idf.get(term)

    def docs(self, term: str) -> Sequence[int]:
        return self._postings.get(term, ((), ()))[0]

    def holds(self, doc: int, term: str) -> bool:
        ids = self._postings.get(term, ((), ()))[0]
        i = bisect_left(ids, doc)
        return i < len(ids) and ids[i] == doc


    def _accumulate(self, query: list[str]) -> dict[int, float]:
        """doc -> score for the documents holding a query term, summed in query order."""
        scores: dict[int, float] = {}
        for term in query:  # a repeated query term counts again, as in rank-bm25
            ids, weights = self._postings.get(term, ((), ()))
            get = scores.get
            for doc, weight in zip(ids, weights):
                scores[doc] = get(doc, 0.0) + weight
        return scores

    def scores(self, query: list[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros(self.size)
        for doc, score in self._accumulate(query).items():
            out[doc] = score
        return out

    def top(self, query: list[str], k: int) -> tuple[list[tuple[int, float]], Callable[[int], float]]:
        scores = self._accumulate(query)
        best = heapq.nsmallest(k, ((-score, doc) for doc, score in scores.items() if score > 0))
        return [(doc, -negated) for negated, doc in best], lambda doc: scores.get(doc, 0.0)


class ArrayPostings:
    """All postings in three numpy arrays, sorted by term then document:
    doc ids, weights, and where each term's run starts."""

    def __init__(self, docs: list[list[str]], k1: float, b: float) -> None:
        import numpy as np

        self.size = len(docs)
        self._term_ids: dict[str, int] = {}
        self._idf: list[float] = []
        doc_lens = np.fromiter(map(len, docs), dtype=np.int64, count=self.size)
        total_len = int(doc_lens.sum())
        self._starts = [0]
        self._docs = np.zeros(0, dtype=np.int64)
        self._weights = np.zeros(0)
        if not total_len:
            return  # BM25 divides by the average length: nothing to index
        # Every (term, doc) pair as one number, term * size + doc; sorting them
        # groups each term's postings with its documents ascending.
        # Term ids in order of first use.
        ids = self._term_ids = {term: i for i, term in enumerate(dict.fromkeys(chain.from_iterable(docs)))}
        token_terms = np.fromiter(map(ids.__getitem__, chain.from_iterable(docs)), dtype=np.int64, count=total_len)
        token_docs = np.repeat(np.arange(self.size, dtype=np.int64), doc_lens)
        pairs, tfs = np.unique(token_terms * self.size + token_docs, return_counts=True)
        pair_terms, self._docs = np.divmod(pairs, self.size)
        doc_freqs = np.bincount(pair_terms, minlength=len(ids))
        self._starts = [0, *np.cumsum(doc_freqs).tolist()]
        # math.log per term, not np.log, whose vectorised rounding may differ by a bit.
        self._idf = [idf(self.size, df) for df in doc_freqs.tolist()]
        norms = _length_norm(doc_lens, total_len / self.size, k1, b)
        term_idfs = np.asarray(self._idf)[pair_terms]
        self._weights = _weight(term_idfs, tfs, norms[self._docs], k1)

    def idf(self, term: str) -> float | None:
        term_id = self._term_ids.get(term)
        return None if term_id is None else self._idf[term_id]

    def snapshot(self) -> dict:
        import numpy as np

        return {
            "vocabulary": list(self._term_ids),
            "starts": _encode(np.asarray(self._starts, dtype="<i8")),
            "idf": _encode(np.asarray(self._idf, dtype="<f8")),
            "docs": _encode(self._docs.astype("<i8")),
            "weights": _encode(self._weights.astype("<f8")),
        }

    @classmethod
    def from_snapshot(cls, data: dict, size: int) -> ArrayPostings | None:
        import numpy as np

        vocabulary = data.get("vocabulary")
        if not isinstance(vocabulary, list) or not all(type(t) is str for t in vocabulary):
            return None
        try:
            starts, idf, docs = (_decode(data.get(k), "<i8" if k != "idf" else "<f8") for k in ("starts", "idf", "docs"))
            weights = _decode(data.get("weights"), "<f8")
        except ValueError:
            return None
        term_ids = {term: i for i, term in enumerate(vocabulary)}
        if not (
            len(term_ids) == len(vocabulary) == len(idf) == len(starts) - 1
            and len(docs) == len(weights) == starts[-1]
            and starts[0] == 0
            and np.all(np.diff(starts) >= 0)
            and (len(docs) == 0 or (docs.min() >= 0 and docs.max() < size))
            and np.all(np.isfinite(weights))
            and np.all(np.isfinite(idf))
        ):
            return None
        postings = cls.__new__(cls)
        postings.size = size
        postings._term_ids = term_ids
        postings._idf = idf.tolist()
        postings._starts = starts.tolist()
        postings._docs = docs.astype(np.int64)
        postings._weights = weights.astype(np.float64)
        return postings

    def _posting(self, term: str):
        term_id = self._term_ids.get(term)
        if term_id is None:
            return None
        start, end = self._starts[term_id], self._starts[term_id + 1]
        return self._docs[start:end], self._weights[start:end]

    def docs(self, term: str) -> Sequence[int]:
        posting = self._posting(term)
        return () if posting is None else posting[0].tolist()

    def holds(self, doc: int, term: str) -> bool:
        posting = self._posting(term)
        if posting is None:
            return False
        ids = posting[0]
        i = int(ids.searchsorted(doc))
        return i < len(ids) and ids[i] == doc

    def scores(self, query: list[str]) -> np.ndarray:
        import numpy as np

        scores = np.zeros(self.size)
        for term in query:  # a repeated query term counts again, as in rank-bm25
            posting = self._posting(term)
            if posting is not None:
                # A term lists each document once, so a plain += adds in place.
                scores[posting[0]] += posting[1]
        return scores

    def top(self, query: list[str], k: int) -> tuple[list[tuple[int, float]], Callable[[int], float]]:
        import numpy as np

        scores = self.scores(query)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > k:
            # Keep the k best and everything tied with the k-th, then order those.
            kth = np.partition(scores[candidates], candidates.size - k)[candidates.size - k]
            candidates = candidates[scores[candidates] >= kth]
        order = candidates[np.lexsort((candidates, -scores[candidates]))][:k]
        return [(int(d), float(scores[d])) for d in order], lambda doc: float(scores[doc])


def _encode(array) -> str:
    return base64.b64encode(array.tobytes()).decode("ascii")


def _decode(text: object, dtype: str):
    """The array _encode wrote; ValueError for anything else."""
    import numpy as np

    if type(text) is not str:
        raise ValueError("not text")
    data = base64.b64decode(text, validate=True)  # binascii.Error is a ValueError
    if len(data) % 8:
        raise ValueError("not a whole number of 8-byte values")
    return np.frombuffer(data, dtype=dtype)
