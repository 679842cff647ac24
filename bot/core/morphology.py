"""SudachiPy morphemes with part of speech: the one place a text is tokenized.

A build reads each section with SudachiPy once (Morphology.morphemes) and derives
everything from those morphemes: the search terms and highlight spans
(Analyzer.tokens_from_morphemes) and the quiz analysis.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

from sudachipy import Dictionary, SplitMode

# SudachiPy rejects inputs over 49,149 bytes; 10,000 characters stay under it even
# if every character takes four bytes in UTF-8.
_MAX_CHUNK_CHARS = 10_000
# Parts of speech that never hold a compound worth splitting (see Morpheme.parts).
_NEVER_SPLIT = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
LATIN_WORD = re.compile(r"[A-Za-z]+|[0-9]+")


@dataclass(frozen=True, slots=True)
class Morpheme:
    surface: str
    begin: int  # character offsets into the analysed text
    end: int
    pos: tuple[str, ...]  # Sudachi's six part-of-speech fields
    normalized: str  # Sudachi's normalized form: ハイパーバイザ -> ハイパーバイザー
    # The mode-A parts of a mode-C compound (仮想化 -> 仮想, 化), offsets in the same
    # text; empty unless asked for (Morphology.morphemes(compounds=True)) and the
    # morpheme is a compound of Japanese words.
    parts: tuple[Morpheme, ...] = ()

    @property
    def is_space(self) -> bool:
        return self.pos[0] == "空白" or not self.surface.strip()


@functools.cache
def core_dictionary() -> Dictionary:
    """The dictionary is loaded once per process; each user makes its own tokenizer."""
    return Dictionary(dict="core")


class Morphology:
    """A thread-safe wrapper: a Sudachi tokenizer must not be used from two threads at once."""

    def __init__(self, dictionary: Dictionary | None = None) -> None:
        self._tokenizer = (dictionary or Dictionary(dict="core")).tokenizer(mode=SplitMode.C)
        self._lock = threading.Lock()
        self._pos: dict[int, tuple[str, ...]] = {}  # part-of-speech id -> its fields

    def morphemes(self, text: str, compounds: bool = False) -> list[Morpheme]:
        """Every morpheme of text, mode C; with compounds, each compound also gets its
        mode-A parts, in the same pass (the search indexes them)."""
        out: list[Morpheme] = []
        with self._lock:
            for offset, piece in text_chunks(text):
                for m in self._tokenizer.tokenize(piece):
                    pos = self._part_of_speech(m)
                    surface = m.surface()
                    begin = offset + m.begin()
                    parts = self._parts(m, offset) if compounds and _may_split(surface, pos) else ()
                    out.append(Morpheme(surface, begin, offset + m.end(), pos, m.normalized_form(), parts))
        return out

    def _part_of_speech(self, m) -> tuple[str, ...]:
        pos_id = m.part_of_speech_id()
        pos = self._pos.get(pos_id)
        if pos is None:
            pos = self._pos[pos_id] = tuple(m.part_of_speech())
        return pos

    def _parts(self, m, offset: int) -> tuple[Morpheme, ...]:
        parts = m.split(SplitMode.A)
        if len(parts) < 2:
            return ()
        return tuple(
            Morpheme(p.surface(), offset + p.begin(), offset + p.end(), self._part_of_speech(p), p.normalized_form())
            for p in parts
        )

    def key(self, text: str) -> str:
        """A spelling-insensitive key: NFKC, case-folded, Sudachi normalized forms,
        whitespace dropped ("Amazon EC2" == "amazon ec2" == "AmazonEC2")."""
        folded = unicodedata.normalize("NFKC", text).casefold()
        return morphemes_key(self.morphemes(folded))


def _may_split(surface: str, pos: tuple[str, ...]) -> bool:
    """Whether the morpheme may be a compound whose mode-A parts are search terms: one
    character never splits, and a Latin word ("Amazon EC2") splits by its words instead."""
    if len(surface) < 2 or pos[0] in _NEVER_SPLIT:
        return False
    return not (LATIN_WORD.search(surface) and not has_japanese(surface))


def has_japanese(text: str) -> bool:
    """Kana or CJK ideographs."""
    return any("\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" for c in text)


def text_chunks(text: str):
    """Yield (offset, piece) covering text, pieces short enough for Sudachi, split at
    line ends where possible."""
    start = 0
    while start < len(text):
        end = min(start + _MAX_CHUNK_CHARS, len(text))
        if end < len(text):
            newline = text.rfind("\n", start, end)
            if newline > start:
                end = newline + 1
        yield start, text[start:end]
        start = end


def morphemes_key(morphemes: list[Morpheme]) -> str:
    """The key of a run of morphemes, the same as Morphology.key of their text."""
    joined = "".join(m.normalized for m in morphemes if not m.is_space)
    return "".join(unicodedata.normalize("NFKC", joined).casefold().split())


@functools.cache
def shared_morphology() -> Morphology:
    """One tokenizer per process: loading the dictionary is the expensive part."""
    return Morphology(core_dictionary())
