"""Sections + analyzer + BM25 -> hits for a question, or none when the notes say nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from sys import intern

from bot.core.analyzer import Analyzer, Token
from bot.core.index import BM25Index
from bot.core.models import Hit, Section

# How much of the question's weight (see SectionSearch._coverage) the best section must
# cover to be an answer. Chosen on tests/data/questions.jsonl with
# `python -m bot.cli eval --tune`, which takes the middle of the best interval.
MIN_COVERAGE = 0.247

# BM25's term-frequency saturation and length normalization (rank-bm25's defaults are
# 1.5 and 0.75). Sections are single bullets of very different lengths, and with b=0.75
# the shortest bullet that names a word in passing beat the one about it. Every pair in
# k1 0.5-0.9 x b 0.2-0.4 scored alike on all three question sets; this is its middle.
K1 = 0.7
B = 0.3

# progress(done, total) while building: only the ratio matters (the units differ).
Progress = Callable[[int, int], None]


def searchable_text(section: Section) -> str:
    """The heading path is context: "準仮想化とは？" finds bullets under # 準仮想化."""
    return "\n".join((*section.headings, *section.aliases, section.text))


def section_terms(analyzer: Analyzer, section: Section, previous: Section | None = None) -> list[str]:
    """previous: the section before it in the notes, None for the first."""
    # A heading counts twice in the first passage under it, which usually says what
    # the heading is (# 仮想化, then what virtualization is).
    text = "\n".join((*opened_headings(section, previous), searchable_text(section)))
    # So does the opening topic: a note that starts with a term is about it.
    terms = analyzer.terms(text) + analyzer.topic_terms(section.text)
    # One string object per distinct term, however many sections use it: at 100,000
    # sections, about 200 MB less at the peak of a build.
    return [intern(term) for term in terms]


def opened_headings(section: Section, previous: Section | None) -> list[str]:
    """The headings section is the first passage under."""
    if previous is None or previous.file != section.file:
        return list(section.headings)
    return [h for depth, h in enumerate(section.headings, 1) if previous.headings[:depth] != section.headings[:depth]]


def tokenize_sections(
    sections: Sequence[Section], analyzer: Analyzer, progress: Progress | None = None
) -> list[list[str]]:
    """The terms of each section; progress(done, total) counts sections."""
    terms = []
    for done, section in enumerate(sections, start=1):
        terms.append(section_terms(analyzer, section, sections[done - 2] if done > 1 else None))
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
        self.index = BM25Index(list(terms), k1=K1, b=B)

    def rank(self, question: str, k: int) -> Ranking:
        tokens = self.analyzer.tokens(question)
        query = [t.term for t in tokens]
        top = self.index.top(query, k)
        hits = tuple(Hit(self.sections[s.doc], s.score, s.matched) for s in top)
        return Ranking(hits, self._coverage(tokens, hits[0].matched) if hits else 0.0)

    def search(self, question: str, k: int) -> tuple[Hit, ...]:
        ranking = self.rank(question, k)
        return ranking.hits if ranking.coverage >= self.min_coverage else ()

    def _coverage(self, question: list[Token], matched: tuple[str, ...]) -> float:
        """The share of the question's weight that matched: each term weighs its idf. A
        term the notes never use names something they do not cover and weighs the most,
        unless it only phrases the question (教えて, 速い, なぜ): then it weighs nothing."""
        weight = {}
        for token in question:
            idf = self.index.idf(token.term)
            if idf is None:
                idf = 0.0 if token.phrasing else self.index.max_idf()
            weight[token.term] = max(idf, weight.get(token.term, 0.0))
        total = sum(weight.values())
        return sum(weight[t] for t in set(matched)) / total if total else 0.0
