"""Search quality on JSQuAD valid as a passage-retrieval set (../shared/eval/jsquad-valid):

  python -m benchmarks.jsquad [--data DIR] [--limit N]

Each passage becomes one notes file, `# title` then the paragraph (as the set's README
advises), and goes through the real pipeline: notes reader, analyzer, index, search.
Every query is ranked without the "nothing in the notes" rule (every query has an
answer here), and R@1, R@3 and MRR@10 are printed. Tune on this set freely; held-out
sets of the same kind are run on what is submitted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bot.core.analyzer import Analyzer
from bot.core.build import build
from bot.core.morphology import shared_morphology

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "jsquad-valid"


def write_passages(data: Path, folder: Path) -> None:
    for line in (data / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        passage = json.loads(line)
        (folder / f"{passage['id']}.md").write_text(f"# {passage['title']}\n\n{passage['text']}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the jsquad-valid folder")
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries")
    args = parser.parse_args()
    if not (args.data / "corpus.jsonl").is_file():
        raise SystemExit(f"no JSQuAD data at {args.data} (see ../shared/eval/jsquad-valid/README.md)")
    relevant = dict(line.split("\t") for line in (args.data / "qrels.tsv").read_text(encoding="utf-8").splitlines())
    queries = [json.loads(line) for line in (args.data / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    if args.limit:
        queries = queries[: args.limit]
    with tempfile.TemporaryDirectory(prefix="manabi-jsquad-") as work:
        folder = Path(work)
        write_passages(args.data, folder)
        started = time.perf_counter()
        built = build(folder, Analyzer(), shared_morphology())
        build_seconds = time.perf_counter() - started
        search = built.search
        at1 = at3 = reciprocal = 0.0
        started = time.perf_counter()
        for query in queries:
            hits = search.rank(query["text"], 10).hits
            files = [hit.section.file.removesuffix(".md") for hit in hits]
            wanted = relevant[query["id"]].strip()
            if wanted in files:
                rank = files.index(wanted) + 1
                at1 += rank == 1
                at3 += rank <= 3
                reciprocal += 1 / rank
        query_ms = (time.perf_counter() - started) * 1000 / max(len(queries), 1)
    n = max(len(queries), 1)
    print(f"passages indexed in {build_seconds:.1f} s; {len(queries)} queries, {query_ms:.2f} ms each")
    print(f"R@1 {at1 / n:.4f}  R@3 {at3 / n:.4f}  MRR@10 {reciprocal / n:.4f}")


if __name__ == "__main__":
    main()
