"""Latency of every named query on the real corpus's build, as `kb sparql --name` runs them.

    python bench/sparql_named_real.py [--repeats 20]

Medians of `run_named_query` (gate, worker round trip, result transfer) on build/current.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.sparql import named_queries, run_named_query

    kb = KnowledgeBase(Settings.from_env())
    print(f"build {kb.path.name}: {len(kb.store):,} triples\n\n| named query | rows | median |\n|---|---|---|")
    run_named_query(kb, "evidence-gaps")  # start the worker
    for query in named_queries():
        times, rows = [], 0
        for _ in range(args.repeats):
            started = time.perf_counter()
            rows = len(run_named_query(kb, query.name))
            times.append(time.perf_counter() - started)
        print(f"| {query.name} | {rows} | {statistics.median(times) * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
