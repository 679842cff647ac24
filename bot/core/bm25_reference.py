"""rank-bm25 with manabi's idf: the reference BM25Index is checked against.

Only tests and benchmarks import this; the search never does, so a cold
`manabi ask` does not pay for importing rank-bm25 (and numpy with it).
"""

from __future__ import annotations

import math

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
