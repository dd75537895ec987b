"""Latency of every named query, as `kb sparql --name` runs them (workers reading the on-disk
store) and as the web UI runs them (workers holding an in-memory copy of the dataset).

    python bench/sparql_named.py [--root DIR] [--repeats 20]

Medians of `run_named_query` (gate, worker round trip, result transfer) on DIR/build/current
(default: this project's build; `--root bench/out/sparql-60k` is the 938k-triple dataset that
bench/sparql_engines.py leaves). Also the time to start one in-memory worker.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def medians(kb, repeats: int) -> dict[str, tuple[float, int]]:
    from sparql_engines import median_time

    from kb.sparql import named_queries, run_named_query

    found = {}
    for query in named_queries():
        seconds, rows, _ = median_time(lambda q=query: len(run_named_query(kb, q.name)), repeats, float("inf"))
        found[query.name] = (seconds * 1000, rows)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.sparql import keep_datasets_in_memory, run_named_query

    kb = KnowledgeBase(Settings.from_env(root=args.root))
    run_named_query(kb, "evidence-gaps")  # start an on-disk worker
    on_disk = medians(kb, args.repeats)
    started = time.perf_counter()
    keep_datasets_in_memory(kb)
    start_s = time.perf_counter() - started
    in_memory = medians(kb, args.repeats)
    print(
        f"build {kb.path.name}: {kb.manifest['counts']['triples']:,} triples; medians of {args.repeats}; "
        f"starting an in-memory worker {start_s:.2f} s\n"
    )
    print("| named query | rows | on disk (`kb sparql`) | in memory (web UI) | ratio |\n|---|---|---|---|---|")
    for name, (disk_ms, rows) in on_disk.items():
        memory_ms = in_memory[name][0]
        print(f"| {name} | {rows:,} | {disk_ms:.1f} ms | {memory_ms:.1f} ms | {disk_ms / memory_ms:.1f}x |")


if __name__ == "__main__":
    main()
