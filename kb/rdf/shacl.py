"""SHACL validation of the compiled dataset with pyshacl, reported in corpus terms (file and line)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SH

from kb.errors import ValidationError
from kb.rdf.ontology import SHAPES_FILE, parse_turtle


def load_shapes(ontology_dir: Path) -> Graph:
    return parse_turtle(ontology_dir / SHAPES_FILE)


def validate_dataset(dataset: Dataset, shapes: Graph, describe: Callable[[URIRef], str] = str) -> None:
    """Raise `ValidationError` listing every violation; `describe` turns a focus node into a corpus location."""
    from pyshacl import validate  # heavy import: only when a build really runs

    data = Graph()
    for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
        data.add((subject, predicate, obj))
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    if conforms:
        return
    violations = []
    for result in results.subjects(SH.focusNode, None):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        detail = f"{message}" + (f" (path {_short(path)}" + (f", value {value}" if value is not None else "") + ")" if path else "")
        violations.append(f"{describe(focus)}: {detail}")
    if violations:
        raise ValidationError(sorted(set(violations)))


def _short(term) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
