"""End-to-end query latency of `Searcher.search` (embed + retrieve + fuse + assemble) on a built corpus.

    python bench/search_build.py --claims 100000 --edits 1     # builds bench/out/search-syn100000
    python bench/search_speed.py --root bench/out/search-syn100000 --queries 300

Runs in one process with one thread for the model and faiss (as the web app serves), after a
warm-up. The queries are the labelled set's 55 questions (English and Russian) plus sentences made
from the synthetic generator's vocabulary, cycled to --queries. Prints load time, p50/p95 per mode
and with a filter, recall@10 of the approximate index against exact search over the same vectors
(when the index is IVF), and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def query_texts(count: int) -> list[str]:
    from synthetic import OBJECTS, QUALIFIERS, RU_WORDS, SUBJECTS, VERBS

    labelled = [q["query"] for q in yaml.safe_load((ROOT / "bench" / "queries.yaml").read_text(encoding="utf-8"))]
    rng = random.Random(3)
    made = [
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"
        for _ in range(count)
    ]
    made += [" ".join(rng.sample(RU_WORDS, 3)) for _ in range(count // 5)]
    texts = labelled + made
    rng.shuffle(texts)
    return texts[:count]


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, required=True, help="project folder with a built knowledge base")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()

    import faiss
    import numpy as np

    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.search import Searcher, SearchFilters
    from kb.search import vectors as vector_index

    faiss.omp_set_num_threads(1)
    settings = Settings.from_env(root=args.root.resolve())
    started = time.perf_counter()
    kb = KnowledgeBase(settings)
    searcher = Searcher(kb)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    searcher.warm()
    warm = time.perf_counter() - started
    manifest = searcher.index.manifest
    print(
        f"corpus: {len(kb.corpus.claims)} claims, {len(kb.corpus.sources)} sources; {manifest['documents']} "
        f"documents, {manifest['dense_documents']} vectors, index {manifest['index']}"
    )
    print(f"load (knowledge base + index + model): {loaded:.2f} s; warm-up: {warm:.2f} s")
    texts = query_texts(args.queries)
    runs = [
        ("hybrid", None),
        ("dense", None),
        ("lexical", None),
        ("hybrid", SearchFilters(theme="cluster-policy")),
        ("hybrid", SearchFilters(year_from=2015, language="ru")),
    ]
    for mode, filters in runs:
        latencies = []
        for text in texts:
            begun = time.perf_counter()
            searcher.search(text, k=args.k, mode=mode, filters=filters)
            latencies.append((time.perf_counter() - begun) * 1000)
        p50, p95 = percentiles(latencies)
        shown = ", ".join(f"{k}={v}" for k, v in vars(filters).items() if v is not None) if filters else ""
        label = mode + (f" + filter {shown}" if filters else "")
        print(f"{label:<44} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({len(texts)} queries)")

    index = searcher.index.vectors
    if vector_index.kind_of(index) == vector_index.IVF:
        everything = vector_index.rows(index, np.arange(index.ntotal))
        hits = []
        for text in texts[:100]:
            vector = searcher.encoder.encode([text], query=True)[0]
            _, approx = vector_index.search(index, vector, 10, None, settings.search_nprobe)
            exact = np.argsort(-(everything @ vector))[:10]
            hits.append(len(set(approx.tolist()) & set(exact.tolist())) / 10)
        print(
            f"IVF recall@10 against exact search over the same {index.ntotal} vectors "
            f"(nprobe {settings.search_nprobe}, 100 queries): {statistics.mean(hits):.3f}"
        )
        for _, filters in runs[3:]:
            allowed = searcher.filter_mask(filters)[searcher.index.dense_rows]
            hits = []
            for text in texts[:100]:
                vector = searcher.encoder.encode([text], query=True)[0]
                _, approx = vector_index.search(index, vector, 10, allowed, settings.search_nprobe)
                scores = np.where(allowed, everything @ vector, -np.inf)
                exact = np.argsort(-scores)[:10]
                hits.append(len(set(approx.tolist()) & set(exact.tolist())) / 10)
            shown = ", ".join(f"{k}={v}" for k, v in vars(filters).items() if v is not None)
            print(
                f"  with filter {shown} ({int(allowed.sum())} of {len(allowed)} vectors allowed): "
                f"recall@10 {statistics.mean(hits):.3f}"
            )
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
