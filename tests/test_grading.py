"""Free-text grading: spelling variants pass (Good), typos are near misses (Hard), other terms fail."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.grading import Grade, Grader, near_miss, parse_self_grade
from bot.core.notes import load_corpus
from bot.core.quiz import Kind, QuizEngine
from bot.core.scheduling import Rating

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
    assert grade == Grade(item=item, given=other.answer, rating=Rating.AGAIN, expected=item.answer)
    assert not grade.correct and not grade.near_miss
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
    assert grader.grade_self(item, Rating.GOOD).correct
    assert grader.grade_self(item, Rating.HARD).rating is Rating.HARD
    missed = grader.grade_self(item, Rating.AGAIN)
    assert not missed.correct and missed.expected == item.answer


@pytest.mark.parametrize(
    "text, rating",
    [
        ("y", Rating.GOOD), ("Y", Rating.GOOD), ("はい", Rating.GOOD), ("ｙ", Rating.GOOD), ("覚えていた", Rating.GOOD),
        ("h", Rating.HARD), ("難しかった", Rating.HARD),
        ("n", Rating.AGAIN), ("いいえ", Rating.AGAIN), (" N ", Rating.AGAIN), ("忘れた", Rating.AGAIN),
        ("", None), ("maybe", None),
    ],
)
def test_parse_self_grade(text, rating):
    assert parse_self_grade(text) is rating


# --- Near misses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, expected",
    [
        ("kubernets", "kubernetes"),  # a letter left out
        ("hyperviosr", "hypervisor"),  # two swapped in a long word
        ("dockr", "docker"),
        ("libcontainr", "libcontainer"),
        ("はいぱーばいざ", "ハイパーバイザー"),  # typed in hiragana, without the last long mark
        ("コンテナランタイ", "コンテナランタイム"),
        ("kerbros", "Kerberos"),
    ],
)
def test_typos_are_near_misses(given, expected):
    assert near_miss(given, expected)


@pytest.mark.parametrize(
    "given, expected",
    [
        ("VT-x", "VT-d"),  # short terms: one letter is another term
        ("Intel VT-x", "Intel VT-d"),  # ... even inside a longer answer
        ("Intel VT-dx", "Intel VT-d"),
        ("IPv6", "IPv4"),
        ("IPv6アドレス", "IPv4アドレス"),
        ("HTTP/3", "HTTP/2"),  # digits are never typos
        ("Amazon EC3", "Amazon EC2"),
        ("名前空門", "名前空間"),  # 4 characters: no room for a typo
        ("仮想化", "準仮想化"),
        ("kvm", "qemu"),
        ("kubernetes", "kubernetes"),  # equal is right, not near
        ("", "kubernetes"),
        ("kub", "kubernetes"),
    ],
)
def test_other_terms_are_not_near_misses(given, expected):
    assert not near_miss(given, expected)


def test_a_typo_is_right_but_hard_and_shows_the_spelling(grader, engine):
    item = next(i for i in by_kind(engine, Kind.TERM) + by_kind(engine, Kind.CLOZE) if len(i.answer) >= 9 and not any(c.isascii() for c in i.answer))
    typo = item.answer[:4] + item.answer[5:]  # one character left out
    grade = grader.grade(item, typo)
    assert grade.rating is Rating.HARD and grade.correct and grade.near_miss
    assert grade.expected == item.answer
    exact = grader.grade(item, item.answer)
    assert exact.rating is Rating.GOOD and not exact.near_miss


def test_a_typed_choice_near_another_option_is_not_a_near_miss(grader, engine):
    for item in by_kind(engine, Kind.CHOICE):
        for option in item.options:
            grade = grader.grade(item, option)
            assert grade.rating is (Rating.GOOD if option == item.answer else Rating.AGAIN)
    # A typo that is as close to a distractor as to the answer is wrong.
    item = next(i for i in by_kind(engine, Kind.CHOICE))
    confusable = replace(item, answer="kubernetes", options=("kubernetes", "kubernetez", "docker", "podman"))
    assert grader.grade(confusable, "kubernetes").rating is Rating.GOOD
    assert grader.grade(confusable, "kubernete").rating is Rating.AGAIN
