"""`python -m bot`: run the Discord bot. Settings are read here and nowhere else."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import signal
import sys

EXIT_CONFIG = 2
log = logging.getLogger("manabi")

DESCRIPTION = """\
Runs the manabi Discord bot: it answers questions from your study notes and quizzes you on them.
Settings come from the environment, else from .env in the current folder (see .env.example):
DISCORD_TOKEN (required), DISCORD_GUILD_ID, ASK_CHANNEL_IDS, MANABI_CORPUS, MANABI_DB,
DISCORD_API_BASE, DISCORD_GATEWAY_URL, DISCORD_RETRY_SECONDS."""

EPILOG = """\
exit codes: 0 stopped by SIGTERM or Ctrl-C; 2 a setting, the token, the notes folder or the
database is wrong (one line on stderr). While Discord cannot be reached the bot retries,
waiting DISCORD_RETRY_SECONDS (default 5), then twice as long each time, at most 5 minutes."""


def main(argv: list[str] | None = None) -> int:
    from bot.cli_common import VersionAction

    parser = argparse.ArgumentParser(prog="python -m bot", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=VersionAction, help="print the version and exit")
    parser.parse_args(argv)

    from bot.discord_bot.settings import Settings, SettingsError, load_environment

    try:
        settings = Settings.from_env(load_environment())
    except SettingsError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return EXIT_CONFIG

    try:  # progress, the cache and the heartbeat live there: fail before reading the notes
        settings.db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(
            f"エラー: データフォルダ {settings.db.parent} を作れません ({exc.strerror or exc})。"
            "MANABI_DB で書き込める場所を指定してください",
            file=sys.stderr,
        )
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


def retry_delays(first: float, limit: float):
    """first, 2 × first, 4 × first ... never more than limit."""
    delay = first
    while True:
        yield min(delay, limit)
        delay *= 2


async def _run(settings) -> int:
    import aiohttp
    import discord
    import yarl

    from datetime import datetime

    from bot import paths
    from bot.core.library import NotesFolder
    from bot.core.service import AnswerService
    from bot.core.watch import WatchMode
    from bot.discord_bot.capture import Capture
    from bot.discord_bot.client import ManabiBot
    from bot.discord_bot.settings import MAX_RETRY_SECONDS

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
    inbox = paths.notes_inbox(settings.db, settings.notes_inbox)
    try:
        inbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logging.getLogger("manabi.bot").warning("notes inbox %s can't be made (notes can't be saved): %s", inbox, exc)
    service = await asyncio.to_thread(
        AnswerService,
        settings.corpus,
        db_path=settings.db,
        cache_dir=paths.cache_dir(settings.db),
        retention=settings.retention,
        zone=settings.zone,
        extra_folders=(NotesFolder(inbox, "inbox", required=False),),
    )
    if stopping.is_set():
        service.close()
        return 0
    # Discord unreachable (DNS, refused or reset connections, its servers failing): wait
    # and try again, so a bot started before the network keeps trying. A rejected token
    # (LoginFailure) is not retried.
    unreachable = (aiohttp.ClientError, OSError, asyncio.TimeoutError, discord.GatewayNotFound, discord.DiscordServerError)
    delays = retry_delays(settings.retry_seconds, MAX_RETRY_SECONDS)
    try:
        for attempt in itertools.count(1):
            if stopping.is_set():
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
                return 0
            except unreachable as exc:
                if stopping.is_set():
                    return 0
                delay = next(delays)
                log.warning(
                    "Discord に接続できません (%s: %s)。%g 秒後に再接続します（%d 回目の失敗）",
                    type(exc).__name__, exc, delay, attempt,
                )
                try:
                    await asyncio.wait_for(stopping.wait(), delay)
                except asyncio.TimeoutError:
                    pass
    finally:
        service.close()
        settings.heartbeat_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
