"""When a quiz item comes back: FSRS, through the maintained `fsrs` package.

This is the only module that imports fsrs. The rest of manabi sees a Rating (what an
answer was worth), a Memory (what FSRS knows of one learner and one item, stored as
plain columns) and Scheduling.review, which turns one into the next.

A miss, and a first near miss, come back in the same session (10 minutes, 15 for
Hard); a right answer leaves the learning step and comes back after the days FSRS
predicts keep the chance of remembering it at the desired retention (0.9 by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum

import fsrs

DEFAULT_RETENTION = 0.9
# Anki lets the desired retention range from 0.70 to 0.99: below, reviews come too
# late to be worth much; above, the workload grows without bound.
MIN_RETENTION = 0.7
MAX_RETENTION = 0.99
# One learning step: a new or missed item is asked again 10 minutes later, in the same
# sitting, and a right answer after that step graduates it to days.
LEARNING_STEP = timedelta(minutes=10)


class Rating(IntEnum):
    """What an answer was worth (the values are FSRS's)."""

    AGAIN = 1  # wrong, or "忘れた"
    HARD = 2  # right after a near miss, or "難しかった"
    GOOD = 3  # right, or "覚えていた"


class Phase(IntEnum):
    """Where an item is in FSRS (the values are fsrs.State's)."""

    LEARNING = 1  # new, or not yet past its learning step
    REVIEW = 2  # learned: comes back after days
    RELEARNING = 3  # learned, then missed


@dataclass(frozen=True, slots=True)
class Memory:
    """What FSRS knows of one learner's memory of one item."""

    phase: Phase
    step: int | None  # the learning step, None once learned
    stability: float | None  # days until the chance of recalling it falls to 90%
    difficulty: float | None  # 1 (easy) to 10 (hard)
    due: datetime
    last_review: datetime | None

    @property
    def learned(self) -> bool:
        """Past its learning steps: answering it now measures retention."""
        return self.phase is Phase.REVIEW


class Scheduling:
    """FSRS with manabi's learning steps and a desired retention."""

    def __init__(self, retention: float = DEFAULT_RETENTION, fuzz: bool = True) -> None:
        """fuzz spreads items learned together over a few days around their due day, as
        Anki does; without it the intervals are exact (tests)."""
        check_retention(retention)
        self.retention = retention
        self._scheduler = fsrs.Scheduler(
            desired_retention=retention,
            learning_steps=(LEARNING_STEP,),
            relearning_steps=(LEARNING_STEP,),
            enable_fuzzing=fuzz,
        )

    def review(self, memory: Memory | None, rating: Rating, at: datetime) -> Memory:
        """The memory after an answer at `at` (None: the item was never answered)."""
        at = at.astimezone(timezone.utc)  # fsrs wants exactly timezone.utc
        card = _card(memory) if memory else fsrs.Card(card_id=0, due=at)  # an id: Card() would sleep 1 ms
        card, _ = self._scheduler.review_card(card, fsrs.Rating(int(rating)), at)
        return _memory(card)

    def replay(self, answers: Iterable[tuple[Rating, datetime]]) -> list[Memory]:
        """The memory after each of one item's answers, given in time order."""
        memory, after = None, []
        for rating, at in answers:
            memory = self.review(memory, rating, at)
            after.append(memory)
        return after


def check_retention(retention: float) -> float:
    """retention, if it is a desired retention FSRS should aim at; else ValueError."""
    if not MIN_RETENTION <= retention <= MAX_RETENTION:  # also refuses NaN
        raise ValueError(
            f"目標の記憶率 (MANABI_RETENTION) は {MIN_RETENTION} から {MAX_RETENTION} の小数にしてください (例: 0.9): {retention}"
        )
    return float(retention)


def parse_retention(text: str | None) -> float:
    """MANABI_RETENTION: "0.9" or "90%"; empty or unset is the default. A ValueError
    carries one Japanese line."""
    text = (text or "").strip()
    if not text:
        return DEFAULT_RETENTION
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError(f"目標の記憶率 (MANABI_RETENTION) は 0.9 のような小数にしてください: {text!r}") from None
    return check_retention(value)


def comes_back(interval: timedelta) -> str:
    """「次は 3 日後」: when an item comes back, as a learner reads it."""
    seconds = max(interval.total_seconds(), 0)
    if seconds < 3600:
        return f"次は {max(1, round(seconds / 60))} 分後"
    if seconds < 86_400 - 1800:
        return f"次は {round(seconds / 3600)} 時間後"
    return f"次は {max(1, round(seconds / 86_400))} 日後"


def _card(memory: Memory) -> fsrs.Card:
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(int(memory.phase)),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due.astimezone(timezone.utc),
        last_review=memory.last_review.astimezone(timezone.utc) if memory.last_review else None,
    )


def _memory(card: fsrs.Card) -> Memory:
    return Memory(
        phase=Phase(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
