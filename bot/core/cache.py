"""Notes cache on disk: all that is made from each notes file (its sections, their search
terms, where those terms stand in the text, and their quiz analyses), so a restart
tokenizes and analyses nothing.

Layout: one file per notes folder, <cache dir>/<corpus id>.jsonl, where
  corpus id = the first 16 hex digits of sha256 of the notes folder's absolute path,
              so two notes folders sharing a cache dir never evict each other.
Its first line is a header: the format, the digest of the code that makes the entries
(every .py under bot/core), Analyzer.fingerprint (tokenizer settings, SudachiPy and
dictionary versions) and the names of Section's fields. Each further line is one notes
file's entry, parts split by tabs (JSON escapes them inside strings):
  <entry key>  <sections: their fields>  <search: terms, where the text's terms stand>
  <quiz analysis of the first section>  <... of the second>  ...
one row a section in the two JSON lists, one part a section after them. The last lines
hold what is made from all the entries they name, in order, so that a restart with
unchanged notes loads it instead of making it again: `index\t<JSON>` the search index
(BM25Index.snapshot: vocabulary and base64 arrays), `quiz\t<JSON>` the quiz's
corpus-wide facts (QuizFacts: document frequencies, defined terms, repeated lines),
`items\t<JSON: entries and files>\t<items of the first section>\t...` every
section's quiz items (QuizEngine.all_items_json), read a section at a time. Here
  entry key = the first 32 hex digits of sha256 of the header's code digest and
              fingerprint and the file's text.
A file is found by its content, not its name: renaming a note re-tokenizes nothing,
editing one re-tokenizes it alone, and upgrading manabi starts afresh.

Loading reads the file once and parses an entry only when its note asks for it; a
section's stored quiz items (and its quiz analysis, needed only when its items must be
made) stay JSON text until first asked for (an answer reads its hits' alone), and
where a section's terms stand is read for hits alone. A header from
other code, a line that is not JSON or a row of another shape is a miss, never a
crash; so is a damaged analysis, found when it is read: that section is analysed again. The file is rewritten after a build that
changed anything, to a temporary file moved into place with os.replace, so a crash
never leaves half a file under the real name; entries the build did not use are dropped.

JSON, not pickle: a cache file is data, never code, whatever ends up in it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from sys import intern

from bot.core.models import Section
from bot.core.notes import NoteFile
from bot.core.quiz import SectionAnalysis, analysis_from_json, analysis_to_json
from bot.core.search import TextTokens

FORMAT = 5
CORE = Path(__file__).parent  # the code whose output is cached: every .py under it
_STALE_TEMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died
# Section's fields, stored in this order; each a str, an int or a tuple of str.
SECTION_FIELDS = tuple(f.name for f in dataclasses.fields(Section))
_TERM_SEPARATOR = "\n"
# The last lines: what is made from all the entries (see NotesCache.index, quiz_facts).
_INDEX_KEY, _QUIZ_KEY, _ITEMS_KEY = b"index", b"quiz", b"items"


@dataclass(slots=True)
class FileEntry:
    """What one notes file gives: its sections, their terms, where the terms of their
    text stand, and their quiz analyses, one list each. An analysis may be a
    LazyAnalysis, decoded when the quiz first needs it."""

    sections: list[Section]
    terms: list[list[str] | str] = field(default_factory=list)  # str: as stored, see term_lists
    text_tokens: list[TextTokens] = field(default_factory=list)
    analyses: list[SectionAnalysis | LazyAnalysis] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Line:
    """An entry's line after its key: data[start:end], within the bytes of the whole
    file as read (or of the line alone, as made), so nothing is copied until parsed."""

    data: bytes
    start: int
    end: int

    @classmethod
    def of(cls, line: bytes) -> _Line:
        return cls(line, 0, len(line))

    def view(self) -> memoryview:
        return memoryview(self.data)[self.start : self.end]

    def parts(self) -> tuple[bytes, bytes, _Line] | None:
        """Its sections and search parts, and the rest (the analyses), or None."""
        first = self.data.find(b"\t", self.start, self.end)
        second = self.data.find(b"\t", first + 1, self.end) if first >= 0 else -1
        if second < 0:
            return None
        return self.data[self.start : first], self.data[first + 1 : second], _Line(self.data, second + 1, self.end)


class _TabParts:
    """data[start:] holding one JSON part a section, split by tabs: each part is found
    when first asked for, nothing copied until then."""

    def __init__(self, data: bytes, count: int, start: int = 0) -> None:
        self.data = data
        self.count = count
        self.start = start
        self._ends: list[int] | None = None  # where each part ends: found once

    def part(self, index: int) -> bytes:
        """The index-th part, or nothing when data does not hold one part a section."""
        if self._ends is None:
            ends, at = [], self.data.find(b"\t", self.start)
            while at >= 0:
                ends.append(at)
                at = self.data.find(b"\t", at + 1)
            ends.append(len(self.data))
            self._ends = ends if len(ends) == self.count else []
        if not self._ends:
            return b""
        start = self._ends[index - 1] + 1 if index else self.start
        return self.data[start : self._ends[index]]


class _AnalysesText:
    """One entry's quiz analyses as the bytes read from the cache, one JSON part a
    section split by tabs; each is decoded (and checked) when its section's items are
    first made. A section whose analysis proves unreadable is analysed again (remake)."""

    def __init__(self, data: bytes, sections: list[Section], remake: Callable[[Section], SectionAnalysis]) -> None:
        self.parts = _TabParts(data, len(sections))
        self.sections = sections
        self.remake = remake
        self._decoded: dict[int, SectionAnalysis] = {}

    def get(self, index: int) -> SectionAnalysis:
        analysis = self._decoded.get(index)
        if analysis is None:  # two threads may both decode it: the same analysis, no harm
            analysis = self._decoded[index] = self._analysis(self.parts.part(index), self.sections[index])
        return analysis

    def _analysis(self, data: bytes, section: Section) -> SectionAnalysis:
        try:
            return analysis_from_json(json.loads(data.decode("utf-8", "surrogatepass")))
        except (ValueError, RecursionError):
            return self.remake(section)


class _StoredItems:
    """The quiz items line of the cache: each section's items (QuizEngine.all_items_json),
    one JSON part a section, decoded when that section's items are first asked for
    (quiz.StoredItems)."""

    def __init__(self, line: bytes, count: int, start: int) -> None:
        self._parts = _TabParts(line, count, start)

    def get(self, index: int) -> object | None:
        try:
            return json.loads(self._parts.part(index).decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError):
            return None


@dataclass(frozen=True, slots=True)
class LazyAnalysis:
    """A cached quiz analysis, decoded when first needed."""

    source: _AnalysesText
    index: int

    def decode(self) -> SectionAnalysis:
        return self.source.get(self.index)


class Analyses(Sequence[SectionAnalysis]):
    """The analyses of all sections, in order: each read (a LazyAnalysis decoded) when
    first asked for, so the quiz engine decodes those of the sections it makes items for."""

    def __init__(self, analyses: Sequence[SectionAnalysis | LazyAnalysis]) -> None:
        self._analyses = analyses

    def __len__(self) -> int:
        return len(self._analyses)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return decoded(self._analyses[index])
        return _read(self._analyses[index])


def term_lists(terms: Sequence[list[str] | str]) -> list[list[str]]:
    """Each section's terms as a list; those read from the cache are split here, when
    the index has to be built (each distinct term one string object: a third less
    memory at 100,000 sections)."""
    return [t if isinstance(t, list) else list(map(intern, t.split(_TERM_SEPARATOR))) if t else [] for t in terms]


def decoded(analyses: Sequence[SectionAnalysis | LazyAnalysis]) -> list[SectionAnalysis]:
    return [_read(analysis) for analysis in analyses]


def _read(analysis: SectionAnalysis | LazyAnalysis) -> SectionAnalysis:
    return analysis.decode() if isinstance(analysis, LazyAnalysis) else analysis


class NotesCache:
    def __init__(self, cache_dir: Path, corpus_dir: Path, fingerprint: str) -> None:
        corpus_id = hashlib.sha256(str(corpus_dir.resolve()).encode()).hexdigest()[:16]
        self.cache_dir = cache_dir
        self.path = cache_dir / f"{corpus_id}.jsonl"
        self._old_folder = cache_dir / corpus_id  # format 2 kept one file a note in it
        self.fingerprint = fingerprint
        self.write_error: str | None = None  # the first failed write, for one warning
        self._header = json.dumps(
            {"format": FORMAT, "code": code_digest(), "fingerprint": fingerprint, "section": SECTION_FIELDS},
            ensure_ascii=False,
        )
        self._lines: dict[str, _Line] | None = None  # entry key -> its line's JSON parts, as read
        self._used: dict[str, _Line] = {}  # what the next file holds
        self.order: list[str] = []  # the entry keys of this build's notes, in order
        self._corpus_lines: dict[bytes, bytes] = {}  # index, quiz: their JSON, as read or made
        self._changed = False

    def key(self, note: NoteFile) -> str:
        data = f"{FORMAT}\0{code_digest()}\0{self.fingerprint}\0{note.text}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(data).hexdigest()[:32]

    def load(self, note: NoteFile, remake: Callable[[Section], SectionAnalysis]) -> FileEntry | None:
        """What the note gave last time, or None when there is no valid entry.
        remake(section) analyses a section whose cached analysis proves unreadable."""
        key = self.key(note)
        line = self._read().get(key)
        parts = line and line.parts()
        if not parts:
            return None
        try:
            # Text of notes may hold lone surrogates (surrogateescape): written with surrogatepass.
            sections, search = (json.loads(part.decode("utf-8", "surrogatepass")) for part in parts[:2])
        except (ValueError, RecursionError):
            return None
        entry = _entry(sections, search, note)
        if entry is not None:
            self.order.append(key)
            # Copied out, so the file's bytes are freed once the build is done.
            source = _AnalysesText(bytes(parts[2].view()), entry.sections, remake)
            entry.analyses = [LazyAnalysis(source, i) for i in range(len(entry.sections))]
            self._used[key] = line
        return entry

    def store(self, note: NoteFile, made: FileEntry) -> None:
        parts = (
            [_section_row(s) for s in made.sections],
            [[_TERM_SEPARATOR.join(terms), t.places] for terms, t in zip(made.terms, made.text_tokens)],
            *(analysis_to_json(analysis) for analysis in decoded(made.analyses)),
        )
        # JSON escapes tabs and newlines inside strings: the parts split at tabs.
        key = self.key(note)
        self.order.append(key)
        self._used[key] = _Line.of(
            b"\t".join(
                json.dumps(p, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass") for p in parts
            )
        )
        self._changed = True

    # The corpus-wide lines describe the notes of a build: by default this cache's
    # entries; when several folders are searched together (the notes and the inbox),
    # the first folder's cache keeps them for all, and `entries` names every folder's
    # entries in order ([cache.order for cache in caches]).

    def index(self, entries: list | None = None) -> dict | None:
        """The stored index snapshot (BM25Index.snapshot), if it was made from exactly
        these entries (default: this build's) in this order."""
        return self._corpus_wide(_INDEX_KEY, entries)

    def store_index(self, snapshot: dict | None, entries: list | None = None) -> None:
        """Keep the index of these entries (default: this build's), made from their terms."""
        self._store_corpus_wide(_INDEX_KEY, snapshot, entries)

    def quiz_facts(self, entries: list | None = None) -> dict | None:
        """The stored QuizFacts.to_json of these entries in this order, if any."""
        return self._corpus_wide(_QUIZ_KEY, entries)

    def store_quiz_facts(self, facts: dict | None, entries: list | None = None) -> None:
        self._store_corpus_wide(_QUIZ_KEY, facts, entries)

    def quiz_items(self, sections: Sequence[Section], entries: list | None = None) -> _StoredItems | None:
        """The stored quiz items of these entries in this order (store_quiz_items), if
        any, made for these sections."""
        self._read()
        line = self._corpus_lines.get(_ITEMS_KEY)
        if line is None:
            return None
        head = line.find(b"\t")
        try:
            named = json.loads(line[: max(head, 0)].decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError):
            return None
        if head < 0 or named != self._items_head(sections, entries) or line.count(b"\t", head + 1) != len(sections) - 1:
            return None  # made for other notes, or not one part a section
        return _StoredItems(line, len(sections), head + 1)

    def store_quiz_items(self, sections: Sequence[Section], items: Iterable[object], entries: list | None = None) -> None:
        """Keep each section's quiz items (items: QuizEngine.all_items_json) of these
        entries: the line holds what they were made from, then one JSON part a section."""
        parts = itertools.chain([self._items_head(sections, entries)], items)  # encoded one at a time
        line = b"\t".join(
            json.dumps(p, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass") for p in parts
        )
        if line != self._corpus_lines.get(_ITEMS_KEY):
            self._corpus_lines[_ITEMS_KEY] = line
            self._changed = True

    def _items_head(self, sections: Sequence[Section], entries: list | None) -> dict:
        """What items are made from besides the entries' text: the files' paths, which
        choose a choice item's distractors (those of the same folder first)."""
        files = list(dict.fromkeys(section.file for section in sections))
        return {"entries": self.order if entries is None else entries, "files": files}

    def _corpus_wide(self, name: bytes, entries: list | None = None) -> dict | None:
        self._read()
        line = self._corpus_lines.get(name)
        if line is None:
            return None
        try:
            data = json.loads(line.decode("utf-8", "surrogatepass"))
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.pop("entries", None) != (self.order if entries is None else entries):
            return None
        return data

    def _store_corpus_wide(self, name: bytes, data: dict | None, entries: list | None = None) -> None:
        if data is None:
            line = None
        else:
            data = {"entries": self.order if entries is None else entries} | data
            line = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        if line != self._corpus_lines.get(name):
            if line is None:
                del self._corpus_lines[name]
            else:
                self._corpus_lines[name] = line
            self._changed = True

    def save(self) -> None:
        """Write the entries this build used, if anything changed, and clean up."""
        if self._changed or set(self._read()) != set(self._used):
            lines = [[self._header.encode()], *([key.encode(), b"\t", line.view()] for key, line in self._used.items())]
            lines += ([name, b"\t", line] for name, line in self._corpus_lines.items())
            try:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                _write_atomically(self.path, lines)
            except OSError as exc:
                self.write_error = self.write_error or f"{self.cache_dir}: {exc.strerror or exc}"
            self._lines = dict(self._used)
            self._changed = False
        self._remove_stale_temporaries()
        if self._old_folder.is_dir():
            shutil.rmtree(self._old_folder, ignore_errors=True)

    def _read(self) -> dict[str, _Line]:
        """The file's entries by key, their JSON not parsed (nor copied out of the file's
        bytes); empty if the file is missing, unreadable or made by other code or settings."""
        if self._lines is None:
            self._lines = {}
            try:
                data = self.path.read_bytes()
            except OSError:
                return self._lines
            header = self._header.encode()
            if not data.startswith(header + b"\n"):
                return self._lines
            start = len(header) + 1
            while start < len(data):
                end = data.find(b"\n", start)
                end = len(data) if end < 0 else end
                tab = data.find(b"\t", start, end)
                key = data[start:tab] if tab >= 0 else b""
                if len(key) == 32:
                    self._lines[key.decode("ascii", "replace")] = _Line(data, tab + 1, end)
                elif key in (_INDEX_KEY, _QUIZ_KEY, _ITEMS_KEY):
                    self._corpus_lines[key] = data[tab + 1 : end]
                start = end + 1
        return self._lines

    def _remove_stale_temporaries(self) -> None:
        try:
            children = list(os.scandir(self.cache_dir))
        except OSError:
            return
        now = time.time()
        for child in children:
            try:
                if child.name.startswith(self.path.name) and child.name.endswith(".tmp"):
                    if now - child.stat().st_mtime > _STALE_TEMP_SECONDS:
                        os.unlink(child.path)
            except OSError:
                pass  # another process got there first, or the folder is read-only


@functools.cache
def code_digest() -> str:
    """sha256 of every .py under bot/core (sub-packages too), read once per process: a
    change to any of them (an upgrade, a fix) must not be served the old entries."""
    digest = hashlib.sha256()
    for path in sorted(CORE.rglob("*.py")):
        digest.update(path.relative_to(CORE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _section_row(section: Section) -> list:
    return [list(v) if isinstance(v, tuple) else v for v in (getattr(section, name) for name in SECTION_FIELDS)]


def _entry(sections: object, search: object, note: NoteFile) -> FileEntry | None:
    """The entry (without its analyses) that these parts make, or None if they are not
    lists of well-formed rows of the same length. Checked a column at a time: every
    value of a field has its type (a bool is no int here)."""
    if type(sections) is not list or type(search) is not list or len(sections) != len(search):
        return None
    if not sections:
        return FileEntry([])
    if not _all_of(list, sections, search) or {*map(len, sections)} != {len(_FIELD_TYPES)} or {*map(len, search)} != {2}:
        return None
    columns = list(zip(*sections))
    for i, expected in enumerate(_FIELD_TYPES):
        if expected is tuple:
            if not _all_of(list, columns[i]) or not _all_of(str, itertools.chain.from_iterable(columns[i])):
                return None
            columns[i] = map(tuple, columns[i])
        elif not _all_of(expected, columns[i]):
            return None
    columns[_FILE] = itertools.repeat(note.path)  # renaming a note is free
    terms, places = zip(*search)
    if not _all_of(str, terms, places):
        return None
    entry = FileEntry(list(map(Section, *columns)))
    entry.terms = list(terms)  # split only if the index must be built (term_lists)
    entry.text_tokens = list(map(TextTokens, places))  # read for hits alone (TextTokens.find)
    return entry


def _all_of(kind: type, *values: Iterable) -> bool:
    """Every value is exactly of that type."""
    return all({*map(type, v)} <= {kind} for v in values)


# The type of each field of Section, read from a Section whose every field has a value:
# str, int or tuple (of str).
_FIELD_TYPES = tuple(type(getattr(Section("", 0, 0, (), ""), name)) for name in SECTION_FIELDS)
_FILE = SECTION_FIELDS.index("file")


def _write_atomically(path: Path, lines: list[list[bytes]]) -> None:
    """Write the lines (each given in pieces) to a temporary file, then move it into
    place: a reader sees the old file or the new one, never half of one."""
    # Unique per process and thread, so two writers never share a temporary file.
    temp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with temp.open("wb") as out:
            for pieces in lines:
                out.writelines(pieces)
                out.write(b"\n")
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        raise
