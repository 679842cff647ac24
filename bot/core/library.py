"""The notes of several folders (the learner's notes, the inbox of captured notes),
kept file by file, so that when a few files change only those are read again.

Each file gives a FileEntry (its sections, their search terms and quiz analyses; see
build.py and cache.py). A full read makes every entry, from the cache where it can; a
refresh remakes only the entries of the files named, and keeps the others. Either way
the search index and the quiz engine are then assembled from all entries into one
frozen Built, which the service swaps in with one assignment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.build import Built, CharacterMeter, assemble, entry
from bot.core.cache import FileEntry, NotesCache
from bot.core.morphology import Morphology
from bot.core.notes import CorpusError, NoteFile, read_note_files
from bot.core.search import MIN_COVERAGE, Progress, TermMaker


@dataclass(frozen=True, slots=True)
class NotesFolder:
    path: Path
    prefix: str = ""  # put before its files' paths ("inbox" -> inbox/2026-12-01.md); "" for the main notes
    required: bool = True  # the main notes must exist; an inbox may not have been made yet

    def show(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative


@dataclass(frozen=True, slots=True)
class Refreshed:
    built: Built
    changed: tuple[str, ...]  # files read again, added or removed (as shown)
    warnings: tuple[str, ...]  # files that could not be read: their previous notes stay


class NotesLibrary:
    def __init__(
        self,
        folders: Sequence[NotesFolder],
        analyzer: Analyzer,
        morphology: Morphology,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
        min_coverage: float = MIN_COVERAGE,
    ) -> None:
        if not folders:
            raise ValueError("at least one notes folder")
        self.folders = tuple(folders)
        self.analyzer = analyzer
        self.morphology = morphology
        self.cache_dir = cache_dir
        self.progress = progress
        self.min_coverage = min_coverage
        self._entries: dict[tuple[int, str], FileEntry] = {}  # (folder index, relative path) -> entry
        self._warnings: tuple[str, ...] = ()  # of the last full read
        # One read or refresh at a time (the watcher and /reload); the service holds it
        # while it swaps the result in, so an older result never replaces a newer one.
        self.lock = threading.RLock()

    @property
    def root(self) -> Path:
        return self.folders[0].path

    def read_all(self) -> Built:
        """Read every folder again. Raises CorpusError (and keeps the previous entries)
        when the main folder is missing or nothing holds notes."""
        with self.lock:
            notes: list[tuple[int, NoteFile]] = []
            warnings: list[str] = []
            for index, folder in enumerate(self.folders):
                if not folder.required and not folder.path.is_dir():
                    continue
                found, skipped = read_note_files(folder.path)
                warnings += [folder.show(w) if folder.prefix else w for w in skipped]
                notes += [(index, n) for n in found if self._owner(folder.path / n.path) == index]
            meter = CharacterMeter(self.progress, total=sum(len(n.text) for _, n in notes))
            caches = self._caches()
            maker = TermMaker(self.analyzer)
            entries: dict[tuple[int, str], FileEntry] = {}
            for index, note in notes:
                entries[index, note.path] = self._entry(index, note, caches[index], maker, meter)
            used = [cache for cache in caches if cache is not None and cache.order]
            built = self._assemble(entries, warnings, used)
            self._entries, self._warnings = entries, tuple(warnings)
            return built

    def refresh(self, paths: Iterable[Path]) -> Refreshed:
        """Read again only the files at paths (changed, added or deleted; a folder means
        the notes under it). A file that can't be read keeps its previous notes and
        gives a warning. Raises CorpusError when no notes would be left."""
        with self.lock:
            entries = dict(self._entries)
            maker = TermMaker(self.analyzer)
            changed: list[str] = []
            warnings: list[str] = []
            for path in paths:
                path = Path(path).absolute()
                index = self._owner(path)
                if index is None:
                    continue
                folder = self.folders[index]
                relative = path.relative_to(folder.path.absolute()).as_posix()
                under = [k for k in entries if k[0] == index and (k[1] == relative or k[1].startswith(relative + "/") or relative == ".")]
                files = sorted(p for p in path.rglob("*.md") if p.is_file()) if path.is_dir() else [path]
                seen = set()
                for file in files:
                    if file.suffix != ".md" or self._owner(file) != index:
                        continue
                    rel = file.relative_to(folder.path.absolute()).as_posix()
                    seen.add(rel)
                    try:
                        text = file.read_text(encoding="utf-8-sig")
                    except FileNotFoundError:
                        seen.discard(rel)
                        continue
                    except UnicodeDecodeError:
                        warnings.append(f"{folder.show(rel)}: UTF-8 ではないため、前の内容のままにしました")
                        continue
                    except OSError as exc:
                        warnings.append(f"{folder.show(rel)}: 読めないため、前の内容のままにしました ({exc.strerror or exc})")
                        continue
                    # Made afresh, not through the cache, whose file holds a whole build: the
                    # next full read (a restart, /reload) stores it.
                    entries[index, rel] = self._entry(index, NoteFile(rel, text), None, maker)
                    changed.append(folder.show(rel))
                for key in under:
                    if key[1] not in seen and not (folder.path / key[1]).is_file():
                        del entries[key]
                        changed.append(folder.show(key[1]))
            built = self._assemble(entries, [*self._warnings, *warnings])
            self._entries = entries
            return Refreshed(built, tuple(dict.fromkeys(changed)), tuple(warnings))

    def _owner(self, path: Path) -> int | None:
        """The folder a path belongs to: the innermost one holding it (an inbox may sit
        inside the main notes folder; its files then count once, as the inbox's)."""
        best, depth = None, -1
        path = path.absolute()
        for index, folder in enumerate(self.folders):
            root = folder.path.absolute()
            if (path == root or path.is_relative_to(root)) and len(root.parts) > depth:
                best, depth = index, len(root.parts)
        return best

    def _caches(self) -> list[NotesCache | None]:
        if self.cache_dir is None:
            return [None] * len(self.folders)
        return [NotesCache(self.cache_dir, f.path, self.analyzer.fingerprint) for f in self.folders]

    def _entry(
        self, index: int, note: NoteFile, cache: NotesCache | None, maker: TermMaker, meter: CharacterMeter | None = None
    ) -> FileEntry:
        """The note's entry with its paths as shown (prefixed for an extra folder)."""
        shown = NoteFile(self.folders[index].show(note.path), note.text)
        return entry(shown, cache, maker, self.morphology, meter)

    def _assemble(
        self, entries: dict[tuple[int, str], FileEntry], warnings: list[str], caches: list[NotesCache] = ()
    ) -> Built:
        """Search and quiz over all entries, in the order they were read (folder, then
        file, as read_note_files sorts them: the order the caches list them in);
        caches: those that made or loaded them, to save, the first keeping the index."""
        ordered = list(entries.values())
        return assemble(self.root, ordered, list(warnings), self.analyzer, self.min_coverage, caches)


__all__ = ["CorpusError", "NotesFolder", "NotesLibrary", "Refreshed"]
