"""bot/core/notes.py, rule by rule: edges a mutation test (mutmut) found unchecked by
tests/test_notes.py."""

from pathlib import Path

import pytest

from bot.core.notes import SECTION_CAP, CorpusError, load_corpus, parse_notes


def spans(text: str, file: str = "a.md") -> list[tuple[int, int, tuple[str, ...]]]:
    return [(s.line_start, s.line_end, s.headings) for s in parse_notes(text, file)]


def test_a_front_matter_title_leads_a_title_heading_it_differs_from():
    assert spans("---\ntitle: 前付け\n---\n# 題\n## 節\n本文\n") == [(6, 6, ("前付け", "題", "節"))]


def test_a_label_item_is_one_to_thirty_characters():
    text = "# H\n- a\n  - 子\n- " + "あ" * 30 + "\n  - 子\n- " + "い" * 31 + "\n  - 子\n"
    assert [h for _, _, h in spans(text)] == [("H", "a"), ("H", "あ" * 30), ("H",)]


def test_skipped_headings_ignore_marks_around_them():
    text = "# H\n## 参考文献:\n- 本の題\n## **目次**\n- x\n## 本文\n> 「名言」と彼は言った\n"
    # A one-line quote that reads like a citation is still a note: only list items and
    # paragraphs are citations.
    assert spans(text) == [(7, 7, ("H", "本文"))]


def test_numbered_steps_stop_at_an_item_with_children_or_a_long_item():
    text = "# H\n1. 一\n2. 二\n   - 子\n3. " + "う" * 201 + "\n4. 四\n"
    assert [(a, b) for a, b, _ in spans(text)] == [(2, 2), (3, 4), (5, 5), (6, 6)]
    text = "# H\n1. " + "え" * 197 + "\n2. 二\n"  # an item of exactly 200 characters is a step
    assert [(a, b) for a, b, _ in spans(text)] == [(2, 3)]


def test_the_pieces_of_a_long_code_block_do_not_overlap_and_show_their_own_lines():
    code = "\n".join(f"value_{i} = {i}" + ("\n" if i % 20 == 19 else "") for i in range(300))
    text = "# H\n```python\n" + code + "\n```\n"
    source = text.split("\n")
    pieces = parse_notes(text, "a.md")
    assert len(pieces) > 2
    for before, after in zip(pieces, pieces[1:]):
        assert before.line_end < after.line_start
    for piece in pieces[1:-1]:
        assert piece.markdown == "\n".join(source[piece.line_start - 1 : piece.line_end])
        assert piece.text.split("\n")[0] == source[piece.line_start - 1]
    assert all(len(p.text) <= SECTION_CAP for p in pieces)


def test_a_byte_order_mark_is_not_text(tmp_path: Path):
    (tmp_path / "a.md").write_bytes("\ufeff# 見出し\n本文\n".encode())
    (section,) = load_corpus(tmp_path).sections
    assert (section.headings, section.text) == (("見出し",), "本文")


def test_a_file_that_is_not_utf8_skips_only_itself(tmp_path: Path):
    (tmp_path / "0bad.md").write_bytes("# 見出し\n- テスト\n".encode("shift_jis"))
    (tmp_path / "a.md").write_text("# A\n本文\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.root == tmp_path
    assert [s.file for s in corpus.sections] == ["a.md"]
    assert len(corpus.warnings) == 1 and corpus.warnings[0].startswith("0bad.md: ")


def test_no_notes_messages(tmp_path: Path):
    with pytest.raises(CorpusError, match="中身のある \\*.md ファイルがありません"):
        load_corpus(tmp_path)
    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text("# 見出しだけ\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert str(caught.value).endswith("（読み飛ばしたファイル: a.md、b.md、c.md）")


def test_reading_and_to_do_lists_are_not_notes():
    # A whole note that is a reading list names what the learner has not learnt yet.
    assert parse_notes("- io_uring ちゃんと読む\n- eBPF\n", "inbox/あとで読む.md") == []
    assert parse_notes("---\ntitle: Reading list\n---\n- io_uring\n", "inbox/list.md") == []
    # So does a to-do heading inside a note; the rest of the note is read.
    text = "# epoll\n\nepoll は fd の準備完了をまとめて返す。\n\n## TODO\n\n- io_uring も調べる\n"
    assert [s.text for s in parse_notes(text, "os/epoll.md")] == ["epoll は fd の準備完了をまとめて返す。"]
    # A note called リンク may explain links: only its headings are skipped, never its title.
    assert [s.text for s in parse_notes("ハードリンクは同じ inode を指す。\n", "os/リンク.md")] == ["ハードリンクは同じ inode を指す。"]
