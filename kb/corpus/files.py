"""Which files make up a corpus folder (kept free of heavy imports: the no-op build hashes them first)."""

from __future__ import annotations

from pathlib import Path


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[Path]]:
    """The .bib files and the claim files of a corpus, in a stable order."""
    return sorted(corpus_dir.glob("*.bib")), sorted((corpus_dir / "claims").glob("*.yaml"))
