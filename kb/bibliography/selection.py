"""Which records an export takes: all, by key, by theme (narrower themes included), by search or SPARQL.

Criteria combine as AND. The order is the one the criteria give (keys as listed, search results by
rank, SPARQL rows as returned), else the corpus's own order; formatted lists reorder as their style
requires.
"""

from __future__ import annotations

from typing import Sequence

from kb.bibliography.errors import SelectionError
from kb.model import Claim, Source

SOURCE_IRI = "https://w3id.org/glocal-kb/source/"


def select_sources(kb, keys: Sequence[str] = (), theme: str = "", search: str = "", search_limit: int = 10,
                   sparql: str = "") -> list[Source]:
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
        themes = kb.theme_with_narrower(theme)
        narrow([key for key in corpus.sources
                if any(themes.intersection(c.themes) for c in corpus.claims_of(key))])
    order = ordered if ordered is not None else list(corpus.sources)
    return [corpus.sources[key] for key in order if chosen is None or key in chosen]


def claims_by_source(kb, sources: Sequence[Source]) -> dict[str, list[Claim]]:
    """Each source's claims, in corpus order (for exports with --claims)."""
    return {s.key: kb.corpus.claims_of(s.key) for s in sources}


def _search(kb, query: str, limit: int) -> list[str]:
    try:
        from kb.search import Searcher
    except ImportError:
        raise SelectionError("selecting by --search needs the search library (kb.search), which this "
                             "installation does not have yet; select by --theme, --keys or --sparql") from None
    keys: list[str] = []
    for result in Searcher(kb).search(query, limit):
        key = _source_key(result)
        if key and key not in keys and key in kb.corpus.sources:
            keys.append(key)
    return keys


def _source_key(result) -> str:
    source = getattr(result, "source", None)
    if isinstance(source, dict):
        return str(source.get("key", ""))
    return str(getattr(source, "key", "") or "")


def _sparql(kb, query: str) -> list[str]:
    try:
        from kb.sparql import run_query
    except ImportError:
        raise SelectionError("selecting by --sparql needs the SPARQL library (kb.sparql), which this "
                             "installation does not have yet; select by --theme, --keys or --search") from None
    result = run_query(kb, query)
    if getattr(result, "form", "SELECT") != "SELECT":
        raise SelectionError(f"--sparql needs a SELECT query whose first column holds sources (got {result.form})")
    keys: list[str] = []
    unknown: list[str] = []
    for value in _first_column(result):
        key = value[len(SOURCE_IRI):] if value.startswith(SOURCE_IRI) else value
        if key in kb.corpus.sources:
            if key not in keys:
                keys.append(key)
        elif value not in unknown:
            unknown.append(value)
    if unknown and not keys:
        raise SelectionError(f"the query's first column holds no sources (first value: {unknown[0]}); "
                             f"select ?source with ?source a bibliographic record, e.g. "
                             f"SELECT ?source WHERE {{ ?source dcterms:identifier ?key }}")
    return keys


def _first_column(result) -> list[str]:
    """The first column of a SELECT result, whatever shape the SPARQL library returns it in."""
    variables = list(getattr(result, "variables", None) or getattr(result, "columns", None) or [])
    rows = getattr(result, "rows", result)
    values = []
    for row in rows:
        if isinstance(row, dict):
            value = row.get(variables[0]) if variables else next(iter(row.values()), None)
        elif isinstance(row, (list, tuple)):
            value = row[0] if row else None
        else:
            value = row
        value = getattr(value, "value", value)
        if value is not None:
            values.append(str(value))
    return values
