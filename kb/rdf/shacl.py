"""SHACL validation of the compiled dataset with pyshacl, reported in corpus terms (file and line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kb.errors import ValidationError
from kb.rdf.iris import short_name
from kb.rdf.ontology import SHAPES_FILE, parse_turtle


def load_shapes(ontology_dir: Path) -> Graph:
    return parse_turtle(ontology_dir / SHAPES_FILE)


def validate_graph(
    data: Graph,
    shapes: Graph,
    focus: list[URIRef] | None,
    describe: Callable[[URIRef], str] = str,
    ignore: set | frozenset = frozenset(),
) -> None:
    """Raise `ValidationError` listing every violation; `describe` turns a focus node into a corpus location.

    With `focus`, only those nodes are checked (the rest of `data` is context they may point to).
    Violations whose focus node is in `ignore` are dropped: context nodes, present only with their
    type, which fail their own shapes here and are checked with their own file. (pyshacl looks a
    focus list up item by item, so for thousands of nodes validating everything and dropping the
    context's results is much faster.) `data` is validated in place: it is the caller's throwaway
    graph, and pyshacl would otherwise copy it first.
    """
    from pyshacl import validate  # heavy import: only when a build really runs

    options = {"focus_nodes": sorted(focus)} if focus is not None else {}
    if focus is not None and not focus:
        return
    conforms, results, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True, **options
    )
    if conforms:
        return
    violations = []
    for result in results.subjects(SH.focusNode, None):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(result, SH.focusNode)
        if focus in ignore:
            continue
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        detail = f"{message}" + (
            f" (path {_short(path)}" + (f", value {value}" if value is not None else "") + ")" if path else ""
        )
        violations.append(f"{describe(focus)}: {detail}")
    if violations:
        raise ValidationError(sorted(set(violations)))


def _short(term) -> str:
    return short_name(term)
