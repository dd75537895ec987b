"""The library of named research queries: `kb/sparql/queries/<name>.rq`, shipped with the package.

Each file opens with a comment header that the listing and the UI show:

    # title: Which claims are filed under a theme or any of its narrower themes?
    # description: Every claim whose theme is the given theme or lies below it (skos:broader*),
    #   with its source, year and kind of evidence.
    # param: theme = theme:glocalization -- the theme, by id (narrower themes are included)

A parameter is a variable the query fixes with a `VALUES ?name { default }` clause, so the file
runs as it is in any SPARQL tool. A caller's value replaces the term inside that clause only, written
by the library from a checked term (never the caller's raw text). Measured on pyoxigraph 0.5:
binding by SEP-0007 substitution instead evaluates the query for every value and filters after,
25x slower on claims-on-theme at 50k triples.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from kb.errors import KbError
from kb.rdf.namespace import PREFIXES
from kb.sparql.check import used_prefixes
from kb.sparql.terms import XSD, QueryResult, Term

if TYPE_CHECKING:
    from kb.knowledge_base import KnowledgeBase

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
_PARAM = re.compile(r"^(\w+)\s*=\s*(\S+)\s*(?:--\s*(.*))?$")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str  # a SPARQL term as written in the header: theme:glocalization, "ru", 2000
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str  # the question the query answers
    description: str
    text: str
    parameters: tuple[Parameter, ...] = ()

    def standalone_text(self) -> str:
        """The query with PREFIX lines for the prefixes it uses, for other SPARQL tools."""
        used = used_prefixes(self.text)
        return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used) + self.text


def named_queries() -> list[NamedQuery]:
    """Every named query, by name."""
    return list(_load().values())


def named_query(name: str) -> NamedQuery:
    queries = _load()
    if name not in queries:
        close = difflib.get_close_matches(name, list(queries), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KbError(f"no named query '{name}'{hint} (see `kb sparql --list`; known: {', '.join(queries)})")
    return queries[name]


@lru_cache(maxsize=1)
def _load() -> dict[str, NamedQuery]:
    folder = resources.files("kb.sparql") / "queries"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            found[name] = parse_named_query(name, entry.read_text(encoding="utf-8"))
    return found


def parse_named_query(name: str, text: str) -> NamedQuery:
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if header := _HEADER.match(line):
            current = header.group(1)
            fields[current].append(header.group(2).strip())
        elif (more := _CONTINUATION.match(line)) and current:
            fields[current][-1] += " " + more.group(1).strip()
    if not fields["title"]:
        raise KbError(f"named query '{name}' has no '# title:' line in its header")
    parameters = []
    for spec in fields["param"]:
        match = _PARAM.match(spec)
        if not match:
            raise KbError(f"named query '{name}': cannot read parameter '{spec}' (write: name = default -- what it is)")
        parameters.append(Parameter(match.group(1), match.group(2), (match.group(3) or "").strip()))
    return NamedQuery(name, fields["title"][0], " ".join(fields["description"]), text, tuple(parameters))


def parameter_term(parameter: Parameter, value: str | None = None) -> Term:
    """The term a parameter value stands for. A bare word takes the default's prefix, so
    `theme=proximity` means theme:proximity; `<iri>`, `prefix:name`, numbers and strings work too."""
    raw = parameter.default if value is None else value.strip()
    default_prefix = parameter.default.split(":", 1)[0] if _is_prefixed(parameter.default) else None
    if raw.startswith("<") and raw.endswith(">"):
        return Term("uri", raw[1:-1])
    if _is_prefixed(raw):
        prefix, local = raw.split(":", 1)
        return Term("uri", PREFIXES[prefix] + local)
    if default_prefix and re.fullmatch(r"[\w.-]+", raw):
        return Term("uri", PREFIXES[default_prefix] + raw)
    if re.fullmatch(r"[+-]?\d+", raw):
        return Term("literal", raw, XSD + "integer")
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw = raw[1:-1]
    return Term("literal", raw, XSD + "string")


def _is_prefixed(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][\w-]*:[^\s<>\"]*", text)) and text.split(":", 1)[0] in PREFIXES


def bind_parameters(query: NamedQuery, values: Mapping[str, str] | None) -> dict[str, Term]:
    values = dict(values or {})
    known = {p.name for p in query.parameters}
    unknown = sorted(set(values) - known)
    if unknown:
        accepted = ", ".join(sorted(known)) or "none"
        raise KbError(f"named query '{query.name}' has no parameter '{unknown[0]}' (its parameters: {accepted})")
    return {p.name: parameter_term(p, values.get(p.name)) for p in query.parameters}


def query_text(query: NamedQuery, bindings: Mapping[str, Term]) -> str:
    """The query with each parameter's VALUES clause set to the given term."""
    text = query.text
    for parameter in query.parameters:
        term = bindings.get(parameter.name)
        if term is None:
            continue
        clause = _values_clause(parameter)
        if len(clause.findall(text)) != 1:
            raise KbError(
                f"named query '{query.name}' needs exactly one 'VALUES ?{parameter.name} "
                f"{{ {parameter.default} }}' clause for its parameter"
            )
        written = f"VALUES ?{parameter.name} {{ {_safe_n3(term)} }}"
        text = clause.sub(lambda _, written=written: written, text)
    return text


def _values_clause(parameter: Parameter) -> re.Pattern:
    return re.compile(rf"VALUES\s+\?{parameter.name}\s*\{{\s*{re.escape(parameter.default)}\s*\}}")


def _safe_n3(term: Term) -> str:
    if term.kind == "uri" and re.search(r'[\s<>"{}|^`\\]', term.value):
        raise KbError(f"'{term.value}' is not a valid IRI")
    return term.n3()


def run_named_query(
    knowledge_base: KnowledgeBase, name: str, parameters: Mapping[str, str] | None = None, **options
) -> QueryResult:
    """Run a named query with its parameters (defaults for those not given); see `run_query`."""
    from kb.sparql.runner import run_query

    query = named_query(name)
    bindings = bind_parameters(query, parameters)
    for parameter, term in bindings.items():
        if term.kind == "uri":
            _require_known(knowledge_base, query, parameter, term)
    return run_query(knowledge_base, query_text(query, bindings), **options)


def _require_known(knowledge_base, query: NamedQuery, parameter: str, term: Term) -> None:
    """An IRI parameter must name something in the knowledge base: a typo should not look like 'no results'."""
    from kb.sparql.runner import run_query

    # The IRI in a VALUES clause rather than substituted: see the module docstring.
    found = run_query(knowledge_base, f"ASK {{ VALUES ?x {{ {_safe_n3(term)} }} {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }}")
    if found.boolean:
        return
    candidates = {
        "theme": lambda: knowledge_base.themes,
        "source": lambda: knowledge_base.corpus.sources,
        "claim": lambda: knowledge_base.corpus.claims,
    }
    for prefix, listing in candidates.items():
        if term.value.startswith(PREFIXES[prefix]):
            local = term.value[len(PREFIXES[prefix]) :]
            try:
                close = difflib.get_close_matches(local, list(listing()), n=3, cutoff=0.5)
            except OSError:  # a store without the corpus snapshot (a benchmark's): no suggestions
                close = []
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KbError(
                f"{prefix}:{local} is not in the knowledge base{hint} (parameter '{parameter}' of '{query.name}')"
            )
    raise KbError(f"<{term.value}> is not in the knowledge base (parameter '{parameter}' of '{query.name}')")
