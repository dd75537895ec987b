"""Issue 12: what each claim rests on, its review status, the reasons of relations, copied paraphrases,
and the trust report, in the corpus, the RDF and the `kb` command."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from conftest import line_of, replace_in
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF

from kb.audit import OVERLAP_WORDS, audit, paraphrase_overlaps, read_corpus, review_queue
from kb.build.builder import build
from kb.cli import main
from kb.knowledge_base import KnowledgeBase
from kb.model import CURATION_BASES
from kb.rdf.iris import relation_iri
from kb.rdf.namespace import BASIS, CITO, CLAIM, GKB, GRAPH, REVIEW, REVIEW_STATUS, SOURCE

TESTORG = "testorg2010policy-connectivity"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def _claims_graph(settings):
    out = io.BytesIO()
    KnowledgeBase(settings).dump(out, "nquads")
    dataset = Dataset()
    dataset.parse(data=out.getvalue().decode(), format="nquads")
    return dataset.graph(GRAPH.claims), dataset


def _named(dataset, agent, name: str) -> bool:
    return any((agent, FOAF.name, Literal(name)) in graph for graph in dataset.graphs())


def _cli(settings, *args):
    return CliRunner().invoke(main, ["--root", str(settings.root), *args], env={"KB_BUILD_DIR": str(settings.build)})


# --- RDF ---------------------------------------------------------------------------------------


def test_relations_are_qualified_nodes_beside_the_direct_triple(tiny_project):
    build(tiny_project)
    claims, dataset = _claims_graph(tiny_project)
    source, target = CLAIM["ivanov2014clusters-global-links"], CLAIM["smith2001proximity-colocation"]
    assert (source, GKB.supports, target) in claims  # existing queries keep working
    node = relation_iri("ivanov2014clusters-global-links", "supports", "smith2001proximity-colocation")
    assert (node, RDF.type, GKB.ClaimRelation) in claims
    assert (node, CITO.hasCitingEntity, source) in claims and (node, CITO.hasCitedEntity, target) in claims
    assert (node, CITO.hasCitationCharacterization, GKB.supports) in claims
    assert str(claims.value(node, GKB.rationale)).startswith("Links with foreign partners")
    # who asserted it: the file's curator by default, or the `by` the relation names
    agent = claims.value(node, PROV.wasAttributedTo)
    assert _named(dataset, agent, "test curators")
    disputing = relation_iri("smith2001proximity-quote", "disputes", "ivanov2014clusters-distance-dead")
    reviewer = claims.value(disputing, PROV.wasAttributedTo)
    assert _named(dataset, reviewer, "A. Reviewer")
    assert len(set(claims.subjects(RDF.type, GKB.ClaimRelation))) == 3


def test_basis_status_and_review_in_rdf(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(
        path,
        "    evidence: policy-document\n",
        "    evidence: policy-document\n    based_on: secondary\n    via: smith2001proximity\n"
        "    status: reviewed\n    reviewed_by: B. Checker\n    reviewed_on: 2026-12-01\n",
    )
    build(tiny_project)
    claims, dataset = _claims_graph(tiny_project)
    claim = CLAIM[TESTORG]
    assert (claim, GKB.curationBasis, BASIS.secondary) in claims
    assert (claim, GKB.via, SOURCE.smith2001proximity) in claims
    assert (claim, GKB.reviewStatus, REVIEW_STATUS.reviewed) in claims
    review = REVIEW[TESTORG]
    assert (review, RDF.type, GKB.Review) in claims and (review, PROV.used, claim) in claims
    assert (review, DCTERMS.date, Literal("2026-12-01", datatype=URIRef(str(XSD_DATE)))) in claims
    reviewer = claims.value(review, PROV.wasAssociatedWith)
    assert _named(dataset, reviewer, "B. Checker")
    drafted = CLAIM["smith2001proximity-quote"]
    assert (drafted, GKB.reviewStatus, REVIEW_STATUS.draft) in claims
    assert (drafted, GKB.curationBasis, BASIS["full-text-page"]) in claims
    assert not list(claims.subjects(PROV.used, drafted))


def test_via_may_be_a_web_address(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(
        path,
        "    evidence: policy-document\n",
        "    evidence: policy-document\n    based_on: secondary\n    via: https://example.org/review\n",
    )
    build(tiny_project)
    claims, _ = _claims_graph(tiny_project)
    assert (CLAIM[TESTORG], GKB.via, URIRef("https://example.org/review")) in claims


def test_every_relation_of_the_real_graph_has_its_reason(real_kb):
    rows = real_kb.select("""
        SELECT ?kind (COUNT(*) AS ?n) (SUM(IF(BOUND(?why), 1, 0)) AS ?explained) WHERE {
          ?a ?kind ?b . VALUES ?kind { gkb:supports gkb:disputes gkb:extends }
          OPTIONAL { ?r cito:hasCitingEntity ?a ; cito:hasCitedEntity ?b ; cito:hasCitationCharacterization ?kind ;
                        gkb:rationale ?why ; prov:wasAttributedTo ?who }
        } GROUP BY ?kind""")
    counted = {str(row["kind"]).rsplit("#", 1)[-1]: (int(row["n"]), int(row["explained"])) for row in rows}
    expected = {}
    for claim in real_kb.corpus.claims.values():
        for kind, _ in claim.relations():
            expected[kind] = expected.get(kind, 0) + 1
    assert {kind: n for kind, (n, _) in counted.items()} == expected
    assert all(n == explained for n, explained in counted.values())


# --- the real corpus -----------------------------------------------------------------------------


def test_real_corpus_audit_is_clean(real_project):
    report = audit(read_corpus(real_project))
    summary = report.summary()
    assert summary["secondary_without_via"] == 0
    assert summary["relations_without_rationale"] == 0
    assert summary["quotations_without_locator"] == 0
    assert summary["paraphrase_overlaps"] == 0
    assert summary["identifiers_without_page"] == 0
    assert summary["urls_without_access_date"] == 0
    assert sum(report.by_basis.values()) == report.claims and list(report.by_basis) == list(CURATION_BASES)
    assert report.by_status == {"draft": report.claims, "reviewed": 0}  # honest drafts, none reviewed yet


def test_real_claims_resting_on_recollection_say_so(real_project):
    """A note that speaks of the curator's own knowledge goes with the recollection basis, never secondary."""
    corpus = read_corpus(real_project)
    for claim in corpus.claims.values():
        note = claim.note.lower()
        if "general knowledge" in note or "well-documented" in note or "recollection" in note:
            assert claim.based_on == "recollection", claim.id
        if claim.based_on == "secondary":
            assert claim.via, claim.id
    assert all(c.curated_by.endswith("(LLM-assisted draft, to be reviewed)") for c in corpus.claims.values())


