"""Per-file pieces of the dataset as N-Quads, and the graphs SHACL validates them in.

A bibliography file maps to quads in `graph:bibliography`, a claim file to quads in
`graph:claims`; the people, bodies, venues and curators they name go to a separate "entities"
part, because several files share them.
"""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from kb.model import Claim, Corpus, Source
from kb.rdf.iris import kind_and_id
from kb.rdf.mapping import SOURCE_CLASSES, add_claim, add_source
from kb.rdf.namespace import BIBLIOGRAPHY_GRAPH, CLAIMS_GRAPH, FABIO, GKB, ONTOLOGY_GRAPH


class MappedFile(tuple):
    """(own N-Quads, entity N-Quads); pickles as a plain tuple.

    It does not keep its rdflib graphs: at 100k claims the 20k files' graphs, all alive until
    validation, were most of a first build's 7 GiB; validation parses each file back, one batch
    of files at a time (kb.build.builder._validate_pending), which costs a fifth more time there."""

    graphs: tuple[Graph, Graph] | None = None

    def __reduce__(self):
        return (tuple, (tuple(self),))


def _mapped(graph_name: URIRef, fill) -> MappedFile:
    own, entities = Dataset(), Dataset()
    own_graph, entity_graph = own.graph(graph_name), entities.graph(graph_name)
    fill(own_graph, entity_graph)
    return MappedFile((_nquads(own), _nquads(entities)))


def _nquads(dataset: Dataset) -> bytes:
    return dataset.serialize(format="nquads", encoding="utf-8")


def map_bib_file(sources: list[Source]) -> MappedFile:
    def fill(own: Graph, entities: Graph) -> None:
        for source in sources:
            add_source(own, entities, source)

    return _mapped(BIBLIOGRAPHY_GRAPH, fill)


def map_claims_file(claims: list[Claim]) -> MappedFile:
    def fill(own: Graph, entities: Graph) -> None:
        for claim in claims:
            add_claim(own, entities, claim)

    return _mapped(CLAIMS_GRAPH, fill)


def ontology_chunk(ontology: Graph) -> bytes:
    dataset = Dataset()
    graph = dataset.graph(ONTOLOGY_GRAPH)
    for triple in ontology:
        graph.add(triple)
    return _nquads(dataset)


def context_graph(ontology: Graph, corpus: Corpus, referenced: set[URIRef]) -> Graph:
    """The ontology plus the type of each source and claim in `referenced`: what SHACL needs to
    check links from the files being validated to the rest of the corpus."""
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    for node in referenced:
        found = kind_and_id(node)
        if found and found[0] == "source" and (source := corpus.sources.get(found[1])):
            graph.add((node, RDF.type, SOURCE_CLASSES[source.entry_type]))
            graph.add((node, RDF.type, FABIO.Expression))
        elif found and found[0] == "claim" and found[1] in corpus.claims:
            graph.add((node, RDF.type, GKB.Claim))
    return graph


def add_mapped(mapped, graph: Graph) -> None:
    """Add a file's triples (from memory when just mapped, else parsed back) to `graph`."""
    graphs = getattr(mapped, "graphs", None)
    if graphs is None:
        dataset = Dataset()
        dataset.parse(data=(mapped[0] + mapped[1]).decode("utf-8"), format="nquads")
        graphs = [dataset]
    for part in graphs:
        for s, p, o, *_ in part.quads((None, None, None, None)) if isinstance(part, Dataset) else part:
            graph.add((s, p, o))


def nodes(mapped) -> tuple[set[URIRef], set[URIRef]]:
    """The file's subjects (to validate) and the IRIs its triples point to (context to supply)."""
    temporary = Graph()
    add_mapped(mapped, temporary)
    return graph_nodes(temporary)


def graph_nodes(graph: Graph) -> tuple[set[URIRef], set[URIRef]]:
    """`nodes` of a graph already parsed."""
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef) and "#" not in str(s)}
    objects = {o for o in graph.objects() if isinstance(o, URIRef)}
    return subjects, objects
