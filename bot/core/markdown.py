"""Markdown in, note model out: the one module that knows Markdown syntax.

CommonMark (markdown-it-py) with tables, strikethrough, footnotes, `$...$`/`$$...$$`
math, task lists and YAML front matter (mdit-py-plugins, PyYAML), plus the extensions
real notes use that have no plugin, all in `_obsidian_plugin` below: `[[target|label]]`
wikilinks, `![[embed]]`, `#tag`, Hugo shortcodes `{{< ... >}}` / `{{% ... %}}`, and
`> [!type] title` callouts (recognised on the block quote).

The model keeps what a learner wrote as plain text, line by line with the source line
numbers: link text without its target, image alt text, a wikilink's label, inline code
as its text, no emphasis marks, HTML tags, shortcodes or URLs, a table row as
"header: value" pairs. What counts as a note (and what is skipped) is decided from this
model by bot/core/notes.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape

from bot.core.models import BlockKind

# Deeper containers than this are kept as plain lines (markdown-it stops nesting there;
# a higher limit makes link labels like "[[[[..." slower to scan).
MAX_NESTING = 20
_SPACES = re.compile(r"[ \t]{2,}")
_SPLIT_LINES = re.compile(r"\r\n?")
_CONTROL = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]{1,15}://|www\.)[^\s<>()（）「」、。]*")
_TAG = re.compile(r"#([^\s#!-,.:-@\[-^`{-~、。「」（）・]+)")
_CALLOUT = re.compile(r"^\[!([A-Za-z][\w-]*)\][+-]?[ \t]*")
_HTML_TAG = re.compile(r"<!--.*?(?:-->|$)|<[A-Za-z/!?][^>]*>?", re.S)
_HTML_DROP = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.S | re.I)
_CONTAINER_MARKS = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s)))*[ \t]*")
# Characters that are layout, not words, when deciding whether a line is only links.
_LAYOUT = re.compile(r"[\s\-–—*+・,、。:：;；|/()（）\[\]「」『』<>\"'`.…]+")


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based line of the source file
    text: str  # plain text


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, a top-level list item with its children, a table, code, a block quote
    or callout, or math: plain text by source line, and what its text is made of."""

    kind: BlockKind
    line_start: int  # 1-based, inclusive: the block's source lines
    line_end: int
    lines: tuple[Line, ...]  # plain text, only the lines that have some
    links: tuple[str, ...] = ()  # link and wikilink targets, URLs
    link_only: bool = False  # nothing but links, URLs, images (and layout marks)
    image_only: bool = False  # nothing but images or embeds
    has_children: bool = False  # a list item with more than its first line
    list_start: int = 0  # a list item: the first line of its list; 0 otherwise
    ordered: bool = False  # a list item of a numbered list
    callout: str = ""  # a callout's type ("note", "warning"), lower case
    footnote: bool = False
    parent: int = 0  # code, a table or math inside a list item or quote: that block's first line

    @property
    def text(self) -> str:
        """Plain text, one line per source line from the first line with text (lines
        without text inside the block are empty)."""
        if not self.lines:
            return ""
        out: list[str] = []
        previous = self.lines[0].number
        for line in self.lines:
            out.extend([""] * max(0, line.number - previous - 1))
            out.append(line.text)
            previous = line.number
        return "\n".join(out)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 0 for the note itself
    title: str  # plain text; "" for an empty heading
    line: int  # 1-based; 0 for the note itself
    blocks: tuple[Block, ...]
    children: tuple[Heading, ...]


@dataclass(frozen=True, slots=True)
class Note:
    file: str
    title: str  # front-matter title, else the title heading, else the file name
    title_heading: bool  # the first heading is the note's title (one top-level heading, first)
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    root: Heading  # level 0: blocks before any heading, and the top headings
    source_lines: tuple[str, ...]  # the file split as the parser counts lines


