"""bot/core/markdown.py, rule by rule: the edges of the Obsidian and Hugo extensions,
tables, HTML and titles. Each test pins a behaviour a mutation test (mutmut) found
unchecked by tests/test_markdown.py and tests/test_notes.py."""

import pytest

from bot.core import markdown
from bot.core.markdown import read_note
from bot.core.notes import parse_notes
from tests.test_markdown import blocks, only


def lines(block) -> list[tuple[int, str]]:
    return [(line.number, line.text) for line in block.lines]


# -- the parser ----------------------------------------------------------------------------


def test_a_freshly_built_parser_knows_every_extension():
    # The parser is built once and cached; build it again so its construction is tested too.
    markdown._parser.cache_clear()
    block = only("[[メモ|ラベル]] と ![[図.png]] と #タグ と {{< ref x >}}終わり と [リンク](u)\n")
    assert block.text == "ラベル と と タグ と 終わり と リンク"
    assert block.links == ("メモ", "u")
    assert markdown._parser() is markdown._parser()


# -- wikilinks and embeds --------------------------------------------------------------------


def test_a_wikilink_without_a_label_reads_as_its_note_name_and_heading():
    block = only("[[dir/sub/page.md#^blk-1]] / [[a#b#c]] / [[dir/my page]] / [[メモ.md]] / [[x|]]\n")
    assert block.text == "page > blk-1 / a > b#c / my page / メモ / x"
    assert block.links == ("dir/sub/page.md#^blk-1", "a#b#c", "dir/my page", "メモ.md", "x")


@pytest.mark.parametrize("text", ["[[a[b]]", "[[ ]]", "[[改\n行]]"])
def test_brackets_that_are_not_a_wikilink_stay_text(text):
    block = only(text + "\n")
    assert block.links == ()
    assert block.text == text


def test_an_embed_alone_is_an_image_only_block_without_text():
    block = only("![[図.png]]\n")
    assert (block.image_only, block.link_only, block.lines, block.links) == (True, False, (), ())
    assert parse_notes("# H\n![[図.png]]\n\n本文\n", "a.md")[0].text == "本文"


# -- tags --------------------------------------------------------------------------------------


def test_a_hash_inside_a_word_or_before_a_number_is_not_a_tag():
    note = read_note("C#言語 と #1/2 と #12 と #v2\n", "a.md")
    assert note.tags == ("v2",)
    assert blocks(note)[0].text == "C#言語 と #1/2 と #12 と v2"


# -- Hugo shortcodes ---------------------------------------------------------------------------


def test_an_unclosed_shortcode_stays_text():
    assert only("{{< 閉じない\n").text == "{{< 閉じない"
    assert only("{{% 閉じない 2\n").text == "{{% 閉じない 2"


def test_only_angle_and_percent_shortcodes_are_dropped():
    assert only("{{X y %}} と {{ .Title }} と {{<>}} と {{%%}}終わり\n").text == "{{X y %}} と {{ .Title }} と と 終わり"


def test_a_shortcode_spanning_lines_keeps_the_following_line_numbers():
    block = only("前 {{< x\n y>}} 後\n次\n")
    assert lines(block) == [(1, "前"), (2, "後"), (3, "次")]


@pytest.mark.xfail(strict=True, reason="bug: a shortcode closed by `>}}` at the start of a line is split by "
                   "the block parser (the line becomes a block quote), so its text leaks into sections")
def test_a_shortcode_closed_on_its_own_line_is_dropped():
    sections = parse_notes('# Hugo\n{{< figure src="a.png"\n    caption="図の説明"\n>}}\n\n本文\n', "a.md")
    assert [s.text for s in sections] == ["本文"]


# -- tables -------------------------------------------------------------------------------------


def test_table_cells_without_a_header_or_a_value():
    note = read_note("| 名前 | 特徴 | |\n|---|---|---|\n| TCP |  | 値 |\n| | | |\n| #タグ | x | |\n", "a.md")
    (block,) = blocks(note)
    assert lines(block) == [(3, "名前: TCP / 値"), (5, "特徴: x")]
    assert note.tags == ("タグ",)  # a tag in a cell is a tag of the note


# -- HTML blocks ---------------------------------------------------------------------------------


def test_html_blocks_keep_their_text_without_tags_scripts_or_styles():
    block = only("<div>\n<b>中身</b> &amp; 続き\n</div>\n")
    assert lines(block) == [(2, "中身 & 続き")]
    note = read_note("<script>\nalert(1)\n</script>\n\n<style>\np { x: 1 }\n</style>\n\n本文\n", "a.md")
    assert [b.text for b in blocks(note)] == ["", "", "本文"]


# -- the title from the file name -------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "title"),
    [
        ("notes\\RAID.md", "RAID"),
        ("notes\\hugo\\_index.md", "hugo"),
        ("v1.2.md", "v1.2"),
        ("vault/notes/RAID", "RAID"),
        ("vault/README.md", "vault"),
        ("README.md", "README"),
    ],
)
def test_the_title_from_the_file_name(file, title):
    assert read_note("本文\n", file).title == title
