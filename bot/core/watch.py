"""Notes that reload themselves: watch the notes folders and refresh the service with the
files that changed. The only module that knows watchfiles.

On a change, watchfiles waits until nothing more changed for SETTLE_MS (an editor's
save, a sync tool's burst), then the changed files alone are read again off the event
loop (AnswerService.refresh), the quiz items are made there too, and the new notes are
swapped in at once. One log line per refresh; a file that can't be read keeps its
previous notes and logs a warning.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from bot.core.notes import CorpusError
from bot.core.service import AnswerService

log = logging.getLogger("manabi.watch")

SETTLE_MS = 1000  # quiet time before a change is read
MAX_WAIT_MS = 5000  # a file written to without pause is read after this long anyway
POLL_MS = 300  # how often polling looks, in poll mode


class WatchMode(StrEnum):
    AUTO = "auto"  # the OS's file events (inotify, FSEvents, ...)
    POLL = "poll"  # look at the files' times: for network and container mounts that give no events
    OFF = "off"  # only /reload reads the notes again


def _is_notes_change(change: object, path: str) -> bool:
    name = Path(path).name
    # A deleted folder has no suffix; anything else that is not a notes file is noise
    # (the inbox's temporary and lock files, editors' swap files).
    return not name.startswith(".") and (name.lower().endswith(".md") or "." not in name)


def refresh(service: AnswerService, paths: frozenset[Path]) -> None:
    """Read the changed files again and log one line (run it off the event loop)."""
    started = time.perf_counter()
    try:
        refreshed = service.refresh(sorted(paths))
    except CorpusError as exc:
        log.warning("notes not refreshed, the previous notes stay: %s", exc)
        return
    refreshed.built.quiz.items  # make the quiz items here, not in the first /quiz
    for warning in refreshed.warnings:
        log.warning("notes refresh: %s", warning)
    if refreshed.changed:
        log.info(
            "notes refreshed: %d file(s) in %.0f ms, %d sections: %s",
            len(refreshed.changed), (time.perf_counter() - started) * 1000,
            len(refreshed.built.corpus.sections), ", ".join(refreshed.changed[:5]),
        )


async def keep_fresh(
    service: AnswerService,
    folders: Sequence[Path],
    mode: WatchMode = WatchMode.AUTO,
    stop: asyncio.Event | None = None,
    settle_ms: int = SETTLE_MS,
) -> None:
    """Refresh service whenever notes under folders change, until stop is set or the
    task is cancelled. Folders that don't exist are not watched."""
    if mode is WatchMode.OFF:
        return
    from watchfiles import awatch  # here: a CLI `ask` never watches

    existing = [folder for folder in folders if folder.is_dir()]
    if not existing:
        return
    log.info("watching notes (%s): %s", mode.value, ", ".join(map(str, existing)))
    async for changes in awatch(
        *existing,
        watch_filter=_is_notes_change,
        step=settle_ms,
        debounce=max(MAX_WAIT_MS, settle_ms * 2),
        force_polling=mode is WatchMode.POLL,
        poll_delay_ms=POLL_MS,
        stop_event=stop,
        ignore_permission_denied=True,
    ):
        paths = frozenset(Path(path) for _, path in changes)
        try:
            await asyncio.to_thread(refresh, service, paths)
        except Exception:  # a bug must not end watching
            log.exception("notes refresh failed")
