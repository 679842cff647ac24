"""Learners' quiz attempts in SQLite, when each item comes back (FSRS), and reminders.

Every attempt is its own transaction, committed before the next question, so a crash
mid-quiz loses nothing already answered. WAL and a busy timeout let the CLI and the
bot (or two bot processes) record at once; the read-modify-write of an item's memory
runs under BEGIN IMMEDIATE, so two writers never lose each other's attempt.

Progress is keyed by item id. Ids are derived from the notes' text, so an item whose
source line is unchanged keeps its progress when the notes change, and an edited line
starts afresh.

Every attempt is kept with its rating, so the FSRS memory of an item (table cards) is
what replaying its attempts gives. A database of the SM-2 release (schema 1) is
brought to FSRS that way when first opened: its attempts stay as they were (right ->
Good, wrong -> Again), and only the SM-2 schedule (table reviews), which FSRS replaces,
is dropped.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from itertools import groupby
from pathlib import Path

from bot.core.models import QuizItem
from bot.core.quiz import plan_round
from bot.core.reminders import Reminder, Where, default_zone, local_day
from bot.core.scheduling import Memory, Phase, Rating, Scheduling, comes_back

DEFAULT_BUSY_TIMEOUT = 30.0  # seconds a writer waits for another's transaction
WEEK = 7  # "due this week": today and the six days after it


class ProgressError(Exception):
    """The progress database cannot be used; the message is one Japanese line."""


@dataclass(frozen=True, slots=True)
class Review:
    """One recorded answer, and when its item comes back."""

    item_id: str
    rating: Rating
    answered_at: datetime
    memory: Memory  # after the answer
    was_due: bool  # the item had been answered before and its review was due

    @property
    def due(self) -> datetime:
        return self.memory.due

    @property
    def comes_back(self) -> str:
        """「次は 3 日後」"""
        return comes_back(self.memory.due - self.answered_at)


@dataclass(frozen=True, slots=True)
class TopicStats:
    topic: str
    attempts: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    topics: tuple[TopicStats, ...]  # in order of the first attempt
    due: int  # items to review now
    new: int  # items never answered (of those asked about)
    due_today: int = 0  # due before the learner's day ends (the overdue included)
    due_week: int = 0  # due before the end of the sixth day after today
    streak: int = 0  # days in a row, up to today or yesterday, with at least one answer
    learned_reviews: int = 0  # answers to items already learned (past their learning step)
    learned_correct: int = 0  # ... of which right (Hard or Good)

    @property
    def attempts(self) -> int:
        return sum(t.attempts for t in self.topics)

    @property
    def correct(self) -> int:
        return sum(t.correct for t in self.topics)

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0

    @property
    def retention(self) -> float | None:
        """The measured retention: the share of learned items remembered when asked
        again (None before any); FSRS aims it at the desired retention."""
        return self.learned_correct / self.learned_reviews if self.learned_reviews else None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# --- Schema ------------------------------------------------------------------------


def _create_v1(conn: sqlite3.Connection, scheduling: Scheduling) -> None:
    """The SM-2 release's schema."""
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


