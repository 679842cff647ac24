"""Note model (bot/core/markdown.py) -> sections: what a learner can ask about.

A section is one block under its heading path: a paragraph; a top-level list item with
its nested items (a short label item with children, such as "- proxmox", also names
them, so it joins the heading path); a numbered list of short steps, whole; a table; a
code block; a block quote or callout; a math block. A block longer than SECTION_CAP
characters is split into several sections at blank lines, sentence ends or line ends.

Not notes, so never sections: front matter; tables of contents (under a heading such as
目次 / Contents / TOC, or a list item made only of links); reference lists (under a
heading such as 参照 / 参考文献 / References / Links / 関連, or a list item or paragraph
that is only a link, a URL or a book citation, or a "関連: [[a]] [[b]]" line of links);
image-only paragraphs; empty headings. To-read and to-do lists (under a heading such
as あとで読む / TODO / Reading list, or a whole note with such a title) name what the
learner has not learnt yet, so they are not notes either.

The note's title (front-matter title, its title heading, or the file name) leads the
heading path of each section when the note's own headings don't name its topics: the
note has no top-level headings of its own besides the title.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.models import BlockKind, Section

if TYPE_CHECKING:
    from bot.core.markdown import Block, Heading, Line, Note

# A section holds at most this many characters of text; longer blocks are split.
SECTION_CAP = 1200
# A list item with children names a topic when it reads like a label, not a sentence.
_LABEL_MAX_CHARS = 30
_SENTENCE_MARKS = ("。", "、", "．", ". ")
# A numbered list whose items are all this short is one section: a procedure.
_STEP_MAX_CHARS = 200
# A paragraph of one line this short ending with a colon introduces the block after it.
_LEAD_IN_MAX_CHARS = 80
_SKIPPED_HEADINGS = {
    # tables of contents
    "目次", "もくじ", "contents", "table of contents", "toc",
    # reference lists
    "参照", "参考", "参考文献", "参考リンク", "参考資料", "参考サイト", "参考記事", "参考url", "出典", "引用文献",
    "references", "reference", "links", "リンク", "関連", "関連リンク", "関連記事", "関連ノート",
    "see also", "bibliography", "sources", "further reading",
}
# To-read and to-do lists: what the learner has not learnt yet. A whole note with such a
# title is skipped too (a note called リンク may well explain links, one called あとで読む
# does not).
_TO_LEARN = {
    "あとで読む", "後で読む", "あとでよむ", "読みたい", "読みたいもの", "読みたい本", "読む予定", "積読", "積ん読",
    "あとで調べる", "後で調べる", "調べること", "調べたいこと", "やること", "todo", "to do", "to read",
    "toread", "reading list", "read later", "backlog",
}
_SKIPPED_HEADINGS |= _TO_LEARN
_HEADING_NOISE = re.compile(r"[\s:：#*_\-]+")
_CITATION = re.compile(r"^[-\s]*[『「][^』」]{1,80}[』」][^。！？!?]{0,60}$|ISBN|^doi:|arXiv:\d", re.I)
# "関連: [[a]] [[b]]": a line that only points elsewhere.
_POINTER_LINE = re.compile(r"^(?:-\s+)?(?:関連|参照|参考|see also|links?|リンク)\s*[:：]", re.I)
_SENTENCE_END = re.compile(r"(?<=[。．！？!?])|(?<=\. )")
_MAX_SKIPPED_NAMED = 3


class CorpusError(Exception):
    """The notes folder is missing or holds no notes: the adapters print one line."""


@dataclass(frozen=True)
class Corpus:
    root: Path
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = field(default=())


def parse_notes(text: str, file: str) -> list[Section]:
    """Split one Markdown file into sections."""
    # Imported here: a start on a warm cache (most starts) parses no Markdown at all.
    from bot.core.markdown import read_note

    note = read_note(text, file)
    if _heading_key(note.title) in _TO_LEARN:
        return []  # a whole note that is a reading list or a to-do list
    own_topics = _has_own_topics(note)
    sections: list[Section] = []
    _walk(note, note.root, (), own_topics, sections)
    return sections


def _has_own_topics(note: Note) -> bool:
    """The note's top-level headings, other than its title heading, name its topics."""
    if note.title_heading:
        return False
    return any(child.level == 1 and child.title for child in note.root.children)


