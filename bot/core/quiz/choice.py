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


@dataclass(frozen=True, slots=True)
class _Term:
    """A defined term that may serve as a distractor, with where it sits in the notes:
    order is its position among all defined terms, in notes order."""

    surface: str
    key: str
    order: int
    headings: tuple[str, ...]
    folder: str
    kind: str


def defined_terms(analyses: Iterable[SectionAnalysis]) -> list[DefinedTerm]:
    """Every defined term of the notes, in notes order."""
    return [
        DefinedTerm(index, d.term, d.term_key, term_kind(d.term))
        for index, analysis in enumerate(analyses)
        for d in analysis.definitions
    ]


class TermPools:
    """Terms by section, by heading path, by top-level heading and overall, each split by
    kind and by family and kept in notes order, so a distractor is found near its answer
    without scanning the corpus. Made from the defined terms alone (no analysis is
    needed), with each term's headings and folder from its section."""

    def __init__(self, sections: Sequence[Section], terms: Iterable[DefinedTerm]) -> None:
        self._anchors: dict[int, dict[str, _Term]] = defaultdict(dict)  # by section: key -> the term defined there
        self._pools: dict[tuple, list[_Term]] = defaultdict(list)
        for order, defined in enumerate(terms):
            section = sections[defined.section]
            folder = section.file.rpartition("/")[0]
            term = _Term(defined.surface, defined.key, order, section.headings, folder, defined.kind)
            self._anchors[defined.section].setdefault(term.key, term)
            for group in (term.kind, term_family(term.kind)):
                for place in _places(defined.section, term):
                    self._pools[(group, *place)].append(term)

    def distractors(
        self, section: int, answer_key: str, shows: Callable[[str], bool], count: int = CHOICE_COUNT - 1
    ) -> tuple[str, ...]:
        """Up to count terms of the answer's kind, then family, nearest it first; never the
        answer again, a repeat, or a term the question shows (shows(term) is true)."""
        anchor = self._anchors.get(section, {}).get(answer_key)
        if anchor is None:
            return ()
        chosen: list[str] = []
        seen = {answer_key}
        for group in (anchor.kind, term_family(anchor.kind)):
            for place in _places(section, anchor):
                pool = self._pools.get((group, *place), [])
                for term in itertools.islice(_nearest(pool, anchor.order), _MAX_DISTRACTOR_SCAN):
                    if len(chosen) == count:
                        return tuple(chosen)
                    if term.key in seen or shows(term.surface):
                        continue
                    seen.add(term.key)
                    chosen.append(term.surface)
        return tuple(chosen)


def _places(section: int, term: _Term) -> tuple[tuple, ...]:
    """The pools a term of this section belongs to, nearest first."""
    top = term.headings[0] if term.headings else ""
    return (("section", section), ("path", term.headings), ("top", top), ("folder", term.folder), ("all",))


def _nearest(pool: list[_Term], order: int) -> Iterator[_Term]:
    """The other terms of pool (sorted by order) by distance from the one at `order`,
    the earlier first on a tie."""
    center = bisect.bisect_left(pool, order, key=lambda t: t.order)
    left = center - 1
    right = center + 1 if center < len(pool) and pool[center].order == order else center
    while left >= 0 or right < len(pool):
        left_distance = order - pool[left].order if left >= 0 else math.inf
        right_distance = pool[right].order - order if right < len(pool) else math.inf
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
