"""The ontology folder: parsing its Turtle files and reading the thesaurus and evidence types out of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kb.errors import CorpusError, KbError, Location
from kb.model import FrozenMap, Theme
from kb.rdf.iris import local_id
from kb.rdf.namespace import EVIDENCE, EVIDENCE_SCHEME, THEME, THEME_SCHEME

SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class Vocabulary:
    """What claims may refer to: themes (SKOS concepts) and evidence types, by id."""

    themes: Mapping[str, Theme]
    evidence_types: Mapping[str, Mapping[str, str]]

    def theme(self, theme_id: str) -> Theme:
        """The theme with this id; an unknown id is a `KbError` naming the closest ones."""
        try:
            return self.themes[theme_id]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(str(theme_id), list(self.themes), n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise KbError(
                f"unknown theme '{theme_id}'{hint} (the themes are the concept ids of "
                "ontology/concepts.ttl; `kb sparql --name theme-coverage` lists them)"
            ) from None

    def evidence_type(self, evidence_id: str) -> Mapping[str, str]:
        """The labels of an evidence type; an unknown id is a `KbError` listing the known ones."""
        try:
            return self.evidence_types[evidence_id]
        except KeyError:
            raise KbError(
                f"unknown evidence type '{evidence_id}' (use one of: {', '.join(sorted(self.evidence_types))})"
            ) from None

    def with_narrower(self, theme_id: str) -> list[str]:
        """The theme and every theme under it, the theme first, then breadth-first (a theme with
        two broader themes, or a cycle in the thesaurus, is listed once). The one closure of a
        theme: filters, theme pages, exports and the evidence map all take it from here."""
        self.theme(theme_id)
        order, seen = [theme_id], {theme_id}
        for current in order:
            for child in self.themes[current].narrower:
                if child not in seen:
                    seen.add(child)
                    order.append(child)
        return order


def ontology_files(ontology_dir: Path) -> list[Path]:
    """Every Turtle file of the ontology except the SHACL shapes, which describe the data rather than hold it."""
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.name != SHAPES_FILE)


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    graph = graph if graph is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as error:  # rdflib raises several unrelated types for syntax errors
        line = getattr(error, "lines", None) or _line_of(error)
        raise CorpusError(f"Turtle syntax error: {_first_line(error)}", Location(path, line or 0)) from None
    return graph


def load_ontology_graph(ontology_dir: Path) -> Graph:
    files = ontology_files(ontology_dir)
    if not files:
        raise CorpusError("no ontology files (*.ttl)", Location(ontology_dir))
    graph = Graph()
    for path in files:
        parse_turtle(path, graph)
    return graph


def vocabulary_from_graph(graph: Graph) -> Vocabulary:
    themes = {}
    for concept in sorted(set(graph.subjects(SKOS.inScheme, THEME_SCHEME))):
        theme_id = local_id(concept, THEME)
        themes[theme_id] = Theme(
            id=theme_id,
            iri=str(concept),
            labels=FrozenMap(_by_language(graph, concept, SKOS.prefLabel)),
            definitions=FrozenMap(_by_language(graph, concept, SKOS.definition)),
            alt_labels=tuple(sorted((o.language or "", str(o)) for o in graph.objects(concept, SKOS.altLabel))),
            broader=_ids(graph.objects(concept, SKOS.broader)),
            narrower=_ids(graph.objects(concept, SKOS.narrower)),
            related=_ids(graph.objects(concept, SKOS.related)),
        )
    evidence = {
        local_id(concept, EVIDENCE): FrozenMap(_by_language(graph, concept, SKOS.prefLabel))
        for concept in sorted(set(graph.subjects(SKOS.inScheme, EVIDENCE_SCHEME)))
        if (concept, RDF.type, SKOS.Concept) in graph
    }
    return Vocabulary(themes=FrozenMap(themes), evidence_types=FrozenMap(evidence))


def _by_language(graph: Graph, subject: URIRef, predicate: URIRef) -> dict[str, str]:
    values: dict[str, str] = {}
    for literal in sorted(graph.objects(subject, predicate)):
        if isinstance(literal, Literal):
            values.setdefault(literal.language or "", str(literal))
    return values


def _ids(concepts) -> tuple[str, ...]:
    return tuple(sorted(found for c in concepts if (found := local_id(c, THEME)) is not None))


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _line_of(error: Exception) -> int:
    import re

    found = re.search(r"line (\d+)", str(error))
    return int(found.group(1)) if found else 0
