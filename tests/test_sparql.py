"""The SPARQL library and `kb sparql` on the real corpus: query forms, formats, limits, and every
refusal of the read path (one test each)."""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import time
from dataclasses import replace

import pyoxigraph
import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.knowledge_base import KnowledgeBase
from kb.rdf.namespace import PREFIXES
from kb.sparql import (
    QueryFailed,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    check_query,
    format_result,
    run_query,
)

CLAIMS_GRAPH = PREFIXES["graph"] + "claims"
# Counting a cross product of the whole dataset with itself three times: tens of billions of rows,
# in constant memory (so it meets the time limit, not the memory cap).
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?x ?b . ?c ?y ?d . ?e ?z ?f }"


def _cli(settings, *args, input=None):
    return CliRunner().invoke(
        main,
        ["--root", str(settings.root), *args],
        input=input,
        catch_exceptions=False,
        env={"KB_BUILD_DIR": str(settings.build_dir)},
    )


@pytest.fixture
def listener():
    """A local HTTP server that records every request: proof of whether an engine called out."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"remote"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()
    server.server_close()


# -- query forms, prefixes, results ------------------------------------------------------------


def test_select_with_predeclared_prefixes_counts_the_claims(real_kb):
    result = run_query(real_kb, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gkb:Claim }")
    assert result.form == "SELECT" and result.variables == ("n",)
    assert result.rows == [{"n": len(real_kb.corpus.claims)}]


def test_a_declared_prefix_overrides_the_predeclared_one(real_kb):
    result = run_query(real_kb, "PREFIX theme: <http://example.org/> SELECT ?x WHERE { BIND(theme:a AS ?x) }")
    assert result.rows == [{"x": "http://example.org/a"}]


def test_ask_construct_describe(real_kb):
    assert run_query(real_kb, "ASK { claim:cairncross1997death-distance-irrelevant a gkb:Claim }").boolean is True
    assert run_query(real_kb, "ASK { claim:no-such-claim a gkb:Claim }").boolean is False
    built = run_query(real_kb, "CONSTRUCT { ?c gkb:disputes ?d } WHERE { ?c gkb:disputes ?d }")
    disputes = sum(len(c.disputes) for c in real_kb.corpus.claims.values())
    assert built.form == "CONSTRUCT" and len(built.triples) == disputes
    described = run_query(real_kb, "DESCRIBE source:bathelt2004clusters")
    predicates = {p.value for _, p, _ in described.triples}
    assert PREFIXES["dcterms"] + "title" in predicates


def test_from_names_a_graph_of_the_dataset_and_is_honoured(real_kb):
    in_graph = run_query(real_kb, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CLAIMS_GRAPH}> {{ ?s ?p ?o }} }}").rows[0][
        "n"
    ]
    everything = run_query(real_kb, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    from_claims = run_query(real_kb, "SELECT (COUNT(*) AS ?n) FROM graph:claims WHERE { ?s ?p ?o }").rows[0]["n"]
    assert from_claims == in_graph < everything == len(real_kb.store)


def test_rows_are_plain_values_and_bindings_keep_terms(real_kb):
    result = run_query(
        real_kb,
        """SELECT ?source ?year ?title WHERE {
        source:bathelt2004clusters fabio:hasPublicationYear ?year ; dcterms:title ?title .
        BIND(source:bathelt2004clusters AS ?source) }""",
    )
    (row,) = result.rows
    assert row["source"] == PREFIXES["source"] + "bathelt2004clusters"
    assert row["year"] == "2004" and row["title"].startswith("Clusters and knowledge")
    assert result.bindings[0]["title"].language == "en"
    assert result.bindings[0]["year"].datatype.endswith("#gYear")


def test_max_rows_truncates_and_says_so(real_kb):
    result = run_query(real_kb, "SELECT ?c WHERE { ?c a gkb:Claim }", max_rows=5)
    assert len(result.rows) == 5 and result.truncated
    assert "cut at 5" in format_result(result, "table")
    assert json.loads(format_result(result, "json"))["results"]["truncated"] is True
    whole = run_query(real_kb, "SELECT ?c WHERE { ?c a gkb:Claim }")
    assert not whole.truncated and len(whole.rows) == len(real_kb.corpus.claims)
    graph = run_query(real_kb, "CONSTRUCT WHERE { ?s ?p ?o }", max_rows=7)
    assert len(graph.triples) == 7 and graph.truncated


def test_the_row_limit_setting_is_the_default(real_project):
    kb = KnowledgeBase(replace(real_project, query_max_rows=3))
    assert len(run_query(kb, "SELECT ?c WHERE { ?c a gkb:Claim }").rows) == 3


# -- formats -----------------------------------------------------------------------------------

DISPUTES = """SELECT ?claim ?text ?year ?missing WHERE {
  ?claim gkb:disputes ?other ; gkb:text ?text ; dcterms:source/fabio:hasPublicationYear ?year }"""


def _oxigraph_rows(data: str, fmt) -> list[dict]:
    parsed = pyoxigraph.parse_query_results(data.encode("utf-8"), format=fmt)
    names = [v.value for v in parsed.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in parsed]


def test_json_is_sparql_results_json_that_parsers_read_back(real_kb):
    result = run_query(real_kb, DISPUTES)
    text = format_result(result, "json")
    parsed = _oxigraph_rows(text, pyoxigraph.QueryResultsFormat.JSON)
    assert len(parsed) == len(result.bindings) > 0
    for ours, theirs in zip(result.bindings, parsed):
        assert set(ours) == set(theirs) and "missing" not in theirs
        assert theirs["text"].language == ours["text"].language and theirs["text"].value == ours["text"].value
        assert theirs["claim"].value == ours["claim"].value
    from rdflib.query import Result

    assert len(Result.parse(io.StringIO(text), format="json").bindings) == len(result.bindings)
    assert json.loads(format_result(run_query(real_kb, "ASK { ?s ?p ?o }"), "json")) == {"head": {}, "boolean": True}


def test_tsv_and_csv_read_back(real_kb):
    result = run_query(real_kb, DISPUTES)
    tsv = format_result(result, "tsv")
    assert tsv.splitlines()[0] == "?claim\t?text\t?year\t?missing"
    parsed = _oxigraph_rows(tsv, pyoxigraph.QueryResultsFormat.TSV)
    assert [r["text"].value for r in parsed] == [b["text"].value for b in result.bindings]
    assert [r["text"].language for r in parsed] == [b["text"].language for b in result.bindings]
    rows = list(csv.DictReader(io.StringIO(format_result(result, "csv"))))
    assert [r["text"] for r in rows] == [b["text"].value for b in result.bindings]
    assert all(r["missing"] == "" for r in rows)
    assert format_result(result, "csv").count("\r\n") == len(rows) + 1


def test_turtle_of_a_graph_result_parses_back_to_the_same_triples(real_kb):
    result = run_query(real_kb, "CONSTRUCT WHERE { ?c dcterms:source source:cairncross1997death ; gkb:text ?t }")
    text = format_result(result, "turtle")
    assert "@prefix gkb:" in text and "@prefix bibo:" not in text  # only the prefixes used
    back = {
        (t.subject.value, t.predicate.value, str(t.object))
        for t in pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    }
    ours = {(s.value, p.value, o.n3()) for s, p, o in result.triples}
    assert back == ours and len(ours) > 4
    assert "\n" in format_result(result, "ntriples")


def test_a_format_that_does_not_fit_the_result_lists_the_ones_that_do(real_kb):
    from kb.errors import KbError

    graph = run_query(real_kb, "CONSTRUCT WHERE { ?c gkb:disputes ?d }")
    with pytest.raises(KbError, match="table, turtle, ntriples"):
        format_result(graph, "csv")
    with pytest.raises(KbError, match="table, csv, tsv, json"):
        format_result(run_query(real_kb, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"), "turtle")


def test_table_wraps_prose_to_the_width(real_kb):
    result = run_query(
        real_kb, "SELECT ?claim ?text WHERE { ?claim gkb:text ?text FILTER(LANG(?text) = 'en') } LIMIT 5"
    )
    table = format_result(result, "table", width=100)
    assert all(len(line) <= 100 for line in table.splitlines())
    assert "claim:" in table and table.splitlines()[0].split() == ["claim", "text"]


# -- refusals: one test each ------------------------------------------------------------------


@pytest.mark.parametrize(
    "update, keyword",
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "INSERT/DELETE"),
        ("LOAD <file:///etc/passwd>", "LOAD"),
        ("LOAD <http://127.0.0.1:1/data.ttl> INTO GRAPH <urn:g>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH graph:claims", "DROP"),
        ("CREATE GRAPH <urn:g>", "CREATE"),
        ("INSERT DATA { <urn:a> <urn:b> }", "INSERT"),  # malformed, still named as what it is
    ],
)
def test_updates_are_refused(real_kb, update, keyword):
    with pytest.raises(QueryRefused, match="read-only") as refused:
        run_query(real_kb, update)
    assert refused.value.reason == "update" and str(refused.value).startswith(keyword)
    assert len(real_kb.store) == run_query(real_kb, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]


def test_service_is_refused_before_any_engine_calls_out(real_kb, listener):
    url, hits = listener
    for query in (
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ {{ SELECT ?x WHERE {{ SERVICE SILENT <{url}> {{ ?x ?p ?o }} }} }} }} }}",
        "SELECT * WHERE { SERVICE ?endpoint { ?x ?p ?o } }",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?x ?p ?o }} }}",
    ):
        with pytest.raises(QueryRefused, match="SERVICE") as refused:
            run_query(real_kb, query)
        assert refused.value.reason == "service"
    assert hits == []
    # The refusal is what protects: opted in, the engine does call the endpoint.
    result = run_query(real_kb, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}", allow_service=True)
    assert hits and result.rows[0]["x"] == "remote"


def test_the_word_service_in_strings_comments_and_names_is_no_service(real_kb):
    checked = check_query("SELECT ?service WHERE { ?service rdfs:label 'SERVICE' } # SERVICE <http://x>")
    assert checked.services == ()


@pytest.mark.parametrize(
    "clause", ["FROM <file:///etc/passwd>", "FROM NAMED <https://example.org/data.ttl>", "FROM <kb.sqlite>"]
)
def test_outside_datasets_are_refused(real_kb, clause):
    with pytest.raises(QueryRefused, match="FROM") as refused:
        run_query(real_kb, f"SELECT * {clause} WHERE {{ ?s ?p ?o }}")
    assert refused.value.reason == "dataset"
    assert check_query(f"SELECT * {clause} WHERE {{ ?s ?p ?o }}", allow_external_datasets=True)


def test_malformed_query_gives_line_and_column(real_kb):
    # The engine judges the syntax of the canonical text it is given; its error position comes back
    # as a line and column of the caller's text (it reports the furthest point it could reach).
    query = "SELECT ?claim\nWHERE {\n  ?claim a gkb:Claim .\n  FILTER(?claim = )\n}"
    with pytest.raises(QuerySyntaxError) as error:
        run_query(real_kb, query)
    assert (error.value.line, error.value.column) == (5, 1) and error.value.text_line == "}"
    assert "line 5, column 1" in str(error.value)
    with pytest.raises(QuerySyntaxError) as error:
        run_query(real_kb, 'PREFIX ex: <http://example.org/>\nSELECT ?x WHERE {\n  ?x ex:p "Ж" ex:q }')
    assert (error.value.line, error.value.column) == (3, 15) and "ex:q" in error.value.text_line


def test_unknown_prefix_is_a_syntax_error_with_its_position(real_kb):
    with pytest.raises(QuerySyntaxError, match="unknown prefix 'schema:'") as error:
        run_query(real_kb, "SELECT ?x WHERE {\n  ?x a schema:Book }")
    assert (error.value.line, error.value.column) == (2, 8)


def test_empty_and_oversized_queries(real_kb):
    with pytest.raises(QuerySyntaxError, match="empty"):
        run_query(real_kb, "  \n")
    with pytest.raises(QueryRefused, match="characters long"):
        run_query(real_kb, "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000)


# -- limits ------------------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_at_the_time_limit(real_kb):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="stopped after 1.5 s"):
        run_query(real_kb, RUNAWAY, timeout_s=1.5)
    assert time.monotonic() - started < 5
    # The killed worker is replaced: the next query just works.
    assert run_query(real_kb, "ASK { ?s ?p ?o }").boolean is True


def test_a_query_that_would_eat_memory_fails_instead(real_project, real_kb):
    kb = KnowledgeBase(replace(real_project, query_memory_mb=600))
    with pytest.raises(QueryFailed, match="out of memory"):
        run_query(kb, "SELECT ?a ?d WHERE { ?a ?x ?b . ?c ?y ?d } ORDER BY ?b ?d LIMIT 1", timeout_s=60)
    # The pool recovers: the next query gets a healthy worker. (It runs with the default cap: a
    # worker capped at 600 MB of address space sometimes cannot even open the store under load.)
    assert run_query(real_kb, "ASK { ?s ?p ?o }").boolean is True


def test_concurrent_queries_from_threads(real_kb):
    from concurrent.futures import ThreadPoolExecutor

    query = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gkb:Claim }"
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: run_query(real_kb, query).rows[0]["n"], range(24)))
    assert answers == [len(real_kb.corpus.claims)] * 24


@pytest.fixture
def in_memory_workers():
    from kb.sparql.runner import POOL

    POOL.in_memory = True
    yield POOL
    POOL.in_memory = False


def _worker_kinds(pool) -> set[bool]:
    """Whether the pool's idle workers hold their dataset in memory (the last part of their key)."""
    return {key.in_memory for key in pool._idle}


