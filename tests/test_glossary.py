"""The learner's glossary (用語集.md / glossary.md): the forms of one line match each
other in questions, and the file stays a note like any other."""

import shutil

import pytest

from bot.core.analyzer import Analyzer
from bot.core.glossary import Glossary, glossary_forms, glossary_hint, is_glossary
from bot.core.models import Kind, Section
from bot.core.service import AnswerService
from tests.conftest import DATA, SHIPPED_CORPUS

SHIPPED_GLOSSARY = """# 用語集

- EPT = 拡張ページテーブル = Extended Page Tables
- ソフト ＝ ソフトウェア
- x = {}
""".format("名前にしては長すぎる説明の文" * 5)


@pytest.fixture(scope="module")
def shipped_with_glossary(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    folder = tmp_path_factory.mktemp("shipped-glossary")
    shutil.copy(SHIPPED_CORPUS / "notes.md", folder / "notes.md")
    (folder / "用語集.md").write_text(SHIPPED_GLOSSARY, encoding="utf-8")
    return AnswerService(folder, analyzer)


@pytest.mark.parametrize(
    "line, forms",
    [
        ("- EPT = 拡張ページテーブル = Extended Page Tables", ["EPT", "拡張ページテーブル", "Extended Page Tables"]),
        ("ソフト＝ソフトウェア", ["ソフト", "ソフトウェア"]),
        ("1. cgroups = コントロールグループ", ["cgroups", "コントロールグループ"]),
        ("- EPT: 拡張ページテーブル", []),
        ("- a = ", []),
        ("= b", []),
        ("x = " + "長" * 61, []),
    ],
)
def test_glossary_forms(line, forms):
    assert glossary_forms(line) == forms


@pytest.mark.parametrize(
    "file, glossary",
    [("用語集.md", True), ("notes/Glossary.md", True), ("a/b/GLOSSARY.md", True), ("glossary-notes.md", False), ("用語.md", False)],
)
def test_which_files_are_glossaries(file, glossary):
    assert is_glossary(file) is glossary


def test_the_forms_of_a_line_are_names_of_each_other(analyzer):
    section = Section("用語集.md", 1, 2, ("用語集",), "- EPT = 拡張ページテーブル\n- KVM: カーネルの仮想化")
    other = Section("notes.md", 1, 1, (), "- EPT = ページ")  # not a glossary file
    glossary = Glossary.from_sections([section, other], analyzer)
    assert glossary.names[("ept",)] == (("拡張", "ページ", "テーブル"),)
    assert glossary.names[("拡張", "ページ", "テーブル")] == (("ept",),)
    assert len(glossary.names) == 2


def test_without_a_glossary_file_the_glossary_is_empty(service):
    assert service.search.glossary.names == {}
    assert service.ask("EPTとは").hits == ()  # the shipped notes never say EPT


def test_a_glossary_name_finds_the_notes_that_use_another(shipped_with_glossary):
    hits = shipped_with_glossary.ask("EPTとは").hits
    # The notes' 拡張ページテーブル bullet (line 16) answers, beside the glossary line.
    assert any(h.section.file == "notes.md" and h.section.line_start <= 16 <= h.section.line_end for h in hits)
    notes_hit = next(h for h in hits if h.section.file == "notes.md")
    assert {"拡張", "ページ", "テーブル"} <= set(notes_hit.matched)
    assert shipped_with_glossary.highlight(notes_hit.section.text, notes_hit.matched, "<", ">").count("<") >= 1


def test_every_form_of_a_line_finds_the_others(shipped_with_glossary):
    for question in ("Extended Page Tablesとは", "拡張ページテーブルの役割は？"):
        hits = shipped_with_glossary.ask(question).hits
        assert any(h.section.file == "notes.md" and h.section.line_start <= 16 <= h.section.line_end for h in hits)


def test_a_glossary_match_counts_toward_coverage(shipped_with_glossary):
    # Alone, EPT is a word the notes never use: its glossary name covers it.
    ranking = shipped_with_glossary.search.rank("EPTの役割は？", 3)
    assert ranking.coverage >= shipped_with_glossary.search.min_coverage
    # A long line is not a glossary line: x names nothing.
    assert shipped_with_glossary.search.glossary.names.get(("x",)) is None


def test_the_glossary_is_a_note_searched_and_quizzed(shipped_with_glossary):
    hits = shipped_with_glossary.ask("Extended Page Tables").hits
    assert any(h.section.file == "用語集.md" for h in hits)
    items = [i for i in shipped_with_glossary.quiz.items if i.section.file == "用語集.md"]
    # A glossary line is a cloze item: one of its forms blanked.
    assert items and all(i.kind is Kind.CLOZE for i in items)
    assert any(i.answer in ("EPT", "拡張ページテーブル", "Extended Page Tables") for i in items)


def test_a_glossary_in_a_subfolder_of_real_notes(tmp_path, analyzer):
    # The obsidian notes write namespace; a learner asks ネームスペース.
    folder = tmp_path / "obsidian"
    shutil.copytree(DATA / "real" / "obsidian", folder)
    question = "ネームスペースとは"
    before = AnswerService(folder, analyzer).ask(question).hits
    assert not any(h.section.file == "infra/namespace.md" for h in before)
    (folder / "meta").mkdir()
    (folder / "meta" / "Glossary.md").write_text("# 用語\n\n- namespace = ネームスペース\n", encoding="utf-8")
    after = AnswerService(folder, analyzer).ask(question).hits
    assert any(h.section.file == "infra/namespace.md" and "namespace" in h.matched for h in after)


def test_a_refusal_names_the_unwritten_words_and_the_glossary_line_for_a_name():
    assert glossary_hint([]) == ""
    # Plain words: named, with no glossary line to suggest.
    assert glossary_hint(["明日", "予定"]) == "ノートに出てこない言葉: 明日、予定"
    # The first name (Latin letters or katakana) is the one a glossary line would bridge.
    hint = glossary_hint(["選ぶ", "EEVDF", "シャーディング"])
    assert hint.splitlines()[0] == "ノートに出てこない言葉: 選ぶ、EEVDF、シャーディング"
    assert "用語集.md に「- EEVDF = ノートでの名前」" in hint.splitlines()[1]
    assert "「- シャーディング =" in glossary_hint(["シャーディング"])


def test_a_refused_question_carries_the_words_the_notes_never_write(shipped_with_glossary):
    answer = shipped_with_glossary.ask("EEVDFはどうやってタスクを選ぶの？")
    assert answer.hits == () and answer.unwritten[0] == "EEVDF"
    # EPT is a glossary name of 拡張ページテーブル: never named as unwritten.
    assert "EPT" not in shipped_with_glossary.ask("EPTとBOREの違いは？").unwritten
    # An answered question names none.
    assert shipped_with_glossary.ask("KVMとは？").unwritten == ()
