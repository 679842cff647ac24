"""FSRS through bot/core/scheduling.py: ratings, intervals, retention, replay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.scheduling import (
    DEFAULT_RETENTION,
    LEARNING_STEP,
    Phase,
    Rating,
    Scheduling,
    comes_back,
    parse_retention,
)

START = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
exact = Scheduling(fuzz=False)


def answer(scheduling: Scheduling, ratings_and_days: list[tuple[Rating, float]]):
    """The memory after answering at START + days, in order."""
    return scheduling.replay((rating, START + timedelta(days=days)) for rating, days in ratings_and_days)[-1]


def test_a_new_item_right_first_time_comes_back_in_days():
    memory = exact.review(None, Rating.GOOD, START)
    assert memory.phase is Phase.REVIEW and memory.learned
    assert memory.due - START == timedelta(days=2)


def test_a_miss_comes_back_in_the_same_sitting_and_a_near_miss_a_little_later():
    missed = exact.review(None, Rating.AGAIN, START)
    assert missed.phase is Phase.LEARNING and missed.due == START + LEARNING_STEP
    near = exact.review(None, Rating.HARD, START)
    assert near.phase is Phase.LEARNING and near.due == START + timedelta(minutes=15)
    # Right on the second try: learned, and back in days.
    assert exact.review(missed, Rating.GOOD, missed.due).phase is Phase.REVIEW


def test_intervals_grow_with_each_right_answer_on_time():
    memory, now, intervals = None, START, []
    for _ in range(5):
        memory = exact.review(memory, Rating.GOOD, now)
        intervals.append(memory.due - now)
        now = memory.due
    assert all(later > earlier * 1.5 for earlier, later in zip(intervals, intervals[1:]))


def test_hard_comes_back_sooner_than_good_and_a_lapse_relearns():
    learned = answer(exact, [(Rating.GOOD, 0), (Rating.GOOD, 2)])
    at = learned.due
    hard, good = exact.review(learned, Rating.HARD, at), exact.review(learned, Rating.GOOD, at)
    assert at < hard.due < good.due
    assert hard.difficulty > good.difficulty
    lapse = exact.review(learned, Rating.AGAIN, at)
    assert lapse.phase is Phase.RELEARNING and not lapse.learned
    assert lapse.due == at + LEARNING_STEP and lapse.stability < learned.stability


def test_a_higher_desired_retention_asks_again_sooner():
    history = [(Rating.GOOD, 0), (Rating.GOOD, 2), (Rating.GOOD, 12)]
    strict, relaxed = Scheduling(0.95, fuzz=False), Scheduling(0.8, fuzz=False)
    last = START + timedelta(days=12)
    assert answer(strict, history).due - last < answer(exact, history).due - last < answer(relaxed, history).due - last


def test_replay_is_the_same_as_answering_one_by_one():
    history = [(Rating.AGAIN, 0), (Rating.GOOD, 0.01), (Rating.HARD, 3), (Rating.AGAIN, 9), (Rating.GOOD, 9.01)]
    memory = None
    for rating, days in history:
        memory = exact.review(memory, rating, START + timedelta(days=days))
    assert answer(exact, history) == memory
    assert len(exact.replay([])) == 0


def test_any_time_zone_is_accepted_and_kept_utc():
    tokyo = START.astimezone(ZoneInfo("Asia/Tokyo"))
    memory = exact.review(None, Rating.GOOD, tokyo)
    assert memory == exact.review(None, Rating.GOOD, START)
    assert memory.due.utcoffset() == timedelta(0)


def test_fuzz_spreads_long_intervals_but_only_a_little():
    history = [(Rating.GOOD, 0), (Rating.GOOD, 2), (Rating.GOOD, 12)]
    plain = answer(exact, history).due
    fuzzed = {answer(Scheduling(), history).due for _ in range(40)}
    assert len(fuzzed) > 1
    assert all(abs(due - plain) <= (plain - START) * 0.1 + timedelta(days=1) for due in fuzzed)


@pytest.mark.parametrize("text, value", [(None, DEFAULT_RETENTION), ("", 0.9), (" 0.85 ", 0.85), ("95%", 0.95), ("0.7", 0.7)])
def test_parse_retention(text, value):
    assert parse_retention(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["0.5", "1", "1.2", "90", "abc", "nan", "-0.9"])
def test_a_bad_retention_is_one_clear_line(text):
    with pytest.raises(ValueError) as error:
        parse_retention(text)
    assert "MANABI_RETENTION" in str(error.value) and "\n" not in str(error.value)


def test_scheduling_refuses_an_out_of_range_retention():
    with pytest.raises(ValueError):
        Scheduling(0.3)


@pytest.mark.parametrize(
    "interval, text",
    [
        (timedelta(minutes=10), "次は 10 分後"),
        (timedelta(seconds=20), "次は 1 分後"),
        (timedelta(hours=5), "次は 5 時間後"),
        (timedelta(hours=23, minutes=50), "次は 1 日後"),
        (timedelta(days=3), "次は 3 日後"),
        (timedelta(days=3, hours=2), "次は 3 日後"),
        (timedelta(days=120), "次は 120 日後"),
    ],
)
def test_comes_back(interval, text):
    assert comes_back(interval) == text
