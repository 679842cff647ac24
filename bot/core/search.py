"""Sections + analyzer + BM25 -> hits for a question, or none when the notes say nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
import re
import unicodedata
from dataclasses import dataclass
from sys import intern

from bot.core.analyzer import Analyzer, Token, joined_only, spans_of
from bot.core.compare import comparison
from bot.core.glossary import Glossary
from bot.core.index import BM25Index, Scored, char_bigrams
from bot.core.models import Hit, Section
from bot.core.morphology import Morpheme
from bot.core.refusal import QueryToken, coverage, read_question, says_what, unknown_aspect, unwritten

# How much of the question's weight (see SectionSearch._coverage) the best section must
# cover to be an answer. Chosen on tests/data/questions.jsonl with
# `python -m bot.cli eval --tune`, which takes the middle of the best interval.
MIN_COVERAGE = 0.247

# BM25's term-frequency saturation and length normalization (rank-bm25's defaults are
# 1.5 and 0.75). Sections are single bullets of very different lengths, and with b=0.75
# the shortest bullet that names a word in passing beat the one about it. Every pair in
# k1 0.5-0.9 x b 0.2-0.4 scored alike on all three question sets; this is its middle.
K1 = 0.7
B = 0.3

# A code section's score is weighed by this: a learner wants the prose that explains
# the code, and code that names the same words (the command asked about) is a weaker
# answer. 0.6-0.7 scored alike on the TIL tuning set (0.8 less, 1.0 least); tables
# were tried too and lowered the Obsidian tuning set, so they keep 1.0.
KIND_WEIGHT = {"code": 0.7}
# Each section is also indexed by its letter pairs (index.char_bigrams), and a
# question's score is 0.85 x its word BM25 + 0.15 x its bigram BM25, each divided by
# the best section's: pairs find what the word split misses (a compound split
# otherwise, a word written in another form). 0.15 lifted hit@1 on the Obsidian and
# textbook tuning sets and JSQuAD (R@1 0.9115 -> 0.9196); 0.2 lowered the shipped
# notes' tuning set, 0.3 one of its holdouts; 0.1 gained less.
BIGRAM_WEIGHT = 0.15

# Words the question writes next to each other that a section writes close together
# (the second within PROXIMITY_CHARS characters after the first) raise its fused score
# (0..1) by PROXIMITY_WEIGHT x the share of the question's adjacent word pairs it holds
# so: "住民に許可した" finds the paragraph that says it, not one naming 住民 and 許可
# apart. Only the fused best (k + PRIOR_POOL) are looked at. On JSQuAD R@1 0.9194 ->
# 0.9246 and the textbook tuning set's hit@1 0.840 -> 0.851 (TIL: two gained, two
# lost); 12 to 20 characters scored alike (16 is their middle), a weight of 0.15
# lowered the textbook and TIL sets, weighing each pair by its idf lowered both too.
PROXIMITY_WEIGHT = 0.1
PROXIMITY_CHARS = 16

# A question asking for a kind of answer wants the section that gives one: asked why
# (なぜ, 理由, 原因, why), a section whose text or own heading gives a cause (原因, 理由,
# だから, because, a "- Why:" label as TIL notes write ...); asked how (戻すには,
# どうやって, 方法), one labelled "- How:"; asked when (いつ, 何年), one that writes a
# date; asked what X is, one that starts by defining X (defined_term), or the lead of a
# note an alias of which is X (SectionSearch._opens). Such a section gets
# ANSWER_TYPE_WEIGHT more of its fused score (0..1). See README for what each did on the
# question sets.
ANSWER_TYPE_WEIGHT = 0.1
_CAUSE = re.compile(
    r"原因|理由|せい[でだ]|なぜなら|だから|\bbecause\b|\bdue to\b|^\s*(?:[-*+]\s*)?why\s*[:：]",
    re.IGNORECASE | re.MULTILINE,
)
_METHOD = re.compile(r"^\s*(?:[-*+]\s*)?how\s*[:：]", re.IGNORECASE | re.MULTILINE)
_DATE = re.compile(r"\d\s*[年月日]|世紀|時代|\b(?:1[0-9]|20)\d\d\b")
ANSWER_TYPES = (
    (re.compile(r"なぜ|何故|どうして|理由|原因|\bwhy\b", re.IGNORECASE), _CAUSE),
    (
        re.compile(r"[うくぐすつぬぶむる]には|どうやって|どうすれば|方法|やり方|\bhow (?:do|can|to)\b", re.IGNORECASE),
        _METHOD,
    ),
    (re.compile(r"いつ|何年|何月|何日|何世紀|何時代|\bwhen\b", re.IGNORECASE), _DATE),
)

# A question asking for a history (Xの歴史, 変遷, 経緯, history) is answered only by hits
# that write a date, or the word itself beside more of the question: notes that never
# date anything about X, nor tell its history, hold none.
HISTORY = re.compile(r"歴史|沿革|変遷|経緯|\bhistory\b", re.IGNORECASE)

# "Xとは", "Xって何", "What is X": the section that starts by defining X ("X は …",
# "X: …", "X（…）は") is the answer a learner wants first.
_DEFINITION = (
    re.compile(r"^\s*(?P<term>[^、。？?！!\s]{1,40}?)\s*(?:とは|って(?:何|なに|なん)|ってどういう|は(?:何|なに)(?:ですか)?\s*[？?]?\s*$)"),
    re.compile(r"^\s*what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<term>[^?]{1,40}?)\s*\??\s*$", re.IGNORECASE),
)


def defined_term(question: str) -> str:
    """The term a question asks the definition of, as written ("ARP" of "ARPって何？"), or ""."""
    for pattern in _DEFINITION:
        match = pattern.match(unicodedata.normalize("NFKC", question))
        if match:
            return match["term"]
    return ""


def _defining(term: str) -> re.Pattern:
    """A text that starts by defining term: "ARP は …", "- ARP: …", "1. ARP（…）は"."""
    return re.compile(r"^[-*+\s]*(?:\d+[.)]\s*)?" + re.escape(term) + r"\s*(?:[（(:：は]|とは|って)", re.IGNORECASE)


# The weighed top k is taken from this many more of the index's best: a section
# outside them would need a score over 1/0.7 times theirs to be missed.
PRIOR_POOL = 20

# progress(done, total) while building: only the ratio matters (the units differ).
Progress = Callable[[int, int], None]


def searchable_text(section: Section) -> str:
    """The heading path is context: "準仮想化とは？" finds bullets under # 準仮想化."""
    return "\n".join((*section.headings, *section.aliases, section.text))


