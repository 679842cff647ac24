"""Time from an injected question to the bot's reply, on the fake Discord (127.0.0.1).

    python -m benchmarks.bot_latency [--runs 20]

Runs the real discord.py client with ManabiBot against tests/fake_discord.py and
prints the median and p95 of MESSAGE_CREATE -> reply POST over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import discord
import yarl

from bot.core.service import AnswerService
from bot.discord_bot.client import ManabiBot
from bot.discord_bot.cooldown import UserCooldown
from tests.fake_discord import FakeDiscord

QUESTIONS = ["KVMとQEMUの違いは？", "準仮想化とは？", "SMBとは", "コントロールグループで何が制限できる？", "VT-dとは？"]


async def measure(runs: int) -> list[float]:
    async with FakeDiscord() as fake:
        discord.http.Route.BASE = fake.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        with tempfile.TemporaryDirectory() as tmp:
            service = AnswerService(Path("corpus"), db_path=Path(tmp) / "manabi.db")
            bot = ManabiBot(service, guild_id=fake.guild_id, cooldown=UserCooldown(rate=10_000, per=1), guild_ready_timeout=0.1)
            task = asyncio.create_task(bot.start(fake.token))
            await asyncio.wait_for(bot.wait_until_ready(), 30)
            timings = []
            for i in range(runs):
                started = time.perf_counter()
                await fake.send_message(f"<@{fake.bot_user['id']}> {QUESTIONS[i % len(QUESTIONS)]}")
                await fake.wait_for_call("POST", r"/channels/\d+/messages")
                timings.append((time.perf_counter() - started) * 1000)
            await bot.close()
            await task
            service.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    timings = asyncio.run(measure(parser.parse_args().runs))
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"question -> reply over {len(timings)} runs: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
