import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from bot.core.notes import load_corpus
from tests.conftest import ROOT, SHIPPED_CORPUS


@pytest.fixture(autouse=True)
def _data_in_tmp(tmp_path, monkeypatch):
    # The CLI keeps its cache beside the database: keep both out of the checkout.
    monkeypatch.setenv("MANABI_DB", str(tmp_path / "data" / "manabi.db"))


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )


def run_cli_bytes(*args: str | bytes, stdin: bytes | None = None, env: dict | None = None):
    """run_cli with bytes in and out: for bytes that are not UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )


def one_error_line(result, code: int) -> str:
    """The one line on stderr of a command that failed with code."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("エラー: "), result.stderr
    return result.stderr


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
    assert set(hit) >= {"headings", "text", "markdown", "kind", "score", "source", "line_start", "line_end", "matched"}
    section = next(s for s in load_corpus(SHIPPED_CORPUS).sections if s.line_start == hit["line_start"])
    assert (hit["kind"], hit["markdown"]) == (section.kind, section.markdown)  # the section's own values
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


def test_a_refusal_names_the_words_the_notes_never_write():
    result = run_cli("ask", "--json", "EEVDFはどうやってタスクを選ぶの？")
    assert json.loads(result.stdout)["unwritten"][0] == "EEVDF"
    text = run_cli("ask", "EEVDFはどうやってタスクを選ぶの？")
    lines = text.stdout.splitlines()
    assert lines[0] == "ノートにはこの質問に関係する内容が見つかりませんでした。"
    assert lines[1].startswith("ノートに出てこない言葉: EEVDF")
    assert "用語集.md に「- EEVDF = ノートでの名前」" in lines[2]


def test_batch_reads_one_question_a_line_and_answers_each_line():
    result = run_cli("ask", "-k", "1", stdin="SMBとは\n\nこんにちは\n   \nkerberos\n")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    # Output line n answers input line n: a blank line gets an answer with no hits.
    assert [a["question"] for a in answers] == ["SMBとは", "", "こんにちは", "", "kerberos"]
    assert answers[0]["hits"][0]["headings"] == ["ネットワークファイルシステム", "SMB"]
    assert answers[1] == {"question": "", "hits": [], "quiz": [], "unwritten": []}
    assert answers[2]["hits"] == []


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
    for label in ("hit@1:", "hit@3:", "MRR:", "unanswerable refused:", "answerable refused:"):
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


# --- bad input: one line and a documented exit code, never a traceback ------------------------


def test_a_question_with_bytes_that_are_not_utf8_is_answered_with_a_replacement_character():
    # Decision: a byte that is not UTF-8 becomes U+FFFD and the rest is answered.
    question = b"KVM\xff" + "とは".encode()
    result = run_cli_bytes("ask", "--json", question)
    assert result.returncode == 0, result.stderr.decode()
    answer = json.loads(result.stdout)
    assert answer["question"] == "KVM\ufffdとは"
    assert "kvm" in answer["hits"][0]["matched"]
    text = run_cli_bytes("ask", question)
    assert text.returncode == 0 and b"Traceback" not in text.stderr
    assert "**KVM**" in text.stdout.decode()


def test_batch_questions_with_bytes_that_are_not_utf8_are_answered_line_by_line():
    result = run_cli_bytes("ask", "-k", "1", stdin=b"KVM\xff\xfe\n\xff\nSMB\n")
    assert result.returncode == 0, result.stderr.decode()
    answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [a["question"] for a in answers] == ["KVM\ufffd\ufffd", "\ufffd", "SMB"]
    assert answers[0]["hits"] and answers[2]["hits"]


def test_ask_from_any_folder_keeps_its_data_in_the_users_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MANABI_DB")
    here, data_home = tmp_path / "here", tmp_path / "xdg"
    here.mkdir()
    result = run_cli("ask", "KVMとは", cwd=here, env={"XDG_DATA_HOME": str(data_home)})
    assert result.returncode == 0, result.stderr
    assert list(here.iterdir()) == []
    assert list((data_home / "manabi" / "cache").iterdir())  # the cache was written there
    stats = run_cli("stats", cwd=here, env={"XDG_DATA_HOME": str(data_home)})
    assert stats.returncode == 0, stats.stderr
    assert (data_home / "manabi" / "manabi.db").is_file() and list(here.iterdir()) == []


