"""Process-wide resources: the knowledge base, its browsing index, the search engine.

Each loads once per process (`st.cache_resource`) and is shared by every session; `warm()` is
called by app/serve.py before the server accepts connections, so the first visitor does not pay
for imports and model loading.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from kb.browse import Evidence
from kb.config import Settings
from kb.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent


def settings() -> Settings:
    return Settings.from_env(root=Path(os.environ.get("KB_ROOT", ROOT)))


@st.cache_resource(show_spinner="Opening the knowledge base…")
def knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(settings())


@st.cache_resource(show_spinner=False)
def evidence() -> Evidence:
    return Evidence.of(knowledge_base())


@st.cache_resource(show_spinner="Loading the search model and index…")
def searcher():
    from kb.search import Searcher

    engine = Searcher(knowledge_base())
    engine.warm()
    return engine


def warm() -> None:
    """Load everything a first visitor would otherwise wait for."""
    evidence()
    searcher()
