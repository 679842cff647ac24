"""Command line: `quiz` (an interactive round, or `--list --json`) and `stats`.

A thin adapter over the core's quiz engine, grader and progress store; bot/cli.py adds
these commands with add_commands. The learner is always "local". Grading and progress
(SQLite) are imported where used: `manabi ask` builds this parser too, and needs neither.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_common import EXIT_DATA, EXIT_USAGE, clean, db_path, ensure_data_folder, error, json_line, make_service
from bot.core.models import Kind, QuizItem
from bot.core.service import stats_text

if TYPE_CHECKING:
    from bot.core.grading import Grade, Grader
    from bot.core.progress import ProgressStore, Review, Stats
    from bot.core.scheduling import Rating

LEARNER = "local"
DEFAULT_COUNT = 5
KIND_LABELS = {Kind.TERM: "用語", Kind.REVEAL: "説明", Kind.CHOICE: "選択", Kind.CLOZE: "穴埋め"}


def add_commands(subparsers, common: argparse.ArgumentParser) -> None:
    quiz = subparsers.add_parser("quiz", parents=[common], help="quiz yourself on the notes")
    quiz.add_argument("--topic", help="only this heading (default: all)")
    quiz.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"questions in the round (default {DEFAULT_COUNT})")
    quiz.add_argument("--list", action="store_true", help="print every item instead of quizzing")
    quiz.add_argument("--json", action="store_true", help="with --list: one JSON object per line")
    _add_db_option(quiz)
    quiz.set_defaults(run=run_quiz)

    stats = subparsers.add_parser("stats", parents=[common], help="accuracy per topic and items due")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    _add_db_option(stats)
    stats.set_defaults(run=run_stats)


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, help="progress database (default: $MANABI_DB, else manabi.db in the user's data folder)")


# --- quiz ------------------------------------------------------------------------------


def run_quiz(args: argparse.Namespace) -> int:
    from bot.core.progress import ProgressError, ProgressStore
    from bot.core.scheduling import Scheduling

    if args.count < 1:
        return error("--count は 1 以上にしてください", EXIT_USAGE)
    if args.json and not args.list:
        return error("--json は --list と一緒に使ってください", EXIT_USAGE)
    db = db_path(args)
    if not args.list:
        ensure_data_folder(db)  # before the notes are read: fail fast
    service = make_service(args)
    engine = service.quiz
    items = engine.items_for_topic(args.topic) if args.topic else engine.items
    if args.topic and not items:
        topics = "、".join(engine.topics()) or "(なし)"
        return error(f"トピック「{args.topic}」はノートにありません。使えるトピック: {topics}", EXIT_USAGE)
    if args.list:
        for item in items:
            print(json_line(item.to_dict()) if args.json else clean(_one_line(item)))
        return 0
    if not items:
        print("ノートから問題を作れませんでした。")
        return 0
    try:
        retention, zone = _review_settings()
    except ValueError as exc:
        return error(str(exc), EXIT_USAGE)
    try:
        with ProgressStore(db, scheduling=Scheduling(retention), zone=zone) as store:
            return play_round(store, service.grader, store.next_items(LEARNER, items, args.count))
    except ProgressError as exc:
        return error(str(exc), EXIT_DATA)


def play_round(
    store: ProgressStore, grader: Grader, items: tuple[QuizItem, ...], ask: Callable[[str], str] | None = None
) -> int:
    """Ask each item, record each answer as soon as it is given; Ctrl-D or Ctrl-C ends
    the round early and keeps what was answered."""
    ask = ask or input
    correct = answered = 0
    try:
        for number, item in enumerate(items, start=1):
            print(f"\n[{number}/{len(items)}] {KIND_LABELS[item.kind]}")
            grade = _ask(item, grader, ask)
            review = store.record_item(LEARNER, item, grade.rating)
            answered += 1
            correct += grade.correct
            print(clean(_feedback(grade, review)))
    except (EOFError, KeyboardInterrupt):
        print("\n中断しました。ここまでの回答は保存しました。")
    print(f"\n結果: {answered} 問中 {correct} 問正解" + (f" ({correct / answered:.0%})" if answered else ""))
    return 0


def _ask(item: QuizItem, grader: Grader, ask: Callable[[str], str]) -> Grade:
    print(clean(item.question))
    if item.kind is Kind.REVEAL:
        ask("(Enter で答えを表示) ")
        print(f"答え: {clean(item.answer)}")
        return grader.grade_self(item, _self_grade(ask))
    if item.kind is Kind.CHOICE:
        for number, option in enumerate(item.options, start=1):
            print(f"  {number}. {clean(option)}")
        return grader.grade(item, _choice(ask, len(item.options)))
    return grader.grade(item, ask("答え> "))


def _choice(ask: Callable[[str], str], count: int) -> str:
    while True:
        answer = ask(f"番号 (1〜{count})> ").strip()
        if not answer.isdigit() or 1 <= int(answer) <= count:
            return answer  # a number in range, or the option typed out (or nothing)
        print(f"1〜{count} の番号で答えてください。")


def _self_grade(ask: Callable[[str], str]) -> Rating:
    from bot.core.grading import parse_self_grade

    while True:
        rating = parse_self_grade(ask("覚えていましたか？ (y: 覚えていた / h: 難しかった / n: 忘れた)> "))
        if rating is not None:
            return rating
        print("y・h・n のどれかで答えてください。")


def _feedback(grade: Grade, review: Review) -> str:
    section = grade.source
    if grade.item.kind is Kind.REVEAL:
        from bot.core.scheduling import Rating

        verdict = {Rating.AGAIN: "× 次は覚えよう", Rating.HARD: "△ 難しかった", Rating.GOOD: "○ 覚えていた"}[grade.rating]
    elif grade.near_miss:
        verdict = f"△ 惜しい！正しくは「{grade.expected}」"
    else:
        verdict = "○ 正解！" if grade.correct else f"× 不正解。正解: {grade.expected}"
    return f"{verdict}  {review.comes_back}\n出典: {section.file}:{grade.item.line} ({section.title})"


def _one_line(item: QuizItem) -> str:
    question = item.question.replace("\n", " / ")
    options = f" [{' | '.join(item.options)}]" if item.options else ""
    return f"{item.id} {KIND_LABELS[item.kind]}: {question}{options} → {item.answer}"


# --- stats -------------------------------------------------------------------------------


def run_stats(args: argparse.Namespace) -> int:
    from bot.core.progress import ProgressError

    db = db_path(args)
    ensure_data_folder(db)
    try:
        retention, zone = _review_settings()
    except ValueError as exc:
        return error(str(exc), EXIT_USAGE)
    try:
        stats = make_service(args, db, retention=retention, zone=zone).stats(LEARNER)
        text = _stats_json(stats) if args.json else clean(f"成績 ({db})\n{stats_text(stats)}")
    except ProgressError as exc:
        return error(str(exc), EXIT_DATA)
    print(text)
    return 0


def _stats_json(stats: Stats) -> str:
    return json_line(
        {
            "learner": LEARNER,
            "topics": [
                {"topic": t.topic, "attempts": t.attempts, "correct": t.correct, "accuracy": round(t.accuracy, 4)}
                for t in stats.topics
            ],
            "attempts": stats.attempts,
            "correct": stats.correct,
            "accuracy": round(stats.accuracy, 4),
            "due": stats.due,
            "new": stats.new,
            "due_today": stats.due_today,
            "due_week": stats.due_week,
            "streak": stats.streak,
            "retention": None if stats.retention is None else round(stats.retention, 4),
        }
    )


def _review_settings():
    """MANABI_RETENTION and MANABI_TIMEZONE; ValueError with one Japanese line."""
    from bot.core.reminders import load_zone
    from bot.core.scheduling import parse_retention

    return parse_retention(os.environ.get("MANABI_RETENTION")), load_zone(os.environ.get("MANABI_TIMEZONE"))
