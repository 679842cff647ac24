import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _data_in_tmp(tmp_path, monkeypatch):
    # The CLI keeps its cache beside the database: keep both out of the checkout.
    monkeypatch.setenv("MANABI_DB", str(tmp_path / "data" / "manabi.db"))


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_ask_prints_heading_path_highlighted_text_and_source():
    result = run_cli("ask", "KVMとQEMUの違いは？")
    assert result.returncode == 0, result.stderr
    first = result.stdout.split("\n\n")[0]
    assert first.startswith("[1] 仮想化 > proxmox  (notes.md:20-27)")
    assert "**KVM**" in first and "**QEMU**" in first
    assert "確認クイズ:\nQ1. " in result.stdout


def test_ask_json_has_the_documented_fields():
    result = run_cli("ask", "--json", "-k", "2", "VT-dとは？")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == "VT-dとは？"
    assert 1 <= len(answer["hits"]) <= 2
    hit = answer["hits"][0]
    assert set(hit) >= {"headings", "text", "score", "source", "line_start", "line_end", "matched"}
    assert hit["source"] == "notes.md" and hit["line_start"] <= 17 <= hit["line_end"]
    assert "VT-d" in hit["text"] and "vt" in hit["matched"]
    assert 1 <= len(answer["quiz"]) <= 2
    quiz = answer["quiz"][0]
    assert {"id", "kind", "question", "answer", "options"} <= set(quiz)
    assert quiz["answer"] not in quiz["question"] and quiz["source"]["line_start"] == hit["line_start"]


def test_no_match_is_an_empty_hit_list_and_exit_0():
    result = run_cli("ask", "--json", "明日の予定は？")
    assert result.returncode == 0
    assert json.loads(result.stdout)["hits"] == []
    text = run_cli("ask", "明日の予定は？")
    assert text.returncode == 0 and "見つかりませんでした" in text.stdout


def test_batch_reads_one_question_a_line():
    result = run_cli("ask", "-k", "1", stdin="SMBとは\n\nこんにちは\nkerberos\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == ["SMBとは", "こんにちは", "kerberos"]
    assert answers[0]["hits"][0]["headings"] == ["ネットワークファイルシステム", "SMB"]
    assert answers[1]["hits"] == []


@pytest.mark.parametrize("args", [("ask", ""), ("ask", "   "), ("ask", "-k", "0", "KVM")])
def test_usage_errors_exit_2_with_one_line(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("エラー:")


def test_missing_corpus_folder_is_one_line_and_exit_2(tmp_path):
    result = run_cli("ask", "--corpus", str(tmp_path / "nope"), "KVM")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "見つかりません" in result.stderr
    env_result = run_cli("ask", "KVM", env={"MANABI_CORPUS": str(tmp_path / "nope")})
    assert env_result.returncode == 2


def test_corpus_override_and_non_utf8_warning(tmp_path):
    (tmp_path / "mine.md").write_text("# Git\n- rebase: 履歴を付け替える\n", encoding="utf-8")
    (tmp_path / "sjis.md").write_bytes("# 古い\n- メモ\n".encode("shift_jis"))
    result = run_cli("ask", "--json", "--corpus", str(tmp_path), "rebaseとは")
    assert result.returncode == 0
    assert json.loads(result.stdout)["hits"][0]["source"] == "mine.md"
    assert "sjis.md" in result.stderr


def test_eval_prints_the_metrics():
    result = run_cli("eval", "tests/data/questions.jsonl")
    assert result.returncode == 0, result.stderr
    for label in ("hit@1:", "hit@3:", "MRR:", "unanswerable refused:"):
        assert label in result.stdout


def test_the_cli_never_imports_discord():
    code = "import sys, bot.cli; bot.cli.main(['ask', 'KVM']); assert 'discord' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_reader_that_leaves_early_gets_no_traceback():
    """`manabi ask --json < questions | head -n 1`: far more output than a pipe holds."""
    cli = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    cli.stdin.write("仮想化とは？\n".encode() * 300)
    cli.stdin.close()
    assert json.loads(cli.stdout.readline())["hits"]
    cli.stdout.close()  # what head does after its first line
    stderr = cli.stderr.read().decode()
    assert cli.wait(timeout=120) == 141
    assert "Traceback" not in stderr
