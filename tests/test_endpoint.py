"""`kb serve` and `kb publish` against real oxigraph servers on free loopback ports."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, N3, SPARQLWrapper

from kb.rdf.namespace import PREFIXES, PROLOGUE
from kb.sparql.endpoint import Endpoint
from kb.sparql.upstream import free_port, oxigraph_binary

pytestmark = pytest.mark.server

COUNT_CLAIMS = PROLOGUE + "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gkb:Claim }"


@pytest.fixture(scope="module")
def endpoint(real_project):
    with Endpoint(real_project, "127.0.0.1", 0, timeout_s=3, max_response_mb=2) as running:
        yield running


def _get(url: str, headers: dict | None = None, method: str = "GET", data: bytes | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _query_url(endpoint, query: str) -> str:
    return endpoint.query_url + "?" + urllib.parse.urlencode({"query": query})


def test_sparqlwrapper_select_ask_construct(endpoint, real_kb):
    client = SPARQLWrapper(endpoint.query_url)
    client.setQuery(COUNT_CLAIMS)
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == len(real_kb.corpus.claims)

    client.setQuery(PROLOGUE + "ASK { claim:cairncross1997death-distance-irrelevant gkb:text ?t }")
    assert client.query().convert()["boolean"] is True

    client.setQuery(PROLOGUE + "CONSTRUCT { ?a gkb:disputes ?b } WHERE { ?a gkb:disputes ?b }")
    client.setReturnFormat(N3)
    client.setMethod("POST")
    graph = client.queryAndConvert()
    from rdflib import Graph

    parsed = Graph().parse(data=graph, format="turtle") if isinstance(graph, (bytes, str)) else graph
    assert len(parsed) == sum(len(c.disputes) for c in real_kb.corpus.claims.values())


def test_plain_http_get_and_post(endpoint, real_kb):
    status, headers, body = _get(_query_url(endpoint, COUNT_CLAIMS), {"Accept": "application/sparql-results+json"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert headers["X-Served-Build"] == real_kb.path.name  # says which build it serves
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(real_kb.corpus.claims)
    status, _, body = _get(
        endpoint.query_url,
        {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        "POST",
        COUNT_CLAIMS.encode(),
    )
    assert status == 200 and body.decode().splitlines()[1] == str(len(real_kb.corpus.claims))


def test_other_origins_are_refused_unless_named_with_cors(endpoint, real_project, real_kb):
    foreign = {"Accept": "text/csv", "Origin": "http://example.org"}
    status, headers, body = _get(_query_url(endpoint, COUNT_CLAIMS), foreign)
    assert status == 403 and b"--cors" in body and "Access-Control-Allow-Origin" not in headers
    assert (
        _get(
            endpoint.query_url, {**foreign, "Content-Type": "application/sparql-query"}, "POST", COUNT_CLAIMS.encode()
        )[0]
        == 403
    )
    own = f"http://127.0.0.1:{endpoint.port}"  # the YASGUI page served by the endpoint itself
    assert _get(_query_url(endpoint, COUNT_CLAIMS), {"Origin": own, "Host": f"127.0.0.1:{endpoint.port}"})[0] == 200
    with Endpoint(real_project, "127.0.0.1", 0, timeout_s=3, cors=("http://example.org",)) as allowing:
        status, headers, body = _get(_query_url(allowing, COUNT_CLAIMS), foreign)
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://example.org"
        assert body.decode().splitlines()[1] == str(len(real_kb.corpus.claims))
        status, headers, _ = _get(
            allowing.query_url,
            {
                "Origin": "http://example.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
            "OPTIONS",
        )
        assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
        assert "Content-Type" in headers["Access-Control-Allow-Headers"]
        assert _get(_query_url(allowing, COUNT_CLAIMS), {"Origin": "http://evil.example"})[0] == 403


def test_yasgui_is_served_at_the_root(endpoint):
    status, headers, body = _get(endpoint.url + "/")
    assert status == 200 and b"yasgui" in body.lower()
    assert _get(endpoint.url + "/yasgui.min.js")[0] == 200


@pytest.mark.parametrize(
    "method, path, headers, data",
    [
        ("POST", "/update", {"Content-Type": "application/sparql-update"}, b"INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
        (
            "POST",
            "/query",
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"update=INSERT+DATA+%7B+%3Curn%3Aa%3E+%3Curn%3Ab%3E+%3Curn%3Ac%3E+%7D",
        ),
        ("POST", "/query", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL"),
        ("PUT", "/store?default", {"Content-Type": "text/turtle"}, b"<urn:a> <urn:b> <urn:c> ."),
        ("POST", "/store?graph=urn:g", {"Content-Type": "text/turtle"}, b"<urn:a> <urn:b> <urn:c> ."),
        ("DELETE", "/store?graph=https://w3id.org/glocal-kb/graph/claims", {}, None),
    ],
)
def test_updates_and_graph_store_writes_get_403(endpoint, real_kb, method, path, headers, data):
    status, _, body = _get(endpoint.url + path, headers, method, data)
    assert status == 403 and b"read-only" in body
    status, _, body = _get(_query_url(endpoint, COUNT_CLAIMS), {"Accept": "application/sparql-results+json"})
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(real_kb.corpus.claims)


def test_the_oxigraph_server_behind_the_gate_is_read_only_too(endpoint):
    upstream = endpoint.acquire()
    try:
        status, _, _ = _get(
            upstream.url + "/store?default", {"Content-Type": "text/turtle"}, "PUT", b"<urn:a> <urn:b> <urn:c> ."
        )
        assert status == 403
        assert (
            _get(upstream.url + "/update", {"Content-Type": "application/sparql-update"}, "POST", b"CLEAR ALL")[0]
            == 403
        )
    finally:
        upstream.leave()


def test_service_is_refused_with_403_and_never_called(endpoint):
    import http.server
    import threading

    hits = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{listener.server_address[1]}/sparql"
        status, headers, body = _get(_query_url(endpoint, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
        assert status == 403 and b"SERVICE" in body
        time.sleep(0.2)
        assert hits == []
    finally:
        listener.shutdown()
        listener.server_close()


def test_outside_datasets_are_refused(endpoint):
    status, _, body = _get(_query_url(endpoint, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"))
    assert status == 403 and b"FROM <file:///etc/passwd> refused" in body
    url = (
        endpoint.query_url
        + "?"
        + urllib.parse.urlencode(
            {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "default-graph-uri": "http://example.org/remote.ttl"}
        )
    )
    assert _get(url)[0] == 403
    own = (
        endpoint.query_url
        + "?"
        + urllib.parse.urlencode(
            {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": PREFIXES["graph"] + "claims"}
        )
    )
    assert _get(own, {"Accept": "text/csv"})[0] == 200


def test_malformed_query_gets_400_with_line_and_column(endpoint):
    status, _, body = _get(_query_url(endpoint, "SELECT ?x\nWHERE { ?x ?p }"))
    assert status == 400 and b"line 2, column" in body


def test_a_runaway_query_is_an_error_and_the_server_still_answers(endpoint, real_kb):
    started = time.monotonic()
    status, _, body = _get(_query_url(endpoint, "SELECT ?a WHERE { ?a ?x ?b . ?c ?y ?d . ?e ?z ?f } ORDER BY ?a"))
    assert status == 503 and b"time limit" in body
    assert time.monotonic() - started < 3 + 2 + 3
    status, _, body = _get(_query_url(endpoint, COUNT_CLAIMS), {"Accept": "application/sparql-results+json"})
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == len(real_kb.corpus.claims)


def test_a_cut_response_reaches_clients_as_an_error(endpoint):
    # Over the 2 MiB cap of this endpoint (or past oxigraph's own timeout): the body ends without
    # HTTP's final chunk, so a client cannot take a short result for a whole one.
    query = "SELECT ?a ?b ?c ?d WHERE { ?a ?x ?b . ?c ?y ?d }"
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        _get(_query_url(endpoint, query), {"Accept": "application/sparql-results+json"})
    client = SPARQLWrapper(endpoint.query_url)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    with pytest.raises(Exception):  # noqa: B017 - SPARQLWrapper's error type varies with how the body ends
        client.query().convert()
    assert _get(_query_url(endpoint, "ASK { ?s ?p ?o }"))[0] == 200


def test_serve_cli_starts_on_loopback_says_which_build_and_stops_on_ctrl_c(real_project, real_kb):
    port = free_port()
    env = {**os.environ, "KB_BUILD_DIR": str(real_project.build_dir)}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "kb"),
            "--root",
            str(real_project.root),
            "serve",
            "--port",
            str(port),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        assert banner.startswith(f"serving build {real_kb.path.name}")
        assert f"http://127.0.0.1:{port}/query" in process.stdout.readline()
        status, _, body = _get(
            f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        )
        assert status == 200 and b"true" in body
        upstreams = _oxigraph_children(process.pid)
        assert len(upstreams) == 1
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0 and "stopped" in out
        assert "Traceback" not in err
        time.sleep(0.3)
        assert not any(Path(f"/proc/{pid}").exists() for pid in upstreams)
    finally:
        if process.poll() is None:
            process.kill()


def _oxigraph_children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"serve-read-only" in cmdline:
                found.append(int(entry.name))
    return found


def test_serve_refuses_a_busy_port_in_one_line(real_project):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        from click.testing import CliRunner

        from kb.cli import main

        result = CliRunner().invoke(
            main,
            ["--root", str(real_project.root), "serve", "--port", str(port)],
            env={"KB_BUILD_DIR": str(real_project.build_dir)},
        )
    assert result.exit_code == 1 and result.output.strip().splitlines()[-1].startswith(
        f"error: cannot listen on 127.0.0.1:{port}"
    )


def test_follow_switches_to_a_new_build(tiny_project):
    from kb.build.builder import build

    build(tiny_project)
    messages = []
    with Endpoint(tiny_project, "127.0.0.1", 0, follow=True, log=messages.append) as running:
        query = _query_url(running, COUNT_CLAIMS)
        first_build = running.build.name
        before = int(
            json.loads(_get(query, {"Accept": "application/sparql-results+json"})[2])["results"]["bindings"][0]["n"][
                "value"
            ]
        )
        claims = tiny_project.corpus / "claims" / "smith2001proximity.yaml"
        text = claims.read_text(encoding="utf-8")
        claims.write_text(text + _extra_claim(text), encoding="utf-8")
        build(tiny_project)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and running.build.name == first_build:
            time.sleep(0.2)
        status, headers, body = _get(query, {"Accept": "application/sparql-results+json"})
        assert headers["X-Served-Build"] != first_build
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == before + 1
    assert any("now serving" in m for m in messages)


def _extra_claim(text: str) -> str:
    first_id = next(line.split("id:")[1].strip() for line in text.splitlines() if "- id:" in line)
    return (
        f"  - id: {first_id}-follow-up\n"
        "    text:\n      en: A further claim added while the endpoint was serving.\n"
        "    themes: [proximity]\n    evidence: conceptual\n"
    )


# -- kb publish ------------------------------------------------------------------------------


@pytest.fixture
def writable_store(tmp_path):
    """A real, writable `oxigraph serve` on a temporary folder."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def _graph_counts(url: str) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    _, _, body = _get(
        url + "/query?" + urllib.parse.urlencode({"query": query}), {"Accept": "application/sparql-results+json"}
    )
    return {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]}


