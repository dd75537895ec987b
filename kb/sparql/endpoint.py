"""`kb serve`: the built dataset as a read-only SPARQL 1.1 Protocol endpoint.

The SPARQL engine and protocol are the oxigraph server's (`oxigraph serve-read-only`, from the
`oxigraph` package: updates and Graph Store writes answer 403; YASGUI at `/`). In front of it sits
a small gate, because the oxigraph server executes SERVICE clauses and cannot be told not to:

  client --HTTP--> gate (this module, the public port) --loopback--> oxigraph (a private port)

The gate checks each query with `check_query` (refusing updates, SERVICE and outside datasets with
403, malformed queries with 400), then streams oxigraph's answer back. It also enforces what
oxigraph does not always: a deadline per request and a cap on the response size. A response the
gate has to cut (deadline, size, or an in-body error message from oxigraph) ends without the
final chunk, so every HTTP client sees an error rather than a silently short result; and an
oxigraph process that outlived a deadline is replaced, since it may still be computing.

What one client can do to the others is bounded: the gate's check is a linear scan with size and
depth limits (no parser lock one request could hold); each peer address runs at most
`per_client` queries at once, and a peer whose queries ran past the time limit runs one at a
time, server-wide, for a while; a crash of the oxigraph process is answered by a restart, and the
requests it cut short before any answer reached their client are sent once more to the new one.
The served build is pinned (`kb.build.store.Pin`), so `kb build` never deletes it; the watchdog that
restarts oxigraph keeps retrying, with back-off, whatever fails. Cross-origin browser access is off
unless `cors` names the origins allowed; requests from other origins are refused before they run.

The oxigraph process listens on a private loopback port. It cannot call out (`kb.sparql.sandbox`),
and it serves the same public, read-only dataset, so a local process that reached it directly could
only run queries without the gate's limits; the watchdog restarts it if such a query kills it.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from kb.build.store import STORE, Pin, current_dir
from kb.config import Settings
from kb.errors import KbError, NotBuiltError
from kb.sparql.check import DATASET_GRAPHS, CheckedQuery, check_query
from kb.sparql.errors import QueryRefused, QuerySyntaxError
from kb.sparql.upstream import Upstream

QUERY_PATHS = ("/query", "/sparql")
_GRACE_S = 2.0  # beyond oxigraph's own timeout, before the gate cuts a response
_HOLD = 512  # bytes held back until the end, to catch oxigraph's in-body error messages
_CANCELLED = (b"The SPARQL operation has been cancelled", b"Internal server error")
_CORS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "600",
}
_STRIKE_WINDOW_S = 60.0  # how long a peer whose query ran past the time limit stays throttled
_RESTART_BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# A request cut short by a crash of oxigraph is sent again, unless it had run this long (it may be
# the query that exhausted the engine's memory).
_CRASH_SUSPECT_S = 2.0
# Form-encoding can write one character of a query as up to 18 bytes (%XX per UTF-8 byte, 4 bytes).
_BODY_BYTES_PER_CHAR = 18


class _UpstreamGone(Exception):
    """The oxigraph process died or vanished before answering."""


class ClientLimits:
    """At most `per_client` queries at once from one peer address; a peer whose query ran past the
    time limit in the last minute waits for the one server-wide slot for such peers."""

    def __init__(self, per_client: int):
        self.per_client = per_client
        self._lock = threading.Condition()
        self._running: dict[str, int] = {}
        self._strikes: dict[str, float] = {}
        self._suspect_busy = False

    def _suspect(self, client: str) -> bool:
        return time.monotonic() - self._strikes.get(client, -1e9) < _STRIKE_WINDOW_S

    def enter(self, client: str, wait_s: float) -> bool | None:
        """Wait up to `wait_s` for a slot. None when none came free; else whether the slot taken is
        the one for suspect peers (hand it back to `leave`)."""
        deadline = time.monotonic() + wait_s
        with self._lock:
            while True:
                suspect = self._suspect(client)
                if self._running.get(client, 0) < self.per_client and not (suspect and self._suspect_busy):
                    self._running[client] = self._running.get(client, 0) + 1
                    if suspect:
                        self._suspect_busy = True
                    return suspect
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._lock.wait(remaining)

    def strike(self, client: str) -> None:
        """`client`'s query ran past the time limit. Recorded before it hears so, so that its next
        query already counts as a suspect's."""
        with self._lock:
            self._strikes[client] = time.monotonic()

    def leave(self, client: str, held_suspect_slot: bool) -> None:
        with self._lock:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]
            if held_suspect_slot:
                self._suspect_busy = False
            self._lock.notify_all()