def test_a_data_folder_that_cannot_be_made_answers_without_a_cache_and_stops_quiz_and_stats(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be\n")
    env = {"MANABI_DB": str(blocker / "manabi.db")}
    result = run_cli("ask", "KVMとは", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[1] ")
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("警告: ") and "キャッシュなし" in result.stderr
    for command in (("stats",), ("quiz", "--count", "1")):
        error = one_error_line(run_cli(*command, env=env, stdin="1\n"), 1)
        assert str(blocker) in error and "MANABI_DB" in error
    assert blocker.read_text() == "a file where the data folder should be\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_data_folder_answers_without_a_cache(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        env = {"MANABI_DB": str(locked / "data" / "manabi.db")}
        result = run_cli("ask", "KVMとは", env=env)
        assert result.returncode == 0 and result.stderr.startswith("警告: "), result.stderr
        one_error_line(run_cli("stats", env=env), 1)
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize(
    "content, problem",
    [
        ('{"question": "KVMとは", "expect": []}\n{"question": "SMBとは"}\n', ':2: "expect" がありません'),
        ('{"question": "KVMとは", "expect": []}\n[1, 2]\n', ":2: JSON のオブジェクト"),
        ('\n{"question": "KVMとは", "expect": [3]}\n', ':2: "expect" は'),
        ('{"question": "KVMとは", "expect": [{"file": "notes.md"}]}\n', ':1: "expect" は'),
        ('{"question": "", "expect": []}\n', ':1: "question"'),
        ('{"question": "KVMとは", "expect": []\n', ":1: JSON として読めません"),
        ("\n\n", ": 質問が一つもありません"),
        ("", ": 質問が一つもありません"),
    ],
)
def test_eval_names_the_file_line_and_problem_of_a_bad_question_file(tmp_path, content, problem):
    questions = tmp_path / "questions.jsonl"
    questions.write_text(content, encoding="utf-8")
    assert f"{questions}{problem}" in one_error_line(run_cli("eval", str(questions)), 2)


def test_eval_of_a_question_file_that_is_not_utf8_names_the_line(tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_bytes(b'{"question": "a", "expect": []}\n{"question": "\xff", "expect": []}\n')
    assert f"{questions}:2: UTF-8" in one_error_line(run_cli("eval", str(questions)), 2)


def test_corpus_that_is_a_file_asks_for_a_folder():
    error = one_error_line(run_cli("ask", "--corpus", str(ROOT / "corpus" / "notes.md"), "KVM"), 2)
    assert "フォルダで指定" in error and "notes.md はファイル" in error


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("manabi ") and result.stdout.split()[1][0].isdigit()


def test_terminal_escape_codes_in_notes_are_not_printed_raw(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "esc.md").write_text(
        "# 端末\n- エスケープ: \x1b[2J\x1b]0;title\x07画面を消す\x9b31m制御文字\x00です\n", encoding="utf-8"
    )
    result = run_cli_bytes("ask", "--corpus", str(notes), "エスケープとは")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "画面を消す" in out and "制御文字" in out
    assert not any(c in out for c in "\x1b\x07\x9b\x00")
    as_json = run_cli_bytes("ask", "--json", "--corpus", str(notes), "エスケープとは")
    raw = as_json.stdout.decode()
    assert not any(c in raw for c in "\x1b\x07\x9b\x00")
    hit = json.loads(raw)["hits"][0]
    assert hit["text"] == "- エスケープ: 画面を消す制御文字です"  # what a learner reads: no escape codes
    assert "\x1b[2J" in hit["markdown"]  # the source as written, escaped in the JSON


# --- a non-editable install ------------------------------------------------------------------


def test_the_wheel_ships_the_notes_and_an_installed_manabi_answers_from_them(tmp_path):
    """`pip install .` (not -e): the notes in corpus/ go into the wheel as bot/corpus/."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "corpus", source / "corpus")
    (source / "corpus" / "deeper" / "still").mkdir(parents=True)
    (source / "corpus" / "deeper" / "still" / "nested.md").write_text("# 入れ子\n- 深いメモ\n", encoding="utf-8")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("manabi-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    code = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py")}
    assert code <= names  # every module, whatever its subpackage
    assert {"bot/corpus/notes.md", "bot/corpus/deeper/still/nested.md"} <= names
    # Installed like this, with no clone around it, manabi finds and answers from them.
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "KVMとは"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site"), "MANABI_DB": str(tmp_path / "data" / "m.db")},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hits"][0]["source"] == "notes.md"
    where = subprocess.run(
        [sys.executable, "-c", "from bot.paths import shipped_corpus; print(shipped_corpus())"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    assert where.stdout.strip() == str(tmp_path / "site" / "bot" / "corpus")


def test_a_long_section_is_shown_as_an_excerpt_around_the_match(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    filler = "これは長い段落を作るための関係のない文です。" * 25  # 550 characters: one section of about 1,100
    (notes / "long.md").write_text(f"# 長い段落\n\n{filler}ペンギノスは南極の架空の鳥です。{filler}\n", encoding="utf-8")
    result = run_cli("ask", "--corpus", str(notes), "ペンギノスとは？", env={"MANABI_DB": str(tmp_path / "m.db")})
    assert result.returncode == 0, result.stderr
    body = result.stdout.split("\n", 1)[1].split("\n\n")[0]  # the first hit's text
    assert body.startswith("…") and body.endswith("…")
    assert "**ペンギノス**は南極の架空の鳥です" in body
    assert len(body.replace("**", "")) <= 602
