"""Free-text answers -> Grade with a Rating, forgiving spelling but not content.

Both the learner's answer and the expected one are normalized the same way: Unicode
NFKC (full-width ＶＴ－ｘ -> VT-x), case, surrounding spaces and punctuation, then
SudachiPy's normalized form (ハイパーバイザ == ハイパーバイザー, コンテナー == コンテナ)
with the spaces between words dropped (Amazon EC2 == amazonec2). That is Good.

An answer that misses by a typo (kubernets for kubernetes, はいぱーばいざ for
ハイパーバイザー typed without the long mark) is right but shaky: Hard, and the learner
is shown the right spelling. "A typo" is a Levenshtein distance (rapidfuzz; only this
module imports it) within a budget that grows with the answer's length: none under 5
characters, so VT-x is never VT-d. An edit that touches a digit (IPv4, EC2) or a short
Latin word (the d of VT-d) changes the meaning, not the spelling, and is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.core.models import Kind, QuizItem, Section
from bot.core.morphology import Morphology, shared_morphology
from bot.core.scheduling import Rating

# Stripped from both ends of an answer: quotes, brackets, sentence marks. Not + or #,
# which end real names (C++, C#).
_SURROUNDING = " \t\r\n\u3000。、．，.,!?！？「」『』【】()（）[]［］\"'`“”‘’:：;；・…"
_SELF_GRADES = {
    Rating.GOOD: frozenset({"y", "yes", "g", "good", "はい", "うん", "覚えてた", "覚えていた", "わかった", "知ってた", "o", "○"}),
    Rating.HARD: frozenset({"h", "hard", "難しかった", "むずかしかった", "微妙", "△"}),
    Rating.AGAIN: frozenset({"n", "no", "いいえ", "ううん", "忘れてた", "忘れた", "わからなかった", "知らなかった", "x", "×"}),
}
# A near miss: (answers shorter than this many characters, may be this many edits away).
_TYPO_BUDGET = ((5, 0), (9, 1), (16, 2))
_LONG_TYPO_BUDGET = 3
# Characters a typo may not touch: digits, and Latin words of up to 4 letters (VT-d's d).
_MEANINGFUL = re.compile(r"\d|(?<![a-z0-9])[a-z0-9]{1,4}(?![a-z0-9])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Grade:
    item: QuizItem
    given: str  # what the learner answered, as typed (for choice: the option picked)
    rating: Rating
    expected: str  # the right answer, to show after a miss or a near miss
    near_miss: bool = False  # right but misspelled: show the right spelling

    @property
    def correct(self) -> bool:
        return self.rating is not Rating.AGAIN

    @property
    def source(self) -> Section:
        return self.item.section


class Grader:
    def __init__(self, morphology: Morphology | None = None) -> None:
        self.morphology = morphology or shared_morphology()

    def normalize(self, text: str) -> str:
        folded = _folded(text)
        return self.morphology.key(folded) if folded else ""

    def same(self, given: str, expected: str) -> bool:
        normalized = self.normalize(given)
        return bool(normalized) and normalized == self.normalize(expected)

    def grade(self, item: QuizItem, given: str) -> Grade:
        """A typed answer; for a choice item also its option number (1-based)."""
        if item.kind is Kind.REVEAL:
            raise ValueError("reveal items are self-graded: use grade_self")
        if item.kind is Kind.CHOICE:
            given = _option(item, given)
        if self.same(given, item.answer):
            return Grade(item=item, given=given, rating=Rating.GOOD, expected=item.answer)
        others = [o for o in item.options if o != item.answer]
        if near_miss(given, item.answer) and not any(self.same(given, o) or near_miss(given, o) for o in others):
            return Grade(item=item, given=given, rating=Rating.HARD, expected=item.answer, near_miss=True)
        return Grade(item=item, given=given, rating=Rating.AGAIN, expected=item.answer)

    def grade_self(self, item: QuizItem, rating: Rating) -> Grade:
        """The learner saw the answer and says how well they knew it."""
        return Grade(item=item, given="", rating=rating, expected=item.answer)


def near_miss(given: str, expected: str) -> bool:
    """given is expected with a typo or two (see the module's docstring); an answer
    equal to expected once folded is not a near miss but right."""
    a, b = _fold(given), _fold(expected)
    if not a or not b or a == b:
        return False
    budget = next((edits for shorter, edits in _TYPO_BUDGET if len(b) < shorter), _LONG_TYPO_BUDGET)
    if budget == 0 or Levenshtein.distance(a, b, score_cutoff=budget) > budget:
        return False
    fixed_a, fixed_b = _meaningful(a), _meaningful(b)
    for op in Levenshtein.editops(a, b):
        if op.tag != "insert" and op.src_pos in fixed_a:
            return False
        if op.tag != "delete" and op.dest_pos in fixed_b:
            return False
    return True


def _fold(text: str) -> str:
    """NFKC, case-folded, katakana as hiragana, no spaces: how a typo is measured."""
    folded = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in _folded(text))
    return _SPACES.sub("", folded)


def _folded(text: str) -> str:
    """NFKC, without surrounding quotes and spaces, case-folded."""
    return unicodedata.normalize("NFKC", text).strip(_SURROUNDING).casefold()


def _meaningful(text: str) -> set[int]:
    return {i for m in _MEANINGFUL.finditer(text) for i in range(m.start(), m.end())}


def _option(item: QuizItem, given: str) -> str:
    """The option a choice answer means: "2" or "２" is the second option."""
    number = unicodedata.normalize("NFKC", given).strip(_SURROUNDING)
    if number.isdigit() and 1 <= int(number) <= len(item.options):
        return item.options[int(number) - 1]
    return given


def parse_self_grade(text: str) -> Rating | None:
    """y / h / n (覚えていた / 難しかった / 忘れた, はい / いいえ) -> Good / Hard / Again;
    anything else None."""
    answer = _folded(text)
    return next((rating for rating, words in _SELF_GRADES.items() if answer in words), None)
