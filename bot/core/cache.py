"""Notes cache on disk: all that is made from each notes file (its sections, their search
terms, where those terms stand in the text, and their quiz analyses), so a restart
tokenizes and analyses nothing.

Layout: one file per notes folder, <cache dir>/<corpus id>.jsonl, where
  corpus id = the first 16 hex digits of sha256 of the notes folder's absolute path,
              so two notes folders sharing a cache dir never evict each other.
Its first line is a header: the format, the digest of the code that makes the entries
(every .py under bot/core), Analyzer.fingerprint (tokenizer settings, SudachiPy and
dictionary versions) and the names of Section's fields. Each further line is one notes
file's entry: `<entry key>\t<JSON list of section rows>`, where
  entry key = the first 32 hex digits of sha256 of the header's code digest and
              fingerprint and the file's text.
A file is found by its content, not its name: renaming a note re-tokenizes nothing,
editing one re-tokenizes it alone, and upgrading manabi starts afresh.

Loading reads the file once and parses an entry only when its note asks for it; the
quiz analyses and the token offsets stay JSON text until they are needed (an answer
needs its hits' alone). A header from other code, a line that is not JSON or a row of
another shape is a miss, never a crash. The file is rewritten after a build that
changed anything, to a temporary file moved into place with os.replace, so a crash
never leaves half a file under the real name; entries the build did not use are dropped.

JSON, not pickle: a cache file is data, never code, whatever ends up in it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from sys import intern

from bot.core.models import Section
from bot.core.notes import NoteFile
from bot.core.quiz import SectionAnalysis, analysis_from_json, analysis_to_json
from bot.core.search import TextTokens

FORMAT = 3
CORE = Path(__file__).parent  # the code whose output is cached: every .py under it
_STALE_TEMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died
# Section's fields, stored in this order; each a str, an int or a tuple of str.
SECTION_FIELDS = tuple(f.name for f in dataclasses.fields(Section))
_TERM_SEPARATOR = "\n"  # index terms never hold whitespace but a Latin compound's space


@dataclass(slots=True)
class FileEntry:
    """What one notes file gives: its sections, their terms, where the terms of their
    text stand, and their quiz analyses, one list each. An analysis may be a
    LazyAnalysis, decoded when the quiz first needs it."""

    sections: list[Section]
    terms: list[list[str]] = field(default_factory=list)
    text_tokens: list[TextTokens] = field(default_factory=list)
    analyses: list[SectionAnalysis | LazyAnalysis] = field(default_factory=list)


@dataclass(slots=True)
class LazyAnalysis:
    """A cached quiz analysis kept as JSON text: decoded on demand, and remade from the
    section's text (remake) if the text turns out not to be a valid analysis."""

    data: str
    remake: Callable[[], SectionAnalysis]

    def decode(self) -> SectionAnalysis:
        try:
            return analysis_from_json(json.loads(self.data))
        except (ValueError, RecursionError):
            return self.remake()


def decoded(analyses: Sequence[SectionAnalysis | LazyAnalysis]) -> list[SectionAnalysis]:
    return [a.decode() if isinstance(a, LazyAnalysis) else a for a in analyses]


