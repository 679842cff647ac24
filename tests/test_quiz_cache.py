"""The quiz from the cache: a restart reads the items stored by the build (an answer
those of its hits alone), decodes the analysis of a section only when its items must
be made, reads the corpus-wide facts (document frequencies, defined terms, repeated
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
    """The items are stored in the cache: a restart decodes no analysis and makes no item."""
    cold, warm = cold_and_warm
    assert warm.corpus.sections == cold.corpus.sections
    decoded, made = [], []
    real = cache_module.analysis_from_json
    monkeypatch.setattr(cache_module, "analysis_from_json", lambda data: decoded.append(data) or real(data))
    monkeypatch.setattr(QuizEngine, "_section_items", lambda self, index: made.append(index) or [])
    # Section by section, last first (as answers ask for their hits): the same items.
    for section in reversed(warm.corpus.sections):
        assert warm.quiz.items_in(section) == cold.quiz.items_in(section)
    assert warm.quiz.items == cold.quiz.items
    assert [i.id for i in warm.quiz.items] == [i.id for i in cold.quiz.items]
    assert decoded == made == []
    assert warm.quiz.facts == cold.quiz.facts == QuizFacts.of(cold.quiz._analyses)


def items_line(cache_dir: Path) -> tuple[Path, list[str], int]:
    (path,) = cache_dir.glob("*.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    return path, lines, next(i for i, line in enumerate(lines) if line.startswith("items\t"))


# The line as a whole: it is made again and stored at the next start.
ITEMS_LINE_CORRUPTIONS = {
    "garbage": lambda parts: ["\x00 garbage"],
    "no part a section": lambda parts: parts[:1],
    "one part too few": lambda parts: parts[:-1],
    "items of other entries": lambda parts: [json.dumps({"entries": ["0" * 32], "files": []}), *parts[1:]],
    "items of files now elsewhere": lambda parts: [
        json.dumps(json.loads(parts[0]) | {"files": ["elsewhere/" + f for f in json.loads(parts[0])["files"]]}),
        *parts[1:],
    ],
}
# One section's part: that section's items are made again when asked for.
ITEMS_CORRUPTIONS = ITEMS_LINE_CORRUPTIONS | {
    "a part that is not JSON": lambda parts: [*parts[:-1], "[[\"abc\""],
    "an item of another shape": lambda parts: [*parts[:-1], json.dumps([["id", "cloze", "q", "a", [], "1", "s"]])],
    "an item of an unknown kind": lambda parts: [*parts[:-1], json.dumps([["id", "riddle", "q", "a", [], 1, "s"]])],
    "options that are not text": lambda parts: [*parts[:-1], json.dumps([["id", "choice", "q", "a", [1, 2], 1, "s"]])],
}


@pytest.mark.parametrize("corrupt", ITEMS_CORRUPTIONS.values(), ids=ITEMS_CORRUPTIONS.keys())
def test_damaged_stored_items_are_made_again_from_the_analyses(tmp_path: Path, analyzer, corrupt):
    notes = NOTES["til"]
    cold = build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    path, lines, at = items_line(tmp_path / "cache")
    name, *parts = lines[at].split("\t")
    lines[at] = "\t".join([name, *corrupt(parts)])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    warm = build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    assert warm.quiz.items == cold.quiz.items
    if corrupt in ITEMS_LINE_CORRUPTIONS.values():  # ... stored whole again: the next start makes none
        assert items_line(tmp_path / "cache")[1][at] == items_line_of_a_fresh_build(tmp_path, notes, analyzer)


def items_line_of_a_fresh_build(tmp_path: Path, notes: Path, analyzer) -> str:
    build(notes, analyzer, shared_morphology(), tmp_path / "fresh")
    _, lines, at = items_line(tmp_path / "fresh")
    return lines[at]


def test_an_answer_reads_the_stored_items_of_its_hits_alone(tmp_path: Path, analyzer, monkeypatch):
    notes = NOTES["til"]
    build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    decoded, read = [], []
    real = cache_module.analysis_from_json
    monkeypatch.setattr(cache_module, "analysis_from_json", lambda data: decoded.append(data) or real(data))
    real_get = cache_module._StoredItems.get
    monkeypatch.setattr(cache_module._StoredItems, "get", lambda self, index: read.append(index) or real_get(self, index))
    warm = build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    hits = warm.search.search("インデックスとは", 5)
    assert hits
    for hit in hits:
        warm.quiz.items_in(hit.section)
    assert sorted(read) == sorted({warm.corpus.sections.index(hit.section) for hit in hits})
    assert decoded == []
    uncached = QuizEngine(warm.corpus.sections)
    assert all(warm.quiz.items_in(h.section) == uncached.items_in(h.section) for h in hits)


def test_without_stored_items_a_section_s_items_come_from_its_analysis_alone(tmp_path: Path, analyzer, monkeypatch):
    """A refresh (no cache) or unreadable stored items: each section's analysis is
    decoded when its items are first made, and no other."""
    notes = NOTES["til"]
    build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    path, lines, at = items_line(tmp_path / "cache")
    path.write_text("\n".join(lines[:at] + lines[at + 1 :]) + "\n", encoding="utf-8")
    decoded = []
    real = cache_module.analysis_from_json
    monkeypatch.setattr(cache_module, "analysis_from_json", lambda data: decoded.append(data) or real(data))
    monkeypatch.setattr(cache_module.NotesCache, "store_quiz_items", lambda *args: None)  # not made again at start
    warm = build(notes, analyzer, shared_morphology(), tmp_path / "cache")
    assert decoded == []
    sections = warm.corpus.sections
    for count, section in enumerate(reversed(sections[-5:]), start=1):
        warm.quiz.items_in(section)
        assert len(decoded) == count  # its analysis alone was read


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
