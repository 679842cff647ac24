"""The "nothing in the notes" rule: how much of a question the best section covers.

A question is read as concepts: each word as asked (a compound is one concept, and so
is a word joined by hyphens, dots or underscores, or letters run into digits: VT-x,
pg_partman, RAID50). A concept weighs its idf in the notes; one the notes never use
weighs the most (the idf of a term in no section), since it names something they do
not cover. What only phrases the question weighs nothing (教えて, 速い, What, the);
generic nouns (違い, 方法, 管理) and one- or two-letter Latin words (`as`, `l`) weigh
little. A concept counts as matched when the section holds all of it: the whole word,
or every piece of a joined word, or one of its other names (a glossary line). The
parts of a compound count only when the notes know the whole word: ハイパースレッディング
is not answered from ハイパーパラメータ.

The focus of a question, the thing it asks about, is the noun phrase before とは, って,
について, の違い (both sides of a comparison: AとBの違い, A vs B) or after
"What is". When the notes never use a focus word (nor any other name of it), the
question is refused whatever else matched: "SCTPのマルチホーミングとは" is not
answered from a section on マルチキャスト.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.analyzer import ENGLISH_PHRASING, Analyzer, Token
from bot.core.morphology import Morpheme

# How much a generic noun or a one- or two-letter Latin word weighs, as a share of its idf.
LIGHT = 0.25

# Nouns that say what kind of answer is wanted more than what it is about: they are
# in every question and in the notes of every subject.
GENERIC_NOUNS = frozenset(
    """
    違い 差 差異 役割 理由 原因 方法 仕方 やり方 使い方 書き方 読み方 仕組み 意味 目的 特徴
    種類 例 具体例 例え 手順 注意 注意点 利点 欠点 長所 短所 メリット デメリット 問題 問題点
    関係 場合 時 とき 概要 定義 条件 効果 影響 用途 必要 理由 ポイント コツ 説明 内容 詳細
    基本 原理 対策 対処 解決 解決策 方式 機能 管理 サービス 処理 設定 仕様 構成 性能 動作
    状態 結果 場所 名前 値 数 量 時間 サイズ 部分 全体 一般 以外 以上 以下 前 後 中 他 時期
    おすすめ 良い所 気 本当 昔 今 最近 後継 現象 危険性 実用的 向き
    """.split()
)

_FOCUS_RULE = True
_JOIN = True
_FOCUS_LATIN = False
_SHORT_LIGHT = True
_GENERIC_AS_PHRASING = True
_UNKNOWN_PARTS = False
_FOCUS_KINDS = {"def", "cmp", "vs", "en"}
_JOINERS = frozenset("-._")
_LATIN = re.compile(r"[A-Za-z]+")
_LATIN_OR_DIGITS = re.compile(r"[A-Za-z0-9]+")
_NOUNISH = frozenset({"名詞", "接頭辞", "接尾辞"})
# "What is X?" and the like: X is the focus.
_ENGLISH_FOCUS = re.compile(
    r"\b(?:what|who)(?:'s|’s|\s+(?:is|are|was|were))\s+(?:an?\s+|the\s+)?(?P<focus>[^?.!,]+?)"
    r"(?=\s+(?:and|or|in|on|for|of|with|used|do|does|is|are|that|which|when|if)\b|[?.!,]|$)",
    re.IGNORECASE,
)
_ENGLISH_PAIR = re.compile(r"\bdifference\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>[^?.!,]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing a question names: the terms that spell it (all needed: pg, partman),
    the mode-A parts of a compound, how much it weighs (1, LIGHT or 0) and its other
    names (each a tuple of terms, all needed)."""

    pieces: tuple[str, ...]
    parts: tuple[str, ...] = ()
    weight: float = 1.0
    focus: bool = False
    aliases: tuple[tuple[str, ...], ...] = ()
    phrasing: bool = False  # a verb, adjective or adverb: weighs nothing unless the notes use it


