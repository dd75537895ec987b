"""Plain result values of a SPARQL query, and every conversion of a term: the one module for it.

Terms are kept as small immutable records rather than engine objects, so results can cross a
process boundary, be cached, and be read without importing an RDF library. The conversions:
pyoxigraph term <-> plain tuple (`from_oxigraph`, `to_oxigraph`: what crosses the worker's pipe),
tuple <-> `Term` (`from_tuple`, `to_tuple`), Python value -> `Term` (`term_of`), `Term` -> Python
value (`Term.python`) and `Term` -> N-Triples/Turtle (`Term.n3`). pyoxigraph is imported only by
the functions that need it, so the query worker starts without rdflib.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_DECIMALS = {XSD + t for t in ("decimal", "double", "float")}


@dataclass(frozen=True)
class Term:
    """One RDF term. `kind` is "uri", "literal", "bnode" or "triple" (RDF-star; then `parts`)."""

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None
    parts: tuple[Term, Term, Term] | None = None

    def python(self):
        """The value as plain Python data: numbers for numeric literals, booleans, else the text."""
        if self.kind != "literal":
            return self.value if self.kind != "triple" else self.n3()
        if self.datatype in _INTEGERS:
            try:
                return int(self.value)
            except ValueError:
                return self.value
        if self.datatype in _DECIMALS:
            try:
                return float(self.value)
            except ValueError:
                return self.value
        if self.datatype == XSD + "boolean":
            return self.value in ("true", "1")
        return self.value

    def n3(self, prefixes: Mapping[str, str] | None = None) -> str:
        """Turtle/N-Triples syntax; with `prefixes`, IRIs are shortened where the result is valid."""
        if self.kind == "uri":
            return compact(self.value, prefixes) if prefixes else f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        if self.kind == "triple":
            return "<< " + " ".join(p.n3(prefixes) for p in self.parts) + " >>"
        text = '"' + _escape(self.value) + '"'
        if self.language:
            return f"{text}@{self.language}"
        if self.datatype and self.datatype != XSD + "string":
            return f"{text}^^{compact(self.datatype, prefixes) if prefixes else '<' + self.datatype + '>'}"
        return text


def compact(iri: str, prefixes: Mapping[str, str] | None) -> str:
    """`prefix:local` when a prefix matches and the local part is a plain name, else `<iri>`."""
    best = None
    for prefix, namespace in (prefixes or {}).items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (prefix, namespace)
    if best:
        local = iri[len(best[1]) :]
        if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith(".") and local[0] != "-":
            return f"{best[0]}:{local}"
    return f"<{iri}>"


def from_tuple(value: tuple) -> Term:
    """A term from the plain tuple form used between processes (see kb.sparql.worker)."""
    if value[0] == "literal":
        return Term("literal", value[1], value[2], value[3] or None)
    if value[0] == "triple":
        parts = tuple(from_tuple(p) for p in value[1:])
        return Term("triple", " ".join(p.n3() for p in parts), parts=parts)
    return Term(value[0], value[1])


def to_tuple(term: Term) -> tuple:
    if term.kind == "literal":
        return ("literal", term.value, term.datatype, term.language)
    if term.kind == "triple":
        return ("triple", *(to_tuple(p) for p in term.parts))
    return (term.kind, term.value)


def term_of(value) -> Term:
    """A Python value as a term: an "http(s)://" or "urn:" string is an IRI, a bool, int or float
    a typed literal, any other value a plain literal."""
    if isinstance(value, Term):
        return value
    if isinstance(value, bool):
        return Term("literal", "true" if value else "false", XSD + "boolean")
    if isinstance(value, int):
        return Term("literal", str(value), XSD + "integer")
    if isinstance(value, float):
        return Term("literal", repr(value), XSD + "double")
    text = str(value)
    if text.startswith(("http://", "https://", "urn:")):
        return Term("uri", text)
    return Term("literal", text, XSD + "string")


def from_oxigraph(term):
    """A pyoxigraph term as a plain tuple (cheap to pickle): ("uri", iri), ("literal", value,
    datatype, language), ("bnode", id), ("triple", s, p, o), or None when unbound."""
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return ("uri", term.value)
    if isinstance(term, pyoxigraph.Literal):
        return ("literal", term.value, term.datatype.value if term.datatype else None, term.language)
    if isinstance(term, pyoxigraph.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, pyoxigraph.Triple):
        return ("triple", from_oxigraph(term.subject), from_oxigraph(term.predicate), from_oxigraph(term.object))
    raise TypeError(f"unexpected term {term!r}")


def to_oxigraph(term: tuple):
    import pyoxigraph

    kind = term[0]
    if kind == "uri":
        return pyoxigraph.NamedNode(term[1])
    if kind == "bnode":
        return pyoxigraph.BlankNode(term[1])
    if kind == "literal":
        _, value, datatype, language = term
        if language:
            return pyoxigraph.Literal(value, language=language)
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(datatype) if datatype else None)
    if kind == "triple":
        return pyoxigraph.Triple(*(to_oxigraph(part) for part in term[1:]))
    raise ValueError(f"unknown term kind {kind!r}")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


@dataclass(frozen=True)
class QueryResult:
    """What a query returned.

    `form` is "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE". SELECT fills `variables` and `bindings`
    (one dict per row, unbound variables absent); ASK fills `boolean`; CONSTRUCT and DESCRIBE fill
    `triples`. `truncated` is true when `max_rows` cut the result short.
    """

    form: str
    variables: tuple[str, ...] = ()
    bindings: tuple[Mapping[str, Term], ...] = ()
    boolean: bool | None = None
    triples: tuple[tuple[Term, Term, Term], ...] = ()
    truncated: bool = False
    max_rows: int = 0
    elapsed_s: float = 0.0

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def rows(self) -> list[dict]:
        """SELECT rows as dicts of plain Python values (None for unbound), in variable order."""
        return [{v: (row[v].python() if v in row else None) for v in self.variables} for row in self.bindings]

    def __len__(self) -> int:
        if self.form == "ASK":
            return 1
        return len(self.triples) if self.is_graph else len(self.bindings)
