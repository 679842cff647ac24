import json
import re
from pathlib import Path

import pytest

from bot.core.notes import SECTION_CAP, CorpusError, load_corpus, parse_notes
from tests.conftest import SHIPPED_CORPUS

DATA = Path(__file__).parent / "data"
REAL = DATA / "real"


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
    assert "# コード内は見出しではない" in joined  # code is code, not a heading
    assert "星の箇条書き" in joined and "番号付き" in joined and "タブの箇条書き" in joined
    assert all(s.text.strip() for s in sections)
    # No heading in the note: its file name gives the context.
    assert {s.headings for s in sections} == {("a",)}


def test_the_shipped_notes_keep_the_line_parsers_sections():
    """Boundaries and heading paths of every section of the shipped notes, as the
    hand-written line parser made them (tests/data/shipped_sections.json)."""
    expected = json.loads((DATA / "shipped_sections.json").read_text(encoding="utf-8"))
    text = (SHIPPED_CORPUS / "notes.md").read_text(encoding="utf-8")
    got = [[s.line_start, s.line_end, list(s.headings)] for s in parse_notes(text, "notes.md")]
    assert got == expected


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


def test_no_notes_names_the_skipped_files(tmp_path: Path):
    for name in ("a.md", "b.md", "c.md", "d.md", "e.md"):
        (tmp_path / name).write_text("---\ntitle: 空\n---\n\n![図](x.png)\n", encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    message = str(caught.value)
    assert "a.md" in message and "c.md" in message and "e.md" not in message
    assert "他 2 件" in message and "\n" not in message


# -- what a section is -------------------------------------------------------------------


def test_the_note_title_leads_the_path_when_its_headings_do_not_name_the_topic():
    text = "---\ntitle: RAID の基本\naliases: [RAID, レイド]\ntags: [storage]\n---\n## 概要\n複数のディスクをまとめる。\n"
    (section,) = parse_notes(text, "vault/raid.md")
    assert section.headings == ("RAID の基本", "概要")
    assert section.aliases == ("RAID", "レイド")
    assert (section.line_start, section.line_end) == (7, 7)
    assert "title:" not in section.text and "RAID の基本" not in section.text


def test_the_file_name_is_the_title_without_front_matter_or_title_heading():
    (section,) = parse_notes("ディスクを束ねる技術。\n", "vault/RAID.md")
    assert section.headings == ("RAID",)
    (section,) = parse_notes("## 使い方\n`hugo server` で起動する。\n", "hugo/_index.md")
    assert section.headings == ("hugo", "使い方")


def test_a_single_top_heading_is_the_title_and_is_not_repeated():
    text = "# メモリ管理\n\n## ページング\n固定長のページに分ける。\n"
    (section,) = parse_notes(text, "ch03.md")
    assert section.headings == ("メモリ管理", "ページング")


def test_tables_of_contents_and_reference_lists_are_not_notes():
    text = (
        "# 第1章 ストレージ\n"
        "## 目次\n"
        "- [RAID](#raid)\n"
        "- [バックアップ](#バックアップ)\n"
        "## RAID\n"
        "- [RAID5](#raid5)\n"
        "  - [パリティ](../x/parity.md#パリティ)\n"
        "[RAID](../raid.md) は複数のディスクを束ねる技術。\n"
        "\n"
        "https://example.com/raid\n"
        "\n"
        "![構成図](img/raid.png)\n"
        "\n"
        "- 『ストレージ入門』 技術出版 2020\n"
        "\n"
        "関連: [[バックアップ]] [[ストレージ]]\n"
        "## 参考文献\n"
        "- ストレージの本を読んだときのメモ\n"
    )
    sections = parse_notes(text, "ch01.md")
    assert [(s.line_start, s.text) for s in sections] == [(8, "RAID は複数のディスクを束ねる技術。")]
    assert sections[0].headings == ("第1章 ストレージ", "RAID")


def test_a_label_bullet_names_its_children_and_their_code():
    text = "# Git\n- rebase\n  - 履歴を一直線にする\n  ```bash\n  git rebase -i HEAD~3\n  ```\n"
    item, code = parse_notes(text, "git.md")
    assert item.headings == code.headings == ("Git", "rebase")
    assert (item.kind, code.kind) == ("list", "code")
    assert (code.line_start, code.line_end) == (4, 6)
    assert code.text == "git rebase -i HEAD~3" and "```" in code.markdown


def test_a_numbered_list_of_short_steps_is_one_section():
    text = "# CSRF\n1. 被害者がログインする\n2. 被害者が罠のページを開く\n3. 勝手にリクエストが送られる\n"
    (section,) = parse_notes(text, "csrf.md")
    assert (section.line_start, section.line_end) == (2, 4)
    assert section.text.splitlines()[1] == "2. 被害者が罠のページを開く"


def test_long_blocks_are_split_with_their_line_numbers():
    code = "\n".join(f"line{i} = {i}" + ("" if i % 10 else "\n") for i in range(400))
    text = "# H\n```python\n" + code + "\n```\n\n" + "とても長い文です。" * 600 + "\n"
    sections = parse_notes(text, "long.md")
    lines = text.split("\n")
    codes = [s for s in sections if s.kind == "code"]
    prose = [s for s in sections if s.kind == "paragraph"]
    assert len(codes) > 3 and len(prose) > 3
    assert all(len(s.text) <= SECTION_CAP for s in sections)
    assert codes[0].line_start == 2 and codes[-1].line_end == len(lines) - 3
    for s in codes:  # each piece starts at its own first line, cut at blank lines
        assert s.text.split("\n")[0] in lines[s.line_start - 1] or s is codes[0]
        assert s is codes[-1] or lines[s.line_end].strip() == ""
    assert {(s.line_start, s.line_end) for s in prose} == {(len(lines) - 1,) * 2}
    assert "".join(s.text for s in prose) == "とても長い文です。" * 600


def test_empty_and_whitespace_files_give_nothing():
    assert parse_notes("", "a.md") == []
    assert parse_notes("  \n\t\n\u3000\n", "a.md") == []
    assert parse_notes("---\ntitle: x\n---\n", "a.md") == []


# -- robustness: each finishes with sane output (speed is measured in benchmarks) ---------


def test_a_20000_character_line():
    sections = parse_notes("# H\n" + "長い一文です、" * 3000 + "\n", "a.md")
    assert len(sections) >= 17 and all(len(s.text) <= SECTION_CAP for s in sections)
    assert {(s.line_start, s.line_end) for s in sections} == {(2, 2)}
    assert sum(len(s.text) for s in sections) == 21000
    assert all(len(s.markdown) <= SECTION_CAP for s in sections)


@pytest.mark.parametrize("char", ["a", "*", "[", "#", "`", "|", "-", ">", "{", "_", "!", "あ"])
def test_a_line_of_one_repeated_character(char):
    sections = parse_notes(char * 20000 + "\n", "a.md")
    assert all(len(s.text) <= SECTION_CAP for s in sections)
    assert all(s.line_start == 1 for s in sections)


def test_5000_bullets_under_one_heading():
    text = "# 一覧\n" + "".join(f"- 項目{i} の説明\n" for i in range(5000))
    sections = parse_notes(text, "a.md")
    assert len(sections) == 5000
    assert sections[4999].text == "- 項目4999 の説明" and sections[4999].line_start == 5001


@pytest.mark.parametrize("shape", ["list", "quote", "mixed"])
def test_100_levels_of_nesting_lose_nothing(shape):
    if shape == "list":
        text = "".join("  " * i + f"- 深さ{i}\n" for i in range(100))
    elif shape == "quote":
        text = "".join(">" * i + f" 深さ{i}\n" for i in range(1, 101))
    else:
        text = "".join(("> " * i if i % 2 else "  " * i + "- ") + f"深さ{i}\n" for i in range(100))
    joined = "\n".join(s.text for s in parse_notes(text, "a.md"))
    found = {int(n) for n in re.findall(r"深さ(\d+)", joined)}
    first = 1 if shape == "quote" else 0
    assert found == set(range(first, first + 100))


def test_a_5_mb_file():
    prose = "段落の文です。" * 100 + "**強調**された文と [リンク](a.md) と `code` の説明です。\n"
    block = "## 節\n\n" + prose * 30 + "\n- 項目です\n  - 子の項目\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    text = "# 大きなノート\n" + block * (5_000_000 // len(block.encode()))
    sections = parse_notes(text, "big.md")
    assert len(sections) > 1_000
    assert sections[-1].line_end == len(text.split("\n")) - 2
    assert not any("**" in s.text or "](" in s.text for s in sections)


def test_unclosed_fence_and_front_matter():
    (code,) = parse_notes("# H\n```python\nprint(1)\n\n# 見出しではない\n", "a.md")
    assert code.kind == "code" and code.text == "print(1)\n\n# 見出しではない" and code.line_end == 5
    sections = parse_notes("---\ntitle: x\n本文です\n", "a.md")
    assert "本文です" in "\n".join(s.text for s in sections)


def test_terminal_escape_codes_are_stripped():
    (section,) = parse_notes("# H\n\x1b[31m赤い\x1b[0m文字\x07と\x1b]0;title\x07題\n```\n\x1b[1mコード\n```\n", "a.md")[:1]
    assert section.text == "赤い文字と題"
    code = parse_notes("# H\n```\n\x1b[1mコード\x08\n```\n", "a.md")[0]
    assert code.text == "コード"


# -- the real-note corpora (tests/data/real, merged by the lead) -------------------------

_SYNTAX = {
    "link target": re.compile(r"\]\("),
    "wikilink": re.compile(r"\[\["),
    "shortcode": re.compile(r"\{\{"),
    "HTML tag": re.compile(r"</?(?:a|b|i|p|br|div|span|img|details|summary|table|tr|td|th|ul|li|em|strong|code|pre|sup|sub|kbd|iframe|script|style)\b[^>]*>", re.I),
    "URL": re.compile(r"https?://|www\."),
    "table row": re.compile(r"^\s*\|.*\|\s*$|\|\s*:?-{3,}", re.M),  # a pipe in prose is fine
    "code fence": re.compile(r"```|~~~"),
    "bold": re.compile(r"\*\*"),
}
_FRONT_MATTER_KEY = re.compile(r"^(?:title|date|tags|lastmod|aliases|draft|categories|description|slug|weight)\s*:", re.M)


@pytest.mark.skipif(not REAL.is_dir(), reason="tests/data/real (the real-note corpora) is not here")
@pytest.mark.parametrize("shape", ["obsidian", "textbook", "til"])
def test_real_note_corpora_give_sections_without_markdown_or_yaml(shape):
    folder = REAL / shape
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    corpus = load_corpus(folder)
    bad = []
    for s in corpus.sections:
        checks = {"code fence": _SYNTAX["code fence"]} if s.kind in ("code", "math") else _SYNTAX
        for name, pattern in checks.items():
            if pattern.search(s.text) or any(pattern.search(h) for h in s.headings):
                bad.append(f"{s.source} {name}: {s.text[:80]!r}")
        if s.kind not in ("code", "math") and s.line_start <= 12 and _FRONT_MATTER_KEY.search(s.text):
            bad.append(f"{s.source} front matter: {s.text[:80]!r}")
    assert not bad, "\n".join(bad[:20])


@pytest.mark.skipif(not REAL.is_dir(), reason="tests/data/real (the real-note corpora) is not here")
@pytest.mark.parametrize("shape", ["obsidian", "textbook", "til"])
def test_real_note_corpora_give_quiz_items_without_markdown_or_yaml(shape):
    from bot.core.morphology import shared_morphology
    from bot.core.quiz import QuizEngine

    folder = REAL / shape
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    items = QuizEngine(load_corpus(folder).sections, shared_morphology()).items
    assert len(items) > 100  # the check below must look at something
    bad = []
    for item in items:
        shown = "\n".join((item.question, item.answer, *item.options))
        for name, pattern in _SYNTAX.items():
            if pattern.search(shown):
                bad.append(f"{item.section.source} {name}: {shown[:80]!r}")
        if _FRONT_MATTER_KEY.search(shown):
            bad.append(f"{item.section.source} front matter: {shown[:80]!r}")
    assert not bad, "\n".join(bad[:20])


def test_a_lead_in_line_ending_with_a_colon_names_the_list_it_introduces():
    text = "# IMDSv2\n\nなぜ SSRF に強いか:\n- GET しか送れない\n- TTL が 1\n\nまとめの段落。\n"
    sections = parse_notes(text, "a.md")
    assert [s.text for s in sections] == ["- GET しか送れない", "- TTL が 1", "まとめの段落。"]
    assert sections[0].headings == sections[1].headings == ("IMDSv2", "なぜ SSRF に強いか")
    assert sections[2].headings == ("IMDSv2",)


def test_a_lead_in_line_names_the_one_block_after_it():
    text = "# cron\n\n例：\n```\n0 3 * * * backup.sh\n```\n\n次の段落。\n"
    code, after = parse_notes(text, "a.md")
    assert code.kind == "code" and code.headings == ("cron", "例")
    assert after.headings == ("cron",)


def test_a_sentence_ending_in_a_colon_among_paragraphs_needs_a_block_right_after():
    text = "# a\n\nこう書く:\n\n\n\n離れた段落。\n"
    assert [s.text for s in parse_notes(text, "a.md")] == ["こう書く:", "離れた段落。"]


def test_a_details_summary_names_what_it_folds():
    text = "# a\n\n<details>\n<summary>docker stop の挙動</summary>\n\nSIGTERM を送って待つ。\n\n</details>\n"
    (section,) = parse_notes(text, "a.md")
    assert section.headings == ("a", "docker stop の挙動")
    assert section.text == "SIGTERM を送って待つ。"
