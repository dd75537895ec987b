"""The gate every user query passes before any engine sees it, and the text the engine then runs.

rdflib, pyoxigraph and the oxigraph server all execute SERVICE clauses (they make HTTP calls to
the named endpoint) and none can switch that off; rdflib also reads local files and fetches URLs
named in FROM/FROM NAMED and LOAD. So the gate reads the query as SPARQL's own terminals
(`kb.sparql.lexer`: escapes expanded once, comments and strings recognised exactly as the grammar
says), refuses updates, SERVICE, outside datasets, and queries too large or too deeply nested to
parse safely, and hands the engine a canonical text written from the very tokens it checked.
Syntax beyond the terminals is the engine's to judge; its error positions are mapped back to the
caller's line and column.

The engine processes themselves have no network (`kb.sparql.sandbox`), so a query that somehow
slipped past this gate still could not call out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb.rdf.namespace import BIBLIOGRAPHY_GRAPH, CLAIMS_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from kb.sparql.errors import QueryRefused, QuerySyntaxError
from kb.sparql.lexer import Canonical, Source, Token, canonical, iri_of, tokenize

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING")
# Graphs of the built dataset: FROM / FROM NAMED may select these without opting in, because they
# name graphs inside the store and no engine used here fetches them.
DATASET_GRAPHS = frozenset(str(g) for g in (ONTOLOGY_GRAPH, BIBLIOGRAPHY_GRAPH, CLAIMS_GRAPH))
# Defaults of the settings query_max_chars and query_max_depth (kb.config), for callers without settings.
MAX_QUERY_CHARS = 100_000
MAX_DEPTH = 500
# Tokens the engine turns into one more level of its expression or algebra tree when chained at one
# level: `1+1+...+1` with 8,000 terms is 8,000 deep, and overflowed oxigraph's stack (see `nesting`).
_CHAINING = frozenset(
    {
        "||",
        "&&",
        "=",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "!",
        "|",
        "^",
        "UNION",
        "MINUS",
        "OPTIONAL",
        "FILTER",
        "BIND",
        "GRAPH",
        "SERVICE",
        "VALUES",
        "{",
    }
)
_OPENING, _CLOSING = "({[", ")}]"


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the gate: the canonical text the engine runs, its form and dataset."""

    text: str  # canonical: what the engine executes (see kb.sparql.lexer)
    form: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    original: str = ""
    canonical: Canonical | None = None
    source: Source | None = None

    @property
    def has_dataset(self) -> bool:
        """True when FROM / FROM NAMED choose the dataset (the union default graph is then off)."""
        return bool(self.default_graphs or self.named_graphs)

    def engine_error(self, message: str) -> QuerySyntaxError:
        """The engine's "error at L:C: ..." about the canonical text, placed in the caller's text."""
        found = re.match(r"error at (\d+):(\d+): (.*)", message or "", re.S)
        if not found or self.canonical is None or self.source is None:
            return QuerySyntaxError((message or "rejected by the query engine").splitlines()[0])
        # The engine counts columns in UTF-8 bytes, from 1, on the one line of the canonical text.
        byte_column = int(found.group(2)) - 1
        offset = len(self.text.encode("utf-8")[:byte_column].decode("utf-8", "ignore"))
        spans = [span for span in self.canonical.spans if span[0] <= offset] or list(self.canonical.spans[:1])
        where = spans[-1][1] if spans else 0
        return self.source.error(found.group(3).splitlines()[0], where)