@dataclass(frozen=True, slots=True)
class QueryToken(Token):
    """A token of a question, with the concept it belongs to (None for an acronym the
    analyzer made up: it helps the ranking and weighs nothing)."""

    concept: Concept | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class _Span:
    begin: int
    end: int


def read_question(
    analyzer: Analyzer,
    question: str,
    aliases: Callable[[Sequence[Concept]], list[tuple[int, int, tuple[tuple[str, ...], ...]]]] | None = None,
    known: Callable[[str], bool] | None = None,
) -> list[QueryToken]:
    """The question's tokens, each with its concept; English phrasing words dropped.

    aliases(concepts) gives (first, last, names): the concepts first..last spell one
    word that has other names (a glossary). known(term): whether the notes use a term,
    so a Latin plural the notes use in the singular (cgroups, cgroup) matches it."""
    morphemes = analyzer.morphemes(question)
    tokens = [t for t in analyzer.tokens_from_morphemes(morphemes, question) if not _english_phrasing(t, question)]
    focus = focus_spans(morphemes, question)
    mains = sorted((t for t in tokens if not t.part), key=lambda t: t.begin)
    # Whole words: main tokens run together by joiners, or letters run into digits.
    words: list[list[Token]] = []
    for token in mains:
        if words and _JOIN and _joined(words[-1][-1], token, question):
            words[-1].append(token)
        else:
            words.append([token])
    concepts = [_concept(word, tokens, focus) for word in words]
    spans = [(w[0].begin, w[-1].end) for w in words]
    if aliases is not None:
        for first, last, names in reversed(aliases(concepts)):
            merged = concepts[first : last + 1]
            concepts[first : last + 1] = [
                Concept(
                    tuple(p for c in merged for p in c.pieces),
                    tuple(p for c in merged for p in c.parts),
                    max(c.weight for c in merged),
                    any(c.focus for c in merged),
                    names,
                    all(c.phrasing for c in merged),
                )
            ]
            spans[first : last + 1] = [(spans[first][0], spans[last][1])]
    if known is not None:
        concepts = [_with_plural(c, known) for c in concepts]
    out: list[QueryToken] = []
    for concept, (begin, end) in zip(concepts, spans):
        for t in tokens:
            if begin <= t.begin and t.end <= end and not _is_acronym(t, mains):
                out.append(QueryToken(t.term, t.begin, t.end, t.phrasing, t.part, concept))
        for name in concept.aliases:
            out.extend(QueryToken(term, begin, end, False, True, concept) for term in name)
    out.extend(QueryToken(t.term, t.begin, t.end, t.phrasing, t.part) for t in tokens if _is_acronym(t, mains))
    return out


def spelling(analyzer: Analyzer, text: str) -> tuple[str, ...]:
    """The terms of the words of text as a question gives them (English phrasing
    dropped, no parts): how a glossary form is looked for in questions."""
    return tuple(t.term for t in analyzer.tokens(text) if not t.part and not _english_phrasing(t, text))


def coverage(
    tokens: Iterable[Token], matched: Collection[str], idf: Callable[[str], float | None], max_idf: float
) -> float:
    """The share of the question's weight that matched (0..1); 0 when a focus concept
    is unknown to the notes. Tokens without a concept (plain Tokens) count as their
    own concept each, as asked."""
    concepts = dict.fromkeys(
        t.concept if isinstance(t, QueryToken) else Concept((t.term,), phrasing=t.phrasing)
        for t in tokens
        if not isinstance(t, QueryToken) or t.concept is not None
    )
    total = got = 0.0
    for concept in concepts:
        forms = (concept.pieces, *concept.aliases)
        idfs = [_idf_of(form, idf) for form in forms]
        known = [i for i in idfs if i is not None]
        if not known:
            if concept.focus and concept.weight == 1.0 and _FOCUS_RULE and (not _FOCUS_LATIN or any(_LATIN.search(p) for p in concept.pieces)):
                return 0.0
            # Unknown to the notes: it names what they do not cover, unless it only
            # phrases the question.
            weight = 0.0 if concept.phrasing else max_idf * concept.weight
        else:
            weight = max(known) * concept.weight
        total += weight
        if any(all(p in matched for p in form) for form in forms):
            got += weight
        elif idfs[0] is not None or (_UNKNOWN_PARTS and concept.parts):
            # The word is in the notes, not all of it in this section: its pieces (RAID
            # of RAID6) or the parts of a compound (仮想化 of 準仮想化) count.
            found = [idf(p) or 0.0 for p in (*concept.pieces, *concept.parts) if p in matched]
            if found:
                share = sum(found) / sum(idf(p) or 0.0 for p in concept.pieces) if len(concept.pieces) > 1 else 1.0
                got += min(weight, weight * share if len(concept.pieces) > 1 else max(found) * concept.weight)
    return got / total if total else 0.0


