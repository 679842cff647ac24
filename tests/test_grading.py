"""Free-text grading: spelling variants pass, other terms do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.grading import Grade, Grader, parse_yes_no
from bot.core.notes import load_corpus
from bot.core.quiz import Kind, QuizEngine

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "corpus", Path(__file__).resolve().parent / "data" / "corpus2"]


@pytest.fixture(scope="module")
def grader():
    return Grader()


@pytest.fixture(scope="module", params=CORPORA, ids=["shipped", "corpus2"])
def engine(request):
    return QuizEngine(load_corpus(request.param).sections)


def by_kind(engine, kind):
    return [i for i in engine.items if i.kind is kind]


@pytest.mark.parametrize(
    "given, expected",
    [
        ("ハイパーバイザ", "ハイパーバイザー"),  # Sudachi normalized form
        ("コンテナー", "コンテナ"),
        ("サーバ", "サーバー"),
        ("ＶＴ－ｄ", "VT-d"),  # NFKC
        ("vt-d", "VT-d"),  # case
        ("  VT-d。 ", "VT-d"),  # surrounding spaces and punctuation
        ("「libcontainer」", "libcontainer"),
        ("amazon ec2", "Amazon EC2"),  # spaces between words
        ("AmazonEC2", "Amazon EC2"),
    ],
)
def test_spelling_variants_are_the_same_answer(grader, given, expected):
    assert grader.same(given, expected)


@pytest.mark.parametrize(
    "given, expected",
    [
        ("VT-x", "VT-d"),
        ("仮想化", "準仮想化"),
        ("C", "C++"),
        ("コンテナ", "コントロールグループ"),
        ("", "VT-d"),
        ("。", "。"),  # nothing left after stripping is never an answer
    ],
)
def test_different_terms_are_different_answers(grader, given, expected):
    assert not grader.same(given, expected)


def test_each_items_own_answer_grades_correct_in_any_case(grader, engine):
    for item in by_kind(engine, Kind.TERM) + by_kind(engine, Kind.CLOZE):
        assert grader.grade(item, item.answer).correct, item
        assert grader.grade(item, f" 「{item.answer.upper()}」 ").correct, item


def test_a_wrong_answer_gets_the_right_one_and_the_source(grader, engine):
    terms = by_kind(engine, Kind.TERM)
    item, other = terms[0], next(t for t in terms if not grader.same(t.answer, terms[0].answer))
    grade = grader.grade(item, other.answer)
    assert grade == Grade(item=item, given=other.answer, correct=False, expected=item.answer)
    assert grade.source == item.section
    assert grade.source.line_start <= item.line <= grade.source.line_end


def test_choice_by_number_or_by_text(grader, engine):
    for item in by_kind(engine, Kind.CHOICE):
        right = item.options.index(item.answer) + 1
        wrong = 1 if right != 1 else 2
        assert grader.grade(item, str(right)).correct
        assert grader.grade(item, chr(ord("０") + right)).correct  # full-width digit
        assert grader.grade(item, str(right)).given == item.answer
        assert not grader.grade(item, str(wrong)).correct
        assert grader.grade(item, item.answer.lower()).correct
        assert not grader.grade(item, "9").correct


def test_reveal_items_are_self_graded(grader, engine):
    item = by_kind(engine, Kind.REVEAL)[0]
    with pytest.raises(ValueError):
        grader.grade(item, item.answer)
    assert grader.grade_self(item, True).correct
    missed = grader.grade_self(item, False)
    assert not missed.correct and missed.expected == item.answer


@pytest.mark.parametrize(
    "text, meaning",
    [("y", True), ("Y", True), ("はい", True), ("ｙ", True), ("n", False), ("いいえ", False), (" N ", False), ("", None), ("maybe", None)],
)
def test_parse_yes_no(text, meaning):
    assert parse_yes_no(text) is meaning
