"""Writing files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_output(path: Path, mode: str = "wb", encoding: str | None = None, durable: bool = True):
    """Write to a temporary file beside `path`, then rename it over `path`. The file keeps the
    permissions it had (a new one gets the usual 0666 less the umask, not mkstemp's 0600).
    `durable=False` skips the fsync: for caches, whose reader treats a damaged entry as a miss
    (after a power cut a renamed file may be empty), and which a build writes thousands of."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(descriptor, _permissions_for(path))
        with os.fdopen(descriptor, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _permissions_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_output(path, "w", encoding="utf-8") as handle:
        handle.write(text)
