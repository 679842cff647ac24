"""Quiz items generated from the notes themselves; there is no hand-written question bank.

Four kinds:
- term:   a `用語: 説明` bullet (or a short label bullet with nested bullets) shows the
          explanation and asks for the term;
- reveal: the reverse, shows the term and reveals the explanation (self-graded);
- choice: the explanation with four terms to pick from, the distractors other terms
          defined in the notes, nearest siblings first;
- cloze:  a sentence with its most salient term blanked: a noun, proper noun, compound
          or Latin-script term, rare in the notes, never a particle, a number or a
          generic word (こと, もの, ため, 方法 ...).

Item ids hash the kind, the source line and the answer, so the same notes give the same
ids after a restart, and editing one line only renews the items made from it.

Analysing a section (SudachiPy) is the slow part; its result, a SectionAnalysis, is kept
in the cache beside the section's search terms (analysis_to_json), so a restart only
makes items, and only when they are asked for.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import unicodedata
from _random import Random  # the generator under random.Random, see _shuffled
from collections import Counter, defaultdict, namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

try:  # hashlib loads OpenSSL, 2-3 ms of a cold `manabi ask`; the builtin module is enough
    from _sha1 import sha1  # Python 3.11
except ImportError:  # pragma: no cover - other Python versions
    from hashlib import sha1

from bot.core.models import Kind, QuizItem, Section
from bot.core.morphology import Morpheme, Morphology, morphemes_key, shared_morphology

BLANK = "＿＿＿"
ID_LENGTH = 12  # hex digits: fits a Discord custom_id (100 chars) with room to spare
CHOICE_COUNT = 4

_PROSE_KINDS = ("paragraph", "list", "quote")
_BULLET = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+")
# "VT-d: 説明" / "コントロールグループ：説明"; a URL's "://" is no definition.
_DEFINITION = re.compile(r"^(?P<term>[^:：]{1,40}?)\s*[:：](?!//)\s*(?P<explanation>\S.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_LATIN = re.compile(r"[A-Za-z]")
_KATAKANA_ONLY = re.compile(r"^[\u30a0-\u30ffー・]+$")
_SENTENCE_MARKS = ("。", "、", "，", "！", "？")
_STRIP = " \t　「」『』\"'`*_"

MAX_TERM_CHARS = 30
MIN_EXPLANATION_CHARS = 6  # what is left to read once the term is blanked
MIN_CLOZE_CHARS = 10  # a shorter sentence gives too little to go on

# Words that carry no topic: a teacher would never blank them or ask for them.
GENERIC_WORDS = frozenset(
    """
    こと 事 もの 物 ため 為 やつ 奴 方法 時 とき 場合 他 ほか 外 意味 必要 感じ 全部 全て 方 点 所
    ところ 今 前 後 上 下 中 間 際 以上 以下 普通 部分 種類 一つ 互い 本物 具体 具体的 自由 完全
    大事 重要 簡単 便利 問題 状態 例 例え 結果 理由 目的 仕組み 使用 利用 場所 対応 代わり 影響
    本当 最初 最後 自分 皆 みんな 的 系 用 向け 同じ 様 よう 通り 程度 感じ 説明 話 今回 次 別
    ほう 辺 たち 達 人 内容 それぞれ 各 何 なに 全体 一般 基本 主 最近 色々 いろいろ 様々
    """.split()
)
# Labels of asides, not terms: "例: ...", "メモ: ...".
ASIDE_LABELS = frozenset("例 注意 注 メモ 参考 補足 todo note ポイント 結論 感想 答え まとめ 追記 url".split())
# Suffixes that make a new term (仮想化, 互換性); others (用, 製, 系) end it.
_TERM_SUFFIXES = frozenset("化 性 率 型 式 層 機 器 量 網".split())
# Terms looked at per pool when picking distractors: bounds the work when one term is
# defined over and over.
_MAX_DISTRACTOR_SCAN = 200
_LATIN_JOINERS = frozenset("-._/")
_LATIN_TAILS = frozenset("+#")
_NOT_NOMINAL = frozenset({"助詞", "助動詞", "動詞", "形容詞", "副詞", "接続詞", "感動詞", "連体詞", "代名詞", "形状詞"})


def item_id(kind: Kind, source_text: str, answer: str) -> str:
    digest = sha1(f"{kind.value}\x1f{source_text}\x1f{answer}".encode("utf-8"))
    return digest.hexdigest()[:ID_LENGTH]


# --- What one section offers, before any corpus-wide choice ------------------------
# Named tuples: a restart makes 100,000s of them from the cache, three times faster than
# dataclasses. From collections: typing's import alone is 2 ms of a cold `manabi ask`.
# The types of their fields are those the cache checks (_CANDIDATE_TYPES ... below).


class Candidate(namedtuple("Candidate", "surface key begin end latin katakana proper parts weak")):
    """A run of morphemes that could be blanked or asked for. key: spelling-insensitive,
    see morphemes_key; parts: the content words in it (a compound has two or more);
    weak: one verbal or adjectival noun (実行, 必要), a poor blank."""

    __slots__ = ()


class Definition(namedtuple("Definition", "term term_key explanation explanation_candidates source line_index")):
    """source: the note text the items are made from, hashed into their ids;
    line_index: into the section's lines."""

    __slots__ = ()


