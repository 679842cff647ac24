"""The one answer service both adapters call, so the CLI and the bot never disagree."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.analyzer import Analyzer
from bot.core.build import Built
from bot.core.library import NotesFolder, NotesLibrary, Refreshed
from bot.core.models import Answer, Hit, QuizItem
from bot.core.morphology import shared_morphology
from bot.core.notes import Corpus
from bot.core.quiz import QuizEngine, quiz_for_sections
from bot.core.search import Progress, SectionSearch

if TYPE_CHECKING:  # imported where used: grading and progress bring rapidfuzz and fsrs (about 45 ms), which `ask` never needs
    from bot.core.grading import Grade, Grader
    from bot.core.progress import ProgressStore, Review, Stats
    from bot.core.reminders import Reminder, Where
    from bot.core.scheduling import Rating

DEFAULT_K = 3
# Longer questions are cut before analysis: no learner's question needs more, and it
# bounds the work one message can cause.
MAX_QUESTION_CHARS = 1000
# A hit shows at most about this many characters of its text, around the matched words.
EXCERPT_CHARS = 600
ELLIPSIS = "…"
_REMEMBERED_HITS = 256  # the spans of recent hits, for highlight(text, matched)


class QuestionError(ValueError):
    """The question cannot be asked (empty, or only whitespace)."""


class AnswerService:
    """Search, quiz items, grading and progress over one notes folder.

    db_path is the learners' progress file; without it the service answers
    questions but cannot record quiz attempts. retention is FSRS's desired retention
    (default 0.9), zone the learners' time zone (default Asia/Tokyo): where their
    days begin, for streaks, "due today" and reminders. clock is for tests.
    """

    def __init__(
        self,
        corpus_dir: Path,
        analyzer: Analyzer | None = None,
        db_path: Path | None = None,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
        retention: float | None = None,
        zone: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
        extra_folders: tuple[NotesFolder, ...] = (),
    ) -> None:
        self.corpus_dir = corpus_dir
        self.analyzer = analyzer or Analyzer()
        self.morphology = shared_morphology()
        self.cache_dir = cache_dir  # None: tokenize and analyse all notes on each load
        self.progress = progress
        # The notes folder first, then extra ones (the inbox of captured notes), searched together.
        self.library = NotesLibrary(
            (NotesFolder(corpus_dir), *extra_folders), self.analyzer, self.morphology, cache_dir, progress
        )
        self.built: Built  # corpus, search and quiz: replaced in one assignment, never changed
        self._recent_spans: dict[tuple[str, tuple[str, ...]], tuple[tuple[int, int], ...]] = {}
        self.reload()
        self._store: ProgressStore | None = None
        if db_path:
            from bot.core.progress import ProgressStore, utc_now
            from bot.core.scheduling import DEFAULT_RETENTION, Scheduling

            db_path.parent.mkdir(parents=True, exist_ok=True)
            scheduling = Scheduling(DEFAULT_RETENTION if retention is None else retention)
            self._store = ProgressStore(db_path, clock=clock or utc_now, scheduling=scheduling, zone=zone)

    def reload(self) -> Corpus:
        """Re-read the notes: with the cache, only files that changed are analysed again.
        On a CorpusError the previous notes stay in use."""
        with self.library.lock:
            self.built = self.library.read_all()
        return self.built.corpus

    def refresh(self, paths) -> Refreshed:
        """Read again only the notes files at paths (changed, added or deleted) and swap
        the search and quiz in one step: answers and quiz buttons in flight keep the
        Built they started with. A file that can't be read keeps its previous notes (see
        Refreshed.warnings); on a CorpusError (no notes left) nothing changes."""
        with self.library.lock:
            refreshed = self.library.refresh(paths)
            self.built = refreshed.built
        return refreshed

    @property
    def corpus(self) -> Corpus:
        return self.built.corpus

    @property
    def search(self) -> SectionSearch:
        return self.built.search

    @property
    def quiz(self) -> QuizEngine:
        return self.built.quiz

    @functools.cached_property
    def grader(self) -> Grader:
        from bot.core.grading import Grader

        return Grader(self.morphology)

    def close(self) -> None:
        if self._store:
            self._store.close()

    def ask(self, question: str, k: int = DEFAULT_K) -> Answer:
        question = question.strip()
        if not question:
            raise QuestionError("質問が空です。知りたいことを書いてください。")
        built = self.built  # one notes version for the whole answer, whatever a refresh swaps in
        hits = built.search.search(question[:MAX_QUESTION_CHARS], k)
        if not hits:
            return Answer(question=question, hits=(), unwritten=built.search.unwritten(question[:MAX_QUESTION_CHARS]))
        if len(self._recent_spans) > _REMEMBERED_HITS:
            self._recent_spans.clear()
        for hit in hits:
            self._recent_spans[hit.section.text, hit.matched] = hit.spans
        # Prompts about the very words the question matched come first.
        words = [h.section.text[a:b] for h in hits for a, b in h.spans]
        quiz = quiz_for_sections(built.quiz, [h.section for h in hits], about=words)
        return Answer(question=question, hits=hits, quiz=quiz)

    # Quiz --------------------------------------------------------------------

    def topics(self) -> tuple[str, ...]:
        return self.quiz.topics()

    def quiz_item(self, item_id: str) -> QuizItem | None:
        return self.quiz.item(item_id)

    def next_quiz(self, learner: str, topic: str | None = None) -> QuizItem | None:
        """The learner's next item: due reviews first, then new ones."""
        items = self.quiz.items_for_topic(topic) if topic else self.quiz.items
        chosen = self._progress().next_items(learner, items, 1)
        return chosen[0] if chosen else None

    def next_review(self, learner: str) -> QuizItem | None:
        """The learner's most overdue item, if any is due: a review round's next item."""
        due = self._progress().due_items(learner, self.quiz.items)
        return due[0] if due else None

    def due_count(self, learner: str) -> int:
        return len(self._progress().due_items(learner, self.quiz.items))

    def grade(self, item: QuizItem, given: str) -> Grade:
        return self.grader.grade(item, given)

    def record(self, learner: str, item: QuizItem, rating: Rating) -> Review:
        """Store an answer; the Review says when the item comes back."""
        return self._progress().record_item(learner, item, rating)

    def stats(self, learner: str) -> Stats:
        """The learner's progress, topics in the notes' order."""
        stats = self._progress().stats(learner, [item.id for item in self.quiz.items])
        rank = {topic: i for i, topic in enumerate(self.quiz.topics())}
        return replace(stats, topics=tuple(sorted(stats.topics, key=lambda t: rank.get(t.topic, len(rank)))))

    # Reminders ---------------------------------------------------------------

    def now(self) -> datetime:
        return self._progress().now()

    @property
    def zone(self) -> tzinfo:
        return self._progress().zone

    def set_reminder(self, learner: str, at: time, where: Where, channel_id: int) -> Reminder:
        """Remind the learner daily at `at` (local time); replaces their reminder."""
        from bot.core.reminders import new_reminder

        store = self._progress()
        reminder = new_reminder(learner, at, where, channel_id, store.now(), store.zone)
        store.set_reminder(reminder)
        return reminder

    def remove_reminder(self, learner: str) -> bool:
        return self._progress().remove_reminder(learner)

    def reminder(self, learner: str) -> Reminder | None:
        return self._progress().reminder(learner)

    def reminders_to_send(self) -> list[tuple[Reminder, int]]:
        """The reminders whose time has come today, each with the learner's reviews
        due, claimed so that none goes out twice; those with nothing due are claimed
        and left out (nothing is sent that day)."""
        from bot.core.reminders import fires_on

        store = self._progress()
        now = store.now()
        to_send = []
        for reminder in store.reminders():
            day = fires_on(reminder, now, store.zone)
            if day is None or not store.claim_reminder(reminder.learner, day):
                continue
            due = self.due_count(reminder.learner)
            if due:
                to_send.append((reminder, due))
        return to_send

    def _progress(self) -> ProgressStore:
        if self._store is None:
            raise RuntimeError("AnswerService was created without a db_path")
        return self._store

    def highlight(self, text: str, matched: tuple[str, ...], before: str = "**", after: str = "**") -> str:
        """text with the words behind the matched terms wrapped in before/after. For a
        hit of a recent answer the spans are the hit's (highlight_hit does the same
        from the hit itself); any other text is tokenized."""
        spans = self._recent_spans.get((text, matched))
        if spans is None:
            spans = tuple(self.analyzer.spans(text, frozenset(matched)))
        return _marked(text, spans, 0, len(text), before, after)

    def highlight_hit(self, hit: Hit, before: str = "**", after: str = "**") -> str:
        """The hit's whole text with its matched words wrapped in before/after."""
        return _marked(hit.section.text, hit.spans, 0, len(hit.section.text), before, after)

    def excerpt(self, hit: Hit, max_chars: int = EXCERPT_CHARS, before: str = "", after: str = "") -> str:
        """At most about max_chars characters of the hit's text, around its matched
        words (the stretch holding the most of them), with … where the text was cut;
        matched words wrapped in before/after."""
        text = hit.section.text
        start, end = excerpt_window(len(text), hit.spans, max_chars)
        return (ELLIPSIS if start > 0 else "") + _marked(text, hit.spans, start, end, before, after) + (
            ELLIPSIS if end < len(text) else ""
        )


