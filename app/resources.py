"""The knowledge base the pages read: one `KnowledgeBase` per build, shared by every session.

`KnowledgeBase` owns everything derived from a build (browse indexes, search engine, evidence
maps, SPARQL workers) and makes each part once, on first use; this module only caches that one
object per build id (`st.cache_resource`) and hands out its parts. A new `kb build` changes the
build id, so the next rerun gets a new owner and the old one is dropped as a whole. `warm()` is
called by app/serve.py before the server accepts connections, so the first visitor does not pay
for imports and model loading.
"""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

import streamlit as st

from kb.config import Settings
from kb.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
_settled: set[int] = set()
_settle_lock = threading.Lock()


def settings() -> Settings:
    return Settings.from_env(root=Path(os.environ.get("KB_ROOT", ROOT)))


def _build_id() -> str:
    """Which build to serve: the project folder and the build `current` points to."""
    current = settings().build / "current"
    return f"{settings().root.resolve()}::{current.resolve() if current.exists() else ''}"


def knowledge_base() -> KnowledgeBase:
    return _knowledge_base(_build_id())


@st.cache_resource(show_spinner="Opening the knowledge base…", max_entries=1)
def _knowledge_base(build_id: str) -> KnowledgeBase:
    from kb.sparql import keep_datasets_in_memory

    # This process lives long: its SPARQL workers, started on the first query, hold the dataset
    # in memory (named queries 1.7-3.3x faster on the real corpus).
    keep_datasets_in_memory()
    return KnowledgeBase(settings())


def evidence():
    return _settled_part(knowledge_base(), "evidence")


def searcher():
    return _settled_part(knowledge_base(), "searcher")


def evidence_map(columns: str, include_narrower: bool, language: str):
    return knowledge_base().evidence_map(columns, include_narrower, language)


def _settled_part(kb: KnowledgeBase, name: str):
    """A part of the knowledge base, and once it is loaded, the collector told to leave it be. The
    corpus, its indexes and the model are millions of long-lived objects; left in the collector's
    generations, every full collection walks them all: 0.3-0.8 s pauses per search measured at
    100k claims, 0.2 s after."""
    part = getattr(kb, name)
    key = id(part)
    if key not in _settled:
        with _settle_lock:
            if key not in _settled:
                if name == "evidence":
                    _ = part.incoming, part.claims_by_theme
                gc.freeze()
                _settled.add(key)
    return part


def warm() -> None:
    """Load everything a first visitor would otherwise wait for."""
    evidence()
    searcher().warm()