def test_seed_claims_rest_on_its_abstract_only(real_project):
    corpus = read_corpus(real_project)
    seed = corpus.claims_of("islankina2015glocalization")
    assert {c.based_on for c in seed} == {"abstract"}
    definition = corpus.claims["islankina2015glocalization-ris-glocalization-definition"]
    assert "sets out to articulate" in definition.text["en"]  # the abstract announces a definition only
    scenarios = corpus.claims["islankina2015glocalization-policy-scenarios"]
    assert "classif" not in scenarios.text["en"] and "distinguishes regions" not in scenarios.text["en"]


def test_removed_and_moved_claims_and_relations_stay_gone(real_project):
    corpus = read_corpus(real_project)
    for removed in (
        "govindarajan2012reverse-cannibalisation-risk",
        "gokhberg2015rating-data-sources",
        "gokhberg2012rating-policy-tool",
        "ec2010smartgrowth-innovation-investment",
        "roudometof2015glocal-glocal-turn",
        "islankina2014theoretical-policy-subject",
    ):
        assert removed not in corpus.claims
    moved = corpus.claims["islankina2015internationalization-glocal-clusters"]
    assert moved.source_key == "islankina2015internationalization" and moved.based_on == "abstract"
    enright = corpus.claims["enright2000globalization-cluster-policy-facilitative"]
    assert "islankina2015glocalization-clusters-for-all-regions" not in enright.disputes
    assert not corpus.sources["bathelt2004clusters"].doi and not corpus.sources["rosenthal2004evidence"].doi


