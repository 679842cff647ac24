"""SudachiPy morphemes with part of speech, for quiz generation and answer grading.

The search Analyzer keeps only index terms; the quiz needs every morpheme with its
part of speech and offsets, so it has its own tokenizer (same dictionary, mode C).
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from dataclasses import dataclass

from sudachipy import Dictionary, SplitMode

# SudachiPy rejects inputs over 49,149 bytes; 10,000 characters stay under it even if
# every character takes four bytes in UTF-8.
_MAX_CHUNK_CHARS = 10_000


@dataclass(frozen=True)
class Morpheme:
    surface: str
    begin: int  # character offsets into the analysed text
    end: int
    pos: tuple[str, ...]  # Sudachi's six part-of-speech fields
    normalized: str  # Sudachi's normalized form: ハイパーバイザ -> ハイパーバイザー

    @property
    def is_space(self) -> bool:
        return self.pos[0] == "空白" or not self.surface.strip()


class Morphology:
    """A thread-safe wrapper: a Sudachi tokenizer must not be used from two threads at once."""

    def __init__(self, dictionary: Dictionary | None = None) -> None:
        self._tokenizer = (dictionary or Dictionary(dict="core")).tokenizer(mode=SplitMode.C)
        self._lock = threading.Lock()

    def morphemes(self, text: str) -> list[Morpheme]:
        out: list[Morpheme] = []
        with self._lock:
            for offset, piece in _pieces(text):
                for m in self._tokenizer.tokenize(piece):
                    out.append(
                        Morpheme(
                            surface=m.surface(),
                            begin=offset + m.begin(),
                            end=offset + m.end(),
                            pos=tuple(m.part_of_speech()),
                            normalized=m.normalized_form(),
                        )
                    )
        return out

    def key(self, text: str) -> str:
        """A spelling-insensitive key: NFKC, case-folded, Sudachi normalized forms,
        whitespace dropped ("Amazon EC2" == "amazon ec2" == "AmazonEC2")."""
        folded = unicodedata.normalize("NFKC", text).casefold()
        return morphemes_key(self.morphemes(folded))


def morphemes_key(morphemes: list[Morpheme]) -> str:
    """The key of a run of morphemes, the same as Morphology.key of their text."""
    joined = "".join(m.normalized for m in morphemes if not m.is_space)
    return "".join(unicodedata.normalize("NFKC", joined).casefold().split())


@functools.cache
def shared_morphology() -> Morphology:
    """One tokenizer per process: loading the dictionary is the expensive part."""
    return Morphology()


def _pieces(text: str):
    """Yield (offset, piece) covering text, split at line ends, each short enough for Sudachi."""
    start = 0
    while start < len(text):
        end = min(start + _MAX_CHUNK_CHARS, len(text))
        if end < len(text):
            newline = text.rfind("\n", start, end)
            if newline > start:
                end = newline + 1
        yield start, text[start:end]
        start = end
