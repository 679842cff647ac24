"""What one section offers the quiz, before any corpus-wide choice: its definitions and
its sentences with their candidate terms.

A section is tokenized once (or its morphemes are given, tokenized once by the build);
lines, definitions and sentences take slices of those morphemes by offset. A sentence
longer than MAX_SENTENCE_CHARS is cut at 、 or spaces into pieces of at most
MAX_PIECE_CHARS; a piece that cannot be cut that short is skipped. So each sentence
costs a bounded amount and a section costs time linear in its length.

Analysing is the slow part of making items; a SectionAnalysis is kept in the cache
beside the section's search terms (analysis_to_json), so a restart only makes items.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.core.models import Section
from bot.core.morphology import Morpheme, Morphology, morphemes_key
from bot.core.quiz.cloze import Blank, blank_term, blanks
from bot.core.quiz.terms import Candidate, candidates_in, explains, fold, is_term

# Only prose makes items: never code, tables or math (see BlockKind).
QUIZ_KINDS = frozenset({"paragraph", "list", "quote"})
# Nor what the learner wrote they have not understood: nothing under these headings
# (compared case-folded, without spaces).
UNCLEAR_HEADINGS = frozenset(
    """
    わからなかったこと 分からなかったこと わからないこと 分からないこと わからなかった 分からなかった
    疑問 疑問点 不明点 未解決 よくわからない よく分からない unclear openquestions
    """.split()
)
MAX_SENTENCE_CHARS = 300  # longer is no quiz sentence: cut it at 、 or spaces
MAX_PIECE_CHARS = 150  # the pieces a too-long sentence is cut into

_BULLET = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+")
# "VT-d: 説明" / "コントロールグループ：説明"; a URL's "://" is no definition.
_DEFINITION = re.compile(r"^(?P<term>[^:：]{1,40}?)\s*[:：](?!//)\s*(?P<explanation>\S.*)$")
# "10:30 会議が長引いた": a log entry of what one did, not something to learn.
_LOG_ENTRY = re.compile(r"^\d{1,2}:\d{2}(?:\s|$)")
# TeX math left in the text of a paragraph.
_FORMULA = re.compile(
    r"\\(?:times|frac|cdot|sum|prod|sqrt|leq?|geq?|neq|approx|infty|lim|int|log|alpha|beta|gamma|delta"
    r"|lambda|mu|sigma|theta|pi|mathrm|mathbf|text|left|right)(?![A-Za-z])"
)
_NESTED_KEY = re.compile(r"^[A-Za-z0-9_.\-]+\s*[:：]\s")
_FENCE = re.compile(r"^\s*(```|~~~)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_SENTENCE_END_OR_BRACKET = re.compile(r"[。！？!?()（）]")
# A space is a cut only when no particle follows it: in Japanese prose a space sits
# around a Latin word or inline code ("Authorization のような"), and a piece must not
# start with the particle that ties it to that word.
_PIECE_END = re.compile(r"[、，,]|\s+(?![\u3040-\u309f])")
_STRIP = " \t　「」『』\"'`*_"


@dataclass(frozen=True, slots=True)
class Definition:
    """A term and its explanation. blanked: the explanation with the term blanked
    (cloze.blank_term), as the term and choice items show it; source: the note text the
    items are made from, hashed into their ids; line_index: into the section's lines."""

    term: str
    term_key: str
    explanation: str
    blanked: str
    source: str
    line_index: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with its candidates (offsets into text). excluded_key: the term a
    definition line defines (its own items ask for it). blanks: the candidates a cloze
    may blank and what each blanking replaces (cloze.blanks), checked once here."""

    text: str
    candidates: tuple[Candidate, ...]
    excluded_key: str
    line_index: int
    blanks: tuple[Blank, ...]


@dataclass(frozen=True, slots=True)
class SectionAnalysis:
    definitions: tuple[Definition, ...]
    sentences: tuple[Sentence, ...]

    def keys(self) -> set[str]:
        keys = {d.term_key for d in self.definitions}
        keys.update(c.key for s in self.sentences for c in s.candidates)
        return keys

    def sources(self) -> set[str]:
        """The note lines its items are made from (and hashed into their ids)."""
        return {d.source for d in self.definitions} | {s.text for s in self.sentences}


NOTHING = SectionAnalysis((), ())


# --- The analysis as JSON, for the cache -------------------------------------------------
# Each value a list of its fields in order, of these types (a tuple of candidates is a list).
_CANDIDATE_TYPES = [str, str, int, int, bool, bool, bool, int, bool]
_DEFINITION_TYPES = [str, str, str, str, str, int]
_SENTENCE_TYPES = [str, list, str, int, list]


def analysis_to_json(analysis: SectionAnalysis) -> list:
    return [
        [
            [d.term, d.term_key, d.explanation, d.blanked, d.source, d.line_index]
            for d in analysis.definitions
        ],
        [
            [s.text, _candidates_to_json(s.candidates), s.excluded_key, s.line_index, [list(b) for b in s.blanks]]
            for s in analysis.sentences
        ],
    ]


def analysis_from_json(data: object) -> SectionAnalysis:
    """The analysis analysis_to_json wrote; ValueError for anything of another shape
    or type, so a damaged cache entry is a miss, never a crash later on."""
    definitions, sentences = _fields(data, [list, list])
    return SectionAnalysis(
        definitions=tuple(_definition_from_json(row) for row in definitions),
        sentences=tuple(_sentence_from_json(row) for row in sentences),
    )


def _candidates_to_json(found: Iterable[Candidate]) -> list:
    return [[c.surface, c.key, c.begin, c.end, c.latin, c.katakana, c.proper, c.parts, c.weak] for c in found]


def _definition_from_json(row: object) -> Definition:
    return Definition(*_fields(row, _DEFINITION_TYPES))


def _sentence_from_json(row: object) -> Sentence:
    text, found, excluded_key, line_index, blank_rows = _fields(row, _SENTENCE_TYPES)
    candidates = _candidates_from_json(found)
    for blank in blank_rows:
        # A candidate's index, then begin and end of each stretch blanked: an index out of
        # range would fail when the item is made, so it is refused here.
        if type(blank) is not list or len(blank) % 2 == 0 or {*map(type, blank)} != {int}:
            raise ValueError("a blank of another shape")
        if not 0 <= blank[0] < len(candidates):
            raise ValueError("a blank of another candidate")
    return Sentence(text, candidates, excluded_key, line_index, tuple(map(tuple, blank_rows)))


def _candidates_from_json(rows: list) -> tuple[Candidate, ...]:
    return tuple(Candidate(*_fields(row, _CANDIDATE_TYPES)) for row in rows)


def _fields(row: object, types: list[type]) -> list:
    """row, if it is a list of values of exactly these types (a bool is no int here)."""
    if type(row) is not list or list(map(type, row)) != types:
        raise ValueError(f"expected a list of {len(types)} values of types {[t.__name__ for t in types]}")
    return row


# --- Analysing a section -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    indent: int
    bullet: bool
    content: str  # the line without indent, bullet marker and surrounding spaces
    begin: int  # offset of content in the section text


class _Morphemes:
    """A section's morphemes, sliced by offsets into its text."""

    def __init__(self, morphemes: Sequence[Morpheme]) -> None:
        self.all = morphemes
        self.begins = [m.begin for m in morphemes]

    def within(self, begin: int, end: int) -> list[Morpheme]:
        """The morphemes inside [begin, end)."""
        i = bisect.bisect_left(self.begins, begin)
        j = bisect.bisect_left(self.begins, end, lo=i)
        found = list(self.all[i:j])
        while found and found[-1].end > end:
            found.pop()
        return found

    def exactly(self, begin: int, end: int) -> list[Morpheme] | None:
        """The morphemes that make up [begin, end) exactly, or None when a morpheme
        crosses either edge."""
        found = self.within(begin, end)
        if not found or found[0].begin != begin or found[-1].end != end:
            return None
        return found


