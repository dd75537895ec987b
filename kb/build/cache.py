"""Content-addressed cache of per-file build work (parsed records, RDF chunks, SHACL verdicts).

A key (made by kb.build.builder) is the hash of a file's bytes salted with everything else its result
depends on (the code and the ontology), so an entry is either exactly right or never looked up.
Entries are written atomically; a crash leaves at most an unused file, removed by the next `prune`.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from kb.build.atomic import atomic_output


KINDS = ("parsed", "chunk", "valid")


class BuildCache:
    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, kind: str, key: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        return self.directory / kind / key[:2] / key

    def get(self, kind: str, key: str):
        path = self._path(kind, key)
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, kind: str, key: str, value) -> None:
        # No fsync: `get` treats a damaged entry as a miss, and a first build writes two entries per file.
        with atomic_output(self._path(kind, key), durable=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def has(self, kind: str, key: str) -> bool:
        return self._path(kind, key).exists()

    def mark(self, kind: str, key: str) -> None:
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def prune(self, keep: set[str]) -> None:
        """Remove every entry whose key is not in `keep` (the current and the previous build's)."""
        for kind in KINDS:
            for path in (self.directory / kind).glob("*/*"):
                if path.name not in keep and not path.name.startswith("."):
                    path.unlink(missing_ok=True)
