"""The engine: corpus-wide rarity, items made on demand, and choosing items to ask."""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.models import Kind, QuizItem, Section
from bot.core.morphology import Morphology, shared_morphology
from bot.core.quiz.analysis import Definition, SectionAnalysis, Sentence, analyze_section
from bot.core.quiz.choice import CHOICE_COUNT, DefinedTerm, TermPools, defined_terms, shuffled
from bot.core.quiz.cloze import BLANK, choose_blank, leaks
from bot.core.quiz.terms import MIN_EXPLANATION_CHARS, Candidate, fold

ID_LENGTH = 12  # hex digits: fits a Discord custom_id (100 chars) with room to spare


def item_id(kind: Kind, source_text: str, answer: str) -> str:
    """Hashes the kind, the note text the item is made from and the answer: the same
    notes give the same ids after a restart, and editing a line renews only its items."""
    digest = hashlib.sha1(f"{kind.value}\x1f{source_text}\x1f{answer}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:ID_LENGTH]


@dataclass(frozen=True, slots=True)
class QuizFacts:
    """What making one section's items needs to know of the whole notes: how many
    sections each key occurs in (a cloze blanks the rarest), the defined terms (choice
    distractors) and, for a line found in several sections, the first of them (its
    items come from there alone). Made once from all analyses (of) and kept in the cache
    beside the search index (to_json, from_json), so a restart decodes no analysis but
    those of the sections it makes items for."""

    sections: int
    document_frequency: Mapping[str, int]
    terms: tuple[DefinedTerm, ...]
    first_places: Mapping[str, int]  # only lines found in more than one section

    @classmethod
    def of(cls, analyses: Iterable[SectionAnalysis]) -> QuizFacts:
        analyses = list(analyses)
        first_places: dict[str, int] = {}
        repeated: set[str] = set()
        for index, analysis in enumerate(analyses):
            for source in analysis.sources():
                if first_places.setdefault(source, index) != index:
                    repeated.add(source)
        return cls(
            sections=len(analyses),
            document_frequency=Counter(key for analysis in analyses for key in analysis.keys()),
            terms=tuple(defined_terms(analyses)),
            first_places={source: first_places[source] for source in repeated},
        )

    def to_json(self) -> dict:
        return {
            "sections": self.sections,
            "document_frequency": dict(self.document_frequency),
            "terms": [[t.section, t.surface, t.key, t.kind] for t in self.terms],
            "first_places": dict(self.first_places),
        }

    @classmethod
    def from_json(cls, data: object, sections: int) -> QuizFacts:
        """The facts to_json wrote for that many sections; ValueError for anything of
        another shape, type or size, so damaged facts are made again, never a crash."""
        if type(data) is not dict or data.get("sections") != sections or type(sections) is not int:
            raise ValueError("facts of another corpus")
        frequency, terms, first_places = (data.get(k) for k in ("document_frequency", "terms", "first_places"))
        if not (_counts(frequency, 1, sections) and _counts(first_places, 0, sections - 1)):
            raise ValueError("document frequencies or first places out of range")
        if type(terms) is not list:
            raise ValueError("terms: not a list")
        for row in terms:
            if type(row) is not list or list(map(type, row)) != [int, str, str, str] or not 0 <= row[0] < sections:
                raise ValueError("a defined term of another shape")
        return cls(sections, frequency, tuple(DefinedTerm(*row) for row in terms), first_places)


def _counts(data: object, low: int, high: int) -> bool:
    """data is a dict of str to int in [low, high]."""
    return (
        type(data) is dict
        and all(type(key) is str for key in data)
        and all(type(value) is int and low <= value <= high for value in data.values())
    )


class StoredItems(Protocol):
    """Each section's items as items_to_json wrote them, kept (in the cache) from a
    build of the same notes: get(index) gives that JSON, or None when it is unreadable."""

    def get(self, index: int) -> object | None: ...


class QuizEngine:
    """Every quiz item of a corpus. analyses, when given, are those of the sections in
    the same order (from the cache: a sequence that may decode each when first read);
    without them the sections are analysed here. facts, when given, are QuizFacts.of
    those analyses (from the cache); without them they are made from all analyses when
    first needed. stored, when given, are the items a build of the same notes made (from
    the cache): a section's are read from there, and made only if unreadable.

    Items are made when first asked for: items_in makes those of one section, reading
    its analysis alone, so an answer pays for its hits alone; the rest (items, item,
    topics) makes them all, once."""

    def __init__(
        self,
        sections: Iterable[Section],
        morphology: Morphology | None = None,
        analyses: Sequence[SectionAnalysis] | None = None,
        facts: QuizFacts | None = None,
        stored: StoredItems | None = None,
    ) -> None:
        self.sections = tuple(sections)
        if analyses is None:
            morphology = morphology or shared_morphology()
            analyses = [analyze_section(s, morphology) for s in self.sections]
        if len(analyses) != len(self.sections):
            raise ValueError(f"{len(analyses)} analyses for {len(self.sections)} sections")
        if facts is not None and facts.sections != len(self.sections):
            raise ValueError(f"facts of {facts.sections} sections for {len(self.sections)} sections")
        self._analyses = analyses
        self._given_facts = facts
        self._stored = stored
        self._made: dict[int, tuple[QuizItem, ...]] = {}  # by section index

    @functools.cached_property
    def facts(self) -> QuizFacts:
        return self._given_facts or QuizFacts.of(self._analyses)

    @functools.cached_property
    def _pools(self) -> TermPools:
        return TermPools(self.sections, self.facts.terms)

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
        index = self._place.get(id(section))
        if index is None or self.sections[index] is not section:  # an equal section from elsewhere
            index = self._index.get(section)
        return () if index is None else self._items_of(index)

    @functools.cached_property
    def _place(self) -> dict[int, int]:
        """Each section's index by identity: an answer's hits are these very sections,
        found without hashing every section's text."""
        return {id(section): index for index, section in enumerate(self.sections)}

    @functools.cached_property
    def _index(self) -> dict[Section, int]:
        return {section: index for index, section in enumerate(self.sections)}

    def topics(self) -> tuple[str, ...]:
        """Top-level headings that have items, in notes order."""
        return tuple(dict.fromkeys(i.topic for i in self.items))

    def items_for_topic(self, topic: str) -> tuple[QuizItem, ...]:
        """Items under a heading of that name at any level, compared NFKC and case-folded."""
        wanted = fold(topic)
        return tuple(i for i in self.items if any(fold(h) == wanted for h in i.section.headings))

    # -- generation --

    def _items_of(self, index: int) -> tuple[QuizItem, ...]:
        items = self._made.get(index)
        if items is None:  # two threads may both make them: the same items, no harm
            items = self._read_items(index)
            if items is None:
                items = tuple(self._section_items(index))
            self._made[index] = items
        return items

    def _read_items(self, index: int) -> tuple[QuizItem, ...] | None:
        """The section's stored items, or None when there are none to read."""
        if self._stored is None:
            return None
        try:
            return items_from_json(self._stored.get(index), self.sections[index])
        except ValueError:
            return None

    def all_items_json(self) -> Iterator[list[list]]:
        """Every section's items as items_to_json writes them, one list a section, in
        order: what a cache keeps so that the next start makes none (see StoredItems).
        Made one section at a time and not kept here."""
        for index in range(len(self.sections)):
            items = self._made.get(index)
            yield items_to_json(items if items is not None else self._section_items(index))

    def _first_here(self, source: str, index: int) -> bool:
        return self.facts.first_places.get(source, index) == index

    def _section_items(self, index: int) -> list[QuizItem]:
        """Items in line order; on one line the term items before the clozes."""
        section, analysis = self.sections[index], self._analyses[index]
        by_line: dict[int, list[QuizItem]] = {}
        for definition in analysis.definitions:
            if self._first_here(definition.source, index):
                by_line.setdefault(definition.line_index, []).extend(self._definition_items(index, section, definition))
        for sentence in analysis.sentences:
            if self._first_here(sentence.text, index):
                cloze = self._cloze(section, sentence)
                if cloze:
                    by_line.setdefault(sentence.line_index, []).append(cloze)
        seen: set[str] = set()
        out = []
        for line_index in sorted(by_line):
            for item in by_line[line_index]:
                if item.id not in seen:
                    seen.add(item.id)
                    out.append(item)
        return out

    def _definition_items(self, index: int, section: Section, d: Definition) -> list[QuizItem]:
        line = section.line_start + d.line_index
        explanation = d.blanked
        if len(explanation.replace(BLANK, "").strip()) < MIN_EXPLANATION_CHARS:
            return []
        items = []
        term_question = f"次の説明に当てはまる用語は？\n{explanation}"
        if not leaks(d.term, term_question):
            items.append(_item(Kind.TERM, term_question, d.term, (), section, line, d.source, d.term))
        reveal_question = f"「{d.term}」とは？"
        items.append(_item(Kind.REVEAL, reveal_question, d.explanation, (), section, line, d.source, d.term))
        choice_question = f"次の説明に当てはまるものはどれ？\n{explanation}"
        folded_question = fold(choice_question)
        distractors = self._pools.distractors(index, d.term_key, lambda term: fold(term) in folded_question)
        if len(distractors) == CHOICE_COUNT - 1 and not leaks(d.term, choice_question):
            options = shuffled((d.term, *distractors), item_id(Kind.CHOICE, d.source, d.term))
            items.append(_item(Kind.CHOICE, choice_question, d.term, options, section, line, d.source, d.term))
        return items

    def _cloze(self, section: Section, sentence: Sentence) -> QuizItem | None:
        chosen = choose_blank(sentence, self._salience)
        if chosen is None:
            return None
        candidate, question = chosen
        line = section.line_start + sentence.line_index
        return _item(Kind.CLOZE, question, candidate.surface, (), section, line, sentence.text, candidate.surface)

    def _salience(self, c: Candidate) -> float:
        """Rarity in the notes (idf), plus what makes a term worth learning."""
        sections = max(len(self.sections), 1)
        idf = math.log((sections + 1) / self.facts.document_frequency.get(c.key, 1))
        bonus = 1.0 * c.latin + 0.5 * c.proper + 0.5 * c.katakana + 0.5 * min(c.parts - 1, 2)
        return idf + bonus - 1.5 * c.weak


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


_ITEM_TYPES = [str, str, str, str, list, int, str]
_KINDS = {kind.value: kind for kind in Kind}


def items_to_json(items: Iterable[QuizItem]) -> list[list]:
    """A section's items as plain data (the section is the reader's own)."""
    return [[i.id, i.kind.value, i.question, i.answer, list(i.options), i.line, i.subject] for i in items]


def items_from_json(data: object, section: Section) -> tuple[QuizItem, ...]:
    """The items items_to_json wrote, of this section; ValueError for anything of another
    shape or type, so a damaged entry is made again, never a crash later on."""
    if type(data) is not list:
        raise ValueError("items: not a list")
    items = []
    for row in data:
        if type(row) is not list or list(map(type, row)) != _ITEM_TYPES or not _all_str(row[4]) or row[1] not in _KINDS:
            raise ValueError("an item of another shape")
        item_id, kind, question, answer, options, line, subject = row
        items.append(QuizItem(item_id, _KINDS[kind], question, answer, tuple(options), section, line, subject))
    return tuple(items)


def _all_str(values: list) -> bool:
    return all(type(v) is str for v in values)


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
    subject_a, subject_b = _folded(a.subject), _folded(b.subject)
    if subject_a == subject_b:
        return True
    return (b.kind is not Kind.REVEAL and subject_b in _folded(a.question)) or (
        a.kind is not Kind.REVEAL and subject_a in _folded(b.question)
    )


# An item's subject and question, folded: the same items are compared answer after answer.
_folded = functools.lru_cache(maxsize=8192)(fold)

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
    contain one. A section's items are asked for when its turn first comes: once the
    limit is reached, the sections after it are never read (nor their items made)."""
    lookup = source.items_in if isinstance(source, QuizEngine) else (lambda s: tuple(source.get(s, ())))
    words = {fold(w) for w in about}

    def order(item: QuizItem) -> tuple[int, int]:
        subject = _folded(item.subject)
        relevance = 0 if subject in words else 1 if any(w in subject for w in words) else 2
        return relevance, _PROMPT_ORDER[item.kind]

    picked: list[QuizItem] = []
    if limit == 0:
        return ()
    for item in _in_turn([lambda s=s: sorted(lookup(s), key=order) for s in sections]):
        if not any(gives_away(item, other) for other in picked):
            picked.append(item)
            if len(picked) == limit:  # before the next section's turn comes
                break
    return tuple(picked)


def _in_turn(queues: Sequence[Callable[[], Sequence[QuizItem]]]) -> Iterator[QuizItem]:
    """The first item of each queue, then the second of each, and so on; each queue is
    made (called) when its turn first comes."""
    made: list[Sequence[QuizItem]] = []
    for row in itertools.count():
        more = False
        for index, make in enumerate(queues):
            if index == len(made):
                made.append(make())
            if row < len(made[index]):
                more = True
                yield made[index][row]
        if not more:
            return
