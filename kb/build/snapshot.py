"""The corpus and thesaurus as the build saw them, saved next to the store.

Readers (search, export, the web app) load this instead of re-parsing corpus/, so they always
agree with the built dataset, even while a curator is editing the files. It is a pickle of the
domain objects: the build folder is ours, and loading 100k claims this way takes a fraction of
a second.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from kb.model import Corpus
from kb.rdf.ontology import Vocabulary

SNAPSHOT = "corpus.pickle"


def write_snapshot(path: Path, corpus: Corpus, vocabulary: Vocabulary) -> None:
    with path.open("wb") as handle:
        pickle.dump((corpus, vocabulary), handle, protocol=pickle.HIGHEST_PROTOCOL)


def read_snapshot(path: Path) -> tuple[Corpus, Vocabulary]:
    with path.open("rb") as handle:
        return pickle.load(handle)
