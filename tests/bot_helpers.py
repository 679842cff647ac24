"""What the tests that run the real discord.py client need, in one place: the fake
Discord with discord.py pointed at it, and starting and stopping a bot on it.
tests/study_day.py uses them outside pytest too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import yarl

from tests.fake_discord import FakeDiscord

@contextlib.asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The fake Discord on 127.0.0.1, with discord.py pointed at it while it runs."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord() as server:
        discord.http.Route.BASE = server.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
        try:
            yield server
        finally:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


async def connect(bot: discord.Client, token: str) -> asyncio.Task:
    """Log the bot in, connect it in the background and wait for READY; the task runs
    the connection. login() comes first, in this task: it is what makes
    wait_until_ready() usable, and since Python 3.12 asyncio.wait_for() runs its
    coroutine in the calling task at once, so a start() task would not have run yet."""
    await bot.login(token)
    task = asyncio.create_task(bot.connect())
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    return task


async def disconnect(bot: discord.Client, task: asyncio.Task) -> None:
    """Close the bot and wait for its connection task to end."""
    await bot.close()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
