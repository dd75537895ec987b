"""Embedding many texts at once (what `kb build` does): length-sorted batches, spread over processes.

A build with thousands of texts to embed splits them into slices of similar length and hands the
slices to `build_workers` worker processes (default: one per core), each with its own copy of the
encoder on one thread; fewer texts are embedded in this process. Processes rather than threads,
because the encoders hold process-wide state (BLAS thread limits, one onnxruntime session) and
because the tokenizers and the numpy glue hold the GIL for part of the time. Workers are started
with `spawn`, not `fork`: the build process may already run onnxruntime or faiss threads, which a
forked child would inherit in an undefined state.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from kb.config import Settings
from kb.search.models import ModelSpec

PARALLEL_MIN = 2000   # below this many texts, starting workers (about 1 s each) costs more than it saves
SLICE = 512           # texts per task: small enough to balance the workers, big enough to batch well
_BATCH_TOKENS = 2048

_worker_encoder = None


def embed_texts(spec: ModelSpec, onnx_folder: Path | None, texts: list[str], settings: Settings,
                encoder=None) -> np.ndarray:
    """Vectors of `texts`, in order (float32, one row per text), with a progress bar on a terminal."""
    from tqdm import tqdm

    workers = worker_count(settings)
    with tqdm(total=len(texts), desc="embedding", unit="text", disable=None, leave=False) as bar:
        if encoder is None and workers > 1 and len(texts) >= PARALLEL_MIN:
            return _in_processes(spec, onnx_folder, texts, workers, bar)
        if encoder is None:
            from kb.search.encoders import load_encoder

            encoder = load_encoder(spec, onnx_folder, settings.embedding_threads)
        return embed_in_batches(encoder, texts, bar.update)


def worker_count(settings: Settings) -> int:
    return settings.build_workers if settings.build_workers > 0 else max(1, len(os.sched_getaffinity(0)))


def embed_in_batches(encoder, texts: list[str], progress=None) -> np.ndarray:
    """Batches of similar length (little padding for the transformer models), at most 64 texts."""
    lengths = encoder.token_lengths(texts)
    order = np.argsort(lengths, kind="stable")
    out = np.zeros((len(texts), encoder.dim), np.float32)
    start = 0
    while start < len(order):
        longest = max(1, lengths[order[min(len(order) - 1, start + 63)]])
        size = max(1, min(64, _BATCH_TOKENS // longest))
        batch = order[start:start + size]
        out[batch] = encoder.encode([texts[i] for i in batch])
        if progress is not None:
            progress(len(batch))
        start += size
    return out


def _in_processes(spec: ModelSpec, onnx_folder: Path | None, texts: list[str], workers: int, bar) -> np.ndarray:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Slices of similar length (by characters: the tokenizer lives in the workers).
    order = np.argsort([len(t) for t in texts], kind="stable")
    slices = [order[i:i + SLICE] for i in range(0, len(order), SLICE)]
    out = None
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(spec, onnx_folder)) as pool:
        futures = {pool.submit(_embed_slice, [texts[i] for i in rows]): rows for rows in slices}
        for future in as_completed(futures):
            vectors = future.result()
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), np.float32)
            out[futures[future]] = vectors
            bar.update(len(vectors))
    return out


def _start_worker(spec: ModelSpec, onnx_folder: Path | None) -> None:
    global _worker_encoder
    from kb.search.encoders import load_encoder

    _worker_encoder = load_encoder(spec, onnx_folder, 1)


def _embed_slice(texts: list[str]) -> np.ndarray:
    return embed_in_batches(_worker_encoder, texts)