class Sentence(namedtuple("Sentence", "text candidates excluded_key line_index")):
    """excluded_key: the term a definition line defines (its own items ask for it)."""

    __slots__ = ()


class SectionAnalysis(namedtuple("SectionAnalysis", "definitions sentences")):
    __slots__ = ()

    def keys(self) -> set[str]:
        keys = {d.term_key for d in self.definitions}
        keys.update(c.key for s in self.sentences for c in s.candidates)
        return keys

    def sources(self) -> set[str]:
        """The note lines its items are made from (and hashed into their ids)."""
        return {d.source for d in self.definitions} | {s.text for s in self.sentences}


# An analysis as JSON, for the cache: each value a list of its fields in order, of these
# types (a tuple of candidates is a list).
_CANDIDATE_TYPES = [str, str, int, int, bool, bool, bool, int, bool]
_DEFINITION_TYPES = [str, str, str, list, str, int]
_SENTENCE_TYPES = [str, list, str, int]


def analysis_to_json(analysis: SectionAnalysis) -> list:
    return [
        [
            [d.term, d.term_key, d.explanation, _candidates_to_json(d.explanation_candidates), d.source, d.line_index]
            for d in analysis.definitions
        ],
        [[s.text, _candidates_to_json(s.candidates), s.excluded_key, s.line_index] for s in analysis.sentences],
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
    return [list(c) for c in found]


def _definition_from_json(row: object) -> Definition:
    term, term_key, explanation, found, source, line_index = _fields(row, _DEFINITION_TYPES)
    return Definition(term, term_key, explanation, _candidates_from_json(found), source, line_index)


def _sentence_from_json(row: object) -> Sentence:
    text, found, excluded_key, line_index = _fields(row, _SENTENCE_TYPES)
    return Sentence(text, _candidates_from_json(found), excluded_key, line_index)


def _candidates_from_json(rows: list) -> tuple[Candidate, ...]:
    return tuple(Candidate(*_fields(row, _CANDIDATE_TYPES)) for row in rows)


def _fields(row: object, types: list[type]) -> list:
    """row, if it is a list of values of exactly these types (a bool is no int here)."""
    if type(row) is not list or list(map(type, row)) != types:
        raise ValueError(f"expected a list of {len(types)} values of types {[t.__name__ for t in types]}")
    return row


_Line = namedtuple("_Line", "indent bullet content")


def analyze_section(text: str, morphology: Morphology) -> SectionAnalysis:
    lines = _prose_lines(text)
    definitions: list[Definition] = []
    sentences: list[Sentence] = []
    for index, line in enumerate(lines):
        if not line.content:
            continue
        definition = _colon_definition(line, index, morphology) or _label_definition(lines, index, morphology)
        if definition:
            definitions.append(definition)
        sentences.extend(_sentences(line, index, definition, morphology))
    return SectionAnalysis(tuple(definitions), tuple(sentences))


def _prose_lines(text: str) -> list[_Line]:
    """The section's lines, one per line of text; code blocks and table rows count as
    empty: a blank in code or in a table cell is no question."""
    lines, in_code = [], False
    for raw in text.split("\n"):
        fence = _FENCE.match(raw)
        in_code = in_code != bool(fence)
        lines.append(_Line(0, False, "") if fence or in_code or raw.lstrip().startswith("|") else _split_line(raw))
    return lines


def _split_line(raw: str) -> _Line:
    stripped = raw.strip()
    content = _BULLET.sub("", stripped)
    return _Line(len(raw) - len(raw.lstrip()), content != stripped, content.strip())


def _colon_definition(line: _Line, index: int, morphology: Morphology) -> Definition | None:
    match = _DEFINITION.match(line.content)
    if not match:
        return None
    term = match.group("term").strip(_STRIP)
    explanation = match.group("explanation").strip()
    return _definition(term, explanation, line.content, index, morphology)


def _label_definition(lines: list[_Line], index: int, morphology: Morphology) -> Definition | None:
    """A short bullet with nested bullets ("- proxmox" / "  - 仮想化技術が統合されたOS"):
    the label is the term, its first child the explanation."""
    line = lines[index]
    child = next((l for l in lines[index + 1 :] if l.content), None)
    if not line.bullet or child is None or not child.bullet or child.indent <= line.indent:
        return None
    if _DEFINITION.match(line.content) or _DEFINITION.match(child.content):
        return None
    return _definition(line.content, child.content, f"{line.content}\n{child.content}", index, morphology)


def _definition(term: str, explanation: str, source: str, index: int, morphology: Morphology) -> Definition | None:
    if not _is_term(term, morphology) or len(explanation) < MIN_EXPLANATION_CHARS:
        return None
    return Definition(
        term=term,
        term_key=morphology.key(term),
        explanation=explanation,
        explanation_candidates=tuple(candidates(explanation, morphology)),
        source=source,
        line_index=index,
    )


def _is_term(text: str, morphology: Morphology) -> bool:
    """A short noun phrase: no particle, verb or sentence mark; not an aside label."""
    if not text or len(text) > MAX_TERM_CHARS or any(m in text for m in _SENTENCE_MARKS):
        return False
    morphemes = [m for m in morphology.morphemes(text) if not m.is_space]
    if any(m.pos[0] in _NOT_NOMINAL for m in morphemes):
        return False
    content = [m for m in morphemes if m.pos[0] == "名詞" and m.pos[1] != "数詞"]
    if not content:
        return False
    key = morphemes_key(morphemes)
    return key not in ASIDE_LABELS and not all(_is_generic(m) for m in content)


def _sentences(line: _Line, index: int, definition: Definition | None, morphology: Morphology) -> list[Sentence]:
    """The line's sentences. On a `term: explanation` line every sentence starts with
    "term: ", so "パフォーマンスは落ちる" still says what it is about; the term itself
    is never blanked there (the term items ask for it)."""
    own = definition if definition is not None and definition.source == line.content else None
    body = own.explanation if own else line.content
    prefix = f"{own.term}: " if own else ""
    out = []
    for text in (s.strip() for s in _SENTENCE_END.split(body)):
        if not text:
            continue
        full = prefix + text
        urls = [m.span() for m in _URL.finditer(full)]
        out.append(
            Sentence(
                text=full,
                candidates=tuple(
                    c
                    for c in candidates(full, morphology)
                    if c.begin >= len(prefix) and not any(b < c.end and c.begin < e for b, e in urls)
                ),
                excluded_key=own.term_key if own else "",
                line_index=index,
            )
        )
    return out


# --- Candidate terms: runs of nouns, joined Latin words, minus generic words --------


def candidates(text: str, morphology: Morphology) -> list[Candidate]:
    morphemes = morphology.morphemes(text)
    out = []
    i = 0
    while i < len(morphemes):
        end = _run_end(morphemes, i)
        if end > i:
            candidate = _candidate(text, morphemes[i:end])
            if candidate:
                out.append(candidate)
            i = end
        else:
            i += 1
    return out


def _run_end(ms: list[Morpheme], start: int) -> int:
    """Index after the longest nominal run starting at start, or start if none does."""
    if not _starts_run(ms, start):
        return start
    i = start + 1
    while i < len(ms) and _continues_run(ms, i):
        i += 1
    while i > start and ms[i - 1].pos[0] in ("補助記号", "空白", "接頭辞"):
        i -= 1  # a run never ends on a joiner
    return i


def _starts_run(ms: list[Morpheme], i: int) -> bool:
    m = ms[i]
    if _is_content(m):
        return True
    follows = i + 1 < len(ms) and _adjacent(m, ms[i + 1])
    if m.pos[0] == "接頭辞":
        return follows and _is_content(ms[i + 1])
    if _is_number(m):
        # 3ウェイハンドシェイク, IPv6 ... but never a number alone
        return follows and (_is_content(ms[i + 1]) or _is_latin(ms[i + 1]))
    if m.surface in ("-", "--") and follows and _is_latin(ms[i + 1]):
        return i == 0 or ms[i - 1].is_space  # an option like --amend
    return False


def _continues_run(ms: list[Morpheme], i: int) -> bool:
    m, before = ms[i], ms[i - 1]
    after = ms[i + 1] if i + 1 < len(ms) else None
    if not _adjacent(before, m):
        return False
    if _is_content(m):
        return True
    if m.pos[0] == "接尾辞":
        return m.surface in _TERM_SUFFIXES
    if _is_number(m):
        return _is_latin(before) or (after is not None and _adjacent(m, after) and _is_content(after))
    if m.pos[0] == "接頭辞":
        return after is not None and _adjacent(m, after) and _is_content(after)
    between_latin = _is_latin(before) and after is not None and _adjacent(m, after) and (
        _is_latin(after) or _is_number(after)
    )
    if m.surface in _LATIN_JOINERS:
        return between_latin  # VT-x, Node.js, HTTP/2
    if m.is_space and m.surface == " ":
        return between_latin and _is_latin(after)  # Rancher Desktop, nitro system
    if m.surface in _LATIN_TAILS:
        return _is_latin(before) or before.surface in _LATIN_TAILS  # C++, C#
    return False


def _adjacent(a: Morpheme, b: Morpheme) -> bool:
    return a.end == b.begin


def _is_content(m: Morpheme) -> bool:
    return m.pos[0] == "名詞" and m.pos[1] not in ("数詞", "代名詞")


def _is_number(m: Morpheme) -> bool:
    return m.pos[1] == "数詞" or m.surface.isdigit()


def _is_latin(m: Morpheme) -> bool:
    return bool(_LATIN.search(m.surface)) and not _japanese().search(m.surface)


@functools.cache
def _japanese() -> re.Pattern[str]:
    # Compiled when first needed: 2 ms, which a cold `ask` served from the cache never needs.
    return re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _is_generic(m: Morpheme) -> bool:
    if m.surface in GENERIC_WORDS or m.normalized in GENERIC_WORDS:
        return True
    if _is_latin(m) or _KATAKANA_ONLY.match(m.surface):
        return len(m.surface) < 2
    # 時, ため, 上: nouns that double as adverbs or counters are function words here.
    return len(m.surface) < 2 or m.pos[2] in ("副詞可能", "助数詞可能")


def _candidate(text: str, run: list[Morpheme]) -> Candidate | None:
    content = [m for m in run if _is_content(m)]
    if not content or all(_is_generic(m) for m in content):
        return None
    surface = text[run[0].begin : run[-1].end]
    if len(surface) < 2 or len(surface) > MAX_TERM_CHARS:
        return None
    latin = bool(_LATIN.search(surface)) and not _japanese().search(surface)
    return Candidate(
        surface=surface,
        key=morphemes_key(run),
        begin=run[0].begin,
        end=run[-1].end,
        latin=latin,
        katakana=bool(_KATAKANA_ONLY.match(surface)),
        proper=any(m.pos[1] == "固有名詞" for m in content),
        parts=len(content),
        weak=len(content) == 1 and content[0].pos[2] in ("サ変可能", "形状詞可能") and not latin,
    )


# --- The engine: corpus-wide rarity, distractors, items -----------------------------


class _Term(namedtuple("_Term", "surface key order headings")):
    """A defined term that may serve as a distractor, with where it sits in the notes:
    order is its position among all defined terms, in notes order."""

    __slots__ = ()


class QuizEngine:
    """Every quiz item of a corpus. analyses, when given, are those of the sections in
    the same order (from the cache); without them the sections are analysed here.

    Items are made when first asked for: items_in makes those of one section, so an
    answer pays for its hits alone; the rest (items, item, topics) makes them all, once."""

    def __init__(
        self,
        sections: Iterable[Section],
        morphology: Morphology | None = None,
        analyses: Sequence[SectionAnalysis] | None = None,
    ) -> None:
        self.sections = tuple(sections)
        if analyses is None:
            morphology = morphology or shared_morphology()
            analyses = [analyze_section(s.text, morphology) for s in self.sections]
        if len(analyses) != len(self.sections):
            raise ValueError(f"{len(analyses)} analyses for {len(self.sections)} sections")
        self._analyses = tuple(analyses)
        self._document_frequency = Counter(k for a in self._analyses for k in a.keys())
        self._definitions = _TermPools(self.sections, self._analyses)
        self._index = {section: index for index, section in enumerate(self.sections)}
        self._with_source: dict[str, list[int]] = defaultdict(list)  # note line -> sections holding it
        for index, analysis in enumerate(self._analyses):
            for source in analysis.sources():
                self._with_source[source].append(index)
        self._made: dict[int, tuple[QuizItem, ...]] = {}  # by section index

    @functools.cached_property
    def items(self) -> tuple[QuizItem, ...]:
        return tuple(self._by_id.values())

    @functools.cached_property
    def _by_id(self) -> dict[str, QuizItem]:
        by_id: dict[str, QuizItem] = {}
        for index in range(len(self.sections)):
            by_id.update((i.id, i) for i in self._items_of(index))
        return by_id

    def item(self, item_id: str) -> QuizItem | None:
        return self._by_id.get(item_id)

    def items_in(self, section: Section) -> tuple[QuizItem, ...]:
        index = self._index.get(section)
        return () if index is None else self._items_of(index)

    def topics(self) -> tuple[str, ...]:
        """Top-level headings that have items, in notes order."""
        return tuple(dict.fromkeys(i.topic for i in self.items))

    def items_for_topic(self, topic: str) -> tuple[QuizItem, ...]:
        """Items under a heading of that name at any level, compared NFKC and case-folded."""
        wanted = _fold(topic)
        return tuple(i for i in self.items if any(_fold(h) == wanted for h in i.section.headings))

    # -- generation --

    def _items_of(self, index: int) -> tuple[QuizItem, ...]:
        """The section's items but those a copy of the same line in an earlier section
        gave already: a line copied into two places gives one item, from its first place."""
        items = self._made.get(index)
        if items is None:  # two threads may both make them: the same items, no harm
            earlier = {j for s in self._analyses[index].sources() for j in self._with_source[s] if j < index}
            # In order, so each copy finds those before it made already (no deep recursion).
            given = {i.id for j in sorted(earlier) for i in self._items_of(j)}
            items = self._made[index] = tuple(i for i in self._section_items(index) if i.id not in given)
        return items

    def _section_items(self, index: int) -> list[QuizItem]:
        """Items in line order; on one line the term items before the clozes."""
        section, analysis = self.sections[index], self._analyses[index]
        if section.kind not in _PROSE_KINDS:
            return []  # code, tables and math are not prose to quiz on
        by_line: dict[int, list[QuizItem]] = defaultdict(list)
        for definition in analysis.definitions:
            by_line[definition.line_index] += self._definition_items(index, section, definition)
        for sentence in analysis.sentences:
            cloze = self._cloze(section, sentence)
            if cloze:
                by_line[sentence.line_index].append(cloze)
        return [item for line_index in sorted(by_line) for item in by_line[line_index]]

    def _definition_items(self, index: int, section: Section, d: Definition) -> list[QuizItem]:
        line = section.line_start + d.line_index
        explanation = _blank_out(d.explanation, d.explanation_candidates, d.term, d.term_key)
        if len(explanation.replace(BLANK, "").strip()) < MIN_EXPLANATION_CHARS:
            return []
        items = []
        term_question = f"次の説明に当てはまる用語は？\n{explanation}"
        if not _leaks(d.term, term_question):
            items.append(_item(Kind.TERM, term_question, d.term, (), section, line, d.source, d.term))
        reveal_question = f"「{d.term}」とは？"
        items.append(_item(Kind.REVEAL, reveal_question, d.explanation, (), section, line, d.source, d.term))
        choice_question = f"次の説明に当てはまるものはどれ？\n{explanation}"
        distractors = self._definitions.distractors(index, d.term_key, choice_question)
        if len(distractors) == CHOICE_COUNT - 1 and not _leaks(d.term, choice_question):
            options = _shuffled((d.term, *distractors), item_id(Kind.CHOICE, d.source, d.term))
            items.append(_item(Kind.CHOICE, choice_question, d.term, options, section, line, d.source, d.term))
        return items

    def _cloze(self, section: Section, sentence: Sentence) -> QuizItem | None:
        ranked = sorted(
            (c for c in sentence.candidates if self._blankable(c, sentence)),
            key=lambda c: (-self._salience(c), -len(c.surface), c.begin),
        )
        for candidate in ranked:
            blanked = _blank_out(sentence.text, sentence.candidates, candidate.surface, candidate.key)
            if len(blanked.replace(BLANK, "")) < MIN_CLOZE_CHARS:
                continue
            question = f"{BLANK} に入る語は？\n{blanked}"
            if _leaks(candidate.surface, question):
                continue
            line = section.line_start + sentence.line_index
            return _item(Kind.CLOZE, question, candidate.surface, (), section, line, sentence.text, candidate.surface)
        return None

    def _blankable(self, c: Candidate, sentence: Sentence) -> bool:
        """Never the term the line defines, a weak word, one item of a list (any of
        them would fit), or a word that also occurs inside longer words (OS in ゲストOS)."""
        return (
            c.key != sentence.excluded_key
            and not c.weak
            and self._salience(c) > 0
            and not _enumerated(c, sentence)
            and _occurs_only_whole(sentence, c)
        )

    def _salience(self, c: Candidate) -> float:
        """Rarity in the notes (idf), plus what makes a term worth learning."""
        sections = max(len(self.sections), 1)
        idf = math.log((sections + 1) / self._document_frequency.get(c.key, 1))
        bonus = 1.0 * c.latin + 0.5 * c.proper + 0.5 * c.katakana + 0.5 * min(c.parts - 1, 2)
        return idf + bonus - 1.5 * c.weak


class _TermPools:
    """Terms by section, by heading path, by top-level heading and overall, each in notes
    order, so a distractor is found near its answer without scanning the corpus."""

    def __init__(self, sections: Sequence[Section], analyses: Sequence[SectionAnalysis]) -> None:
        self.by_section: list[list[_Term]] = []
        self.by_path: dict[tuple[str, ...], list[_Term]] = defaultdict(list)
        self.by_top: dict[str, list[_Term]] = defaultdict(list)
        self.all: list[_Term] = []
        for section, analysis in zip(sections, analyses):
            placed = []
            for definition in analysis.definitions:
                term = _Term(definition.term, definition.term_key, len(self.all), section.headings)
                self.all.append(term)
                self.by_path[term.headings].append(term)
                self.by_top[_top(term.headings)].append(term)
                placed.append(term)
            self.by_section.append(placed)

    def distractors(self, section: int, answer_key: str, question: str, count: int = CHOICE_COUNT - 1) -> tuple[str, ...]:
        """Terms nearest the answer: same section, same heading path, same top-level
        heading, then anywhere; never the answer again, a repeat, or a word the question shows."""
        terms = self.by_section[section]
        anchor = next((t for t in terms if t.key == answer_key), None)
        if anchor is None:
            return ()
        chosen: list[str] = []
        seen = {answer_key}
        for pool in (terms, self.by_path[anchor.headings], self.by_top[_top(anchor.headings)], self.all):
            for term in itertools.islice(_nearest(pool, anchor.order), _MAX_DISTRACTOR_SCAN):
                if len(chosen) == count:
                    return tuple(chosen)
                if term.key in seen or _leaks(term.surface, question):
                    continue
                seen.add(term.key)
                chosen.append(term.surface)
        return tuple(chosen)


def _nearest(pool: list[_Term], order: int) -> Iterator[_Term]:
    """The other terms of pool (sorted by order) by distance from the one at `order`,
    the earlier first on a tie."""
    center = bisect.bisect_left(pool, order, key=lambda t: t.order)
    left, right = center - 1, center + 1
    while left >= 0 or right < len(pool):
        left_distance = order - pool[left].order if left >= 0 else math.inf
        right_distance = pool[right].order - order if right < len(pool) else math.inf
        if left_distance <= right_distance:
            yield pool[left]
            left -= 1
        else:
            yield pool[right]
            right += 1


# --- Small helpers ---------------------------------------------------------------------


def _item(
    kind: Kind,
    question: str,
    answer: str,
    options: tuple[str, ...],
    section: Section,
    line: int,
    source: str,
    subject: str,
) -> QuizItem:
    return QuizItem(
        id=item_id(kind, source, answer),
        kind=kind,
        question=question,
        answer=answer,
        options=options,
        section=section,
        line=line,
        subject=subject,
    )


def _blank_out(text: str, found: Iterable[Candidate], surface: str, key: str) -> str:
    """text with every occurrence of the answer blanked: same key (ハイパーバイザ and
    ハイパーバイザー) or same spelling, ignoring case."""
    spans = [(c.begin, c.end) for c in found if c.key == key]
    spans += _spans_ignoring_case(surface, text)
    out, last = [], 0
    for begin, end in sorted(spans):
        if begin < last:  # overlaps the previous blank
            last = max(last, end)
            continue
        out += [text[last:begin], BLANK]
        last = end
    out.append(text[last:])
    return "".join(out)


def _spans_ignoring_case(needle: str, text: str) -> list[tuple[int, int]]:
    """Where needle is in text, ignoring case: re.finditer(re.escape(needle), text,
    re.IGNORECASE) spans. A needle with no cased letter (most Japanese terms) needs no
    regex; compiling one per term was most of the time spent making items."""
    if not needle or needle.lower() != needle or needle.upper() != needle:
        return [m.span() for m in re.finditer(re.escape(needle), text, flags=re.IGNORECASE)]
    spans = []
    start = text.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + len(needle))
    return spans