def _walk(note: Note, node: Heading, path: tuple[str, ...], own_topics: bool, out: list[Section]) -> None:
    if node.level and (not node.title or _is_skipped_heading(node.title)):
        return
    if node.title:
        path = (*path, node.title)
    context = path
    if note.title and (not own_topics or not path) and not (path and _same(path[0], note.title)):
        context = (note.title, *path)
    labelled: dict[int, tuple[str, ...]] = {}  # a list item's first line -> its heading path
    groups = _groups(node.blocks)
    lead: tuple[str, ...] | None = None  # a lead-in line's heading path, for the blocks it introduces
    lead_list = 0  # the list the lead-in introduces (its first line), 0 for one block
    for number, group in enumerate(groups):
        first = group[0]
        if lead is not None and not (lead_list and first.list_start == lead_list):
            lead = None if lead_list else lead
            lead_list = 0
        headings = labelled.get(first.parent, lead or context)
        if lead is not None and not lead_list:
            lead = None  # it introduced this one block
        label = _lead_in(group, groups[number + 1] if number + 1 < len(groups) else None)
        if label:
            lead = (*headings, label)
            lead_list = groups[number + 1][0].list_start
            continue
        if len(group) == 1 and first.kind == BlockKind.LIST and first.has_children and first.lines:
            label = re.sub(r"^-\s+|^\d{1,9}[.)]\s+", "", first.lines[0].text).strip()
            if 0 < len(label) <= _LABEL_MAX_CHARS and not any(m in label for m in _SENTENCE_MARKS):
                headings = (*context, label)
        labelled[first.line_start] = headings
        if any(_is_not_notes(block) for block in group):
            continue
        out.extend(_sections(note, group, headings))
    for child in node.children:
        _walk(note, child, path, own_topics, out)


def _lead_in(group: list[Block], following: list[Block] | None) -> str:
    """The label of a lead-in line ("なぜ SSRF に強いか:", "例："): one short line of a
    paragraph ending with a colon, right before the block or list it introduces, which
    it then names as a heading does; "" for anything else."""
    if following is None or len(group) != 1:
        return ""
    block = group[0]
    if block.kind != BlockKind.PARAGRAPH or len(block.lines) != 1 or following[0].line_start > block.line_end + 2:
        return ""
    text = block.lines[0].text.strip()
    if len(text) > _LEAD_IN_MAX_CHARS or not text.endswith((":", "：")):
        return ""
    return text.rstrip(":：").strip()


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _is_skipped_heading(title: str) -> bool:
    return _heading_key(title) in _SKIPPED_HEADINGS


def _heading_key(title: str) -> str:
    return _HEADING_NOISE.sub(" ", title).strip().casefold()


def _is_not_notes(block: Block) -> bool:
    if not block.lines:
        return True  # nothing to read: an empty item, an image, front matter, HTML only
    if block.link_only or block.image_only:
        return True  # a table-of-contents entry, a reference link, a picture
    if block.kind in (BlockKind.LIST, BlockKind.PARAGRAPH) and len(block.lines) == 1:
        line = block.lines[0].text
        return bool(_CITATION.search(line) or (block.links and _POINTER_LINE.match(line)))
    return False


def _groups(blocks: tuple[Block, ...]) -> list[list[Block]]:
    """Blocks in section-sized groups: each block alone, except that the items of a
    numbered list of short steps without children stay together."""
    groups: list[list[Block]] = []
    steps = False  # the last group is a run of steps of one numbered list
    for block in blocks:
        step = block.ordered and _is_step(block)
        if steps and step and block.list_start == groups[-1][0].list_start:
            groups[-1].append(block)
        else:
            groups.append([block])
            steps = step
    return groups


def _is_step(block: Block) -> bool:
    return not block.has_children and len(block.text) <= _STEP_MAX_CHARS and not _is_not_notes(block)


def _sections(note: Note, group: list[Block], headings: tuple[str, ...]) -> list[Section]:
    lines = [line for block in group for line in block.lines]
    kind = group[0].kind
    start, end = group[0].line_start, group[-1].line_end
    out = []
    chunks = _split(lines, kind)
    # Lines cut into pieces (longer than the cap): a piece's text stands for its Markdown.
    pieces = Counter(line.number for chunk in chunks for line in chunk) if len(chunks) > 1 else Counter()
    for index, chunk in enumerate(chunks):
        first = start if index == 0 else chunk[0].number
        last = end if index == len(chunks) - 1 else chunk[-1].number
        if first == last and len(chunk) == 1 and pieces[first] > 1:
            markdown = chunk[0].text
        else:
            markdown = "\n".join(note.source_lines[first - 1 : last])
        out.append(
            Section(
                file=note.file,
                line_start=first,
                line_end=last,
                headings=headings,
                text=_text(chunk),
                kind=kind.value,
                markdown=markdown,
                aliases=note.aliases,
            )
        )
    return out