class Endpoint:
    """The gate plus the oxigraph process, serving the build that is current when it starts."""

    def __init__(
        self,
        settings: Settings,
        host: str = "127.0.0.1",
        port: int = 7878,
        *,
        timeout_s: float | None = None,
        max_response_mb: int = 64,
        memory_mb: int | None = None,
        follow: bool = False,
        cors: tuple[str, ...] = (),
        per_client: int = 16,
        log: Callable[[str], None] | None = None,
    ):
        build = current_dir(settings.build)
        if build is None or not (build / STORE).exists():
            raise NotBuiltError(settings.build)
        self.settings = settings
        self.build: Path = build  # resolved now: build/current is replaced by each `kb build`
        self._pins = [Pin(build)]  # so that `kb build` leaves it in place while it is served
        self.cors = tuple(origin.rstrip("/") for origin in cors)
        self.clients = ClientLimits(per_client)
        self.timeout_s = settings.query_timeout_s if timeout_s is None else timeout_s
        self.max_bytes = max_response_mb * 1024 * 1024
        # The server holds a thread (and its allocator arenas) per request: give it room.
        self.memory_mb = 4 * settings.query_memory_mb if memory_mb is None else memory_mb
        self.follow = follow
        self.log = log or (lambda message: None)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._upstream = Upstream(build / STORE, self.memory_mb)
        self._quarantine: Upstream | None = None
        try:
            self._server = _GateServer((host, port), _Handler)
        except OSError as error:
            self._upstream.kill()
            raise KbError(
                f"cannot listen on {host}:{port}: {error.strerror or error} "
                "(choose another --port, or stop what uses it)"
            ) from None
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

    def start(self) -> Endpoint:
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
            if self._quarantine is not None:
                self._quarantine.kill()
        for pin in self._pins:
            pin.release()

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the oxigraph processes ------------------------------------------------------------
    # Queries run in the main process. A peer whose query ran past the time limit is a suspect for a
    # minute (`ClientLimits`); its queries run one at a time in a second, quarantine process, started
    # when first needed, so that a runaway that exhausts memory takes down only that process.

    def acquire(self, quarantine: bool = False, wait_s: float = 30.0) -> Upstream:
        """The oxigraph process to send a query to, counted as busy until its `leave`; waits while
        one is being swapped in, and raises `_UpstreamGone` if none is ready within `wait_s`."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                upstream = self._quarantined() if quarantine else self._upstream
            except KbError as error:
                raise _UpstreamGone(str(error)) from None
            if upstream.enter():
                return upstream
            if time.monotonic() > deadline:
                raise _UpstreamGone("no SPARQL engine became ready")
            time.sleep(0.01)  # a replacement is being swapped in

    def _quarantined(self) -> Upstream:
        with self._lock:
            if self._quarantine is None or not (self._quarantine.alive or self._quarantine.retiring):
                self._quarantine = Upstream(self.build / STORE, self.settings.query_memory_mb)
            return self._quarantine

    def replace(self, stale: Upstream, reason: str, build: Path | None = None) -> None:
        """Swap in a fresh oxigraph process, on `build` if given (unless another thread already did).
        Raises `KbError` when the new process cannot start; the old one is then kept."""
        with self._lock:
            if stale is self._quarantine:
                self._quarantine = None  # started afresh when next needed
                stale.retire(0)
                return
            if self._upstream is not stale or self._stopping.is_set():
                return
            self.log(f"restarting the oxigraph server: {reason}")
            target = build or self.build
            pin = Pin(target) if target != self.build else None
            try:
                fresh = Upstream(target / STORE, self.memory_mb)
            except BaseException:
                if pin:
                    pin.release()
                raise
            self._upstream, self.build = fresh, target
            if pin:
                self._pins.append(pin)
                # The old build stays pinned while the old process finishes its requests.
                old_pins, self._pins = self._pins[:-2], self._pins[-2:]
                for old in old_pins:
                    old.release()
                if self._quarantine is not None:
                    self._quarantine.retire(self.timeout_s + _GRACE_S)
                    self._quarantine = None
        stale.retire(self.timeout_s + _GRACE_S)

    def _watch(self) -> None:
        """Restart a dead oxigraph process and (with `follow`) switch to new builds; never dies."""
        failures = 0
        while not self._stopping.wait(
            _RESTART_BACKOFF_S[min(failures, len(_RESTART_BACKOFF_S) - 1)] if failures else 1.0
        ):
            try:
                self._check_once()
                failures = 0
            except Exception as error:  # noqa: BLE001 - logged; the next round retries
                failures += 1
                self.log(f"watchdog: {type(error).__name__}: {error}; retrying")

    def _check_once(self) -> None:
        upstream = self._upstream
        if not upstream.alive and not upstream.retiring:
            self.replace(upstream, f"it stopped ({upstream.death_cause()})")
            upstream = self._upstream
        quarantine = self._quarantine
        if quarantine is not None and not quarantine.alive and not quarantine.retiring:
            self.replace(quarantine, "it stopped")
        latest = current_dir(self.settings.build)
        if latest is None or latest == self.build or not (latest / STORE).exists():
            return
        if self.follow:
            self.replace(upstream, f"a new build appeared: now serving {latest.name}", latest)
        elif self._noticed != latest:
            self._noticed = latest
            self.log(f"note: a newer build ({latest.name}) exists; restart `kb serve` (or use --follow) to serve it")

    def restart_after_crash(self, stale: Upstream) -> None:
        """Called by a request that could not reach the process or saw it fail: a process that no
        longer takes connections is finished off, and replaced now rather than at the watchdog's next
        round."""
        for _ in range(40):  # an aborting process takes a moment to go
            if not stale.alive:
                break
            time.sleep(0.05)
        else:
            stale.kill()
        try:
            self.replace(stale, f"it stopped ({stale.death_cause()})")
        except Exception as error:  # noqa: BLE001 - the watchdog keeps trying
            self.log(f"restart failed: {error}")

    def allows_origin(self, origin: str | None, host: str | None) -> bool:
        """Same-origin requests (the YASGUI page served here) and no Origin at all (curl, scripts)
        are allowed; other origins only when `cors` names them (or is "*")."""
        if not origin:
            return True
        origin = origin.rstrip("/")
        if host and origin in (f"http://{host}", f"https://{host}"):
            return True
        return "*" in self.cors or origin in self.cors


class _GateServer(ThreadingHTTPServer):
    """A thread per connection, but at most `max_connections` at once: beyond that a connection is
    answered 503 and closed at once, so a flood of idle or slow connections cannot take every thread
    and the memory their request bodies would hold."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    max_connections = 256
    endpoint: Endpoint

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._connections = threading.BoundedSemaphore(self.max_connections)

    def process_request(self, request, client_address):
        if not self._connections.acquire(blocking=False):
            try:
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n"
                    b"Retry-After: 2\r\n\r\n"
                )
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "glocal-kb-sparql"
    # A connection that sends nothing for this long (headers, body, or its next kept-alive request)
    # is closed: slow or idle clients do not hold a thread for ever.
    timeout = 30

    @property
    def endpoint(self) -> Endpoint:
        return self.server.endpoint

    def parse_request(self) -> bool:
        self._sent = False  # one handler serves every request of a kept-alive connection
        return super().parse_request()

    # -- routing ---------------------------------------------------------------------------
    def do_OPTIONS(self) -> None:
        if self._origin_allowed():
            self._plain(204, "")
        else:
            self._plain(403, self._origin_refusal())

    def do_GET(self) -> None:
        if not self._origin_allowed():
            return self._plain(403, self._origin_refusal())
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
        if not self._origin_allowed():
            return self._plain(403, self._origin_refusal())
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
            return self._plain(
                415, "send the query as application/sparql-query or application/x-www-form-urlencoded (query=...)"
            )
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
        settings = self.endpoint.settings
        try:
            checked = check_query(queries[0], max_chars=settings.query_max_chars, max_depth=settings.query_max_depth)
            for key in ("default-graph-uri", "named-graph-uri"):
                for iri in params.get(key, []):
                    if iri not in DATASET_GRAPHS:
                        raise QueryRefused(
                            f"{key} <{iri}> refused: only the dataset's own graphs may be named "
                            f"({', '.join(sorted(DATASET_GRAPHS))})",
                            "dataset",
                        )
        except QuerySyntaxError as error:
            return self._plain(400, str(error))
        except QueryRefused as error:
            return self._plain({"size": 413, "depth": 400}.get(error.reason, 403), str(error))
        forwarded = {"query": [checked.text]}  # the canonical text the gate wrote, never the caller's
        forwarded.update({k: v for k, v in params.items() if k in ("default-graph-uri", "named-graph-uri")})
        body = urlencode(forwarded, doseq=True).encode("utf-8")
        client = self.client_address[0]
        limits = self.endpoint.clients
        held = limits.enter(client, self.endpoint.timeout_s)
        if held is None:
            return self._plain(
                429,
                f"too many queries at once from {client} (at most {limits.per_client}, and one "
                "at a time after a query that ran past the time limit); wait for yours to finish",
                {"Retry-After": "2"},
            )
        try:
            self._forward(
                "POST", "/query", body, {"Content-Type": "application/x-www-form-urlencoded"}, checked, quarantine=held
            )
        finally:
            limits.leave(client, held)

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
        limit = _BODY_BYTES_PER_CHAR * self.endpoint.settings.query_max_chars
        if size > limit:
            self.close_connection = True  # the unread body would otherwise be taken for the next request
            self._plain(413, f"request body over {limit:,} bytes (setting query_max_chars)")
            return None
        return self.rfile.read(size)

    # -- forwarding ------------------------------------------------------------------------
    def _forward(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        checked: CheckedQuery | None = None,
        quarantine: bool = False,
    ) -> str:
        """Send the request to oxigraph and relay its answer; once more to a restarted oxigraph if it
        died before answering. Returns the outcome: ok, deadline, too large, cancelled..., error."""
        endpoint = self.endpoint
        started = time.monotonic()
        deadline = started + endpoint.timeout_s + _GRACE_S
        accept = self.headers.get("Accept")
        if accept:
            headers = {**headers, "Accept": accept}
        status, outcome = 502, "error"
        for attempt in (1, 2):
            try:
                upstream = endpoint.acquire(quarantine, wait_s=max(1.0, deadline - time.monotonic()))
            except _UpstreamGone:
                self._plain(503, "the SPARQL engine is restarting; try again in a few seconds", {"Retry-After": "5"})
                status, outcome = 503, "restarting"
                break
            self._upstream_build = upstream.store.parent.name
            try:
                status, outcome = self._exchange(upstream, method, path, body, headers, deadline, checked)
                break
            except _UpstreamGone:
                ran_long = time.monotonic() - started > _CRASH_SUSPECT_S
                endpoint.restart_after_crash(upstream)
                if ran_long:
                    # Which query exhausted the engine cannot be known; a long-running one is the
                    # likely culprit, so it is not run again, and its peer becomes a suspect.
                    endpoint.clients.strike(self.client_address[0])
                if attempt == 2 or ran_long or self._headers_sent():
                    if not self._headers_sent():
                        why = (
                            "it ran out of memory on this query (one query at a time from your address runs "
                            "apart from the others for a while)"
                            if quarantine
                            else "another query may have exhausted its memory"
                        )
                        self._plain(
                            503,
                            f"the SPARQL engine stopped while answering ({why}) and was restarted; "
                            "narrow the query, or run it again",
                            {"Retry-After": "1"},
                        )
                    status, outcome = 503, "engine restarted"
                    self.close_connection = True
                    break
            finally:
                upstream.leave()
        if outcome == "deadline":
            try:
                endpoint.replace(upstream, f"a request outlived its {endpoint.timeout_s:g} s time limit")
            except KbError as error:
                endpoint.log(f"restart failed: {error}")
        endpoint.log(
            f'{self.client_address[0]} "{self.command} {self.path[:80]}" {status} '
            f"{(time.monotonic() - started) * 1000:.0f} ms{'' if outcome == 'ok' else ' ' + outcome}"
        )
        return outcome

    def _exchange(
        self,
        upstream: Upstream,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        deadline: float,
        checked: CheckedQuery | None,
    ) -> tuple[int, str]:
        endpoint = self.endpoint
        status, outcome = 502, "error"
        connection = upstream.connection(endpoint.timeout_s + _GRACE_S)
        reusable = False
        try:
            try:
                reply = self._send(connection, method, path, body, headers)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had closed: once more on a fresh one.
                connection.close()
                connection = upstream.connection(endpoint.timeout_s + _GRACE_S, fresh=True)
                try:
                    reply = self._send(connection, method, path, body, headers)
                except (
                    ConnectionRefusedError,
                    http.client.RemoteDisconnected,
                    BrokenPipeError,
                    ConnectionResetError,
                ) as error:
                    raise _UpstreamGone(str(error)) from None
            except ConnectionRefusedError as error:
                raise _UpstreamGone(str(error)) from None
            status = reply.status
            if status == 500 and self._dies_soon(upstream):
                # It failed this request because it ran out of memory (another query's doing) and
                # aborted: the request goes to the restarted process instead.
                raise _UpstreamGone("the SPARQL engine failed and stopped")
            if status == 400 and checked is not None:
                message = reply.read(65536).decode("utf-8", "replace")
                self._plain(400, str(checked.engine_error(message.strip())))
                return 400, "ok"
            try:
                outcome = self._relay(reply, deadline, method == "HEAD")
            except (http.client.IncompleteRead, ConnectionResetError) as error:
                if not upstream.alive or not self._headers_sent():
                    raise _UpstreamGone(str(error)) from None
                raise
            reusable = outcome == "ok" and reply.isclosed() and not reply.will_close
        except _UpstreamGone:
            raise
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            time.sleep(0.05)
            if not upstream.alive:
                if self._headers_sent():
                    self.close_connection = True
                    return status, "engine died"
                raise _UpstreamGone(str(error)) from None
            if time.monotonic() >= deadline - 0.5 or isinstance(error, TimeoutError):
                outcome = "deadline"
                endpoint.clients.strike(self.client_address[0])
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
        return status, outcome

    @staticmethod
    def _dies_soon(upstream: Upstream, within_s: float = 1.0) -> bool:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if not upstream.alive:
                return True
            time.sleep(0.05)
        return False

    @staticmethod
    def _send(
        connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        connection.request(method, path, body=body, headers=headers)
        return connection.getresponse()

    def _relay(self, reply: http.client.HTTPResponse, deadline: float, head: bool) -> str:
        """Stream `reply` to the client; cut it (no final chunk) on deadline, size or an in-body error."""
        self.send_response(reply.status)
        for name in ("Content-Type", "Content-Disposition", "Cache-Control"):
            if reply.getheader(name):
                self.send_header(name, reply.getheader(name))
        self._cors_headers()
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
                self.endpoint.clients.strike(self.client_address[0])
                return self._cut("deadline")
            if sock is not None:
                sock.settimeout(remaining)
            chunk = reply.read1(65536) if hasattr(reply, "read1") else reply.read(65536)
            if not chunk:
                # http.client's read1 leaves a Content-Length response open at its end; read() marks
                # it done, or the connection is never reused and oxigraph keeps a thread for each
                # closed one (4,000 threads at its memory cap under 50 clients: HTTP 500, os error 11).
                reply.read()
                break
            held += chunk
            if len(held) > _HOLD:
                out, held = held[:-_HOLD], held[-_HOLD:]
                sent += len(out)
                if sent > self.endpoint.max_bytes:
                    return self._cut("too large")
                self._chunk(out)
        if any(marker in held for marker in _CANCELLED):
            self.endpoint.clients.strike(self.client_address[0])
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

    # -- cross-origin requests -------------------------------------------------------------
    def _origin_allowed(self) -> bool:
        return self.endpoint.allows_origin(self.headers.get("Origin"), self.headers.get("Host"))

    def _origin_refusal(self) -> str:
        return (
            f"requests from {self.headers.get('Origin')} are refused: cross-origin access is off "
            "(start `kb serve --cors ORIGIN` to allow a web application at ORIGIN)"
        )

    def _cors_headers(self) -> None:
        origin = self.headers.get("Origin")
        if origin and self._origin_allowed():
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
            for name, value in _CORS.items():
                self.send_header(name, value)

    # -- small answers ---------------------------------------------------------------------
    def _read_only(self) -> None:
        self._plain(
            403,
            "The server is read-only: SPARQL updates and Graph Store writes are refused "
            "(change corpus/ and run `kb build`)",
        )

    def _plain(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        data = (message + "\n").encode("utf-8") if message else b""
        self.send_response(status)
        self._cors_headers()
        for name, value in (headers or {}).items():
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
