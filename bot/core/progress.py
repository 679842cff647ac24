"""Learners' quiz attempts in SQLite, and when each item comes back (SM-2, as Anki uses it).

Every attempt is its own transaction, committed before the next question, so a crash
mid-quiz loses nothing already answered. WAL and a busy timeout let the CLI and the
bot (or two bot processes) record at once; the read-modify-write of an item's schedule
runs under BEGIN IMMEDIATE, so two writers never lose each other's attempt.

Progress is keyed by item id. Ids are derived from the notes' text, so an item whose
source line is unchanged keeps its progress when the notes change, and an edited line
starts afresh.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.core.models import QuizItem
from bot.core.quiz import plan_round

# SM-2 as Anki uses it, with a binary quality: correct is "Good", incorrect is "Again".
INITIAL_EASE = 2.5
MINIMUM_EASE = 1.3
EASE_PENALTY = 0.2  # taken off when a learned item is missed
RELEARN_DELAY = timedelta(minutes=10)  # a missed item comes back in the same session
GRADUATING_INTERVAL_DAYS = 1.0  # first correct answer, or first after a miss
DEFAULT_BUSY_TIMEOUT = 30.0  # seconds a writer waits for another's transaction
_DAY = 86_400.0


class ProgressError(Exception):
    """The progress database cannot be used; the message is one Japanese line."""


@dataclass(frozen=True)
class Review:
    """Where one learner stands on one item."""

    item_id: str
    repetitions: int  # correct answers in a row
    interval_days: float
    ease: float
    lapses: int  # times a learned item was missed
    due: datetime
    last_seen: datetime


@dataclass(frozen=True)
class TopicStats:
    topic: str
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


@dataclass(frozen=True)
class Stats:
    topics: tuple[TopicStats, ...]  # in order of the first attempt
    due: int  # items to review now
    new: int  # items never answered (of those asked about)

    @property
    def attempts(self) -> int:
        return sum(t.attempts for t in self.topics)

    @property
    def correct(self) -> int:
        return sum(t.correct for t in self.topics)

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def schedule(previous: Review | None, item_id: str, correct: bool, now: datetime) -> Review:
    """The item's next review after an answer at `now`."""
    if previous is None:
        previous = Review(item_id, 0, 0.0, INITIAL_EASE, 0, now, now)
    if not correct:
        learned = previous.repetitions > 0
        return Review(
            item_id=item_id,
            repetitions=0,
            interval_days=0.0,
            ease=max(MINIMUM_EASE, previous.ease - EASE_PENALTY) if learned else previous.ease,
            lapses=previous.lapses + learned,
            due=now + RELEARN_DELAY,
            last_seen=now,
        )
    if previous.repetitions == 0:
        interval = GRADUATING_INTERVAL_DAYS
    elif now < previous.due:
        # Answered before it was due (a quiz with nothing due fills up with seen items):
        # knowing it a few minutes later proves nothing new, so the interval stays.
        interval = previous.interval_days
    else:
        interval = max(previous.interval_days + 1, round(previous.interval_days * previous.ease))
    return Review(
        item_id=item_id,
        repetitions=previous.repetitions + 1,
        interval_days=interval,
        ease=previous.ease,
        lapses=previous.lapses,
        due=now + timedelta(days=interval),
        last_seen=now,
    )


# --- Schema ------------------------------------------------------------------------


