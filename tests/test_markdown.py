"""bot/core/markdown.py: Markdown in, note model out."""

from bot.core.markdown import Block, Heading, clean, read_note
from bot.core.models import BlockKind


def blocks(note) -> list[Block]:
    out: list[Block] = []

    def walk(node: Heading) -> None:
        out.extend(node.blocks)
        for child in node.children:
            walk(child)

    walk(note.root)
    return out


def only(text: str) -> Block:
    (block,) = blocks(read_note(text, "a.md"))
    return block


def test_inline_markup_becomes_plain_text():
    block = only("**太字** と *斜体* と ~~取り消し~~ と `code` と [リンク](https://x.example/a) と ![図の説明](a.png)\n")
    assert block.text == "太字 と 斜体 と 取り消し と code と リンク と 図の説明"
    assert block.links == ("https://x.example/a",)


def test_urls_autolinks_html_and_entities():
    block = only("詳しくは <https://example.com> か https://example.org/x?a=1 を見る。<span>中身</span>&amp;<br>次\n")
    # A URL in a sentence reads as its host; the URL itself is a link, never text.
    assert block.text == "詳しくは example.com か example.org を見る。中身& 次"
    assert "https://example.org/x?a=1" in block.links
    assert only("- https://example.com/docs\n").link_only  # a line of a URL alone is no note


def test_wikilinks_embeds_tags_and_shortcodes():
    block = only("[[folder/ページ#節|ラベル]] と [[メモ]] と [[別#見出し]] ![[画像.png]] #tag/sub と C# と {{< ref \"x\" >}}終わり\n")
    assert block.text == "ラベル と メモ と 別 > 見出し tag/sub と C# と 終わり"
    assert block.links[:3] == ("folder/ページ#節", "メモ", "別#見出し")
    note = read_note("本文\n\n#linux #network\n", "a.md")
    assert [b.text for b in blocks(note)] == ["本文", ""]
    assert note.tags == ("linux", "network")


def test_paired_and_multiline_shortcodes_keep_their_content_and_lines():
    block = only('{{% notice tip %}}\n中身の文\n{{% /notice %}}\n{{< card-link\n  url="https://x" >}}\n最後\n')
    assert [(l.number, l.text) for l in block.lines] == [(2, "中身の文"), (6, "最後")]


def test_callouts_and_quotes():
    block = only("> [!warning] 注意\n> 消すと戻せない。\n")
    assert (block.kind, block.callout, block.text) == (BlockKind.QUOTE, "warning", "注意\n消すと戻せない。")
    block = only("> [!note]\n> 本文だけ\n")
    assert (block.callout, block.text, block.line_start) == ("note", "本文だけ", 1)


def test_tables_are_header_value_pairs_one_row_a_line():
    block = only("| 名前 | 特徴 |\n|---|---|\n| TCP | **信頼性** あり |\n| UDP | 速い |\n")
    assert block.kind == BlockKind.TABLE
    assert [(l.number, l.text) for l in block.lines] == [(3, "名前: TCP / 特徴: 信頼性 あり"), (4, "名前: UDP / 特徴: 速い")]
    assert (block.line_start, block.line_end) == (1, 4)


def test_code_math_and_footnotes():
    note = read_note("```python\nx = 1  # **not bold**\n```\n\n$$\na^2\n$$\n\n本文[^1]\n\n[^1]: 脚注の説明\n", "a.md")
    code, math, text, footnote = blocks(note)
    assert (code.kind, code.text, code.line_start, code.line_end) == (BlockKind.CODE, "x = 1  # **not bold**", 1, 3)
    assert (math.kind, math.text) == (BlockKind.MATH, "a^2")
    assert text.text == "本文"
    assert (footnote.footnote, footnote.text, footnote.line_start) == (True, "脚注の説明", 11)


def test_list_items_keep_their_children_and_line_numbers():
    note = read_note("- 親\n  - 子 **強調**\n\n    続きの段落\n- 次\n1. 番号\n", "a.md")
    first, second, third = blocks(note)
    assert first.text == "- 親\n  - 子 強調\n\n    続きの段落"
    assert (first.line_start, first.line_end, first.has_children) == (1, 4, True)
    assert (second.text, second.has_children, second.ordered) == ("- 次", False, False)
    assert (third.text, third.ordered, third.list_start) == ("1. 番号", True, 6)


def test_link_only_and_image_only_blocks():
    assert only("- [目次の項目](#x)\n  - [子](../a.md)\n").link_only
    assert only("https://example.com/only\n").link_only
    assert only("![図](a.png) ![[b.png]]\n").image_only
    assert not only("[RAID](#raid) は技術\n").link_only


def test_front_matter_title_tags_aliases():
    note = read_note("---\ntitle: 題名\ntags: a, b\naliases:\n  - 別名\n---\n# 見出し\n本文\n", "x/y.md")
    assert (note.title, note.tags, note.aliases) == ("題名", ("a", "b"), ("別名",))
    assert [b.line_start for b in blocks(note)] == [8]
    broken = read_note("---\ntitle: [閉じない\n---\n本文\n", "x/y.md")
    assert broken.title == "y" and [b.text for b in blocks(broken)] == ["本文"]


def test_the_title_heading_and_the_heading_tree():
    note = read_note("# 題\n## A\n本文\n### B\n深い\n## C\n", "f.md")
    assert (note.title, note.title_heading) == ("題", True)
    (top,) = note.root.children
    assert [c.title for c in top.children] == ["A", "C"]
    assert top.children[0].children[0].blocks[0].text == "深い"
    two = read_note("# 一\n本文\n# 二\n本文\n", "f.md")
    assert (two.title, two.title_heading) == ("f", False)
    late = read_note("前置き\n# 題\n", "f.md")
    assert late.title_heading is False


def test_crlf_and_control_characters():
    note = read_note("# 見出し\r\n本\x1b[31m文\x1b[0m\r\n次の\x00行\r\n", "a.md")
    assert [(l.number, l.text) for b in blocks(note) for l in b.lines] == [(2, "本文"), (3, "次の行")]
    assert clean("a\x1b]0;t\x07b\x7fc\u0085d") == "abcd"
