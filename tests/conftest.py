from pathlib import Path

import pytest

from bot.core.analyzer import Analyzer
from bot.core.service import AnswerService

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    # Loading the Sudachi dictionary once keeps the suite fast.
    return Analyzer()


@pytest.fixture(scope="session")
def service(analyzer: Analyzer) -> AnswerService:
    return AnswerService(SHIPPED_CORPUS, analyzer)


@pytest.fixture
async def fake():
    """The fake Discord on 127.0.0.1, with discord.py pointed at it for the test."""
    import discord
    import yarl

    from tests.fake_discord import FakeDiscord

    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord() as server:
        discord.http.Route.BASE = server.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
        yield server
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base, gateway
