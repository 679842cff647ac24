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
        self._words: dict[int, tuple] = {}  # word id -> see _word
        self._compounds: dict[tuple[int, str], tuple] = {}  # (word id, surface) -> see _parts

    def morphemes(self, text: str, compounds: bool = False) -> list[Morpheme]:
        """Every morpheme of text, mode C; with compounds, each compound also gets its
        mode-A parts, in the same pass (the search indexes them)."""
        out: list[Morpheme] = []
        with self._lock:
            for offset, piece in text_chunks(text):
                for m in self._tokenizer.tokenize(piece):
                    surface = m.surface()
                    begin = offset + m.begin()
                    pos, normalized, compound = self._word(m)
                    parts = self._parts(m, surface, begin) if compounds and compound else ()
                    out.append(Morpheme(surface, begin, offset + m.end(), pos, normalized, parts))
        return out

    def _word(self, m) -> tuple[tuple[str, ...], str, bool]:
        """What the dictionary says of the morpheme's word: its part of speech, its
        normalized form and whether it is a compound of several mode-A words that may be
        search terms. Kept per word id, so each word is looked up once per process;
        words not in the dictionary (all under one id) are looked up each time."""
        if m.is_oov():
            return self._part_of_speech(m), m.normalized_form(), False
        word_id = m.word_id()
        word = self._words.get(word_id)
        if word is None:
            pos = self._part_of_speech(m)
            compound = pos[0] not in _NEVER_SPLIT and len(m.split(SplitMode.A)) > 1
            word = self._words[word_id] = (pos, m.normalized_form(), compound)
        return word

    def _parts(self, m, surface: str, begin: int) -> tuple[Morpheme, ...]:
        """The mode-A parts of a compound; none for a Latin word ("Amazon EC2"), which
        the search splits by its words. Kept per word and spelling: the same word may be
        spelt with another number of characters (half-width ｶﾞ for ガ)."""
        if LATIN_WORD.search(surface) and not has_japanese(surface):
            return ()
        key = (m.word_id(), surface)
        found = self._compounds.get(key)
        if found is None:
            start = m.begin()
            found = self._compounds[key] = tuple(
                (p.begin() - start, p.end() - start, self._part_of_speech(p), p.normalized_form())
                for p in m.split(SplitMode.A)
            )
        return tuple(Morpheme(surface[b:e], begin + b, begin + e, pos, n) for b, e, pos, n in found)

    def _part_of_speech(self, m) -> tuple[str, ...]:
        pos_id = m.part_of_speech_id()
        pos = self._pos.get(pos_id)
        if pos is None:
            pos = self._pos[pos_id] = tuple(m.part_of_speech())
        return pos

    def key(self, text: str) -> str:
        """A spelling-insensitive key: NFKC, case-folded, Sudachi normalized forms,
        whitespace dropped ("Amazon EC2" == "amazon ec2" == "AmazonEC2")."""
        folded = unicodedata.normalize("NFKC", text).casefold()
        return morphemes_key(self.morphemes(folded))


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
