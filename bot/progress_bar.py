"""A progress bar on stderr for the CLI while the notes are read and tokenized.

The core reports progress(done, total); this draws it, but only on a terminal and
only once building has taken a while, so quick starts and pipes stay silent.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

BAR_WIDTH = 30
_REDRAW_SECONDS = 0.1  # redrawing on every section would cost more than tokenizing


class ProgressBar:
    def __init__(
        self,
        stream: TextIO,
        label: str = "ノートを解析中",
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.delay = delay
        self.clock = clock
        self._started: float | None = clock()  # None between builds
        self._shown = False
        self._last_draw = float("-inf")

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self._started is None:
            self._started = now  # a later build (a reload) starts its own clock
        finished = done >= total
        slow = self._shown or now - self._started >= self.delay
        if slow and (finished or now - self._last_draw >= _REDRAW_SECONDS):
            self._draw(done, total)
            self._last_draw = now
        if finished:
            if self._shown:
                self.stream.write("\n")
                self.stream.flush()
            self._started, self._shown = None, False

    def _draw(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        percent = 100 * done // total if total else 100
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}%")
        self.stream.flush()
        self._shown = True


def stderr_progress(label: str = "ノートを解析中", delay: float = 1.0) -> ProgressBar | None:
    """A progress(done, total) callback drawing on stderr, or None when stderr is
    not a terminal (a pipe, a log file, CI)."""
    if not sys.stderr.isatty():
        return None
    return ProgressBar(sys.stderr, label, delay)