def read_note(text: str, file: str) -> Note:
    """Parse one Markdown file into a Note. Never raises on any text."""
    text = _SPLIT_LINES.sub("\n", text).replace("\0", "")
    source_lines = tuple(text.split("\n"))
    tokens = _parser().parse(text, {})
    reader = _Reader(tokens, source_lines)
    reader.read()
    meta = _front_matter(reader.front_matter)
    root, first_heading, top_headings, content_before = _tree(reader.blocks, reader.headings)
    title_heading = bool(first_heading and first_heading[0] == 1 and first_heading[1] and top_headings == 1 and not content_before)
    title = _text_value(meta.get("title")) or (first_heading[1] if title_heading else "") or _file_title(file)
    tags = _dedupe([*_list_value(meta.get("tags")), *_list_value(meta.get("tag")), *reader.tags])
    aliases = _dedupe([*_list_value(meta.get("aliases")), *_list_value(meta.get("alias"))])
    return Note(file, title, title_heading, tags, aliases, root, source_lines)


def clean(text: str) -> str:
    """Text with terminal escape sequences and control characters removed."""
    return _CONTROL.sub("", text)


# -- the parser ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser():
    # Imported here: answering from a warm cache never parses Markdown.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(footnote_plugin).use(dollarmath_plugin).use(tasklists_plugin)
    md.use(_obsidian_plugin)
    md.block.ruler.before("paragraph", "list_lazy_line", _list_lazy_line_rule, {"alt": ["paragraph"]})
    md.block.ruler.before("blockquote", "shortcode_block", _shortcode_block_rule)
    return md


def _list_lazy_line_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """An unindented line right after a list item starts a new paragraph, as learners
    mean it, instead of continuing the item's paragraph (CommonMark's lazy line). Only a
    terminator: it ends the paragraph and makes no token."""
    return silent and 0 <= state.sCount[start_line] < state.blkIndent


