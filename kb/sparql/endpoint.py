"""`kb serve`: the built dataset as a read-only SPARQL 1.1 Protocol endpoint.

The SPARQL engine and protocol are the oxigraph server's (`oxigraph serve-read-only`, from the
`oxigraph` package: updates and Graph Store writes answer 403; YASGUI at `/`). In front of it sits
a small gate, because the oxigraph server executes SERVICE clauses and cannot be told not to:

  client --HTTP--> gate (this module, the public port) --loopback--> oxigraph (a private port)

The gate checks each query with `check_query` (refusing updates, SERVICE and outside datasets with
403, malformed queries with 400), then streams oxigraph's answer back. It also enforces what
oxigraph does not always: a deadline per request and a cap on the response size. A response the
gate has to cut (deadline, size, or oxigraph's own in-body "cancelled" message) ends without the
final chunk, so every HTTP client sees an error rather than a silently short result; and an
oxigraph process that outlived a deadline is replaced, since it may still be computing.
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from kb.config import Settings
from kb.errors import NotBuiltError
from kb.sparql.check import DATASET_GRAPHS, MAX_QUERY_CHARS, check_query
from kb.sparql.errors import QueryRefused, QuerySyntaxError
from kb.sparql.upstream import Upstream
from kb.store import STORE, current_dir

QUERY_PATHS = ("/query", "/sparql")
_GRACE_S = 2.0  # beyond oxigraph's own timeout, before the gate cuts a response
_HOLD = 512  # bytes held back until the end, to catch oxigraph's in-body error messages
_CANCELLED = (b"The SPARQL operation has been cancelled", b"Internal server error")
_CORS = {"Access-Control-Allow-Origin": "*",
         "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
         "Access-Control-Allow-Headers": "Content-Type, Accept",
         "Access-Control-Max-Age": "600"}


class Endpoint:
    """The gate plus the oxigraph process, serving the build that is current when it starts."""

    def __init__(self, settings: Settings, host: str = "127.0.0.1", port: int = 7878, *,
                 timeout_s: float | None = None, max_response_mb: int = 64, memory_mb: int | None = None,
                 follow: bool = False, log: Callable[[str], None] | None = None):
        build = current_dir(settings.build)
        if build is None or not (build / STORE).exists():
            raise NotBuiltError(settings.build)
        self.settings = settings
        self.build: Path = build  # resolved now: build/current is replaced by each `kb build`
        self.timeout_s = settings.query_timeout_s if timeout_s is None else timeout_s
        self.max_bytes = max_response_mb * 1024 * 1024
        # The server holds a thread (and its allocator arenas) per request: give it room.
        self.memory_mb = 4 * settings.query_memory_mb if memory_mb is None else memory_mb
        self.follow = follow
        self.log = log or (lambda message: None)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._upstream = Upstream(build / STORE, self.timeout_s, self.memory_mb)
        try:
            self._server = _GateServer((host, port), _Handler)
        except OSError as error:
            self._upstream.kill()
            from kb.errors import KbError

            raise KbError(f"cannot listen on {host}:{port}: {error.strerror or error} "
                          "(choose another --port, or stop what uses it)") from None
        self._server.endpoint = self
        self.host, self.port = self._server.server_address[:2]
        self._noticed: Path | None = None
        self._watchdog = threading.Thread(target=self._watch, daemon=True)
        self._watchdog.start()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in str(self.host) else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    # -- lifecycle -------------------------------------------------------------------------
    def serve_forever(self) -> None:
        self._serving = True
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> "Endpoint":
        """Serve in a background thread (for tests and benchmarks); `stop()` ends it."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if getattr(self, "_serving", False):
            self._server.shutdown()  # waits for serve_forever to return (at once if it already has)
        self._server.server_close()
        with self._lock:
            self._upstream.kill()

    def __enter__(self) -> "Endpoint":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the oxigraph process --------------------------------------------------------------
    def acquire(self) -> Upstream:
        """The current oxigraph process, counted as busy until `release`."""
        while True:
            upstream = self._upstream
            if upstream.enter():
                return upstream
            time.sleep(0.01)  # a replacement is being swapped in

    def replace(self, stale: Upstream, reason: str, build: Path | None = None) -> None:
        """Swap in a fresh oxigraph process, on `build` if given (unless another thread already did)."""
        with self._lock:
            if self._upstream is not stale or self._stopping.is_set():
                return
            self.log(f"restarting the oxigraph server: {reason}")
            fresh = Upstream((build or self.build) / STORE, self.timeout_s, self.memory_mb)
            self._upstream, self.build = fresh, build or self.build
        stale.retire(self.timeout_s + _GRACE_S)

    def _watch(self) -> None:
        while not self._stopping.wait(1.0):
            upstream = self._upstream
            if not upstream.alive and not upstream.retiring:
                cause = upstream.last_errors[-1] if upstream.last_errors else f"exit {upstream.process.returncode}"
                self.replace(upstream, f"it stopped ({cause})")
            latest = current_dir(self.settings.build)
            if latest is None or latest == self.build or not (latest / STORE).exists():
                continue
            if self.follow:
                self.replace(upstream, f"a new build appeared: now serving {latest.name}", latest)
            elif self._noticed != latest:
                self._noticed = latest
                self.log(f"note: a newer build ({latest.name}) exists; restart `kb serve` (or use --follow) to serve it")


