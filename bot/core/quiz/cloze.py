"""Cloze: which candidate of a sentence to blank, and the blanking itself.

The blank is the most salient candidate (see QuizEngine._salience: rare in the notes,
Latin, proper, katakana, compound) that is none of: the term the line defines, a weak
word, one item of an enumeration ("A、B、Cなど": any of them would fit), a word that
also occurs inside a longer word of the sentence (OS in ゲストOS), or a blank that leaves
fewer than MIN_CLOZE_CHARS to read. Each check looks at the candidate's neighbours by
position or at spans computed once per sentence, so a sentence costs time linear in
its candidates (and a sentence is at most MAX_SENTENCE_CHARS long).

Those checks depend on the sentence alone, salience on the whole notes: the analysis
runs the checks once (blanks, stored with it in the cache) and keeps, for each candidate
that passes, what its blanking covers; making the item then only ranks those by
salience (choose_blank).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bot.core.quiz.terms import Candidate, fold

if TYPE_CHECKING:
    from bot.core.quiz.analysis import Sentence

BLANK = "＿＿＿"
CLOZE_PROMPT = f"{BLANK} に入る語は？\n"
MIN_CLOZE_CHARS = 10  # a shorter sentence gives too little to go on

_LIST_SEPARATORS = frozenset("、,，・/／")
_AROUND_SEPARATORS = frozenset("()（）「」『』\"'`-")
_LATIN_JOINERS = frozenset("-._/")
_PATH_MARKS = frozenset("/\\=$%@~")
_MAX_UNIT_CHARS = 3  # ms, ns, GB, KiB
_OPENING = frozenset("(（")
_CLOSING = frozenset(")）")
_BRACKETED = re.compile(r"[(（][^()（）]*[)）]")
_BRACKETS = _OPENING | _CLOSING


# A candidate that can be blanked: (its index among the sentence's candidates, then the
# begin and end of each stretch of the sentence its blanking replaces by BLANK).
Blank = tuple[int, ...]


def choose_blank(sentence: Sentence, salience: Callable[[Candidate], float]) -> tuple[Candidate, str] | None:
    """The candidate to blank and the question (CLOZE_PROMPT and the sentence with it
    blanked), or None: of the sentence's blanks, the most salient (salience above 0),
    then the longest, then the first."""
    best, best_rank = None, None
    for blank in sentence.blanks:
        c = sentence.candidates[blank[0]]
        score = salience(c)
        rank = (-score, -len(c.surface), c.begin)
        if score > 0 and (best_rank is None or rank < best_rank):
            best, best_rank = blank, rank
    if best is None:
        return None
    return sentence.candidates[best[0]], CLOZE_PROMPT + _replaced(sentence.text, best[1:])


def blanks(text: str, found: tuple[Candidate, ...], excluded_key: str) -> tuple[Blank, ...]:
    """The candidates of a sentence (found, in text order) that a cloze may blank, each
    with what its blanking replaces (see Blank), in candidate order: none of them the
    term the line defines (excluded_key), weak, listed, half a token, a count, found
    inside a longer word, or leaving too little to read."""
    spans_by_key = _spans_by_key(found)
    if not excluded_key and len(spans_by_key) < 2:
        return ()  # once blanked, nothing left to go on: "実際の＿＿＿はほとんどこれ"
    listed_keys = {c.key for c, is_listed in zip(found, listed(found, text)) if is_listed}
    out = []
    for index, c in enumerate(found):
        if c.key == excluded_key or c.weak or c.key in listed_keys:  # listed anywhere in it
            continue
        if piece_of_a_token(text, c) or counted(text, c):
            continue
        spelled = spans_ignoring_case(c.surface, text)
        if not occurs_only_whole(text, c, spans_by_key[c.key], spelled):
            continue
        bounds = [n for region in _regions([*spans_by_key[c.key], *spelled]) for n in region]
        blanked = _replaced(text, bounds)
        if len(blanked.replace(BLANK, "")) < MIN_CLOZE_CHARS or leaks(c.surface, CLOZE_PROMPT + blanked):
            continue
        out.append((index, *bounds))
    return tuple(out)


def enumerated(found: tuple[Candidate, ...], index: int, text: str, neighbours: _Neighbours | None = None) -> bool:
    """found[index] is one of "A、B、Cなど": a neighbour sits across a list separator.
    Candidates are in text order and do not overlap, so only the two neighbours can be
    that close; a neighbour in brackets is looked past ("A（x）、B": A and B are listed)."""
    c = found[index]
    between = []
    if index > 0:
        between.append(text[found[index - 1].end : c.begin])
    if index + 1 < len(found):
        between.append(text[c.end : found[index + 1].begin])
    if any(_only_separators(b) for b in between):
        return True
    neighbours = neighbours or _Neighbours(found, text)
    return any(_only_separators(b) for b in neighbours.past_brackets(index))


def listed(found: tuple[Candidate, ...], text: str) -> list[bool]:
    """enumerated(found, index, text) of every candidate, each pair of neighbours looked
    at once (a separator between two neighbours lists both)."""
    out = [False] * len(found)
    for index in range(len(found) - 1):
        if _only_separators(text[found[index].end : found[index + 1].begin]):
            out[index] = out[index + 1] = True
    if all(out) or not _BRACKETS & set(text):  # without brackets, those neighbours are all there is
        return out
    before, _ = _Neighbours(found, text)._before_after()
    for index, previous in enumerate(before):
        if previous is None or (out[index] and out[previous]):
            continue
        if _only_separators(_BRACKETED.sub("", text[found[previous].end : found[index].begin])):
            out[index] = out[previous] = True
    return out


class _Neighbours:
    """Each candidate's neighbours at the same depth of round brackets, found in one pass
    when first needed."""

    def __init__(self, found: tuple[Candidate, ...], text: str) -> None:
        self.found, self.text = found, text
        self._links: tuple[list[int | None], list[int | None]] | None = None

    def _before_after(self) -> tuple[list[int | None], list[int | None]]:
        if self._links is None:
            self._links = self._linked()
        return self._links

    def _linked(self) -> tuple[list[int | None], list[int | None]]:
        found, text = self.found, self.text
        depth, at = 0, 0
        depths = []
        for c in found:  # the bracket depth at each candidate, counted once along the text
            for ch in text[at : c.begin]:
                if ch in _OPENING:
                    depth += 1
                elif ch in _CLOSING and depth > 0:
                    depth -= 1
            at = max(at, c.begin)
            depths.append(depth)
        before: list[int | None] = [None] * len(found)
        after: list[int | None] = [None] * len(found)
        last: dict[int, int] = {}
        for index, d in enumerate(depths):
            previous = last.get(d)
            if previous is not None:
                before[index], after[previous] = previous, index
            last[d] = index
        return before, after

    def past_brackets(self, index: int) -> list[str]:
        """The text to each same-depth neighbour, bracketed parts left out."""
        before, after = self._before_after()
        c, out = self.found[index], []
        if before[index] is not None:
            out.append(_BRACKETED.sub("", self.text[self.found[before[index]].end : c.begin]))
        if after[index] is not None:
            out.append(_BRACKETED.sub("", self.text[c.end : self.found[after[index]].begin]))
        return out


def _only_separators(between: str) -> bool:
    """"、", ", ", " / ", "）、", "、--": a list separator, maybe with brackets or an
    option's dashes around it."""
    stripped = "".join(between.split())
    return (
        0 < len(stripped) <= 3
        and bool(set(stripped) & _LIST_SEPARATORS)
        and set(stripped) <= _LIST_SEPARATORS | _AROUND_SEPARATORS
    )


