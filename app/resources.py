"""Process-wide resources: the knowledge base, its browsing index, the search engine, the evidence map.

Each loads once per process (`st.cache_resource`) and is shared by every session; `warm()` is
called by app/serve.py before the server accepts connections, so the first visitor does not pay
for imports and model loading.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import streamlit as st

from kb.browse import Evidence
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent


def settings() -> Settings:
    return Settings.from_env(root=Path(os.environ.get("KB_ROOT", ROOT)))


def _build_id() -> str:
    """Which build to serve: the project folder and the build `current` points to. A new
    `kb build` gives a new id, so a running app picks up the new build on the next rerun."""
    current = settings().build / "current"
    return f"{settings().root.resolve()}::{current.resolve() if current.exists() else ''}"


def knowledge_base() -> KnowledgeBase:
    return _knowledge_base(_build_id())


def evidence() -> Evidence:
    return _evidence(_build_id())


def searcher():
    return _searcher(_build_id())


def evidence_map(columns: str, include_narrower: bool, language: str):
    return _evidence_map(_build_id(), columns, include_narrower, language)


@st.cache_resource(show_spinner="Opening the knowledge base…", max_entries=2)
def _knowledge_base(build_id: str) -> KnowledgeBase:
    from kb.sparql import keep_datasets_in_memory

    # This process lives long: its SPARQL workers may hold the dataset in memory (named queries
    # 1.7-3.3x faster on the real corpus); one is started now, so no query waits for it.
    knowledge_base = KnowledgeBase(settings())
    keep_datasets_in_memory(knowledge_base)
    return knowledge_base


@st.cache_resource(show_spinner=False, max_entries=2)
def _evidence(build_id: str) -> Evidence:
    evidence = Evidence.of(_knowledge_base(build_id))
    _ = evidence.incoming, evidence.claims_by_theme
    _settle()
    return evidence


# Counting every cell takes seconds at 100k claims (2-4 s measured), and each click in the map
# reruns the page; 8 entries hold both column choices, with and without narrower themes, in
# both languages.
@st.cache_resource(show_spinner="Counting the evidence map…", max_entries=8)
def _evidence_map(build_id: str, columns: str, include_narrower: bool, language: str):
    from kb.browse.evidence_map import evidence_map

    return evidence_map(_evidence(build_id), columns=columns, include_narrower=include_narrower,
                        language=language)


@st.cache_resource(show_spinner="Loading the search model and index…", max_entries=2)
def _searcher(build_id: str):
    from kb.search import Searcher

    engine = Searcher(_knowledge_base(build_id))
    engine.warm()
    _settle()
    return engine


def _settle() -> None:
    """Move what was just loaded out of the garbage collector's sight. The corpus, its indexes and
    the model are millions of long-lived objects; left in the collector's generations, every full
    collection walks them all: 0.3-0.8 s pauses per search measured at 100k claims, 0.2 s after.
    (No collection first: loading leaves little cyclic garbage, and a full pass costs ~0.4 s.)"""
    gc.freeze()


def warm() -> None:
    """Load everything a first visitor would otherwise wait for."""
    evidence()
    searcher()