def _shortcode_block_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """A Hugo shortcode opened at the start of a line and closed on a later one
    (`{{< figure src="a.png"` ... `>}}`): one token, no text. Without it the closing
    line, which starts with `>`, would be read as a block quote. A shortcode on one
    line is left to the inline rule; one not closed before a blank line is text."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]]
    if not line.startswith(("{{<", "{{%")):
        return False
    closer = ">}}" if line[2] == "<" else "%}}"
    if closer in line[3:]:
        return False
    last = start_line + 1
    while last < end_line:
        text = state.src[state.bMarks[last] + state.tShift[last] : state.eMarks[last]]
        if not text.strip():
            return False
        at = text.find(closer)
        if at >= 0:
            if text[at + len(closer) :].strip():
                return False
            break
        last += 1
    else:
        return False
    if not silent:
        token = state.push("shortcode_block", "", 0)
        token.map = [start_line, last + 1]
    state.line = last + 1
    return True


def _obsidian_plugin(md) -> None:
    """Inline rules for wikilinks, embeds, tags and Hugo shortcodes."""
    md.inline.ruler.before("link", "shortcode", _shortcode_rule)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.inline.ruler.before("image", "embed", _embed_rule)
    md.inline.ruler.before("link", "tag", _tag_rule)


def _find_close(state, marker: str, start: int) -> int:
    """Index of the first `marker` at or after start in the inline source, or -1.
    Remembers its last answer so a line of many openers stays linear."""
    memo = state.env.setdefault("_close", {})
    found = memo.get(marker)
    if found is not None and found[0] is state.src and found[1] <= start and (found[2] == -1 or start <= found[2]):
        return found[2]
    at = state.src.find(marker, start, state.posMax)
    memo[marker] = (state.src, start, at)
    return at


def _shortcode_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("{{", pos) or pos + 2 >= state.posMax or src[pos + 2] not in "<%":
        return False
    close = _find_close(state, ">}}" if src[pos + 2] == "<" else "%}}", pos + 3)
    if close < 0:
        return False
    if not silent:
        token = state.push("shortcode", "", 0)
        token.content = src[pos : close + 3]
    state.pos = close + 3
    return True


def _wikilink(state, start: int) -> tuple[str, str, int] | None:
    """(target, label, end) of `[[target|label]]` at start, on one line."""
    src = state.src
    if not src.startswith("[[", start):
        return None
    close = _find_close(state, "]]", start + 2)
    if close < 0:
        return None
    inner = src[start + 2 : close]
    if not inner.strip() or "\n" in inner or "[" in inner:
        return None
    target, _, label = inner.partition("|")
    return target.strip(), label.strip(), close + 2


def _wikilink_rule(state, silent: bool) -> bool:
    found = _wikilink(state, state.pos)
    if found is None:
        return False
    target, label, end = found
    if not silent:
        token = state.push("wikilink", "", 0)
        token.attrs = {"href": target}
        note, _, part = target.partition("#")
        name = note.rsplit("/", 1)[-1]
        if name.endswith(".md"):
            name = name[:-3]
        token.content = label or " > ".join(p for p in (name, part.lstrip("^")) if p) or target
    state.pos = end
    return True


def _embed_rule(state, silent: bool) -> bool:
    if state.src[state.pos] != "!":
        return False
    found = _wikilink(state, state.pos + 1)
    if found is None:
        return False
    if not silent:
        token = state.push("embed", "", 0)
        token.attrs = {"src": found[0]}
    state.pos = found[2]
    return True


def _tag_rule(state, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos > 0 and not src[pos - 1].isspace()):
        return False
    match = _TAG.match(src, pos, state.posMax)
    if not match or match.group(1).replace("/", "").isdigit():
        return False
    if not silent:
        token = state.push("tag", "", 0)
        token.content = match.group(1)
    state.pos = match.end()
    return True


# -- tokens -> blocks -----------------------------------------------------------------


class _Inline:
    """The plain text of one inline token, and what it is made of."""

    __slots__ = ("lines", "links", "prose", "linked", "images")

    def __init__(self) -> None:
        self.lines: list[str] = [""]
        self.links: list[str] = []
        self.prose = False  # some text outside links and images
        self.linked = False  # some link or URL
        self.images = False


def _host(url: re.Match) -> str:
    """The host of a URL, without scheme, "www.", path or port: what a sentence that
    names a site means by it."""
    rest = url.group(0).split("://", 1)[-1]
    host = re.split(r"[/?#:]", rest, maxsplit=1)[0]
    return host.removeprefix("www.")


def _render_inline(token, tags: list[str]) -> _Inline:
    out = _Inline()
    parts: list[str] = []
    line_has_words = False
    line_has_tag = False
    link_depth = 0
    autolink = False

    def end_line() -> None:
        nonlocal line_has_words, line_has_tag
        line = _SPACES.sub(" ", "".join(parts)).strip()
        if line_has_tag and not line_has_words:
            line = ""  # a line of tags only is metadata
        out.lines[-1] = line
        parts.clear()
        line_has_words = line_has_tag = False

    def words(text: str) -> None:
        nonlocal line_has_words
        if not text:
            return
        if _URL.search(text):
            out.linked = True
            out.links.extend(m.group(0) for m in _URL.finditer(text))
            if link_depth == 0 and _LAYOUT.sub("", _URL.sub("", text)):
                out.prose = True
            # A bare URL inside a sentence becomes its host ("https://a.example.com と
            # https://b.example.com は別オリジン" still reads); in link text it goes.
            text = _URL.sub(_host if link_depth == 0 else "", text)
        elif link_depth == 0 and _LAYOUT.sub("", text):
            out.prose = True
        if text.strip():
            line_has_words = True
        parts.append(text)

    for child in token.children or ():
        kind = child.type
        if kind in ("text", "code_inline", "math_inline"):
            if not autolink:
                words(child.content)
        elif kind in ("softbreak", "hardbreak"):
            end_line()
            out.lines.append("")
        elif kind == "link_open":
            link_depth += 1
            out.linked = True
            href = child.attrs.get("href", "")
            out.links.append(str(href))
            autolink = child.markup == "autolink" or child.info == "auto"
            if autolink and link_depth == 1 and _URL.match(str(href)):
                parts.append(_URL.sub(_host, str(href)))  # <https://a.example.com>: its host, as a bare URL
        elif kind == "link_close":
            link_depth = max(0, link_depth - 1)
            autolink = False
        elif kind == "wikilink":
            out.linked = True
            out.links.append(str(child.attrs.get("href", "")))
            link_depth += 1
            words(child.content)
            link_depth -= 1
        elif kind == "image":
            out.images = True
            link_depth += 1
            words("".join(c.content for c in child.children or () if c.type in ("text", "code_inline")))
            link_depth -= 1
        elif kind == "embed":
            out.images = True
        elif kind == "tag":
            tags.append(child.content)
            parts.append(child.content)
            line_has_tag = True
        elif kind == "shortcode":
            for _ in range(child.content.count("\n")):
                end_line()
                out.lines.append("")
        elif kind == "html_inline":
            if child.content.lower().startswith("<br"):
                parts.append(" ")
        # emphasis, strikethrough, footnote references: their marks are not text
    end_line()
    out.lines = [clean(line) for line in out.lines]
    return out


def _strip_html(text: str) -> str:
    # A <details> block's <summary> introduces what it folds: it reads as a lead-in
    # line ending with a colon ("docker stop の挙動:"), which notes.py makes its label.
    text = _SUMMARY_END.sub(":", text)
    return clean(unescape(_HTML_TAG.sub("", _HTML_DROP.sub("", text))))


_SUMMARY_END = re.compile(r"(?<=[^\s>])\s*</summary\s*>", re.I)


class _Reader:
    """Walks the token stream once into headings and top-level blocks."""

    def __init__(self, tokens, source_lines: tuple[str, ...]) -> None:
        self.tokens = tokens
        self.source_lines = source_lines
        self.blocks: list[Block] = []
        self.headings: list[tuple[int, str, int]] = []  # (level, title, 1-based line)
        self.tags: list[str] = []
        self.front_matter = ""

    def read(self) -> None:
        tokens = self.tokens
        i, n = 0, len(tokens)
        in_footnotes = False
        while i < n:
            t = tokens[i]
            end = self._close(i)
            if t.type == "front_matter":
                self.front_matter = t.content
            elif t.type == "heading_open":
                inline = _render_inline(tokens[i + 1], self.tags) if i + 1 < n and tokens[i + 1].type == "inline" else None
                title = " ".join(l for l in inline.lines if l) if inline else ""
                self.headings.append((int(t.tag[1:]) if t.tag[1:].isdigit() else 1, title, t.map[0] + 1 if t.map else 0))
            elif t.type in ("bullet_list_open", "ordered_list_open"):
                self._list(i, end, t)
            elif t.type == "footnote_block_open":
                in_footnotes = True
            elif t.type == "footnote_block_close":
                in_footnotes = False
            elif t.type in _KINDS:
                self._block(i, end, _KINDS[t.type], footnote=in_footnotes)
            if t.type in ("footnote_block_open", "footnote_open"):
                i += 1  # step inside: its paragraphs are blocks
            else:
                i = end + 1

    def _close(self, i: int) -> int:
        """Index of the token closing tokens[i] (itself when it opens nothing)."""
        tokens = self.tokens
        if tokens[i].nesting != 1:
            return i
        depth, j = 0, i
        while j < len(tokens):
            depth += tokens[j].nesting
            if depth == 0:
                return j
            j += 1
        return len(tokens) - 1

    def _list(self, i: int, end: int, t) -> None:
        start = t.map[0] + 1 if t.map else 0
        j = i + 1
        while j < end:
            if self.tokens[j].type == "list_item_open":
                close = self._close(j)
                self._block(j, close, BlockKind.LIST, list_start=start, ordered=t.type == "ordered_list_open")
                j = close + 1
            else:
                j += 1

    def _block(self, i: int, end: int, kind: BlockKind, footnote: bool = False, list_start: int = 0,
               ordered: bool = False, parent: int = 0) -> None:
        tokens = self.tokens
        slots: dict[int, str] = {}
        handled: set[int] = set()
        state = _Inline()
        depth = 0 if kind == BlockKind.LIST else -1  # list nesting: the top item is 0
        markers: list[str] = []  # the marker waiting for the list item's first line
        first_line = last_line = None
        nested: list[tuple[int, int, BlockKind]] = []  # code, tables and math inside a list or quote
        k = i - 1
        while k < end:
            k += 1
            t = tokens[k]
            if k > i and kind in (BlockKind.LIST, BlockKind.QUOTE) and t.type in _NESTED:
                close = self._close(k)
                nested.append((k, close, _KINDS[t.type]))
                if t.map:
                    handled.update(range(*t.map))
                    last_line = t.map[1] if last_line is None else max(last_line, t.map[1])
                if markers:
                    markers.pop()
                k = close
                continue
            if t.type == "table_open":  # the table itself: read by _tables below
                if t.map:
                    first_line, last_line = t.map
                k = self._close(k)
                continue
            if t.map:
                first_line = t.map[0] if first_line is None else min(first_line, t.map[0])
                last_line = t.map[1] if last_line is None else max(last_line, t.map[1])
            kind_k = t.type
            indent = "  " * max(depth, 0)  # of an item's marker
            pad = "  " * (depth + 1)  # of an item's other lines
            if kind_k in ("bullet_list_open", "ordered_list_open"):
                depth += 1 if k > i else 0
            elif kind_k in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
            elif kind_k == "list_item_open":
                mark = "-" if t.markup in "-*+" else f"{t.info}{t.markup}"
                markers.append(f"{indent}{mark} ")
            elif kind_k == "inline" and t.map:
                inline = _render_inline(t, self.tags)
                state.links += inline.links
                state.prose |= inline.prose
                state.linked |= inline.linked
                state.images |= inline.images
                for offset, text in enumerate(inline.lines):
                    number = min(t.map[0] + offset, t.map[1] - 1)
                    handled.add(number)
                    if text:
                        prefix = markers.pop() if markers else pad
                        slots[number] = f"{slots[number]} {text}" if number in slots else prefix + text
                    elif offset == 0 and markers:
                        markers.pop()
            elif kind_k in ("fence", "code_block", "math_block", "html_block") and t.map:
                content = _strip_html(t.content) if kind_k == "html_block" else clean(t.content)
                code_lines = content.split("\n")
                if code_lines and code_lines[-1] == "":
                    code_lines.pop()
                span = t.map[1] - t.map[0]
                offset = 1 if kind_k == "fence" or (kind_k == "math_block" and len(code_lines) < span) else 0
                handled.update(range(t.map[0], t.map[1]))
                if kind_k == "math_block" and code_lines and code_lines[0] == "":
                    code_lines.pop(0)  # `$$` alone on its line
                if kind_k in ("fence", "code_block", "math_block"):
                    state.prose = True
                elif any(l.strip() for l in code_lines):
                    state.prose = True
                for index, code in enumerate(code_lines):
                    number = min(t.map[0] + offset + index, t.map[1] - 1)
                    code = code.rstrip() if kind_k != "html_block" else code.strip()
                    if code or kind_k != "html_block":
                        slots[number] = pad + code if number not in slots else f"{slots[number]}\n{pad}{code}"
                if markers and kind_k != "html_block":
                    markers.pop()
        if first_line is None:
            return
        if kind == BlockKind.TABLE:
            self._tables(i, end, slots, handled)
            state.prose = state.prose or bool(slots)
        # Content past the nesting limit is not tokenized: keep it as plain lines.
        deepest = None
        for number in range(first_line, min(last_line, len(self.source_lines))):
            if number not in handled and number not in slots:
                rest = clean(_CONTAINER_MARKS.sub("", self.source_lines[number], count=1)).strip()
                if rest and deepest is None:
                    deepest = max(tokens[k].level for k in range(i, end + 1))
                if rest and deepest >= tokens[i].level + MAX_NESTING // 2:
                    slots[number] = rest
                    state.prose = True
        if kind == BlockKind.LIST:
            # A list item's map runs to the next item: trim trailing blank lines.
            while last_line > first_line + 1 and not self.source_lines[last_line - 1].strip():
                last_line -= 1
        lines = tuple(Line(number + 1, text.rstrip()) for number, text in sorted(slots.items()) if text.strip())
        callout = ""
        if kind == BlockKind.QUOTE and lines:
            match = _CALLOUT.match(lines[0].text)
            if match:
                callout = match.group(1).lower()
                rest = lines[0].text[match.end() :]
                lines = ((Line(lines[0].number, rest),) if rest.strip() else ()) + lines[1:]
        nonblank = sum(1 for n in range(first_line, last_line) if n < len(self.source_lines) and self.source_lines[n].strip())
        self.blocks.append(
            Block(
                kind=kind,
                line_start=first_line + 1,
                line_end=last_line,
                lines=lines,
                links=tuple(state.links),
                link_only=state.linked and not state.prose,
                image_only=state.images and not state.prose and not state.linked,
                has_children=kind == BlockKind.LIST and nonblank > 1,
                list_start=list_start,
                ordered=ordered,
                callout=callout,
                footnote=footnote,
                parent=parent,
            )
        )
        for start, close, nested_kind in nested:
            self._block(start, close, nested_kind, footnote=footnote, parent=parent or first_line + 1)

    def _tables(self, i: int, end: int, slots: dict[int, str], handled: set[int]) -> None:
        """Each body row of each table in tokens[i..end] as "header: value" pairs."""
        tokens = self.tokens
        k = i
        while k <= end:
            if tokens[k].type != "table_open":
                k += 1
                continue
            if tokens[k].map:
                handled.update(range(*tokens[k].map))
            header: list[str] = []
            row: list[str] = []
            row_line = None
            in_head = False
            while k <= end and tokens[k].type != "table_close":
                t = tokens[k]
                if t.type == "thead_open":
                    in_head = True
                elif t.type == "thead_close":
                    in_head = False
                elif t.type == "tr_open":
                    row, row_line = [], (t.map[0] if t.map else None)
                elif t.type == "inline":
                    cell = " ".join(l for l in _render_inline(t, self.tags).lines if l)
                    row.append(cell)
                    if row_line is None and t.map:
                        row_line = t.map[0]
                elif t.type == "tr_close":
                    if in_head:
                        header = row
                    elif row_line is not None and any(row):
                        pairs = [f"{h}: {v}" if h and v else (v or "") for h, v in zip(header + [""] * len(row), row)]
                        slots[row_line] = " / ".join(p for p in pairs if p)
                k += 1
            k += 1


_NESTED = {"fence", "code_block", "math_block", "math_block_label", "table_open"}
_KINDS = {
    "paragraph_open": BlockKind.PARAGRAPH,
    "fence": BlockKind.CODE,
    "code_block": BlockKind.CODE,
    "table_open": BlockKind.TABLE,
    "blockquote_open": BlockKind.QUOTE,
    "math_block": BlockKind.MATH,
    "math_block_label": BlockKind.MATH,
    "html_block": BlockKind.PARAGRAPH,
}


def _tree(blocks: list[Block], headings: list[tuple[int, str, int]]):
    """The heading tree, and facts about the first heading for the note's title:
    (root, (level, title) of the first heading, how many headings share the top level
    when the first heading is at it, whether text comes before the first heading)."""
    items = sorted(
        [(line, 0, index) for index, (_, _, line) in enumerate(headings)]
        + [(block.line_start, 1, index) for index, block in enumerate(blocks)]
    )
    root = _Node(0, "", 0)
    stack = [root]
    for _, is_block, index in items:
        if is_block:
            stack[-1].blocks.append(blocks[index])
            continue
        level, title, line = headings[index]
        while len(stack) > 1 and stack[-1].level >= level:
            stack.pop()
        node = _Node(level, title, line)
        stack[-1].children.append(node)
        stack.append(node)
    if not headings:
        return root.freeze(), None, 0, True
    first_level, first_title, first_line = headings[0]
    top = min(h[0] for h in headings)
    top_count = sum(1 for h in headings if h[0] == top) if first_level == top else 0
    content_before = any(b.lines and b.line_start < first_line for b in blocks)
    return root.freeze(), (first_level, first_title), top_count, content_before


class _Node:
    __slots__ = ("level", "title", "line", "blocks", "children")

    def __init__(self, level: int, title: str, line: int) -> None:
        self.level, self.title, self.line = level, title, line
        self.blocks: list[Block] = []
        self.children: list[_Node] = []

    def freeze(self) -> Heading:
        return Heading(self.level, self.title, self.line, tuple(self.blocks), tuple(c.freeze() for c in self.children))


# -- front matter and the title --------------------------------------------------------


def _front_matter(content: str) -> dict:
    if not content.strip():
        return {}
    import yaml  # here, like markdown-it: answering from a warm cache reads no front matter

    try:
        data = yaml.safe_load(content)
    except (yaml.YAMLError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _text_value(value) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return clean(str(value)).strip()
    return ""


def _list_value(value) -> list[str]:
    if isinstance(value, str):
        return [v.strip().lstrip("#") for v in re.split(r"[,\s]+", value) if v.strip().lstrip("#")]
    if isinstance(value, (list, tuple)):
        return [_text_value(v).lstrip("#") for v in value if _text_value(v).lstrip("#")]
    return []


def _dedupe(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


_INDEX_NAMES = {"index", "_index", "readme"}


def _file_title(file: str) -> str:
    parts = [p for p in file.replace("\\", "/").split("/") if p]
    if not parts:
        return file
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
    if stem.lower() in _INDEX_NAMES and len(parts) > 1:
        return parts[-2]
    return stem