def _create_v1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            learner TEXT NOT NULL,
            item_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
            answered_at REAL NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX attempts_by_learner ON attempts (learner, topic)")
    conn.execute(
        """CREATE TABLE reviews (
            learner TEXT NOT NULL,
            item_id TEXT NOT NULL,
            repetitions INTEGER NOT NULL,
            interval_days REAL NOT NULL,
            ease REAL NOT NULL,
            lapses INTEGER NOT NULL,
            due_at REAL NOT NULL,
            last_seen_at REAL NOT NULL,
            PRIMARY KEY (learner, item_id)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX reviews_due ON reviews (learner, due_at)")


# MIGRATIONS[n] takes a database from schema version n to n + 1 (PRAGMA user_version).
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_create_v1,)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: str = "") -> int:
    """Bring the schema to SCHEMA_VERSION, one transaction per step; returns the
    version found. Refuses a newer schema and a database that is not manabi's."""
    found = check_schema(conn, path)
    while (version := _user_version(conn)) < SCHEMA_VERSION:
        with _immediate(conn):
            if _user_version(conn) != version:
                continue  # another process migrated meanwhile
            check_schema(conn, path)
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return found


def check_schema(conn: sqlite3.Connection, path: str = "") -> int:
    """The schema version, read without writing; ProgressError for a file manabi
    must not touch: someone else's database, or one from a newer manabi."""
    version = _user_version(conn)
    if version > SCHEMA_VERSION:
        raise ProgressError(
            f"進捗データベース {path} は新しい版の manabi で作られています (形式 {version})。manabi を更新してください。"
        )
    if version == 0 and _has_tables(conn):
        raise ProgressError(f"{path} は manabi の進捗データベースではありません。別のファイルを指定してください。")
    return version


def _user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock up front, so a read inside it
    cannot go stale before the write (two processes recording the same item)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- Store ---------------------------------------------------------------------------


class ProgressStore:
    def __init__(
        self,
        path: str | Path,
        clock: Callable[[], datetime] = utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = str(path)
        self.clock = clock
        self._lock = threading.Lock()
        with self._errors():
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                check_schema(self._conn, self.path)  # before WAL changes the file's header
                _enable_wal(self._conn, busy_timeout)
                self._conn.execute("PRAGMA synchronous = FULL")
                migrate(self._conn, self.path)
            except BaseException:
                self._conn.close()
                raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing --

    def record(self, learner: str, item_id: str, correct: bool, topic: str = "") -> Review:
        """Store one answer and reschedule the item; committed when this returns."""
        now = self._now()
        with self._errors(), self._lock, _immediate(self._conn) as conn:
            review = schedule(self._review(conn, learner, item_id), item_id, correct, now)
            conn.execute(
                "INSERT INTO attempts (learner, item_id, topic, correct, answered_at) VALUES (?, ?, ?, ?, ?)",
                (learner, item_id, topic, int(correct), now.timestamp()),
            )
            conn.execute(
                """INSERT INTO reviews (learner, item_id, repetitions, interval_days, ease, lapses, due_at, last_seen_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (learner, item_id) DO UPDATE SET
                     repetitions = excluded.repetitions, interval_days = excluded.interval_days,
                     ease = excluded.ease, lapses = excluded.lapses,
                     due_at = excluded.due_at, last_seen_at = excluded.last_seen_at""",
                (
                    learner,
                    item_id,
                    review.repetitions,
                    review.interval_days,
                    review.ease,
                    review.lapses,
                    review.due.timestamp(),
                    review.last_seen.timestamp(),
                ),
            )
        return review

    def record_item(self, learner: str, item: QuizItem, correct: bool) -> Review:
        return self.record(learner, item.id, correct, item.topic)

    # -- reading --

    def review(self, learner: str, item_id: str) -> Review | None:
        with self._errors(), self._lock:
            return self._review(self._conn, learner, item_id)

    def attempts(self, learner: str) -> int:
        with self._errors(), self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM attempts WHERE learner = ?", (learner,)).fetchone()[0]

    def order(self, learner: str, item_ids: Sequence[str]) -> list[str]:
        """item_ids in the order to ask them: due (most overdue first), then new (in
        the order given), then the rest, least recently seen first."""
        now = self._now().timestamp()
        seen = self._schedule_of(learner)
        position = {item_id: i for i, item_id in enumerate(item_ids)}
        due = sorted((i for i in item_ids if i in seen and seen[i][0] <= now), key=lambda i: (seen[i][0], position[i]))
        new = [i for i in item_ids if i not in seen]
        later = sorted((i for i in item_ids if i in seen and seen[i][0] > now), key=lambda i: (seen[i][1], position[i]))
        return due + new + later

    def next_items(self, learner: str, items: Sequence[QuizItem], count: int) -> tuple[QuizItem, ...]:
        """The next quiz round: `count` items in `order`, none giving another away."""
        by_id = {item.id: item for item in items}
        return plan_round((by_id[i] for i in self.order(learner, list(by_id))), count)

    def stats(self, learner: str, item_ids: Iterable[str] | None = None) -> Stats:
        """Accuracy per top-level heading, and how many items are due now; with
        item_ids (the items the notes give today), due and new count only those."""
        now = self._now().timestamp()
        with self._errors(), self._lock:
            rows = self._conn.execute(
                """SELECT topic, COUNT(*), SUM(correct) FROM attempts WHERE learner = ?
                   GROUP BY topic ORDER BY MIN(id)""",
                (learner,),
            ).fetchall()
        topics = tuple(TopicStats(topic, attempts, correct) for topic, attempts, correct in rows)
        seen = self._schedule_of(learner)
        wanted = set(seen) if item_ids is None else set(item_ids)
        due = sum(1 for i in wanted if i in seen and seen[i][0] <= now)
        new = sum(1 for i in wanted if i not in seen)
        return Stats(topics=topics, due=due, new=new)

    # -- internals --

    def _now(self) -> datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    def _schedule_of(self, learner: str) -> dict[str, tuple[float, float]]:
        """item_id -> (due_at, last_seen_at) of everything the learner has answered."""
        with self._errors(), self._lock:
            rows = self._conn.execute(
                "SELECT item_id, due_at, last_seen_at FROM reviews WHERE learner = ?", (learner,)
            ).fetchall()
        return {item_id: (due, last_seen) for item_id, due, last_seen in rows}

    @staticmethod
    def _review(conn: sqlite3.Connection, learner: str, item_id: str) -> Review | None:
        row = conn.execute(
            """SELECT repetitions, interval_days, ease, lapses, due_at, last_seen_at
               FROM reviews WHERE learner = ? AND item_id = ?""",
            (learner, item_id),
        ).fetchone()
        if row is None:
            return None
        repetitions, interval, ease, lapses, due, last_seen = row
        return Review(item_id, repetitions, interval, ease, lapses, _utc(due), _utc(last_seen))

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors as one line a learner can act on; the file is never touched."""
        try:
            yield
        except ProgressError:
            raise
        except sqlite3.DatabaseError as exc:
            raise ProgressError(_describe(self.path, exc)) from exc


def _describe(path: str, exc: sqlite3.DatabaseError) -> str:
    message = str(exc)
    if "not a database" in message or "malformed" in message:
        return f"進捗データベース {path} が壊れているか、SQLite のファイルではありません (ファイルはそのまま残しています)。"
    if "unable to open" in message:
        return f"進捗データベース {path} を開けません。フォルダがあるか、書き込めるか確認してください。"
    if "locked" in message or "busy" in message:
        return f"進捗データベース {path} は他のプロセスが使用中です。しばらくしてからやり直してください。"
    return f"進捗データベース {path} でエラーが起きました: {message}"


def _enable_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Switching to WAL needs a moment alone with the file; retry while another
    process holds it (the busy handler does not cover this pragma)."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)
