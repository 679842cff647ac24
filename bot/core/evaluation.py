"""Retrieval quality on a question set: hit@1, hit@3, MRR, unanswerable refused.

A question file has one JSON object a line:
  {"question": "...", "expect": [{"file": "notes.md", "line": 27}, ...]}
A hit answers it when its line range holds one of the expected lines; an empty
"expect" means the notes cannot answer it and the right answer is a refusal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.core.models import Hit
from bot.core.search import SectionSearch


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    expect: tuple[tuple[str, int], ...]  # (file, line)

    def is_answered_by(self, hit: Hit) -> bool:
        s = hit.section
        return any(f == s.file and s.line_start <= line <= s.line_end for f, line in self.expect)


@dataclass(frozen=True)
class Report:
    answerable: int
    unanswerable: int
    hit_at_1: float
    hit_at_3: float
    mrr: float
    refused: int  # unanswerable questions correctly refused
    misses: tuple[str, ...]  # questions answered wrongly or refused wrongly
    wrongly_refused: int = 0  # answerable questions refused ("nothing in the notes")

    def lines(self) -> list[str]:
        return [
            f"answerable questions: {self.answerable}",
            f"hit@1: {self.hit_at_1:.3f}",
            f"hit@3: {self.hit_at_3:.3f}",
            f"MRR:   {self.mrr:.3f}",
            f"unanswerable refused: {self.refused}/{self.unanswerable}",
            f"answerable refused: {self.wrongly_refused}/{self.answerable}",
        ]


class QuestionFileError(ValueError):
    """A question file that cannot be used: the message names the file, the line and
    what is wrong."""


def load_questions(path: Path) -> list[LabelledQuestion]:
    """The labelled questions of a JSON-lines file; blank lines are skipped. Raises
    QuestionFileError for an unreadable file, a malformed line or no questions at all."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionFileError(f"{path}: 質問ファイルを読めません ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise QuestionFileError(f"{path}:{line}: UTF-8 ではありません") from None
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                questions.append(_parse_question(line))
            except ValueError as exc:
                raise QuestionFileError(f"{path}:{number}: {exc}") from None
    if not questions:
        raise QuestionFileError(f"{path}: 質問が一つもありません（1 行に 1 つ JSON で書いてください）")
    return questions


_SHAPE = '{"question": "...", "expect": [{"file": "notes.md", "line": 27}]}'


def _parse_question(line: str) -> LabelledQuestion:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise ValueError(f"JSON として読めません ({exc})") from None
    if not isinstance(obj, dict):
        raise ValueError(f"JSON のオブジェクトにしてください: {_SHAPE}")
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError('"question" に質問の文字列がありません')
    if "expect" not in obj:
        raise ValueError('"expect" がありません（答えがノートにない質問は "expect": []）')
    expect = obj["expect"]
    if not isinstance(expect, list) or not all(_is_place(e) for e in expect):
        raise ValueError(f'"expect" は {{"file": 文字列, "line": 行番号}} のリストにしてください: {_SHAPE}')
    return LabelledQuestion(question, tuple((e["file"], e["line"]) for e in expect))


def _is_place(e: object) -> bool:
    return (
        isinstance(e, dict)
        and isinstance(e.get("file"), str)
        and isinstance(e.get("line"), int)
        and not isinstance(e.get("line"), bool)
        and e["line"] >= 1
    )


def evaluate(search: SectionSearch, questions: list[LabelledQuestion], k: int = 3) -> Report:
    answerable = [q for q in questions if q.expect]
    unanswerable = [q for q in questions if not q.expect]
    hit1 = hit3 = wrongly_refused = 0
    rr = 0.0
    misses = []
    for q in answerable:
        hits = search.search(q.question, k)
        wrongly_refused += not hits
        rank = next((i for i, h in enumerate(hits, start=1) if q.is_answered_by(h)), None)
        if rank is None or rank > 1:
            misses.append(q.question)
        if rank:
            hit1 += rank == 1
            hit3 += rank <= 3
            rr += 1 / rank
    refused = 0
    for q in unanswerable:
        if search.search(q.question, k):
            misses.append(q.question)
        else:
            refused += 1
    n = len(answerable) or 1
    return Report(
        len(answerable), len(unanswerable), hit1 / n, hit3 / n, rr / n, refused, tuple(misses), wrongly_refused
    )


def tune_min_coverage(search: SectionSearch, questions: list[LabelledQuestion], k: int = 3) -> float:
    """The coverage threshold that keeps the most answerable questions answered (a right
    section in the top k) while refusing the most unanswerable ones; the middle of the
    best interval, so it does not sit on any one question's value."""
    scored = []  # (coverage, wanted: True when the question should be answered)
    for q in questions:
        ranking = search.rank(q.question, k)
        if q.expect and any(q.is_answered_by(h) for h in ranking.hits):
            scored.append((ranking.coverage, True))
        elif not q.expect:
            scored.append((ranking.coverage, False))
    cuts = sorted({c for c, _ in scored} | {0.0, 1.0})
    candidates = [(a + b) / 2 for a, b in zip(cuts, cuts[1:])] or [0.5]

    def correct(t: float) -> int:
        return sum((c >= t) == wanted for c, wanted in scored)

    best = max(correct(t) for t in candidates)
    winners = [t for t in candidates if correct(t) == best]
    # The winners form runs; take the middle of the widest span they cover.
    return (min(winners) + max(winners)) / 2 if len(winners) > 1 else winners[0]
