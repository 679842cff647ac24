"""Markdown notes -> sections.

The shape understood: `#` headings (any level) build a heading path; under a heading,
every top-level bullet (`-`, `*`, `+` or `1.`) together with its more-indented lines is
one section, and every paragraph (lines up to a blank line or a bullet) is one section.
A top-level bullet that is a short label with children ("proxmox") also names them,
so it joins the heading path. Anything else is kept as text; nothing is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.models import Section

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^([-*+]|\d{1,9}[.)])\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A bullet with children names a topic when it reads like a label, not a sentence.
_LABEL_MAX_CHARS = 30
_SENTENCE_MARKS = ("。", "、", "．", ". ")


class CorpusError(Exception):
    """The notes folder is missing or holds no notes: the adapters print one line."""


@dataclass(frozen=True)
class Corpus:
    root: Path
    sections: tuple[Section, ...]
    warnings: tuple[str, ...] = field(default=())


def parse_notes(text: str, file: str) -> list[Section]:
    """Split one Markdown file into sections."""
    sections: list[Section] = []
    headings: list[tuple[int, str]] = []  # (level, title)
    block: list[tuple[int, str]] = []  # (line number, line) of the section being read
    block_is_bullet = False
    in_fence = False

    def flush() -> None:
        nonlocal block
        while block and not block[-1][1].strip():
            block.pop()
        if block:
            sections.append(_make_section(file, [h for _, h in headings], block, block_is_bullet))
        block = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.expandtabs(4).rstrip()
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            heading = _HEADING.match(line)
            if heading:
                flush()
                level = len(heading.group(1))
                headings = [h for h in headings if h[0] < level]
                if heading.group(2):
                    headings.append((level, heading.group(2)))
                continue
            indent = len(line) - len(line.lstrip())
            if not line:
                # A blank line ends a paragraph; a bullet goes on if indented lines follow.
                if block and not block_is_bullet:
                    flush()
                elif block:
                    block.append((number, line))
                continue
            if _BULLET.match(line.lstrip()) and indent <= _base_indent(block, block_is_bullet, indent):
                flush()
                block, block_is_bullet = [(number, line)], True
                continue
            if block_is_bullet and indent == 0 and not _BULLET.match(line):
                # An unindented paragraph line after a bullet list starts a paragraph.
                flush()
                block, block_is_bullet = [(number, line)], False
                continue
        if not block:
            block_is_bullet = False
        block.append((number, line))
    flush()
    return sections


def _base_indent(block: list[tuple[int, str]], block_is_bullet: bool, indent: int) -> int:
    """Indentation at or below which a bullet starts a new top-level item."""
    if not block or not block_is_bullet:
        return indent
    first = block[0][1]
    return len(first) - len(first.lstrip())


def _make_section(file: str, headings: list[str], block: list[tuple[int, str]], is_bullet: bool) -> Section:
    lines = [line for _, line in block]
    margin = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
    lines = [l[margin:] for l in lines]
    path = list(headings)
    if is_bullet and len(lines) > 1:
        label = _BULLET.sub("", lines[0]).strip()
        if len(label) <= _LABEL_MAX_CHARS and not any(m in label for m in _SENTENCE_MARKS):
            path.append(label)
    return Section(
        file=file,
        line_start=block[0][0],
        line_end=block[-1][0],
        headings=tuple(path),
        text="\n".join(lines),
    )


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
    return CorpusError(f"ノートがありません: {root} に中身のある *.md ファイルがありません")


def load_corpus(root: Path) -> Corpus:
    """Read every *.md under root, sorted; unreadable files become warnings."""
    notes, warnings = read_note_files(root)
    sections = [section for note in notes for section in parse_notes(note.text, note.path)]
    if not sections:
        raise no_notes_error(root)
    return Corpus(root=root, sections=tuple(sections), warnings=tuple(warnings))
