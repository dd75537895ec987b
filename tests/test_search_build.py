"""The index build that scales (issue 17): BM25 from cached term counts, embedding in worker processes,
and the IVF index patched in place; each checked against building from scratch, with the real model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kb.search import lexical
from kb.search.text import stems

TEXTS = [
    "Co-located firms learn from each other through frequent face-to-face contact.",
    "Региональные кластеры, выстраивающие связи с зарубежными партнёрами, больше внедряют инноваций.",
    "Cheap communication makes the location of firms irrelevant for innovation.",
    "",
    "Distance still matters for learning; distance matters.",
    "Regional strategies should connect local assets to global knowledge networks.",
]


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_bm25_weights_are_lucenes(tmp_path):
    """Against bm25s's "lucene" BM25 (the engine this index used before): the same scores."""
    import bm25s

    texts = [t for t in TEXTS if t]  # (bm25s counts an empty document as one empty token; we count none)
    index = lexical.build(texts)
    reference = bm25s.BM25(method="lucene")
    reference.index([stems(t) for t in texts], show_progress=False)
    for query in ("distance matters", "кластеры связи партнёрами", "firms innovation", "nothing here"):
        words = stems(query)
        ids = [reference.vocab_dict[w] for w in dict.fromkeys(words) if w in reference.vocab_dict]
        expected = reference.get_scores_from_ids(ids) if ids else np.zeros(len(texts))
        assert np.allclose(lexical.scores(index, words), expected, atol=1e-5), query
        assert list(np.argsort(-lexical.scores(index, words), kind="stable")[:3]) == list(
            np.argsort(-expected, kind="stable")[:3]
        )
    lexical.save(index, tmp_path / "lexical")
    again = lexical.load(tmp_path / "lexical")
    assert np.array_equal(lexical.scores(again, stems("distance")), lexical.scores(index, stems("distance")))
    assert lexical.scores(index, [], {stems("firms")[0]: 0.5}).max() == pytest.approx(
        0.5 * lexical.scores(index, stems("firms")).max()
    )


def test_a_second_build_stems_only_new_documents_and_matches_a_fresh_one(tmp_path, monkeypatch):
    digests = [_digest(t) for t in TEXTS]
    lexical.build(TEXTS, digests, tmp_path)
    stemmed = []
    original = lexical.stems
    monkeypatch.setattr(lexical, "stems", lambda text: stemmed.append(text) or original(text))
    edited = [*TEXTS[:2], "Cheap broadband makes the location of firms irrelevant.", *TEXTS[3:], "A new claim."]
    edited = [edited[i] for i in (5, 0, 1, 2, 3, 4, 6)]  # reordered too
    incremental = lexical.build(edited, [_digest(t) for t in edited], tmp_path)
    assert sorted(stemmed) == sorted(["Cheap broadband makes the location of firms irrelevant.", "A new claim."])
    fresh = lexical.build(edited)
    for query in ("broadband location", "firms", "кластеры", "claim distance"):
        assert np.allclose(lexical.scores(incremental, stems(query)), lexical.scores(fresh, stems(query))), query


def test_a_damaged_term_cache_is_only_a_miss(tmp_path):
    digests = [_digest(t) for t in TEXTS]
    lexical.build(TEXTS, digests, tmp_path)
    (tmp_path / lexical.TERM_CACHE).write_bytes(b"not a numpy file")
    rebuilt = lexical.build(TEXTS, digests, tmp_path)
    assert np.allclose(
        lexical.scores(rebuilt, stems("distance")), lexical.scores(lexical.build(TEXTS), stems("distance"))
    )