def check_query(
    text: str,
    allow_service: bool = False,
    allow_external_datasets: bool = False,
    *,
    max_chars: int = MAX_QUERY_CHARS,
    max_depth: int = MAX_DEPTH,
) -> CheckedQuery:
    """Check `text` and accept it only if it is a read-only query the caller allows.

    Raises `QuerySyntaxError` (with the caller's line and column) for text that is not made of
    SPARQL terminals or names an unknown prefix, and `QueryRefused` for updates (INSERT, DELETE,
    LOAD, CLEAR, DROP, CREATE, ...), SERVICE clauses (unless `allow_service`), FROM / FROM NAMED
    naming anything but the dataset's own graphs (unless `allow_external_datasets`), and queries
    longer than `max_chars` or nested deeper than `max_depth`. The project prefixes need not be
    declared. The result's `text` is what an engine must run.
    """
    if not isinstance(text, str) or not text.strip():
        raise QuerySyntaxError("the query is empty; write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if len(text) > max_chars:
        raise QueryRefused(
            f"the query is {len(text):,} characters long; the limit is {max_chars:,} "
            "(setting query_max_chars, KB_QUERY_MAX_CHARS)",
            "size",
        )
    if len(text) <= _CACHED_MAX_CHARS:
        return _cached_check(text, allow_service, allow_external_datasets, max_depth)
    return _check(text, allow_service, allow_external_datasets, max_depth)


# Named queries and typical hand-written ones are a few kB and come back often (the UI reruns a page);
# a check holds its tokens and offsets, so only small queries are kept: 1,024 hostile 100 kB queries
# would otherwise hold gigabytes.
_CACHED_MAX_CHARS = 8_000


@lru_cache(maxsize=1024)
def _cached_check(text: str, allow_service: bool, allow_external_datasets: bool, max_depth: int) -> CheckedQuery:
    return _check(text, allow_service, allow_external_datasets, max_depth)


def _check(text: str, allow_service: bool, allow_external_datasets: bool, max_depth: int) -> CheckedQuery:
    source = Source(text)
    tokens = tokenize(source)
    _refuse_updates(tokens)
    prefixes, base, body = _prologue(tokens, source)
    if body >= len(tokens) or tokens[body].keyword not in FORMS:
        found = tokens[body].value if body < len(tokens) else "the end of the query"
        raise source.error(
            f"expected SELECT, CONSTRUCT, DESCRIBE or ASK, found {found!r}",
            tokens[body].start if body < len(tokens) else len(source.text),
        )
    depth, where = nesting(tokens[body:])
    if depth > max_depth:
        raise QueryRefused(
            f"the query nests {depth} levels deep at line {source.error('', where).line}; the limit is {max_depth} "
            "(setting query_max_depth, KB_QUERY_MAX_DEPTH): brackets, and operators or clauses chained at one "
            "level, each count as a level the engine must recurse into",
            "depth",
        )

    services, datasets = [], []
    for index in range(body, len(tokens)):
        token = tokens[index]
        if token.kind in ("iri", "pname"):
            iri_of(token, prefixes, base, source)  # unknown prefixes and invalid IRIs, with their position
        if token.kind != "word":
            continue
        if token.keyword == "SERVICE":
            services.append(_named_after(tokens, index, prefixes, base, source, skip=("SILENT",)))
        elif token.keyword == "FROM":
            named = index + 1 < len(tokens) and tokens[index + 1].keyword == "NAMED"
            datasets.append(
                ("named" if named else "default", _named_after(tokens, index, prefixes, base, source, skip=("NAMED",)))
            )
        elif token.keyword in ("PREFIX", "BASE"):
            raise source.error(f"{token.keyword} may only open the query", token.start)

    if services and not allow_service:
        raise QueryRefused(
            f"SERVICE {services[0]} refused: federated calls would reach other machines; "
            "the read path only queries the local knowledge base (the CLI's --allow-service opts in)",
            "service",
        )
    outside = [iri for _, iri in datasets if iri not in DATASET_GRAPHS]
    if outside and not allow_external_datasets:
        graphs = ", ".join(sorted(f"<{g}>" for g in DATASET_GRAPHS))
        raise QueryRefused(
            f"FROM <{outside[0]}> refused: FROM and FROM NAMED may only name the dataset's own graphs "
            f"({graphs}); other IRIs could make an engine read files or fetch URLs "
            "(the CLI's --allow-external-datasets opts in)",
            "dataset",
        )
    written = canonical(tokens, prefixes, base, source, skip=body)
    return CheckedQuery(
        text=written.text,
        form=tokens[body].keyword,
        default_graphs=tuple(iri for kind, iri in datasets if kind == "default"),
        named_graphs=tuple(iri for kind, iri in datasets if kind == "named"),
        services=tuple(services),
        original=text,
        canonical=written,
        source=source,
    )


def _refuse_updates(tokens: list[Token]) -> None:
    """Update keywords appear in no query, so any of them, anywhere, makes the text an update."""
    for position, token in enumerate(tokens):
        if token.keyword in UPDATE_KEYWORDS:
            name = token.keyword
            following = tokens[position + 1].keyword if position + 1 < len(tokens) else ""
            if name in ("INSERT", "DELETE") and following in ("DATA", "WHERE"):
                name = f"{name} {following}"
            elif name in ("INSERT", "DELETE", "WITH"):
                name = "INSERT/DELETE"
            raise QueryRefused(
                f"{name} refused: the knowledge base is read-only here (no INSERT, DELETE, LOAD, CLEAR, DROP, "
                "CREATE, ADD, MOVE or COPY); change corpus/ and run `kb build` instead",
                "update",
            )


def _prologue(tokens: list[Token], source: Source) -> tuple[dict[str, str], str | None, int]:
    """The prefixes (the project's, then the declared ones) and base of the prologue, and where the
    query proper starts."""
    prefixes, base, index = dict(PREFIXES), None, 0
    while index < len(tokens) and tokens[index].keyword in ("PREFIX", "BASE"):
        keyword = tokens[index].keyword
        if keyword == "BASE":
            iri = _expect(tokens, index + 1, "iri", "BASE <iri>", source)
            base = iri_of(iri, prefixes, base, source)
            index += 2
            continue
        name = _expect(tokens, index + 1, "pname", "PREFIX name: <iri>", source)
        if not name.value.endswith(":") or name.value.count(":") != 1:
            raise source.error("expected a prefix name ending in ':' after PREFIX", name.start)
        iri = _expect(tokens, index + 2, "iri", "PREFIX name: <iri>", source)
        prefixes[name.value[:-1]] = iri_of(iri, prefixes, base, source)
        index += 3
    return prefixes, base, index


def _expect(tokens: list[Token], index: int, kind: str, form: str, source: Source) -> Token:
    if index >= len(tokens) or tokens[index].kind != kind:
        where = tokens[index].start if index < len(tokens) else len(source.text)
        raise source.error(f"expected {form}", where)
    return tokens[index]


def _named_after(tokens: list[Token], index: int, prefixes, base, source: Source, skip: tuple[str, ...]) -> str:
    """The IRI (or ?variable) a SERVICE or FROM clause names."""
    index += 1
    while index < len(tokens) and tokens[index].keyword in skip:
        index += 1
    if index < len(tokens):
        token = tokens[index]
        if token.kind in ("iri", "pname"):
            return iri_of(token, prefixes, base, source)
        if token.kind == "var":
            return f"?{token.value}"
    return "(unnamed)"


def nesting(tokens: list[Token]) -> tuple[int, int]:
    """How deep the engine's trees get: each open bracket adds a level, and so does each operator or
    clause chained at one level (the engine nests `a + b + c` as `(a + b) + c`, and a group's
    OPTIONALs, BINDs and UNIONs one inside the next). Returns the deepest point and where it is."""
    levels, openers = [0], [""]
    deepest, where = 0, 0
    for token in tokens:
        value = token.value if token.kind == "punct" else token.keyword
        if value and value in _CLOSING and len(levels) > 1:
            levels.pop()
            openers.pop()
            continue
        # In an expression `1+1` is the number 1 and the number +1: an addition all the same.
        signed = token.kind == "number" and token.value[0] in "+-" and openers[-1] == "("
        if value in _CHAINING or signed:
            levels[-1] += 1
        if value and value in _OPENING:
            levels.append(0)
            openers.append(value)
        depth = len(levels) - 1 + sum(levels)
        if depth > deepest:
            deepest, where = depth, token.start
    return deepest, where


def used_prefixes(text: str) -> list[str]:
    """The project prefixes a query's prefixed names use (for writing it out with PREFIX lines)."""
    tokens = tokenize(Source(text))
    return sorted({t.value.split(":", 1)[0] for t in tokens if t.kind == "pname"} & set(PREFIXES))
