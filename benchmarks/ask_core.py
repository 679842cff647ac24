"""What a cold `ask` cannot avoid: load the dictionary, build the search (and the quiz
engine, whose analyses share the cache entries) from the warm cache, answer, print.
benchmarks/run.py times it beside `python -m bot.cli ask` to show how much of the
CLI's cold start the core accounts for.

  python -m benchmarks.ask_core CACHE_DIR QUESTION
"""

import sys
from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.build import build
from bot.core.morphology import shared_morphology

SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def main() -> None:
    cache_dir, question = Path(sys.argv[1]), sys.argv[2]
    built = build(SHIPPED_CORPUS, Analyzer(), shared_morphology(), cache_dir)
    for hit in built.search.search(question, 3):
        print(f"{hit.section.title} ({hit.section.source})\n{hit.section.text}\n")


if __name__ == "__main__":
    main()
