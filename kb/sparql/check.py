"""The gate every user query passes before any engine sees it.

rdflib, pyoxigraph and the oxigraph server all execute SERVICE clauses (they make HTTP calls to
the named endpoint) and none can switch that off; rdflib also reads local files and fetches URLs
named in FROM/FROM NAMED and LOAD. So a query is parsed here with rdflib's SPARQL parser (which
only parses: it never evaluates or fetches), only the four query forms are accepted, and its
parse tree is walked for SERVICE and dataset clauses. A second, lexical look for the SERVICE
keyword guards against the two parsers ever disagreeing about what is a SERVICE clause.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from kb.rdf.namespace import BIBLIOGRAPHY_GRAPH, CLAIMS_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kb.sparql.errors import QueryRefused, QuerySyntaxError

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
# Graphs of the built dataset: FROM / FROM NAMED may select these without opting in, because they
# name graphs inside the store and no engine used here fetches them.
DATASET_GRAPHS = frozenset(str(g) for g in (ONTOLOGY_GRAPH, BIBLIOGRAPHY_GRAPH, CLAIMS_GRAPH))
# The parser is pure Python and slow on huge inputs; no research query comes near this.
MAX_QUERY_CHARS = 100_000

# pyparsing keeps parser state in class-level caches; one parse at a time is safe and, under the
# GIL, costs nothing in throughput.
_PARSER_LOCK = threading.Lock()


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the gate: its text, form and the dataset it names."""

    text: str
    form: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    services: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        """True when FROM / FROM NAMED choose the dataset (the union default graph is then off)."""
        return bool(self.default_graphs or self.named_graphs)


def check_query(text: str, allow_service: bool = False, allow_external_datasets: bool = False) -> CheckedQuery:
    """Parse `text` and accept it only if it is a read-only query the caller allows.

    Raises `QuerySyntaxError` (with the parser's line and column) for malformed text and
    `QueryRefused` for updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ...), SERVICE clauses
    (unless `allow_service`) and FROM / FROM NAMED naming anything but the dataset's own graphs
    (unless `allow_external_datasets`). The project prefixes need not be declared.
    """
    if not isinstance(text, str) or not text.strip():
        raise QuerySyntaxError("the query is empty; write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS:,}", "size")
    return _check(text, allow_service, allow_external_datasets)


@lru_cache(maxsize=1024)
def _check(text: str, allow_service: bool, allow_external_datasets: bool) -> CheckedQuery:
    parsed = _parse(text)
    prologue, query = parsed[0], parsed[1]
    declared = {str(d["prefix"] or ""): str(d["iri"]) for d in prologue if d.name == "PrefixDecl"}
    base = next((str(d["iri"]) for d in prologue if d.name == "Base"), None)
    prefixes = {**PREFIXES, **declared}

    services, datasets = [], []
    for node in _walk(query):
        if node.name == "pname" and (node.get("prefix") or "") not in prefixes:
            _unknown_prefix(text, node.get("prefix") or "")
        elif node.name == "ServiceGraphPattern":
            services.append(_iri(node["term"], prefixes, base))
        elif node.name == "DatasetClause":
            kind = "default" if "default" in node else "named"
            datasets.append((kind, _iri(node[kind], prefixes, base)))

    if not services and _mentions_service(text):
        services.append("(unparsed)")
    if services and not allow_service:
        raise QueryRefused(
            f"SERVICE {services[0]} refused: federated calls would reach other machines; "
            "the read path only queries the local knowledge base (the CLI's --allow-service opts in)",
            "service")
    outside = [iri for _, iri in datasets if iri not in DATASET_GRAPHS]
    if outside and not allow_external_datasets:
        graphs = ", ".join(sorted(f"<{g}>" for g in DATASET_GRAPHS))
        raise QueryRefused(
            f"FROM <{outside[0]}> refused: FROM and FROM NAMED may only name the dataset's own graphs "
            f"({graphs}); other IRIs could make an engine read files or fetch URLs "
            "(the CLI's --allow-external-datasets opts in)", "dataset")
    return CheckedQuery(
        text=text,
        form=query.name.removesuffix("Query").upper(),
        default_graphs=tuple(iri for kind, iri in datasets if kind == "default"),
        named_graphs=tuple(iri for kind, iri in datasets if kind == "named"),
        services=tuple(services),
    )


def _parse(text: str):
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser

    with _PARSER_LOCK:
        try:
            return parser.parseQuery(text)
        except ParseBaseException as error:
            syntax = error
        except Exception as error:  # rdflib raises a few non-pyparsing errors (bad escapes, IRIs)
            raise QuerySyntaxError(str(error).splitlines()[0] if str(error) else type(error).__name__) from None
        try:
            update = parser.parseUpdate(text)
        except Exception:
            update = None
    operations = [op.name for op in ((update.request if update is not None else None) or [])]
    first = _first_keyword(text)
    if operations or first in UPDATE_KEYWORDS:
        found = _update_name(operations[0]) if operations else first
        raise QueryRefused(
            f"{found} refused: the knowledge base is read-only here (no INSERT, DELETE, LOAD, CLEAR, DROP, "
            "CREATE, ADD, MOVE or COPY); change corpus/ and run `kb build` instead", "update")
    raise _syntax_error(syntax, text)


def _syntax_error(error, text: str) -> QuerySyntaxError:
    message = getattr(error, "msg", "") or str(error)
    rest = text[error.loc:].strip()
    found = f", found {rest.split()[0][:30]!r}" if rest else ", but the query ended"
    return QuerySyntaxError(message + found, error.lineno, error.col, error.line)


def _update_name(operation: str) -> str:
    names = {"InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
             "Modify": "INSERT/DELETE"}
    return names.get(operation, operation.upper())


_COMMENT_OR_STRING_OR_IRI = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>" r"|#[^\n]*", re.S)


def code_only(text: str) -> str:
    """The query with comments, strings and IRIs blanked out, so keywords can be looked for."""
    return _COMMENT_OR_STRING_OR_IRI.sub(" ", text)


def _first_keyword(text: str) -> str:
    code = re.sub(r"(?is)\b(PREFIX\s+[^\s:]*:|BASE)\s*", " ", code_only(text))
    found = re.search(r"[A-Za-z]+", code)
    return found.group(0).upper() if found else ""


def _mentions_service(text: str) -> bool:
    code = re.sub(r"\\u0*53|\\U0*53", "S", code_only(text), flags=re.I)
    return re.search(r"(?<![\w?$:])SERVICE(?![\w:-])", code, re.I) is not None


def _walk(node):
    """Every CompValue in a parse tree (rdflib's parse results: dicts and lists)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(current)


def _iri(term, prefixes: dict[str, str], base: str | None) -> str:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(term, CompValue) and term.name == "pname":
        return prefixes.get(term.get("prefix") or "", "") + (term.get("localname") or "")
    if type(term).__name__ == "Variable":
        return f"?{term}"
    value = str(term)
    return urljoin(base, value) if base and ":" not in value else value


def _unknown_prefix(text: str, prefix: str) -> None:
    position = re.search(rf"(?<![\w<]){re.escape(prefix)}:", code_only(text))
    line = column = 0
    text_line = ""
    if position:
        line = text.count("\n", 0, position.start()) + 1
        column = position.start() - (text.rfind("\n", 0, position.start()) + 1) + 1
        text_line = text.splitlines()[line - 1]
    known = ", ".join(sorted(PREFIXES))
    raise QuerySyntaxError(f"unknown prefix '{prefix}:' (declare it with PREFIX, or use one of: {known})",
                           line, column, text_line)
