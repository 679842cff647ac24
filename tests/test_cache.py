"""The cache: a restart tokenizes and analyses nothing, an edit re-tokenizes one file,
and a bad cache file is ignored and rebuilt, never a crash. Real SudachiPy throughout.
(tests/test_quiz.py checks the quiz analyses it keeps.)"""

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from bot.core import build as build_module
from bot.core import cache as cache_module
from bot.core.analyzer import Analyzer
from bot.core.build import Built, build
from bot.core.cache import FORMAT, SECTION_FIELDS, NotesCache
from bot.core.morphology import shared_morphology
from bot.core.notes import load_corpus
from bot.core.quiz import QuizEngine, analyze_section
from bot.core.search import SectionSearch
from bot.progress_bar import ProgressBar, stderr_progress
from tests.conftest import SHIPPED_CORPUS

QUESTIONS = ["KVMとQEMUの違いは？", "準仮想化とは？", "SMBとは", "コンテナの名前空間", "ケーブルの色"]
EXTRA_NOTE = "# ストレージ\n- RAID\n  - RAID1はミラーリング\n  - RAID5はパリティ\n- NFS: ネットワークファイルシステム\n"


class CountingAnalyzer:
    """The session's analyzer, recording the text of every section it makes terms for
    (each read once per build) and every heading or alias tokenized on its own."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.texts: list[str] = []
        self.contexts: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def tokens_from_morphemes(self, morphemes, text: str):
        self.texts.append(text)
        return self.inner.tokens_from_morphemes(morphemes, text)

    def terms(self, text: str) -> list[str]:
        self.contexts.append(text)
        return self.inner.terms(text)


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


def cache_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.jsonl"))


CORPUS_WIDE = ("index", "quiz", "items")  # the last lines, made from all entries


def entry_keys(cache_dir: Path) -> list[str]:
    """The entry keys in the cache files: one entry a notes file."""
    lines = [line for f in cache_files(cache_dir) for line in f.read_text(encoding="utf-8").splitlines()[1:]]
    return [key for key in (line.split("\t")[0] for line in lines) if key not in CORPUS_WIDE]


def rewrite_entries(cache_dir: Path, change) -> None:
    """Replace each entry's JSON text by change(text) in every cache file."""
    for f in cache_files(cache_dir):
        header, *lines = f.read_text(encoding="utf-8").splitlines()
        entries = [line.split("\t", 1) for line in lines]
        rewritten = [f"{key}\t{rows if key in CORPUS_WIDE else change(rows)}" for key, rows in entries]
        f.write_text("\n".join([header, *rewritten]) + "\n", encoding="utf-8")


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
    assert counting.texts == [s.text for s in edited]
    assert built.search.search("iSCSIとは", 1)[0].section.file == "infra/storage.md"
    assert answers(built.search) == answers(fresh(notes, analyzer)[1])
    assert len(entry_keys(cache_dir)) == 2  # the edited file's old entry is gone


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
    assert len(entry_keys(cache_dir)) == 1


def _parts(change):
    """A corruption of each entry's parsed parts [sections, search, the analysis of each
    section...], edited in place."""

    def corrupt(text: str) -> str:
        parts = [json.loads(part) for part in text.split("\t")]
        change(parts)
        return "\t".join(json.dumps(part, ensure_ascii=False) for part in parts)

    return corrupt


def _set(part: int, index: int, value):
    def change(parts):
        parts[part][0][index] = value

    return change


SECTIONS, SEARCH, ANALYSES = range(3)