class NotesCache:
    def __init__(self, cache_dir: Path, corpus_dir: Path, fingerprint: str) -> None:
        corpus_id = hashlib.sha256(str(corpus_dir.resolve()).encode()).hexdigest()[:16]
        self.cache_dir = cache_dir
        self.path = cache_dir / f"{corpus_id}.jsonl"
        self.fingerprint = fingerprint
        self.write_error: str | None = None  # the first failed write, for one warning
        self._header = json.dumps(
            {"format": FORMAT, "code": code_digest(), "fingerprint": fingerprint, "section": SECTION_FIELDS},
            ensure_ascii=False,
        )
        self._lines: dict[str, str] | None = None  # entry key -> its line's JSON, as read
        self._used: dict[str, str] = {}  # what the next file holds
        self._changed = False

    def key(self, note: NoteFile) -> str:
        data = f"{FORMAT}\0{code_digest()}\0{self.fingerprint}\0{note.text}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(data).hexdigest()[:32]

    def load(self, note: NoteFile, remake: Callable[[Section], SectionAnalysis]) -> FileEntry | None:
        """What the note gave last time, or None when there is no valid entry.
        remake(section) analyses a section whose cached analysis proves unreadable."""
        key = self.key(note)
        line = self._read().get(key)
        if line is None:
            return None
        try:
            rows = json.loads(line)
        except (ValueError, RecursionError):
            return None
        entry = _entry(rows, note, remake)
        if entry is not None:
            self._used[key] = line
        return entry

    def store(self, note: NoteFile, made: FileEntry) -> None:
        rows = [
            [
                *_section_row(s),
                _TERM_SEPARATOR.join(terms),
                tokens.count,
                tokens.offsets,
                json.dumps(analysis_to_json(analysis), ensure_ascii=False, separators=(",", ":")),
            ]
            for s, terms, tokens, analysis in zip(made.sections, made.terms, made.text_tokens, decoded(made.analyses))
        ]
        self._used[self.key(note)] = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
        self._changed = True

    def save(self) -> None:
        """Write the entries this build used, if anything changed, and clean up."""
        if self._changed or set(self._read()) != set(self._used):
            lines = [self._header, *(f"{key}\t{line}" for key, line in self._used.items())]
            data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
            try:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                _write_atomically(self.path, data)
            except OSError as exc:
                self.write_error = self.write_error or f"{self.cache_dir}: {exc.strerror or exc}"
            self._lines = dict(self._used)
            self._changed = False
        self._remove_stale_temporaries()

    def _read(self) -> dict[str, str]:
        """The file's entries by key, their JSON not parsed; empty if the file is missing,
        unreadable or made by other code or settings."""
        if self._lines is None:
            self._lines = {}
            try:
                text = self.path.read_bytes().decode("utf-8", "surrogatepass")
            except (OSError, UnicodeDecodeError):
                return self._lines
            header, _, body = text.partition("\n")
            if header != self._header:
                return self._lines
            for line in body.splitlines():
                key, tab, data = line.partition("\t")
                if tab and len(key) == 32:
                    self._lines[key] = data
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


def _entry(rows: object, note: NoteFile, remake: Callable[[Section], SectionAnalysis]) -> FileEntry | None:
    """The entry these rows make, or None if they are not a list of well-formed rows."""
    if type(rows) is not list:
        return None
    width = len(SECTION_FIELDS)
    entry = FileEntry([])
    for row in rows:
        if type(row) is not list or len(row) != width + 4:
            return None
        values = row[:width]
        terms, count, offsets, analysis = row[width:]
        if not (type(terms) is str and type(count) is int and type(offsets) is str and type(analysis) is str):
            return None
        section = _section(values, note)
        if section is None:
            return None
        term_list = [intern(t) for t in terms.split(_TERM_SEPARATOR)] if terms else []
        if not 0 <= count <= len(term_list) or offsets.count(",") != max(2 * count - 1, 0) or bool(offsets) != bool(count):
            return None
        entry.sections.append(section)
        entry.terms.append(term_list)
        entry.text_tokens.append(TextTokens(term_list, count, offsets))
        entry.analyses.append(LazyAnalysis(analysis, functools.partial(remake, section)))
    return entry


def _section(values: list, note: NoteFile) -> Section | None:
    """A Section from its stored field values (the file from the note: renaming is free)."""
    kwargs = {}
    for name, value in zip(SECTION_FIELDS, values):
        if isinstance(getattr(_SAMPLE, name), tuple):
            if type(value) is not list or not all(type(v) is str for v in value):
                return None
            value = tuple(value)
        elif type(value) is not type(getattr(_SAMPLE, name)):
            return None
        kwargs[name] = value
    kwargs["file"] = note.path
    return Section(**kwargs)


# A Section whose every field has a value of its type, to check stored values against.
_SAMPLE = Section(file="", line_start=0, line_end=0, headings=(), text="")


def _write_atomically(path: Path, data: bytes) -> None:
    # Unique per process and thread, so two writers never share a temporary file.
    temp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        raise
