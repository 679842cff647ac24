"""One measurement in a fresh process, printed as one JSON line; benchmarks/run.py
starts it, so each peak memory figure belongs to that measurement alone.

  python -m benchmarks.measure build CORPUS CACHE     build from scratch, filling CACHE
  python -m benchmarks.measure bare CORPUS CACHE      the bare SudachiPy pass: import it,
                                                      load the dictionary, read the notes
                                                      and tokenize their text, mode C
  python -m benchmarks.measure restart CORPUS CACHE   restart on a warm CACHE, nothing more
  python -m benchmarks.measure query CORPUS CACHE     restart, then time warm queries
                                                      and the making of all quiz items
  python -m benchmarks.measure answer CORPUS CACHE    restart, then time whole answers as
                                                      `manabi ask -k 10 --json` in batch
                                                      mode makes them

A build reads the notes and makes the search index and, when the cache has none for
these notes, all quiz items, stored in the cache; the quiz engine is made when the
quiz is first needed, from the corpus-wide facts stored in the cache, and reads a
section's stored items when first asked for: an answer reads its hits' alone, the
first /quiz or `manabi quiz` all of them (quiz_s: the engine and all items, after a
restart).
"""

from __future__ import annotations

import argparse
import json
import resource
import time

STARTED = time.perf_counter()  # as early as this process can tell: imports count

from pathlib import Path  # noqa: E402

TOP_K = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["build", "bare", "restart", "query", "answer"])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("cache", type=Path)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--reference-questions", type=int, default=30)
    args = parser.parse_args()
    if args.mode == "bare":
        print(json.dumps(_bare_pass(args.corpus)))
        return
    if args.mode == "answer":
        print(json.dumps(_answers(args)))
        return

    from bot.core.analyzer import Analyzer
    from bot.core.build import build
    from bot.core.morphology import shared_morphology

    analyzer = Analyzer()
    built = build(args.corpus, analyzer, shared_morphology(), args.cache)
    result = {"sections": len(built.corpus.sections), "ready_s": time.perf_counter() - STARTED}
    if args.mode == "query":
        questions = _questions(args.questions)
        result |= _latencies(lambda q: built.search.rank(q, TOP_K), questions)
        result["peak_mb"] = _peak_mb()  # before rank-bm25 adds its own memory
        result |= _reference(args, analyzer, built.search, questions[: args.reference_questions])
        start = time.perf_counter()
        result["items"] = len(built.quiz.items)
        result["quiz_s"] = time.perf_counter() - start
    else:
        result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


def _bare_pass(corpus: Path) -> dict:
    """SudachiPy alone over the same text: every notes file read and tokenized, mode C,
    in pieces under SudachiPy's input limit, as the build's reading does."""
    from sudachipy import Dictionary, SplitMode

    tokenizer = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    morphemes = 0
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for start in range(0, len(text), 10_000):
            morphemes += len(tokenizer.tokenize(text[start : start + 10_000]))
    return {"morphemes": morphemes, "peak_mb": _peak_mb()}


def _answers(args) -> dict:
    """Whole answers, all included: AnswerService.ask (ranking, highlight spans, quiz
    items) and the JSON line, as `manabi ask -k 10 --json` prints each in batch mode.
    first: each question's hits seen for the first time (their quiz items are made then);
    again: the same questions once more, as a bot that made its items at start."""
    from bot.cli import _as_json
    from bot.core.service import AnswerService

    service = AnswerService(args.corpus, cache_dir=args.cache)
    service.quiz  # the quiz engine: made once per process, part of the warm start
    questions = _questions(args.questions)

    def run() -> float:
        start = time.perf_counter()
        for question in questions:
            _as_json(service.ask(question, TOP_K))
        return 1000 * (time.perf_counter() - start) / len(questions)

    first = run()
    return {"answer_first_ms": first, "answer_again_ms": run()}


def _questions(count: int) -> list[str]:
    from benchmarks.corpus import questions

    shipped = Path(__file__).resolve().parent.parent / "tests" / "data" / "questions.jsonl"
    labelled = [json.loads(line)["question"] for line in shipped.read_text(encoding="utf-8").splitlines() if line]
    return questions(count) + labelled


def _latencies(ask, questions: list[str], prefix: str = "query") -> dict:
    for question in questions:  # warm up: first calls fill caches on every level
        ask(question)
    times = []
    for question in questions:
        start = time.perf_counter()
        ask(question)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        f"{prefix}_p50_ms": 1000 * times[len(times) // 2],
        f"{prefix}_p95_ms": 1000 * times[int(len(times) * 0.95)],
    }


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _reference(args, analyzer, search, questions: list[str]) -> dict:
    """rank-bm25 on the same terms: its fit, its get_scores + top-10, and whether its
    scores equal ours to the last bit."""
    import numpy as np

    from bot.core.bm25_reference import NonNegativeIdfBM25
    from bot.core.cache import NotesCache, term_lists
    from bot.core.notes import read_note_files

    notes, _ = read_note_files(args.corpus)
    cache = NotesCache(args.cache, args.corpus, analyzer.fingerprint)
    docs = term_lists([terms for note in notes for terms in cache.load(note, remake=None).terms])
    start = time.perf_counter()
    reference = NonNegativeIdfBM25(docs, k1=search.index.k1, b=search.index.b)
    fit_s = time.perf_counter() - start

    def reference_top(question: str) -> list[int]:
        scores = reference.get_scores(analyzer.terms(question))
        best = np.argpartition(-scores, TOP_K)[:TOP_K]
        return sorted(best, key=lambda d: (-scores[d], d))

    exact = all(
        np.array_equal(reference.get_scores(q), search.index.scores(q)) for q in map(analyzer.terms, questions)
    )
    return {"rank_bm25_fit_s": fit_s, "exact": exact} | _latencies(reference_top, questions, "rank_bm25")


if __name__ == "__main__":
    main()
