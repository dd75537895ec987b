"""Domain errors. The library raises these; the CLI turns each into one line and a non-zero exit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where a piece of corpus data came from: a file and a 1-based line (0 when unknown)."""

    path: Path
    line: int = 0

    def __str__(self) -> str:
        shown = _relative(self.path)
        return f"{shown}:{self.line}" if self.line else str(shown)


def _relative(path: Path) -> Path:
    try:
        return Path(path).resolve().relative_to(Path.cwd())
    except ValueError:
        return Path(path)


class KbError(Exception):
    """Base class of every error the library raises on purpose."""


class CorpusError(KbError):
    """Bad input in corpus/ or ontology/: carries the location, so the message names file and line."""

    def __init__(self, message: str, location: Location | None = None):
        self.message = message
        self.location = location
        super().__init__(f"{location}: {message}" if location else message)


class ValidationError(KbError):
    """The compiled dataset breaks a SHACL shape."""

    def __init__(self, violations: list[str]):
        self.violations = violations
        first = violations[0] if violations else "unknown violation"
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(f"SHACL: {first}{more}")


class NotBuiltError(KbError):
    def __init__(self, where: Path):
        super().__init__(f"no knowledge base built at {where}; run `kb build` first")
