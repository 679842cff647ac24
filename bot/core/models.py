"""Values that flow between the core and the adapters."""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a cold start counts
if TYPE_CHECKING:
    from bot.core.quiz import QuizItem


@dataclass(frozen=True)
class Section:
    """A passage a learner can read in one glance: a paragraph, or a top-level bullet
    with its nested bullets, under a heading path."""

    file: str  # relative to the corpus folder, with forward slashes
    line_start: int  # 1-based, inclusive
    line_end: int
    headings: tuple[str, ...]
    text: str  # as written in the notes

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


@dataclass(frozen=True)
class Answer:
    question: str
    hits: tuple[Hit, ...]
    quiz: tuple[QuizItem, ...] = ()  # drawn from the hits, to check oneself after reading

    @property
    def found(self) -> bool:
        return bool(self.hits)
