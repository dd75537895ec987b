"""The built knowledge base on disk: an Oxigraph store plus a manifest, swapped in atomically.

Layout under the build folder:
    current -> dataset-<hash>/    symlink, replaced in one rename, so readers never see a half build
    dataset-<hash>/store/         Oxigraph (RocksDB) store with the named graphs
    dataset-<hash>/manifest.json  input hash, counts, versions
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

CURRENT = "current"
MANIFEST = "manifest.json"
STORE = "store"
PIN = ".pin"


class Pin:
    """A shared lock on a dataset folder while a process serves or reads it: `kb build` removes old
    datasets but never a pinned one. The kernel drops the lock when the process ends, however it
    ends, so a killed server leaves no stale pin behind."""

    def __init__(self, dataset: Path):
        self.dataset = dataset
        self._file = open(dataset / PIN, "a+b")  # noqa: SIM115 - held open for the pin's lifetime
        fcntl.flock(self._file, fcntl.LOCK_SH)

    def release(self) -> None:
        if not self._file.closed:
            self._file.close()  # closing drops the lock


def is_pinned(dataset: Path) -> bool:
    """True while some process holds a `Pin` on `dataset`."""
    try:
        with open(dataset / PIN, "a+b") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(probe, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def current_dir(build_dir: Path) -> Path | None:
    link = build_dir / CURRENT
    return link.resolve() if link.exists() else None


def read_manifest(build_dir: Path) -> dict | None:
    """The current build's manifest, or None when there is no build (or its manifest is unreadable)."""
    current = current_dir(build_dir)
    return None if current is None else manifest_of(current)


def manifest_of(dataset: Path) -> dict | None:
    """The manifest of one dataset folder, or None when it is missing or unreadable."""
    try:
        return json.loads((dataset / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class StagedBuild:
    """A build folder being written; `commit()` makes it current, leaving it unused on failure."""

    def __init__(self, build_dir: Path, content_hash: str):
        build_dir.mkdir(parents=True, exist_ok=True)
        self.build_dir = build_dir
        self.final = build_dir / f"dataset-{content_hash[:16]}"
        self.path = Path(tempfile.mkdtemp(prefix=".staging-", dir=build_dir))

    @property
    def store_path(self) -> Path:
        return self.path / STORE

    def write_manifest(self, manifest: dict) -> None:
        (self.path / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")

    def commit(self) -> Path:
        previous = current_dir(self.build_dir)
        if self.final.exists() and self.final != previous and not is_pinned(self.final):
            shutil.rmtree(self.final)
        if self.final.exists():
            # Same inputs rebuilt (after a forced build, or back to a build a server still pins):
            # publish under a fresh name.
            self.final = Path(tempfile.mkdtemp(prefix=self.final.name + "-", dir=self.build_dir))
            self.final.rmdir()
        os.rename(self.path, self.final)
        link_tmp = self.build_dir / f".{CURRENT}.tmp"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        link_tmp.symlink_to(self.final.name)
        os.replace(link_tmp, self.build_dir / CURRENT)
        self._remove_old(keep={self.final, previous})
        return self.final

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def _remove_old(self, keep: set[Path | None]) -> None:
        """Older builds go, but for the previous one (a reader may have just resolved `current`) and
        any a process pins (`kb serve`, the web UI)."""
        for entry in self.build_dir.glob("dataset-*"):
            if entry not in keep and not is_pinned(entry):
                shutil.rmtree(entry, ignore_errors=True)
        for entry in self.build_dir.glob(".staging-*"):
            shutil.rmtree(entry, ignore_errors=True)
