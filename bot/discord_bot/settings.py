"""Typed settings for the bot, from the environment and an optional .env file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo

from bot import paths

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
WATCH_MODES = ("auto", "poll", "off")
DEFAULT_RETRY_SECONDS = 5.0  # the first wait when Discord cannot be reached; doubled each time
MAX_RETRY_SECONDS = 300.0


class SettingsError(ValueError):
    """A setting is missing or malformed: shown as one line, exit code 2."""


@dataclass(frozen=True)
class Settings:
    token: str
    guild_id: int | None
    ask_channel_ids: frozenset[int]
    corpus: Path
    db: Path
    api_base: str
    gateway_url: str
    retention: float = 0.9  # FSRS's desired retention (MANABI_RETENTION)
    zone: ZoneInfo | None = None  # the learners' time zone (MANABI_TIMEZONE); None: Asia/Tokyo
    note_role_ids: frozenset[int] = frozenset()  # besides Manage Server, who may add notes
    notes_inbox: Path | None = None  # None: <data folder>/notes, resolved by the entry point
    watch: str = "auto"  # one of WATCH_MODES
    retry_seconds: float = DEFAULT_RETRY_SECONDS

    @property
    def heartbeat_file(self) -> Path:
        """Refreshed while connected; the container's HEALTHCHECK reads it."""
        return self.db.parent / "heartbeat"

    def __repr__(self) -> str:  # never print the token
        return f"Settings(guild_id={self.guild_id}, ask_channel_ids={sorted(self.ask_channel_ids)}, corpus={self.corpus})"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        from bot.core.reminders import load_zone
        from bot.core.scheduling import parse_retention

        token = env.get("DISCORD_TOKEN", "").strip()
        if not token:
            raise SettingsError("DISCORD_TOKEN が設定されていません (.env.example を参照してください)")
        try:
            retention, zone = parse_retention(env.get("MANABI_RETENTION")), load_zone(env.get("MANABI_TIMEZONE"))
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        corpus = Path(env.get("MANABI_CORPUS") or paths.shipped_corpus())
        if corpus.exists() and not corpus.is_dir():
            raise SettingsError(f"MANABI_CORPUS はノートのフォルダにしてください（{corpus} はファイルです）")
        return cls(
            token=token,
            guild_id=_optional_id(env, "DISCORD_GUILD_ID"),
            ask_channel_ids=frozenset(_ids(env, "ASK_CHANNEL_IDS")),
            corpus=corpus,
            db=paths.db_path(env.get("MANABI_DB")),
            api_base=(env.get("DISCORD_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
            gateway_url=env.get("DISCORD_GATEWAY_URL") or DEFAULT_GATEWAY_URL,
            retention=retention,
            zone=zone,
            note_role_ids=frozenset(_ids(env, "NOTE_ROLE_IDS")),
            notes_inbox=Path(env["MANABI_NOTES_INBOX"]) if env.get("MANABI_NOTES_INBOX") else None,
            watch=_watch(env.get("MANABI_WATCH") or "auto"),
            retry_seconds=_seconds(env, "DISCORD_RETRY_SECONDS", DEFAULT_RETRY_SECONDS),
        )


def load_environment(dotenv: Path = Path(".env")) -> dict[str, str]:
    """os.environ over the values of an optional .env file, read by python-dotenv
    (quotes, `export`, comments and ${VAR} as everywhere else). The environment wins.
    A .env that cannot be read, or is not UTF-8, is a SettingsError."""
    values: dict[str, str] = {}
    if dotenv.exists():
        from dotenv import dotenv_values

        try:
            values = {k: v for k, v in dotenv_values(dotenv, encoding="utf-8").items() if v is not None}
        except UnicodeDecodeError:
            raise SettingsError(f"{dotenv} は UTF-8 で保存してください") from None
        except OSError as exc:
            raise SettingsError(f"{dotenv} を読めません ({exc.strerror or exc})") from None
    return {**values, **os.environ}


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= MAX_RETRY_SECONDS:
        raise SettingsError(f"{name} は 0 より大きく {MAX_RETRY_SECONDS:.0f} 以下の秒数にしてください: {raw!r}")
    return seconds


def _ids(env: Mapping[str, str], name: str) -> list[int]:
    raw = env.get(name, "")
    try:
        return [int(part) for part in raw.replace(" ", "").split(",") if part]
    except ValueError:
        raise SettingsError(f"{name} はカンマ区切りの数字の ID にしてください: {raw!r}") from None


def _watch(value: str) -> str:
    value = value.strip().lower()
    if value not in WATCH_MODES:
        raise SettingsError(f"MANABI_WATCH は auto, poll, off のどれかにしてください: {value!r}")
    return value


def _optional_id(env: Mapping[str, str], name: str) -> int | None:
    ids = _ids(env, name)
    if len(ids) > 1:
        raise SettingsError(f"{name} には ID を一つだけ書いてください")
    return ids[0] if ids else None