def _unordered_concats(rows: list[dict]) -> list[dict]:
    """Rows with each GROUP_CONCAT list as a sorted tuple: SPARQL leaves the order inside undefined."""
    import re

    return [
        {
            name: tuple(sorted(re.split(r"[,;] ", value))) if isinstance(value, str) else value
            for name, value in row.items()
        }
        for row in rows
    ]


def test_in_memory_workers_answer_every_named_query_as_the_store_does(real_kb, in_memory_workers):
    from kb.sparql import named_queries, run_named_query

    in_memory_workers.in_memory = False
    on_disk = {q.name: run_named_query(real_kb, q.name) for q in named_queries()}
    assert _worker_kinds(in_memory_workers) == {False}
    in_memory_workers.in_memory = True
    for query in named_queries():
        answer = run_named_query(real_kb, query.name)
        assert _unordered_concats(answer.rows) == _unordered_concats(on_disk[query.name].rows), query.name
    assert _worker_kinds(in_memory_workers) == {True}
    # Still read-only and still stopped at the time limit.
    with pytest.raises(QueryRefused):
        run_query(real_kb, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryTimeout):
        run_query(real_kb, RUNAWAY, timeout_s=1.5)
    assert run_query(real_kb, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"] == len(real_kb.store)


def test_a_dataset_over_the_in_memory_limit_stays_on_disk(real_project, in_memory_workers):
    kb = KnowledgeBase(replace(real_project, query_in_memory_max_triples=1000))
    assert kb.manifest["counts"]["triples"] > 1000
    assert run_query(kb, "ASK { ?s ?p ?o }").boolean is True
    assert _worker_kinds(in_memory_workers) == {False}


# -- the command line --------------------------------------------------------------------------


def test_cli_query_formats_and_output_file(real_project, tmp_path):
    result = _cli(real_project, "sparql", "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gkb:Claim }", "--format", "json")
    assert result.exit_code == 0
    count = json.loads(result.output)["results"]["bindings"][0]["n"]["value"]
    assert int(count) > 100
    query_file = tmp_path / "q.rq"
    query_file.write_text("SELECT ?s WHERE { ?s a bibo:Book }", encoding="utf-8")
    out = tmp_path / "books.csv"
    assert _cli(real_project, "sparql", "-f", str(query_file), "--format", "csv", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"s\r\nhttps://w3id.org/glocal-kb/source/")
    piped = _cli(real_project, "sparql", "-", input="ASK { ?c a gkb:Claim }")
    assert piped.output == "yes\n"
    graph = _cli(real_project, "sparql", "CONSTRUCT WHERE { ?c gkb:disputes ?d }")
    assert "gkb:disputes" in graph.output and "@prefix" in graph.output


def test_cli_list_show_and_run_by_name(real_project):
    listing = _cli(real_project, "sparql", "--list")
    lines = listing.output.splitlines()
    assert len(lines) >= 12 and any(line.startswith("evidence-gaps ") for line in lines)
    assert all(line.rstrip().endswith("?") for line in lines)
    library = json.loads(_cli(real_project, "sparql", "--list", "--json").output)
    assert {"name", "title", "description", "parameters"} <= set(library[0])
    shown = _cli(real_project, "sparql", "--name", "claims-on-theme", "--show").output
    assert shown.startswith("PREFIX ") and "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in shown
    ran = _cli(real_project, "sparql", "--name", "evidence-gaps", "--format", "csv")
    assert ran.exit_code == 0 and ran.output.startswith("theme,label,claims")
    themed = _cli(real_project, "sparql", "--name", "claims-on-theme", "-p", "theme=proximity", "--format", "tsv")
    assert themed.exit_code == 0 and "theme/proximity>" in themed.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["SELECT ?x WHERE {\n ?x ?p }"], "error: SPARQL syntax error at line 2"),
        (["INSERT DATA { <urn:a> <urn:b> <urn:c> }"], "error: INSERT DATA refused"),
        (["SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"], "error: SERVICE"),
        (["SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"], "error: FROM <file:///etc/passwd> refused"),
        (["--name", "evidence-gap"], "error: no named query 'evidence-gap'; did you mean evidence-gaps"),
        (["--name", "claims-on-theme", "-p", "theme=proximty"], "error: theme:proximty is not in the knowledge base"),
        (["SELECT * WHERE { ?s ?p ?o }", "--format", "turtle"], "error: format 'turtle' does not fit"),
        ([], "error: give exactly one of"),
        ([RUNAWAY, "--timeout", "1"], "error: the query was stopped after 1 s"),
    ],
)
def test_cli_errors_are_one_line_and_exit_1(real_project, args, message):
    result = _cli(real_project, "sparql", *args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.output
    assert "Traceback" not in result.output


def test_cli_before_a_build_says_what_to_do(tiny_project):
    result = CliRunner().invoke(main, ["--root", str(tiny_project.root), "sparql", "ASK { ?s ?p ?o }"])
    assert result.exit_code == 1 and "run `kb build` first" in result.output


def test_the_manual_documents_the_sparql_commands_and_named_queries():
    from pathlib import Path

    from kb.sparql import named_queries

    page = (Path(__file__).resolve().parent.parent / "docs" / "sparql.md").read_text(encoding="utf-8")
    for command in ("kb sparql", "kb serve", "kb publish", "--list", "--allow-service"):
        assert command in page, command
    for query in named_queries():
        assert f"`{query.name}`" in page, f"docs/sparql.md does not list {query.name}"