def _to_fsrs_v2(conn: sqlite3.Connection, scheduling: Scheduling) -> None:
    """SM-2 -> FSRS: each attempt gains its rating (right was Good, wrong Again) and
    whether its item was learned when asked; each item's memory is its attempts
    replayed through FSRS in time order; the SM-2 schedule goes."""
    conn.execute("ALTER TABLE attempts ADD COLUMN rating INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE attempts ADD COLUMN learned INTEGER NOT NULL DEFAULT 0")
    conn.execute(f"UPDATE attempts SET rating = CASE correct WHEN 1 THEN {Rating.GOOD} ELSE {Rating.AGAIN} END")
    conn.execute("CREATE INDEX attempts_by_time ON attempts (learner, answered_at)")
    conn.execute(
        """CREATE TABLE cards (
            learner TEXT NOT NULL,
            item_id TEXT NOT NULL,
            phase INTEGER NOT NULL,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due_at REAL NOT NULL,
            last_review_at REAL,
            PRIMARY KEY (learner, item_id)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX cards_due ON cards (learner, due_at)")
    rows = conn.execute(
        "SELECT learner, item_id, id, rating, answered_at FROM attempts ORDER BY learner, item_id, answered_at, id"
    )
    learned: list[tuple[int, int]] = []
    cards: list[tuple] = []
    for (learner, item_id), attempts in groupby(rows, key=lambda row: row[:2]):
        memory = None
        for _, _, attempt_id, rating, answered_at in attempts:
            if memory is not None and memory.learned:
                learned.append((1, attempt_id))
            memory = scheduling.review(memory, Rating(rating), _utc(answered_at))
        cards.append((learner, item_id, *_columns(memory)))
    conn.executemany("UPDATE attempts SET learned = ? WHERE id = ?", learned)
    conn.executemany(_SAVE_CARD, cards)
    conn.execute("DROP TABLE reviews")


def _reminders_v3(conn: sqlite3.Connection, scheduling: Scheduling) -> None:
    conn.execute(
        """CREATE TABLE reminders (
            learner TEXT PRIMARY KEY,
            at TEXT NOT NULL,              -- HH:MM, local time in MANABI_TIMEZONE
            place TEXT NOT NULL,           -- dm or here
            channel_id INTEGER NOT NULL,   -- where it is sent: a DM or a server channel
            handled_on TEXT                -- YYYY-MM-DD, the last local day it was sent or found nothing due
        ) WITHOUT ROWID"""
    )


# MIGRATIONS[n] takes a database from schema version n to n + 1 (PRAGMA user_version).
MIGRATIONS: tuple[Callable[[sqlite3.Connection, Scheduling], None], ...] = (_create_v1, _to_fsrs_v2, _reminders_v3)
SCHEMA_VERSION = len(MIGRATIONS)

_SAVE_CARD = """INSERT INTO cards (learner, item_id, phase, step, stability, difficulty, due_at, last_review_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (learner, item_id) DO UPDATE SET
      phase = excluded.phase, step = excluded.step, stability = excluded.stability,
      difficulty = excluded.difficulty, due_at = excluded.due_at, last_review_at = excluded.last_review_at"""


def migrate(conn: sqlite3.Connection, path: str = "", scheduling: Scheduling | None = None) -> int:
    """Bring the schema to SCHEMA_VERSION, one transaction per step; returns the
    version found. Refuses a newer schema and a database that is not manabi's."""
    scheduling = scheduling or Scheduling()
    found = check_schema(conn, path)
    while (version := _user_version(conn)) < SCHEMA_VERSION:
        with _immediate(conn):
            if _user_version(conn) != version:
                continue  # another process migrated meanwhile
            check_schema(conn, path)
            MIGRATIONS[version](conn, scheduling)
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
    """zone is the learners' time zone: their days (streak, due today, reminders)
    begin at its midnight."""

    def __init__(
        self,
        path: str | Path,
        clock: Callable[[], datetime] = utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        scheduling: Scheduling | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        self.path = str(path)
        self.clock = clock
        self.scheduling = scheduling or Scheduling()
        self.zone = zone or default_zone()
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
                migrate(self._conn, self.path, self.scheduling)
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

    def now(self) -> datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    # -- writing --

    def record(self, learner: str, item_id: str, rating: Rating, topic: str = "") -> Review:
        """Store one answer and reschedule the item; committed when this returns."""
        rating = Rating(rating)
        now = self.now()
        with self._errors(), self._lock, _immediate(self._conn) as conn:
            before = self._memory(conn, learner, item_id)
            memory = self.scheduling.review(before, rating, now)
            conn.execute(
                """INSERT INTO attempts (learner, item_id, topic, correct, answered_at, rating, learned)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    learner,
                    item_id,
                    topic,
                    int(rating is not Rating.AGAIN),
                    now.timestamp(),
                    int(rating),
                    int(before is not None and before.learned),
                ),
            )
            conn.execute(_SAVE_CARD, (learner, item_id, *_columns(memory)))
        return Review(item_id, rating, now, memory, was_due=before is not None and before.due <= now)

    def record_item(self, learner: str, item: QuizItem, rating: Rating) -> Review:
        return self.record(learner, item.id, rating, item.topic)

    # -- reading --

    def memory(self, learner: str, item_id: str) -> Memory | None:
        with self._errors(), self._lock:
            return self._memory(self._conn, learner, item_id)

    def attempts(self, learner: str) -> int:
        with self._errors(), self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM attempts WHERE learner = ?", (learner,)).fetchone()[0]

    def order(self, learner: str, item_ids: Sequence[str]) -> list[str]:
        """item_ids in the order to ask them: due (most overdue first), then new (in
        the order given), then the rest, least recently seen first."""
        now = self.now().timestamp()
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

    def due_items(self, learner: str, items: Sequence[QuizItem]) -> list[QuizItem]:
        """Those of items due now, the most overdue first."""
        now = self.now().timestamp()
        seen = self._schedule_of(learner)
        return sorted((i for i in items if i.id in seen and seen[i.id][0] <= now), key=lambda i: seen[i.id][0])

    def stats(self, learner: str, item_ids: Iterable[str] | None = None) -> Stats:
        """Accuracy per top-level heading, what is due, the streak and the measured
        retention; with item_ids (the items the notes give today), due and new count
        only those."""
        now = self.now()
        today = local_day(now, self.zone)
        with self._errors(), self._lock:
            rows = self._conn.execute(
                """SELECT topic, COUNT(*), SUM(correct) FROM attempts WHERE learner = ?
                   GROUP BY topic ORDER BY MIN(id)""",
                (learner,),
            ).fetchall()
            learned_reviews, learned_correct = self._conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(correct), 0) FROM attempts WHERE learner = ? AND learned = 1",
                (learner,),
            ).fetchone()
            streak = self._streak(learner, today)
        topics = tuple(TopicStats(topic, attempts, correct) for topic, attempts, correct in rows)
        seen = self._schedule_of(learner)
        wanted = set(seen) if item_ids is None else set(item_ids)
        due_at = [seen[i][0] for i in wanted if i in seen]
        tomorrow = self._midnight(today + timedelta(days=1))
        week_end = self._midnight(today + timedelta(days=WEEK))
        return Stats(
            topics=topics,
            due=sum(1 for due in due_at if due <= now.timestamp()),
            new=sum(1 for i in wanted if i not in seen),
            due_today=sum(1 for due in due_at if due < tomorrow),
            due_week=sum(1 for due in due_at if due < week_end),
            streak=streak,
            learned_reviews=learned_reviews,
            learned_correct=learned_correct,
        )

    # -- reminders --

    def set_reminder(self, reminder: Reminder) -> None:
        with self._errors(), self._lock, _immediate(self._conn) as conn:
            conn.execute(
                """INSERT INTO reminders (learner, at, place, channel_id, handled_on) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (learner) DO UPDATE SET at = excluded.at, place = excluded.place,
                     channel_id = excluded.channel_id, handled_on = excluded.handled_on""",
                (
                    reminder.learner,
                    reminder.at.strftime("%H:%M"),
                    reminder.where.value,
                    reminder.channel_id,
                    reminder.handled_on.isoformat() if reminder.handled_on else None,
                ),
            )

    def remove_reminder(self, learner: str) -> bool:
        """True if the learner had one."""
        with self._errors(), self._lock, _immediate(self._conn) as conn:
            return conn.execute("DELETE FROM reminders WHERE learner = ?", (learner,)).rowcount > 0

    def reminder(self, learner: str) -> Reminder | None:
        return next((r for r in self.reminders() if r.learner == learner), None)

    def reminders(self) -> list[Reminder]:
        with self._errors(), self._lock:
            rows = self._conn.execute("SELECT learner, at, place, channel_id, handled_on FROM reminders").fetchall()
        return [
            Reminder(
                learner=learner,
                at=datetime.strptime(at, "%H:%M").time(),
                where=Where(place),
                channel_id=channel_id,
                handled_on=date.fromisoformat(handled) if handled else None,
            )
            for learner, at, place, channel_id, handled in rows
        ]

    def claim_reminder(self, learner: str, day: date) -> bool:
        """Mark the learner's reminder handled on `day`; False if it already was (by
        this process or another), so a reminder goes out at most once a day."""
        with self._errors(), self._lock, _immediate(self._conn) as conn:
            return (
                conn.execute(
                    "UPDATE reminders SET handled_on = ? WHERE learner = ? AND (handled_on IS NULL OR handled_on < ?)",
                    (day.isoformat(), learner, day.isoformat()),
                ).rowcount
                > 0
            )

    # -- internals --

    def _midnight(self, day: date) -> float:
        return datetime.combine(day, datetime.min.time(), self.zone).timestamp()

    def _streak(self, learner: str, today: date) -> int:
        """Days in a row with an answer, ending today (or yesterday: today's may come)."""
        rows = self._conn.execute(
            "SELECT answered_at FROM attempts WHERE learner = ? ORDER BY answered_at DESC", (learner,)
        )
        streak, last = 0, None  # last: the earliest day counted so far
        for (answered_at,) in rows:  # newest first; stops at the first gap
            day = local_day(_utc(answered_at), self.zone)
            if day > today or day == last:
                continue  # a clock set wrong; another answer on a day counted
            if last is None and day < today - timedelta(days=1):
                break  # nothing today or yesterday
            if last is not None and day < last - timedelta(days=1):
                break
            streak, last = streak + 1, day
        return streak

    def _schedule_of(self, learner: str) -> dict[str, tuple[float, float]]:
        """item_id -> (due_at, last_review_at) of everything the learner has answered."""
        with self._errors(), self._lock:
            rows = self._conn.execute(
                "SELECT item_id, due_at, COALESCE(last_review_at, 0) FROM cards WHERE learner = ?", (learner,)
            ).fetchall()
        return {item_id: (due, last_seen) for item_id, due, last_seen in rows}

    @staticmethod
    def _memory(conn: sqlite3.Connection, learner: str, item_id: str) -> Memory | None:
        row = conn.execute(
            """SELECT phase, step, stability, difficulty, due_at, last_review_at
               FROM cards WHERE learner = ? AND item_id = ?""",
            (learner, item_id),
        ).fetchone()
        if row is None:
            return None
        phase, step, stability, difficulty, due, last_review = row
        return Memory(
            Phase(phase), step, stability, difficulty, _utc(due), _utc(last_review) if last_review is not None else None
        )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors as one line a learner can act on; the file is never touched."""
        try:
            yield
        except ProgressError:
            raise
        except sqlite3.DatabaseError as exc:
            raise ProgressError(_describe(self.path, exc)) from exc


def _columns(memory: Memory) -> tuple:
    return (
        int(memory.phase),
        memory.step,
        memory.stability,
        memory.difficulty,
        memory.due.timestamp(),
        memory.last_review.timestamp() if memory.last_review else None,
    )


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