def _text(lines: list[Line]) -> str:
    """Lines joined; a missing line number (a blank or skipped line) stays an empty line,
    so line i of the text is source line line_start + i."""
    out: list[str] = []
    for index, line in enumerate(lines):
        if index:
            out.extend([""] * max(0, line.number - lines[index - 1].number - 1))
        out.append(line.text)
    return "\n".join(out)


def _split(lines: list[Line], kind: BlockKind) -> list[list[Line]]:
    """Lines in chunks of at most SECTION_CAP characters: cut after a blank line (a gap
    in line numbers), else after a sentence end, else at a line end; a line longer than
    the cap is cut at sentence ends, else anywhere."""
    pieces: list[Line] = []
    for line in lines:
        if len(line.text) <= SECTION_CAP:
            pieces.append(line)
        else:
            pieces.extend(replace(line, text=part) for part in _cut_line(line.text))
    if sum(len(p.text) + 1 for p in pieces) <= SECTION_CAP:
        return [pieces]
    chunks: list[list[Line]] = []
    chunk: list[Line] = []
    size = 0
    for piece in pieces:
        if chunk and size + len(piece.text) + 1 > SECTION_CAP:
            cut = _best_cut(chunk, kind)
            chunks.append(chunk[:cut])
            chunk = chunk[cut:]
            size = sum(len(p.text) + 1 for p in chunk)
        chunk.append(piece)
        size += len(piece.text) + 1
    if chunk:
        chunks.append(chunk)
    return chunks


def _best_cut(chunk: list[Line], kind: BlockKind) -> int:
    """Where to end a full chunk: after its last paragraph break in the second half, else
    after its last sentence end there, else after its last line."""
    half = len(chunk) // 2
    for index in range(len(chunk) - 1, max(half, 1) - 1, -1):
        if chunk[index].number - chunk[index - 1].number > 1:
            return index
    if kind != BlockKind.CODE:
        for index in range(len(chunk) - 1, max(half, 1) - 1, -1):
            if chunk[index - 1].text.rstrip().endswith(("。", "．", "！", "？", ".", "!", "?")):
                return index
    return len(chunk)


def _cut_line(text: str) -> list[str]:
    """One over-long line in pieces of at most SECTION_CAP characters."""
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > SECTION_CAP:
            room = SECTION_CAP - len(current)
            if current and room < SECTION_CAP // 4:
                parts.append(current)
                current, room = "", SECTION_CAP
            current += sentence[:room]
            sentence = sentence[room:]
            parts.append(current)
            current = ""
        if len(current) + len(sentence) > SECTION_CAP:
            parts.append(current)
            current = ""
        current += sentence
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True)
class NoteFile:
    path: str  # relative to the notes folder, with forward slashes
    text: str


def read_note_files(root: Path) -> tuple[list[NoteFile], list[str]]:
    """Every *.md under root, sorted, and a warning for each one that cannot be read."""
    if not root.is_dir():
        raise CorpusError(f"ノートのフォルダが見つかりません: {root}")
    notes: list[NoteFile] = []
    warnings: list[str] = []
    for path in sorted(p for p in root.rglob("*.md") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            warnings.append(f"{rel}: UTF-8 ではないため読み飛ばしました")
            continue
        except OSError as exc:
            warnings.append(f"{rel}: 読めませんでした ({exc.strerror or exc})")
            continue
        notes.append(NoteFile(rel, text))
    return notes, warnings


def no_notes_error(root: Path) -> CorpusError:
    """No file under root gave a section: say so, naming the files that were read."""
    names: list[str] = []
    total = 0
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*.md") if p.is_file()):
            total += 1
            if len(names) < _MAX_SKIPPED_NAMED:
                names.append(path.relative_to(root).as_posix())
    if not total:
        return CorpusError(f"ノートがありません: {root} に中身のある *.md ファイルがありません")
    more = f" 他 {total - len(names)} 件" if total > len(names) else ""
    return CorpusError(
        f"ノートがありません: {root} の *.md に本文として読める内容がありません"
        f"（読み飛ばしたファイル: {'、'.join(names)}{more}）"
    )


def load_corpus(root: Path) -> Corpus:
    """Read every *.md under root, sorted; unreadable files become warnings."""
    notes, warnings = read_note_files(root)
    sections = [section for note in notes for section in parse_notes(note.text, note.path)]
    if not sections:
        raise no_notes_error(root)
    return Corpus(root=root, sections=tuple(sections), warnings=tuple(warnings))
