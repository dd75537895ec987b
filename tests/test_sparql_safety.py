"""Parsing corpus and ontology data never reaches the network or reads files it was not given.

rdflib can fetch URLs and read local files (owl:imports is not followed by a plain parse, but
FROM, LOAD and remote contexts would be); this checks the build's real parse of a corpus whose
ontology names a local web server and a local file, with a Python audit hook recording every file
opened and every network connection made."""

from __future__ import annotations

import http.server
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

_RECORDING: list | None = None


def _audit(event: str, args) -> None:
    if _RECORDING is not None and event in ("open", "socket.connect", "urllib.Request", "socket.getaddrinfo"):
        _RECORDING.append((event, args[0] if args else None))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one does nothing outside `_recorded`


@contextmanager
def _recorded():
    global _RECORDING
    _RECORDING = []
    try:
        yield _RECORDING
    finally:
        _RECORDING = None


def _python_paths() -> list[Path]:
    import site
    import sysconfig

    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sysconfig.get_paths()["stdlib"]).parent}
    roots.update(Path(p) for p in site.getsitepackages())
    return [r.resolve() for r in roots]


def test_parsing_corpus_and_ontology_fetches_nothing_and_reads_only_its_files(tiny_project):
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    outside = tiny_project.root.parent / "outside-secret.ttl"
    outside.write_text("<urn:secret> <urn:is> <urn:read> .\n", encoding="utf-8")
    url = f"http://127.0.0.1:{server.server_address[1]}/ontology.ttl"
    (tiny_project.ontology / "hostile.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<urn:x-test:hostile> a owl:Ontology ; owl:imports <{url}> , <{outside.as_uri()}> .\n",
        encoding="utf-8",
    )
    from kb.build.builder import validate

    try:
        with _recorded() as events:
            counts = validate(tiny_project)  # parse, map and SHACL-check everything, as a build does
    finally:
        server.shutdown()
        server.server_close()
    assert counts["claims"] == 5
    assert hits == []
    assert not [e for e in events if e[0] != "open"], "a network call was made while parsing"
    project = tiny_project.root.resolve()
    import kb

    # Code and package metadata (the build hashes its own code; rdflib looks up its plugins),
    # the OS description some libraries read, and the project itself: nothing else.
    code = Path(kb.__file__).resolve().parent
    allowed = [
        project,
        code,
        Path(__file__).resolve().parent,
        *_python_paths(),
        Path("/proc"),
        Path("/dev"),
        Path("/sys"),
    ]
    opened = {Path(str(path)).resolve() for event, path in events if event == "open" and isinstance(path, (str, Path))}
    unexpected = sorted(
        str(p)
        for p in opened
        if not any(p == root or root in p.parents for root in allowed)
        and not p.parent.name.endswith((".egg-info", ".dist-info"))
        and str(p) not in ("/usr/lib/os-release", "/etc/os-release")
    )
    assert not unexpected, f"files read outside the project and Python: {unexpected}"
    assert outside.resolve() not in opened
    read_in_project = {p for p in opened if project in p.parents}
    assert tiny_project.ontology.resolve() / "hostile.ttl" in read_in_project
