"""`KnowledgeBase`: one build, opened read-only, and the one owner of everything derived from it.

The CLI, the web UI, the exporters and the benchmarks get every part of a build from here and
never make a second copy:

    kb = KnowledgeBase(settings)          # the build `current` names, pinned while kb lives
    kb.corpus, kb.vocabulary              # sources, claims, themes, evidence types (the snapshot)
    kb.evidence                           # browse indexes: relations both ways, claims by theme
    kb.searcher.search("local buzz")      # the search index and model, loaded on first use
    kb.evidence_map("evidence")           # the theme x evidence-type map, computed once per choice
    kb.query("SELECT ...")                # SPARQL through the gate; workers start on the first query

Parts load lazily, once, and are safe to share between threads. A long-running process (the web
UI) holds one `KnowledgeBase` per build and replaces it as a whole when a new build appears.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kb.build.store import STORE, Pin, current_dir, manifest_of
from kb.config import Settings
from kb.errors import KbError, NotBuiltError
from kb.model import Corpus, Source, Theme

if TYPE_CHECKING:  # the rest loads on use, so `kb --help` and the CLI's option lists stay instant
    from kb.browse.evidence import Evidence
    from kb.browse.evidence_map import EvidenceMap
    from kb.browse.results import ResultView
    from kb.rdf.ontology import Vocabulary
    from kb.search.filters import SearchFilters
    from kb.search.searcher import Searcher
    from kb.sparql.terms import QueryResult

DUMP_FORMATS = ("turtle", "trig", "nquads", "ntriples", "jsonld")


class KnowledgeBase:
    """A read-only view of one build. Safe to share between threads."""

    def __init__(self, settings: Settings, build: Path | None = None):
        self.settings = settings
        path = build or current_dir(settings.build)
        if path is None or not (path / STORE).exists():
            raise NotBuiltError(settings.build)
        self.path: Path = path
        self.manifest: dict = manifest_of(path) or {}
        # `kb build` removes old datasets, but not one a process still reads.
        self._pin = Pin(path)
        weakref.finalize(self, self._pin.release)
        self._lock = threading.Lock()
        self._maps: dict[tuple, EvidenceMap] = {}

    @property
    def build_id(self) -> str:
        """The dataset folder's name: what the UI and the endpoint report as the build served."""
        return self.path.name

    def close(self) -> None:
        """Release the build for `kb build` to remove once it is no longer current."""
        self._pin.release()

    # -- the snapshot ------------------------------------------------------------------------
    @cached_property
    def _snapshot(self):
        from kb.build.snapshot import SNAPSHOT, read_snapshot

        return read_snapshot(self.path / SNAPSHOT)

    @property
    def corpus(self) -> Corpus:
        """Sources and claims exactly as this build compiled them."""
        return self._snapshot[0]

    @property
    def vocabulary(self) -> Vocabulary:
        """Themes and evidence types of this build."""
        return self._snapshot[1]

    @property
    def themes(self) -> Mapping[str, Theme]:
        return self.vocabulary.themes

    # -- derived parts, each made once -------------------------------------------------------
    @cached_property
    def evidence(self) -> Evidence:
        """The corpus indexed for browsing (relations both ways, claims by theme)."""
        from kb.browse.evidence import Evidence

        return Evidence(self.corpus, self.vocabulary)

    @cached_property
    def searcher(self) -> Searcher:
        """The search engine of this build (its index and model load now, on first use)."""
        from kb.search.searcher import Searcher

        return Searcher(self)

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        per_source: int | None = 2,
        language: str | None = None,
    ) -> list[ResultView]:
        """The best claims and sources for `query`, as readers see them (texts, labels, citations);
        `language` is the reader's language where a text has it (else the query's)."""
        from kb.browse.results import present

        hits = self.searcher.search(query, k=k, filters=filters, mode=mode, per_source=per_source)
        return present(self, hits, language)

    def evidence_map(
        self, columns: str = "evidence", include_narrower: bool = True, language: str = "en"
    ) -> EvidenceMap:
        """The evidence map for one choice of columns (evidence types or top themes), counted once
        per choice (it takes seconds at 100k claims)."""
        from kb.browse.evidence_map import evidence_map

        key = (columns, include_narrower, language)
        with self._lock:
            found = self._maps.get(key)
        if found is None:
            found = evidence_map(self.evidence, columns=columns, include_narrower=include_narrower, language=language)
            with self._lock:
                self._maps.setdefault(key, found)
        return found

    # -- bibliographies -----------------------------------------------------------------------
    def export(
        self, sources: Iterable[Source], format: str = "biblatex", style: str | None = None, with_claims: bool = False
    ) -> str:
        """Sources in an export format (`kb.bibliography.EXPORT_FORMATS`), with their claims if asked;
        formatted lists give each person the fullest form of their name the corpus knows."""
        from kb.bibliography import claims_by_source, export_sources

        sources = list(sources)
        claims = claims_by_source(self, sources) if with_claims else None
        return export_sources(sources, format, style=style, claims=claims, people=self.people)

    @cached_property
    def people(self) -> tuple:
        """Everyone the corpus names, as `kb.bibliography.corpus_people` collects them."""
        from kb.bibliography import corpus_people

        return tuple(corpus_people(self.corpus))

    # -- SPARQL --------------------------------------------------------------------------------
    def query(self, text: str, **options) -> QueryResult:
        """Check and run a SPARQL query on this build (see `kb.sparql.run_query` for the options)."""
        from kb.sparql.runner import run_query

        return run_query(self, text, **options)

    def named_query(self, name: str, parameters: Mapping[str, str] | None = None, **options) -> QueryResult:
        """Run a query of the named-query library (`kb sparql --list`)."""
        from kb.sparql.library import run_named_query

        return run_named_query(self, name, parameters, **options)

    def select(self, query: str, **bindings) -> list[dict]:
        """A SELECT's rows as plain Python values; keyword arguments fix variables (IRIs given as
        "https://..." strings). Runs through the same gate and workers as every other query."""
        from kb.sparql.terms import term_of

        result = self.query(query, bindings={name: term_of(value) for name, value in bindings.items()})
        if result.truncated:
            raise KbError(f"the query returned more than {result.max_rows:,} rows (setting query_max_rows)")
        return result.rows

    @cached_property
    def store(self):
        """The pyoxigraph store itself, read-only: for dumping and publishing the whole dataset."""
        import pyoxigraph

        return pyoxigraph.Store.read_only(str(self.path / STORE))

    def stats(self) -> dict:
        from kb.rdf.iris import short_name

        row = self.select("""
            SELECT
              (COUNT(DISTINCT ?source) AS ?sources) (COUNT(DISTINCT ?claim) AS ?claims)
              (COUNT(DISTINCT ?theme) AS ?themes) (COUNT(DISTINCT ?person) AS ?people)
            WHERE {
              { GRAPH graph:bibliography { ?source dcterms:identifier ?k } }
              UNION { GRAPH graph:claims { ?claim a gkb:Claim } }
              UNION { ?theme skos:inScheme <https://w3id.org/glocal-kb/themes> }
              UNION { ?person a foaf:Person }
            }""")[0]
        relations = self.select("""
            SELECT ?relation (COUNT(*) AS ?n) WHERE {
              VALUES ?relation { gkb:supports gkb:disputes gkb:extends } ?a ?relation ?b
            } GROUP BY ?relation""")
        evidence = self.select("""
            SELECT ?type (COUNT(?claim) AS ?n) WHERE { ?claim gkb:evidenceType ?t .
              BIND(STRAFTER(STR(?t), "/evidence/") AS ?type) } GROUP BY ?type ORDER BY ?type""")
        languages = self.select("""
            SELECT ?language (COUNT(?s) AS ?n) WHERE { GRAPH graph:bibliography { ?s dcterms:identifier ?k ;
              dcterms:language ?l } BIND(STRAFTER(STR(?l), "iso639-1/") AS ?language) }
            GROUP BY ?language ORDER BY ?language""")
        return {
            **{k: int(v) for k, v in row.items()},
            "triples": len(self.store),
            "relations": {short_name(r["relation"]): int(r["n"]) for r in relations},
            "claims_by_evidence": {r["type"]: int(r["n"]) for r in evidence},
            "sources_by_language": {r["language"]: int(r["n"]) for r in languages},
            "built_at": self.manifest.get("built_at"),
        }

    def dump(self, output: IO[bytes], format: str = "trig") -> None:
        """Write the whole dataset; formats without named graphs get the union of all graphs."""
        import pyoxigraph

        from kb.rdf.namespace import PREFIXES

        formats = {
            "turtle": pyoxigraph.RdfFormat.TURTLE,
            "trig": pyoxigraph.RdfFormat.TRIG,
            "nquads": pyoxigraph.RdfFormat.N_QUADS,
            "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
            "jsonld": pyoxigraph.RdfFormat.JSON_LD,
        }
        if format not in formats:
            raise KbError(f"unknown dump format '{format}' (use one of: {', '.join(DUMP_FORMATS)})")
        rdf_format = formats[format]
        prefixes = dict(PREFIXES) if rdf_format in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.TRIG) else None
        if rdf_format.supports_datasets:
            self.store.dump(output, rdf_format, prefixes=prefixes)
        else:
            triples = self.store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            pyoxigraph.serialize(triples, output, rdf_format, prefixes=prefixes)
