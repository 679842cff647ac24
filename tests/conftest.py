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
