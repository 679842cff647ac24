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

from bot.core.analyzer import core_dictionary, text_chunks


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
            for offset, piece in text_chunks(text):
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
    return Morphology(core_dictionary())

