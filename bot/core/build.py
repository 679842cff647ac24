"""Notes folder -> sections, search index and quiz engine: what the service answers from.

Each section is read with SudachiPy once: its morphemes give its search terms, where
those terms stand in its text (for highlighting hits) and its quiz analysis. With a
cache folder, all of that comes from the cache (bot/core/cache.py) for each notes file
that did not change; only the other files are parsed and analysed, and stored for next
time. What the quiz needs of the whole notes (QuizFacts) is made once from all analyses
and stored beside the index, and so are all quiz items, made once from both; the quiz
engine is made when first used and reads a section's stored items only when they are
asked for (an answer's hits). Without stored items it decodes a section's analysis and
makes its items then.
"""

from __future__ import annotations

import functools
from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.cache import Analyses, FileEntry, NotesCache, term_lists
from bot.core.index import BM25Index
from bot.core.models import Section
from bot.core.morphology import Morphology
from bot.core.notes import Corpus, NoteFile, no_notes_error, parse_notes, read_note_files
from bot.core.quiz import QuizEngine, QuizFacts, SectionAnalysis, StoredItems, analyze_section
from bot.core.search import B, K1, MIN_COVERAGE, Progress, SectionSearch, TermMaker


class Built:
    """The notes read, their search, and their quiz engine (made on first use)."""

    def __init__(
        self,
        corpus: Corpus,
        search: SectionSearch,
        analyses: list,
        facts: QuizFacts | None = None,
        stored: StoredItems | None = None,
    ) -> None:
        self.corpus = corpus
        self.search = search
        self._analyses = analyses  # SectionAnalysis or cache.LazyAnalysis, one a section
        self._facts = facts  # None: made from all analyses when first needed
        self._stored = stored  # the items a build of the same notes made, from the cache

    @functools.cached_property
    def quiz(self) -> QuizEngine:
        # Two threads may both make it: the same engine, no harm.
        return QuizEngine(self.corpus.sections, analyses=Analyses(self._analyses), facts=self._facts, stored=self._stored)


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
    meter = CharacterMeter(progress, total=sum(len(note.text) for note in notes))
    maker = TermMaker(analyzer)  # one per build: each heading is tokenized once
    entries = [entry(note, cache, maker, morphology, meter) for note in notes]
    return assemble(corpus_dir, entries, warnings, analyzer, min_coverage, [cache] if cache else [])


def entry(
    note: NoteFile,
    cache: NotesCache | None,
    maker: TermMaker,
    morphology: Morphology,
    meter: CharacterMeter | None = None,
) -> FileEntry:
    """What one notes file gives: from the cache when it holds the file's entry, else
    made (and stored in the cache)."""
    made = cache.load(note, lambda section: analyze(section, morphology)) if cache else None
    if made is None:
        made = make_entry(note, maker, morphology, meter)
        if cache:
            cache.store(note, made)
    if meter is not None:
        meter.file_done(note)
    return made


def assemble(
    root: Path,
    entries: list[FileEntry],
    warnings: list[str],
    analyzer: Analyzer,
    min_coverage: float = MIN_COVERAGE,
    caches: list[NotesCache] = (),
) -> Built:
    """The search and the quiz over the entries, in order. caches: those that made or
    loaded the entries, one per folder, in the entries' order; the first keeps the
    index and the quiz's corpus-wide facts of them all (used when stored, else made
    and stored); the caches are then saved. Raises CorpusError when there are no
    sections."""
    sections = tuple(section for made in entries for section in made.sections)
    if not sections:
        raise no_notes_error(root)
    text_tokens = [tokens for made in entries for tokens in made.text_tokens]
    analyses = [analysis for made in entries for analysis in made.analyses]
    home = caches[0] if caches else None
    together = [cache.order for cache in caches] if len(caches) > 1 else None  # None: home's own
    # Unchanged notes: the index stored with them, else one built from their terms.
    index = BM25Index.from_snapshot(home.index(together), len(sections), K1, B) if home else None
    terms = None if index else term_lists([t for made in entries for t in made.terms])
    search = SectionSearch(sections, analyzer, min_coverage, terms=terms, text_tokens=text_tokens, index=index)
    if home and index is None:
        home.store_index(search.index.snapshot(), together)
    facts = quiz_facts(home, analyses, together) if home else None
    stored = quiz_items(home, sections, analyses, facts, together) if home else None
    for cache in caches:
        cache.save()
        if cache.write_error:
            warnings.append(f"キャッシュを保存できませんでした（次回の起動が遅くなるだけです）: {cache.write_error}")
    corpus = Corpus(root=root, sections=sections, warnings=tuple(warnings))
    return Built(corpus, search, analyses, facts, stored)


def quiz_facts(cache: NotesCache, analyses: list, entries: list | None = None) -> QuizFacts:
    """The quiz's corpus-wide facts stored in the cache for these entries, else made
    from all analyses (decoding those read from the cache) and stored."""
    try:
        return QuizFacts.from_json(cache.quiz_facts(entries), len(analyses))
    except ValueError:
        facts = QuizFacts.of(Analyses(analyses))
        cache.store_quiz_facts(facts.to_json(), entries)
        return facts


def quiz_items(
    cache: NotesCache, sections: tuple[Section, ...], analyses: list, facts: QuizFacts, entries: list | None = None
) -> StoredItems:
    """The quiz items stored in the cache for these entries, else all made (from the
    analyses and facts) and stored: a start on unchanged notes makes none, and an
    answer reads its hits' items instead of decoding their analyses and making them."""
    stored = cache.quiz_items(sections, entries)
    if stored is None:
        engine = QuizEngine(sections, analyses=Analyses(analyses), facts=facts)
        cache.store_quiz_items(sections, engine.all_items_json(), entries)
        stored = cache.quiz_items(sections, entries)
    return stored


def analyze(section: Section, morphology: Morphology, morphemes=None) -> SectionAnalysis:
    """The section's quiz analysis. morphemes: those of section.text, already made."""
    return analyze_section(section, morphology, morphemes=morphemes)


def make_entry(
    note: NoteFile, maker: TermMaker, morphology: Morphology, meter: CharacterMeter | None = None
) -> FileEntry:
    """Parse, tokenize and analyse one notes file: each section's text is read by
    SudachiPy once, and its terms, their offsets and its quiz analysis come from that."""
    made = FileEntry(parse_notes(note.text, note.path))
    previous = None
    for done, section in enumerate(made.sections, start=1):
        morphemes = morphology.morphemes(section.text, compounds=True)
        terms, text_tokens = maker.make(section, previous, morphemes)
        made.terms.append(terms)
        made.text_tokens.append(text_tokens)
        made.analyses.append(analyze(section, morphology, morphemes))
        if meter is not None:
            meter.sections_done(note, done, len(made.sections))
        previous = section
    return made


class CharacterMeter:
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
