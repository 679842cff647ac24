"""Free-text answers -> Grade, forgiving spelling but not content.

Both the learner's answer and the expected one are normalized the same way: Unicode
NFKC (full-width ＶＴ－ｘ -> VT-x), case, surrounding spaces and punctuation, then
SudachiPy's normalized form (ハイパーバイザ == ハイパーバイザー, コンテナー == コンテナ)
with the spaces between words dropped (Amazon EC2 == amazonec2).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from bot.core.models import Section
from bot.core.morphology import Morphology, shared_morphology
from bot.core.models import Kind, QuizItem

# Stripped from both ends of an answer: quotes, brackets, sentence marks. Not + or #,
# which end real names (C++, C#).
_SURROUNDING = " \t\r\n\u3000。、．，.,!?！？「」『』【】()（）[]［］\"'`“”‘’:：;；・…"
_YES = frozenset({"y", "yes", "はい", "うん", "覚えてた", "覚えていた", "わかった", "知ってた", "o", "○"})
_NO = frozenset({"n", "no", "いいえ", "ううん", "忘れてた", "忘れた", "わからなかった", "知らなかった", "x", "×"})


@dataclass(frozen=True)
class Grade:
    item: QuizItem
    given: str  # what the learner answered, as typed (for choice: the option picked)
    correct: bool
    expected: str  # the right answer, to show after a miss

    @property
    def source(self) -> Section:
        return self.item.section


class Grader:
    def __init__(self, morphology: Morphology | None = None) -> None:
        self.morphology = morphology or shared_morphology()

    def normalize(self, text: str) -> str:
        folded = unicodedata.normalize("NFKC", text).strip(_SURROUNDING).casefold()
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
        return Grade(item=item, given=given, correct=self.same(given, item.answer), expected=item.answer)

    def grade_self(self, item: QuizItem, knew: bool) -> Grade:
        """The learner saw the answer and says whether they knew it."""
        return Grade(item=item, given="", correct=knew, expected=item.answer)


def _option(item: QuizItem, given: str) -> str:
    """The option a choice answer means: "2" or "２" is the second option."""
    number = unicodedata.normalize("NFKC", given).strip(_SURROUNDING)
    if number.isdigit() and 1 <= int(number) <= len(item.options):
        return item.options[int(number) - 1]
    return given


def parse_yes_no(text: str) -> bool | None:
    """y/n (はい/いいえ, 覚えてた/忘れてた) -> True/False; anything else None."""
    answer = unicodedata.normalize("NFKC", text).strip(_SURROUNDING).casefold()
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    return None
