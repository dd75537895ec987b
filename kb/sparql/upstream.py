"""The oxigraph server process behind `kb serve`: started read-only on one build's store, on a
loopback port of its own, with a memory cap; replaced by a fresh one when it must be.

Measured with oxigraph 0.5.13: its `--timeout-s` cancels most runaway queries, but not all (an
ORDER BY over a large cross product kept one core busy and grew past 4 GiB for minutes after the
client had gone), and it starts a thread per query that sleeps the whole timeout: at 380 queries a
second, 3,800 sleeping threads filled the address-space cap and thread creation failed (HTTP 500,
os error 11). So oxigraph runs without its own timeout: the endpoint replaces the process when a
request outlives its deadline (the old one ends as soon as its other requests have), and the process
runs under an address-space limit (it aborts instead of eating the machine).
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from kb.errors import KbError
from kb.sparql import sandbox, spawn

_START_TIMEOUT_S = 30.0
_IDLE_CONNECTIONS = 64
# Each request thread's stack: the engine recurses once per level of a query's nesting. The gate caps
# nesting (query_max_depth, 500); oxigraph's default 2 MiB stacks held 2,000 levels of every construct
# tried and overflowed at 4,000 (bench/abuse_serve.py's probe), so 8 MiB gives a margin of about 16.
# Larger stacks cost address space under the memory cap: a thread per kept-alive connection at
# 32 MiB each made thread creation fail under 50 clients (HTTP 500, os error 11).
_THREAD_STACK_BYTES = 8 * 1024 * 1024


def oxigraph_binary() -> str:
    """The `oxigraph` executable of the `oxigraph` package: next to this Python first, then on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise KbError("the oxigraph server is not installed; install the `oxigraph` package (pip install oxigraph)")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Upstream(spawn.Child):
    """One `oxigraph serve-read-only` process, counting the requests it is serving."""

    def __init__(self, store: Path, memory_mb: int):
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._active = 0
        self._lock = threading.Lock()
        self._idle: list[http.client.HTTPConnection] = []
        self.retiring = False
        command = [
            oxigraph_binary(),
            "serve-read-only",
            "--location",
            str(store),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--union-default-graph",
        ]
        # A thread per request, and glibc reserves a 64 MiB malloc arena per thread: under the
        # address-space cap, 50 clients made thread creation fail (EAGAIN). Two arenas suffice.
        environment = {**os.environ, "MALLOC_ARENA_MAX": "2", "RUST_MIN_STACK": str(_THREAD_STACK_BYTES)}
        super().__init__(
            command,
            tail=20,
            memory_mb=memory_mb,
            sandbox=sandbox.SERVER,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=environment,
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                time.sleep(0.1)  # let the drain thread collect the message
                message = self.last_errors[-1] if self.last_errors else f"exit status {self.process.returncode}"
                raise KbError(f"the oxigraph server stopped at start: {message}")
            try:
                with urllib.request.urlopen(self.url + "/query?query=ASK%7B%7D", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise KbError(f"the oxigraph server did not answer within {_START_TIMEOUT_S:g} s")

    def death_cause(self) -> str:
        """Why the process ended: its last line on stderr, or its exit status."""
        return self.last_errors[-1] if self.last_errors else f"exit {self.process.poll()}"

    def connection(self, timeout: float, fresh: bool = False) -> http.client.HTTPConnection:
        """A kept-alive connection to the server (a new one if `fresh`). Reusing them matters:
        measured under 50 clients, a fresh connection per request left oxigraph with thousands of
        threads at once."""
        with self._lock:
            if self._idle and not fresh:
                connection = self._idle.pop()
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                return connection
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self.retiring and len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def enter(self) -> bool:
        with self._lock:
            if self.retiring:
                return False
            self._active += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._active -= 1
            idle = self.retiring and self._active == 0
        if idle:
            self.kill()

    def retire(self, grace_s: float) -> None:
        """Take no new requests; stop once the running ones finish, or after `grace_s` at most."""
        with self._lock:
            self.retiring = True
            idle = self._active == 0
        if idle:
            self.kill()
            return
        timer = threading.Timer(grace_s, self.kill)
        timer.daemon = True
        timer.start()
