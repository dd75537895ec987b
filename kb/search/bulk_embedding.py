"""Embedding many texts at once (what `kb build` does): length-sorted batches, spread over processes.

A build with thousands of texts to embed splits them into slices of similar length and hands the
slices to `build_workers` worker processes (default: one per core), each with its own copy of the
encoder on one thread; fewer texts are embedded in this process. Processes rather than threads,
because the encoders hold process-wide state (BLAS thread limits, one onnxruntime session) and
because the tokenizers and the numpy glue hold the GIL for part of the time.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from kb.config import Settings
from kb.search.models import ModelSpec

PARALLEL_MIN = 2000  # below this many texts, starting workers (about 1 s each) costs more than it saves
SLICE = 512  # texts per task: small enough to balance the workers, big enough to batch well
_BATCH_TOKENS = 2048


def embed_texts(
    spec: ModelSpec, onnx_folder: Path | None, texts: list[str], settings: Settings, encoder=None
) -> np.ndarray:
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
        batch = order[start : start + size]
        out[batch] = encoder.encode([texts[i] for i in batch])
        if progress is not None:
            progress(len(batch))
        start += size
    return out


def _in_processes(spec: ModelSpec, onnx_folder: Path | None, texts: list[str], workers: int, bar) -> np.ndarray:
    import queue
    import threading

    # Slices of similar length (by characters: the tokenizer lives in the workers), longest first,
    # so that the last slices to finish are short ones.
    order = np.argsort([-len(t) for t in texts], kind="stable")
    slices: queue.Queue = queue.Queue()
    for start in range(0, len(order), SLICE):
        slices.put(order[start : start + SLICE])
    out: list = [None]
    failures: list[str] = []
    lock = threading.Lock()

    def run(worker: _Worker) -> None:
        try:
            while not failures:
                try:
                    rows = slices.get_nowait()
                except queue.Empty:
                    return
                vectors = worker.embed([texts[i] for i in rows])
                with lock:
                    if out[0] is None:
                        out[0] = np.zeros((len(texts), vectors.shape[1]), np.float32)
                    out[0][rows] = vectors
                    bar.update(len(rows))
        except Exception as error:  # reported once, below, with the worker's own message
            failures.append(str(error))
        finally:
            worker.close()

    threads = [threading.Thread(target=run, args=(_Worker(spec, onnx_folder),), daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        from kb.errors import KbError

        raise KbError(f"embedding failed in a worker process: {failures[0]}")
    return out[0]


class _Worker:
    """One `python -m kb.search.bulk_embedding` process: pickled lists of texts in, vectors out.

    A fresh interpreter rather than a multiprocessing child: it imports nothing of the caller's
    (`spawn` would re-run the caller's main script, which a script without a main guard, or the
    web app, cannot allow) and inherits no threads (`fork` would copy onnxruntime's or faiss's
    thread pools mid-state)."""

    def __init__(self, spec: ModelSpec, onnx_folder: Path | None):
        import subprocess
        import sys
        import tempfile

        self.errors = tempfile.TemporaryFile()  # a file, not a pipe: a chatty worker cannot block on it
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kb.search.bulk_embedding"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
        )
        self._send((spec, onnx_folder))

    def embed(self, texts: list[str]) -> np.ndarray:
        self._send(texts)
        return self._receive()

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=30)
        except Exception:
            self.process.kill()
        self.process.stdout.close()
        self.errors.close()

    def _send(self, value) -> None:
        import pickle

        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(len(data).to_bytes(8, "little") + data)
            self.process.stdin.flush()
        except OSError:
            raise RuntimeError(self._stderr()) from None

    def _receive(self) -> np.ndarray:
        import pickle

        header = self.process.stdout.read(8)
        if len(header) < 8:
            raise RuntimeError(self._stderr())
        return pickle.loads(_read_exactly(self.process.stdout, int.from_bytes(header, "little")))

    def _stderr(self) -> str:
        self.process.wait(timeout=30)
        self.errors.seek(0)
        lines = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"the worker exited with status {self.process.returncode}"


def _read_exactly(stream, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise RuntimeError("the worker stopped mid-answer")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _serve() -> None:
    """The worker's loop: the model spec first, then lists of texts until stdin closes."""
    import pickle
    import sys

    from kb.search.encoders import load_encoder

    source, sink = sys.stdin.buffer, sys.stdout.buffer

    def receive():
        header = source.read(8)
        return None if len(header) < 8 else pickle.loads(_read_exactly(source, int.from_bytes(header, "little")))

    spec, onnx_folder = receive()
    encoder = load_encoder(spec, onnx_folder, 1)
    while (texts := receive()) is not None:
        data = pickle.dumps(embed_in_batches(encoder, texts), protocol=pickle.HIGHEST_PROTOCOL)
        sink.write(len(data).to_bytes(8, "little") + data)
        sink.flush()


if __name__ == "__main__":
    _serve()