def makes_items(section: Section) -> bool:
    """Prose (QUIZ_KINDS) not under a heading such as わからなかったこと (UNCLEAR_HEADINGS)."""
    unclear = any("".join(h.split()).casefold() in UNCLEAR_HEADINGS for h in section.headings)
    return section.kind in QUIZ_KINDS and not unclear


def analyze_section(
    section: Section, morphology: Morphology, morphemes: Sequence[Morpheme] | None = None
) -> SectionAnalysis:
    """The section's definitions and sentences. morphemes, when given, are
    morphology.morphemes(section.text); the text is not tokenized again. Sections that
    are not prose (code, tables, math) or sit under a heading such as わからなかったこと
    (UNCLEAR_HEADINGS) offer nothing."""
    if not makes_items(section):
        return NOTHING
    text = section.text
    tokens = _Morphemes(morphology.morphemes(text) if morphemes is None else morphemes)
    lines = _prose_lines(text)
    next_content = _next_content(lines)
    definitions: list[Definition] = []
    sentences: list[Sentence] = []
    for index, line in enumerate(lines):
        if not line.content or _LOG_ENTRY.match(line.content):
            continue
        child = lines[next_content[index]] if next_content[index] is not None else None
        definition = _colon_definition(text, line, index, tokens)
        if definition is None and child is not None:
            definition = _label_definition(text, line, child, index, tokens)
        if definition:
            definitions.append(definition)
        sentences.extend(_sentences(text, line, index, definition, tokens))
    return SectionAnalysis(tuple(definitions), tuple(sentences))