def focus_spans(morphemes: Sequence[Morpheme], text: str) -> list[tuple[int, int]]:
    """Where the question's focus stands: the noun phrase before とは, って, について,
    の違い (and the one before it, joined by と: AとBの違い), each side of vs, and
    what follows "What is" or "difference between"."""
    spans: list[tuple[int, int]] = []
    n = len(morphemes)
    for i, m in enumerate(morphemes):
        s = m.surface
        nxt = morphemes[i + 1].surface if i + 1 < n else ""
        marker = (
            (s == "と" and nxt == "は")
            or s in ("とは", "って", "ってなに")
            or (s == "に" and text.startswith("について", m.begin))
        )
        comparison = (s == "の" and text.startswith(("の違い", "の差"), m.begin)) or (
            s == "は" and text.startswith(("はどう違", "は何が違", "はなにが違"), m.begin)
        )
        marker = marker and "def" in _FOCUS_KINDS
        comparison = comparison and "cmp" in _FOCUS_KINDS
        if (s.lower() in ("vs", "vs.") or s == "対") and "vs" in _FOCUS_KINDS:
            comparison = True
            after = _phrase_after(morphemes, i + 1)
            if after:
                spans.append(after)
        if not (marker or comparison):
            continue
        before = _phrase_before(morphemes, i)
        if before is None:
            continue
        spans.append(before)
        if comparison or s == "と":
            start = _index_at(morphemes, before[0])
            if start > 0 and morphemes[start - 1].surface in ("と", "、", ",", "や") or (
                start > 1 and morphemes[start - 1].is_space and morphemes[start - 2].surface.lower() == "vs"
            ):
                other = _phrase_before(morphemes, start - 1)
                if other:
                    spans.append(other)
    for match in _ENGLISH_FOCUS.finditer(text) if "en" in _FOCUS_KINDS else ():
        spans.append(match.span("focus"))
    for match in _ENGLISH_PAIR.finditer(text) if "en" in _FOCUS_KINDS else ():
        spans += [match.span("a"), match.span("b")]
    return spans


def _phrase_before(morphemes: Sequence[Morpheme], i: int) -> tuple[int, int] | None:
    """The noun phrase (nouns, joined words, XのY) that ends right before morphemes[i]."""
    k = i - 1
    start = None
    while k >= 0:
        m = morphemes[k]
        if _nounish(m):
            start = k
        elif m.surface in _JOINERS and k > 0 and _nounish(morphemes[k - 1]):
            pass
        elif m.is_space and start is not None and k > 0 and (_nounish(morphemes[k - 1]) or morphemes[k - 1].surface == "の"):
            pass
        elif m.surface == "の" and start is not None and k > 0 and _nounish(morphemes[k - 1]):
            pass
        elif m.surface == "の" and start is not None and k > 1 and morphemes[k - 1].is_space and _nounish(morphemes[k - 2]):
            pass
        else:
            break
        k -= 1
    if start is None:
        return None
    return morphemes[start].begin, morphemes[i - 1].end