_LIST_SEPARATORS = frozenset("、,，・/／")


def _enumerated(c: Candidate, sentence: Sentence) -> bool:
    """c is one of "A、B、Cなど": a neighbour candidate sits across a list separator."""
    text = sentence.text
    for other in sentence.candidates:
        between = text[c.end : other.begin] if other.begin >= c.end else text[other.end : c.begin]
        if other is not c and between.strip() and set(between.strip()) <= _LIST_SEPARATORS and len(between) <= 2:
            return True
    return False


def _occurs_only_whole(sentence: Sentence, c: Candidate) -> bool:
    """Every spelling of c in the sentence is c itself, not a piece of a longer word."""
    whole = [(o.begin, o.end) for o in sentence.candidates if o.key == c.key]
    for start, stop in _spans_ignoring_case(c.surface, sentence.text):
        if not any(begin <= start and stop <= end for begin, end in whole):
            return False
    return True


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _leaks(answer: str, question: str) -> bool:
    return _fold(answer) in _fold(question)


def _shuffled(options: tuple[str, ...], seed: str) -> tuple[str, ...]:
    """The same order for the same item every time: the seed is its id.

    This is random.Random(seed).shuffle written out, on the same generator: the order
    cannot change with Python's version (random guarantees only random() across
    versions), and a cold `manabi ask` does not import random (1 ms)."""
    generator = Random(int(seed, 16))
    shuffled = list(options)
    for i in reversed(range(1, len(shuffled))):
        j = _below(generator, i + 1)
        shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
    return tuple(shuffled)


