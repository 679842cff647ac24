"""`quiz` and `stats` on the command line, with a real corpus and a real SQLite file."""

from __future__ import annotations

import argparse
import io
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.core.notes import load_corpus
from bot.core.progress import ProgressStore
from bot.core.quiz import Kind, QuizEngine, QuizItem, gives_away, plan_round
from bot.core.scheduling import Rating
from bot.quiz_cli import LEARNER, add_commands

CORPUS2 = Path(__file__).resolve().parent / "data" / "corpus2"
SHIPPED = Path(__file__).resolve().parent.parent / "corpus"

# How bot/cli.py wires the commands: a parent parser with the shared --corpus option.
WRAPPER = """
import argparse, sys
from pathlib import Path
from bot.quiz_cli import add_commands
parser = argparse.ArgumentParser(prog="manabi")
common = argparse.ArgumentParser(add_help=False)
common.add_argument("--corpus", type=Path, default=None)
add_commands(parser.add_subparsers(required=True), common)
args = parser.parse_args(sys.argv[1:])
sys.exit(args.run(args))
"""


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manabi")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", type=Path, default=None)
    add_commands(parser.add_subparsers(required=True), common)
    return parser


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("MANABI_CORPUS", raising=False)
    monkeypatch.delenv("MANABI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the user's data folder
    monkeypatch.chdir(tmp_path)

    def run(*argv: str, stdin: str = ""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        args = parser().parse_args(list(argv))
        code = args.run(args)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="module")
def engine():
    return QuizEngine(load_corpus(CORPUS2).sections)


def answer_text(item: QuizItem, right: bool = True) -> str:
    """What a learner types for item: the option number, Enter then y/n, or the term."""
    if item.kind is Kind.CHOICE:
        index = item.options.index(item.answer)
        return f"{index + 1 if right else (index + 1) % 4 + 1}\n"
    if item.kind is Kind.REVEAL:
        return "\n" + ("y" if right else "n") + "\n"
    return (item.answer if right else "わからない") + "\n"


def attempts(db: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT item_id, correct FROM attempts WHERE learner = ? ORDER BY id", (LEARNER,)).fetchall()
    finally:
        conn.close()


# --- quiz --list --------------------------------------------------------------------


def test_list_json_prints_every_item_without_asking(run, engine):
    code, out, err = run("quiz", "--corpus", str(CORPUS2), "--list", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [i.id for i in engine.items]
    assert all(set(r) == {"id", "kind", "question", "answer", "options", "source"} for r in rows)
    assert not (Path("xdg") / "manabi" / "manabi.db").exists()  # listing needs no database


def test_list_json_of_one_topic(run):
    code, out, _ = run("quiz", "--corpus", str(CORPUS2), "--list", "--json", "--topic", "DNS")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows
    assert all(r["source"]["headings"][0] == "DNS" for r in rows)


def test_unknown_topic_lists_the_topics_and_exits_2(run, engine):
    code, out, err = run("quiz", "--corpus", str(CORPUS2), "--topic", "量子コンピュータ", "--db", "x.db")
    assert code == 2
    assert "量子コンピュータ" in err
    for topic in engine.topics():
        assert topic in err
    assert not Path("x.db").exists()


@pytest.mark.parametrize("argv", [("--count", "0"), ("--json",)])
def test_bad_options_exit_2(run, argv):
    code, _, err = run("quiz", "--corpus", str(CORPUS2), *argv)
    assert code == 2 and err.startswith("エラー: ")


# --- An interactive round -----------------------------------------------------------------


def test_a_round_answered_right_scores_full_and_is_recorded(run, engine):
    expected = plan_round(engine.items, 5)  # a new learner gets new items, in notes order
    typed = "".join(answer_text(i) for i in expected)
    code, out, _ = run("quiz", "--corpus", str(CORPUS2), "--count", "5", "--db", "p.db", stdin=typed)
    assert code == 0
    assert "5 問中 5 問正解 (100%)" in out
    assert out.count("出典: ") == 5
    assert attempts(Path("p.db")) == [(i.id, 1) for i in expected]


def test_a_wrong_answer_shows_the_right_one_and_the_source(run, engine):
    item = plan_round(engine.items, 1)[0]
    assert item.kind is not Kind.REVEAL
    code, out, _ = run("quiz", "--corpus", str(CORPUS2), "--count", "1", "--db", "p.db", stdin=answer_text(item, right=False))
    assert code == 0
    assert f"正解: {item.answer}" in out
    assert f"出典: {item.section.file}:{item.line} ({item.section.title})" in out
    assert "1 問中 0 問正解" in out
    assert attempts(Path("p.db")) == [(item.id, 0)]


def test_choice_and_reveal_items_take_numbers_and_y_n(run, engine):
    choice = next(i for i in engine.items if i.kind is Kind.CHOICE)
    reveal = next(i for i in engine.items if i.kind is Kind.REVEAL and not gives_away(i, choice))
    db = Path("p.db")
    now = datetime.now(timezone.utc)
    # Both missed a while ago, so both are due now, the choice the more overdue; the
    # rest known just now.
    for item, minutes_ago in ((choice, 21), (reveal, 20)):
        with ProgressStore(db, clock=lambda: now - timedelta(minutes=minutes_ago)) as store:
            store.record_item(LEARNER, item, Rating.AGAIN)
    with ProgressStore(db, clock=lambda: now) as store:
        for item in engine.items:
            if item not in (choice, reveal):
                store.record_item(LEARNER, item, Rating.GOOD)
    # "7" is out of range and asked again; "?" is not y/n and asked again.
    typed = "7\n" + answer_text(choice) + "\n?\ny\n"
    code, out, _ = run("quiz", "--corpus", str(CORPUS2), "--count", "2", "--db", str(db), stdin=typed)
    assert code == 0
    assert "1〜4 の番号で答えてください" in out and "y・h・n のどれかで答えてください" in out
    assert f"答え: {reveal.answer}" in out
    assert "2 問中 2 問正解" in out
    assert attempts(db)[-2:] == [(choice.id, 1), (reveal.id, 1)]


def test_ctrl_d_ends_the_round_and_keeps_the_answers(run, engine):
    expected = plan_round(engine.items, 5)
    typed = "".join(answer_text(i) for i in expected[:2])  # then end of input
    code, out, _ = run("quiz", "--corpus", str(CORPUS2), "--count", "5", "--db", "p.db", stdin=typed)
    assert code == 0
    assert "中断しました" in out and "2 問中 2 問正解" in out
    assert attempts(Path("p.db")) == [(i.id, 1) for i in expected[:2]]


def test_ctrl_c_in_a_real_terminal_session_ends_cleanly(tmp_path, engine):
    db = tmp_path / "p.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("MANABI_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, "quiz", "--corpus", str(CORPUS2), "--count", "3", "--db", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    first = plan_round(engine.items, 3)[0]
    output = Output(process)
    try:
        output.wait_for("> ")
        process.stdin.write(answer_text(first).encode())
        process.stdin.flush()
        output.wait_for("> ", after="[2/3]")  # the second question is waiting for input
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "中断しました" in (output.text + rest.decode())
    assert attempts(db) == [(first.id, 1)]


class Output:
    """What a child process has printed so far, read without blocking past a timeout."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.seen = b""

    @property
    def text(self) -> str:
        return self.seen.decode(errors="replace")

    def wait_for(self, marker: str, after: str = "", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self._has(marker, after):
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"no {marker!r} after {after!r} in {self.text!r}")
            chunk = os.read(self.process.stdout.fileno(), 4096)
            if not chunk:
                raise AssertionError(f"output ended before {marker!r}: {self.text!r}")
            self.seen += chunk

    def _has(self, marker: str, after: str) -> bool:
        text = self.text
        start = text.find(after)
        return start >= 0 and marker in text[start + len(after) :]


def test_the_next_round_starts_with_what_was_missed(run, engine):
    first = plan_round(engine.items, 2)
    typed = answer_text(first[0], right=False) + answer_text(first[1])
    run("quiz", "--corpus", str(CORPUS2), "--count", "2", "--db", "p.db", stdin=typed)
    code, out, _ = run("quiz", "--corpus", str(CORPUS2), "--count", "1", "--db", "p.db", stdin=answer_text(first[1]))
    assert code == 0 and first[0].question not in out  # not due yet: a new item instead
    conn = sqlite3.connect("p.db")
    conn.execute("UPDATE cards SET due_at = due_at - 20 * 60")  # twenty minutes pass
    conn.commit()
    conn.close()
    code, out, _ = run("quiz", "--corpus", str(CORPUS2), "--count", "1", "--db", "p.db", stdin=answer_text(first[0]))
    assert code == 0 and first[0].question in out
    assert attempts(Path("p.db"))[-1] == (first[0].id, 1)


# --- Database path ---------------------------------------------------------------------


def test_database_defaults_to_the_users_data_folder(run, engine, tmp_path):
    item = plan_round(engine.items, 1)[0]
    run("quiz", "--corpus", str(CORPUS2), "--count", "1", stdin=answer_text(item))
    assert attempts(tmp_path / "xdg" / "manabi" / "manabi.db") == [(item.id, 1)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xdg"]  # nothing in the current folder


def test_database_from_manabi_db(run, engine, monkeypatch, tmp_path):
    monkeypatch.setenv("MANABI_DB", str(tmp_path / "env.db"))
    item = plan_round(engine.items, 1)[0]
    run("quiz", "--corpus", str(CORPUS2), "--count", "1", stdin=answer_text(item))
    assert attempts(tmp_path / "env.db") == [(item.id, 1)]
    assert not Path("xdg").exists()


def test_a_corrupt_database_is_one_japanese_line_and_left_alone(run):
    Path("bad.db").write_bytes(b"not sqlite at all\n" * 200)
    for argv in (("quiz", "--count", "1"), ("stats",)):
        code, out, err = run(*argv, "--corpus", str(CORPUS2), "--db", "bad.db", stdin="x\n")
        assert code == 1
        assert err.startswith("エラー: 進捗データベース bad.db") and err.count("\n") == 1
    assert Path("bad.db").read_bytes() == b"not sqlite at all\n" * 200


# --- stats -------------------------------------------------------------------------------


def test_stats_show_accuracy_per_topic_and_items_due(run, engine):
    items = plan_round(engine.items, 4)
    typed = answer_text(items[0]) + answer_text(items[1], right=False) + answer_text(items[2]) + answer_text(items[3])
    run("quiz", "--corpus", str(CORPUS2), "--count", "4", "--db", "p.db", stdin=typed)

    code, out, _ = run("stats", "--corpus", str(CORPUS2), "--db", "p.db", "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["attempts"], stats["correct"], stats["due"]) == (4, 3, 0)
    assert stats["new"] == len(engine.items) - 4
    by_topic = {t["topic"]: t for t in stats["topics"]}
    for topic in {i.topic for i in items}:
        asked = [i for i in items if i.topic == topic]
        assert by_topic[topic]["attempts"] == len(asked)

    code, out, _ = run("stats", "--corpus", str(CORPUS2), "--db", "p.db")
    assert code == 0
    assert "合計: 4 回中 3 回正解 (75%)" in out
    assert "復習の時期が来た問題: 0 問" in out


def test_stats_on_a_new_database(run):
    code, out, _ = run("stats", "--corpus", str(SHIPPED), "--db", "new.db")
    assert code == 0
    assert "まだ回答がありません" in out
