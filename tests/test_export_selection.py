"""Which sources an export takes: all, --keys, --theme (narrower included), --search, --sparql, together."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kb.bibliography import claims_by_source, select_sources
from kb.bibliography.errors import SelectionError
from kb.cli import main
from kb.errors import KbError
from kb.knowledge_base import KnowledgeBase


@pytest.fixture
def tiny_kb(tiny_project):
    from kb.build.builder import build

    build(tiny_project)
    return KnowledgeBase(tiny_project)


def _keys(sources) -> list[str]:
    return [s.key for s in sources]


def test_all_keys_and_order(tiny_kb):
    assert _keys(select_sources(tiny_kb)) == ["smith2001proximity", "ivanov2014clusters", "testorg2010policy"]
    assert _keys(select_sources(tiny_kb, keys=["testorg2010policy", "smith2001proximity"])) == [
        "testorg2010policy",
        "smith2001proximity",
    ]
    with pytest.raises(
        SelectionError, match=r"unknown citation key: 'smith2001' \(did you mean smith2001proximity\?\)"
    ):
        select_sources(tiny_kb, keys=["smith2001"])


def test_theme_includes_narrower_themes(tiny_kb):
    # ivanov's claim is on cluster-internationalization, a narrower theme of internationalization
    assert _keys(select_sources(tiny_kb, theme="internationalization")) == ["ivanov2014clusters"]
    assert _keys(select_sources(tiny_kb, theme="cluster-internationalization")) == ["ivanov2014clusters"]
    assert _keys(select_sources(tiny_kb, theme="proximity")) == ["smith2001proximity"]
    # criteria combine as AND
    assert _keys(select_sources(tiny_kb, theme="death-of-distance", keys=["ivanov2014clusters"])) == [
        "ivanov2014clusters"
    ]
    assert select_sources(tiny_kb, theme="proximity", keys=["ivanov2014clusters"]) == []
    with pytest.raises(KbError, match="unknown theme 'clusterz'"):
        select_sources(tiny_kb, theme="clusterz")


def test_claims_by_source(tiny_kb):
    claims = claims_by_source(tiny_kb, select_sources(tiny_kb, keys=["ivanov2014clusters"]))
    assert [c.id for c in claims["ivanov2014clusters"]] == [
        "ivanov2014clusters-global-links",
        "ivanov2014clusters-distance-dead",
    ]


def test_sparql_first_column_selects_sources(tiny_kb):
    query = """SELECT ?source WHERE { ?source dcterms:identifier ?key ; fabio:hasPublicationYear ?year
               FILTER(?year >= "2005"^^xsd:gYear) } ORDER BY DESC(?year)"""
    assert _keys(select_sources(tiny_kb, sparql=query)) == ["ivanov2014clusters", "testorg2010policy"]
    with pytest.raises(SelectionError, match="first column holds no sources"):
        select_sources(tiny_kb, sparql="SELECT ?theme WHERE { ?theme a skos:Concept } LIMIT 3")
    with pytest.raises(SelectionError, match="needs a SELECT query"):
        select_sources(tiny_kb, sparql="ASK { ?s ?p ?o }")


@pytest.mark.model
def test_search_takes_the_sources_of_the_top_results(tiny_kb):
    found = _keys(select_sources(tiny_kb, search="face-to-face contact and proximity in clusters", search_limit=3))
    assert found and found[0] == "smith2001proximity" and len(found) == len(set(found))


def test_cli_export_selection_with_claims(tiny_project, tmp_path):
    runner = CliRunner()
    base = ["--root", str(tiny_project.root)]
    assert runner.invoke(main, [*base, "build"]).exit_code == 0
    query = tmp_path / "recent.rq"
    query.write_text(
        'SELECT ?s WHERE { ?s dcterms:identifier ?k ; fabio:hasPublicationYear ?y FILTER(?y >= "2005"^^xsd:gYear) }',
        encoding="utf-8",
    )
    result = runner.invoke(
        main,
        [*base, "export", "--format", "ris", "--sparql", str(query), "--theme", "internationalization", "--claims"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.output.count("TY  - ") == 1 and "ID  - ivanov2014clusters" in result.output
    assert "N1  - glocal-kb claim ivanov2014clusters-global-links (paraphrase; themes: " in result.output
