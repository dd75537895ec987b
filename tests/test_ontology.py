"""The ontology files agree with the code, and every setting is documented."""

from __future__ import annotations

from conftest import ROOT
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from kb.rdf.namespace import GKB
from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph


def test_namespace_module_matches_ontology_terms():
    graph = Graph().parse(ROOT / "ontology" / "glocal-kb.ttl")
    declared = {
        str(s).removeprefix(str(GKB._NS))
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in graph.subjects(RDF.type, kind)
        if str(s).startswith(str(GKB._NS))
    }
    in_code = set(GKB.__annotations__)
    assert in_code <= declared, f"terms used in code but not declared: {in_code - declared}"
    assert declared - in_code <= {"claimRelation"}, f"declared but unused: {declared - in_code - {'claimRelation'}}"


def test_thesaurus_is_bilingual_and_big_enough():
    vocabulary = vocabulary_from_graph(load_ontology_graph(ROOT / "ontology"))
    assert len(vocabulary.themes) >= 30
    for theme in vocabulary.themes.values():
        assert theme.labels.get("en") and theme.labels.get("ru"), theme.id
        assert theme.definitions.get("en") and theme.definitions.get("ru"), theme.id
    required = {
        "glocalization",
        "regional-innovation-system",
        "ris-glocalization",
        "innovation-cluster",
        "cluster-policy",
        "cluster-internationalization",
        "local-buzz",
        "global-pipelines",
        "proximity",
        "geographical-proximity",
        "cognitive-proximity",
        "organisational-proximity",
        "institutional-proximity",
        "social-proximity",
        "sticky-knowledge",
        "ubiquitous-knowledge",
        "tacit-knowledge",
        "codified-knowledge",
        "global-production-networks",
        "strategic-coupling",
        "open-innovation",
        "reverse-innovation",
        "smart-specialisation",
        "agglomeration-economies",
        "death-of-distance",
        "cross-border-innovation-system",
        "global-connectivity",
        "local-density",
        "region-scenarios",
        "regional-innovation-policy",
        "measuring-innovation",
        "regional-innovation-rating",
    }
    assert required <= set(vocabulary.themes)
    proximity = vocabulary.themes["proximity"]
    assert {"geographical-proximity", "cognitive-proximity", "social-proximity"} <= set(proximity.narrower)
    assert set(vocabulary.evidence_types) == {
        "empirical-quantitative",
        "case-study",
        "conceptual",
        "review",
        "methodological",
        "policy-document",
        "indicator-rating",
    }


def test_broader_and_narrower_agree():
    themes = vocabulary_from_graph(load_ontology_graph(ROOT / "ontology")).themes
    for theme in themes.values():
        for parent in theme.broader:
            assert theme.id in themes[parent].narrower, (theme.id, parent)
        for other in theme.related:
            assert theme.id in themes[other].related, (theme.id, other)


def test_the_manual_documents_the_sparql_prefixes():
    manual = (ROOT / "docs" / "sparql.md").read_text(encoding="utf-8") + (ROOT / "docs" / "data-model.md").read_text(
        encoding="utf-8"
    )
    for prefix in ("gkb", "source", "claim", "theme", "evidence", "bibo", "cito"):
        assert f"`{prefix}:`" in manual, prefix
