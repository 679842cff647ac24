"""Progress store and scheduler, on real SQLite files and real processes."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core import progress as progress_module
from bot.core.notes import load_corpus
from bot.core.progress import (
    EASE_PENALTY,
    INITIAL_EASE,
    MINIMUM_EASE,
    RELEARN_DELAY,
    SCHEMA_VERSION,
    ProgressError,
    ProgressStore,
    schedule,
)
from bot.core.quiz import Kind, QuizEngine

CORPUS2 = Path(__file__).resolve().parent / "data" / "corpus2"
START = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    with ProgressStore(tmp_path / "progress.db", clock=clock) as store:
        yield store


@pytest.fixture(scope="module")
def engine():
    return QuizEngine(load_corpus(CORPUS2).sections)


# --- SM-2 -------------------------------------------------------------------------------


def test_correct_answers_come_back_later_and_later():
    review, now, intervals = None, START, []
    for _ in range(5):
        review = schedule(review, "a", True, now)
        intervals.append(review.interval_days)
        assert review.due == now + timedelta(days=review.interval_days)
        now = review.due
    assert intervals[0] == 1
    assert all(later > earlier for earlier, later in zip(intervals, intervals[1:]))
    assert intervals[2] >= intervals[1] * INITIAL_EASE - 1  # growth by the ease factor
    assert review.repetitions == 5 and review.ease == INITIAL_EASE


def test_a_miss_comes_back_in_minutes_and_lowers_the_ease_of_a_learned_item():
    new_miss = schedule(None, "a", False, START)
    assert new_miss.due == START + RELEARN_DELAY
    assert new_miss.ease == INITIAL_EASE and new_miss.lapses == 0  # not learned yet

    learned = schedule(schedule(None, "a", True, START), "a", True, START + timedelta(days=1))
    lapse = schedule(learned, "a", False, learned.due)
    assert lapse.due == learned.due + RELEARN_DELAY
    assert lapse.repetitions == 0 and lapse.lapses == 1
    assert lapse.ease == pytest.approx(INITIAL_EASE - EASE_PENALTY)
    relearned = schedule(lapse, "a", True, lapse.due)
    assert relearned.interval_days == 1


def test_ease_never_drops_below_the_minimum():
    review, now = None, START
    for _ in range(20):
        review = schedule(review, "a", True, now)
        review = schedule(review, "a", True, review.due)
        review = schedule(review, "a", False, review.due)
        now = review.due
    assert review.ease == MINIMUM_EASE


def test_knowing_an_item_again_before_it_is_due_does_not_stretch_it():
    learned = schedule(schedule(None, "a", True, START), "a", True, START + timedelta(days=1))
    early = schedule(learned, "a", True, START + timedelta(days=1, minutes=5))
    assert early.interval_days == learned.interval_days


# --- Storing ----------------------------------------------------------------------------


def test_attempts_survive_reopening_the_file(tmp_path, clock):
    path = tmp_path / "p.db"
    with ProgressStore(path, clock=clock) as store:
        store.record("local", "item1", True, "DNS")
        store.record("local", "item2", False, "DNS")
    with ProgressStore(path, clock=clock) as store:
        assert store.attempts("local") == 2
        assert store.review("local", "item1").due == START + timedelta(days=1)
        assert store.review("local", "item2").due == START + RELEARN_DELAY


def test_the_file_uses_wal_and_the_current_schema(store):
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_learners_are_kept_apart(store):
    store.record("111", "item1", True, "DNS")
    store.record("222", "item1", False, "DNS")
    assert store.review("111", "item1").repetitions == 1
    assert store.review("222", "item1").repetitions == 0
    assert store.stats("111").topics[0].correct == 1
    assert store.stats("222").topics[0].correct == 0
    assert store.attempts("333") == 0


def test_due_then_new_then_least_recently_seen(store, clock):
    store.record("local", "missed", False)
    clock.advance(minutes=1)
    store.record("local", "known_first", True)
    clock.advance(minutes=1)
    store.record("local", "known_later", True)
    ids = ["known_later", "new1", "known_first", "missed", "new2"]
    # Nothing due yet: new ones, then the least recently seen.
    assert store.order("local", ids) == ["new1", "new2", "missed", "known_first", "known_later"]
    clock.advance(minutes=15)  # the miss is due again
    assert store.order("local", ids)[:3] == ["missed", "new1", "new2"]
    clock.advance(days=2)  # everything seen is due, the most overdue first
    assert store.order("local", ids) == ["missed", "known_first", "known_later", "new1", "new2"]


def test_next_items_prefers_due_items_and_never_pairs_give_aways(store, clock, engine):
    items = engine.items
    store.record_item("local", items[5], False)
    clock.advance(minutes=30)
    round_ = store.next_items("local", items, 5)
    assert round_[0] == items[5]
    assert len(round_) == 5
    assert len({i.subject for i in round_}) == 5


def test_stats_per_top_level_heading_and_due_now(store, clock, engine):
    dns = [i for i in engine.items if i.topic == "DNS"][:3]
    git = [i for i in engine.items if i.topic == "Git"][:2]
    for item in dns:
        store.record_item("local", item, True)
    store.record_item("local", git[0], True)
    store.record_item("local", git[1], False)
    stats = store.stats("local", [i.id for i in engine.items])
    by_topic = {t.topic: t for t in stats.topics}
    assert (by_topic["DNS"].attempts, by_topic["DNS"].correct, by_topic["DNS"].accuracy) == (3, 3, 1.0)
    assert (by_topic["Git"].attempts, by_topic["Git"].correct, by_topic["Git"].accuracy) == (2, 1, 0.5)
    assert (stats.attempts, stats.correct) == (5, 4)
    assert stats.due == 0
    assert stats.new == len(engine.items) - 5
    clock.advance(minutes=11)
    assert store.stats("local").due == 1  # the miss
    clock.advance(days=1)
    assert store.stats("local").due == 5
    # Items no longer in the notes are not due.
    assert store.stats("local", [git[1].id]).due == 1


def test_progress_is_kept_for_unchanged_items_when_the_notes_change(tmp_path, clock):
    notes = tmp_path / "notes"
    notes.mkdir()
    for path in CORPUS2.glob("*.md"):
        (notes / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    before = QuizEngine(load_corpus(notes).sections)
    with ProgressStore(tmp_path / "p.db", clock=clock) as store:
        for item in before.items:
            store.record_item("local", item, True)
        git = notes / "git.md"
        git.write_text(git.read_text(encoding="utf-8").replace("作るのも消すのも軽い", "作るのも消すのもすごく軽い"), encoding="utf-8")
        after = QuizEngine(load_corpus(notes).sections)
        before_ids = {i.id for i in before.items}
        renewed = [i for i in after.items if i.id not in before_ids]
        # The edited line's term items are new; its unchanged first sentence's cloze is not.
        assert {i.kind for i in renewed} == {Kind.TERM, Kind.REVEAL, Kind.CHOICE}
        assert all("すごく軽い" in i.section.text for i in renewed)
        assert store.stats("local", [i.id for i in after.items]).new == len(renewed)
        kept = [i for i in after.items if i.id in before_ids]
        assert len(kept) == len(before.items) - len(renewed)
        assert all(store.review("local", i.id).repetitions == 1 for i in kept)


# --- Schema and damaged files ------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "manabi.db"
    content = b"these are my notes, not a database\n" * 100
    path.write_bytes(content)
    with pytest.raises(ProgressError) as error:
        ProgressStore(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and "壊れている" in message
    assert path.read_bytes() == content


def test_someone_elses_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE mine (x)")
    conn.execute("INSERT INTO mine VALUES (1)")
    conn.commit()
    conn.close()
    content = path.read_bytes()
    with pytest.raises(ProgressError, match="manabi の進捗データベースではありません"):
        ProgressStore(path)
    assert path.read_bytes() == content


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(ProgressError, match="開けません"):
        ProgressStore(tmp_path / "no" / "such" / "folder" / "p.db")


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "p.db"
    ProgressStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(ProgressError, match="新しい版"):
        ProgressStore(path)


def test_migrations_run_once_in_order_and_keep_the_data(tmp_path, clock, monkeypatch):
    path = tmp_path / "p.db"
    with ProgressStore(path, clock=clock) as store:
        store.record("local", "item1", True, "DNS")
    ran = []

    def add_note_column(conn):
        ran.append(True)
        conn.execute("ALTER TABLE attempts ADD COLUMN note TEXT NOT NULL DEFAULT ''")

    monkeypatch.setattr(progress_module, "MIGRATIONS", (*progress_module.MIGRATIONS, add_note_column))
    monkeypatch.setattr(progress_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    for _ in range(2):
        with ProgressStore(path, clock=clock) as store:
            assert store.attempts("local") == 1
    assert ran == [True]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT note FROM attempts").fetchall() == [("",)]
    conn.close()


# --- Crashes and concurrent processes ----------------------------------------------------


def _record_then_die(path: str, count: int) -> None:
    store = ProgressStore(path)
    for n in range(count):
        store.record("local", f"item{n}", n % 2 == 0, "DNS")
    os._exit(1)  # no close, no cleanup: a crash mid-quiz


def _record_many(path: str, learner: str, count: int) -> None:
    with ProgressStore(path, busy_timeout=60) as store:
        for n in range(count):
            store.record(learner, f"own{n % 7}", n % 3 != 0, "DNS")
            store.record("shared", "same-item", True, "Git")  # both processes, one row


def test_a_crash_loses_nothing_already_recorded(tmp_path):
    path = str(tmp_path / "p.db")
    process = multiprocessing.get_context("spawn").Process(target=_record_then_die, args=(path, 25))
    process.start()
    process.join(60)
    assert process.exitcode == 1
    with ProgressStore(path) as store:
        assert store.attempts("local") == 25
        assert store.stats("local").topics[0].correct == 13


def test_two_processes_writing_at_once_lose_no_attempt(tmp_path):
    path = str(tmp_path / "p.db")
    ProgressStore(path).close()
    count = 150
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_record_many, args=(path, name, count)) for name in ("alice", "bob")]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    with ProgressStore(path) as store:
        assert store.attempts("alice") == store.attempts("bob") == count
        assert store.attempts("shared") == 2 * count
        # Each process read the shared item's schedule inside its write transaction:
        # no update was lost, so every correct answer counted.
        assert store.review("shared", "same-item").repetitions == 2 * count
