"""Notes cache on disk: all that is made from each notes file (its sections, their search
terms and their quiz analyses), so a restart tokenizes and analyses nothing.

Layout: <cache dir>/<corpus id>/<entry key>.json, where
  corpus id = the first 16 hex digits of sha256 of the notes folder's absolute path,
              so two notes folders sharing a cache dir never evict each other, and
  entry key = the first 32 hex digits of sha256 of the code that makes the entries
              (CODE_MODULES), Analyzer.fingerprint (tokenizer settings, SudachiPy and
              dictionary versions) and the file's text.
A file is found by its content, not its name: renaming a note re-tokenizes nothing,
editing one re-tokenizes it alone, and upgrading manabi starts afresh. An entry repeats
its key, fingerprint and format inside and is checked field by field on reading (the
analyses by quiz.analysis_from_json), so a corrupt, truncated, foreign or outdated file
is a miss, never a crash. Entries are written to a temporary file and moved into place
with os.replace, so a crash never leaves half an entry under a real name. After each
build, entries of the folder that the build did not use are deleted.

JSON, not pickle: a cache file is data, never code, whatever ends up in it.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections import namedtuple
from pathlib import Path
from sys import intern

try:  # hashlib loads OpenSSL, 2-3 ms of a cold `manabi ask`; the builtin module is enough
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - other Python versions
    from hashlib import sha256

from bot.core.models import Section
from bot.core.notes import NoteFile
from bot.core.quiz import analysis_from_json, analysis_to_json

FORMAT = 3
# The modules whose output is cached: a change to any of them (an upgrade, a fix) must
# not be served the old terms or analyses.
CODE_MODULES = ("build.py", "cache.py", "models.py", "markdown.py", "notes.py", "analyzer.py", "search.py", "morphology.py", "quiz")
_STALE_TEMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died


class FileEntry(namedtuple("FileEntry", "sections terms analyses")):
    """What one notes file gives: its sections, their terms and their quiz analyses, one
    list each (a named tuple from collections: importing typing would cost 2 ms)."""

    __slots__ = ()


class NotesCache:
    def __init__(self, cache_dir: Path, corpus_dir: Path, fingerprint: str) -> None:
        corpus_id = sha256(str(corpus_dir.resolve()).encode()).hexdigest()[:16]
        self.folder = cache_dir / corpus_id
        self.fingerprint = fingerprint
        self.write_error: str | None = None  # the first failed write, for one warning
        self._used: set[str] = set()

    def key(self, note: NoteFile) -> str:
        data = f"{FORMAT}\0{code_digest()}\0{self.fingerprint}\0{note.text}".encode("utf-8", "surrogatepass")
        return sha256(data).hexdigest()[:32]

    def load(self, note: NoteFile) -> FileEntry | None:
        """What the note gave last time, or None when there is no valid entry."""
        key = self.key(note)
        try:
            entry = json.loads((self.folder / f"{key}.json").read_bytes())
        except (OSError, ValueError, RecursionError):
            return None  # missing, unreadable, not UTF-8 or not JSON
        rows = _valid_rows(entry, key, self.fingerprint)
        if rows is None:
            return None
        try:
            analyses = [analysis_from_json(row[5]) for row in rows]
        except ValueError:
            return None
        self._used.add(key)
        sections = [
            Section(note.path, start, end, tuple(headings), text, kind, markdown, tuple(aliases))
            for start, end, headings, text, _, _, kind, markdown, aliases in rows
        ]
        # JSON gives every occurrence of a term its own string; interned, a restart
        # on 100,000 sections peaks at a third less memory.
        return FileEntry(sections, [[intern(term) for term in row[4]] for row in rows], analyses)

    def store(self, note: NoteFile, made: FileEntry) -> None:
        key = self.key(note)
        self._used.add(key)
        entry = {
            "format": FORMAT,
            "key": key,
            "fingerprint": self.fingerprint,
            # One row a section: [line_start, line_end, headings, text, terms, analysis,
            # kind, markdown, aliases].
            "sections": [
                [s.line_start, s.line_end, list(s.headings), s.text, terms, analysis_to_json(analysis),
                 s.kind, s.markdown, list(s.aliases)]
                for s, terms, analysis in zip(made.sections, made.terms, made.analyses)
            ],
        }
        data = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.folder / f"{key}.json", data)
        except OSError as exc:
            self.write_error = self.write_error or f"{self.folder}: {exc.strerror or exc}"

    def prune(self) -> None:
        """Delete this folder's entries that the build did not use (older versions of
        edited notes, deleted notes, other tokenizer settings)."""
        try:
            children = list(os.scandir(self.folder))
        except OSError:
            return
        now = time.time()
        for child in children:
            name = child.name
            try:
                if name.endswith(".json") and name[: -len(".json")] not in self._used:
                    os.unlink(child.path)
                elif name.endswith(".tmp") and now - child.stat().st_mtime > _STALE_TEMP_SECONDS:
                    os.unlink(child.path)
            except OSError:
                pass  # another process got there first, or the folder is read-only


@functools.cache
def code_digest() -> str:
    """sha256 of the source of CODE_MODULES, read once per process (well under a millisecond)."""
    digest = sha256()
    for name in CODE_MODULES:
        path = Path(__file__).with_name(name)
        for module in sorted(path.glob("*.py")) if path.is_dir() else [path]:  # a package: all its modules
            digest.update(module.read_bytes())
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    # Unique per process and thread, so two writers never share a temporary file.
    temp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        raise


def _valid_rows(entry: object, key: str, fingerprint: str) -> list[list] | None:
    """The entry's section rows if it is a well-formed entry for this key, else None."""
    if not isinstance(entry, dict):
        return None
    if entry.get("format") != FORMAT or entry.get("key") != key or entry.get("fingerprint") != fingerprint:
        return None
    rows = entry.get("sections")
    if not isinstance(rows, list) or not all(_is_section_row(row) for row in rows):
        return None
    return rows


def _is_section_row(row: object) -> bool:
    """The analysis, row[5], is checked as it is read (analysis_from_json)."""
    if not isinstance(row, list) or len(row) != 9:
        return False
    start, end, headings, text, terms, _, kind, markdown, aliases = row
    return (
        type(start) is int
        and type(end) is int
        and type(text) is str
        and type(kind) is str
        and type(markdown) is str
        and _is_str_list(aliases)
        and _is_str_list(headings)
        and _is_str_list(terms)
    )


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(type(item) is str for item in value)
