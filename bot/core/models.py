"""Values that flow between the core and the adapters."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BlockKind(StrEnum):
    """What kind of block a section was made from."""

    PARAGRAPH = "paragraph"
    LIST = "list"  # a top-level list item with its children
    TABLE = "table"
    CODE = "code"
    QUOTE = "quote"  # a block quote or a callout
    MATH = "math"


@dataclass(frozen=True)
class Section:
    """A passage a learner can read in one glance: a paragraph, or a top-level bullet
    with its nested bullets, under a heading path."""

    file: str  # relative to the corpus folder, with forward slashes
    line_start: int  # 1-based, inclusive
    line_end: int
    headings: tuple[str, ...]
    text: str  # plain text, what a learner reads (no Markdown syntax)
    kind: str = "paragraph"  # the block it comes from: see BlockKind
    markdown: str = ""  # the source Markdown of the section, as written
    aliases: tuple[str, ...] = ()  # other names of its note (front-matter aliases): searched, not shown

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line_start}"

    @property
    def title(self) -> str:
        return " > ".join(self.headings) or self.file


@dataclass(frozen=True)
class Hit:
    section: Section
    score: float
    matched: tuple[str, ...]  # query terms found in the section, as index terms
    # Where the matched words stand in section.text, (begin, end) in order, for
    # highlighting and excerpts: found from the build's stored token offsets.
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Answer:
    question: str
    hits: tuple[Hit, ...]
    quiz: tuple[QuizItem, ...] = ()  # drawn from the hits, to check oneself after reading
    # When nothing was found: words of the question the notes never write (at most 3),
    # which the learner's glossary could give the notes' own name.
    unwritten: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.hits)


class Kind(StrEnum):
    TERM = "term"
    REVEAL = "reveal"
    CHOICE = "choice"
    CLOZE = "cloze"


@dataclass(frozen=True)
class QuizItem:
    id: str
    kind: Kind
    question: str
    answer: str
    options: tuple[str, ...]  # empty unless kind is CHOICE
    section: Section
    line: int  # the 1-based line of the notes the item was made from
    subject: str  # the term tested; two items with one subject give each other away

    @property
    def topic(self) -> str:
        """The top-level heading, what stats group by."""
        return self.section.headings[0] if self.section.headings else self.section.file

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "question": self.question,
            "answer": self.answer,
            "options": list(self.options),
            "source": {
                "file": self.section.file,
                "line": self.line,
                "line_start": self.section.line_start,
                "line_end": self.section.line_end,
                "headings": list(self.section.headings),
            },
        }