def test_review_queue_lists_drafts_weakest_first(real_project):
    corpus = read_corpus(real_project)
    queue = review_queue(corpus)
    assert len(queue) == len(corpus.claims)
    ranks = [CURATION_BASES.index(entry.based_on) for entry in queue]
    assert ranks == sorted(ranks, reverse=True) and queue[0].based_on == "recollection"
    assert queue[0].location.startswith("corpus/claims/") or ".yaml:" in queue[0].location


# --- paraphrase overlap ----------------------------------------------------------------------------


def _copy_abstract(tiny_project, words: int):
    """Give smith2001proximity an abstract and make its paraphrase copy `words` words of it in a row."""
    abstract = (
        "Firms that sit close together in a regional cluster learn from one another through "
        "frequent unplanned meetings and shared local institutions"
    )
    bib = tiny_project.corpus / "references.bib"
    replace_in(
        bib,
        "  journaltitle = {Journal of Test Geography},",
        "  journaltitle = {Journal of Test Geography},\n  abstract = {" + abstract + "},",
    )
    copied = " ".join(abstract.split()[:words])
    path = tiny_project.corpus / "claims" / "smith2001proximity.yaml"
    replace_in(
        path,
        "en: Co-located firms learn from each other through frequent face-to-face contact.",
        f"en: In short, {copied}.",
    )
    return path


def test_validate_refuses_a_copied_paraphrase(tiny_project):
    path = _copy_abstract(tiny_project, OVERLAP_WORDS)
    result = _cli(tiny_project, "validate")
    assert result.exit_code == 1
    first = result.output.strip().splitlines()[0]
    assert (
        first.startswith("error: ")
        and f"smith2001proximity.yaml:{line_of(path, '- id: smith2001proximity-colocation')}:" in first
    )
    assert f"shares {OVERLAP_WORDS} words in a row" in first and "kind: quote" in first
    assert not tiny_project.build.exists()


def test_a_shorter_shared_run_passes_and_is_measured(tiny_project):
    _copy_abstract(tiny_project, OVERLAP_WORDS - 1)
    assert _cli(tiny_project, "validate").exit_code == 0
    corpus = read_corpus(tiny_project)
    assert paraphrase_overlaps(corpus) == []
    assert [o.words for o in paraphrase_overlaps(corpus, threshold=OVERLAP_WORDS - 1)] == [OVERLAP_WORDS - 1]


# --- the command ------------------------------------------------------------------------------------


def test_kb_audit_json_and_queue(real_project):
    result = _cli(real_project, "audit", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    corpus = read_corpus(real_project)
    assert report["summary"]["claims"] == len(corpus.claims)
    assert report["summary"]["relations_without_rationale"] == 0 and report["paraphrase_overlaps"] == []
    assert set(report["sources_with_few_claims"]) == {k for k in corpus.sources if len(corpus.claims_of(k)) < 3}
    queue = json.loads(_cli(real_project, "audit", "--queue", "--json").output)
    assert len(queue) == len(corpus.claims) and {"claim_id", "based_on", "drafted_by", "location"} <= set(queue[0])
    text = _cli(real_project, "audit").output
    assert "claims by basis (strongest first):" in text and "Curator's recollection" in text


def test_kb_audit_reports_bad_input_as_one_line(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(path, "    evidence: policy-document\n", "    evidence: policy-document\n    based_on: secondary\n")
    result = _cli(tiny_project, "audit")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "needs 'via'" in result.output


@pytest.mark.parametrize("command", [("validate",), ("build",)])
def test_bad_input_is_one_line_and_builds_nothing(tiny_project, command):
    path = tiny_project.corpus / "claims" / "ivanov2014clusters.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "".join(line for line in text.splitlines(keepends=True) if "because:" not in line), encoding="utf-8"
    )
    result = _cli(tiny_project, *command)
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert f"ivanov2014clusters.yaml:{line_of(path, '- id: smith2001proximity-colocation')}:" in result.output
    assert not (tiny_project.build / "current").exists()
