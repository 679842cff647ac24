"""Pathological notes beside ordinary notes of the same size, run by hand (not a test):

  python -m benchmarks.pathological            every case, the 5 MB file included
  python -m benchmarks.pathological --quick    the 5 MB file shrunk to 1 MB

Each case is a notes folder read and answered in a fresh process: the build from
scratch (sections, search terms, quiz analyses), then one question whose best hit is the
pathological part, answered whole (ranking, highlight spans, excerpt, quiz items, JSON).
The same is done on ordinary generated notes (benchmarks/corpus.py) of the same number
of characters. Every step must be near-linear in its input: each case must take under
2x its ordinary twin. A case still running after --timeout seconds is stopped and
reported as such.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import Vocabulary, _sentence, note_file

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "仮想化とは？"


def _words(chars: int, separator: str, seed: int = 1) -> str:
    """Generated clauses joined by separator, about chars characters, with 仮想化 in it."""
    rng = random.Random(seed)
    vocab = Vocabulary(random.Random(20240601))
    out, size = ["仮想化"], 3
    while size < chars:
        clause = _sentence(rng, vocab).rstrip("。")
        out.append(clause)
        size += len(clause) + len(separator)
    return separator.join(out)[:chars]


def long_line(chars: int = 20_000) -> str:
    return "# 仮想化\n- " + _words(chars, "、") + "\n"


def many_bullets(count: int = 5_000) -> str:
    rng = random.Random(2)
    vocab = Vocabulary(random.Random(20240601))
    return "# 仮想化\n" + "".join(f"- {_sentence(rng, vocab)}\n" for _ in range(count))


def deep_nesting(levels: int = 100) -> str:
    rng = random.Random(3)
    vocab = Vocabulary(random.Random(20240601))
    return "# 仮想化\n" + "".join(f"{'  ' * depth}- 仮想化の{_sentence(rng, vocab)}\n" for depth in range(levels))


def big_file(chars: int) -> str:
    rng = random.Random(4)
    vocab = Vocabulary(random.Random(20240601))
    text = "# 仮想化\n- 仮想化はハードウェアを分けて使う技術\n"
    while len(text) < chars:
        text += note_file(rng, vocab, 50)
    return text[:chars]


def repeated_character(chars: int = 20_000) -> str:
    return "# 仮想化\n- 仮想化の例\n- " + "あ" * chars + "\n"


def ordinary(chars: int) -> dict[str, str]:
    """Ordinary notes of about chars characters, in files of 50 sections."""
    rng = random.Random(5)
    vocab = Vocabulary(random.Random(20240601))
    files, size = {"notes.md": "# 仮想化\n- 仮想化はハードウェアを分けて使う技術\n"}, 0
    while size < chars:
        text = note_file(rng, vocab, 50)[: chars - size + 1]
        files[f"ordinary{len(files):04d}.md"] = text
        size += len(text)
    return files


def cases(quick: bool) -> dict[str, str]:
    return {
        "one 20,000-character line": long_line(),
        "5,000 bullets under one heading": many_bullets(),
        "100 levels of nesting": deep_nesting(),
        f"one {'1' if quick else '5'} MB file": big_file((1 if quick else 5) * 1_000_000 // 3),
        "a line of one repeated character": repeated_character(),
    }


def run_case(folder: Path, timeout: float) -> dict:
    """Read and answer in a fresh process; None for the times if it ran out of time."""
    start = time.perf_counter()
    try:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.pathological", "--one", str(folder)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"total_s": None}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["total_s"] = time.perf_counter() - start
    return result


def one(folder: Path) -> None:
    """In the fresh process: build, then answer QUESTION as `ask -k 10 --json` would."""
    from bot.cli import _as_json
    from bot.core.service import AnswerService

    start = time.perf_counter()
    service = AnswerService(folder)
    built = time.perf_counter()
    answer = service.ask(QUESTION, 10)
    line = _as_json(answer)
    excerpts = [service.excerpt(hit) for hit in answer.hits]
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "read_s": built - start,
                "answer_s": done - built,
                "hits": len(answer.hits),
                "json_chars": len(line),
                "longest_excerpt": max(map(len, excerpts), default=0),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a 1 MB file instead of 5 MB")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a case may take (default 300)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return
    subprocess.run([sys.executable, "-m", "compileall", "-q", "bot", "benchmarks"], cwd=ROOT, check=True)
    print("read: sections, terms and quiz analyses from scratch; answer: one whole answer")
    print("(ranking, spans, excerpts, quiz items, JSON); ratio: total against ordinary notes")
    print("of the same size, each a whole process; the goal is under 2x.\n")
    header = f"{'case':<36} {'chars':>9} {'read s':>7} {'answer s':>8} {'total s':>7} {'ordinary s':>10} {'ratio':>6}"
    print(header)
    with tempfile.TemporaryDirectory(prefix="manabi-pathological-") as work:
        for n, (name, text) in enumerate(cases(args.quick).items()):
            odd, plain = Path(work) / f"odd{n}", Path(work) / f"plain{n}"
            odd.mkdir()
            (odd / "notes.md").write_text(text, encoding="utf-8")
            plain.mkdir()
            for file, body in ordinary(len(text)).items():
                (plain / file).write_text(body, encoding="utf-8")
            result, twin = run_case(odd, args.timeout), run_case(plain, args.timeout)
            if result["total_s"] is None or twin["total_s"] is None:
                print(f"{name:<36} {len(text):>9,} {'':>7} {'':>8} {'> ' + str(int(args.timeout)):>7}", flush=True)
                continue
            ratio = result["total_s"] / twin["total_s"]
            print(
                f"{name:<36} {len(text):>9,} {result['read_s']:>7.2f} {result['answer_s']:>8.3f} "
                f"{result['total_s']:>7.2f} {twin['total_s']:>10.2f} {ratio:>5.2f}x {'PASS' if ratio < 2 else 'FAIL'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