def _phrase_after(morphemes: Sequence[Morpheme], i: int) -> tuple[int, int] | None:
    while i < len(morphemes) and morphemes[i].is_space:
        i += 1
    end = None
    k = i
    while k < len(morphemes) and (_nounish(morphemes[k]) or morphemes[k].surface in _JOINERS):
        if _nounish(morphemes[k]):
            end = k
        k += 1
    return (morphemes[i].begin, morphemes[end].end) if end is not None else None


def _index_at(morphemes: Sequence[Morpheme], begin: int) -> int:
    return next(i for i, m in enumerate(morphemes) if m.begin == begin)


def _nounish(m: Morpheme) -> bool:
    if m.surface.lower() in ENGLISH_PHRASING and not (len(m.surface) > 1 and m.surface.isupper()):
        return False
    return m.pos[0] in _NOUNISH and m.pos[1] != "数詞" or _LATIN_OR_DIGITS.fullmatch(m.surface) is not None


def _concept(word: list[Token], tokens: Sequence[Token], focus: Sequence[tuple[int, int]]) -> Concept:
    begin, end = word[0].begin, word[-1].end
    pieces = tuple(t.term for t in word)
    parts = tuple(t.term for t in tokens if t.part and begin <= t.begin and t.end <= end and t.term not in pieces)
    phrasing = all(t.phrasing for t in word)
    if len(word) == 1 and (pieces[0] in GENERIC_NOUNS or (_LATIN.fullmatch(pieces[0]) and len(pieces[0]) <= 2)):
        weight = LIGHT
    else:
        weight = 1.0
    # A generic noun in the focus (the 違い of AとBの違いって何) is not what is asked about.
    in_focus = any(b <= begin and end <= e for b, e in focus) and not (len(word) == 1 and pieces[0] in GENERIC_NOUNS)
    return Concept(pieces, parts, weight, in_focus and not phrasing, phrasing=phrasing)


def _with_plural(concept: Concept, known: Callable[[str], bool]) -> Concept:
    """cgroups also names cgroup, and namespace namespaces, when only that is in the notes."""
    if len(concept.pieces) != 1 or not _LATIN.fullmatch(concept.pieces[0]) or known(concept.pieces[0]):
        return concept
    word = concept.pieces[0]
    for other in (word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("es") else None, word + "s"):
        if other and len(other) > 2 and known(other):
            return Concept(
                concept.pieces, concept.parts, concept.weight, concept.focus, (*concept.aliases, (other,)), concept.phrasing
            )
    return concept


def _joined(before: Token, after: Token, text: str) -> bool:
    gap = text[before.end : after.begin]
    if gap:
        return len(gap) <= 2 and all(c in _JOINERS for c in gap)
    # Letters run into digits (RAID50, TLS1): one word, which Sudachi reads as two.
    left, right = text[before.end - 1], text[after.begin]
    return left.isascii() and right.isascii() and (left.isalpha() and right.isdigit() or left.isdigit() and right.isalpha())


def _is_acronym(token: Token, mains: Sequence[Token]) -> bool:
    """An acronym the analyzer made of a run of words spans several main tokens."""
    return token.part and sum(1 for m in mains if token.begin <= m.begin and m.end <= token.end) > 1


def _english_phrasing(token: Token, text: str) -> bool:
    """what, is, the, difference ... as asked (not IS or AS in capitals, nor a piece
    of a joined word such as IS-IS), and the s of 's."""
    surface = text[token.begin : token.end]
    if token.part:
        return False
    if surface == "s" and token.begin > 0 and text[token.begin - 1] in "'’":
        return True
    if surface.lower().replace("’", "'") not in ENGLISH_PHRASING:
        return False
    if len(surface) > 1 and surface.isupper():
        return False
    around = text[token.begin - 1 : token.begin] + text[token.end : token.end + 1]
    return not any(c in _JOINERS for c in around)


def _idf_of(form: tuple[str, ...], idf: Callable[[str], float | None]) -> float | None:
    """The idf of a word: its rarest piece's, None unless the notes use every piece."""
    idfs = [idf(p) for p in form]
    return None if not idfs or None in idfs else max(idfs)
