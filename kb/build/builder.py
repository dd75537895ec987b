"""`kb build` and `kb validate`: ontology + corpus -> one validated dataset in an Oxigraph store.

A build works file by file, so that re-building after editing one claim file redoes only that
file: each corpus file is parsed, mapped to RDF (its own N-Quads "chunk" plus the shared people,
bodies and venues it names) and SHACL-validated once, and the results are cached by content.
The store of the previous build is copied (a RocksDB checkpoint: hard links) and patched with the
changed chunks; a first build, or a large change, loads everything in bulk instead.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import Settings
from kb.build.snapshot import SNAPSHOT, write_snapshot
from kb.build.store import STORE, StagedBuild, current_dir, read_manifest

# Bump when the shape of the build output changes in a way the hashed inputs cannot see.
BUILD_FORMAT = 2
_PACKAGE = Path(__file__).parents[1]  # the whole kb package: a code change invalidates old builds
CACHE = "cache"
# Above this share of changed chunks, loading everything afresh beats patching the old store.
_PATCH_LIMIT = 0.25


@dataclass(frozen=True)
class BuildReport:
    path: Path
    skipped: bool
    content_hash: str
    seconds: float
    counts: dict = field(default_factory=dict)
    reused_files: int = 0
    patched: bool = False


@dataclass
class FileChunk:
    """One corpus file's contribution: its own quads and the shared-entity quads it names."""

    key: str
    path: Path
    mapped: tuple  # (own N-Quads, entity N-Quads), see kb.rdf.chunks.MappedFile
    validated: bool

    @property
    def own(self) -> bytes:
        return self.mapped[0]

    @property
    def entities(self) -> bytes:
        return self.mapped[1]


@dataclass
class Compiled:
    corpus: object
    vocabulary: object
    ontology_key: str
    ontology_chunk: bytes
    files: list[FileChunk]
    entities: bytes

    @property
    def reused(self) -> int:
        """Files whose chunk was validated by an earlier build."""
        return sum(f.validated for f in self.files)

    @property
    def entities_key(self) -> str:
        return "entities-" + hashlib.sha256(self.entities).hexdigest()

    def chunks(self) -> dict[str, bytes]:
        return {self.ontology_key: self.ontology_chunk, **{f.key: f.own for f in self.files},
                self.entities_key: self.entities}


def input_files(settings: Settings) -> list[Path]:
    """Everything a build reads: the ontology, the corpus, and the code that maps them."""
    from kb.corpus.files import corpus_files

    bib, claims = corpus_files(settings.corpus)
    return [*_ontology_inputs(settings), *bib, *claims, *_code_files()]


def _ontology_inputs(settings: Settings) -> list[Path]:
    return sorted(settings.ontology.glob("*.ttl"))


