"""The one answer service both adapters call, so the CLI and the bot never disagree."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.build import Built
from bot.core.library import NotesFolder, NotesLibrary, Refreshed
from bot.core.models import Answer
from bot.core.morphology import shared_morphology
from bot.core.notes import Corpus
from bot.core.models import QuizItem
from bot.core.quiz import QuizEngine, quiz_for_sections
from bot.core.search import Progress, SectionSearch

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a cold start counts
if TYPE_CHECKING:  # imported where used: `ask` never grades or records (progress and sqlite3: 5 ms)
    from bot.core.grading import Grader
    from bot.core.progress import ProgressStore, Stats

DEFAULT_K = 3
# Longer questions are cut before analysis: no learner's question needs more, and it
# bounds the work one message can cause.
MAX_QUESTION_CHARS = 1000


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
        self.reload()
        self._store: ProgressStore | None = None
        if db_path:
            from bot.core.progress import ProgressStore

            db_path.parent.mkdir(parents=True, exist_ok=True)
            self._store = ProgressStore(db_path)

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
        # Prompts about the very words the question matched come first.
        words = [h.section.text[a:b] for h in hits for a, b in _spans(self.analyzer, h.section.text, h.matched)]
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
        """text with the words behind the matched terms wrapped in before/after."""
        out, last = [], 0
        for start, end in _spans(self.analyzer, text, matched):
            out += [text[last:start], before, text[start:end], after]
            last = end
        out.append(text[last:])
        return "".join(out)


@functools.lru_cache(maxsize=64)
def _spans(analyzer: Analyzer, text: str, matched: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    # ask() finds them to order the quiz prompts, and the adapters again to highlight
    # the same hits: kept, so each answer tokenizes its hits once.
    return tuple(analyzer.spans(text, frozenset(matched)))


def stats_text(stats: Stats) -> str:
    """Accuracy per top-level heading and what is due, for the learner to read."""
    lines = [f"{t.topic}: {t.attempts} 回中 {t.correct} 回正解 ({t.accuracy:.0%})" for t in stats.topics]
    if stats.topics:
        lines.append(f"合計: {stats.attempts} 回中 {stats.correct} 回正解 ({stats.accuracy:.0%})")
    else:
        lines.append("まだ回答がありません。クイズで始めましょう。")
    lines.append(f"復習の時期が来た問題: {stats.due} 問 / まだ解いていない問題: {stats.new} 問")
    return "\n".join(lines)
