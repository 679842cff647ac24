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

    def lines(self) -> list[str]:
        return [
            f"answerable questions: {self.answerable}",
            f"hit@1: {self.hit_at_1:.3f}",
            f"hit@3: {self.hit_at_3:.3f}",
            f"MRR:   {self.mrr:.3f}",
            f"unanswerable refused: {self.refused}/{self.unanswerable}",
        ]


def load_questions(path: Path) -> list[LabelledQuestion]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            expect = tuple((e["file"], int(e["line"])) for e in obj["expect"])
            questions.append(LabelledQuestion(str(obj["question"]), expect))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: 質問の形式が正しくありません ({exc})") from None
    return questions


def evaluate(search: SectionSearch, questions: list[LabelledQuestion], k: int = 3) -> Report:
    answerable = [q for q in questions if q.expect]
    unanswerable = [q for q in questions if not q.expect]
    hit1 = hit3 = 0
    rr = 0.0
    misses = []
    for q in answerable:
        hits = search.search(q.question, k)
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
    return Report(len(answerable), len(unanswerable), hit1 / n, hit3 / n, rr / n, refused, tuple(misses))


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
