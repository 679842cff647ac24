from pathlib import Path

import pytest

from bot.core.notes import CorpusError, load_corpus, parse_notes
from tests.conftest import SHIPPED_CORPUS


def test_shipped_notes_are_the_users_seed_byte_for_byte():
    seed = SHIPPED_CORPUS.parent.parent / "shared" / "seeds" / "000_f88785a871ef59bf.txt"
    if not seed.exists():
        pytest.skip(f"seed not beside the checkout: {seed}")
    assert (SHIPPED_CORPUS / "notes.md").read_bytes() == seed.read_bytes()


def test_a_top_level_bullet_keeps_its_children_and_line_range():
    text = "# 仮想化\n- proxmox\n  - 仮想化技術が統合されたOS\n    - 深い\n- 次の項目\n"
    first, second = parse_notes(text, "a.md")
    assert first.headings == ("仮想化", "proxmox")
    assert (first.line_start, first.line_end) == (2, 4)
    assert first.text == "- proxmox\n  - 仮想化技術が統合されたOS\n    - 深い"
    assert second.headings == ("仮想化",)
    assert (second.line_start, second.line_end) == (5, 5)


def test_a_sentence_bullet_with_children_does_not_join_the_heading_path():
    text = "# 仮想化\n- Intel系CPUには、様々な機能が追加された\n  - VT-x: すごい\n"
    (section,) = parse_notes(text, "a.md")
    assert section.headings == ("仮想化",)


def test_headings_nest_by_level_and_empty_headings_give_nothing():
    text = "# A\n## B\n本文\n# 面白かったこと\n\n# C\n### D\n- x\n"
    sections = parse_notes(text, "a.md")
    assert [s.headings for s in sections] == [("A", "B"), ("C", "D")]
    assert all("面白かったこと" not in s.headings for s in sections)


def test_paragraphs_and_bullets_are_separate_sections():
    text = "# H\n主な方式は2種類\n- エミュレーション方式: 遅い\n- ネイティブ方式: 速い\n\n段落の一行目\n二行目\n"
    sections = parse_notes(text, "a.md")
    assert [s.text for s in sections] == [
        "主な方式は2種類",
        "- エミュレーション方式: 遅い",
        "- ネイティブ方式: 速い",
        "段落の一行目\n二行目",
    ]


def test_broken_markdown_still_parses():
    text = "#見出しではない\n\t- タブの箇条書き\n\t\t- 子\n```\n# コード内は見出しではない\n```\n*   星の箇条書き\n1. 番号付き\n- \n"
    sections = parse_notes(text, "a.md")
    joined = "\n".join(s.text for s in sections)
    assert "# コード内は見出しではない" in joined
    assert all(s.text.strip() for s in sections)
    assert sections[0].headings == ()


def test_shipped_corpus_sections(service):
    sections = service.corpus.sections
    proxmox = next(s for s in sections if s.text.startswith("- proxmox"))
    assert proxmox.headings == ("仮想化", "proxmox")
    assert proxmox.file == "notes.md"
    assert (proxmox.line_start, proxmox.line_end) == (20, 27)
    assert not any("面白かったこと" in s.headings for s in sections)
    # Every non-blank, non-heading line of the notes belongs to exactly one section.
    lines = (SHIPPED_CORPUS / "notes.md").read_text(encoding="utf-8").splitlines()
    content = {i for i, l in enumerate(lines, 1) if l.strip() and not l.startswith("#")}
    covered = [i for s in sections for i in range(s.line_start, s.line_end + 1) if lines[i - 1].strip()]
    assert sorted(covered) == sorted(content)


def test_load_corpus_is_recursive_sorted_and_skips_bad_files(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("# Z\n- zの話\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# A\n- aの話\n", encoding="utf-8")
    (tmp_path / "latin1.md").write_bytes("# 見出し\n- テスト\n".encode("shift_jis"))
    (tmp_path / "ignored.txt").write_text("# T\n- not notes\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [s.file for s in corpus.sections] == ["a.md", "b/z.md"]
    assert len(corpus.warnings) == 1 and "latin1.md" in corpus.warnings[0]


def test_missing_or_empty_corpus_is_a_corpus_error(tmp_path: Path):
    with pytest.raises(CorpusError, match="見つかりません"):
        load_corpus(tmp_path / "missing")
    (tmp_path / "empty.md").write_text("# 見出しだけ\n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="ノートがありません"):
        load_corpus(tmp_path)