def _prose_lines(text: str) -> list[_Line]:
    """The section's lines, one per line of text; code blocks and table rows count as
    empty: a blank in code or in a table cell is no question."""
    lines, in_code, offset = [], False, 0
    for raw in text.split("\n"):
        fence = _FENCE.match(raw)
        in_code = in_code != bool(fence)
        if fence or in_code or raw.lstrip().startswith("|"):
            lines.append(_Line(0, False, "", offset))
        else:
            lines.append(_split_line(raw, offset))
        offset += len(raw) + 1
    return lines


def _split_line(raw: str, offset: int) -> _Line:
    begin = len(raw) - len(raw.lstrip())
    stripped = raw.strip()
    bullet = _BULLET.match(stripped)
    rest = stripped[bullet.end() :] if bullet else stripped
    content = rest.strip()
    begin += (bullet.end() if bullet else 0) + len(rest) - len(rest.lstrip())
    return _Line(len(raw) - len(raw.lstrip()), bullet is not None, content, offset + begin)


def _next_content(lines: list[_Line]) -> list[int | None]:
    """For each line, the index of the next line with content (one pass from the end)."""
    out: list[int | None] = [None] * len(lines)
    following = None
    for index in range(len(lines) - 1, -1, -1):
        out[index] = following
        if lines[index].content:
            following = index
    return out


def _colon_definition(text: str, line: _Line, index: int, tokens: _Morphemes) -> Definition | None:
    match = _DEFINITION.match(line.content)
    if not match:
        return None
    raw_term = match.group("term")
    term = raw_term.strip(_STRIP)
    term_begin = line.begin + match.start("term") + len(raw_term) - len(raw_term.lstrip(_STRIP))
    explanation = match.group("explanation").strip()
    if _NESTED_KEY.match(explanation):
        return None  # "alg: none: ...": a key and its value, not a term and its explanation
    explanation_begin = line.begin + match.start("explanation")
    return _definition(text, term, term_begin, explanation, explanation_begin, line.content, index, tokens)


def _label_definition(text: str, line: _Line, child: _Line, index: int, tokens: _Morphemes) -> Definition | None:
    """A short bullet with nested bullets ("- proxmox" / "  - 仮想化技術が統合されたOS"):
    the label is the term, its first child the explanation."""
    if not line.bullet or not child.bullet or child.indent <= line.indent:
        return None
    if _DEFINITION.match(line.content) or _DEFINITION.match(child.content):
        return None
    source = f"{line.content}\n{child.content}"
    return _definition(text, line.content, line.begin, child.content, child.begin, source, index, tokens)


def _definition(
    text: str,
    term: str,
    term_begin: int,
    explanation: str,
    explanation_begin: int,
    source: str,
    index: int,
    tokens: _Morphemes,
) -> Definition | None:
    term_morphemes = tokens.exactly(term_begin, term_begin + len(term)) if term else None
    if term_morphemes is None or not is_term(term, term_morphemes):
        return None
    explanation_end = explanation_begin + len(explanation)
    explanation_morphemes = tokens.within(explanation_begin, explanation_end)
    urls = [(b + explanation_begin, e + explanation_begin) for b, e in _url_spans(explanation)]
    if not explains(explanation, explanation_morphemes, urls):
        return None
    if fold(explanation).startswith(fold(term)):
        return None  # "cgroup: cgroupのルートの見え方" names a part of the term, it does not define it
    term_key = morphemes_key(term_morphemes)
    found = candidates_in(text, explanation_morphemes, -explanation_begin)
    return Definition(
        term=term,
        term_key=term_key,
        explanation=explanation,
        blanked=blank_term(explanation, found, term, term_key),
        source=source,
        line_index=index,
    )


