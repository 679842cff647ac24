"""Japanese text -> index terms, with SudachiPy and the core dictionary.

The same pipeline runs on notes and on questions, so a question matches the notes
whatever spelling variant, case or inflection the learner used.
"""

from __future__ import annotations

import functools
import re
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import sudachipy
from sudachipy import Dictionary, SplitMode

# Parts of speech that carry no topic: particles, auxiliary verbs, symbols, whitespace.
DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
# With drop_function_words, also the words every question has (何, なぜ, どの, する,
# なる, できる ...): they match the notes everywhere and dilute what was asked.
FUNCTION_POS = frozenset({"代名詞", "連体詞", "接続詞", "感動詞"})
_NON_INDEPENDENT = "非自立可能"  # する, なる, ある, できる, やる as verbs
# Words that phrase a question more than they name its topic (教える, 速い, なぜ).
PHRASING_POS = frozenset({"動詞", "形容詞", "副詞"})
_LATIN_WORD = re.compile(r"[A-Za-z]+|[0-9]+")
_LEADING_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])?\s*")
# Capitalised Latin words in a row: "Windows Subsystem for Linux" -> "wsl".
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ \t]+[A-Za-z][A-Za-z0-9]*)+")

# SudachiPy rejects inputs over 49,149 bytes; 10,000 characters stay under it even
# if every character takes four bytes in UTF-8.
_MAX_CHUNK_CHARS = 10_000


@dataclass(frozen=True)
class Token:
    term: str  # the index term: normalized form, lower-cased
    begin: int  # character offsets into the analysed text
    end: int
    phrasing: bool = False  # from a verb, adjective or adverb, see PHRASING_POS


@functools.cache
def core_dictionary() -> Dictionary:
    """The dictionary is loaded once per process; each user makes its own tokenizer."""
    return Dictionary(dict="core")


class Analyzer:
    """Turns text into index terms.

    expand_compounds also indexes the mode-A parts of a mode-C compound
    (仮想化 -> 仮想化, 仮想, 化), like analysis-sudachi's "search" mode.
    acronyms adds the initials of capitalised Latin word runs.
    """

    def __init__(self, expand_compounds: bool = True, drop_function_words: bool = True, acronyms: bool = True) -> None:
        self.expand_compounds = expand_compounds
        self.drop_function_words = drop_function_words
        self.acronyms = acronyms
        self._tokenizer = core_dictionary().tokenizer(mode=SplitMode.C)
        # A Sudachi tokenizer must not be used from two threads at once.
        self._lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        """Everything that changes the terms produced, for cache keys."""
        return (
            f"sudachipy={sudachipy.__version__};dict={_core_dictionary_id()};"
            f"expand={self.expand_compounds};function={self.drop_function_words};"
            f"acronyms={self.acronyms};drop={','.join(sorted(DROPPED_POS | FUNCTION_POS))}"
        )

    def tokens(self, text: str) -> list[Token]:
        out: list[Token] = []
        with self._lock:
            for offset, chunk in text_chunks(text):
                for m in self._tokenizer.tokenize(chunk):
                    if not self._keeps(m.part_of_speech()) or not _has_word_char(m.surface()):
                        continue
                    begin, end = offset + m.begin(), offset + m.end()
                    phrasing = m.part_of_speech()[0] in PHRASING_POS
                    out.append(Token(m.normalized_form().lower(), begin, end, phrasing))
                    if self.expand_compounds:
                        out.extend(self._parts(m, offset))
        if self.acronyms:
            out.extend(_acronyms(text))
        return out

    def _parts(self, m, offset: int) -> list[Token]:
        """Mode-A parts of a compound, without bare affixes (化, 準) that match everywhere;
        a Latin compound ("Amazon EC2") splits into its words and digit runs."""
        if _LATIN_WORD.search(m.surface()) and not _has_japanese(m.surface()):
            pieces = [(p.start(), p.group()) for p in _LATIN_WORD.finditer(m.surface())]
            if len(pieces) < 2:
                return []
            return [Token(w.lower(), offset + m.begin() + i, offset + m.begin() + i + len(w)) for i, w in pieces]
        parts = m.split(SplitMode.A)
        if len(parts) < 2:
            return []
        return [
            Token(p.normalized_form().lower(), offset + p.begin(), offset + p.end(), p.part_of_speech()[0] in PHRASING_POS)
            for p in parts
            if self._keeps(p.part_of_speech()) and p.part_of_speech()[0] not in ("接尾辞", "接頭辞")
        ]

    def _keeps(self, pos: tuple[str, ...]) -> bool:
        if pos[0] in DROPPED_POS:
            return False
        if self.drop_function_words:
            return pos[0] not in FUNCTION_POS and pos[1] != _NON_INDEPENDENT
        return True

    def terms(self, text: str) -> list[str]:
        return [t.term for t in self.tokens(text)]

    def topic_terms(self, text: str) -> list[str]:
        """Terms of the noun phrase a note opens with, up to its first particle or
        symbol: the topic it is about ("準仮想化は..." -> 準仮想化, "VT-d: ..." -> vt)."""
        text = _LEADING_MARK.sub("", text, count=1)
        with self._lock:
            morphemes = self._tokenizer.tokenize(next(text_chunks(text), (0, ""))[1][:200])
        topic = []
        for m in morphemes:
            pos = m.part_of_speech()
            if pos[0] in DROPPED_POS or pos[0] in FUNCTION_POS or pos[0] == "動詞":
                break
            topic.append(m.normalized_form().lower())
        return topic

    def spans(self, text: str, terms: set[str] | frozenset[str]) -> list[tuple[int, int]]:
        """Character spans of text whose terms are in terms, overlaps merged; for highlighting."""
        spans: list[tuple[int, int]] = []
        for tok in sorted(self.tokens(text), key=lambda t: (t.begin, t.end)):
            if tok.term not in terms:
                continue
            # Merge overlaps and pieces joined by a hyphen or dot, so VT-d is one span.
            if spans and (tok.begin <= spans[-1][1] or _only_joiners(text[spans[-1][1] : tok.begin])):
                spans[-1] = (spans[-1][0], max(spans[-1][1], tok.end))
            else:
                spans.append((tok.begin, tok.end))
        return spans


def _core_dictionary_id() -> str:
    """Size and checksum of the core dictionary's header (format, version, build id):
    another dictionary changes it, reinstalling the same one does not. Not
    importlib.metadata, whose import alone adds about 25 ms to a cold `manabi ask`."""
    import sudachidict_core

    path = Path(sudachidict_core.__file__).parent / "resources" / "system.dic"
    with path.open("rb") as dic:
        header = dic.read(4096)
    return f"{path.stat().st_size}-{zlib.crc32(header):08x}"


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


def _has_japanese(text: str) -> bool:
    # Kana and CJK ideographs. Not a regex: compiling a class this wide costs a cold
    # `manabi ask` about 3 ms.
    return any("\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" for c in text)


def _only_joiners(gap: str) -> bool:
    return 0 < len(gap) <= 2 and all(c in "-._" for c in gap)


def _has_word_char(surface: str) -> bool:
    """Emoji and other pictographs are tagged as nouns at times; they are not terms."""
    return any(c.isalnum() for c in surface)


def _acronyms(text: str) -> list[Token]:
    out = []
    for run in _LATIN_RUN.finditer(text):
        initials = "".join(w[0] for w in run.group().split() if w[0].isupper())
        if len(initials) >= 2:
            out.append(Token(initials.lower(), run.start(), run.end()))
    return out
