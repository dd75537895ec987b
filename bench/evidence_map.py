"""Time to compute the evidence map (the library call behind the Evidence map page).

    python bench/evidence_map.py [--root DIR] [--repeats 3]

Medians of `kb.browse.evidence_map.evidence_map` for each column dimension, with and without
narrower themes folded into their broader ones, on DIR's build (default: this project's; the
100k-claim build of bench/search_build.py is `--root bench/out/search-syn100000`). The app caches
each result per build, so a page pays this once per combination, not on every click.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from kb.browse.evidence_map import DIMENSIONS, evidence_map
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase

    evidence = KnowledgeBase(Settings.from_env(root=args.root)).evidence
    _ = evidence.incoming, evidence.claims_by_theme  # loaded once by the app before any page
    print(f"{len(evidence.corpus.claims):,} claims; medians of {args.repeats}\n")
    print("| columns | narrower themes folded in | median |\n|---|---|---|")
    for columns in DIMENSIONS:
        for narrower in (True, False):
            times = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                evidence_map(evidence, columns=columns, include_narrower=narrower, language="en")
                times.append(time.perf_counter() - started)
            print(f"| {columns} | {'yes' if narrower else 'no'} | {statistics.median(times):.2f} s |")


if __name__ == "__main__":
    main()
