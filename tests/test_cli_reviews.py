"""`manabi quiz` and `manabi stats` with FSRS: near misses, when items come back,
streak and retention, settings, and an SM-2-era database. Real corpus, real SQLite."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.notes import load_corpus
from bot.core.quiz import Kind, QuizEngine, plan_round

DATA = Path(__file__).resolve().parent / "data"
CORPUS2 = DATA / "corpus2"


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    for name in ("MANABI_CORPUS", "MANABI_DB", "MANABI_RETENTION", "MANABI_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def run(*argv: str, stdin: str = ""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main([*argv, "--corpus", str(CORPUS2)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="module")
def engine():
    return QuizEngine(load_corpus(CORPUS2).sections)


def typed(item, how: str) -> str:
    """right, wrong, or near (one character left out of a long answer)."""
    if item.kind is Kind.CHOICE:
        index = item.options.index(item.answer)
        return f"{index + 1 if how != 'wrong' else (index + 1) % 4 + 1}\n"
    if item.kind is Kind.REVEAL:
        return "\n" + {"right": "y", "wrong": "n", "near": "h"}[how] + "\n"
    if how == "near":
        return item.answer[:4] + item.answer[5:] + "\n"
    return (item.answer if how == "right" else "わからない") + "\n"


def ratings(db: str) -> list[tuple[str, int, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT item_id, rating, correct FROM attempts ORDER BY id").fetchall()


def test_each_answer_says_when_it_comes_back_and_a_typo_is_a_near_miss(run, engine):
    items = plan_round(engine.items_for_topic("DNS"), 4)
    near = next(i for i in items if i.answer == "フルサービスリゾルバ")
    hows = ["near" if item is near else "wrong" if n == 0 else "right" for n, item in enumerate(items)]
    answers = "".join(typed(i, h) for i, h in zip(items, hows))
    code, out, _ = run("quiz", "--topic", "DNS", "--count", "4", "--db", "p.db", stdin=answers)
    assert code == 0
    assert "△ 惜しい！正しくは「フルサービスリゾルバ」  次は 15 分後" in out
    assert out.count("次は 10 分後") == hows.count("wrong") == 1
    assert out.count("次は 2 日後") == hows.count("right") == 2
    assert "4 問中 3 問正解" in out  # a near miss is right, rated Hard
    rating = {"wrong": 1, "near": 2, "right": 3}
    assert ratings("p.db") == [(i.id, rating[h], int(h != "wrong")) for i, h in zip(items, hows)]


def test_a_revealed_answer_is_graded_forgot_hard_or_knew(run, engine):
    items = plan_round(engine.items_for_topic("Git"), 4)
    reveal = next(i for i in items if i.kind is Kind.REVEAL)
    answers = "".join(typed(i, "near" if i is reveal else "right") for i in items)
    code, out, _ = run("quiz", "--topic", "Git", "--count", "4", "--db", "p.db", stdin=answers)
    assert code == 0
    assert "(y: 覚えていた / h: 難しかった / n: 忘れた)" in out and "△ 難しかった  次は 15 分後" in out
    assert (reveal.id, 2, 1) in ratings("p.db")


def test_stats_show_streak_due_and_measured_retention(run, engine):
    items = plan_round(engine.items, 3)
    run("quiz", "--count", "3", "--db", "p.db", stdin="".join(typed(i, "right") for i in items))
    code, out, _ = run("stats", "--db", "p.db", "--json")
    stats = json.loads(out)
    assert code == 0
    assert (stats["streak"], stats["due_today"], stats["due_week"], stats["retention"]) == (1, 0, 3, None)
    code, out, _ = run("stats", "--db", "p.db")
    assert "連続学習: 1 日" in out and "復習の予定: 今日 0 問 / 今週 3 問" in out and "記憶率: まだ測れません" in out


def test_an_sm2_era_database_opens_with_its_history(run):
    shutil.copy(DATA / "progress_sm2.db", "old.db")
    code, out, _ = run("stats", "--db", "old.db", "--json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["attempts"], stats["correct"]) == (42, 35)
    assert 0 < stats["retention"] <= 1


@pytest.mark.parametrize(
    "name, value, message",
    [("MANABI_RETENTION", "1.5", "MANABI_RETENTION"), ("MANABI_RETENTION", "high", "MANABI_RETENTION"),
     ("MANABI_TIMEZONE", "Mars/Olympus", "MANABI_TIMEZONE")],
)
def test_a_bad_setting_is_one_line_and_exit_2(run, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    for argv in (("quiz", "--count", "1"), ("stats",)):
        code, _, err = run(*argv, "--db", "p.db", stdin="x\n")
        assert code == 2 and err.startswith("エラー: ") and message in err and err.count("\n") == 1
    assert not Path("p.db").exists()


def test_a_higher_retention_brings_items_back_sooner(run, engine, monkeypatch):
    item = plan_round(engine.items, 1)[0]
    monkeypatch.setenv("MANABI_RETENTION", "0.97")
    code, out, _ = run("quiz", "--count", "1", "--db", "p.db", stdin=typed(item, "right"))
    assert code == 0 and "次は 1 日後" in out  # 2 days at the default 0.9
