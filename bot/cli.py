"""Command line: `python -m bot.cli ask "KVMとQEMUの違いは？"`, `eval`, and more.

A thin adapter over the core's AnswerService; it never imports discord.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.cli_common import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CommandError,
    VersionAction,
    clean,
    error,
    fix_bytes,
    json_line,
    make_service,
    setup_stdio,
)
from bot.core.glossary import glossary_hint
from bot.core.models import Answer
from bot.core.notes import CorpusError


def main(argv: list[str] | None = None) -> int:
    setup_stdio()
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (CommandError, CorpusError) as exc:
        return error(str(exc), getattr(exc, "code", EXIT_USAGE))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader left early (`manabi ask ... | head`). Send what is still buffered
        # to /dev/null, so the flush at exit does not fail again, and end as other
        # Unix tools do when SIGPIPE ends them.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manabi", description="Answers questions from your study notes.")
    parser.add_argument("--version", action=VersionAction, help="print the version and exit")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="notes folder (default: $MANABI_CORPUS, else the shipped notes)",
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


def _ask(args: argparse.Namespace) -> int:
    from bot.core.service import QuestionError

    if args.k < 1:
        return error("-k は 1 以上にしてください", EXIT_USAGE)
    if args.question is None and sys.stdin.isatty():
        return error("質問を書いてください (例: manabi ask \"KVMとは？\")", EXIT_USAGE)
    # A byte that is not UTF-8 in the question becomes U+FFFD (stdin does the same).
    question = None if args.question is None else fix_bytes(args.question)
    if question is not None and not question.strip():
        return error("質問が空です。知りたいことを書いてください。", EXIT_USAGE)
    service = make_service(args)
    if question is not None:
        answer = service.ask(question, args.k)
        print(_as_json(answer) if args.json else _as_text(service, answer))
        return 0
    # Batch: one question a line on stdin, one JSON object a line out, in step: a blank
    # line gets an answer with no hits, so output line n answers input line n.
    for line in sys.stdin:
        try:
            answer = service.ask(line, args.k)
        except QuestionError:
            answer = Answer(question="", hits=())
        print(_as_json(answer), flush=True)
    return 0


def _as_json(answer: Answer) -> str:
    return json_line(
        {
            "question": answer.question,
            "hits": [
                {
                    "headings": list(h.section.headings),
                    "text": h.section.text,
                    "markdown": h.section.markdown,
                    "kind": h.section.kind,
                    "score": round(h.score, 4),
                    "source": h.section.file,
                    "line_start": h.section.line_start,
                    "line_end": h.section.line_end,
                    "matched": list(h.matched),
                }
                for h in answer.hits
            ],
            "quiz": [item.to_dict() for item in answer.quiz],
            "unwritten": list(answer.unwritten),
        }
    )


def _as_text(service, answer: Answer) -> str:
    if not answer.hits:
        hint = glossary_hint([clean(word) for word in answer.unwritten])
        return "ノートにはこの質問に関係する内容が見つかりませんでした。" + (f"\n{hint}" if hint else "")
    bold, reset = ("\033[1;33m", "\033[0m") if sys.stdout.isatty() else ("**", "**")
    blocks = []
    for i, hit in enumerate(answer.hits, start=1):
        s = hit.section
        # At most about 600 characters around the matches (… where cut). Mark the matches
        # with two private-use characters, remove the control characters of the notes,
        # then put in the real (maybe escape-code) marks.
        marked = clean(service.excerpt(hit, before=_MARK_ON, after=_MARK_OFF))
        blocks.append(
            f"[{i}] {clean(s.title)}  ({clean(s.file)}:{s.line_start}-{s.line_end})\n"
            + marked.replace(_MARK_ON, bold).replace(_MARK_OFF, reset)
        )
    if answer.quiz:  # check yourself right after reading; `manabi quiz` records answers
        blocks.append("確認クイズ:\n" + "\n".join(_prompt(i, item) for i, item in enumerate(answer.quiz, start=1)))
    return "\n\n".join(blocks)


_MARK_ON, _MARK_OFF = "\ue000", "\ue001"


def _prompt(number: int, item) -> str:
    options = "".join(f"\n   {n}. {clean(option)}" for n, option in enumerate(item.options, start=1))
    return f"Q{number}. {clean(item.question)}{options}"


def _eval(args: argparse.Namespace) -> int:
    from bot.core.evaluation import QuestionFileError, evaluate, load_questions, tune_min_coverage

    try:
        questions = load_questions(args.file)
    except QuestionFileError as exc:
        return error(str(exc), EXIT_USAGE)
    service = make_service(args)
    report = evaluate(service.search, questions)
    print("\n".join(report.lines()))
    if args.tune:
        print(f"tuned min coverage: {tune_min_coverage(service.search, questions):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
