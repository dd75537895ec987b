"""glocal-kb: a literature and evidence knowledge base for regional innovation studies.

The public API that the `kb` command and the web app use. Heavy libraries load on first use.
"""

from kb.config import Settings
from kb.errors import CorpusError, KbError, NotBuiltError, ValidationError
from kb.model import Claim, Corpus, Person, Source, Theme

__version__ = "0.1.0"

__all__ = [
    "Settings",
    "KbError",
    "CorpusError",
    "ValidationError",
    "NotBuiltError",
    "Claim",
    "Corpus",
    "Person",
    "Source",
    "Theme",
    "build",
    "validate",
    "KnowledgeBase",
]


def __getattr__(name):
    if name in ("build", "validate"):
        from kb.build import builder as build_module

        return getattr(build_module, name)
    if name == "KnowledgeBase":
        from kb.knowledge_base import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(name)
