"""`kb build` and `kb validate`: ontology + corpus -> one validated dataset in an Oxigraph store."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import Settings
from kb.store import StagedBuild, read_manifest

# Bump when the shape of the build output changes in a way the file hash cannot see.
BUILD_FORMAT = 1
_PACKAGE = Path(__file__).parent


@dataclass(frozen=True)
class BuildReport:
    path: Path
    skipped: bool
    content_hash: str
    seconds: float
    counts: dict = field(default_factory=dict)


def input_files(settings: Settings) -> list[Path]:
    """Everything a build reads: the ontology, the corpus, and the code that maps them."""
    from kb.corpus.files import corpus_files

    bib, claims = corpus_files(settings.corpus)
    ontology = sorted(settings.ontology.glob("*.ttl"))
    code = sorted(p for p in _PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    return [*ontology, *bib, *claims, *code]


def content_hash(settings: Settings) -> str:
    digest = hashlib.sha256(f"build-format-{BUILD_FORMAT}\n".encode())
    for path in input_files(settings):
        digest.update(f"{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def compile_dataset(settings: Settings):
    """Read and check everything, map it to RDF and validate it with SHACL; write nothing."""
    from kb.corpus.loader import load_corpus
    from kb.rdf.mapping import build_dataset
    from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph
    from kb.rdf.shacl import load_shapes, validate_dataset

    ontology = load_ontology_graph(settings.ontology)
    vocabulary = vocabulary_from_graph(ontology)
    corpus = load_corpus(settings.corpus, vocabulary)
    dataset = build_dataset(ontology, corpus)
    validate_dataset(dataset, load_shapes(settings.ontology), describe=_describer(corpus))
    return dataset, corpus, vocabulary


def validate(settings: Settings) -> dict:
    """Check the corpus and ontology as a build would, without writing anything; return counts."""
    dataset, corpus, vocabulary = compile_dataset(settings)
    return _counts(dataset, corpus, vocabulary)


def build(settings: Settings, force: bool = False) -> BuildReport:
    started = time.perf_counter()
    digest = content_hash(settings)
    manifest = read_manifest(settings.build)
    if manifest and manifest.get("content_hash") == digest and not force:
        return BuildReport(settings.build / "current", True, digest, time.perf_counter() - started,
                           manifest.get("counts", {}))

    dataset, corpus, vocabulary = compile_dataset(settings)
    counts = _counts(dataset, corpus, vocabulary)
    staged = StagedBuild(settings.build, digest)
    try:
        _write_store(dataset, staged.store_path)
        staged.write_manifest({
            "content_hash": digest,
            "build_format": BUILD_FORMAT,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "counts": counts,
        })
        path = staged.commit()
    except BaseException:
        staged.abort()
        raise
    return BuildReport(path, False, digest, time.perf_counter() - started, counts)


def _write_store(dataset, path: Path) -> None:
    import pyoxigraph

    data = dataset.serialize(format="nquads", encoding="utf-8")
    store = pyoxigraph.Store(str(path))
    store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store


def _counts(dataset, corpus, vocabulary) -> dict:
    return {
        "sources": len(corpus.sources),
        "claims": len(corpus.claims),
        "themes": len(vocabulary.themes),
        "relations": sum(len(c.relations()) for c in corpus.claims.values()),
        "triples": sum(1 for _ in dataset.quads((None, None, None, None))),
    }


def _describer(corpus):
    from kb.rdf.namespace import CLAIM, SOURCE, THEME

    def describe(node) -> str:
        text = str(node)
        if text.startswith(str(CLAIM)):
            claim = corpus.claims.get(text.removeprefix(str(CLAIM)))
            if claim:
                return f"{claim.origin}: claim '{claim.id}'"
        if text.startswith(str(SOURCE)):
            source = corpus.sources.get(text.removeprefix(str(SOURCE)))
            if source:
                return f"{source.origin}: entry '{source.key}'"
        if text.startswith(str(THEME)):
            return f"ontology: theme '{text.removeprefix(str(THEME))}'"
        return text

    return describe