ENTRY_CORRUPTIONS = {
    "garbage": lambda text: "\x00 garbage",
    "empty": lambda text: "",
    "truncated": lambda text: text[: text.index("\t") // 2],
    "a JSON list of numbers": lambda text: "[1, 2, 3]\t[1, 2, 3]\t[]",
    "JSON null": lambda text: "null\tnull\tnull",
    "rows in an object": _parts(lambda parts: parts.__setitem__(SECTIONS, {"0": parts[SECTIONS]})),
    "deeply nested JSON": lambda text: "[" * 100_000 + "]" * 100_000 + text[text.index("\t") :],
    "fewer search rows than sections": _parts(lambda parts: parts[SEARCH].pop()),
    "terms that are not a string": _parts(_set(SEARCH, 0, [1, 2, 3])),
    "places that are not a string": _parts(_set(SEARCH, 1, [0, 1, 2])),
    "a search row of the old shape (terms, count, offsets)": _parts(lambda parts: parts[SEARCH][0].insert(1, 1)),
    "a line number as a string": _parts(_set(SECTIONS, SECTION_FIELDS.index("line_start"), "3")),
    "headings that are not strings": _parts(_set(SECTIONS, SECTION_FIELDS.index("headings"), [1])),
    "a section of fewer fields": _parts(lambda parts: parts[SECTIONS].__setitem__(0, parts[SECTIONS][0][:5])),
}


@pytest.mark.parametrize("corrupt", ENTRY_CORRUPTIONS.values(), ids=ENTRY_CORRUPTIONS.keys())
def test_a_corrupt_entry_is_ignored_and_rebuilt(notes, cache_dir, analyzer, corrupt):
    build_notes(notes, analyzer, cache_dir)
    rewrite_entries(cache_dir, corrupt)
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


def _header(change):
    def corrupt(data: bytes) -> bytes:
        header, _, body = data.partition(b"\n")
        fields = json.loads(header)
        change(fields)
        return json.dumps(fields, ensure_ascii=False).encode() + b"\n" + body

    return corrupt


FILE_CORRUPTIONS = {
    "garbage bytes": lambda data: b"\x80\x00\xff garbage \xfe",
    "empty file": lambda data: b"",
    "not UTF-8 in every entry": lambda data: b"\n".join(
        [line if i == 0 else line[:33] + b"\xff\xfe" + line[33:] for i, line in enumerate(data.split(b"\n"))]
    ),
    "another fingerprint": _header(lambda h: h.update(fingerprint=h["fingerprint"].replace("sudachipy=", "sudachipy=0.0.1-"))),
    "another format": _header(lambda h: h.update(format=FORMAT - 1)),
    "other Section fields": _header(lambda h: h.update(section=[*h["section"], "summary"])),
    "entries under other keys": lambda data: b"\n".join(
        [line if i == 0 else b"0" * 32 + line[32:] for i, line in enumerate(data.split(b"\n"))]
    ),
}


@pytest.mark.parametrize("corrupt", FILE_CORRUPTIONS.values(), ids=FILE_CORRUPTIONS.keys())
def test_a_corrupt_or_foreign_cache_file_is_a_miss(notes, cache_dir, analyzer, corrupt):
    build_notes(notes, analyzer, cache_dir)
    (path,) = cache_files(cache_dir)
    path.write_bytes(corrupt(path.read_bytes()))
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    assert len(counting.texts) == len(built.corpus.sections)
    assert answers(built.search) == answers(fresh(notes, analyzer)[1])
    after = CountingAnalyzer(analyzer)
    build_notes(notes, after, cache_dir)
    assert after.texts == []


def test_a_damaged_cached_analysis_is_made_again_when_needed(notes, cache_dir, analyzer):
    """Analyses stay JSON text until the quiz needs them: a bad one is analysed again then."""
    build_notes(notes, analyzer, cache_dir)
    expected = QuizEngine(fresh(notes, analyzer)[0].sections).items
    rewrite_entries(cache_dir, _parts(lambda parts: parts[ANALYSES].__setitem__(0, {"not": "an analysis"})))
    assert build_notes(notes, analyzer, cache_dir).quiz.items == expected
    # One analysis too few: no part can be told apart, all of that entry's are made again.
    rewrite_entries(cache_dir, _parts(lambda parts: parts.pop(ANALYSES)))
    assert build_notes(notes, analyzer, cache_dir).quiz.items == expected
    rewrite_entries(cache_dir, lambda text: text[: text.rindex("\t") + 5])  # analyses cut short
    assert build_notes(notes, analyzer, cache_dir).quiz.items == expected


def test_each_section_reads_its_own_cached_analysis(notes, cache_dir, analyzer, monkeypatch):
    """Read one at a time from the middle, last and first of an entry, each section's
    analysis is its own, and none is made again."""
    build_notes(notes, analyzer, cache_dir)
    expected = [analyze_section(s, shared_morphology()) for s in fresh(notes, analyzer)[0].sections]
    built = build_notes(notes, analyzer, cache_dir)
    remade = []
    monkeypatch.setattr(build_module, "analyze", lambda section, *args, **kwargs: remade.append(section))
    order = [len(expected) // 2, len(expected) - 1, 0, *range(len(expected))]
    assert [built.quiz._analyses[i] for i in order] == [expected[i] for i in order]
    assert remade == []


DAMAGED_PLACES = {
    "numbers that are not numbers": lambda places: re.sub(r"\d", "x", places),
    "a token cut short": lambda places: re.sub(r",\d+(?=\n|$)", "", places),
}


@pytest.mark.parametrize("damage", DAMAGED_PLACES.values(), ids=DAMAGED_PLACES.keys())
def test_damaged_token_places_only_lose_the_highlight(notes, cache_dir, analyzer, damage):
    build_notes(notes, analyzer, cache_dir)
    rewrite_entries(cache_dir, _parts(lambda parts: [row.__setitem__(1, damage(row[1])) for row in parts[SEARCH]]))
    built = build_notes(notes, analyzer, cache_dir)
    hit = built.search.rank("KVMとQEMUの違いは？", 1).hits[0]
    assert hit.matched and hit.spans == ()


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
    build_notes(notes, analyzer, cache_dir)
    monkeypatch.setattr(cache_module, "code_digest", lambda: "another version of manabi")
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    assert len(counting.texts) == len(built.corpus.sections)
    assert len(entry_keys(cache_dir)) == 2  # the entries of the old code are gone


def test_the_code_digest_covers_every_module_under_bot_core(tmp_path, monkeypatch):
    """A new module or sub-package (the quiz package, markdown.py) changes the digest."""
    core = tmp_path / "core"
    (core / "quiz").mkdir(parents=True)
    (core / "notes.py").write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache_module, "CORE", core)
    digests = []
    for change in (
        lambda: None,
        lambda: (core / "quiz" / "pools.py").write_text("B = 2\n", encoding="utf-8"),
        lambda: (core / "quiz" / "pools.py").write_text("B = 3\n", encoding="utf-8"),
        lambda: (core / "markdown.py").write_text("", encoding="utf-8"),
    ):
        change()
        cache_module.code_digest.cache_clear()
        digests.append(cache_module.code_digest())
    cache_module.code_digest.cache_clear()
    assert len(set(digests)) == 4


def test_new_section_fields_are_stored_without_cache_changes(notes, cache_dir, analyzer):
    """Sections are stored field by field from dataclasses.fields(Section)."""
    build_notes(notes, analyzer, cache_dir)
    (path,) = cache_files(cache_dir)
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["section"] == list(SECTION_FIELDS)
    assert {"kind", "markdown", "aliases"} <= set(SECTION_FIELDS)
    assert build_notes(notes, analyzer, cache_dir).corpus == fresh(notes, analyzer)[0]


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


def test_the_cache_is_written_whole_with_no_temporary_files_left(notes, cache_dir, analyzer):
    build_notes(notes, analyzer, cache_dir)
    files = list(cache_dir.rglob("*"))
    assert len(files) == 1 and files[0].suffix == ".jsonl"
    header, *entries, quiz, items = files[0].read_text(encoding="utf-8").splitlines()
    assert json.loads(header)["format"] == FORMAT
    assert len(entries) == 2
    sections = 0
    for entry in entries:
        key, rows, search, *analyses = entry.split("\t")
        assert len(key) == 32 and type(json.loads(rows)) is type(json.loads(search)) is list
        assert len(analyses) == len(json.loads(rows)) and all(type(json.loads(a)) is list for a in analyses)
        sections += len(analyses)
    assert quiz.startswith("quiz\t") and json.loads(quiz.split("\t", 1)[1])["entries"] == [e[:32] for e in entries]
    # The quiz items: what they were made from, then one part a section.
    name, head, *parts = items.split("\t")
    assert name == "items" and json.loads(head)["entries"] == [e[:32] for e in entries]
    assert len(parts) == sections and all(type(json.loads(p)) is list for p in parts)


def test_an_unchanged_build_does_not_rewrite_the_cache(notes, cache_dir, analyzer):
    build_notes(notes, analyzer, cache_dir)
    (path,) = cache_files(cache_dir)
    path.touch()
    before = path.stat().st_mtime_ns
    path_id = path.stat().st_ino
    build_notes(notes, analyzer, cache_dir)
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == (before, path_id)


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
    for _start in ("cold", "warm"):  # tokenizing, then loading from the cache
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


# The search index stored with the entries -----------------------------------------


@pytest.fixture
def array_index(monkeypatch):
    """Index even these few sections with numpy arrays, the kind that is stored."""
    from bot.core import index as index_module

    monkeypatch.setattr(index_module, "ARRAY_MIN_DOCS", 1)


def index_line(cache_dir: Path) -> dict:
    return corpus_wide_line(cache_dir, "index")


def corpus_wide_line(cache_dir: Path, name: str) -> dict:
    (path,) = cache_files(cache_dir)
    (line,) = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(f"{name}\t")]
    return json.loads(line.split("\t", 1)[1])


