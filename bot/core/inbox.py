"""Captured notes -> plain Markdown files in an inbox folder, one file per day.

A day's file has the shape of the learner's own log, so its bullets can be moved into
their notes later:

    # 学んだこと

    - **KVM**: カーネルの中で動く仮想化 <!-- manabi: author=123 link=https://... -->

    # 面白かったこと

    # わからなかったこと

Who wrote a bullet and where it came from ride along in an HTML comment at the end of
the bullet, which a Markdown reader does not show. Captured text never breaks the file:
continuation lines are indented into the bullet, and lines that would start a heading,
a code fence, a thematic break or a setext underline are escaped, as are HTML comment
markers. Writers take a file lock and replace the file atomically (write a temporary
file, fsync, os.replace), so concurrent captures, in threads or processes, never lose
one another and a reader never sees half a file.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

LEARNED, INTERESTING, UNCLEAR = "学んだこと", "面白かったこと", "わからなかったこと"
KINDS = (LEARNED, INTERESTING, UNCLEAR)
MAX_TEXT_CHARS = 20_000  # a Discord message is at most 4,000; this bounds a file's growth per capture
_LOCK_NAME = ".manabi-inbox.lock"

# A line that would be Markdown block syntax outside the bullet's paragraph: an ATX
# heading, a code fence, a thematic break or a setext underline.
_BLOCK_START = re.compile(r"^(#|```|~~~|([-*_=])[ \t]*(\2[ \t]*)*$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A bold label opening a note with its colon inside the bold, as Discord shows it
# ("**KVM：**text", "**KVM:** text"): CommonMark does not close "：**" before a letter,
# so a reader would show the marks. Written as the learner's "**KVM**: text".
_INNER_COLON_LABEL = re.compile(r"^(\*\*|__)(?P<label>(?:(?!\1)[^\n])+?)[ \t]*[:：][ \t]*\1[ \t]*")
# A topic the learner wrapped in emphasis marks, which the bullet adds itself.
_WRAPPED = re.compile(r"(\*\*|__|\*|_)(?P<label>.+?)\1")


class InboxError(OSError):
    """The inbox folder or file cannot be written: the adapter says so in one line."""


@dataclass(frozen=True, slots=True)
class CapturedNote:
    text: str
    kind: str = LEARNED  # one of KINDS
    topic: str = ""
    author: str = ""  # who captured it (a Discord user id); kept in the comment
    link: str = ""  # where it came from (a message link); kept in the comment

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; one of {KINDS}")


def day_file(inbox: Path, when: datetime) -> Path:
    """The file of the day `when` falls on (in its own time zone)."""
    return inbox / f"{when.date().isoformat()}.md"


def add_note(inbox: Path, note: CapturedNote, when: datetime) -> Path:
    """Add the note as a bullet under its heading in the day's file; returns the file."""
    path = day_file(inbox, when)
    bullet = format_bullet(note)
    try:
        inbox.mkdir(parents=True, exist_ok=True)
        with _locked(inbox):
            try:
                current = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                current = ""
            _replace(path, insert_bullet(current, note.kind, bullet))
    except OSError as exc:
        raise InboxError(exc.errno, f"{inbox}: {exc.strerror or exc}") from exc
    return path


def format_bullet(note: CapturedNote) -> str:
    """One bullet: the (escaped) text, continuation lines indented, the comment last.
    A topic, or a bold label the text opens with, makes a "**topic**: text" line, which
    the notes read as a term and its explanation."""
    lines = [_escape_line(line) for line in (_clean(note.text) or "（空のメモ）").split("\n")]
    lines[0] = _INNER_COLON_LABEL.sub(r"**\g<label>**: ", lines[0], count=1)
    topic = _topic(note.topic)
    label = f"**{_escape_inline(topic)}**"
    if topic and not lines[0].startswith((f"{label}:", f"{label}：")):  # a text that opens with it says it once
        lines[0] = f"{label}: {lines[0]}"
    meta = " ".join(f"{k}={_meta_value(v)}" for k, v in (("author", note.author), ("link", note.link)) if v)
    lines[-1] = f"{lines[-1]} <!-- manabi: {meta} -->" if meta else lines[-1]
    body = "\n".join(f"  {line}" if line else "" for line in lines[1:])
    return f"- {lines[0]}" + (f"\n{body}" if body else "")


def _topic(topic: str) -> str:
    """The topic on one line, without emphasis marks around it or a colon after it:
    the bullet bolds it and puts the colon."""
    topic = " ".join(_clean(topic).split())
    wrapped = _WRAPPED.fullmatch(topic)
    if wrapped:
        topic = wrapped["label"].strip()
    return topic.rstrip(":： ")


def insert_bullet(current: str, kind: str, bullet: str) -> str:
    """The file text with bullet added at the end of the `# kind` part; a new file gets
    every heading, and a file the learner edited gets the heading appended if missing."""
    if not current.strip():
        current = "\n\n".join(f"# {k}" for k in KINDS) + "\n"
    lines = current.rstrip("\n").split("\n")
    heading = f"# {kind}"
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == heading)
    except StopIteration:
        return "\n".join(lines) + f"\n\n{heading}\n\n{bullet}\n"
    following = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    end = following
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    # The blank lines before the next part are dropped and one put back: not one more each time.
    before, after = lines[:end], lines[following:]
    block = ["", bullet] if before[-1].startswith("#") or not before[-1].startswith(("-", " ")) else [bullet]
    if after:
        block.append("")
    return "\n".join(before + block + after) + "\n"


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _CONTROL.sub("", text)[:MAX_TEXT_CHARS]
    lines = [line.strip() for line in text.split("\n")]
    # Blank lines inside the bullet stay single; none at either end.
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _escape_line(line: str) -> str:
    line = line.replace("<!--", "&lt;!--").replace("-->", "--&gt;")
    return "\\" + line if _BLOCK_START.match(line) else line


def _escape_inline(text: str) -> str:
    return _escape_line(text).replace("*", "\\*")


def _meta_value(value: str) -> str:
    # One token: no spaces, and nothing that could end the comment.
    return re.sub(r"\s+", "_", value).replace("--", "-\u2010")


def _replace(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; the rename is durable enough there
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_thread_lock = threading.Lock()  # flock excludes processes; threads of one process wait here too


@contextmanager
def _locked(inbox: Path) -> Iterator[None]:
    with _thread_lock, open(inbox / _LOCK_NAME, "a+b") as lock:
        _lock_file(lock.fileno())
        try:
            yield
        finally:
            _unlock_file(lock.fileno())


try:
    import fcntl

    def _lock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _lock_file(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _unlock_file(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