@dataclass(frozen=True, slots=True)
class TextTokens:
    """Where a section's own terms stand in its text, grouped by term, so that the few
    terms a question asks about are found without reading the others: one line a
    distinct term, in order of first use, "\n<term>\t<i>,<begin>,<end>,<i>,<begin>,<end>...",
    where the term's i-th token of the text covers text[begin:end]. A term never holds a
    newline or a tab (SudachiPy reads whitespace apart, and the text has no control
    characters). This is the string the cache stores; it is read only for hits and for
    the sections a bonus could lift (SectionSearch._near)."""

    places: str

    @classmethod
    def of(cls, tokens: Sequence[Token]) -> TextTokens:
        grouped: dict[str, list[str]] = {}
        for i, token in enumerate(tokens):
            grouped.setdefault(token.term, []).append(f"{i},{token.begin},{token.end}")
        return cls("".join(f"\n{term}\t{','.join(where)}" for term, where in grouped.items()))

    def find(self, keys: Mapping[str, str]) -> dict[str, list[int]]:
        """For each term of keys (term -> "\n<term>\t", see term_keys) that the text
        holds, its tokens as [i, begin, end, i, begin, end, ...]; none if damaged."""
        places, found = self.places, {}
        for term, key in keys.items():
            at = places.find(key)
            if at < 0:
                continue
            end = places.find("\n", at + len(key))
            try:
                numbers = list(map(int, places[at + len(key) : end if end >= 0 else len(places)].split(",")))
            except ValueError:
                return {}
            if len(numbers) % 3:
                return {}
            found[term] = numbers
        return found

    def tokens(self, keys: Mapping[str, str] | None = None) -> list[tuple[str, int, int]]:
        """(term, begin, end) of each token of the text in text order, or of those whose
        term is in keys (see find); none if damaged."""
        if keys is None:
            keys = term_keys(line.partition("\t")[0] for line in self.places.split("\n")[1:])
        found = self.find(keys)
        return in_text_order(found, found)