def piece_of_a_token(text: str, c: Candidate) -> bool:
    """A Latin candidate glued to more letters or digits ("v2" of v2.3.0) or right after
    a path or command mark (/bin/bash, \\timing, $HOME): blanking it would leave half a word."""
    if not c.latin:
        return False
    after = text[c.end : c.end + 2]
    before = text[max(c.begin - 2, 0) : c.begin]
    return _glued(after[:1], after[1:2]) or _glued(before[-1:], before[:-1][-1:]) or before[-1:] in _PATH_MARKS


def _glued(next_char: str, beyond: str) -> bool:
    if next_char.isascii() and next_char.isalnum():
        return True
    return next_char in _LATIN_JOINERS and beyond.isascii() and beyond.isalnum()


def counted(text: str, c: Candidate) -> bool:
    """A number and a word among other numbers ("1 → 2 → 4 → 8 → 16で16セグメント"):
    a count in a calculation, not a term; or a unit after a number (490 ms, 1.98 ns)."""
    if c.surface[:1].isdigit():
        return any(ch.isdigit() for ch in text[: c.begin]) or any(ch.isdigit() for ch in text[c.end :])
    if (c.latin and c.surface.isalpha() or c.katakana) and len(c.surface) <= _MAX_UNIT_CHARS:
        return text[: c.begin].rstrip(" ")[-1:].isdigit()  # 32 ビット, 490 ms
    return False