@pytest.mark.model
def test_worker_processes_give_the_vectors_of_one_process(tiny_project, monkeypatch):
    from kb.search import bulk_embedding
    from kb.search.models import resolve_model

    texts = [f"{t} ({i})" for i in range(40) for t in TEXTS if t]
    spec = resolve_model(tiny_project)
    one = bulk_embedding.embed_texts(spec, None, texts, replace(tiny_project, build_workers=1))
    monkeypatch.setattr(bulk_embedding, "PARALLEL_MIN", 10)
    monkeypatch.setattr(bulk_embedding, "SLICE", 37)
    two = bulk_embedding.embed_texts(spec, None, texts, replace(tiny_project, build_workers=2))
    assert one.shape == two.shape == (len(texts), 512)
    assert np.abs(one - two).max() < 1e-5


@pytest.mark.model
def test_an_edit_patches_the_ivf_index_and_finds_what_a_refill_finds(tiny_project):
    import json

    from conftest import replace_in

    from kb.build.builder import build
    from kb.knowledge_base import KnowledgeBase
    from kb.search import Searcher
    from kb.search.index import INDEX_DIR

    ivf = replace(tiny_project, search_exact_max=4)
    first = build(ivf)
    assert json.loads((first.path / INDEX_DIR / "manifest.json").read_text())["index"]["patched"] is False
    replace_in(
        ivf.corpus / "claims" / "smith2001proximity.yaml",
        "through frequent face-to-face contact",
        "through frequent informal meetings over coffee",
    )
    second = build(ivf)
    manifest = json.loads((second.path / INDEX_DIR / "manifest.json").read_text())
    assert manifest["index"]["kind"] == "ivf" and manifest["index"]["patched"] is True
    refill = replace(ivf, build_dir=tiny_project.root / "refill-build")
    build(refill)
    patched, fresh = Searcher(KnowledgeBase(ivf)), Searcher(KnowledgeBase(refill))
    for query in ("meetings over coffee", "distance and location of firms", "связи кластеров"):
        for mode in ("dense", "hybrid"):
            assert [(r.claim_id, r.score) for r in patched.search(query, k=8, mode=mode)] == [
                (r.claim_id, r.score) for r in fresh.search(query, k=8, mode=mode)
            ], (query, mode)
    assert patched.search("meetings over coffee", k=1, mode="dense")[0].claim_id == "smith2001proximity-colocation"


def test_a_failing_worker_is_one_clear_error(tiny_project, monkeypatch):
    from kb.errors import KbError
    from kb.search import bulk_embedding
    from kb.search.models import ModelSpec

    monkeypatch.setattr(bulk_embedding, "PARALLEL_MIN", 1)
    broken = ModelSpec("broken", "onnx", tiny_project.root / "nowhere", "0" * 64)  # no exported model there
    with pytest.raises(KbError, match="embedding failed in a worker process: .*nowhere"):
        bulk_embedding.embed_texts(
            broken, tiny_project.root / "nowhere", ["a text", "another"], replace(tiny_project, build_workers=2)
        )


@pytest.mark.parametrize("batch, focus_max", [(1, 0), (2, 0), (250, 20)])
def test_shacl_in_batches_finds_what_one_pass_finds(tiny_project, monkeypatch, batch, focus_max):
    """Bounded-memory validation (kb.build.builder._validate_pending): batches of files, each with the types
    of what it links to in other files, give the same verdicts as one pass over everything."""
    from conftest import line_of, replace_in

    from kb.build import builder
    from kb.errors import ValidationError

    monkeypatch.setattr(builder, "_VALIDATION_BATCH", batch)
    monkeypatch.setattr(builder, "_FOCUS_LIST_MAX", focus_max)
    builder.compile_corpus(tiny_project)  # cross-file links (a claim supporting another file's claim) pass
    bib = tiny_project.corpus / "references.bib"
    replace_in(bib, "doi = {10.1234/jtg.2001.101}", "doi = {https://doi.org/10.1234/jtg.2001.101}")
    with pytest.raises(ValidationError) as caught:
        builder.compile_corpus(tiny_project)
    message = str(caught.value)
    assert f"references.bib:{line_of(bib, '@article{smith2001proximity')}: entry 'smith2001proximity'" in message
    assert "DOI" in message and message.count("DOI") == 1  # the context nodes' own failures are not reported
