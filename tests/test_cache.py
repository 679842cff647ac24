"""The cache: a restart tokenizes and analyses nothing, an edit re-tokenizes one file,
and a bad cache file is ignored and rebuilt, never a crash. Real SudachiPy throughout.
(tests/test_quiz.py checks the quiz analyses it keeps.)"""

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.core import cache as cache_module
from bot.core.analyzer import Analyzer
from bot.core.build import Built, build
from bot.core.cache import CODE_MODULES, FORMAT, NotesCache, code_digest
from bot.core.morphology import shared_morphology
from bot.core.notes import load_corpus
from bot.core.quiz import QuizEngine
from bot.core.search import SectionSearch
from bot.progress_bar import ProgressBar, stderr_progress
from tests.conftest import SHIPPED_CORPUS

QUESTIONS = ["KVMとQEMUの違いは？", "準仮想化とは？", "SMBとは", "コンテナの名前空間", "ケーブルの色"]
EXTRA_NOTE = "# ストレージ\n- RAID\n  - RAID1はミラーリング\n  - RAID5はパリティ\n- NFS: ネットワークファイルシステム\n"


class CountingAnalyzer:
    """The session's analyzer, recording every text it turns into terms."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def terms(self, text: str) -> list[str]:
        self.texts.append(text)
        return self.inner.terms(text)

    def topic_terms(self, text: str) -> list[str]:
        return self.inner.topic_terms(text)

    def tokens(self, text: str):
        return self.inner.tokens(text)  # questions only: notes go through terms()


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "infra").mkdir(parents=True)
    shutil.copy(SHIPPED_CORPUS / "notes.md", folder / "notes.md")
    (folder / "infra" / "storage.md").write_text(EXTRA_NOTE, encoding="utf-8")
    return folder


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "cache"


def answers(search: SectionSearch) -> list:
    return [(h.section, h.score, h.matched) for q in QUESTIONS for h in search.rank(q, 5).hits]


def fresh(notes: Path, analyzer: Analyzer):
    """A build with no cache at all, the way it was done before the cache existed."""
    corpus = load_corpus(notes)
    return corpus, SectionSearch(corpus.sections, analyzer)


def build_notes(notes: Path, analyzer, cache_dir: Path | None, progress=None) -> Built:
    """build() with the process's one morphology, as the service calls it."""
    return build(notes, analyzer, shared_morphology(), cache_dir, progress)