def _below(generator: Random, n: int) -> int:
    """A uniform int in [0, n), drawn as random.Random._randbelow draws it."""
    bits = n.bit_length()
    drawn = generator.getrandbits(bits)
    while drawn >= n:
        drawn = generator.getrandbits(bits)
    return drawn


def _top(headings: tuple[str, ...]) -> str:
    return headings[0] if headings else ""


# --- Using items ---------------------------------------------------------------------------


def generate_items(sections: Iterable[Section], morphology: Morphology | None = None) -> tuple[QuizItem, ...]:
    return QuizEngine(sections, morphology).items


def plan_round(ordered: Iterable[QuizItem], count: int) -> tuple[QuizItem, ...]:
    """The first `count` items, skipping one that would give away (or be given away
    by) an item already picked, unless nothing else is left."""
    picked: list[QuizItem] = []
    skipped: list[QuizItem] = []
    for item in ordered:
        if len(picked) == count:
            break
        if any(gives_away(item, other) for other in picked):
            skipped.append(item)
        else:
            picked.append(item)
    picked += skipped[: count - len(picked)]
    return tuple(picked)


def gives_away(a: QuizItem, b: QuizItem) -> bool:
    """Whether one item's question shows what the other asks for, or both test one subject."""
    subject_a, subject_b = _fold(a.subject), _fold(b.subject)
    if subject_a == subject_b:
        return True
    return (b.kind is not Kind.REVEAL and subject_b in _fold(a.question)) or (
        a.kind is not Kind.REVEAL and subject_a in _fold(b.question)
    )


