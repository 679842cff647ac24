"""Progress store: FSRS memories, stats and the SM-2 migration, on real SQLite files and real processes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import progress as progress_module
from bot.core.notes import load_corpus
from bot.core.progress import SCHEMA_VERSION, ProgressError, ProgressStore
from bot.core.quiz import Kind, QuizEngine
from bot.core.scheduling import LEARNING_STEP, Phase, Rating, Scheduling

DATA = Path(__file__).resolve().parent / "data"
CORPUS2 = DATA / "corpus2"
SM2_DB = DATA / "progress_sm2.db"  # made by the SM-2 release (commit 82834c9): see test_an_sm2_database...
START = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)
TOKYO = ZoneInfo("Asia/Tokyo")
GOOD, HARD, AGAIN = Rating.GOOD, Rating.HARD, Rating.AGAIN


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
    with ProgressStore(tmp_path / "progress.db", clock=clock, scheduling=Scheduling(fuzz=False), zone=TOKYO) as store:
        yield store


@pytest.fixture(scope="module")
def engine():
    return QuizEngine(load_corpus(CORPUS2).sections)


# --- Recording ---------------------------------------------------------------------------


def test_each_answer_says_when_the_item_comes_back(store, clock):
    missed = store.record("local", "missed", AGAIN, "DNS")
    assert missed.due == START + LEARNING_STEP and missed.comes_back == "次は 10 分後"
    known = store.record("local", "known", GOOD, "DNS")
    assert known.memory.phase is Phase.REVIEW and known.comes_back == "次は 2 日後"
    clock.advance(days=2)
    again = store.record("local", "known", GOOD, "DNS")
    assert again.was_due and again.due - clock.now > known.due - START  # longer each time
    assert not store.record("local", "new", GOOD).was_due


# --- Storing ----------------------------------------------------------------------------


def test_attempts_survive_reopening_the_file(tmp_path, clock):
    path = tmp_path / "p.db"
    with ProgressStore(path, clock=clock) as store:
        first = store.record("local", "item1", GOOD, "DNS")
        store.record("local", "item2", AGAIN, "DNS")
    with ProgressStore(path, clock=clock) as store:
        assert store.attempts("local") == 2
        assert store.memory("local", "item1") == first.memory
        assert store.memory("local", "item2").due == START + LEARNING_STEP


def test_the_file_uses_wal_and_the_current_schema(store):
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_learners_are_kept_apart(store):
    store.record("111", "item1", GOOD, "DNS")
    store.record("222", "item1", AGAIN, "DNS")
    assert store.memory("111", "item1").phase is Phase.REVIEW
    assert store.memory("222", "item1").phase is Phase.LEARNING
    assert store.stats("111").topics[0].correct == 1
    assert store.stats("222").topics[0].correct == 0
    assert store.attempts("333") == 0


def test_due_then_new_then_least_recently_seen(store, clock):
    store.record("local", "missed", AGAIN)
    clock.advance(minutes=1)
    store.record("local", "known_first", GOOD)
    clock.advance(minutes=1)
    store.record("local", "known_later", GOOD)
    ids = ["known_later", "new1", "known_first", "missed", "new2"]
    # Nothing due yet: new ones, then the least recently seen.
    assert store.order("local", ids) == ["new1", "new2", "missed", "known_first", "known_later"]
    clock.advance(minutes=15)  # the miss is due again
    assert store.order("local", ids)[:3] == ["missed", "new1", "new2"]
    clock.advance(days=3)  # everything seen is due, the most overdue first
    assert store.order("local", ids) == ["missed", "known_first", "known_later", "new1", "new2"]


def test_next_items_prefers_due_items_and_never_pairs_give_aways(store, clock, engine):
    items = engine.items
    store.record_item("local", items[5], AGAIN)
    clock.advance(minutes=30)
    round_ = store.next_items("local", items, 5)
    assert round_[0] == items[5]
    assert len(round_) == 5
    assert len({i.subject for i in round_}) == 5


def test_stats_per_top_level_heading_and_due_now(store, clock, engine):
    dns = [i for i in engine.items if i.topic == "DNS"][:3]
    git = [i for i in engine.items if i.topic == "Git"][:2]
    for item in dns:
        store.record_item("local", item, GOOD)
    store.record_item("local", git[0], HARD)
    store.record_item("local", git[1], AGAIN)
    stats = store.stats("local", [i.id for i in engine.items])
    by_topic = {t.topic: t for t in stats.topics}
    assert (by_topic["DNS"].attempts, by_topic["DNS"].correct, by_topic["DNS"].accuracy) == (3, 3, 1.0)
    assert (by_topic["Git"].attempts, by_topic["Git"].correct, by_topic["Git"].accuracy) == (2, 1, 0.5)
    assert (stats.attempts, stats.correct) == (5, 4)
    assert stats.due == 0
    assert stats.new == len(engine.items) - 5
    clock.advance(minutes=11)
    assert store.stats("local").due == 1  # the miss
    clock.advance(minutes=5)
    assert store.stats("local").due == 2  # and the near miss (Hard: 15 minutes)
    clock.advance(days=3)
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
            store.record_item("local", item, GOOD)
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
        assert all(store.memory("local", i.id).phase is Phase.REVIEW for i in kept)


def test_streak_counts_days_in_a_row_in_the_learners_time_zone(tmp_path):
    # 2025-04-01 09:00 UTC is 18:00 in Tokyo; 16:00 UTC is already the next day there.
    clock = Clock(datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc))
    with ProgressStore(tmp_path / "p.db", clock=clock, zone=TOKYO) as store:
        assert store.stats("local").streak == 0
        for _ in range(3):  # three Tokyo days, answered at 18:00 each
            store.record("local", "a", GOOD)
            store.record("local", "b", AGAIN)
            clock.advance(days=1)
        clock.advance(hours=-1)  # the fourth day, 17:00 Tokyo, nothing answered yet
        assert store.stats("local").streak == 3  # still alive: today may come
        clock.advance(hours=7)  # 00:00 Tokyo on the fifth day: a day was missed
        assert store.stats("local").streak == 0
        store.record("local", "a", GOOD)
        assert store.stats("local").streak == 1
    # The last answer was at 15:00 UTC on the fourth day: in UTC no day was missed.
    with ProgressStore(tmp_path / "p.db", clock=clock, zone=ZoneInfo("UTC")) as store:
        assert store.stats("local").streak == 4


def test_due_today_and_this_week_end_at_the_learners_midnight(store, clock):
    clock.now = datetime(2025, 4, 1, 3, 0, tzinfo=timezone.utc)  # 12:00 in Tokyo
    store.record("local", "minutes", AGAIN)  # 12:10 today
    store.record("local", "days", GOOD)  # in 2 days
    stats = store.stats("local")
    assert (stats.due, stats.due_today, stats.due_week) == (0, 1, 2)
    clock.advance(hours=14, minutes=30)  # 02:30 the next Tokyo day: both are later today or due
    assert store.stats("local").due_today == 1 and store.stats("local").due == 1
    clock.advance(days=1)
    assert store.stats("local").due_today == 2


def test_measured_retention_counts_only_items_already_learned(store, clock):
    assert store.stats("local").retention is None
    for item in ("a", "b", "c", "d"):
        store.record("local", item, AGAIN)  # learning: not counted
        clock.advance(minutes=10)
        store.record("local", item, GOOD)  # leaves the learning step: not counted either
    assert store.stats("local").retention is None
    clock.advance(days=30)
    for item, rating in zip("abcd", (GOOD, HARD, GOOD, AGAIN)):
        store.record("local", item, rating)
    stats = store.stats("local")
    assert (stats.learned_reviews, stats.learned_correct, stats.retention) == (4, 3, 0.75)
    assert stats.attempts == 12 and stats.correct == 7


# --- The SM-2 release's databases ---------------------------------------------------------


def test_an_sm2_database_migrates_by_replaying_its_attempts_and_loses_nothing(tmp_path, engine):
    """tests/data/progress_sm2.db was written by the SM-2 release's ProgressStore
    (schema 1): two learners, 63 answers to corpus2's items over 14 days of
    September 2026."""
    path = tmp_path / "manabi.db"
    shutil.copy(SM2_DB, path)
    before = sqlite3.connect(path)
    assert before.execute("PRAGMA user_version").fetchone()[0] == 1
    attempts = before.execute("SELECT id, learner, item_id, topic, correct, answered_at FROM attempts ORDER BY id").fetchall()
    sm2 = {(l, i): due for l, i, due in before.execute("SELECT learner, item_id, due_at FROM reviews")}
    before.close()
    assert len(attempts) == 63

    now = datetime(2026, 9, 20, 12, 0, tzinfo=timezone.utc)
    scheduling = Scheduling(fuzz=False)
    with ProgressStore(path, clock=lambda: now, scheduling=scheduling, zone=TOKYO) as store:
        # Every answer is still there, as it was, now with its rating.
        rows = store._conn.execute(
            "SELECT id, learner, item_id, topic, correct, answered_at, rating FROM attempts ORDER BY id"
        ).fetchall()
        assert [row[:6] for row in rows] == attempts
        assert all(row[6] == (GOOD if row[4] else AGAIN) for row in rows)
        assert store.attempts("local") + store.attempts("424242424242424242") == 63
        # Each item the learners had answered has an FSRS memory, which is its attempts
        # replayed in time order.
        for (learner, item_id), sm2_due in sm2.items():
            answers = [(GOOD if c else AGAIN, datetime.fromtimestamp(t, timezone.utc))
                       for _, l, i, _, c, t in attempts if (l, i) == (learner, item_id)]
            memory = store.memory(learner, item_id)
            assert memory == scheduling.replay(sorted(answers, key=lambda a: a[1]))[-1]
            assert memory.last_review == answers[-1][1]
        assert store._conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == len(sm2)
        assert not store._conn.execute("SELECT name FROM sqlite_master WHERE name = 'reviews'").fetchall()
        # Stats read the history: per topic as before, and the measured retention of
        # the answers given to items already learned at the time.
        stats = store.stats("local", [i.id for i in engine.items])
        assert (stats.attempts, stats.correct) == (42, 35)
        assert stats.learned_reviews > 0 and stats.retention is not None
        # Quizzing goes on where the learner was: what FSRS says is due comes first.
        due = store.due_items("local", engine.items)
        assert due and store.next_items("local", engine.items, 1)[0] == due[0]
        review = store.record_item("local", due[0], GOOD)
        assert review.was_due and review.due > now
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_the_migration_is_one_transaction_and_a_failure_keeps_the_sm2_file(tmp_path, monkeypatch):
    path = tmp_path / "manabi.db"
    shutil.copy(SM2_DB, path)

    def broken_review(self, memory, rating, at):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Scheduling, "review", broken_review)
    with pytest.raises(ProgressError):
        ProgressStore(path)
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 12
    assert conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 63
    conn.close()
    with ProgressStore(path) as store:  # and it migrates when it can
        assert store.attempts("local") == 42


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
        store.record("local", "item1", GOOD, "DNS")
    ran = []

    def add_note_column(conn, scheduling):
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
        store.record("local", f"item{n}", GOOD if n % 2 == 0 else AGAIN, "DNS")
    os._exit(1)  # no close, no cleanup: a crash mid-quiz


def _record_many(path: str, learner: str, count: int) -> None:
    with ProgressStore(path, busy_timeout=60) as store:
        for n in range(count):
            store.record(learner, f"own{n % 7}", GOOD if n % 3 else AGAIN, "DNS")
            store.record("shared", "same-item", AGAIN, "Git")  # both processes, one row


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
        # Each process read the shared item's memory inside its write transaction, so
        # the stored memory is the one all the answers give, in the order they came.
        times = [datetime.fromtimestamp(t, timezone.utc) for (t,) in store._conn.execute(
            "SELECT answered_at FROM attempts WHERE learner = 'shared' ORDER BY id")]
        replayed = Scheduling(fuzz=False).replay((AGAIN, at) for at in times)[-1]
        assert store.memory("shared", "same-item") == replayed
