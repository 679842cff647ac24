import random

import numpy as np

from bot.core.index import BM25Index, NonNegativeIdfBM25
from bot.core.search import searchable_text


def test_sparse_scores_equal_rank_bm25_on_random_queries(service, analyzer):
    # A non-trivial corpus: the shipped sections plus shuffled recombinations of them.
    rng = random.Random(7)
    base = [analyzer.terms(searchable_text(s)) for s in service.corpus.sections]
    vocab = sorted({t for doc in base for t in doc})
    docs = base + [rng.sample(vocab, rng.randint(1, 40)) * rng.randint(1, 3) for _ in range(300)]
    index = BM25Index(docs)
    reference = NonNegativeIdfBM25(docs)
    for _ in range(200):
        query = rng.sample(vocab, rng.randint(1, 6)) + rng.choice([[], ["存在しない語"]])
        ours = index.scores(query)
        theirs = reference.get_scores(query)
        assert np.max(np.abs(ours - theirs)) < 1e-9
        top = index.top(query, 10)
        positive = np.flatnonzero(theirs > 0)
        expected = sorted(positive, key=lambda d: (-theirs[d], d))[:10]
        assert [s.doc for s in top] == expected


def test_empty_corpus_returns_nothing_instead_of_dividing_by_zero():
    assert BM25Index([]).top(["kvm"], 3) == []
    assert BM25Index([[], []]).top(["kvm"], 3) == []


def test_a_term_in_half_of_a_tiny_corpus_still_scores():
    # Classic BM25 idf is 0 here and rank-bm25's epsilon floor is 0 too.
    index = BM25Index([["kvm", "qemu"], ["smb", "nfs"]])
    (hit,) = index.top(["kvm"], 3)
    assert hit.doc == 0 and hit.score > 0 and hit.matched == ("kvm",)


def test_documents_without_a_query_term_are_never_returned():
    index = BM25Index([["a"], ["b"], ["c"], ["a", "b"]])
    assert [s.doc for s in index.top(["a"], 10)] == [0, 3]
    assert index.top(["zzz"], 10) == []
