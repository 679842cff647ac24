"""Multiple choice: the defined terms that serve as distractors, and the option order.

Distractors are other terms the notes define, of the same kind as the answer (see
terms.term_kind: Latin with Latin, katakana with katakana, kanji with kanji, mixed with
mixed), nearest the answer first: same section, same heading path, same top-level
heading, same folder of notes, then anywhere. When one kind has too few, other Japanese terms fill in for a
Japanese answer; Latin and Japanese never stand in for each other. Without three
distractors there is no choice item.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from bot.core.models import Section
from bot.core.quiz.analysis import SectionAnalysis
from bot.core.quiz.terms import term_family, term_kind

CHOICE_COUNT = 4
# Terms looked at per pool when picking distractors: bounds the work when one term is
# defined over and over.
_MAX_DISTRACTOR_SCAN = 200


@dataclass(frozen=True, slots=True)
class DefinedTerm:
    """A term some section defines, as the corpus-wide facts keep it (QuizFacts): the
    index of its section, its spelling, its key and its kind (terms.term_kind)."""

    section: int
    surface: str
    key: str
    kind: str


def defined_terms(analyses: Iterable[SectionAnalysis]) -> list[DefinedTerm]:
    """Every defined term of the notes, in notes order."""
    return [
        DefinedTerm(index, d.term, d.term_key, term_kind(d.term))
        for index, analysis in enumerate(analyses)
        for d in analysis.definitions
    ]


class TermPools:
    """Terms by section, by heading path, by top-level heading, by folder and overall,
    each split by kind and by family and kept in notes order, so a distractor is found
    near its answer without scanning the corpus. Made from the defined terms alone (no
    analysis is needed), with each term's headings and folder from its section; a pool
    is gathered when first needed. A term's order is its index in terms."""

    def __init__(self, sections: Sequence[Section], terms: Sequence[DefinedTerm]) -> None:
        self._sections = sections
        self._terms = terms
        self._term_sections = [t.section for t in terms]  # ascending: terms are in notes order
        self._pools: dict[tuple, list[int]] = {}  # (group, *place) -> orders

    def distractors(
        self, section: int, answer_key: str, shows: Callable[[str], bool], count: int = CHOICE_COUNT - 1
    ) -> tuple[str, ...]:
        """Up to count terms of the answer's kind, then family, nearest it first; never the
        answer again, a repeat, or a term the question shows (shows(term) is true)."""
        anchor = next((o for o in self._orders_in(section) if self._terms[o].key == answer_key), None)
        if anchor is None:
            return ()
        kind = self._terms[anchor].kind
        chosen: list[str] = []
        seen = {answer_key}
        for group in (kind, term_family(kind)):
            for place in _places(section, self._sections[section]):
                pool = self._pool(group, place)
                for order in itertools.islice(_nearest(pool, anchor), _MAX_DISTRACTOR_SCAN):
                    if len(chosen) == count:
                        return tuple(chosen)
                    term = self._terms[order]
                    if term.key in seen or shows(term.surface):
                        continue
                    seen.add(term.key)
                    chosen.append(term.surface)
        return tuple(chosen)

    def _orders_in(self, section: int) -> range:
        return range(
            bisect.bisect_left(self._term_sections, section), bisect.bisect_right(self._term_sections, section)
        )

    def _pool(self, group: str, place: tuple) -> list[int]:
        """The orders of the terms of group at place. A term stands in the pools of its
        kind and of its family; a Latin term's kind is its family, so it stands twice
        in the Latin pools (and counts twice toward _MAX_DISTRACTOR_SCAN)."""
        key = (group, *place)
        pool = self._pools.get(key)
        if pool is None:
            if place[0] == "section":
                members: Iterable[int] = self._orders_in(place[1])
            elif place[0] == "all":
                members = range(len(self._terms))
            else:
                members = self._by_place.get(place, ())
            pool = self._pools[key] = [order for order in members for g in self._groups[order] if g == group]
        return pool

    @functools.cached_property
    def _groups(self) -> list[tuple[str, str]]:
        """Each term's kind and family."""
        return [(t.kind, term_family(t.kind)) for t in self._terms]

    @functools.cached_property
    def _by_place(self) -> dict[tuple, list[int]]:
        """The orders of the terms at each heading path, top-level heading and folder."""
        by_place: dict[tuple, list[int]] = defaultdict(list)
        orders = range(len(self._term_sections))
        for section, group in itertools.groupby(orders, key=self._term_sections.__getitem__):
            in_section = list(group)
            for place in _places(section, self._sections[section])[1:-1]:
                by_place[place] += in_section
        return by_place


def _places(index: int, section: Section) -> tuple[tuple, ...]:
    """The pools a term of this section belongs to, nearest first."""
    top = section.headings[0] if section.headings else ""
    folder = section.file.rpartition("/")[0]
    return (("section", index), ("path", section.headings), ("top", top), ("folder", folder), ("all",))


def _nearest(pool: list[int], order: int) -> Iterator[int]:
    """The other orders of pool (ascending) by distance from `order`, the earlier first
    on a tie."""
    center = bisect.bisect_left(pool, order)
    left = center - 1
    right = center + 1 if center < len(pool) and pool[center] == order else center
    while left >= 0 or right < len(pool):
        left_distance = order - pool[left] if left >= 0 else math.inf
        right_distance = pool[right] - order if right < len(pool) else math.inf
        if left_distance <= right_distance:
            yield pool[left]
            left -= 1
        else:
            yield pool[right]
            right += 1


def shuffled(options: Sequence[str], seed: str) -> tuple[str, ...]:
    """The same order for the same item every time: the seed is its id (hex)."""
    out = list(options)
    random.Random(int(seed, 16)).shuffle(out)
    return tuple(out)
