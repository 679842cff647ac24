"""The one answer service both adapters call, so the CLI and the bot never disagree."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.build import Built, build
from bot.core.grading import Grader
from bot.core.models import Answer, Hit, QuizItem
from bot.core.morphology import shared_morphology
from bot.core.notes import Corpus
from bot.core.progress import ProgressStore, Stats
from bot.core.quiz import QuizEngine, quiz_for_sections
from bot.core.search import Progress, SectionSearch

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
    questions but cannot record quiz attempts.
    """

    def __init__(
        self,
        corpus_dir: Path,
        analyzer: Analyzer | None = None,
        db_path: Path | None = None,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.corpus_dir = corpus_dir
        self.analyzer = analyzer or Analyzer()
        self.morphology = shared_morphology()
        self.cache_dir = cache_dir  # None: tokenize and analyse all notes on each load
        self.progress = progress
        self.corpus: Corpus
        self.search: SectionSearch
        self._built: Built
        self._recent_spans: dict[tuple[str, tuple[str, ...]], tuple[tuple[int, int], ...]] = {}
        self.reload()
        self._store: ProgressStore | None = None
        if db_path:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            self._store = ProgressStore(db_path)

    def reload(self) -> Corpus:
        """Re-read the notes: with the cache, only files that changed are analysed again.
        On a CorpusError the previous notes stay in use."""
        built = build(self.corpus_dir, self.analyzer, self.morphology, self.cache_dir, self.progress)
        self.corpus, self.search, self._built = built.corpus, built.search, built
        return built.corpus

    @property
    def quiz(self) -> QuizEngine:
        """The notes' quiz engine, made when first needed (the first answer or quiz)."""
        return self._built.quiz

    @functools.cached_property
    def grader(self) -> Grader:
        return Grader(self.morphology)

    def close(self) -> None:
        if self._store:
            self._store.close()

    def ask(self, question: str, k: int = DEFAULT_K) -> Answer:
        question = question.strip()
        if not question:
            raise QuestionError("質問が空です。知りたいことを書いてください。")
        hits = self.search.search(question[:MAX_QUESTION_CHARS], k)
        if len(self._recent_spans) > _REMEMBERED_HITS:
            self._recent_spans.clear()
        for hit in hits:
            self._recent_spans[hit.section.text, hit.matched] = hit.spans
        # Prompts about the very words the question matched come first.
        words = [h.section.text[a:b] for h in hits for a, b in h.spans]
        quiz = quiz_for_sections(self.quiz, [h.section for h in hits], about=words)
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

    def grade(self, item: QuizItem, given: str) -> bool:
        return self.grader.grade(item, given).correct

    def record(self, learner: str, item: QuizItem, correct: bool) -> None:
        self._progress().record_item(learner, item, correct)

    def stats(self, learner: str) -> Stats:
        """The learner's progress, topics in the notes' order."""
        stats = self._progress().stats(learner, [item.id for item in self.quiz.items])
        rank = {topic: i for i, topic in enumerate(self.quiz.topics())}
        return replace(stats, topics=tuple(sorted(stats.topics, key=lambda t: rank.get(t.topic, len(rank)))))

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
    """Accuracy per top-level heading and what is due, for the learner to read."""
    lines = [f"{t.topic}: {t.attempts} 回中 {t.correct} 回正解 ({t.accuracy:.0%})" for t in stats.topics]
    if stats.topics:
        lines.append(f"合計: {stats.attempts} 回中 {stats.correct} 回正解 ({stats.accuracy:.0%})")
    else:
        lines.append("まだ回答がありません。クイズで始めましょう。")
    lines.append(f"復習の時期が来た問題: {stats.due} 問 / まだ解いていない問題: {stats.new} 問")
    return "\n".join(lines)
