"""Semantic search over claims and sources: embeddings + faiss, BM25, thesaurus, hybrid ranking.

    from kb.search import Searcher, SearchFilters, SearchResult
    searcher = Searcher(KnowledgeBase(settings))      # loads index and model once; thread-safe
    searcher.search("how do clusters reach global knowledge?", k=10,
                    filters=SearchFilters(theme="cluster-policy"), mode="hybrid")

`kb build` writes and updates the index (kb.search.index.write_index); heavy libraries load only
when a Searcher is made or a build has text to embed.
"""

from kb.search.results import MODES, SearchFilters, SearchResult

__all__ = ["Searcher", "SearchFilters", "SearchResult", "MODES"]


def __getattr__(name):
    if name == "Searcher":
        from kb.search.searcher import Searcher

        return Searcher
    raise AttributeError(name)
