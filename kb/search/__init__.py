"""Semantic search over claims and sources: embeddings + faiss, BM25, thesaurus, hybrid ranking.

    from kb.search import SearchFilters
    kb = KnowledgeBase(settings)
    kb.searcher.search("how do clusters reach global knowledge?", k=10,       # ranked SearchHits
                       filters=SearchFilters(theme="cluster-policy"), mode="hybrid")
    kb.search("how do clusters reach global knowledge?")                     # the same, presented

The filters are declared once, in kb.search.filters.FILTERS; the presenter is kb.browse.results.

`kb build` writes and updates the index (kb.search.index.write_index); heavy libraries load only
when a Searcher is made or a build has text to embed.
"""

from kb.search.filters import FILTERS, SearchFilters
from kb.search.results import MODES, SearchHit

__all__ = ["Searcher", "SearchFilters", "SearchHit", "FILTERS", "MODES"]


def __getattr__(name):
    if name == "Searcher":
        from kb.search.searcher import Searcher

        return Searcher
    raise AttributeError(name)