def entry_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*/*.json"))


def test_a_restart_with_unchanged_notes_tokenizes_nothing(notes, cache_dir, analyzer):
    first = CountingAnalyzer(analyzer)
    corpus = build_notes(notes, first, cache_dir).corpus
    assert len(first.texts) == len(corpus.sections)
    second = CountingAnalyzer(analyzer)
    again = build_notes(notes, second, cache_dir)
    assert second.texts == []
    assert again.corpus == corpus
    assert answers(again.search) == answers(fresh(notes, analyzer)[1])
    assert again.quiz.items == QuizEngine(corpus.sections).items


def test_editing_one_file_retokenizes_that_file_alone(notes, cache_dir, analyzer):
    build_notes(notes, analyzer, cache_dir)
    edit = EXTRA_NOTE + "- iSCSI: ブロックストレージをネットワーク越しに\n"
    (notes / "infra" / "storage.md").write_text(edit, encoding="utf-8")
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    edited = [s for s in built.corpus.sections if s.file == "infra/storage.md"]
    assert len(counting.texts) == len(edited) == 3
    assert all("ストレージ" in text for text in counting.texts)  # the heading path of that file
    assert built.search.search("iSCSIとは", 1)[0].section.file == "infra/storage.md"
    assert answers(built.search) == answers(fresh(notes, analyzer)[1])
    assert len(entry_files(cache_dir)) == 2  # the edited file's old entry is gone


def test_renaming_a_file_retokenizes_nothing_and_uses_the_new_name(notes, cache_dir, analyzer):
    build_notes(notes, analyzer, cache_dir)
    (notes / "infra" / "storage.md").rename(notes / "storage-renamed.md")
    counting = CountingAnalyzer(analyzer)
    corpus = build_notes(notes, counting, cache_dir).corpus
    assert counting.texts == []
    assert corpus == fresh(notes, analyzer)[0]
    assert {s.file for s in corpus.sections} == {"notes.md", "storage-renamed.md"}


def test_a_deleted_file_leaves_no_entry_behind(notes, cache_dir, analyzer):
    build_notes(notes, analyzer, cache_dir)
    (notes / "infra" / "storage.md").unlink()
    build_notes(notes, analyzer, cache_dir)
    assert len(entry_files(cache_dir)) == 1


def _truncate(text: str) -> str:
    return text[: len(text) // 2]


def _wrong_shape(text: str) -> str:
    entry = json.loads(text)
    entry["sections"][0][4] = [1, 2, 3]  # terms that are not strings
    return json.dumps(entry)


def _analysis_of_another_shape(text: str) -> str:
    entry = json.loads(text)
    entry["sections"][0][5] = {"definitions": [], "sentences": []}
    return json.dumps(entry)


def _analysis_with_a_wrong_type(text: str) -> str:
    entry = json.loads(text)
    row = next(row for row in entry["sections"] if row[5][1] and row[5][1][0][1])  # a sentence with candidates
    row[5][1][0][1][0][2] = "0"  # a candidate's offset as a string
    return json.dumps(entry)


def _analysis_missing(text: str) -> str:
    entry = json.loads(text)
    entry["sections"] = [row[:5] for row in entry["sections"]]  # a row as the first format wrote it
    return json.dumps(entry)


def _not_a_list_of_rows(text: str) -> str:
    entry = json.loads(text)
    entry["sections"] = {"0": entry["sections"]}
    return json.dumps(entry)


def _other_fingerprint(text: str) -> str:
    entry = json.loads(text)
    entry["fingerprint"] = entry["fingerprint"].replace("sudachipy=", "sudachipy=0.0.1-")
    return json.dumps(entry)


def _swapped_with_another_entry(text: str) -> str:
    entry = json.loads(text)
    entry["key"] = "0" * 32  # a valid entry, copied under another entry's name
    return json.dumps(entry)


CORRUPTIONS = {
    "garbage bytes": lambda text: b"\x80\x00\xff garbage \xfe",
    "empty file": lambda text: b"",
    "truncated JSON": lambda text: _truncate(text).encode(),
    "a JSON list": lambda text: b"[1, 2, 3]",
    "JSON null": lambda text: b"null",
    "terms that are not strings": lambda text: _wrong_shape(text).encode(),
    "an analysis of another shape": lambda text: _analysis_of_another_shape(text).encode(),
    "an analysis with a wrong type": lambda text: _analysis_with_a_wrong_type(text).encode(),
    "no analysis": lambda text: _analysis_missing(text).encode(),
    "sections not a list": lambda text: _not_a_list_of_rows(text).encode(),
    "another fingerprint": lambda text: _other_fingerprint(text).encode(),
    "another entry's key": lambda text: _swapped_with_another_entry(text).encode(),
    "deeply nested JSON": lambda text: b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupt_or_foreign_entry_is_ignored_and_rebuilt(notes, cache_dir, analyzer, corrupt):
    build_notes(notes, analyzer, cache_dir)
    for path in entry_files(cache_dir):
        path.write_bytes(corrupt(path.read_text(encoding="utf-8")))
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    expected_corpus, expected_search = fresh(notes, analyzer)
    assert len(counting.texts) == len(built.corpus.sections)  # everything tokenized again
    assert built.corpus == expected_corpus
    assert answers(built.search) == answers(expected_search)
    assert built.quiz.items == QuizEngine(expected_corpus.sections).items
    # ... and written back whole: the next start tokenizes nothing.
    after = CountingAnalyzer(analyzer)
    build_notes(notes, after, cache_dir)
    assert after.texts == []


def test_a_cache_made_with_other_tokenizer_settings_is_not_used(notes, cache_dir, analyzer):
    other = Analyzer(expand_compounds=False)
    assert other.fingerprint != analyzer.fingerprint
    build_notes(notes, other, cache_dir)
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    assert len(counting.texts) == len(built.corpus.sections)
    assert answers(built.search) == answers(fresh(notes, analyzer)[1])


def test_a_cache_made_by_other_code_is_not_used(notes, cache_dir, analyzer, monkeypatch):
    """An upgrade of manabi with the cache kept (the container's /data volume)."""
    assert set(CODE_MODULES) >= {"notes.py", "analyzer.py", "search.py", "quiz", "morphology.py", "cache.py"}
    assert len(code_digest()) == 64  # every one of them is there to read
    build_notes(notes, analyzer, cache_dir)
    monkeypatch.setattr(cache_module, "code_digest", lambda: "another version of manabi")
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    assert len(counting.texts) == len(built.corpus.sections)
    assert len(entry_files(cache_dir)) == 2  # the entries of the old code are gone


def test_search_results_with_the_cache_equal_those_without(cache_dir, analyzer):
    questions = [json.loads(line)["question"] for line in (Path(__file__).parent / "data" / "questions.jsonl").open()]
    without = build_notes(SHIPPED_CORPUS, analyzer, cache_dir=None).search
    build_notes(SHIPPED_CORPUS, analyzer, cache_dir)
    warm = build_notes(SHIPPED_CORPUS, analyzer, cache_dir).search
    _, before = fresh(SHIPPED_CORPUS, analyzer)
    for question in questions:
        expected = before.search(question, 3)
        assert without.search(question, 3) == expected
        assert warm.search(question, 3) == expected


def test_an_unwritable_cache_is_one_warning_not_a_crash(notes, tmp_path, analyzer):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    built = build_notes(notes, analyzer, blocked)
    assert len(built.corpus.warnings) == 1 and "キャッシュ" in built.corpus.warnings[0]
    assert answers(built.search) == answers(fresh(notes, analyzer)[1])


def test_no_cache_dir_writes_nothing(notes, tmp_path, analyzer):
    before = sorted(tmp_path.rglob("*"))
    build_notes(notes, analyzer, cache_dir=None)
    assert sorted(tmp_path.rglob("*")) == before


def test_two_notes_folders_sharing_a_cache_keep_their_entries(notes, tmp_path, cache_dir, analyzer):
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("# 別のノート\n- 全く違う内容\n", encoding="utf-8")
    build_notes(notes, analyzer, cache_dir)
    build_notes(other, analyzer, cache_dir)
    counting = CountingAnalyzer(analyzer)
    build_notes(notes, counting, cache_dir)
    assert counting.texts == []


def test_entries_are_written_whole_with_no_temporary_files_left(notes, cache_dir, analyzer):
    build_notes(notes, analyzer, cache_dir)
    files = list(cache_dir.rglob("*.*"))
    assert files and all(f.suffix == ".json" for f in files)
    for f in files:
        assert json.loads(f.read_text(encoding="utf-8"))["format"] == FORMAT


def test_cache_keys_depend_on_content_and_fingerprint(tmp_path):
    from bot.core.notes import NoteFile

    a = NotesCache(tmp_path, tmp_path, "fingerprint-a")
    b = NotesCache(tmp_path, tmp_path, "fingerprint-b")
    note = NoteFile("x.md", "- 内容")
    assert a.key(note) == a.key(NoteFile("renamed.md", "- 内容"))
    assert a.key(note) != a.key(NoteFile("x.md", "- 内容!"))
    assert a.key(note) != b.key(note)


def test_cache_keys_depend_on_the_code(tmp_path, monkeypatch):
    from bot.core.notes import NoteFile

    cache, note = NotesCache(tmp_path, tmp_path, "fingerprint"), NoteFile("x.md", "- 内容")
    before = cache.key(note)
    monkeypatch.setattr(cache_module, "code_digest", lambda: "another version of manabi")
    assert cache.key(note) != before


def test_progress_moves_forward_to_exactly_the_total(notes, cache_dir, analyzer):
    total = sum(len(p.read_text(encoding="utf-8")) for p in notes.rglob("*.md"))
    for build in ("cold", "warm"):  # tokenizing, then loading from the cache
        calls = []
        build_notes(notes, analyzer, cache_dir, progress=lambda done, all: calls.append((done, all)))
        assert {all for _, all in calls} == {total}, build
        done = [d for d, _ in calls]
        assert done == sorted(done) and done[-1] == total, build
    assert len(calls) == 2  # warm: one step a file


def test_section_search_reports_progress_without_a_cache(analyzer):
    sections = load_corpus(SHIPPED_CORPUS).sections
    calls = []
    SectionSearch(sections, analyzer, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (len(sections), len(sections)) and len(calls) == len(sections)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_progress_bar_stays_silent_on_a_quick_build():
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, delay=1.0, clock=clock)
    for done in range(1, 101):
        clock.now = done * 0.005
        bar(done, 100)
    assert stream.getvalue() == ""


def test_the_progress_bar_appears_after_a_second_and_ends_its_line():
    stream, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(stream, delay=1.0, clock=clock)
    for done in range(1, 1001):
        clock.now = done * 0.002
        bar(done, 1000)
    out = stream.getvalue()
    assert out.startswith("\r") and out.endswith("] 100%\n")
    assert out.count("\r") <= 12  # redrawn about every 0.1 s, not per section
    clock.now += 10
    bar(1, 2)  # a later build (a reload) starts its own clock: silent at first
    assert stream.getvalue() == out


def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert stderr_progress() is None
