"""Speed and scale of manabi's search and quiz, run by hand (not a test):

  python -m benchmarks.run            1k, 10k and 100k sections (a few minutes on 2 cores)
  python -m benchmarks.run --quick    1k and 10k only
  python -m benchmarks.run --sizes 5000,20000

For each size it writes a generated notes folder (benchmarks/corpus.py), then in fresh
processes measures the build from scratch beside a bare SudachiPy pass over the same
notes, the restart on the warm cache (the search index and the quiz engine, as the bot
starts), a whole `manabi ask` on the warm cache, the cost of whole answers in batch mode
(ranking, highlight spans, quiz items, JSON), the latency of the ranking alone (tokenize
+ score + top-10) beside rank-bm25's own get_scores on the same terms, and the making
of all quiz items. Last, the cold start of one `python -m bot.cli ask` on the shipped
notes beside a process that only imports SudachiPy and loads its dictionary. The
targets are checked at the end. The pathological notes are benchmarks/pathological.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
BARE_LOAD = "from sudachipy import Dictionary, SplitMode; Dictionary(dict='core').tokenizer(mode=SplitMode.C)"
COLD_QUESTION = "KVMとQEMUの違いは？"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip 100k sections")
    parser.add_argument("--sizes", help="comma-separated section counts (overrides --quick)")
    parser.add_argument("--cold-runs", type=int, default=15, help="processes started for the cold start (default 15)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [1_000, 10_000] + ([] if args.quick else [100_000])
    # Installed code has its bytecode compiled. A checkout run with PYTHONDONTWRITEBYTECODE
    # would compile bot/ again in every process (~20 ms of a cold start), while SudachiPy,
    # installed by pip, has its .pyc files: compile ours too, so both run as installed.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "bot", "benchmarks"], cwd=ROOT, check=True)

    rows = []
    with tempfile.TemporaryDirectory(prefix="manabi-bench-") as work:
        for size in sizes:
            rows.append(measure_size(Path(work), size))
            print_row(rows[-1], header=len(rows) == 1)
        cold = measure_cold_start(Path(work), args.cold_runs)
    print()
    bare = cold["bare_ms"]
    print(f"cold start on the shipped notes, whole processes, median of {args.cold_runs}:")
    print(f"  bare SudachiPy import + dictionary load     {bare:5.0f} ms")
    print(f"  python -m bot.cli ask                       {cold['ask_ms']:5.0f} ms  {cold['ask_ms'] / bare:.2f}x")
    print(f"  python -m benchmarks.ask_core (search only) {cold['core_ms']:5.0f} ms  {cold['core_ms'] / bare:.2f}x")
    print(f"  `ask` imports discord: {cold['imports_discord']}, numpy: {cold['imports_numpy']}")
    print()
    print("\n".join(check_targets(rows, cold)))


def run_measure(mode: str, corpus: Path, cache: Path) -> dict:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", mode, str(corpus), str(cache)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def measure_size(work: Path, size: int) -> dict:
    corpus, cache = work / f"notes-{size}", work / f"cache-{size}"
    write_corpus(corpus, size)
    bare = run_measure("bare", corpus, cache)
    build = run_measure("build", corpus, cache)
    restart = run_measure("restart", corpus, cache)
    warm_ask, interpreter = measure_warm_ask(work / f"ask-{size}", corpus)
    answers = run_measure("answer", corpus, cache)
    queries = run_measure("query", corpus, cache)
    return {
        "size": size,
        "sections": build["sections"],
        "files": sum(1 for _ in corpus.rglob("*.md")),
        "build_s": build["process_s"],
        "bare_s": bare["process_s"],
        "build_ratio": build["process_s"] / bare["process_s"],
        "build_peak_mb": build["peak_mb"],
        "restart_s": restart["process_s"],
        "restart_peak_mb": restart["peak_mb"],
        "warm_ask_s": warm_ask,
        "warm_ask_own_s": warm_ask - interpreter,
        "answer_first_ms": answers["answer_first_ms"],
        "answer_again_ms": answers["answer_again_ms"],
    } | {k: v for k, v in queries.items() if k.startswith(("query", "rank_bm25", "exact", "quiz"))}


def measure_warm_ask(data: Path, corpus: Path, runs: int = 5) -> tuple[float, float]:
    """Median wall time of a whole `python -m bot.cli ask` process on a warm cache, and
    of a bare interpreter start (`python -c pass`), the two interleaved."""
    env = os.environ | {"MANABI_DB": str(data / "manabi.db"), "MANABI_CORPUS": str(corpus)}
    command = [sys.executable, "-m", "bot.cli", "ask", COLD_QUESTION]
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)  # fill the cache
    times: dict[str, list[float]] = {"ask": [], "python": []}
    for _ in range(runs):
        for name, run in (("ask", command), ("python", [sys.executable, "-c", "pass"])):
            start = time.perf_counter()
            subprocess.run(run, cwd=ROOT, env=env, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    return statistics.median(times["ask"]), statistics.median(times["python"])


COLUMNS = [
    ("sections", "sections", "{:>8}"),
    ("files", "files", "{:>5}"),
    ("build_s", "build s", "{:>7.1f}"),
    ("bare_s", "bare s", "{:>6.1f}"),
    ("build_ratio", "ratio", "{:>5.2f}"),
    ("build_peak_mb", "MB", "{:>5.0f}"),
    ("restart_s", "restart s", "{:>9.2f}"),
    ("restart_peak_mb", "MB", "{:>5.0f}"),
    ("warm_ask_s", "ask s", "{:>5.2f}"),
    ("warm_ask_own_s", "-python", "{:>7.2f}"),
    ("answer_first_ms", "answer ms", "{:>9.2f}"),
    ("answer_again_ms", "again ms", "{:>8.2f}"),
    ("query_p50_ms", "p50 ms", "{:>6.2f}"),
    ("query_p95_ms", "p95 ms", "{:>6.2f}"),
    ("rank_bm25_fit_s", "bm25 fit s", "{:>10.2f}"),
    ("rank_bm25_p50_ms", "bm25 p50", "{:>8.1f}"),
    ("rank_bm25_p95_ms", "bm25 p95", "{:>8.1f}"),
    ("exact", "exact", "{!s:>5}"),
    ("quiz_s", "quiz s", "{:>6.2f}"),
]


def print_row(row: dict, header: bool) -> None:
    if header:
        print(
            "build: sections, terms and quiz analyses from scratch, whole process; bare: a whole process that\n"
            "imports SudachiPy, loads the dictionary and tokenizes the same notes (mode C);\n"
            "ratio: build / bare; restart: the build on the warm cache, whole process (the quiz\n"
            "engine is made on first use: see ask and quiz);\n"
            "MB: peak RSS of that process; ask: a whole `python -m bot.cli ask` on the warm cache;\n"
            "-python: the same less a bare interpreter start (`python -c pass`);\n"
            "answer: one whole answer in batch mode (`ask -k 10 --json`: ranking, highlight\n"
            "spans, quiz items, JSON), hits seen for the first time (their quiz items read from\n"
            "the cache); again: the same answers once their quiz items are in memory (as in the\n"
            "bot, which reads them all at start);\n"
            "p50/p95: warm query, tokenize + score + top-10;\n"
            "bm25: rank-bm25 BM25Okapi (our idf) fit and get_scores + top-10 on the same terms;\n"
            "exact: rank-bm25's scores equal ours to the last bit on the sample questions;\n"
            "quiz: all quiz items after a restart, read from the cache (the first /quiz waits for it)\n"
        )
        print("  ".join(f"{title:>{len(fmt.format(row[key]))}}" for key, title, fmt in COLUMNS))
    print("  ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS), flush=True)


def measure_cold_start(work: Path, runs: int) -> dict:
    """Median wall time of whole processes, the two kinds interleaved so that load
    from other work on the machine hits both alike."""
    env = os.environ | {"MANABI_DB": str(work / "cold-data" / "manabi.db")}  # any cache goes here
    commands = {
        "bare": [sys.executable, "-c", BARE_LOAD],
        "ask": [sys.executable, "-m", "bot.cli", "ask", COLD_QUESTION],
        "core": [sys.executable, "-m", "benchmarks.ask_core", str(work / "cold-core-cache"), COLD_QUESTION],
    }
    for name in ("ask", "core"):  # fill the caches
        subprocess.run(commands[name], cwd=ROOT, env=env, capture_output=True, check=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    ask = commands["ask"]
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", *ask[1:]], cwd=ROOT, env=env, capture_output=True, text=True
    ).stderr
    return {
        "bare_ms": 1000 * statistics.median(times["bare"]),
        "ask_ms": 1000 * statistics.median(times["ask"]),
        "core_ms": 1000 * statistics.median(times["core"]),
        "imports_discord": _imported("discord", imports),
        "imports_numpy": _imported("numpy", imports),
    }


def _imported(package: str, importtime_log: str) -> bool:
    return re.search(rf"\|\s+{package}(\.\S+)?$", importtime_log, re.MULTILINE) is not None


def check_targets(rows: list[dict], cold: dict) -> list[str]:
    checks = []
    for row in rows:
        checks.append((f"cold build <= 1.3x bare SudachiPy pass at {row['sections']}", row["build_ratio"] <= 1.3))
        if row["size"] >= 10_000:
            checks.append((f"answer, all included, <= 1 ms at {row['sections']}", row["answer_first_ms"] <= 1))
        if row["size"] >= 10_000:
            checks.append((f"warm `manabi ask` <= 0.3 s at {row['sections']}", row["warm_ask_s"] <= 0.3))
        if row["size"] == 10_000:
            checks.append(("warm query p50 <= 1 ms at 10k", row["query_p50_ms"] <= 1))
        if row["size"] == 100_000:
            checks.append(("warm query p50 <= 5 ms at 100k", row["query_p50_ms"] <= 5))
        checks.append((f"p95 <= 3x p50 at {row['sections']}", row["query_p95_ms"] <= 3 * row["query_p50_ms"]))
        checks.append((f"scores equal rank-bm25's at {row['sections']}", row["exact"]))
    checks.append(("cold `bot.cli ask` <= 2x bare import + load", cold["ask_ms"] <= 2 * cold["bare_ms"]))
    checks.append(("cold search-only ask <= 2x bare import + load", cold["core_ms"] <= 2 * cold["bare_ms"]))
    checks.append(("cold ask imports no discord", not cold["imports_discord"]))
    return [f"{'PASS' if ok else 'FAIL'}  {name}" for name, ok in checks]


if __name__ == "__main__":
    main()
