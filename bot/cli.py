"""Command line: `python -m bot.cli ask "KVMとQEMUの違いは？"`, `eval`, and more.

A thin adapter over the core's AnswerService; it never imports discord.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.core.models import Answer
from bot.core.notes import CorpusError

SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DEFAULT_DB = Path("data") / "manabi.db"
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except CorpusError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader left early (`manabi ask ... | head`). Send what is still buffered
        # to /dev/null, so the flush at exit does not fail again, and end as other
        # Unix tools do when SIGPIPE ends them.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manabi", description="Answers questions from your study notes.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="notes folder (default: $MANABI_CORPUS, else the shipped corpus/)",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", parents=[common], help="answer a question from the notes")
    ask.add_argument("question", nargs="?", help="the question; omit to read one per line from stdin")
    ask.add_argument("-k", type=int, default=3, help="how many sections to show (default 3)")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.set_defaults(run=_ask)

    ev = sub.add_parser("eval", parents=[common], help="measure retrieval on a question file")
    ev.add_argument("file", type=Path, help="JSON lines: {question, expect: [{file, line}]}")
    ev.add_argument("--tune", action="store_true", help="also print the best no-match threshold")
    ev.set_defaults(run=_eval)

    from bot.quiz_cli import add_commands

    add_commands(sub, common)
    return parser


def _service(args: argparse.Namespace, db: Path | None = None, **options):
    """options: more AnswerService settings (retention, zone)."""
    from bot.core.service import AnswerService
    from bot.progress_bar import stderr_progress

    corpus = args.corpus or Path(os.environ.get("MANABI_CORPUS") or SHIPPED_CORPUS)
    # The cache lives in the data folder, beside the progress database.
    cache_dir = (db or db_path(args)).parent / "cache"
    service = AnswerService(corpus, db_path=db, cache_dir=cache_dir, progress=stderr_progress(), **options)
    for warning in service.corpus.warnings:
        print(f"警告: {warning}", file=sys.stderr)
    return service


def db_path(args: argparse.Namespace) -> Path:
    """--db, else $MANABI_DB, else data/manabi.db under the current folder (created)."""
    chosen = getattr(args, "db", None) or os.environ.get("MANABI_DB")
    if chosen:
        return Path(chosen)
    DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
    return DEFAULT_DB


def _ask(args: argparse.Namespace) -> int:
    from bot.core.service import QuestionError

    if args.k < 1:
        print("エラー: -k は 1 以上にしてください", file=sys.stderr)
        return EXIT_USAGE
    if args.question is None and sys.stdin.isatty():
        print("エラー: 質問を書いてください (例: manabi ask \"KVMとは？\")", file=sys.stderr)
        return EXIT_USAGE
    if args.question is not None and not args.question.strip():
        print("エラー: 質問が空です。知りたいことを書いてください。", file=sys.stderr)
        return EXIT_USAGE
    service = _service(args)
    if args.question is not None:
        answer = service.ask(args.question, args.k)
        print(_as_json(answer) if args.json else _as_text(service, answer))
        return 0
    # Batch: one question a line on stdin, one JSON object a line out; one index.
    for line in sys.stdin:
        try:
            answer = service.ask(line, args.k)
        except QuestionError:
            continue  # a blank line is no question
        print(_as_json(answer), flush=True)
    return 0


def _as_json(answer: Answer) -> str:
    return json.dumps(
        {
            "question": answer.question,
            "hits": [
                {
                    "headings": list(h.section.headings),
                    "text": h.section.text,
                    "score": round(h.score, 4),
                    "source": h.section.file,
                    "line_start": h.section.line_start,
                    "line_end": h.section.line_end,
                    "matched": list(h.matched),
                }
                for h in answer.hits
            ],
            "quiz": [item.to_dict() for item in answer.quiz],
        },
        ensure_ascii=False,
    )


def _as_text(service, answer: Answer) -> str:
    if not answer.hits:
        return "ノートにはこの質問に関係する内容が見つかりませんでした。"
    bold, reset = ("\033[1;33m", "\033[0m") if sys.stdout.isatty() else ("**", "**")
    blocks = []
    for i, hit in enumerate(answer.hits, start=1):
        s = hit.section
        blocks.append(
            f"[{i}] {s.title}  ({s.file}:{s.line_start}-{s.line_end})\n"
            f"{service.highlight(s.text, hit.matched, bold, reset)}"
        )
    if answer.quiz:  # check yourself right after reading; `manabi quiz` records answers
        blocks.append("確認クイズ:\n" + "\n".join(_prompt(i, item) for i, item in enumerate(answer.quiz, start=1)))
    return "\n\n".join(blocks)


def _prompt(number: int, item) -> str:
    options = "".join(f"\n   {n}. {option}" for n, option in enumerate(item.options, start=1))
    return f"Q{number}. {item.question}{options}"


def _eval(args: argparse.Namespace) -> int:
    from bot.core.evaluation import evaluate, load_questions, tune_min_coverage

    try:
        questions = load_questions(args.file)
    except (OSError, ValueError) as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_USAGE
    service = _service(args)
    report = evaluate(service.search, questions)
    print("\n".join(report.lines()))
    if args.tune:
        print(f"tuned min coverage: {tune_min_coverage(service.search, questions):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