def in_text_order(found: Mapping[str, list[int]], terms: Iterable[str]) -> list[tuple[str, int, int]]:
    """(term, begin, end) of the tokens in found (TextTokens.find) whose term is one of
    terms, in text order."""
    placed = []
    for term in terms:
        numbers = found.get(term, ())
        placed += ((numbers[j], term, numbers[j + 1], numbers[j + 2]) for j in range(0, len(numbers), 3))
    return [(term, begin, end) for _, term, begin, end in sorted(placed)]


def term_keys(terms: Iterable[str]) -> dict[str, str]:
    """What TextTokens.find looks for, made once for the terms of a question."""
    return {term: f"\n{term}\t" for term in terms}


class TermMaker:
    """Each section's terms, from the morphemes of its text (read once per build) and
    the terms of its headings and aliases, each distinct one tokenized once per build."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._context: dict[str, list[str]] = {}  # heading or alias -> its terms

    def make(
        self, section: Section, previous: Section | None, morphemes: Sequence[Morpheme]
    ) -> tuple[list[str], TextTokens]:
        """The section's terms and where those of its text stand. previous: the section
        before it in the notes, None for the first. morphemes: of section.text, with
        compound parts (Morphology.morphemes(text, compounds=True))."""
        tokens = self.analyzer.tokens_from_morphemes(morphemes, section.text)
        # One string object per distinct term, however many sections use it: at 100,000
        # sections, about 200 MB less at the peak of a build.
        terms = [intern(t.term) for t in tokens]
        text_tokens = TextTokens.of(tokens)
        # The heading path is context: "準仮想化とは？" finds bullets under # 準仮想化. A
        # heading counts twice in the first passage under it, which usually says what
        # the heading is (# 仮想化, then what virtualization is).
        for context in (*opened_headings(section, previous), *section.headings, *section.aliases):
            terms += self._terms_of(context)
        # So does the opening topic: a note that starts with a term is about it.
        terms += [intern(t) for t in self.analyzer.topic_from_morphemes(morphemes, section.text)]
        return terms, text_tokens

    def _terms_of(self, context: str) -> list[str]:
        terms = self._context.get(context)
        if terms is None:
            terms = self._context[context] = [intern(t) for t in self.analyzer.terms(context)]
        return terms


def opened_headings(section: Section, previous: Section | None) -> list[str]:
    """The headings section is the first passage under, except those that read as a
    sentence (see _SENTENCE_HEADING)."""
    return [h for h in _opened(section, previous) if not (len(h) > _SENTENCE_HEADING_CHARS and _HIRAGANA.search(h))]


def _opened(section: Section, previous: Section | None) -> Sequence[str]:
    """The headings section is the first passage under (previous: the section before it
    in the notes, None for the first)."""
    if previous is None or previous.file != section.file:
        return section.headings
    return [h for depth, h in enumerate(section.headings, 1) if previous.headings[:depth] != section.headings[:depth]]


# A heading longer than this with hiragana in it reads as a sentence ("sed -i が macOS で
#動かない", a TIL note's title): it states a problem, not a term the first passage
# under it defines, so it is not doubled there. Any length from 8 to 14 scored alike;
# doubling no heading lowered the shipped sets, not doubling long ones (WSL 2) too.
_SENTENCE_HEADING_CHARS = 10
_HIRAGANA = re.compile("[\u3041-\u3096]")


def section_pairs(sections: Sequence[Section]) -> list[list[str]]:
    """Each section's letter pairs, for the bigram index (BIGRAM_WEIGHT)."""
    return [char_bigrams(searchable_text(section)) for section in sections]


def tokenize_sections(
    sections: Sequence[Section], analyzer: Analyzer, progress: Progress | None = None
) -> tuple[list[list[str]], list[TextTokens]]:
    """The terms of each section and where its text's terms stand; progress(done, total)
    counts sections."""
    maker = TermMaker(analyzer)
    terms, text_tokens = [], []
    for done, section in enumerate(sections, start=1):
        made = maker.make(section, sections[done - 2] if done > 1 else None, analyzer.morphemes(section.text))
        terms.append(made[0])
        text_tokens.append(made[1])
        if progress is not None:
            progress(done, len(sections))
    return terms, text_tokens


@dataclass(frozen=True)
class Ranking:
    """Hits for a question before the "nothing found" rule, with what that rule needs."""

    hits: tuple[Hit, ...]
    coverage: float  # of the question by the best hit, 0..1


