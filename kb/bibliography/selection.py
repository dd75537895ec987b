"""Which records an export takes: all, by key, by theme (narrower themes included), by search or SPARQL.

Criteria combine as AND. The order is the one the criteria give (keys as listed, search results by
rank, SPARQL rows as returned), else the corpus's own order; formatted lists reorder as their style
requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kb.bibliography.errors import SelectionError
from kb.model import Claim, Source

if TYPE_CHECKING:
    from kb.knowledge_base import KnowledgeBase


def select_sources(
    kb: KnowledgeBase,
    keys: Sequence[str] = (),
    theme: str = "",
    search: str = "",
    search_limit: int = 10,
    sparql: str = "",
) -> list[Source]:
    """The sources of the built knowledge base `kb` that meet every criterion given (all if none)."""
    corpus = kb.corpus
    ordered: list[str] | None = None
    chosen: set[str] | None = None

    def narrow(found: list[str]) -> None:
        nonlocal ordered, chosen
        chosen = set(found) if chosen is None else chosen & set(found)
        if ordered is None:
            ordered = found

    if keys:
        wanted = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
        missing = [k for k in wanted if k not in corpus.sources]
        if missing:
            raise SelectionError.unknown_keys(missing, list(corpus.sources))
        narrow(wanted)
    if search:
        narrow(_search(kb, search, search_limit))
    if sparql:
        narrow(_sparql(kb, sparql))
    if theme:
        on_theme = {c.source_key for c in kb.evidence.claims_on(theme)}
        narrow([key for key in corpus.sources if key in on_theme])
    order = ordered if ordered is not None else list(corpus.sources)
    return [corpus.sources[key] for key in order if chosen is None or key in chosen]


def claims_by_source(kb: KnowledgeBase, sources: Sequence[Source]) -> dict[str, list[Claim]]:
    """Each source's claims, in corpus order (for exports with --claims)."""
    return {s.key: kb.corpus.claims_of(s.key) for s in sources}


def _search(kb: KnowledgeBase, query: str, limit: int) -> list[str]:
    keys: list[str] = []
    for result in kb.searcher.search(query, limit):
        key = result.source_key
        if key and key not in keys and key in kb.corpus.sources:
            keys.append(key)
    return keys


def _sparql(kb: KnowledgeBase, query: str) -> list[str]:
    from kb.rdf.iris import local_id
    from kb.rdf.namespace import SOURCE

    result = kb.query(query)
    if result.form != "SELECT":
        raise SelectionError(f"--sparql needs a SELECT query whose first column holds sources (got {result.form})")
    column = result.variables[0] if result.variables else ""
    keys: list[str] = []
    unknown: list[str] = []
    for value in [str(row[column]) for row in result.rows if row.get(column) is not None]:
        key = local_id(value, SOURCE) or value
        if key in kb.corpus.sources:
            if key not in keys:
                keys.append(key)
        elif value not in unknown:
            unknown.append(value)
    if unknown and not keys:
        raise SelectionError(
            f"the query's first column holds no sources (first value: {unknown[0]}); "
            f"select ?source with ?source a bibliographic record, e.g. "
            f"SELECT ?source WHERE {{ ?source dcterms:identifier ?key }}"
        )
    return keys