def test_a_restart_with_unchanged_notes_loads_the_index_instead_of_building_it(
    notes, cache_dir, analyzer, array_index, monkeypatch
):
    build_notes(notes, analyzer, cache_dir)
    assert len(index_line(cache_dir)["entries"]) == 2
    from bot.core.index import BM25Index

    monkeypatch.setattr(BM25Index, "__init__", lambda *a, **k: pytest.fail("built the index again"))
    warm = build_notes(notes, analyzer, cache_dir)
    monkeypatch.undo()
    assert answers(warm.search) == answers(fresh(notes, analyzer)[1])
    assert warm.search.rank("KVMとQEMUの違いは？", 1).hits[0].spans  # offsets read lazily too


def test_an_edited_note_rebuilds_and_stores_the_index(notes, cache_dir, analyzer, array_index):
    build_notes(notes, analyzer, cache_dir)
    before = index_line(cache_dir)
    (notes / "infra" / "storage.md").write_text(EXTRA_NOTE + "- iSCSI: ブロックストレージ\n", encoding="utf-8")
    built = build_notes(notes, analyzer, cache_dir)
    after = index_line(cache_dir)
    assert after["entries"] != before["entries"] and after["vocabulary"] != before["vocabulary"]
    assert built.search.search("iSCSIとは", 1)[0].section.file == "infra/storage.md"
    assert answers(built.search) == answers(fresh(notes, analyzer)[1])