def _code_files() -> list[Path]:
    return sorted(p for p in _PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _digest(paths: list[Path], prefix: str = "") -> str:
    digest = hashlib.sha256(f"build-format-{BUILD_FORMAT}\n{prefix}".encode())
    for path in paths:
        digest.update(f"{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_salt(settings: Settings) -> str:
    """What every per-file result depends on besides the file: the ontology and the code."""
    return _digest([*_ontology_inputs(settings), *_code_files()])


def content_hash(settings: Settings) -> str:
    return _digest(input_files(settings))


def compile_corpus(settings: Settings, cache=None) -> Compiled:
    """Read, check, map and validate everything; nothing is written except cache entries."""
    from kb.corpus.bibtex import read_bib_file
    from kb.corpus.claims import read_claims_file
    from kb.corpus.files import corpus_files
    from kb.corpus.loader import assemble_corpus
    from kb.rdf.chunks import map_bib_file, map_claims_file, ontology_chunk
    from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph

    salt = build_salt(settings)
    ontology = load_ontology_graph(settings.ontology)
    vocabulary = vocabulary_from_graph(ontology)
    theme_ids, evidence_ids = set(vocabulary.themes), set(vocabulary.evidence_types)
    bib_files, claim_files = corpus_files(settings.corpus)

    # Salted with the ontology and the code, so a cached result is reused only if nothing that made it changed.
    keys = {path: _digest([path], salt) for path in [*bib_files, *claim_files]}
    parsed_bib = [_cached(cache, "parsed", keys[p], lambda p=p: read_bib_file(p)) for p in bib_files]
    parsed_claims = [(p, _cached(cache, "parsed", keys[p], lambda p=p: read_claims_file(p, theme_ids, evidence_ids)))
                     for p in claim_files]
    corpus = assemble_corpus(settings.corpus, parsed_bib, parsed_claims)

    files = []
    for path, sources in zip(bib_files, parsed_bib):
        files.append(_chunk(cache, keys[path], path, lambda s=sources: map_bib_file(s)))
    for path, (claims, _) in parsed_claims:
        files.append(_chunk(cache, keys[path], path, lambda c=claims: map_claims_file(c)))
    entities = b"".join(sorted(set(b"".join(f.entities for f in files).splitlines(keepends=True))))
    ontology_key = "ontology-" + salt
    compiled = Compiled(corpus, vocabulary, ontology_key,
                        _cached(cache, "chunk", ontology_key, lambda: ontology_chunk(ontology)), files, entities)
    _validate_pending(settings, compiled, ontology, cache)
    return compiled


def _cached(cache, kind: str, key: str, make):
    """The cached value, else `make()` stored for next time; with no cache, always `make()`."""
    value = cache.get(kind, key) if cache is not None else None
    if value is None:
        value = make()
        if cache is not None:
            cache.put(kind, key, value)
    return value


def _chunk(cache, key: str, path: Path, make) -> FileChunk:
    validated = cache is not None and cache.has("valid", key)
    return FileChunk(key, path, _cached(cache, "chunk", key, make), validated)


_VALIDATION_BATCH = 250  # files per SHACL pass: bounds the graph pyshacl holds at once
_FOCUS_LIST_MAX = 20     # up to this many pending files, pyshacl gets their nodes as a focus list


def _validate_pending(settings: Settings, compiled: Compiled, ontology, cache) -> None:
    """SHACL-validate the files not validated before, a batch of files at a time, each batch with the
    type of every node it points to in other files as context (kb.rdf.chunks.context_graph): memory
    stays bounded by the batch, whatever the corpus size, and the links across files are checked.
    A few files (an edit) pass their nodes as a focus list; a batch of many validates everything in
    its graph and drops the results about the context nodes, which their own batch checks."""
    pending = [f for f in compiled.files if not f.validated]
    if not pending:
        return
    from rdflib import Graph

    from kb.rdf.chunks import add_mapped, context_graph, graph_nodes
    from kb.rdf.shacl import load_shapes, validate_graph

    shapes = load_shapes(settings.ontology)
    describe = _describer(compiled.corpus)
    for start in range(0, len(pending), _VALIDATION_BATCH):
        batch = pending[start:start + _VALIDATION_BATCH]
        data = Graph()  # the batch's files, each parsed back once from its N-Quads
        for chunk in batch:
            add_mapped(chunk.mapped, data)
        focus, referenced = graph_nodes(data)
        context = referenced - focus
        graph = context_graph(ontology, compiled.corpus, context)
        graph += data
        del data
        if len(pending) <= _FOCUS_LIST_MAX:
            validate_graph(graph, shapes, sorted(focus), describe=describe)
        else:
            validate_graph(graph, shapes, None, describe=describe, ignore=context)
        if cache is not None:
            for chunk in batch:
                cache.mark("valid", chunk.key)


def validate(settings: Settings) -> dict:
    """Check the corpus and ontology as a build would, without writing anything; return counts."""
    import pyoxigraph

    compiled = compile_corpus(settings, cache=None)
    store = pyoxigraph.Store()
    store.bulk_load(b"".join(compiled.chunks().values()), format=pyoxigraph.RdfFormat.N_QUADS)
    return _counts(compiled, len(store))


def build(settings: Settings, force: bool = False) -> BuildReport:
    from kb.build.cache import BuildCache

    started = time.perf_counter()
    digest = content_hash(settings)
    manifest = read_manifest(settings.build)
    if manifest and manifest.get("content_hash") == digest and not force:
        from kb.search.index import index_problem

        previous = current_dir(settings.build)
        if index_problem(previous, settings, digest) is None:
            return BuildReport(settings.build / "current", True, digest, time.perf_counter() - started,
                               manifest.get("counts", {}))
        if (previous / STORE).exists() and (previous / SNAPSHOT).exists():
            # Same corpus, but the search index is missing, damaged or made with another model.
            return _rebuild_search_index(settings, previous, manifest, digest, started)

    cache = BuildCache(settings.build / CACHE)
    compiled = compile_corpus(settings, cache)
    if not cache.has("chunk", compiled.entities_key):
        cache.put("chunk", compiled.entities_key, compiled.entities)
    staged = StagedBuild(settings.build, digest)
    try:
        previous = current_dir(settings.build)
        patched = _write_store(staged.store_path, compiled, manifest, previous, cache)
        triples = _store_size(staged.store_path)
        write_snapshot(staged.path / SNAPSHOT, compiled.corpus, compiled.vocabulary)
        # The search index goes into the same staged folder, so graph and index are published together.
        from kb.search.index import write_index

        search = write_index(staged.path, compiled.corpus, compiled.vocabulary, settings, digest)
        counts = _counts(compiled, triples)
        staged.write_manifest({
            "content_hash": digest,
            "build_format": BUILD_FORMAT,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "counts": counts,
            "chunks": sorted(compiled.chunks()),
            "search": search,
        })
        path = staged.commit()
    except BaseException:
        staged.abort()
        raise
    keep = set(compiled.chunks()) | set((manifest or {}).get("chunks", []))
    cache.prune(keep)
    return BuildReport(path, False, digest, time.perf_counter() - started, counts, compiled.reused, patched)


def _rebuild_search_index(settings: Settings, previous: Path, manifest: dict, digest: str, started: float) -> BuildReport:
    """Publish a copy of the current dataset with a fresh search index (graph unchanged), atomically."""
    import shutil

    import pyoxigraph

    from kb.search.index import write_index
    from kb.build.snapshot import read_snapshot

    staged = StagedBuild(settings.build, digest)
    try:
        pyoxigraph.Store.read_only(str(previous / STORE)).backup(str(staged.store_path))
        shutil.copy2(previous / SNAPSHOT, staged.path / SNAPSHOT)
        corpus, vocabulary = read_snapshot(staged.path / SNAPSHOT)
        search = write_index(staged.path, corpus, vocabulary, settings, digest)
        staged.write_manifest({**manifest, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "search": search})
        path = staged.commit()
    except BaseException:
        staged.abort()
        raise
    return BuildReport(path, False, digest, time.perf_counter() - started, manifest.get("counts", {}))


def _write_store(path: Path, compiled: Compiled, manifest: dict | None, previous: Path | None, cache) -> bool:
    """Patch a copy of the previous store when few chunks changed; otherwise bulk-load. True if patched."""
    import pyoxigraph

    new = compiled.chunks()
    old_keys = set((manifest or {}).get("chunks", []))
    removed, added = old_keys - set(new), [k for k in new if k not in old_keys]
    old_chunks = {key: cache.get("chunk", key) for key in removed}
    can_patch = (
        previous is not None and (previous / STORE).exists() and old_keys
        and all(v is not None for v in old_chunks.values())
        and len(removed) + len(added) <= max(4, _PATCH_LIMIT * len(new))
    )
    if can_patch:
        pyoxigraph.Store.read_only(str(previous / STORE)).backup(str(path))
        store = pyoxigraph.Store(str(path))
        for key, chunk in old_chunks.items():
            data = chunk[0] if isinstance(chunk, tuple) else chunk
            for quad in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS):
                store.remove(quad)
        for key in added:
            store.extend(pyoxigraph.parse(new[key], format=pyoxigraph.RdfFormat.N_QUADS))
        store.flush()
        return True
    store = pyoxigraph.Store(str(path))
    store.bulk_load(b"".join(new.values()), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    return False


def _store_size(path: Path) -> int:
    import pyoxigraph

    return len(pyoxigraph.Store.read_only(str(path)))


def _counts(compiled: Compiled, triples: int) -> dict:
    corpus = compiled.corpus
    return {
        "sources": len(corpus.sources),
        "claims": len(corpus.claims),
        "themes": len(compiled.vocabulary.themes),
        "relations": sum(len(c.relations()) for c in corpus.claims.values()),
        "triples": triples,
    }


def _describer(corpus):
    from kb.rdf.iris import kind_and_id

    def describe(node) -> str:
        found = kind_and_id(node)
        kind, local = found if found else ("", str(node))
        if kind == "claim" and (claim := corpus.claims.get(local)):
            return f"{claim.origin}: claim '{claim.id}'"
        if kind == "source" and (source := corpus.sources.get(local.split("#")[0])):
            return f"{source.origin}: entry '{source.key}'"
        if kind == "theme":
            return f"ontology: theme '{local}'"
        return str(node)

    return describe
