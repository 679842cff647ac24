"""Notes folder -> sections, search index and quiz engine: what the service answers from.

With a cache folder, each notes file's sections, search terms and quiz analyses come
from the cache (bot/core/cache.py) when neither the file nor the code changed; only the
other files are parsed, tokenized and analysed, and stored for next time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.cache import FileEntry, NotesCache
from bot.core.models import Section
from bot.core.morphology import Morphology
from bot.core.notes import Corpus, NoteFile, no_notes_error, parse_notes, read_note_files
from bot.core.quiz import QuizEngine, SectionAnalysis, analyze_section
from bot.core.search import MIN_COVERAGE, Progress, SectionSearch, section_terms


@dataclass(frozen=True)
class Built:
    corpus: Corpus
    search: SectionSearch
    quiz: QuizEngine


def build(
    corpus_dir: Path,
    analyzer: Analyzer,
    morphology: Morphology,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> Built:
    """Read the notes under corpus_dir, index them and make their quiz.

    cache_dir None means no cache. progress(done, total) counts characters of notes,
    so a file loaded from the cache and a file being analysed both move it. Raises
    CorpusError when there are no notes."""
    notes, warnings = read_note_files(corpus_dir)
    cache = NotesCache(cache_dir, corpus_dir, analyzer.fingerprint) if cache_dir is not None else None
    meter = _CharacterMeter(progress, total=sum(len(note.text) for note in notes))
    sections: list[Section] = []
    terms: list[list[str]] = []
    analyses: list[SectionAnalysis] = []
    for note in notes:
        made = cache.load(note) if cache else None
        if made is None:
            made = _make(note, analyzer, morphology, meter)
            if cache:
                cache.store(note, made)
        meter.file_done(note)
        sections += made.sections
        terms += made.terms
        analyses += made.analyses
    if not sections:
        raise no_notes_error(corpus_dir)
    if cache:
        cache.prune()
        if cache.write_error:
            warnings.append(f"キャッシュを保存できませんでした（次回の起動が遅くなるだけです）: {cache.write_error}")
    corpus = Corpus(root=corpus_dir, sections=tuple(sections), warnings=tuple(warnings))
    search = SectionSearch(corpus.sections, analyzer, min_coverage, terms=terms)
    return Built(corpus, search, QuizEngine(corpus.sections, analyses=analyses))


def _make(note: NoteFile, analyzer: Analyzer, morphology: Morphology, meter: _CharacterMeter) -> FileEntry:
    """Parse, tokenize and analyse one notes file."""
    made = FileEntry(parse_notes(note.text, note.path), [], [])
    for done, section in enumerate(made.sections, start=1):
        made.terms.append(section_terms(analyzer, section, made.sections[done - 2] if done > 1 else None))
        made.analyses.append(analyze_section(section, morphology))
        meter.sections_done(note, done, len(made.sections))
    return made


class _CharacterMeter:
    """Progress in characters of notes: a file counts in full once done, and while it
    is analysed, in proportion to its sections done, so the count never goes back
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
