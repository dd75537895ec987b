"""Each named query on the real corpus: its answer is checked against the same question answered
independently in Python from the built corpus (`real_kb.corpus`), plus facts a reader of the
literature expects (the corpus is growing, so these are properties, not counts)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from kb.rdf.namespace import PREFIXES
from kb.sparql import named_queries, named_query, run_named_query

SEED = "islankina2015glocalization"
EMPIRICAL = {"empirical-quantitative", "case-study", "indicator-rating"}


def _local(iri: str, prefix: str) -> str:
    assert iri.startswith(PREFIXES[prefix]), iri
    return iri[len(PREFIXES[prefix]) :]


def _run(real_kb, name, **params):
    result = run_named_query(real_kb, name, params)
    assert not result.truncated
    return result.rows


def _decade(year: int) -> int:
    return year // 10 * 10


def test_the_library_has_at_least_12_documented_queries():
    library = named_queries()
    assert len(library) >= 12
    for query in library:
        assert query.title.endswith("?"), f"{query.name}: the title should be the question it answers"
        assert len(query.description) > 60, query.name
        for parameter in query.parameters:
            assert f"VALUES ?{parameter.name} {{ {parameter.default} }}" in query.text, (
                f"{query.name}: parameter ?{parameter.name} needs its VALUES clause with the default"
            )


def test_every_named_query_has_a_test_here():
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    missing = [q.name for q in named_queries() if q.name not in tested]
    assert not missing, f"named queries without a test: {missing}"


def test_claims_on_theme(real_kb):
    corpus = real_kb.corpus
    for theme in ("proximity", "glocalization", "innovation-cluster"):
        rows = _run(real_kb, "claims-on-theme", theme=theme)
        below = set(real_kb.vocabulary.with_narrower(theme))
        expected = {c.id for c in corpus.claims.values() if set(c.themes) & below}
        assert {_local(r["claim"], "claim") for r in rows} == expected
        assert all(_local(r["filedUnder"], "theme") in below for r in rows)
        assert all(r["theme"] == PREFIXES["theme"] + theme for r in rows)
    # Narrower themes really are included: proximity has claims filed under its kinds only.
    rows = _run(real_kb, "claims-on-theme", theme="proximity")
    assert {"social-proximity", "cognitive-proximity"} & {_local(r["filedUnder"], "theme") for r in rows}
    years = [r["year"] for r in rows]
    assert years == sorted(years, reverse=True)


def test_claims_on_theme_default_and_bad_theme(real_kb):
    assert named_query("claims-on-theme").parameters[0].default == "theme:glocalization"
    assert _run(real_kb, "claims-on-theme")
    from kb.errors import KbError

    with pytest.raises(KbError, match="did you mean proximity"):
        run_named_query(real_kb, "claims-on-theme", {"theme": "proximty"})
    with pytest.raises(KbError, match="has no parameter 'topic'"):
        run_named_query(real_kb, "claims-on-theme", {"topic": "proximity"})


def test_disputed_claims(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "disputed-claims")
    pairs = {(_local(r["claim"], "claim"), _local(r["disputed"], "claim")) for r in rows}
    assert pairs == {(c.id, t) for c in corpus.claims.values() for t in c.disputes}
    sides = {(_local(r["source"], "source"), _local(r["disputedSource"], "source")) for r in rows}
    # The field's best-known debate: buzz and proximity against the death of distance.
    assert ("bathelt2004clusters", "cairncross1997death") in sides
    assert all(r["text"] and r["disputedText"] for r in rows)


def test_evidence_gaps(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "evidence-gaps")
    expected = {}
    for theme in real_kb.themes:
        below = set(real_kb.vocabulary.with_narrower(theme))
        claims = [c for c in corpus.claims.values() if set(c.themes) & below]
        if not any(c.evidence in EMPIRICAL for c in claims):
            expected[theme] = len(claims)
    assert {_local(r["theme"], "theme"): r["claims"] for r in rows} == expected
    assert all(r["label"] for r in rows)
    # A gap list that included everything, or nothing, would answer nothing.
    assert 0 < len(rows) < len(real_kb.themes)


def test_sources_per_theme_per_decade(real_kb):
    corpus = real_kb.corpus
    expected = defaultdict(set)
    for claim in corpus.claims.values():
        for theme in claim.themes:
            expected[(theme, _decade(corpus.sources[claim.source_key].year))].add(claim.source_key)
    rows = _run(real_kb, "sources-per-theme-per-decade")
    assert {(_local(r["theme"], "theme"), int(r["decade"])): r["sources"] for r in rows} == {
        k: len(v) for k, v in expected.items()
    }
    # The death-of-distance debate starts in the 1990s with Cairncross.
    assert any(_local(r["theme"], "theme") == "death-of-distance" and int(r["decade"]) == 1990 for r in rows)


def test_authors_by_theme(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "authors-by-theme")
    bathelt = [r for r in rows if r["author"] == PREFIXES["person"] + "bathelt-h"]
    expected = Counter(t for c in corpus.claims_of("bathelt2004clusters") for t in c.themes)
    assert {_local(r["theme"], "theme"): r["claims"] for r in bathelt} == dict(expected)
    assert all(r["name"].startswith("Bathelt") for r in bathelt)
    # One display name per author, in Latin script where the record has one.
    assert len({(r["author"], r["theme"]) for r in rows}) == len(rows)
    gokhberg = {r["name"] for r in rows if r["author"].endswith("/gokhberg-l")}
    assert gokhberg and all(name.isascii() for name in gokhberg)
    # Every theme a claim is filed under appears (keywords of sources do not), busiest first.
    assert {_local(r["theme"], "theme") for r in rows} == {t for c in corpus.claims.values() for t in c.themes}
    assert [r["claims"] for r in rows] == sorted((r["claims"] for r in rows), reverse=True)


def test_seed_argument_support(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "seed-argument-support")
    expected = {
        (t, c.id)
        for c in corpus.claims.values()
        if c.source_key != SEED
        for t in c.supports
        if corpus.claims[t].source_key == SEED
    }
    assert {(_local(r["seedClaim"], "claim"), _local(r["claim"], "claim")) for r in rows} == expected
    assert (f"{SEED}-glocalization-of-innovations", "bathelt2004clusters-buzz-and-pipelines") in {
        (_local(r["seedClaim"], "claim"), _local(r["claim"], "claim")) for r in rows
    }
    supporters = Counter(t for t, _ in expected)
    assert all(r["supporters"] == supporters[_local(r["seedClaim"], "claim")] for r in rows)
    assert [r["supporters"] for r in rows] == sorted((r["supporters"] for r in rows), reverse=True)


def test_russian_sources(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "russian-sources")
    russian = {k: s for k, s in corpus.sources.items() if s.language == "ru"}
    assert {_local(r["source"], "source") for r in rows} == set(russian)
    for row in rows:
        source = russian[_local(row["source"], "source")]
        assert any("\u0400" <= ch <= "\u04ff" for ch in row["title"])
        assert row["englishTitle"] == source.title_en and row["englishTitle"].isascii()
    people = {_local(r["source"], "source"): r["people"] for r in rows}
    assert "Gokhberg" in people["gokhberg2012rating"]


def test_most_cited_works(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "most-cited-works")
    cited_by = defaultdict(set)
    for source in corpus.sources.values():
        for cited in source.cites:
            cited_by[cited].add(source.key)
    assert {_local(r["work"], "source"): r["citations"] for r in rows} == {k: len(v) for k, v in cited_by.items()}
    assert len(rows) >= 26 and all(SEED in r["citedBy"] for r in rows)
    claims = Counter(c.source_key for c in corpus.claims.values())
    assert all(r["claims"] == claims[_local(r["work"], "source")] for r in rows)
    order = [(r["citations"], r["claims"]) for r in rows]
    assert order == sorted(order, reverse=True)


def test_contested_themes(real_kb):
    corpus = real_kb.corpus
    expected = defaultdict(set)
    for claim in corpus.claims.values():
        for target in claim.disputes:
            for theme in set(claim.themes) | set(corpus.claims[target].themes):
                expected[theme].add((claim.id, target))
    rows = _run(real_kb, "contested-themes")
    assert {_local(r["theme"], "theme"): r["disputes"] for r in rows} == {t: len(p) for t, p in expected.items()}
    death = next(r for r in rows if r["theme"].endswith("/death-of-distance"))
    assert "cairncross1997death" in death["sources"]


def test_claims_of_source(real_kb):
    corpus = real_kb.corpus
    for key in ("cairncross1997death", "bathelt2004clusters", "gokhberg2015rating"):
        rows = _run(real_kb, "claims-of-source", source=key)
        claims = {c.id: c for c in corpus.claims_of(key)}
        assert {_local(r["claim"], "claim") for r in rows} == set(claims)
        for row in rows:
            claim = claims[_local(row["claim"], "claim")]
            assert set(row["themes"].split(", ")) == set(claim.themes)
            assert row["evidence"] == claim.evidence and row["basis"] == claim.based_on
            assert set(filter(None, (row["relations"] or "").split("; "))) == {
                f"{relation} {target}" for relation, target in claim.relations()
            }


def test_evidence_by_theme(real_kb):
    corpus = real_kb.corpus
    expected = Counter((t, c.evidence) for c in corpus.claims.values() for t in c.themes)
    rows = _run(real_kb, "evidence-by-theme")
    assert {(_local(r["theme"], "theme"), r["evidence"]): r["claims"] for r in rows} == dict(expected)


def test_corrected_references(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "corrected-references")
    corrected = {k: s for k, s in corpus.sources.items() if s.correction}
    assert {_local(r["source"], "source") for r in rows} == set(corrected)
    seed_cites = set(corpus.sources[SEED].cites)
    for row in rows:
        key = _local(row["source"], "source")
        assert row["correction"] == corrected[key].correction
        assert row["citedBySeed"] == (key in seed_cites)
    # Cairncross's imprint is the seed list's best-documented mistake.
    assert "cairncross1997death" in corrected


def test_claims_needing_verification(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "claims-needing-verification")
    weaker = ("recollection", "secondary", "publisher-description", "abstract")  # weakest first
    expected = {c.id: c.based_on for c in corpus.claims.values() if c.based_on in weaker}
    assert {_local(r["claim"], "claim"): r["basis"] for r in rows} == expected
    assert set(expected.values()) == set(weaker)  # the real corpus has claims on each of these bases
    bases = [r["basis"] for r in rows]
    assert bases == sorted(bases, key=weaker.index)
    # Within a basis, by source then claim (the query sorts by their local names for speed).
    order = [(weaker.index(r["basis"]), r["source"], r["claim"]) for r in rows]
    assert order == sorted(order)
    sources = {_local(r["source"], "source") for r in rows}
    assert sources == {corpus.claims[c].source_key for c in expected}


def test_theme_co_occurrence(real_kb):
    corpus = real_kb.corpus
    pairs = defaultdict(set)
    for claim in corpus.claims.values():
        themes = sorted(set(claim.themes), key=lambda t: PREFIXES["theme"] + t)
        for i, first in enumerate(themes):
            for second in themes[i + 1 :]:
                pairs[(first, second)].add(claim.id)
    rows = _run(real_kb, "theme-co-occurrence")
    assert {(_local(r["theme"], "theme"), _local(r["otherTheme"], "theme")): r["claims"] for r in rows} == {
        k: len(v) for k, v in pairs.items()
    }
    themes = real_kb.themes
    for row in rows:
        a, b = _local(row["theme"], "theme"), _local(row["otherTheme"], "theme")
        linked = b in themes[a].related or b in themes[a].broader or b in themes[a].narrower
        assert row["linkedInThesaurus"] == linked, (a, b)
        assert row["sources"] == len({corpus.claims[c].source_key for c in pairs[(a, b)]}), (a, b)
    order = [(-r["claims"], r["theme"], r["otherTheme"]) for r in rows]
    assert order == sorted(order)


def test_source_engagement(real_kb):
    corpus = real_kb.corpus
    expected = Counter()
    for claim in corpus.claims.values():
        for relation, target in claim.relations():
            other = corpus.claims[target].source_key
            if other != claim.source_key:
                expected[(claim.source_key, relation, other)] += 1
    rows = _run(real_kb, "source-engagement")
    assert {
        (_local(r["source"], "source"), r["relation"], _local(r["otherSource"], "source")): r["links"] for r in rows
    } == dict(expected)
    assert ("asheim2002regional", "disputes", "cairncross1997death") in expected
    # Strongest links first, ties by source, relation and other source (sorted by keys for speed).
    order = [(-r["links"], r["source"], r["relation"], r["otherSource"]) for r in rows]
    assert order == sorted(order)


def test_theme_coverage(real_kb):
    corpus = real_kb.corpus
    listed = _run(real_kb, "theme-coverage")
    assert [(-r["claims"], r["theme"]) for r in listed] == sorted((-r["claims"], r["theme"]) for r in listed)
    rows = {_local(r["theme"], "theme"): r for r in listed}
    assert set(rows) == set(real_kb.themes)
    for theme, row in rows.items():
        below = set(real_kb.vocabulary.with_narrower(theme))
        claims = [c for c in corpus.claims.values() if set(c.themes) & below]
        assert row["claims"] == len(claims)
        assert row["sources"] == len({c.source_key for c in claims})
        assert row["directClaims"] == sum(theme in c.themes for c in corpus.claims.values())
        assert row["label"] == real_kb.themes[theme].labels["en"]
        assert row["labelRu"] == real_kb.themes[theme].labels["ru"]


def test_corpus_timeline(real_kb):
    corpus = real_kb.corpus
    rows = _run(real_kb, "corpus-timeline")
    assert sum(r["sources"] for r in rows) == len(corpus.sources)
    assert sum(r["claims"] for r in rows) == len(corpus.claims)
    by_language = Counter()
    for row in rows:
        by_language[row["language"]] += row["sources"]
    assert by_language == Counter(s.language for s in corpus.sources.values())
    assert {r["kind"] for r in rows} >= {"AcademicArticle", "Book", "Legislation"}
    # Per year and language (summed over kinds): sources and their claims.
    sources, claims = Counter(), Counter()
    for row in rows:
        sources[(int(row["year"]), row["language"])] += row["sources"]
        claims[(int(row["year"]), row["language"])] += row["claims"]
    assert sources == Counter((s.year, s.language) for s in corpus.sources.values())
    assert +claims == Counter(
        (corpus.sources[c.source_key].year, corpus.sources[c.source_key].language) for c in corpus.claims.values()
    )
    assert [(r["year"], r["language"], r["kind"]) for r in rows] == sorted(
        (r["year"], r["language"], r["kind"]) for r in rows
    )
