"""The SPARQL gate against hostile queries: every SERVICE disguise, on the library path (which the
web UI's console calls), the CLI (`kb sparql`, `kb export --sparql`) and a real `kb serve`, with a
capture server on loopback asserting that nothing ever arrives; the engine sandbox that holds even
when the gate is bypassed; and the size and depth limits."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kb.sparql import run_query
from kb.sparql.check import check_query
from kb.sparql.errors import QueryError, QueryRefused, QuerySyntaxError

KB = str(Path(sys.executable).parent / "kb")


@pytest.fixture
def capture():
    """A loopback TCP listener that records every connection made to it (an engine calling out
    would connect here), whatever protocol follows."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.1)
    connections: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                peer, _ = server.accept()
            except OSError:
                continue
            peer.settimeout(0.5)
            try:
                connections.append(peer.recv(200).decode("latin-1"))
            except OSError:
                connections.append("")
            peer.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/", connections
    stop.set()
    thread.join()
    server.close()


def variants(url: str) -> list[str]:
    """SERVICE in disguise: escapes (in keywords, strings, IRIs, prefixed names, comments), case,
    SILENT, variables, and every position a group graph pattern can take."""
    host = url.removeprefix("http://").rstrip("/")
    escaped_url = "".join(f"\\u{ord(c):04X}" if c in ":/." else c for c in url)
    clause = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    return [
        # The finding: rdflib expands \u escapes everywhere, oxigraph only in strings and IRIs.
        f"SELECT * WHERE {{ BIND('\\u0027' AS ?v1) BIND(<http://x/\\u0062#> AS ?v2) {clause} BIND(1 # '''\n AS ?v3) }}",
        f'SELECT * WHERE {{ BIND("\\u0022" AS ?v1) {clause} BIND(1 # """\n AS ?v3) }}',
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVIC\\u0045 <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\U00000053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053\\u0045\\u0052\\u0056\\u0049\\u0043\\u0045 <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{escaped_url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # a comment \\u000A {clause} }}",
        f"SELECT * WHERE {{ # a comment \\u000D {clause} }}",
        f"SELECT * WHERE {{ BIND(<http://x/\\u003E AS ?a) {clause} }}",
        f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ex:a\\#b ?o . {clause} }}",
        f"PREFIX ex: <http://example.org/> SELECT * WHERE {{ ?s ex:a\\# {clause} }}",
        f"SELECT * WHERE {{ BIND('\\'' AS ?q) {clause} }}",
        f"SELECT * WHERE {{ BIND('''it''s''' AS ?q) {clause} }}",
        f"SELECT * WHERE {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { VALUES ?e { <" + url + "> } SERVICE ?e { ?s ?p ?o } }",
        f"PREFIX remote: <http://{host}/> SELECT * WHERE {{ SERVICE remote: {{ ?s ?p ?o }} }}",
        f"BASE <http://{host}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ {clause} }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z MINUS {{ {clause} }} }}",
        f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {clause} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ {clause} }} }}",
        f"SELECT * WHERE {{ FILTER EXISTS {{ {clause} }} }}",
        f"SELECT * WHERE {{ FILTER NOT EXISTS {{ {clause} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {{ SELECT * WHERE {{ {clause} }} }} }} }} }}",
        f"ASK {{ {clause} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {clause} }}",
        f"DESCRIBE ?s WHERE {{ {clause} }}",
        f"SELECT (EXISTS {{ {clause} }} AS ?x) WHERE {{ }}",
        f"SELECT * WHERE {{ {clause} }} # SERVICE",
        f"SELECT * WHERE {{\n  {clause.replace(' ', chr(10))}\n}}",
        f"SELECT * WHERE {{ {clause.replace(' ', chr(9))} }}",
    ]


def _read_as_service(query: str) -> bool:
    """Whether the gate reads a SERVICE clause in `query` (escapes expanded as SPARQL 1.1 says).
    Some variants, read that way, hold the word only inside a string: the engine then runs that same
    reading, and what matters is that nothing is called."""
    try:
        check_query(query, allow_service=True)
    except QuerySyntaxError:
        return False
    return bool(check_query(query, allow_service=True).services)


