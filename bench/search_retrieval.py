"""Vector retrieval alone (faiss, through kb.search.vectors): exact vs IVF, latency and recall@10.

    python bench/search_retrieval.py --sizes 20000 100000 1000000 --queries 300

Vectors are synthetic: 384-dimensional, L2-normalised, drawn around 2,000 random topic centres
(real text embeddings are clustered too; uniformly random vectors would be an unrealistically hard
case for IVF and an easy one for nothing). Queries come from the same distribution but are not in
the index. For each size: exact (flat) search latency, then the IVF index the build would make at
that size (4*sqrt(n) lists rounded to a power of two), its training and filling time, and for each
nprobe its single-query latency (p50, p95, one thread) and recall@10 against exact search.
"""

from __future__ import annotations

import argparse
import functools
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _search(index, query, k, nprobe):
    from kb.search import vectors as vector_index

    return vector_index.search(index, query, k, None, nprobe)


def synthetic(count: int, dim: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    out = np.empty((count, dim), np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        topic = centres[rng.integers(0, len(centres), n)]
        block = topic + rng.normal(0, 0.045, (n, dim)).astype(np.float32)
        out[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def timed(function, queries, k):
    latencies, found = [], []
    for query in queries:
        started = time.perf_counter()
        scores, rows = function(query, k)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append(rows)
    ordered = sorted(latencies)
    return statistics.median(latencies), ordered[int(0.95 * (len(ordered) - 1))], found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--nprobe", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--dim", type=int, default=384)
    args = parser.parse_args()

    import faiss

    from kb.search import vectors as vector_index

    faiss.omp_set_num_threads(1)  # a serving process: one query at a time on one thread
    rng = np.random.default_rng(42)
    centres = rng.normal(size=(2000, args.dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    queries = synthetic(args.queries, args.dim, rng, centres)
    k = 10
    print(f"{'vectors':>9} {'index':<18} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>9}  notes")
    for size in args.sizes:
        data = synthetic(size, args.dim, rng, centres)
        flat = vector_index.build_index(data)
        p50, p95, exact = timed(functools.partial(_search, flat, nprobe=0), queries, k)
        print(f"{size:>9} {'flat (exact)':<18} {p50:>7.2f} {p95:>7.2f} {1.0:>9.3f}")
        nlist = vector_index.trained_nlist(size)
        started = time.perf_counter()
        trained = vector_index.train_ivf(data, nlist)
        trained_s = time.perf_counter() - started
        started = time.perf_counter()
        ivf = vector_index.build_index(data, trained=trained)
        fill_s = time.perf_counter() - started
        for nprobe in args.nprobe:
            p50, p95, approx = timed(functools.partial(_search, ivf, nprobe=nprobe), queries, k)
            recall = statistics.mean(len(set(a.tolist()) & set(e.tolist())) / k for a, e in zip(approx, exact))
            note = f"train {trained_s:.0f} s, fill {fill_s:.1f} s" if nprobe == args.nprobe[0] else ""
            print(f"{size:>9} {f'IVF{nlist} nprobe {nprobe}':<18} {p50:>7.2f} {p95:>7.2f} {recall:>9.3f}  {note}")
        del flat, ivf, data
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
