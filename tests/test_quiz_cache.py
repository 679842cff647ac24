"""The quiz from the cache: a restart decodes only the analyses of the sections it makes
items for, reads the corpus-wide facts (document frequencies, defined terms, repeated
lines) stored beside the index, and gives exactly the items and ids of a cold build.
Real SudachiPy, real notes (tests/data/real and the shipped notes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core import cache as cache_module
from bot.core.build import build
from bot.core.morphology import shared_morphology
from bot.core.notes import load_corpus
from bot.core.quiz import QuizEngine, QuizFacts
from tests.conftest import DATA, SHIPPED_CORPUS

NOTES = {
    "shipped": SHIPPED_CORPUS,
    "obsidian": DATA / "real" / "obsidian",
    "textbook": DATA / "real" / "textbook",
    "til": DATA / "real" / "til",
}


@pytest.fixture(params=NOTES.values(), ids=NOTES.keys())
def cold_and_warm(request, tmp_path: Path, analyzer):
    """A build from scratch (which fills the cache) and a restart on that cache."""
    cold = build(request.param, analyzer, shared_morphology(), tmp_path / "cache")
    warm = build(request.param, analyzer, shared_morphology(), tmp_path / "cache")
    return cold, warm


def test_a_restart_gives_exactly_the_items_of_a_cold_build(cold_and_warm, monkeypatch):
    cold, warm = cold_and_warm
    assert warm.corpus.sections == cold.corpus.sections
    decoded = []
    real = cache_module.analysis_from_json
    monkeypatch.setattr(cache_module, "analysis_from_json", lambda data: decoded.append(data) or real(data))
    # Section by section, last first (as answers ask for their hits): the same items.
    sections = warm.corpus.sections
    for count, section in enumerate(reversed(sections), start=1):
        assert warm.quiz.items_in(section) == cold.quiz.items_in(section)
        assert len(decoded) == count  # its analysis alone was read
    assert warm.quiz.items == cold.quiz.items
    assert [i.id for i in warm.quiz.items] == [i.id for i in cold.quiz.items]
    assert warm.quiz.facts == cold.quiz.facts == QuizFacts.of(cold.quiz._analyses)


def test_an_answer_decodes_the_analyses_of_its_hits_alone(tmp_path: Path, analyzer, monkeypatch):
    notes = NOTES["til"]
    build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    decoded = []
    real = cache_module.analysis_from_json
    monkeypatch.setattr(cache_module, "analysis_from_json", lambda data: decoded.append(data) or real(data))
    warm = build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    hits = warm.search.search("インデックスとは", 5)
    assert hits
    for hit in hits:
        warm.quiz.items_in(hit.section)
    assert len(decoded) == len({hit.section for hit in hits})
    uncached = QuizEngine(warm.corpus.sections)
    assert all(warm.quiz.items_in(h.section) == uncached.items_in(h.section) for h in hits)


def test_facts_come_back_whole_from_json_and_anything_else_is_refused():
    cold = QuizEngine(load_corpus(SHIPPED_CORPUS).sections)
    facts = cold.facts
    assert facts.terms and facts.document_frequency
    assert QuizFacts.from_json(json.loads(json.dumps(facts.to_json(), ensure_ascii=False)), facts.sections) == facts
    good = facts.to_json()
    bad = [
        None,
        [],
        {},
        good | {"sections": facts.sections + 1},
        good | {"document_frequency": {"キー": "1"}},
        good | {"document_frequency": {"キー": 0}},
        good | {"document_frequency": {"キー": facts.sections + 1}},
        good | {"first_places": {"行": -1}},
        good | {"first_places": {"行": facts.sections}},
        good | {"terms": {}},
        good | {"terms": [[0, "用語", "用語"]]},
        good | {"terms": [[facts.sections, "用語", "用語", "kanji"]]},
        good | {"terms": [[True, "用語", "用語", "kanji"]]},
        {k: v for k, v in good.items() if k != "terms"},
    ]
    for data in bad:
        with pytest.raises(ValueError):
            QuizFacts.from_json(data, facts.sections)


def test_making_items_from_cached_analyses_runs_no_cloze_check(cold_and_warm, monkeypatch):
    """The checks of what a cloze may blank ran once, in the analysis; making a section's
    items ranks its stored blanks and blanks the chosen one, nothing more."""
    from bot.core.quiz import cloze as cloze_module

    cold, warm = cold_and_warm
    for name in ("listed", "enumerated", "spans_ignoring_case", "occurs_only_whole", "piece_of_a_token", "counted"):
        monkeypatch.setattr(cloze_module, name, lambda *args, name=name: pytest.fail(f"{name} ran when making items"))
    clozes = [item for item in warm.quiz.items if item.kind.value == "cloze"]
    assert clozes
    assert [item.question for item in clozes] == [item.question for item in cold.quiz.items if item.kind.value == "cloze"]