def test_every_variant_is_refused_by_the_library_path_and_nothing_is_called(real_kb, capture):
    url, connections = capture
    refused = 0
    for query in variants(url):
        try:
            run_query(real_kb, query, timeout_s=5)
            assert not _read_as_service(query), query
        except QueryRefused as error:
            assert error.reason == "service", (query, str(error))
            refused += 1
        except QuerySyntaxError:
            pass
    time.sleep(0.3)
    assert connections == []
    assert refused >= len(variants(url)) - 3


def test_the_canonical_text_has_no_forms_two_parsers_could_read_two_ways():
    checked = check_query(
        "PREFIX ex: <http://example.org/>\nSELECT ?x # comment\nWHERE { ?x ex:a\\#b '''x\ny''' ; "
        'ex:c "\\u00e9\\\\" . }'
    )
    text = checked.text
    assert "\n" not in text and "#b" in text and "# comment" not in text
    assert "<http://example.org/a#b>" in text and "ex:" not in text
    assert "'''" not in text and '"x\\ny"' in text and '"é\\\\"' in text


@pytest.mark.parametrize(
    "text, reason",
    [
        ("ASK { FILTER(" + "+".join(["1"] * 8000) + ") }", "depth"),
        ("ASK { " + "{" * 3000 + "}" * 3000 + " }", "depth"),
        ("ASK { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(4000)) + " }", "depth"),
        ("ASK { " + " UNION ".join(["{ ?s ?p ?o }"] * 2000) + " }", "depth"),
        ("ASK { ?s " + "/".join(["<http://p>"] * 2000) + " ?o }", "depth"),
        ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000, "size"),
    ],
)
def test_deep_and_huge_queries_are_refused_before_any_parse(real_kb, text, reason, monkeypatch):
    # Refused by the gate's scan alone: no engine is asked (how fast: bench/abuse_serve.py).
    from kb.sparql.runner import POOL

    monkeypatch.setattr(POOL, "run", lambda *args, **kwargs: pytest.fail("an engine was asked"))
    with pytest.raises(QueryRefused) as refused:
        run_query(real_kb, text)
    assert refused.value.reason == reason


def test_a_query_just_under_the_depth_limit_runs_in_the_worker(real_kb):
    terms = 450
    result = run_query(real_kb, "SELECT ?n WHERE { BIND(" + "+".join(["1"] * terms) + " AS ?n) }")
    assert result.rows == [{"n": terms}]
    nested = run_query(real_kb, "SELECT ?n WHERE { BIND(" + "(" * 200 + "7" + ")" * 200 + " AS ?n) }")
    assert nested.rows == [{"n": 7}]


def test_a_check_in_progress_holds_no_lock_against_other_queries(real_kb, monkeypatch):
    """A hostile query being checked (here: held inside the gate's scan) does not delay another
    query's check or run: the gate takes no process-wide lock (the old rdflib gate did). The stall
    scenario's timings are bench/abuse_serve.py's."""
    import kb.sparql.check as gate

    hostile = "SELECT * WHERE { FILTER(" + " || ".join(f"(?x{i % 50} = {i})" for i in range(12000))[:98_000] + ") }"
    with pytest.raises(QueryError):
        check_query(hostile)
    entered, release = threading.Event(), threading.Event()
    real_tokenize = gate.tokenize

    def held_tokenize(source):
        if len(source.text) > 50_000:
            entered.set()
            release.wait(30)
        return real_tokenize(source)

    monkeypatch.setattr(gate, "tokenize", held_tokenize)
    outcome: list[str] = []

    def hostile_check() -> None:
        try:
            check_query(hostile + " ")
            outcome.append("accepted")
        except QueryError as error:
            outcome.append(type(error).__name__)

    thread = threading.Thread(target=hostile_check)
    thread.start()
    try:
        assert entered.wait(10)
        assert run_query(real_kb, "ASK { ?s ?p ?o }").boolean is True  # while the hostile check is held
    finally:
        release.set()
        thread.join()
    assert outcome == ["QueryRefused"]


