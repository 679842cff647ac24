"""The one answer service both adapters call, so the CLI and the bot never disagree."""

from __future__ import annotations

from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.models import Answer, Hit
from bot.core.notes import Corpus, load_corpus
from bot.core.search import SectionSearch

DEFAULT_K = 3
# Longer questions are cut before analysis: no learner's question needs more, and it
# bounds the work one message can cause.
MAX_QUESTION_CHARS = 1000


class QuestionError(ValueError):
    """The question cannot be asked (empty, or only whitespace)."""


class AnswerService:
    def __init__(self, corpus_dir: Path, analyzer: Analyzer | None = None) -> None:
        self.corpus_dir = corpus_dir
        self.analyzer = analyzer or Analyzer()
        self.corpus: Corpus
        self.search: SectionSearch
        self.reload()

    def reload(self) -> Corpus:
        """Re-read the notes. On a CorpusError the previous notes stay in use."""
        corpus = load_corpus(self.corpus_dir)
        self.search = SectionSearch(corpus.sections, self.analyzer)
        self.corpus = corpus
        return corpus

    def ask(self, question: str, k: int = DEFAULT_K) -> Answer:
        question = question.strip()
        if not question:
            raise QuestionError("質問が空です。知りたいことを書いてください。")
        hits = self.search.search(question[:MAX_QUESTION_CHARS], k)
        return Answer(question=question, hits=hits)

    def highlight(self, text: str, matched: tuple[str, ...], before: str = "**", after: str = "**") -> str:
        """text with the words behind the matched terms wrapped in before/after."""
        out, last = [], 0
        for start, end in self.analyzer.spans(text, frozenset(matched)):
            out += [text[last:start], before, text[start:end], after]
            last = end
        out.append(text[last:])
        return "".join(out)