class _Places:
    """Where a question's terms stand in the sections looked at: each section's text
    tokens are read once for the question (the proximity bonus, then the highlight)."""

    def __init__(self, search: SectionSearch, terms: Iterable[str]) -> None:
        self._search = search
        self._keys = term_keys(dict.fromkeys(terms))
        self._found: dict[int, dict[str, list[int]]] = {}

    def of(self, doc: int) -> dict[str, list[int]]:
        """term -> [i, begin, end, ...] for each term of the question the section's text holds."""
        found = self._found.get(doc)
        if found is None:
            found = self._found[doc] = self._search._find(doc, self._keys)
        return found


class SectionSearch:
    """terms, when given, are the sections' terms already computed (by the build or
    from the cache), with text_tokens, where those of each section's text stand;
    otherwise the sections are tokenized here, reporting to progress. index, when
    given, is their index already built (from the cache's snapshot)."""

    def __init__(
        self,
        sections: tuple[Section, ...],
        analyzer: Analyzer,
        min_coverage: float = MIN_COVERAGE,
        *,
        terms: Sequence[list[str]] | None = None,
        text_tokens: Sequence[TextTokens] | None = None,
        progress: Progress | None = None,
        index: BM25Index | None = None,
    ) -> None:
        self.sections = sections
        self.analyzer = analyzer
        self.min_coverage = min_coverage
        if index is None and terms is None:
            terms, text_tokens = tokenize_sections(sections, analyzer, progress)
        if text_tokens is not None and len(text_tokens) != len(sections):
            raise ValueError(f"{len(text_tokens)} token offsets for {len(sections)} sections")
        self.text_tokens = text_tokens
        if index is None:
            if len(terms) != len(sections):
                raise ValueError(f"{len(terms)} term lists for {len(sections)} sections")
            index = BM25Index(list(terms), k1=K1, b=B, pairs=section_pairs(sections))
        elif (index.size, index.k1, index.b) != (len(sections), K1, B) or index.pairs is None:
            raise ValueError("the index is not one of these sections")
        self.index = index
        self.bigrams = index.pairs
        # Other names of words, from the learner's glossary file (see bot/core/glossary.py).
        self.glossary = Glossary.from_sections(sections, analyzer)

    def question_tokens(self, question: str) -> list[QueryToken]:
        """The question's terms as ranked and weighed: English phrasing dropped, each
        token with its concept (bot/core/refusal.py), glossary names added."""
        return read_question(self.analyzer, question, self.glossary.aliases)

    def rank(self, question: str, k: int) -> Ranking:
        tokens = self.question_tokens(question)
        query = [t.term for t in tokens]
        places = _Places(self, query)
        scored = self._near(tokens, self._fused(question, query, k + PRIOR_POOL), k, places)
        wanted = [answer for asked, answer in ANSWER_TYPES if asked.search(question)]
        defined = defined_term(question)
        if defined:
            wanted.append(_defining(defined))
        if wanted:
            scored = self._answer_types(scored, wanted, k, defined)
        top = self._prior(scored, query, k, places)
        best = top[0].matched if top else ()  # the refusal rule weighs the question's own best
        pair = comparison(question)
        if pair is not None and k > 1:
            top = self._compared(pair, query, top, k)
        joined = joined_only(tokens, question)
        # A section that shares only letter pairs with the question, no word, is no
        # answer to show (the pairs of 「…って何？」 are everywhere); it may still rank.
        hits = tuple(
            Hit(self.sections[s.doc], s.score, s.matched, self._spans(s.doc, s.matched, joined, places))
            for s in top
            if s.matched
        )
        if not says_what(tokens, {term for s in top for term in s.matched}):
            return Ranking(hits, 0.0)  # only words that phrase the question were found
        if HISTORY.search(question) and not any(
            _DATE.search(hit.section.text) or (len(hit.matched) > 1 and HISTORY.search(searchable_text(hit.section)))
            for hit in hits
        ):
            return Ranking(hits, 0.0)  # a history with no date in it
        if unknown_aspect(tokens, question, self.index.idf, self.written):
            return Ranking(hits, 0.0)  # the notes know X, never its Y: "Xenのドキュメント"
        return Ranking(hits, self._coverage(tokens, best) if hits else 0.0)

    def _fused(self, question: str, query: list[str], k: int) -> list[tuple[int, float]]:
        """(doc, score) of the k best by word BM25 and the k best by bigram BM25 (see
        BIGRAM_WEIGHT), each scored by both, each score divided by the best of its kind."""
        words, word_score = self.index.ranked(query, k)
        pairs = char_bigrams(question)
        grams, gram_score = self.bigrams.ranked(pairs, k)
        if not grams or not words:
            return words
        word_max, gram_max = words[0][1], grams[0][1]
        return [
            (doc, (1 - BIGRAM_WEIGHT) * word_score(doc) / word_max + BIGRAM_WEIGHT * gram_score(doc) / gram_max)
            for doc in dict.fromkeys([doc for doc, _ in words] + [doc for doc, _ in grams])
        ]

    def _near(
        self, tokens: Sequence[Token], scored: list[tuple[int, float]], k: int, places: _Places
    ) -> list[tuple[int, float]]:
        """scored with each section's proximity bonus (PROXIMITY_WEIGHT), looked for only
        in sections that it could lift into the k best (_liftable)."""
        words = [t.term for t in sorted((t for t in tokens if not t.part), key=lambda t: t.begin)]
        pairs = list(dict.fromkeys((a, b) for a, b in zip(words, words[1:]) if a != b))
        if not pairs or not scored:
            return scored
        out = []
        for (doc, score), liftable in zip(scored, self._liftable(scored, k, PROXIMITY_WEIGHT)):
            if not liftable:
                out.append((doc, score))
                continue
            found = places.of(doc)
            near = 0
            for a, b in pairs:
                if a in found and b in found:
                    starts = found[a][1::3]
                    if any(0 < y - x <= PROXIMITY_CHARS for y in found[b][1::3] for x in starts):
                        near += 1
            out.append((doc, score + PROXIMITY_WEIGHT * near / len(pairs)))
        return out

    def _liftable(self, scored: list[tuple[int, float]], k: int, bonus: float) -> list[bool]:
        """For each of scored, whether adding bonus to its score could lift it into the k
        best once weighed by kind (KIND_WEIGHT): only those are worth looking at."""
        weight = [KIND_WEIGHT.get(self.sections[doc].kind, 1.0) for doc, _ in scored]
        weighed = sorted((score * w for (_, score), w in zip(scored, weight)), reverse=True)
        floor = weighed[min(k, len(weighed)) - 1] if weighed else 0.0  # the k-th best can only rise
        return [(score + bonus) * w >= floor for (_, score), w in zip(scored, weight)]

    def _answer_types(
        self, scored: list[tuple[int, float]], wanted: list[re.Pattern], k: int, defined: str = ""
    ) -> list[tuple[int, float]]:
        """scored with ANSWER_TYPE_WEIGHT more for each section that gives an answer of
        a wanted kind (ANSWER_TYPES), in its text or its own heading, or opens the note an
        alias names defined (_opens), looked for only in sections that it could lift
        into the k best (_liftable)."""
        out = []
        for (doc, score), liftable in zip(scored, self._liftable(scored, k, ANSWER_TYPE_WEIGHT)):
            if not liftable:
                out.append((doc, score))
                continue
            section = self.sections[doc]
            own = section.headings[-1] if section.headings else ""
            given = any(pattern.search(section.text) or pattern.search(own) for pattern in wanted)
            given = given or (defined != "" and self._opens(doc, defined))
            out.append((doc, score + ANSWER_TYPE_WEIGHT if given else score))
        return out

    def _opens(self, doc: int, term: str) -> bool:
        """Whether the section is the lead of a note that one of its front-matter aliases
        names term: the first section under the note's title (動的計画法, aliases: DP)
        says what DP is. (The same for a section's own heading lowered JSQuAD, whose
        articles are each one heading over many passages.)"""
        section = self.sections[doc]
        if len(section.headings) != 1 or not section.aliases:
            return False
        if not _opened(section, self.sections[doc - 1] if doc else None):
            return False
        wanted = unicodedata.normalize("NFKC", term).casefold()
        return any(unicodedata.normalize("NFKC", name).casefold() == wanted for name in section.aliases)

    def _find(self, doc: int, keys: Mapping[str, str]) -> dict[str, list[int]]:
        """TextTokens.find of a section: where the terms of keys stand in its text."""
        if self.text_tokens is not None:
            return self.text_tokens[doc].find(keys)
        found: dict[str, list[int]] = {}  # terms given without offsets: tokenize this section
        for i, t in enumerate(self.analyzer.tokens(self.sections[doc].text)):
            if t.term in keys:
                found.setdefault(t.term, []).extend((i, t.begin, t.end))
        return found

    def _all_tokens(self, doc: int) -> list[tuple[str, int, int]]:
        """(term, begin, end) of every token of a section's text, in text order."""
        if self.text_tokens is not None:
            return self.text_tokens[doc].tokens()
        return [(t.term, t.begin, t.end) for t in self.analyzer.tokens(self.sections[doc].text)]

    def _compared(self, pair: tuple[str, str], query: list[str], top: list[Scored], k: int) -> list[Scored]:
        """For "A and B: the difference?" (compare.py): the question's own best, then
        A's best section and B's best section (each ranked alone), then the rest: each
        definition, not only the sentence naming both."""
        firsts = []
        for side in pair:
            terms = [t.term for t in self.analyzer.tokens(side)]
            best = self._prior(self._fused(side, terms, 1 + PRIOR_POOL), terms, 1) if terms else []
            if not best:
                return top  # one side is not in the notes: rank the question as asked
            firsts.append(best[0].doc)
        # The question's own best stays first: often the sentence naming both is the
        # answer (「setns と unshare の違い」); putting A's and B's first lowered hit@1.
        head = list(dict.fromkeys([*(s.doc for s in top[:1]), *firsts]))
        scored = {s.doc: s.score for s in top}
        lead = [Scored(doc, scored.get(doc, 0.0), self.index.matched(query, doc)) for doc in head]
        return (lead + [s for s in top if s.doc not in head])[:k]

    def _prior(
        self, scored: list[tuple[int, float]], query: list[str], k: int, places: _Places | None = None
    ) -> list[Scored]:
        """The k best after weighing each section by its kind (KIND_WEIGHT), with the
        query terms each holds (places: where the query's terms stand, if read already)."""
        weighed = [(doc, score * KIND_WEIGHT.get(self.sections[doc].kind, 1.0)) for doc, score in scored]
        weighed.sort(key=lambda pair: -pair[1])  # stable: ties keep the index's order
        if places is None:
            return [Scored(doc, score, self.index.matched(query, doc)) for doc, score in weighed[:k]]
        return [Scored(doc, score, self._matched(query, doc, places)) for doc, score in weighed[:k]]

    def _matched(self, query: list[str], doc: int, places: _Places) -> tuple[str, ...]:
        """index.matched(query, doc): a term its text holds is one of its terms, so the
        index is asked only about the others (which its headings may hold)."""
        found = places.of(doc)
        return tuple(t for t in dict.fromkeys(query) if t in found or self.index.holds(doc, t))

    def _spans(
        self, doc: int, matched: tuple[str, ...], joined: frozenset[str], places: _Places
    ) -> tuple[tuple[int, int], ...]:
        wanted = frozenset(matched)
        if wanted & joined:  # only a term the question joined (VT-d) needs the words around it
            tokens = self._all_tokens(doc)
        else:
            tokens = in_text_order(places.of(doc), wanted)
        return tuple(spans_of(tokens, self.sections[doc].text, wanted, joined))

    def search(self, question: str, k: int) -> tuple[Hit, ...]:
        ranking = self.rank(question, k)
        return ranking.hits if ranking.coverage >= self.min_coverage else ()

    def unwritten(self, question: str) -> tuple[str, ...]:
        """Words of the question the notes never use nor write (refusal.unwritten): what
        a refused question may call by a name the notes do not."""
        return unwritten(self.question_tokens(question), question, self.index.idf, self.written)

    def _coverage(self, question: list[Token], matched: tuple[str, ...]) -> float:
        """The share of the question's weight that matched (see bot/core/refusal.py): 0
        when the question compares a Latin name the notes never use, or asks about one
        as a part of something (asyncioのTaskGroup) that no section writes."""
        return coverage(question, frozenset(matched), self.index.idf, self.index.max_idf(), self.written)

    def written(self, name: str, also: str = "") -> bool:
        """Whether some section writes name (case-folded, NFKC), even inside a longer
        word (cgroup in cgroups), and also too when given: the sections holding all
        their letter pairs are read."""
        pairs = list(dict.fromkeys(char_bigrams(name) + char_bigrams(also)))
        if not pairs:
            return True
        idfs = [self.bigrams.idf(p) for p in pairs]
        if None in idfs:
            return False
        for doc in self.bigrams.docs(pairs[idfs.index(max(idfs))]):
            if all(self.bigrams.holds(doc, p) for p in pairs):
                text = unicodedata.normalize("NFKC", searchable_text(self.sections[doc])).casefold()
                if name in text and also in text:
                    return True
        return False