def test_the_worker_sandbox_holds_when_the_gate_is_bypassed(real_kb, capture):
    """Defence in depth: a SERVICE query handed straight to a query worker (no gate) fails inside
    the worker, because the kernel refuses it any socket but a Unix one."""
    from kb.build.store import STORE
    from kb.sparql import sandbox
    from kb.sparql.runner import POOL

    if not sandbox.available():
        pytest.skip("seccomp is not available on this machine")
    url, connections = capture
    request = {
        "text": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "union": True,
        "max_rows": 10,
        "substitutions": {},
    }
    kind, payload = POOL.run(real_kb.path / STORE, real_kb.settings.query_memory_mb, request, 30.0)
    assert kind == "failed" and ("denied" in payload.lower() or "permission" in payload.lower()), payload
    time.sleep(0.3)
    assert connections == []
    # Opted in from the CLI (--allow-service), the worker has the network; the refusal was the sandbox's.
    kind, payload = POOL.run(real_kb.path / STORE, real_kb.settings.query_memory_mb, request, 30.0, network=True)
    deadline = time.monotonic() + 5
    while not connections and time.monotonic() < deadline:
        time.sleep(0.1)
    assert connections, f"the unsandboxed worker should have reached the capture server ({kind}: {payload})"


def _kb(real_project, *args, input: str | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "KB_BUILD_DIR": str(real_project.build)}
    return subprocess.run(
        [KB, "--root", str(real_project.root), *args], capture_output=True, text=True, env=env, input=input, timeout=120
    )


def test_every_variant_is_refused_by_the_cli_and_nothing_is_called(real_project, capture, tmp_path):
    url, connections = capture
    for number, query in enumerate(variants(url)):
        if not _read_as_service(query):
            continue
        done = _kb(real_project, "sparql", query)
        assert done.returncode == 1 and done.stderr.startswith("error: SERVICE"), (query, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1
        if number % 4 == 0:  # the export's --sparql selection goes through the same gate
            (tmp_path / "q.rq").write_text(query, encoding="utf-8")
            done = _kb(
                real_project,
                "export",
                "--sparql",
                str(tmp_path / "q.rq"),
                "--format",
                "bibtex",
                "-o",
                str(tmp_path / "x.bib"),
            )
            assert done.returncode == 1 and done.stderr.startswith("error:"), (query, done.stderr)
            assert not (tmp_path / "x.bib").exists()
    time.sleep(0.3)
    assert connections == []


def test_every_variant_is_refused_by_the_web_ui_console(monkeypatch, real_project, capture):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    url, connections = capture
    monkeypatch.setenv("KB_ROOT", str(real_project.root))
    monkeypatch.setenv("KB_BUILD_DIR", str(real_project.build))
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=60)
    app.switch_page("app_pages/sparql.py")
    app.run()
    for query in [q for q in variants(url) if _read_as_service(q)][:12]:
        app.text_area(key="sparql_text").set_value(query)
        app.button(key="sparql_run").click().run()
        assert not app.exception and app.error, query
        assert not app.dataframe
    time.sleep(0.3)
    assert connections == []


def test_every_variant_is_refused_by_kb_serve_and_nothing_is_called(real_project, capture):
    from kb.sparql.endpoint import Endpoint

    url, connections = capture
    with Endpoint(real_project, "127.0.0.1", 0, timeout_s=5) as endpoint:
        for query in [q for q in variants(url) if _read_as_service(q)]:
            for method in ("GET", "form", "sparql-query"):
                if method == "GET":
                    request = urllib.request.Request(
                        endpoint.query_url + "?" + urllib.parse.urlencode({"query": query})
                    )
                elif method == "form":
                    request = urllib.request.Request(
                        endpoint.query_url,
                        urllib.parse.urlencode({"query": query}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"},
                    )
                else:
                    request = urllib.request.Request(
                        endpoint.query_url, query.encode(), {"Content-Type": "application/sparql-query"}
                    )
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(request, timeout=30)
                assert refused.value.code == 403, (query, method, refused.value.code)
    time.sleep(0.3)
    assert connections == []
