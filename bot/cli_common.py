"""What the command-line commands share: exit codes, one-line errors, safe output,
and the notes folder, data folder and answer service they work on.

bot/cli.py (ask, eval) and bot/quiz_cli.py (quiz, stats) both import from here, and
neither imports the other's internals.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot import paths

if TYPE_CHECKING:
    from bot.core.service import AnswerService

# Exit codes (README.md, "Exit codes").
EXIT_OK = 0
EXIT_DATA = 1  # the data folder or the progress database cannot be used
EXIT_USAGE = 2  # a usage error or bad input: options, question, notes folder, question file
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 141  # the reader of stdout left early (128 + SIGPIPE)

# C0 and C1 control characters except tab and newline: a note holding ESC [ 2 J must
# not clear the learner's terminal. Lone surrogates (bytes that were not UTF-8, kept
# by Python's surrogateescape) cannot be printed at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# In JSON, C1 controls and the line separators are escaped too: the text stays intact
# for a program, and nothing raw reaches a terminal.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029]")


class CommandError(Exception):
    """Ends a command with one line on stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def error(message: str, code: int) -> int:
    print(f"エラー: {clean(message)}", file=sys.stderr)
    return code


def warn(message: str) -> None:
    print(f"警告: {clean(message)}", file=sys.stderr)


def fix_bytes(text: str) -> str:
    """Bytes that were not UTF-8 (in argv or a path) become U+FFFD, as on stdin."""
    return _SURROGATE.sub("\ufffd", text)


def clean(text: str) -> str:
    """text safe to print on a terminal: control characters other than tab and
    newline removed, bytes that were not UTF-8 shown as U+FFFD."""
    return _CONTROL.sub("", fix_bytes(text))


def json_line(obj: object) -> str:
    """One JSON object on one line, non-ASCII kept readable, controls escaped."""
    text = json.dumps(obj, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", fix_bytes(text))


def setup_stdio() -> None:
    """Bytes on stdin that are not UTF-8 become U+FFFD instead of an exception; output
    that cannot be encoded becomes "?" instead of a traceback (a last resort: what the
    CLI prints is cleaned first)."""
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=errors)


class VersionAction(argparse.Action):
    """--version: the installed distribution's version, looked up only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {version()}")
        parser.exit()


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("manabi")
    except PackageNotFoundError:
        return "(not installed)"


# --- the notes, the data folder and the service -------------------------------------------


def corpus_dir(args: argparse.Namespace) -> Path:
    """--corpus, else $MANABI_CORPUS, else the shipped notes. A file is refused here; a
    missing folder is the core's CorpusError."""
    corpus = args.corpus or Path(os.environ.get("MANABI_CORPUS") or paths.shipped_corpus())
    if corpus.exists() and not corpus.is_dir():
        raise CommandError(f"ノートはフォルダで指定してください（{corpus} はファイルです）")
    return corpus


def db_path(args: argparse.Namespace) -> Path:
    """--db, else $MANABI_DB, else manabi.db in the user's data folder. Nothing is created."""
    return paths.db_path(getattr(args, "db", None) or os.environ.get("MANABI_DB"))


def ensure_data_folder(db: Path) -> None:
    """Make the folder of the progress database, or end the command (exit 1)."""
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(_cannot_make(db.parent, exc) + "。--db か MANABI_DB で書き込める場所を指定してください", EXIT_DATA)


def make_service(args: argparse.Namespace, db: Path | None = None, **options) -> AnswerService:
    """The answer service over the chosen notes and the inbox of notes captured from
    Discord (when it exists); with db, it records quiz progress there (call
    ensure_data_folder first). The cache lives beside the database; when that folder
    cannot be made, answers come without a cache, after one warning. options: more
    AnswerService settings (retention, zone)."""
    from bot.core.library import NotesFolder
    from bot.core.service import AnswerService
    from bot.progress_bar import stderr_progress

    corpus = corpus_dir(args)
    database = db or db_path(args)  # without db: where progress would be kept
    cache_dir: Path | None = paths.cache_dir(database)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        warn(_cannot_make(cache_dir, exc) + "。キャッシュなしで続けます（毎回ノートを解析するので遅くなります）")
        cache_dir = None
    inbox = paths.notes_inbox(database, os.environ.get("MANABI_NOTES_INBOX"))
    extra = (NotesFolder(inbox, "inbox", required=False),) if inbox.is_dir() else ()
    service = AnswerService(
        corpus, db_path=db, cache_dir=cache_dir, progress=stderr_progress(), extra_folders=extra, **options
    )
    for warning in service.corpus.warnings:
        warn(warning)
    return service


def _cannot_make(folder: Path, exc: OSError) -> str:
    return f"データフォルダ {folder} を作れません ({exc.strerror or exc})"
