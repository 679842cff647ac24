"""Sections + analyzer + BM25 -> hits for a question, or none when the notes say nothing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.analyzer import Analyzer
from bot.core.index import BM25Index
from bot.core.models import Hit, Section

# How much of the question's weight (terms weighted by idf; terms the notes never use
# count as the rarest) the best section must cover to be an answer. Chosen on
# tests/data/questions.jsonl with `python -m bot.cli eval --tune`.
MIN_COVERAGE = 0.23


def searchable_text(section: Section) -> str:
    """The heading path is context: "準仮想化とは？" finds bullets under # 準仮想化."""
    return "\n".join((*section.headings, section.text))


@dataclass(frozen=True)
class Ranking:
    """Hits for a question before the "nothing found" rule, with what that rule needs."""

    hits: tuple[Hit, ...]
    coverage: float  # of the question by the best hit, 0..1


class SectionSearch:
    def __init__(self, sections: tuple[Section, ...], analyzer: Analyzer, min_coverage: float = MIN_COVERAGE) -> None:
        self.sections = sections
        self.analyzer = analyzer
        self.min_coverage = min_coverage
        self.index = BM25Index([self._section_terms(s) for s in sections])

    def _section_terms(self, section: Section) -> list[str]:
        # The opening topic counts twice: a note that starts with a term is about it.
        return self.analyzer.terms(searchable_text(section)) + self.analyzer.topic_terms(section.text)

    def rank(self, question: str, k: int) -> Ranking:
        query = self.analyzer.terms(question)
        top = self.index.top(query, k)
        hits = tuple(Hit(self.sections[s.doc], s.score, s.matched) for s in top)
        return Ranking(hits, self._coverage(query, hits[0].matched) if hits else 0.0)

    def search(self, question: str, k: int) -> tuple[Hit, ...]:
        ranking = self.rank(question, k)
        return ranking.hits if ranking.coverage >= self.min_coverage else ()

    def _coverage(self, query: list[str], matched: tuple[str, ...]) -> float:
        weight = {t: self.index.idf(t) or self.index.max_idf() for t in set(query)}
        total = sum(weight.values())
        return sum(weight[t] for t in set(matched)) / total if total else 0.0