INDEX_CORRUPTIONS = {
    "not JSON": lambda line: "{",
    "another order of entries": lambda line: line.update(entries=line["entries"][::-1]),
    "another size": lambda line: line.update(size=line["size"] + 1),
    "other parameters": lambda line: line.update(k1=1.5),
    "a document out of range": lambda line: line.update(docs=_b64_ints([10**9])),
    "arrays of other lengths": lambda line: line.update(weights=_b64_ints([1, 2])),
    "not base64": lambda line: line.update(docs="!!!"),
    "a vocabulary of numbers": lambda line: line.update(vocabulary=[1, 2]),
    "no vocabulary": lambda line: line.pop("vocabulary"),
}


def _b64_ints(values) -> str:
    import base64
    import struct

    return base64.b64encode(struct.pack(f"<{len(values)}q", *values)).decode()


@pytest.mark.parametrize("corrupt", INDEX_CORRUPTIONS.values(), ids=INDEX_CORRUPTIONS.keys())
def test_a_damaged_or_foreign_index_is_built_again(notes, cache_dir, analyzer, array_index, corrupt):
    build_notes(notes, analyzer, cache_dir)
    stored = index_line(cache_dir)
    rewrite_corpus_wide(cache_dir, "index", corrupt)
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    assert counting.texts == []  # the entries are fine: nothing tokenized
    assert answers(built.search) == answers(fresh(notes, analyzer)[1])
    assert index_line(cache_dir) == stored  # stored again