def _local_counts(kb) -> dict[str, int]:
    rows = kb.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: r["n"] for r in rows}


def test_publish_puts_every_named_graph_and_is_repeatable(real_project, real_kb, writable_store):
    from click.testing import CliRunner

    from kb.cli import main

    args = ["--root", str(real_project.root), "publish", "--endpoint", writable_store + "/store", "--json"]
    env = {"KB_BUILD_DIR": str(real_project.build_dir)}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    expected = _local_counts(real_kb)
    assert {g["graph"]: g["triples"] for g in report["graphs"]} == expected
    assert all(g["verified"] for g in report["graphs"]) and len(expected) == 3
    assert _graph_counts(writable_store) == expected
    # Publishing again replaces the graphs: nothing doubles.
    assert CliRunner().invoke(main, args, env=env).exit_code == 0
    assert _graph_counts(writable_store) == expected
    # Named graphs stay named: the claims are in graph:claims on the server too.
    query = f"ASK {{ GRAPH <{PREFIXES['graph']}claims> {{ <{PREFIXES['claim']}cairncross1997death-distance-irrelevant> ?p ?o }} }}"
    assert b"true" in _get(writable_store + "/query?" + urllib.parse.urlencode({"query": query}))[2]


def test_publish_leaves_other_graphs_alone_and_can_pick_graphs(real_kb, writable_store):
    from kb.sparql.publish import publish

    other = "urn:x-local:notes"
    assert _get(
        writable_store + "/store?graph=" + urllib.parse.quote(other, safe=""),
        {"Content-Type": "application/n-triples"},
        "PUT",
        b"<urn:a> <urn:b> <urn:c> .\n",
    )[0] in (200, 201, 204)
    claims = PREFIXES["graph"] + "claims"
    published = publish(real_kb, writable_store + "/store", graphs=[claims])
    assert [p.graph for p in published] == [claims]
    assert _graph_counts(writable_store) == {other: 1, claims: _local_counts(real_kb)[claims]}


@pytest.mark.parametrize("path, message", [("/query", "not the SPARQL query endpoint"), ("/nowhere", "HTTP 404")])
def test_publish_to_a_wrong_url_fails_in_one_line(real_project, writable_store, path, message):
    from click.testing import CliRunner

    from kb.cli import main

    result = CliRunner().invoke(
        main,
        ["--root", str(real_project.root), "publish", "--endpoint", writable_store + path],
        env={"KB_BUILD_DIR": str(real_project.build_dir)},
    )
    assert result.exit_code == 1 and message in result.output and len(result.output.strip().splitlines()) == 1


def test_publish_to_a_read_only_endpoint_says_why(real_kb, endpoint):
    from kb.errors import KbError
    from kb.sparql.publish import publish

    with pytest.raises(KbError, match="HTTP 403.*read-only"):
        publish(real_kb, endpoint.url + "/store")
