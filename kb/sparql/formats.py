"""Writing a `QueryResult` as text: an aligned table for people, SPARQL 1.1 CSV/TSV/JSON for tools,
Turtle or N-Triples for graph results."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

from kb.errors import KbError
from kb.sparql.terms import XSD, QueryResult, Term, compact, to_tuple

SOLUTION_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("table", "turtle", "ntriples")
FORMATS = ("table", "csv", "tsv", "json", "turtle", "ntriples")


def _prefixes() -> dict[str, str]:
    # Imported here: the format names above are read by the CLI at start, without rdflib.
    from kb.rdf.namespace import PREFIXES

    return PREFIXES


def default_format(result: QueryResult) -> str:
    return "turtle" if result.is_graph else "table"


def format_result(result: QueryResult, fmt: str = "table", width: int | None = None) -> str:
    """The result as text in `fmt`: table | csv | tsv | json (SELECT, ASK) | turtle | ntriples (CONSTRUCT,
    DESCRIBE). A table wraps long values to fit `width` columns (default: the terminal's)."""
    allowed = GRAPH_FORMATS if result.is_graph else SOLUTION_FORMATS
    if fmt not in allowed:
        kind = "graph results (CONSTRUCT, DESCRIBE)" if result.is_graph else "SELECT and ASK results"
        raise KbError(f"format '{fmt}' does not fit {kind}; use one of: {', '.join(allowed)}")
    return _WRITERS[fmt](result, width)


def _table(result: QueryResult, width: int | None) -> str:
    if result.form == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    if result.is_graph:
        header = ("subject", "predicate", "object")
        cells = [
            [t.n3(_prefixes()) if t.kind != "literal" else _literal_cell(t) for t in triple]
            for triple in result.triples
        ]
    else:
        header = result.variables
        cells = [[_cell(row.get(v)) for v in header] for row in result.bindings]
    out = _grid(list(header), cells, width or shutil.get_terminal_size((120, 24)).columns)
    count = len(cells)
    noun = "triple" if result.is_graph else "row"
    note = f"{count} {noun}{'' if count == 1 else 's'}"
    if result.truncated:
        note += f" (cut at {result.max_rows:,}; raise --max-rows or KB_QUERY_MAX_ROWS, or add LIMIT)"
    return out + note + "\n"


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    return _literal_cell(term) if term.kind == "literal" else term.n3(_prefixes())


def _literal_cell(term: Term) -> str:
    # Values only: language tags and datatypes would crowd a table meant for reading (see tsv/json).
    return " ".join(term.value.split())


def _grid(header: list[str], rows: list[list[str]], width: int) -> str:
    """Columns sized to their content; when too wide, the widest are capped at one common width
    (the largest that fits) and their cells wrapped, so narrow columns stay on one line."""
    if not header:
        return ""
    natural = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    budget = max(width - 2 * (len(header) - 1), 12 * len(header))
    # Prose wraps well, identifiers badly: cap the columns holding text first, then all of them.
    prose = [any(" " in r[i] for r in rows) for i in range(len(header))]
    widths = list(natural)
    for capped, floor in ((prose, 24), ([True] * len(header), 12)):
        cap = max(widths)
        while cap > floor and sum(min(w, cap) if c else w for w, c in zip(widths, capped)) > budget:
            cap -= 1
        widths = [min(w, cap) if c else w for w, c in zip(widths, capped)]
    lines = [_line(header, widths), _line(["-" * w for w in widths], widths)]
    for row in rows:
        wrapped = [
            textwrap.wrap(cell, w, break_long_words=True, break_on_hyphens=False) or [""]
            for cell, w in zip(row, widths)
        ]
        for i in range(max(len(w) for w in wrapped)):
            lines.append(_line([w[i] if i < len(w) else "" for w in wrapped], widths))
    return "\n".join(lines) + "\n"


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


def _csv(result: QueryResult, width: int | None) -> str:
    """SPARQL 1.1 Query Results CSV: lexical values only, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.form == "ASK":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.bindings:
        writer.writerow([_csv_value(row.get(v)) for v in result.variables])
    return buffer.getvalue()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.n3() if term.kind == "triple" else term.value


def _tsv(result: QueryResult, width: int | None) -> str:
    """SPARQL 1.1 Query Results TSV: `?var` header, terms in Turtle syntax."""
    if result.form == "ASK":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.bindings:
        lines.append("\t".join(row[v].n3() if v in row else "" for v in result.variables))
    return "\n".join(lines) + "\n"


def _json(result: QueryResult, width: int | None) -> str:
    """SPARQL 1.1 Query Results JSON (application/sparql-results+json)."""
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, ensure_ascii=False) + "\n"
    document = {
        "head": {"vars": list(result.variables)},
        "results": {"bindings": [{v: _json_term(t) for v, t in row.items()} for row in result.bindings]},
    }
    if result.truncated:
        # An extension member, ignored by standard readers, so tools can tell a cut result.
        document["results"]["truncated"] = True
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _json_term(term: Term) -> dict:
    if term.kind == "triple":
        s, p, o = term.parts
        return {
            "type": "triple",
            "value": {"subject": _json_term(s), "predicate": _json_term(p), "object": _json_term(o)},
        }
    out = {"type": term.kind, "value": term.value}
    if term.kind == "literal":
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype != XSD + "string":
            out["datatype"] = term.datatype
    return out


def _turtle(result: QueryResult, width: int | None) -> str:
    return _serialize(result, "TURTLE")


def _ntriples(result: QueryResult, width: int | None) -> str:
    return _serialize(result, "N_TRIPLES")


def _serialize(result: QueryResult, format_name: str) -> str:
    import pyoxigraph

    from kb.sparql.terms import to_oxigraph

    triples = [pyoxigraph.Triple(*(to_oxigraph(to_tuple(t)) for t in triple)) for triple in result.triples]
    rdf_format = getattr(pyoxigraph.RdfFormat, format_name)
    prefixes = _used_prefixes(result) if format_name == "TURTLE" else None
    return pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes).decode("utf-8")


def _used_prefixes(result: QueryResult) -> dict[str, str]:
    """Only the prefixes the triples use, so a small result is not buried under 23 declarations."""
    used = set()
    for triple in result.triples:
        for term in triple:
            for iri in (term.value if term.kind == "uri" else term.datatype if term.kind == "literal" else None,):
                if iri and not (shown := compact(iri, _prefixes())).startswith("<"):
                    used.add(shown.split(":", 1)[0])
    return {p: _prefixes()[p] for p in sorted(used)}


_WRITERS = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "turtle": _turtle, "ntriples": _ntriples}
