"""Typed settings for the bot, from the environment and an optional .env file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
SHIPPED_CORPUS = Path(__file__).resolve().parent.parent.parent / "corpus"
WATCH_MODES = ("auto", "poll", "off")


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
        return cls(
            token=token,
            guild_id=_optional_id(env, "DISCORD_GUILD_ID"),
            ask_channel_ids=frozenset(_ids(env, "ASK_CHANNEL_IDS")),
            corpus=Path(env.get("MANABI_CORPUS") or SHIPPED_CORPUS),
            db=Path(env.get("MANABI_DB") or "data/manabi.db"),
            api_base=(env.get("DISCORD_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
            gateway_url=env.get("DISCORD_GATEWAY_URL") or DEFAULT_GATEWAY_URL,
            retention=retention,
            zone=zone,
            note_role_ids=frozenset(_ids(env, "NOTE_ROLE_IDS")),
            notes_inbox=Path(env["MANABI_NOTES_INBOX"]) if env.get("MANABI_NOTES_INBOX") else None,
            watch=_watch(env.get("MANABI_WATCH") or "auto"),
        )


def load_environment(dotenv: Path = Path(".env")) -> dict[str, str]:
    """os.environ over the values of an optional .env file (KEY=VALUE lines)."""
    values: dict[str, str] = {}
    if dotenv.is_file():
        for line in dotenv.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.removeprefix("export ").partition("=")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[key.strip()] = value
    return {**values, **os.environ}


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