def excerpt_window(length: int, spans: tuple[tuple[int, int], ...], max_chars: int) -> tuple[int, int]:
    """(start, end) of at most max_chars characters of a text of this length: the whole
    text if it fits, else the stretch that holds the most spans whole, with a third of
    the room before the first of them as context."""
    if length <= max_chars:
        return 0, length
    best, best_count, last = 0, 0, 0
    for first, (begin, _) in enumerate(spans):  # two pointers: spans are in order
        last = max(last, first)
        while last + 1 < len(spans) and spans[last + 1][1] - begin <= max_chars:
            last += 1
        count = last - first + 1 if spans[first][1] - begin <= max_chars else 0
        if count > best_count:
            best, best_count = first, count
    if not spans:
        return 0, max_chars
    begin = spans[best][0]
    room_after = spans[min(best + best_count, len(spans)) - 1][1] - begin if best_count else 0
    start = max(0, begin - max(0, min(max_chars // 3, max_chars - room_after)))
    start = min(start, length - max_chars)
    return start, start + max_chars


def _marked(text: str, spans, start: int, end: int, before: str, after: str) -> str:
    """text[start:end] with the spans (clipped to it) wrapped in before/after."""
    out, last = [], start
    for begin, stop in spans:
        begin, stop = max(begin, start), min(stop, end)
        if begin >= stop or begin < last:
            continue
        out += [text[last:begin], before, text[begin:stop], after]
        last = stop
    out.append(text[last:end])
    return "".join(out)


def stats_text(stats: Stats) -> str:
    """Accuracy per top-level heading, what is due, the streak and the measured
    retention, for the learner to read."""
    lines = [f"{t.topic}: {t.attempts} 回中 {t.correct} 回正解 ({t.accuracy:.0%})" for t in stats.topics]
    if stats.topics:
        lines.append(f"合計: {stats.attempts} 回中 {stats.correct} 回正解 ({stats.accuracy:.0%})")
    else:
        lines.append("まだ回答がありません。クイズで始めましょう。")
    lines.append(f"復習の時期が来た問題: {stats.due} 問 / まだ解いていない問題: {stats.new} 問")
    lines.append(f"復習の予定: 今日 {stats.due_today} 問 / 今週 {stats.due_week} 問")
    lines.append(f"連続学習: {stats.streak} 日")
    if stats.retention is None:
        lines.append("記憶率: まだ測れません (覚えた問題を復習すると出ます)")
    else:
        lines.append(
            f"記憶率: {stats.retention:.0%} (覚えた問題の復習 {stats.learned_reviews} 回中 {stats.learned_correct} 回正解)"
        )
    return "\n".join(lines)
