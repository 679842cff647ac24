import json
import random
import subprocess
import sys

import numpy as np
import pytest

from bot.core import index as index_module
from bot.core.index import BM25Index, NonNegativeIdfBM25, char_bigrams
from bot.core.search import B, K1, searchable_text
from tests.conftest import ROOT


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


@pytest.fixture(params=["lists", "arrays"])
def store(request, monkeypatch):
    """Run a test on both posting stores: Python lists (small corpora) and numpy arrays."""
    monkeypatch.setattr(index_module, "ARRAY_MIN_DOCS", 10**9 if request.param == "lists" else 0)
    return request.param


@pytest.mark.parametrize("k1, b", [(1.5, 0.75), (K1, B)])  # rank-bm25's defaults, the search's
def test_both_stores_give_rank_bm25_scores_to_the_last_bit(store, service, analyzer, k1, b):
    rng = random.Random(11)
    base = [analyzer.terms(searchable_text(s)) for s in service.corpus.sections]
    vocab = sorted({t for doc in base for t in doc})
    docs = base + [rng.choices(vocab, k=rng.randint(1, 60)) for _ in range(500)] + [[]]
    index = BM25Index(docs, k1=k1, b=b)
    reference = NonNegativeIdfBM25(docs, k1=k1, b=b)
    for _ in range(200):
        query = rng.choices(vocab, k=rng.randint(1, 6)) + rng.choice([[], ["存在しない語"]])  # repeats too
        theirs = reference.get_scores(query)
        assert np.array_equal(index.scores(query), theirs)
        expected = sorted(np.flatnonzero(theirs > 0), key=lambda d: (-theirs[d], d))[:10]
        top = index.top(query, 10)
        assert [s.doc for s in top] == expected
        assert [s.score for s in top] == [theirs[d] for d in expected]
        assert all(set(s.matched) == {t for t in query if t in docs[s.doc]} for s in top)
        assert all(index.idf(t) == reference.idf.get(t) for t in query)


def test_ties_keep_document_order_even_when_k_cuts_through_them(store):
    docs = [["x", "y"], ["a"], ["a"], ["b"], ["a"], ["a"], ["c"]]
    assert [s.doc for s in BM25Index(docs).top(["a"], 3)] == [1, 2, 4]
    assert [s.doc for s in BM25Index(docs).top(["a", "c"], 2)] == [6, 1]


def test_both_stores_accept_empty_corpora(store):
    assert BM25Index([]).top(["kvm"], 3) == []
    assert BM25Index([[], []]).top(["kvm"], 3) == []
    assert list(BM25Index([[], []]).scores(["kvm"])) == [0.0, 0.0]


def test_the_search_never_imports_rank_bm25_or_numpy_for_small_notes():
    code = (
        "import sys; from pathlib import Path; from bot.core.analyzer import Analyzer; "
        "from bot.core.build import build; from bot.core.morphology import shared_morphology; "
        "b = build(Path('corpus'), Analyzer(), shared_morphology()); b.search.search('KVMとは', 3); "
        "assert 'rank_bm25' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr


def test_char_bigrams_pair_adjacent_letters_and_break_at_symbols():
    assert char_bigrams("仮想化") == ["仮想", "想化"]
    assert char_bigrams("KVM と QEMU!") == ["kv", "vm", "qe", "em", "mu"]
    assert char_bigrams("a b、。") == []


@pytest.mark.parametrize("size", [5, 2_500])  # list postings, then numpy arrays
def test_ranked_gives_the_top_and_the_score_of_any_document(size):
    docs = [["a", "b"] if i % 3 else ["c"] for i in range(size)]
    index = BM25Index(docs)
    best, score_of = index.ranked(["a", "c"], 2)
    everything = index.scores(["a", "c"])
    assert best == [(s.doc, s.score) for s in index.top(["a", "c"], 2)]
    assert all(score_of(doc) == everything[doc] for doc in range(size))


def test_the_pair_index_is_stored_and_loaded_with_the_word_index():
    docs = [[f"t{i % 50}"] for i in range(2_500)]
    pairs = [[f"p{i % 7}"] for i in range(2_500)]
    index = BM25Index(docs, pairs=pairs)
    loaded = BM25Index.from_snapshot(json.loads(json.dumps(index.snapshot())), 2_500, 1.5, 0.75)
    assert loaded is not None and loaded.pairs is not None
    assert list(loaded.pairs.scores(["p3"])) == list(index.pairs.scores(["p3"]))
    damaged = index.snapshot() | {"pairs": {"size": 2_500}}
    assert BM25Index.from_snapshot(damaged, 2_500, 1.5, 0.75) is None


def test_both_stores_list_the_documents_that_hold_a_term(store):
    index = BM25Index([["a", "b"], ["b"], [], ["a", "a"]])
    assert list(index.docs("a")) == [0, 3]
    assert list(index.docs("b")) == [0, 1]
    assert list(index.docs("z")) == []
    assert index.holds(3, "a") and not index.holds(1, "a") and not index.holds(0, "z")
