"""The built knowledge base, opened read-only: what the CLI's read commands and the web app use."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import IO, Mapping

from kb.config import Settings
from kb.errors import KbError, NotBuiltError
from kb.rdf.namespace import PREFIXES, PROLOGUE
from kb.model import Corpus, Theme
from kb.rdf.ontology import Vocabulary
from kb.snapshot import SNAPSHOT, read_snapshot
from kb.store import STORE, current_dir, read_manifest

DUMP_FORMATS = ("turtle", "trig", "nquads", "ntriples", "jsonld")


class KnowledgeBase:
    """A read-only view of the current build. Safe to share between threads."""

    def __init__(self, settings: Settings):
        self.settings = settings
        current = current_dir(settings.build)
        if current is None or not (current / STORE).exists():
            raise NotBuiltError(settings.build)
        self.path: Path = current
        self.manifest: dict = read_manifest(settings.build) or {}

    @cached_property
    def _snapshot(self):
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

    def theme_with_narrower(self, theme_id: str) -> set[str]:
        """A theme and everything under it (a theme filter includes its narrower themes)."""
        if theme_id not in self.themes:
            raise KbError(f"unknown theme '{theme_id}' "
                          "(see `kb sparql --name theme-coverage` or ontology/concepts.ttl)")
        return set(self.vocabulary.with_narrower(theme_id))

    @cached_property
    def store(self):
        import pyoxigraph

        return pyoxigraph.Store.read_only(str(self.path / STORE))

    def select(self, query: str, **bindings) -> list[dict]:
        """Run a trusted SELECT (library code only) with the project prefixes; rows of Python values."""
        import pyoxigraph

        substitutions = {pyoxigraph.Variable(k): _term(v) for k, v in bindings.items()}
        solutions = self.store.query(PROLOGUE + query, use_default_graph_as_union=True,
                                     substitutions=substitutions or None)
        names = [v.value for v in solutions.variables]
        return [{n: _python(row[n]) for n in names} for row in solutions]

    def stats(self) -> dict:
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
            "relations": {r["relation"].rsplit("#", 1)[-1]: int(r["n"]) for r in relations},
            "claims_by_evidence": {r["type"]: int(r["n"]) for r in evidence},
            "sources_by_language": {r["language"]: int(r["n"]) for r in languages},
            "built_at": self.manifest.get("built_at"),
        }

    def dump(self, output: IO[bytes], format: str = "trig") -> None:
        """Write the whole dataset; formats without named graphs get the union of all graphs."""
        import pyoxigraph

        formats = {
            "turtle": pyoxigraph.RdfFormat.TURTLE, "trig": pyoxigraph.RdfFormat.TRIG,
            "nquads": pyoxigraph.RdfFormat.N_QUADS, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
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

def _term(value):
    import pyoxigraph

    if isinstance(value, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
        return value
    if isinstance(value, str) and value.startswith(("http://", "https://", "urn:")):
        return pyoxigraph.NamedNode(value)
    return pyoxigraph.Literal(value)


def _python(term):
    if term is None:
        return None
    import pyoxigraph

    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value if term.datatype else ""
        if datatype.endswith(("#integer", "#int", "#long")):
            return int(term.value)
        if datatype.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        if datatype.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value