class _GateServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    endpoint: Endpoint


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "glocal-kb-sparql"

    @property
    def endpoint(self) -> Endpoint:
        return self.server.endpoint

    def parse_request(self) -> bool:
        self._sent = False  # one handler serves every request of a kept-alive connection
        return super().parse_request()

    # -- routing ---------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        self._plain(204, "")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path in QUERY_PATHS or (url.path == "/" and "query" in params):
            self._query(params)
        elif url.path == "/update" or "update" in params:
            self._read_only()
        else:
            self._forward("GET", self.path, None, {})

    def do_HEAD(self) -> None:
        if urlsplit(self.path).path in QUERY_PATHS:
            self._plain(405, "use GET or POST for queries")
        else:
            self._forward("HEAD", self.path, None, {})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self._body()
        if body is None:
            return
        if url.path not in (*QUERY_PATHS, "/"):
            return self._read_only()
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if kind == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif kind == "application/x-www-form-urlencoded":
            params.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif kind == "application/sparql-update":
            return self._read_only()
        else:
            return self._plain(415, "send the query as application/sparql-query or "
                                    "application/x-www-form-urlencoded (query=...)")
        self._query(params)

    def do_PUT(self) -> None:
        self._read_only()

    do_DELETE = do_PATCH = do_PUT

    # -- queries ---------------------------------------------------------------------------
    def _query(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._read_only()
        queries = params.get("query", [])
        if len(queries) != 1:
            return self._plain(400, "give exactly one query parameter (SPARQL 1.1 Protocol)")
        try:
            check_query(queries[0])
            for key in ("default-graph-uri", "named-graph-uri"):
                for iri in params.get(key, []):
                    if iri not in DATASET_GRAPHS:
                        raise QueryRefused(f"{key} <{iri}> refused: only the dataset's own graphs may be named "
                                           f"({', '.join(sorted(DATASET_GRAPHS))})", "dataset")
        except QuerySyntaxError as error:
            return self._plain(400, str(error))
        except QueryRefused as error:
            return self._plain(403, str(error))
        forwarded = {k: v for k, v in params.items() if k in ("query", "default-graph-uri", "named-graph-uri")}
        body = urlencode(forwarded, doseq=True).encode("utf-8")
        self._forward("POST", "/query", body, {"Content-Type": "application/x-www-form-urlencoded"})

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            self._plain(411, "send a Content-Length")
            return None
        try:
            size = int(length)
        except ValueError:
            self._plain(400, "bad Content-Length")
            return None
        if size > 4 * MAX_QUERY_CHARS:
            self._plain(413, f"request body over {4 * MAX_QUERY_CHARS:,} bytes")
            return None
        return self.rfile.read(size)

    # -- forwarding ------------------------------------------------------------------------
    def _forward(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> None:
        endpoint = self.endpoint
        started = time.monotonic()
        deadline = started + endpoint.timeout_s + _GRACE_S
        upstream = endpoint.acquire()
        self._upstream_build = upstream.store.parent.name
        status, outcome = 502, "error"
        try:
            accept = self.headers.get("Accept")
            if accept:
                headers = {**headers, "Accept": accept}
            connection = upstream.connection(endpoint.timeout_s + _GRACE_S)
            reusable = False
            try:
                try:
                    connection.request(method, path, body=body, headers=headers)
                    reply = connection.getresponse()
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    # A kept-alive connection the server had closed: once more on a fresh one.
                    connection.close()
                    connection = upstream.connection(endpoint.timeout_s + _GRACE_S, fresh=True)
                    connection.request(method, path, body=body, headers=headers)
                    reply = connection.getresponse()
                status = reply.status
                outcome = self._relay(reply, deadline, method == "HEAD")
                reusable = outcome == "ok" and reply.isclosed() and not reply.will_close
            except (TimeoutError, OSError, http.client.HTTPException) as error:
                if time.monotonic() >= deadline - 0.5 or isinstance(error, TimeoutError):
                    outcome = "deadline"
                    if not self._headers_sent():
                        status = 503
                        self._plain(503, f"the query ran past the endpoint's time limit ({endpoint.timeout_s:g} s)")
                    else:
                        self.close_connection = True
                else:
                    if not self._headers_sent():
                        self._plain(502, f"the SPARQL engine did not answer: {error}")
                    self.close_connection = True
            finally:
                if reusable:
                    upstream.give_back(connection)
                else:
                    connection.close()
        finally:
            upstream.leave()
        if outcome == "deadline":
            endpoint.replace(upstream, f"a request outlived its {endpoint.timeout_s:g} s time limit")
        endpoint.log(f'{self.client_address[0]} "{self.command} {self.path[:80]}" {status} '
                     f"{(time.monotonic() - started) * 1000:.0f} ms{'' if outcome == 'ok' else ' ' + outcome}")

    def _relay(self, reply: http.client.HTTPResponse, deadline: float, head: bool) -> str:
        """Stream `reply` to the client; cut it (no final chunk) on deadline, size or an in-body error."""
        self.send_response(reply.status)
        for name in ("Content-Type", "Content-Disposition", "Cache-Control"):
            if reply.getheader(name):
                self.send_header(name, reply.getheader(name))
        for name, value in _CORS.items():
            self.send_header(name, value)
        self.send_header("X-Served-Build", self._upstream_build)
        self._sent = True
        if head:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return "ok"
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent, held = 0, b""
        # Bound each read by what is left of the deadline (the socket is private to http.client).
        sock = getattr(getattr(reply.fp, "raw", None), "_sock", None)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._cut("deadline")
            if sock is not None:
                sock.settimeout(remaining)
            chunk = reply.read1(65536) if hasattr(reply, "read1") else reply.read(65536)
            if not chunk:
                break
            held += chunk
            if len(held) > _HOLD:
                out, held = held[:-_HOLD], held[-_HOLD:]
                sent += len(out)
                if sent > self.endpoint.max_bytes:
                    return self._cut("too large")
                self._chunk(out)
        if any(marker in held for marker in _CANCELLED):
            return self._cut("cancelled by oxigraph")
        if held:
            self._chunk(held)
        self.wfile.write(b"0\r\n\r\n")
        return "ok"

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _cut(self, why: str) -> str:
        # Closing without the terminating chunk is how HTTP says "this body is incomplete".
        self.close_connection = True
        self.wfile.flush()
        return why

    def _headers_sent(self) -> bool:
        return getattr(self, "_sent", False)

    # -- small answers ---------------------------------------------------------------------
    def _read_only(self) -> None:
        self._plain(403, "The server is read-only: SPARQL updates and Graph Store writes are refused "
                         "(change corpus/ and run `kb build`)")

    def _plain(self, status: int, message: str) -> None:
        data = (message + "\n").encode("utf-8") if message else b""
        self.send_response(status)
        for name, value in _CORS.items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self._sent = True
        if data and self.command != "HEAD":
            self.wfile.write(data)
        if status >= 400 and status != 404:
            self.endpoint.log(f'{self.client_address[0]} "{self.command} {self.path[:80]}" {status} {message[:100]}')

    def log_request(self, code="-", size="-") -> None:
        pass  # `_forward` and `_plain` log with timings and reasons

    def log_error(self, format: str, *args) -> None:
        self.endpoint.log("gate: " + format % args)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away
