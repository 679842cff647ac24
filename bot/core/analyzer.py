"""Japanese text -> index terms, with SudachiPy and the core dictionary.

The same pipeline runs on notes and on questions, so a question matches the notes
whatever spelling variant, case or inflection the learner used.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sudachipy

from bot.core.morphology import LATIN_WORD, Morpheme, Morphology, core_dictionary, has_japanese, text_chunks

__all__ = ["ENGLISH_PHRASING", "Analyzer", "Token", "core_dictionary", "joined_only", "spans_of", "text_chunks"]

# Parts of speech that carry no topic: particles, auxiliary verbs, symbols, whitespace.
DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
# With drop_function_words, also the words every question has (何, なぜ, どの, する,
# なる, できる ...): they match the notes everywhere and dilute what was asked.
FUNCTION_POS = frozenset({"代名詞", "連体詞", "接続詞", "感動詞"})
_NON_INDEPENDENT = "非自立可能"  # する, なる, ある, できる, やる as verbs
# Words that phrase a question more than they name its topic (教える, 速い, なぜ).
PHRASING_POS = frozenset({"動詞", "形容詞", "副詞"})
_AFFIXES = ("接尾辞", "接頭辞")
# English words that phrase a question (What is KVM? How does it work?) as 教えて and
# なぜ do: a question drops them (bot/core/refusal.py), and they never make acronyms.
ENGLISH_PHRASING = frozenset(
    """
    what what's whats how why when where which who whom whose is are was were be been being am
    the a an of do does did done to in on at for from by with about into as it its it's this that
    these those there their they them i me my you your we our he she his her and or but if then
    than so not no can could would should will shall may might must have has had get gets got
    difference differences between vs versus compare compared comparison explain explained tell
    show describe define definition mean means meaning actually really just anyway also please
    use used using work works working happen happens kind kinds type types way ways much many
    any some other else thing things something each both between
    """.split()
)
_LEADING_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])?\s*")
# Capitalised Latin words in a row: "Windows Subsystem for Linux" -> "wsl".
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ \t]+[A-Za-z][A-Za-z0-9]*)+")
_WORD_CHAR = re.compile(r"[^\W_]")  # \w is str.isalnum() plus the underscore
# A note's topic is read from at most this many characters after its leading mark.
TOPIC_CHARS = 200


@dataclass(frozen=True, slots=True)
class Token:
    term: str  # the index term: normalized form, lower-cased
    begin: int  # character offsets into the analysed text
    end: int
    phrasing: bool = False  # from a verb, adjective or adverb, see PHRASING_POS
    part: bool = False  # a piece of another token (a compound's part, an acronym)


class Analyzer:
    """Turns text into index terms.

    expand_compounds also indexes the mode-A parts of a mode-C compound
    (仮想化 -> 仮想化, 仮想, 化), like analysis-sudachi's "search" mode.
    acronyms adds the initials of capitalised Latin word runs.

    tokens(text) tokenizes; tokens_from_morphemes derives the same tokens from
    morphemes already made (Morphology.morphemes(text, compounds=True)), so a build
    reads each section with SudachiPy once.
    """

    def __init__(self, expand_compounds: bool = True, drop_function_words: bool = True, acronyms: bool = True) -> None:
        self.expand_compounds = expand_compounds
        self.drop_function_words = drop_function_words
        self.acronyms = acronyms
        # Its own tokenizer (thread-safe), so questions never wait for a build's quiz analysis.
        self._morphology = Morphology(core_dictionary())

    @property
    def fingerprint(self) -> str:
        """Everything that changes the terms produced, for cache keys."""
        return (
            f"sudachipy={sudachipy.__version__};dict={_core_dictionary_id()};"
            f"expand={self.expand_compounds};function={self.drop_function_words};"
            f"acronyms={self.acronyms};drop={','.join(sorted(DROPPED_POS | FUNCTION_POS))}"
        )

    def morphemes(self, text: str) -> list[Morpheme]:
        """What tokens_from_morphemes needs: the morphemes, with compound parts if expanded."""
        return self._morphology.morphemes(text, compounds=self.expand_compounds)

    def tokens(self, text: str) -> list[Token]:
        return self.tokens_from_morphemes(self.morphemes(text), text)

    def tokens_from_morphemes(self, morphemes: Iterable[Morpheme], text: str) -> list[Token]:
        """The tokens of text, given its morphemes (with compound parts when expand_compounds)."""
        out: list[Token] = []
        for m in morphemes:
            pos = m.pos
            if not self._keeps(pos) or not _has_word_char(m.surface):
                continue
            out.append(Token(m.normalized.lower(), m.begin, m.end, pos[0] in PHRASING_POS))
            if self.expand_compounds:
                out.extend(self._parts(m))
        if self.acronyms:
            out.extend(_acronyms(text))
        return out

    def _parts(self, m: Morpheme) -> list[Token]:
        """Mode-A parts of a compound, without bare affixes (化, 準) that match everywhere;
        a Latin compound ("Amazon EC2") splits into its words and digit runs."""
        surface = m.surface
        if LATIN_WORD.search(surface) and not has_japanese(surface):
            pieces = [(p.start(), p.group()) for p in LATIN_WORD.finditer(surface)]
            if len(pieces) < 2:
                return []
            return [Token(w.lower(), m.begin + i, m.begin + i + len(w), part=True) for i, w in pieces]
        return [
            Token(p.normalized.lower(), p.begin, p.end, p.pos[0] in PHRASING_POS, part=True)
            for p in m.parts
            if self._keeps(p.pos) and p.pos[0] not in _AFFIXES
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
        return self.topic_from_morphemes(self._morphology.morphemes(text), text)

    def topic_from_morphemes(self, morphemes: Iterable[Morpheme], text: str) -> list[str]:
        """topic_terms of text, given its morphemes: a topic that runs past TOPIC_CHARS
        characters after the leading mark stops before the word that does."""
        lead = _LEADING_MARK.match(text).end()
        limit = lead + TOPIC_CHARS
        topic = []
        for m in morphemes:
            if m.begin < lead:
                continue  # the bullet or number mark
            pos = m.pos
            if m.end > limit or pos[0] in DROPPED_POS or pos[0] in FUNCTION_POS or pos[0] == "動詞":
                break
            topic.append(m.normalized.lower())
        return topic

    def spans(
        self, text: str, terms: set[str] | frozenset[str], joined: frozenset[str] = frozenset()
    ) -> list[tuple[int, int]]:
        """Character spans of text whose terms are in terms, for highlighting (see spans_of)."""
        return spans_of([(t.term, t.begin, t.end) for t in self.tokens(text)], text, terms, joined)


def joined_only(tokens: Sequence[Token], text: str) -> frozenset[str]:
    """Terms of text that only appear joined to others by a hyphen or dot ("VT-d" gives
    vt and d): a highlight shows them where the whole joined word is, not in VT-x."""
    main = sorted((t for t in tokens if not t.part), key=lambda t: t.begin)
    if not main:
        return frozenset()
    joined: set[str] = set()
    loose: set[str] = set()
    extents = []  # (begin, end) of each joined word
    run = main[:1]
    for token in [*main[1:], None]:
        if token is not None and _only_joiners(text[run[-1].end : token.begin]):
            run.append(token)
            continue
        if len(run) > 1:
            joined.update(t.term for t in run)
            extents.append((run[0].begin, run[-1].end))
        run = [token]
    for t in tokens:
        if not any(b <= t.begin and t.end <= e for b, e in extents):
            loose.add(t.term)
    return frozenset(joined - loose)


def spans_of(
    tokens: Iterable[tuple[str, int, int]],
    text: str,
    terms: set[str] | frozenset[str],
    joined: set[str] | frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """Character spans of text whose tokens (term, begin, end) have a term in terms,
    overlaps and pieces joined by a hyphen or dot merged (VT-d is one span).

    A word joined by hyphens or dots (VT-x) whose pieces are not all in terms shows none
    of the pieces that are in joined, the terms a question only used joined (VT-d)."""
    words: list[list] = []  # [end, all pieces matched, [(term, begin, end), ...]]
    for token in sorted(tokens, key=lambda t: (t[1], -t[2])):
        term, begin, end = token
        if words and begin < words[-1][0]:  # inside the word before: a compound's part
            words[-1][2].append(token)
            words[-1][0] = max(words[-1][0], end)
        elif words and _only_joiners(text[words[-1][0] : begin]):
            words[-1][0] = end
            words[-1][1] = words[-1][1] and term in terms
            words[-1][2].append(token)
        else:
            words.append([end, term in terms, [token]])
    chosen = sorted(
        (begin, end)
        for _, whole, pieces in words
        for term, begin, end in pieces
        if term in terms and (whole or term not in joined)
    )
    spans: list[tuple[int, int]] = []
    for begin, end in chosen:
        if spans and (begin <= spans[-1][1] or _only_joiners(text[spans[-1][1] : begin])):
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((begin, end))
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


def _only_joiners(gap: str) -> bool:
    return 0 < len(gap) <= 2 and all(c in "-._" for c in gap)


def _has_word_char(surface: str) -> bool:
    """Emoji and other pictographs are tagged as nouns at times; they are not terms.
    A word character is a letter or digit of any script (str.isalnum)."""
    return _WORD_CHAR.search(surface) is not None


def _acronyms(text: str) -> list[Token]:
    out = []
    for run in _LATIN_RUN.finditer(text):
        initials = "".join(
            w[0] for w in run.group().split() if w[0].isupper() and (w.isupper() or w.lower() not in ENGLISH_PHRASING)
        )
        if len(initials) >= 2:
            out.append(Token(initials.lower(), run.start(), run.end(), part=True))
    return out
