"""IRIs of the knowledge base's own things, and back: the one place that spells them.

    source_iri("bathelt2004clusters")   -> https://w3id.org/glocal-kb/source/bathelt2004clusters
    local_id(iri, THEME)                -> "local-buzz", or None when `iri` is not a theme
    kind_and_id(iri)                    -> ("claim", "bathelt2004clusters-local-buzz"), or None

Plain strings in and out of `local_id` and `kind_and_id`, so the web UI can turn a SPARQL result's
IRI into a link without importing rdflib's term types.
"""

from __future__ import annotations

from rdflib import URIRef

from kb.rdf.namespace import CLAIM, EVIDENCE, RELATION, SOURCE, THEME

# What a page of the UI (and a reader) calls each kind of thing, by namespace.
KINDS = {"source": SOURCE, "claim": CLAIM, "theme": THEME, "evidence": EVIDENCE}


def source_iri(key: str) -> URIRef:
    return SOURCE[key]


def claim_iri(claim_id: str) -> URIRef:
    return CLAIM[claim_id]


def theme_iri(theme_id: str) -> URIRef:
    return THEME[theme_id]


def relation_iri(claim_id: str, kind: str, target: str) -> URIRef:
    """The qualified relation node: `relation:<claim>--<kind>--<target>`."""
    return RELATION[f"{claim_id}--{kind}--{target}"]


def local_id(iri: object, namespace: object) -> str | None:
    """The id `iri` has in `namespace` (e.g. a theme id), or None when it is not in it."""
    text, prefix = str(iri), str(namespace)
    if not text.startswith(prefix) or len(text) == len(prefix):
        return None
    return text[len(prefix) :]


def kind_and_id(iri: object) -> tuple[str, str] | None:
    """("source" | "claim" | "theme" | "evidence", id) for an IRI of the knowledge base's own things."""
    for kind, namespace in KINDS.items():
        found = local_id(iri, namespace)
        if found is not None:
            return kind, found
    return None


def short_name(iri: object) -> str:
    """The last segment of any IRI (after '#' or '/'), for messages: `gkb:supports` -> "supports"."""
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