def _sentences(
    text: str, line: _Line, index: int, definition: Definition | None, tokens: _Morphemes
) -> list[Sentence]:
    """The line's sentences. On a `term: explanation` line every sentence starts with
    "term: ", so "パフォーマンスは落ちる" still says what it is about; the term itself
    is never blanked there (the term items ask for it)."""
    own = definition if definition is not None and definition.source == line.content else None
    if own:
        body = own.explanation  # the end of the line
        body_begin = line.begin + len(line.content) - len(body)
    else:
        body_begin, body = line.begin, line.content
    prefix = f"{own.term}: " if own else ""
    out = []
    for begin, end in _sentence_spans(body):
        sentence = prefix + body[begin:end]
        if _FORMULA.search(sentence) or sentence.endswith((":", "：")):
            continue  # a formula (0.98 \times 1 + ...) or a lead-in ("PgBouncer のプールモード:")
        urls = _url_spans(sentence)
        at = body_begin + begin  # where the sentence's own text starts in the section
        morphemes = tokens.within(at, body_begin + end)
        if morphemes and morphemes[0].pos[0] in ("助詞", "助動詞"):
            continue  # a piece of a run-on sentence that starts mid-clause (「という…」)
        found = candidates_in(text, morphemes, len(prefix) - at)
        kept = tuple(c for c in found if not any(b < c.end and c.begin < e for b, e in urls))
        excluded_key = own.term_key if own else ""
        out.append(Sentence(sentence, kept, excluded_key, index, blanks(sentence, kept, excluded_key)))
    return out


def _sentence_spans(body: str) -> Iterator[tuple[int, int]]:
    """[begin, end) of each sentence of body, without surrounding spaces: cut after
    。！？!? outside round brackets, then a sentence over MAX_SENTENCE_CHARS into pieces
    (_pieces)."""
    start, depth = 0, 0
    for mark in _SENTENCE_END_OR_BRACKET.finditer(body):
        char = mark.group()
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(depth - 1, 0)
        elif depth == 0:
            yield from _trimmed_or_cut(body, start, mark.end())
            start = mark.end()
    yield from _trimmed_or_cut(body, start, len(body))


def _trimmed_or_cut(body: str, begin: int, end: int) -> Iterator[tuple[int, int]]:
    span = _trimmed(body, begin, end)
    if span is None:
        return
    if span[1] - span[0] <= MAX_SENTENCE_CHARS:
        yield span
    else:
        yield from _pieces(body, *span)


def _pieces(body: str, begin: int, end: int) -> Iterator[tuple[int, int]]:
    """A too-long sentence cut after 、，, or at spaces into pieces of at most
    MAX_PIECE_CHARS; a stretch with no such place that long is skipped."""
    piece_begin = cut = begin
    for mark in _PIECE_END.finditer(body, begin, end):
        if mark.end() - piece_begin > MAX_PIECE_CHARS:
            yield from _short(body, piece_begin, cut)
            piece_begin = cut
            if mark.end() - piece_begin > MAX_PIECE_CHARS:  # one clause too long alone
                piece_begin = mark.end()
        cut = mark.end()
    if end - piece_begin > MAX_PIECE_CHARS:
        yield from _short(body, piece_begin, cut)
        piece_begin = cut
    if end - piece_begin <= MAX_PIECE_CHARS:
        yield from _short(body, piece_begin, end)


def _short(body: str, begin: int, end: int) -> Iterator[tuple[int, int]]:
    span = _trimmed(body, begin, end, strip=" \t　、，,")
    if span is not None and span[1] - span[0] <= MAX_PIECE_CHARS:
        yield span


def _trimmed(body: str, begin: int, end: int, strip: str | None = None) -> tuple[int, int] | None:
    """[begin, end) without the characters in strip (whitespace by default) at either end,
    or None when nothing is left."""
    piece = body[begin:end]
    left = len(piece) - len(piece.lstrip(strip))
    right = len(piece.rstrip(strip))
    return (begin + left, begin + right) if right > left else None


def _url_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _URL.finditer(text)]
