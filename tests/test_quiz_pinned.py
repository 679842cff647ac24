"""The quiz items and the answer's quiz, pinned: making them faster (or lazier) must
never change one item, id or order. A deliberate change of the quiz rules updates the
digests below (print them with `python -m tests.test_quiz_pinned`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.core.notes import load_corpus
from bot.core.quiz import QuizEngine, quiz_for_sections

DATA = Path(__file__).resolve().parent / "data"
CORPORA = {
    "shipped": DATA.parent.parent / "corpus",
    "corpus2": DATA / "corpus2",
    "obsidian": DATA / "real" / "obsidian",
    "textbook": DATA / "real" / "textbook",
    "til": DATA / "real" / "til",
}
PINNED = {
    # name: (items, digest of all items, digest of the answers' quizzes)
    "shipped": (81, "73d8c012b48b9151", "27e9be529cb3805e"),
    "corpus2": (101, "3e7691bb75ae471a", "7508061a970a6133"),
    "obsidian": (517, "604b609918c06342", "68cb7d62b660cdc2"),
    "textbook": (1113, "75a9c23d06b68fd2", "72d6ca810a44124b"),
    "til": (899, "6d45f25eb10d5a12", "36d8d7e0cff38abe"),
}


def _digest(items) -> str:
    text = "\n".join(json.dumps(item.to_dict(), ensure_ascii=False, sort_keys=True) for item in items)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _answers(engine: QuizEngine) -> list:
    """The quiz of many made-up answers: ten hits spread over the notes, asked about
    words of their headings and texts, with several limits; each answer on a fresh
    engine, its hits seen for the first time."""
    sections = engine.sections
    out = []
    for start in range(0, len(sections), 5):
        hits = [sections[(start + 7 * i) % len(sections)] for i in range(10)]
        about = [w for s in hits[:2] for w in s.headings] + [s.text[:4] for s in hits[:3]]
        for limit in (1, 2, 5):
            fresh = QuizEngine(sections, analyses=engine._analyses, facts=engine.facts)
            out += quiz_for_sections(fresh, hits, limit, about)
    return out


def _facts(name: str) -> tuple[int, str, str]:
    engine = QuizEngine(load_corpus(CORPORA[name]).sections)
    return len(engine.items), _digest(engine.items), _digest(_answers(engine))


@pytest.mark.parametrize("name", CORPORA)
def test_items_and_answer_quizzes_are_unchanged(name):
    assert _facts(name) == PINNED[name]


if __name__ == "__main__":
    for name in CORPORA:
        print(f"    {name!r}: {_facts(name)!r},")
