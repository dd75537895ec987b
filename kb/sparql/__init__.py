"""SPARQL over the built knowledge base: checked, time- and size-limited queries, named research
queries, result formats, the read-only endpoint (`kb serve`) and publishing to a triple store.

What the CLI and the web UI's SPARQL console call (they hold no SPARQL logic of their own):

    from kb.sparql import check_query, run_query, format_result, named_queries
    result = run_query(knowledge_base, "SELECT ?claim WHERE { ?claim a gkb:Claim } LIMIT 5")
    result.rows          # [{'claim': 'https://w3id.org/glocal-kb/claim/...'}, ...]
    format_result(result, "csv")

Importing this package is cheap: its parts load on first use.
"""

_EXPORTS = {
    "kb.sparql.check": ("CheckedQuery", "check_query"),
    "kb.sparql.errors": ("QueryError", "QueryFailed", "QueryRefused", "QuerySyntaxError", "QueryTimeout"),
    "kb.sparql.formats": ("FORMATS", "default_format", "format_result"),
    "kb.sparql.library": ("NamedQuery", "Parameter", "named_queries", "named_query", "run_named_query"),
    "kb.sparql.runner": ("run_query", "keep_datasets_in_memory"),
    "kb.sparql.terms": ("QueryResult", "Term"),
}

__all__ = [name for names in _EXPORTS.values() for name in names]


def __getattr__(name):
    # Lazy, so that the query worker (`python -m kb.sparql.worker`) starts without rdflib.
    import importlib

    for module, names in _EXPORTS.items():
        if name in names:
            return getattr(importlib.import_module(module), name)
    raise AttributeError(name)
