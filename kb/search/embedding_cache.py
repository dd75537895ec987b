"""Vectors already computed, keyed by model fingerprint and text hash, so a build embeds only new text.

Layout: build/cache/search/embeddings-<model key>-<shard>.keys.npy and .vectors.npy. A build that
embedded something adds one shard (written atomically: vectors first, then keys, and a shard
counts only when both are complete and agree). When shards pile up they are merged into one that
keeps only the texts the current corpus still has.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np

from kb.build.atomic import atomic_output

KEYS = ".keys.npy"
VECTORS = ".vectors.npy"
_MERGE_AFTER = 8


class EmbeddingCache:
    def __init__(self, directory: Path, model_key: str, dim: int):
        self.directory = directory
        self.prefix = f"embeddings-{model_key}-"
        self.dim = dim
        self._rows: dict[bytes, tuple[int, int]] = {}
        self._arrays: list[np.ndarray] = []
        self._shards: list[Path] = []
        self._load()

    def _load(self) -> None:
        for keys_path in sorted(self.directory.glob(f"{self.prefix}*{KEYS}")):
            stem = keys_path.name[: -len(KEYS)]
            try:
                keys = np.load(keys_path)
                vectors = np.load(self.directory / f"{stem}{VECTORS}", mmap_mode="r")
            except (OSError, ValueError, EOFError):
                continue  # a damaged shard is only a cache miss
            if (
                vectors.ndim != 2
                or keys.ndim != 2
                or keys.shape[1] != 16
                or len(vectors) != len(keys)
                or vectors.shape[1] != self.dim
            ):
                continue
            shard = len(self._arrays)
            self._arrays.append(vectors)
            self._shards.append(self.directory / stem)
            for row, key in enumerate(_key_bytes(keys)):
                self._rows[key] = (shard, row)

    @staticmethod
    def key(digest: str) -> bytes:
        return bytes.fromhex(digest)[:16]

    def lookup(self, digests: list[str]) -> tuple[np.ndarray, list[int]]:
        """(vectors with zero rows where missing, indices of the missing digests)."""
        out = np.zeros((len(digests), self.dim), np.float32)
        places = [self._rows.get(self.key(digest), (-1, -1)) for digest in digests]
        shards = np.fromiter((shard for shard, _ in places), np.int64, len(places))
        rows = np.fromiter((row for _, row in places), np.int64, len(places))
        for shard, array in enumerate(self._arrays):  # one gather per shard, not one copy per row
            wanted = np.flatnonzero(shards == shard)
            if len(wanted):
                out[wanted] = array[rows[wanted]]
        return out, np.flatnonzero(shards < 0).tolist()

    def add(self, digests: list[str], vectors: np.ndarray) -> None:
        if not digests:
            return
        stem = self.directory / f"{self.prefix}{uuid.uuid4().hex}"
        # Raw bytes as uint8 rows: numpy's "S16" strings would drop a digest's trailing NUL bytes.
        keys = np.frombuffer(b"".join(self.key(d) for d in digests), np.uint8).reshape(len(digests), 16)
        vectors = np.ascontiguousarray(vectors, np.float32)
        with atomic_output(Path(f"{stem}{VECTORS}")) as handle:
            np.save(handle, vectors)
        with atomic_output(Path(f"{stem}{KEYS}")) as handle:
            np.save(handle, keys)
        shard = len(self._arrays)
        self._arrays.append(vectors)
        self._shards.append(stem)
        for row, key in enumerate(_key_bytes(keys)):
            self._rows[key] = (shard, row)

    def compact(self, keep: list[str]) -> None:
        """Merge the shards into one holding only `keep`, once there are many of them."""
        if len(self._shards) <= _MERGE_AFTER:
            return
        wanted = [d for d in dict.fromkeys(keep) if self.key(d) in self._rows]
        vectors, _ = self.lookup(wanted)
        self._rows, self._arrays, self._shards = {}, [], []
        self.add(wanted, vectors)
        merged = {Path(f"{stem}{suffix}").name for stem in self._shards for suffix in (KEYS, VECTORS)}
        for path in self.directory.glob(f"{self.prefix}*"):
            if path.name not in merged:  # the merged shards, and any damaged or older-format ones
                path.unlink(missing_ok=True)


def _key_bytes(keys: np.ndarray) -> list[bytes]:
    return [row.tobytes() for row in keys]
