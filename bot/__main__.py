"""`python -m bot`: run the Discord bot. Settings are read here and nowhere else."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

EXIT_CONFIG = 2


def main() -> int:
    from bot.discord_bot.settings import Settings, SettingsError, load_environment

    try:
        settings = Settings.from_env(load_environment())
    except SettingsError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    import discord

    from bot.core.notes import CorpusError
    from bot.core.progress import ProgressError

    discord.utils.setup_logging(level=logging.INFO)
    try:
        return asyncio.run(_run(settings))
    except (CorpusError, ProgressError) as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except discord.LoginFailure:
        print("エラー: Discord が DISCORD_TOKEN を受け付けませんでした（トークンを確認してください）", file=sys.stderr)
        return EXIT_CONFIG


async def _run(settings) -> int:
    import discord
    import yarl

    from datetime import datetime

    from bot.core.library import NotesFolder
    from bot.core.service import AnswerService
    from bot.core.watch import WatchMode
    from bot.discord_bot.capture import Capture
    from bot.discord_bot.client import ManabiBot

    # Where Discord lives: its own hosts by default, or a REST/gateway proxy.
    discord.http.Route.BASE = settings.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)

    # Handle SIGTERM from the start: as PID 1 in a container, Python ignores it otherwise.
    stopping = asyncio.Event()
    bot: ManabiBot | None = None

    def stop() -> None:
        stopping.set()
        if bot is not None:
            asyncio.ensure_future(bot.close())

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)

    # Notes captured from Discord: a writable folder beside the progress file unless set.
    inbox = settings.notes_inbox or settings.db.parent / "notes"
    try:
        inbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logging.getLogger("manabi.bot").warning("notes inbox %s can't be made (notes can't be saved): %s", inbox, exc)
    service = await asyncio.to_thread(
        AnswerService,
        settings.corpus,
        db_path=settings.db,
        cache_dir=settings.db.parent / "cache",
        retention=settings.retention,
        zone=settings.zone,
        extra_folders=(NotesFolder(inbox, "inbox", required=False),),
    )
    if stopping.is_set():
        service.close()
        return 0
    bot = ManabiBot(
        service,
        guild_id=settings.guild_id,
        ask_channel_ids=settings.ask_channel_ids,
        heartbeat_file=settings.heartbeat_file,
        capture=Capture(inbox, settings.note_role_ids, lambda: datetime.now(settings.zone)),
        watch=WatchMode(settings.watch),
    )
    try:
        async with bot:
            await bot.start(settings.token)
    finally:
        service.close()
        settings.heartbeat_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
