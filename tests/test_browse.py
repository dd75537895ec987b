"""kb.browse: what the UI pages show, computed from the built corpus."""

from __future__ import annotations

import pytest

from kb.browse import Evidence, short_citation
from kb.browse.evidence_map import cell_claims, evidence_map
from kb.browse.neighbourhood import neighbourhood_dot
from kb.browse.pages import claim_page, source_page, theme_page, theme_tree
from kb.build.builder import build
from kb.errors import KbError
from kb.knowledge_base import KnowledgeBase


@pytest.fixture
def tiny_evidence(tiny_project) -> Evidence:
    build(tiny_project)
    return KnowledgeBase(tiny_project).evidence


@pytest.fixture(scope="module")
def real_evidence(real_kb) -> Evidence:
    return real_kb.evidence


def test_theme_page_groups_claims_and_pairs_disputes(tiny_evidence):
    page = theme_page(tiny_evidence, "death-of-distance")
    ids = {v.id for views in page.claims_by_evidence.values() for v in views}
    assert ids == {"smith2001proximity-quote", "ivanov2014clusters-distance-dead"}
    assert set(page.claims_by_evidence) == {"empirical-quantitative", "conceptual"}
    assert [(a.id, b.id) for a, b in page.disputes] == [
        ("smith2001proximity-quote", "ivanov2014clusters-distance-dead")
    ]
    assert page.broader == [("globalization", "Globalization")]


def test_parent_theme_includes_narrower_claims(tiny_evidence):
    page = theme_page(tiny_evidence, "proximity")
    assert page.direct_claims == 0
    ids = {v.id for views in page.claims_by_evidence.values() for v in views}
    assert "smith2001proximity-colocation" in ids  # tagged geographical-proximity


def test_source_and_claim_pages(tiny_evidence):
    page = source_page(tiny_evidence, "ivanov2014clusters")
    assert [v.id for v in page.claims] == ["ivanov2014clusters-global-links", "ivanov2014clusters-distance-dead"]
    assert [s.key for s in page.cites] == ["smith2001proximity"]
    claim = claim_page(tiny_evidence, "ivanov2014clusters-distance-dead")
    assert [(r, v.id) for r, v in claim.incoming] == [("disputed by", "smith2001proximity-quote")]
    assert claim.view.relation_counts == {"disputed by": 1}
    with pytest.raises(KbError, match="unknown claim"):
        claim_page(tiny_evidence, "nope")


def test_short_citations(tiny_evidence):
    sources = tiny_evidence.corpus.sources
    assert short_citation(sources["smith2001proximity"]) == "Smith & de la Cruz 2001"
    assert short_citation(sources["ivanov2014clusters"]) == "Иванов 2014"
    assert short_citation(sources["ivanov2014clusters"], latin=True) == "Ivanov 2014"
    assert short_citation(sources["testorg2010policy"]) == "Test Organisation for Regions 2010"


def test_evidence_map_counts_and_gaps(tiny_evidence):
    matrix = evidence_map(tiny_evidence)
    cell = matrix.cell("death-of-distance", "conceptual")
    assert (cell.claims, cell.sources, cell.disputes) == (1, 1, 1)
    assert matrix.cell("death-of-distance", "review").is_gap
    assert [c.id for c in cell_claims(tiny_evidence, "death-of-distance", "conceptual")] == [
        "ivanov2014clusters-distance-dead"
    ]
    by_theme = evidence_map(tiny_evidence, columns="themes")
    assert {column for column, _ in by_theme.columns} == {node.id for node in theme_tree(tiny_evidence)}
    with pytest.raises(KbError, match="evidence, themes"):
        evidence_map(tiny_evidence, columns="years")


def test_neighbourhood_dot_escapes_and_links(tiny_evidence):
    dot = neighbourhood_dot(tiny_evidence, "death-of-distance")
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert '"c:smith2001proximity-quote" -> "c:ivanov2014clusters-distance-dead"' in dot
    assert "disputes" in dot and '"Distance still matters for learning."' in dot


def test_real_theme_tree_covers_every_theme(real_evidence):
    seen = set()

    def walk(nodes):
        for node in nodes:
            seen.add(node.id)
            walk(node.children)

    walk(theme_tree(real_evidence))
    assert seen == set(real_evidence.vocabulary.themes)


def test_real_death_of_distance_page_shows_disputes(real_evidence):
    page = theme_page(real_evidence, "death-of-distance")
    disputed = {b.source.key for _, b in page.disputes}
    assert "cairncross1997death" in disputed
    assert len({a.source.key for a, _ in page.disputes}) >= 2
