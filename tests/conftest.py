from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.analyzer import Analyzer
from bot.core.service import AnswerService

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026 in Tokyo, as the UTC datetime a clock gives."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TOKYO).astimezone(timezone.utc)


class Clock:
    """The injected clock: what the service (and the capture) take for now."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


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
    from tests.bot_helpers import fake_discord

    async with fake_discord() as server:
        yield server
