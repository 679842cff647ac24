"""Container health check: `python -m bot.healthcheck`.

While connected to Discord the bot refreshes `<folder of MANABI_DB>/heartbeat`
every 30 seconds. Healthy (exit 0) means that file was refreshed within the
last 90 seconds; otherwise print why and exit 1. Standard library only, so it
stays fast and never loads discord or the Sudachi dictionary (bot.paths needs only
platformdirs, and only when MANABI_DB is not set).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bot.paths import db_path

MAX_AGE_SECONDS = 90


def heartbeat_path() -> Path:
    """Where the bot writes its heartbeat: beside its database (the image sets MANABI_DB)."""
    return db_path(os.environ.get("MANABI_DB")).parent / "heartbeat"


def check(path: Path, now: float | None = None) -> str | None:
    """None when healthy, else the reason it is not. The file's mtime is the refresh time."""
    try:
        refreshed = path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat file at {path} (the bot has not connected yet)"
    except OSError as exc:
        return f"cannot read heartbeat file {path}: {exc}"
    age = (time.time() if now is None else now) - refreshed
    if age > MAX_AGE_SECONDS:
        return f"heartbeat {path} is {age:.0f} s old (limit {MAX_AGE_SECONDS} s)"
    return None


def main() -> int:
    problem = check(heartbeat_path())
    if problem:
        print(f"unhealthy: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
