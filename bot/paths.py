"""Where manabi's files live: the shipped notes and the learner's data folder.

Read by the entry points only (the CLI, the bot's settings, the health check).
"""

from __future__ import annotations

from pathlib import Path

APP_NAME = "manabi"
DB_NAME = "manabi.db"
_PACKAGE = Path(__file__).resolve().parent


def shipped_corpus() -> Path:
    """The notes shipped with manabi: bot/corpus/ inside an installed wheel (package
    data, see pyproject.toml), else corpus/ at the top of a clone (an editable install)."""
    installed = _PACKAGE / "corpus"
    return installed if installed.is_dir() else _PACKAGE.parent / "corpus"


def data_dir() -> Path:
    """The learner's data folder: $XDG_DATA_HOME/manabi, else ~/.local/share/manabi
    on Linux (platformdirs knows each system's place)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def db_path(chosen: str | Path | None = None) -> Path:
    """The progress database: the path chosen (--db or $MANABI_DB), else manabi.db in
    the data folder. Nothing is created here. The cache lives beside it, in cache/."""
    return Path(chosen) if chosen else data_dir() / DB_NAME


def cache_dir(db: Path) -> Path:
    """The cache of analysed notes: cache/ beside the progress database."""
    return db.parent / "cache"


def notes_inbox(db: Path, chosen: str | Path | None = None) -> Path:
    """Where notes captured from Discord are written: the folder chosen
    ($MANABI_NOTES_INBOX), else notes/ beside the progress database."""
    return Path(chosen) if chosen else db.parent / "notes"
