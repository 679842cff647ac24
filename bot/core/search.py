"""Sections + analyzer + BM25 -> hits for a question, or none when the notes say nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from sys import intern

from bot.core.analyzer import Analyzer
from bot.core.index import BM25Index
from bot.core.models import Hit, Section

# How much of the question's weight (terms weighted by idf; terms the notes never use
# count as the rarest) the best section must cover to be an answer. Chosen on
# tests/data/questions.jsonl with `python -m bot.cli eval --tune`.
MIN_COVERAGE = 0.23

# progress(done, total) while building: only the ratio matters (the units differ).
Progress = Callable[[int, int], None]


def searchable_text(section: Section) -> str:
    """The heading path is context: "準仮想化とは？" finds bullets under # 準仮想化."""
    return "\n".join((*section.headings, section.text))


def section_terms(analyzer: Analyzer, section: Section) -> list[str]:
    # The opening topic counts twice: a note that starts with a term is about it.
    terms = analyzer.terms(searchable_text(section)) + analyzer.topic_terms(section.text)
    # One string object per distinct term, however many sections use it: at 100,000
    # sections, about 200 MB less at the peak of a build.
    return [intern(term) for term in terms]


def tokenize_sections(
    sections: Sequence[Section], analyzer: Analyzer, progress: Progress | None = None
) -> list[list[str]]:
    """The terms of each section; progress(done, total) counts sections."""
    terms = []
    for done, section in enumerate(sections, start=1):
        terms.append(section_terms(analyzer, section))
        if progress is not None:
            progress(done, len(sections))
    return terms


@dataclass(frozen=True)
class Ranking:
    """Hits for a question before the "nothing found" rule, with what that rule needs."""

    hits: tuple[Hit, ...]
    coverage: float  # of the question by the best hit, 0..1


class SectionSearch:
    """terms, when given, are the sections' terms already computed (from the cache);
    otherwise the sections are tokenized here, reporting to progress."""

    def __init__(
        self,
        sections: tuple[Section, ...],
        analyzer: Analyzer,
        min_coverage: float = MIN_COVERAGE,
        *,
        terms: Sequence[list[str]] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.sections = sections
        self.analyzer = analyzer
        self.min_coverage = min_coverage
        if terms is None:
            terms = tokenize_sections(sections, analyzer, progress)
        if len(terms) != len(sections):
            raise ValueError(f"{len(terms)} term lists for {len(sections)} sections")
        self.index = BM25Index(list(terms))

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
