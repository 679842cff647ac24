"""Sections + analyzer + BM25 -> hits for a question, or none when the notes say nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from sys import intern

from bot.core.analyzer import Analyzer
from bot.core.cache import TokenCache
from bot.core.index import BM25Index
from bot.core.models import Hit, Section
from bot.core.notes import Corpus, NoteFile, no_notes_error, parse_notes, read_note_files

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


def build_search(
    corpus_dir: Path,
    analyzer: Analyzer,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> tuple[Corpus, SectionSearch]:
    """Read the notes under corpus_dir and index them.

    With a cache_dir, each file's sections and terms come from the token cache when
    the file and the analyzer are unchanged; only the other files are parsed and
    tokenized, and stored for next time. None means no cache. progress(done, total)
    counts characters of notes, so a file loaded from the cache and a file being
    tokenized both move it. Raises CorpusError when there are no notes."""
    notes, warnings = read_note_files(corpus_dir)
    cache = TokenCache(cache_dir, corpus_dir, analyzer.fingerprint) if cache_dir is not None else None
    meter = _CharacterMeter(progress, total=sum(len(note.text) for note in notes))
    sections: list[Section] = []
    terms: list[list[str]] = []
    for note in notes:
        cached = cache.load(note) if cache else None
        if cached is None:
            note_sections = parse_notes(note.text, note.path)
            note_terms = []
            for done, section in enumerate(note_sections, start=1):
                note_terms.append(section_terms(analyzer, section))
                meter.sections_done(note, done, len(note_sections))
            if cache:
                cache.store(note, note_sections, note_terms)
        else:
            note_sections, note_terms = cached
        meter.file_done(note)
        sections += note_sections
        terms += note_terms
    if not sections:
        raise no_notes_error(corpus_dir)
    if cache:
        cache.prune()
        if cache.write_error:
            warnings.append(f"トークンのキャッシュを保存できませんでした: {cache.write_error}")
    corpus = Corpus(root=corpus_dir, sections=tuple(sections), warnings=tuple(warnings))
    return corpus, SectionSearch(corpus.sections, analyzer, min_coverage, terms=terms)


class _CharacterMeter:
    """Progress in characters of notes: a file counts in full once done, and while it
    is tokenized, in proportion to its sections done, so the count never goes back
    and ends exactly at the total."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.files_done = 0  # characters in the files finished

    def sections_done(self, note: NoteFile, done: int, sections: int) -> None:
        self._report(self.files_done + len(note.text) * done // sections)

    def file_done(self, note: NoteFile) -> None:
        self.files_done += len(note.text)
        self._report(self.files_done)

    def _report(self, done: int) -> None:
        if self.progress is not None and self.total:
            self.progress(done, self.total)