# Which kind to attach to an answer first: one with options reads well next to it.
_PROMPT_ORDER = {Kind.CHOICE: 0, Kind.CLOZE: 1, Kind.TERM: 2, Kind.REVEAL: 3}


def quiz_for_sections(
    source: QuizEngine | Mapping[Section, Sequence[QuizItem]],
    sections: Iterable[Section],
    limit: int = 2,
    about: Iterable[str] = (),
) -> tuple[QuizItem, ...]:
    """Up to `limit` items drawn from the given sections (an answer's hits, best first),
    one per section in turn, no two giving each other away. Items whose subject is one
    of the words in `about` (what the question matched) come first, then those that
    contain one."""
    lookup = source.items_in if isinstance(source, QuizEngine) else (lambda s: tuple(source.get(s, ())))
    words = {_fold(w) for w in about}

    def order(item: QuizItem) -> tuple[int, int]:
        subject = _fold(item.subject)
        relevance = 0 if subject in words else 1 if any(w in subject for w in words) else 2
        return relevance, _PROMPT_ORDER[item.kind]

    queues = [sorted(lookup(s), key=order) for s in sections]
    in_turn = [item for row in itertools.zip_longest(*queues) for item in row if item is not None]
    picked: list[QuizItem] = []
    for item in in_turn:
        if len(picked) == limit:
            break
        if not any(gives_away(item, other) for other in picked):
            picked.append(item)
    return tuple(picked)
