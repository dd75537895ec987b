"""Running checked queries with a time limit, a memory cap and a row limit.

Queries run in worker processes (`kb.sparql.worker`) that keep the store open between queries;
the worker of a query that runs past its time limit is killed (the only way to stop pyoxigraph)
and a fresh one is started for the next query. Workers are plain subprocesses rather than
multiprocessing children, so nothing of the caller (a Streamlit script, say) is re-imported in them.

A long-running process (the web UI) calls `keep_datasets_in_memory()`: its workers then copy a
dataset of up to `query_in_memory_max_triples` triples into memory. Measured (bench/sparql_named.py):
the named queries answer 1.7-3.3x faster on the real corpus and up to 3x at 157k triples (those
over 10 ms at most 9 % slower), for 1.2 s of start-up there; a one-shot `kb sparql` would never earn that back. At
938k triples the gain is mixed (0.6-2.5x: the queries written as hash joins for the disk store
lose in memory) for 7 s of start-up and 160 MiB a worker, hence the default limit of 500,000.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kb.build.store import STORE
from kb.sparql import sandbox, spawn
from kb.sparql.check import check_query
from kb.sparql.errors import QueryError, QueryFailed, QueryTimeout
from kb.sparql.terms import QueryResult, Term, from_tuple, to_tuple

if TYPE_CHECKING:
    from kb.knowledge_base import KnowledgeBase

# Starting a worker is Python start-up plus opening the store (about 0.2 s); allow for a busy machine.
# Copying a dataset into memory adds about 7 s per million triples.
_START_TIMEOUT_S = 30.0
_IN_MEMORY_START_TIMEOUT_S = 180.0
_IDLE_WORKERS_PER_STORE = 2
# The engine recurses once per level of a query's nesting; the gate caps that (query_max_depth), and
# this stack gives the cap a wide margin (8 MiB overflowed at about 4,000 levels, bench/abuse_serve.py).
_STACK_MB = 64


def run_query(
    knowledge_base: KnowledgeBase,
    text: str,
    *,
    timeout_s: float | None = None,
    max_rows: int | None = None,
    allow_service: bool = False,
    allow_external_datasets: bool = False,
    bindings: Mapping[str, Term] | None = None,
) -> QueryResult:
    """Check and run one query on the built knowledge base; the project prefixes are predeclared.

    `timeout_s` and `max_rows` default to the settings `query_timeout_s` and `query_max_rows`;
    a result longer than `max_rows` comes back cut, with `truncated` set. `bindings` fixes
    variables before evaluation (SEP-0007 substitution; a SELECT must project them).
    Raises `QuerySyntaxError`, `QueryRefused`, `QueryTimeout` or `QueryFailed`.
    """
    settings = knowledge_base.settings
    checked = check_query(
        text,
        allow_service=allow_service,
        allow_external_datasets=allow_external_datasets,
        max_chars=settings.query_max_chars,
        max_depth=settings.query_max_depth,
    )
    timeout = settings.query_timeout_s if timeout_s is None else timeout_s
    limit = settings.query_max_rows if max_rows is None else max_rows
    if timeout <= 0 or limit < 0:
        raise QueryError("the time limit must be positive and the row limit not negative")
    request = {
        "text": checked.text,  # the canonical text the gate wrote, never the caller's
        # pyoxigraph's union default graph would silently override FROM / FROM NAMED.
        "union": not checked.has_dataset,
        "max_rows": limit,
        "substitutions": {name: to_tuple(term) for name, term in (bindings or {}).items()},
    }
    started = time.perf_counter()
    triples = knowledge_base.manifest.get("counts", {}).get("triples")
    in_memory = POOL.in_memory and triples is not None and triples <= settings.query_in_memory_max_triples
    kind, payload = POOL.run(
        knowledge_base.path / STORE,
        settings.query_memory_mb,
        request,
        timeout,
        in_memory=in_memory,
        network=allow_service,
    )
    if kind == "syntax":
        raise checked.engine_error(payload)
    if kind != "ok":
        raise QueryFailed(f"the query failed: {payload}")
    return QueryResult(
        form=checked.form,
        variables=tuple(payload.get("variables", ())),
        bindings=tuple(
            {name: from_tuple(value) for name, value in zip(payload["variables"], row) if value is not None}
            for row in payload.get("rows", ())
        ),
        boolean=payload.get("boolean"),
        triples=tuple(tuple(from_tuple(part) for part in triple) for triple in payload.get("triples", ())),
        truncated=payload.get("truncated", False),
        max_rows=limit,
        elapsed_s=time.perf_counter() - started,
    )


class WorkerKind(NamedTuple):
    """What a worker was started for; idle workers are reused only for the same kind."""

    store: str
    memory_mb: int
    in_memory: bool
    network: bool


class _Worker(spawn.Child):
    """One worker process and the two pipe ends the parent talks to it through."""

    def __init__(self, store: Path, memory_mb: int, in_memory: bool = False, network: bool = False):
        from multiprocessing.connection import Connection

        self.key = WorkerKind(str(store), memory_mb, in_memory, network)
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            # Its stderr (Rust's out-of-memory message, say) explains a death; piped, it does not
            # reach the user's terminal or the UI's log as noise.
            super().__init__(
                [
                    sys.executable,
                    "-m",
                    "kb.sparql.worker",
                    "--store",
                    str(store),
                    "--requests",
                    str(request_read),
                    "--replies",
                    str(reply_write),
                ]
                + (["--in-memory"] if in_memory else []),
                tail=10,
                memory_mb=memory_mb,
                pass_fds=(request_read, reply_write),
                stdin=subprocess.DEVNULL,
                # Only an explicit --allow-service (the CLI's opt-in) gets a worker that may call out.
                sandbox=None if network else sandbox.WORKER,
                stack_mb=_STACK_MB,
                close_fds=True,
                env={**os.environ, "RUST_BACKTRACE": "0"},
            )
        finally:
            os.close(request_read)
            os.close(reply_write)
        self.requests = Connection(request_write, readable=False)
        self.replies = Connection(reply_read, writable=False)
        kind, detail = self._receive(
            _IN_MEMORY_START_TIMEOUT_S if in_memory else _START_TIMEOUT_S, "starting the query worker"
        )
        if kind != "ready":
            self.kill()
            raise QueryFailed(detail or "the query worker did not start")

    def ask(self, request: dict, timeout: float, nominal: float | None = None) -> tuple:
        try:
            self.requests.send(request)
        except OSError:
            self.kill()
            raise QueryFailed("the query worker stopped unexpectedly; run the query again") from None
        return self._receive(timeout, None, nominal)

    def _receive(self, timeout: float, starting: str | None, nominal: float | None = None) -> tuple:
        try:
            ready = self.replies.poll(timeout)
            if ready:
                return self.replies.recv()
        except (EOFError, OSError):
            self.kill()
            raise QueryFailed(self._death_reason()) from None
        self.kill()
        if starting:
            raise QueryFailed(f"timed out {starting} ({timeout:g} s)")
        raise QueryTimeout(
            f"the query was stopped after {nominal or timeout:g} s (setting query_timeout_s, KB_QUERY_TIMEOUT_S); "
            "narrow the pattern, add LIMIT, or raise the limit"
        )

    def _death_reason(self) -> str:
        code = self.process.wait(timeout=5)
        time.sleep(0.05)  # let the drain thread read the last words
        out_of_memory = any("memory allocation" in line or "MemoryError" in line for line in self.last_errors)
        if out_of_memory or code in (-6, -9, 134, 137):
            return (
                f"the query worker died (exit {code}), most likely out of memory (setting query_memory_mb, "
                "KB_QUERY_MEMORY_MB); narrow the query or raise the limit"
            )
        return f"the query worker died (exit {code})"

    def close(self) -> None:
        """Ask the worker to exit (it does on end of input), then make sure it did."""
        for end in (self.requests, self.replies):
            try:
                end.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        super().kill()
        for end in (self.requests, self.replies):
            try:
                end.close()
            except OSError:
                pass


class WorkerPool:
    """Idle workers per store, reused across queries; at most `size` queries run at once."""

    def __init__(self, size: int | None = None):
        self.size = size or max(2, os.cpu_count() or 2)
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.Lock()
        self._idle: dict[WorkerKind, list[_Worker]] = {}
        self.in_memory = False

    def run(
        self, store: Path, memory_mb: int, request: dict, timeout: float, in_memory: bool = False, network: bool = False
    ) -> tuple:
        waited = time.perf_counter()
        if not self._slots.acquire(timeout=timeout):
            raise QueryTimeout(f"no query slot became free within {timeout:g} s ({self.size} queries running)")
        try:
            # Waiting for a slot counts against the query's time; starting a worker does not (it has
            # its own limit, and copying a large dataset into memory takes seconds).
            remaining = max(0.001, timeout - (time.perf_counter() - waited))
            worker = self._take(WorkerKind(str(store), memory_mb, in_memory, network))
            if worker is None:
                worker = _Worker(store, memory_mb, in_memory, network)
            done = False
            try:
                reply = worker.ask(request, remaining, timeout)
                done = True
                return reply
            finally:
                if done and worker.alive:
                    self._give_back(worker)
                else:
                    worker.kill()
        finally:
            self._slots.release()

    def _take(self, key: WorkerKind) -> _Worker | None:
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                worker = idle.pop()
                if worker.alive:
                    return worker
        return None

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            # Workers of other stores (an older build) are not needed once a newer one is in use.
            for key in [k for k in self._idle if k != worker.key]:
                for old in self._idle.pop(key):
                    old.close()
            idle = self._idle.setdefault(worker.key, [])
            if len(idle) < _IDLE_WORKERS_PER_STORE:
                idle.append(worker)
                return
        worker.close()

    def close(self) -> None:
        with self._lock:
            workers = [w for idle in self._idle.values() for w in idle]
            self._idle.clear()
        for worker in workers:
            worker.close()


POOL = WorkerPool()
atexit.register(POOL.close)


def keep_datasets_in_memory(knowledge_base=None) -> None:
    """From now on, query workers of this process copy small enough datasets into memory (see the
    module's note). Workers still start on the first query; given a knowledge base, one is started
    now (a benchmark's warm-up), so no timed query waits for it."""
    POOL.in_memory = True
    if knowledge_base is not None:
        run_query(knowledge_base, "ASK {}", timeout_s=60)
