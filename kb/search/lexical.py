"""BM25 over the same documents the dense index holds, with bilingual Snowball stems (bm25s + PyStemmer)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from kb.search.text import stems


def build(texts: list[str]):
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)

    tokens = [stems(text) or [""] for text in texts]
    retriever = bm25s.BM25(method="lucene")
    retriever.index(tokens, show_progress=False)
    return retriever


def save(retriever, folder: Path) -> None:
    retriever.save(str(folder), show_progress=False)


def load(folder: Path):
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s.BM25.load(str(folder), mmap=False, show_progress=False, verbosity=0)


def scores(retriever, query_stems: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
    """BM25 score of every document; `weights` scales the contribution of some stems (thesaurus terms)."""
    vocabulary = retriever.vocab_dict
    total = np.zeros(retriever.scores["num_docs"], np.float32)
    plain = [vocabulary[s] for s in dict.fromkeys(query_stems) if s in vocabulary and (not weights or s not in weights)]
    if plain:
        total += retriever.get_scores_from_ids(plain)
    for stem, weight in (weights or {}).items():
        if stem in vocabulary:
            total += weight * retriever.get_scores_from_ids([vocabulary[stem]])
    return total
