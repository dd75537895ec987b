"""Namespaces: the project's own terms (typos raise) and the standard vocabularies it reuses."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

BASE = "https://w3id.org/glocal-kb/"


class GKB(DefinedNamespace):
    """Terms defined in ontology/glocal-kb.ttl; `tests/test_ontology.py` keeps the two in step."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    Claim: URIRef
    text: URIRef
    supports: URIRef
    disputes: URIRef
    extends: URIRef
    evidenceType: URIRef
    curationBasis: URIRef
    basisRank: URIRef
    via: URIRef
    reviewStatus: URIRef
    Review: URIRef
    ClaimRelation: URIRef
    rationale: URIRef
    correctionNote: URIRef
    verificationNote: URIRef
    publicationPlace: URIRef


BIBO = Namespace("http://purl.org/ontology/bibo/")
FABIO = Namespace("http://purl.org/spar/fabio/")
CITO = Namespace("http://purl.org/spar/cito/")
ISO639 = Namespace("http://id.loc.gov/vocabulary/iso639-1/")

SOURCE = Namespace(BASE + "source/")
CLAIM = Namespace(BASE + "claim/")
THEME = Namespace(BASE + "theme/")
EVIDENCE = Namespace(BASE + "evidence/")
BASIS = Namespace(BASE + "basis/")
REVIEW_STATUS = Namespace(BASE + "review-status/")
REVIEW = Namespace(BASE + "review/")
RELATION = Namespace(BASE + "relation/")
PERSON = Namespace(BASE + "person/")
ORGANISATION = Namespace(BASE + "organisation/")
VENUE = Namespace(BASE + "venue/")
AGENT = Namespace(BASE + "agent/")
GRAPH = Namespace(BASE + "graph/")

THEME_SCHEME = URIRef(BASE + "themes")
EVIDENCE_SCHEME = URIRef(BASE + "evidence-types")
BASIS_SCHEME = URIRef(BASE + "curation-bases")
REVIEW_STATUS_SCHEME = URIRef(BASE + "review-statuses")

ONTOLOGY_GRAPH = GRAPH.ontology
BIBLIOGRAPHY_GRAPH = GRAPH.bibliography
CLAIMS_GRAPH = GRAPH.claims

# Prefixes declared in every serialisation and predeclared for SPARQL queries.
PREFIXES = {
    "gkb": str(GKB._NS),
    "source": str(SOURCE),
    "claim": str(CLAIM),
    "theme": str(THEME),
    "evidence": str(EVIDENCE),
    "basis": str(BASIS),
    "status": str(REVIEW_STATUS),
    "review": str(REVIEW),
    "relation": str(RELATION),
    "person": str(PERSON),
    "org": str(ORGANISATION),
    "venue": str(VENUE),
    "agent": str(AGENT),
    "graph": str(GRAPH),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "bibo": str(BIBO),
    "fabio": str(FABIO),
    "cito": str(CITO),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "iso639": str(ISO639),
}
# The same prefixes as SPARQL PREFIX lines, for engines and clients that do not predeclare them.
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

__all__ = [name for name in dir() if name.isupper() or name == "GKB"]