def _spans_by_key(found: Iterable[Candidate]) -> dict[str, list[tuple[int, int]]]:
    """Where each key's candidates are, in text order."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for c in found:
        spans[c.key].append((c.begin, c.end))
    return spans


def occurs_only_whole(
    text: str, c: Candidate, whole: list[tuple[int, int]], spelled: list[tuple[int, int]] | None = None
) -> bool:
    """Every spelling of c in text (spelled: spans_ignoring_case(c.surface, text), if
    found already) is inside a candidate of the same key (whole, sorted, not
    overlapping), never a piece of a longer word."""
    for start, stop in spans_ignoring_case(c.surface, text) if spelled is None else spelled:
        at = bisect_right(whole, (start, len(text) + 1)) - 1  # the last span starting at or before start
        if at < 0 or whole[at][1] < stop:
            return False
    return True


def blank_out(
    text: str, spans: Iterable[tuple[int, int]], surface: str, spelled: list[tuple[int, int]] | None = None
) -> str:
    """text with every occurrence of the answer blanked: its candidates' spans (same key:
    ハイパーバイザ and ハイパーバイザー) and its spelling, ignoring case (spelled:
    spans_ignoring_case(surface, text), if found already)."""
    spelled = spans_ignoring_case(surface, text) if spelled is None else spelled
    return _replaced(text, [n for region in _regions([*spans, *spelled]) for n in region])


def _regions(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches that spans cover, each replaced by one BLANK: a span that overlaps
    the stretch before it joins it (one that only touches it starts another)."""
    regions: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if regions and begin < regions[-1][1]:
            regions[-1] = (regions[-1][0], max(regions[-1][1], end))
        else:
            regions.append((begin, end))
    return regions


def _replaced(text: str, bounds: Iterable[int]) -> str:
    """text with each stretch text[begin:end] replaced by BLANK, bounds being begin, end,
    begin, end, ... in order."""
    out, last = [], 0
    bounds = list(bounds)
    for begin, end in zip(bounds[::2], bounds[1::2]):
        out += [text[last:begin], BLANK]
        last = end
    out.append(text[last:])
    return "".join(out)


def blank_term(text: str, found: Iterable[Candidate], surface: str, key: str) -> str:
    """text with the term (key, or its spelling) blanked: for an explanation that names it."""
    return blank_out(text, [(c.begin, c.end) for c in found if c.key == key], surface)


def spans_ignoring_case(needle: str, text: str) -> list[tuple[int, int]]:
    """Where needle is in text, ignoring case, without overlaps."""
    if not needle:
        return []
    if needle.lower() != needle or needle.upper() != needle:
        return [m.span() for m in _ignoring_case(needle).finditer(text)]
    spans = []
    start = text.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = text.find(needle, start + len(needle))
    return spans


@functools.lru_cache(maxsize=4096)
def _ignoring_case(needle: str) -> re.Pattern:
    """The pattern of needle, ignoring case: the same terms recur across the notes, and
    re's own cache (512 patterns) is shared with all other code."""
    return re.compile(re.escape(needle), flags=re.IGNORECASE)


def leaks(answer: str, question: str) -> bool:
    return fold(answer) in fold(question)
