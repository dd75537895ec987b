"""`kb build` on the fixture corpus: the dataset it writes, its named graphs, no-op rebuilds, dumps."""

from __future__ import annotations

import io
import time

import pytest
from conftest import replace_in
from rdflib import Dataset, Literal
from rdflib.namespace import DCTERMS, FOAF, RDF

from kb.build.builder import build
from kb.build.store import current_dir
from kb.knowledge_base import DUMP_FORMATS, KnowledgeBase
from kb.rdf.namespace import BIBO, CITO, CLAIM, FABIO, GKB, GRAPH, SOURCE, THEME


@pytest.fixture
def built(tiny_project):
    report = build(tiny_project)
    return tiny_project, report


def _dataset(kb: KnowledgeBase) -> Dataset:
    out = io.BytesIO()
    kb.dump(out, "nquads")
    dataset = Dataset()
    dataset.parse(data=out.getvalue().decode(), format="nquads")
    return dataset


def test_build_counts_and_named_graphs(built):
    settings, report = built
    assert not report.skipped
    assert report.counts["sources"] == 3 and report.counts["claims"] == 5 and report.counts["relations"] == 3
    kb = KnowledgeBase(settings)
    stats = kb.stats()
    assert (stats["sources"], stats["claims"]) == (3, 5)
    assert stats["themes"] >= 30
    assert stats["relations"] == {"supports": 1, "disputes": 1, "extends": 1}
    graphs = {str(g.identifier) for g in _dataset(kb).graphs()}
    assert {str(GRAPH.ontology), str(GRAPH.bibliography), str(GRAPH.claims)} <= graphs


def test_source_and_claim_triples(built):
    settings, _ = built
    dataset = _dataset(KnowledgeBase(settings))
    bibliography = dataset.graph(GRAPH.bibliography)
    claims = dataset.graph(GRAPH.claims)
    russian = SOURCE.ivanov2014clusters
    assert (russian, RDF.type, BIBO.AcademicArticle) in bibliography
    assert (russian, DCTERMS.title, Literal("Кластеры и глобальные связи", lang="ru")) in bibliography
    assert (russian, FABIO.hasTranslatedTitle, Literal("Clusters and global linkages", lang="en")) in bibliography
    assert (russian, CITO.cites, SOURCE.smith2001proximity) in bibliography
    author = bibliography.value(russian, DCTERMS.creator)
    assert bibliography.value(author, FOAF.familyName) == Literal("Иванов")
    corporate = bibliography.value(SOURCE.testorg2010policy, DCTERMS.creator)
    assert (corporate, RDF.type, FOAF.Organization) in bibliography
    quote = CLAIM["smith2001proximity-quote"]
    assert (quote, CITO.includesQuotationFrom, SOURCE.smith2001proximity) in claims
    assert (quote, BIBO.locator, Literal("p. 105")) in claims
    assert (quote, GKB.disputes, CLAIM["ivanov2014clusters-distance-dead"]) in claims
    assert (CLAIM["ivanov2014clusters-global-links"], DCTERMS.subject, THEME["cluster-internationalization"]) in claims
    texts = {text.language for text in claims.objects(CLAIM["ivanov2014clusters-global-links"], GKB.text)}
    assert texts == {"en", "ru"}


def test_unchanged_rebuild_is_skipped_quickly(built):
    settings, first = built
    started = time.perf_counter()
    again = build(settings)
    elapsed = time.perf_counter() - started
    assert again.skipped and current_dir(settings.build) == first.path
    # Skipped means nothing was parsed or written (0.1 s measured); the bound only catches a rebuild.
    assert elapsed < 2.0, f"no-op build took {elapsed:.2f} s"


def test_changed_corpus_rebuilds_and_swaps_current(built):
    settings, first = built
    replace_in(settings.corpus / "claims" / "ivanov2014clusters.yaml", "evidence: case-study", "evidence: review")
    second = build(settings)
    assert not second.skipped and second.path != first.path
    assert current_dir(settings.build) == second.path
    stats = KnowledgeBase(settings).stats()
    assert stats["claims_by_evidence"].get("review") == 1


@pytest.mark.parametrize("fmt", DUMP_FORMATS)
def test_every_dump_format_parses_back(built, fmt):
    settings, _ = built
    kb = KnowledgeBase(settings)
    out = io.BytesIO()
    kb.dump(out, fmt)
    parsed = Dataset()
    rdflib_format = {"jsonld": "json-ld", "ntriples": "nt"}.get(fmt, fmt)
    parsed.parse(data=out.getvalue().decode(), format=rdflib_format)
    triples = {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}
    expected = {(s, p, o) for s, p, o, _ in _dataset(kb).quads((None, None, None, None))}
    assert triples == expected


def test_snapshot_round_trips_the_corpus(built):
    from kb.corpus.loader import load_corpus
    from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph

    settings, _ = built
    kb = KnowledgeBase(settings)
    vocabulary = vocabulary_from_graph(load_ontology_graph(settings.ontology))
    assert kb.corpus == load_corpus(settings.corpus, vocabulary)
    assert kb.vocabulary == vocabulary
    assert set(kb.vocabulary.with_narrower("proximity")) >= {"proximity", "geographical-proximity", "social-proximity"}


def _quads(settings) -> set[str]:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(current_dir(settings.build) / "store"))
    return {str(q) for q in store}


def test_patched_build_equals_a_fresh_build(built, tmp_path):
    """Editing one claim file patches the previous store; the result must match a build from scratch."""
    from dataclasses import replace

    settings, first = built
    replace_in(
        settings.corpus / "claims" / "ivanov2014clusters.yaml",
        "Regional clusters that build links",
        "Regional clusters that forge links",
    )
    second = build(settings)
    assert second.patched and second.reused_files == 3  # the .bib and two untouched claim files
    fresh = replace(settings, build_dir=tmp_path / "fresh-build")
    scratch = build(fresh)
    assert not scratch.patched
    assert _quads(settings) == _quads(fresh)
    assert second.counts == scratch.counts


def test_renaming_a_curator_patches_shared_entities(built, tmp_path):
    from dataclasses import replace

    settings, _ = built
    replace_in(
        settings.corpus / "claims" / "testorg2010policy.yaml", "curated_by: test curators", "curated_by: A. Curator"
    )
    assert build(settings).patched
    fresh = replace(settings, build_dir=tmp_path / "fresh-build")
    build(fresh)
    assert _quads(settings) == _quads(fresh)