QUIZ_FACTS_CORRUPTIONS = {
    "not JSON": lambda facts: "{",
    "another order of entries": lambda facts: facts.update(entries=facts["entries"][::-1]),
    "another size": lambda facts: facts.update(sections=facts["sections"] + 1),
    "a frequency as a string": lambda facts: facts["document_frequency"].update({"kvm": "1"}),
    "a term of another section": lambda facts: facts["terms"].append([10**6, "KVM", "kvm", "latin"]),
    "no terms": lambda facts: facts.pop("terms"),
}


@pytest.mark.parametrize("corrupt", QUIZ_FACTS_CORRUPTIONS.values(), ids=QUIZ_FACTS_CORRUPTIONS.keys())
def test_damaged_or_foreign_quiz_facts_are_made_again(notes, cache_dir, analyzer, corrupt):
    build_notes(notes, analyzer, cache_dir)
    stored = corpus_wide_line(cache_dir, "quiz")
    rewrite_corpus_wide(cache_dir, "quiz", corrupt)
    counting = CountingAnalyzer(analyzer)
    built = build_notes(notes, counting, cache_dir)
    assert counting.texts == []  # the entries are fine: nothing tokenized
    assert built.quiz.items == QuizEngine(fresh(notes, analyzer)[0].sections).items
    assert corpus_wide_line(cache_dir, "quiz") == stored  # made and stored again


def rewrite_corpus_wide(cache_dir: Path, name: str, corrupt) -> None:
    """Replace the line `name\t<JSON>` by corrupt(its data): the string it returns, or
    the data it changed in place."""
    (path,) = cache_files(cache_dir)
    lines = path.read_text(encoding="utf-8").splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith(f"{name}\t")]
    data = json.loads(lines[at].split("\t", 1)[1])
    changed = corrupt(data)
    lines[at] = f"{name}\t{changed if isinstance(changed, str) else json.dumps(data, ensure_ascii=False)}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_cache_of_the_previous_format_is_removed(notes, cache_dir, analyzer):
    build_notes(notes, analyzer, cache_dir)
    (path,) = cache_files(cache_dir)
    old = cache_dir / path.stem  # format 2: <corpus id>/<entry key>.json
    old.mkdir()
    (old / ("0" * 32 + ".json")).write_text("{}", encoding="utf-8")
    build_notes(notes, analyzer, cache_dir)
    assert not old.exists() and cache_files(cache_dir) == [path]


def test_notes_and_an_inbox_restart_on_the_index_stored_for_both(notes, cache_dir, analyzer, array_index, monkeypatch, tmp_path):
    # The bot searches the notes and the inbox of captured notes together: the first
    # folder's cache keeps the index of both, so a restart builds no index either.
    from bot.core.index import BM25Index
    from bot.core.library import NotesFolder, NotesLibrary
    from bot.core.morphology import shared_morphology

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "2026-12-01.md").write_text("# 学んだこと\n\n- ペンギノスはテスト用の架空の言葉\n", encoding="utf-8")
    folders = (NotesFolder(notes), NotesFolder(inbox, "inbox", required=False))

    def read():
        return NotesLibrary(folders, analyzer, shared_morphology(), cache_dir).read_all()

    first = read()
    monkeypatch.setattr(BM25Index, "__init__", lambda *a, **k: pytest.fail("built the index again"))
    warm = read()
    monkeypatch.undo()
    assert [s.file for s in warm.corpus.sections] == [s.file for s in first.corpus.sections]
    assert warm.search.search("ペンギノスとは？", 1)[0].section.file == "inbox/2026-12-01.md"
    assert answers(warm.search) == answers(first.search)
    assert warm.quiz.items == first.quiz.items
    (inbox / "2026-12-01.md").write_text("# 学んだこと\n\n- ペンギノスは別の架空の言葉\n", encoding="utf-8")
    assert read().search.search("ペンギノスとは？", 1)[0].section.text == "- ペンギノスは別の架空の言葉"
