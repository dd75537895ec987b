"""Starting child processes from one long-lived thread, each dying with this process.

Children ask Linux to kill them when their parent dies (PR_SET_PDEATHSIG), so that a killed
`kb serve` or UI leaves no oxigraph server or query worker behind. But "parent" there means the
thread that forked: a child started from a short-lived request thread would be killed as soon as
that thread ended. So every child is started from this one thread, which lives as long as the process.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from concurrent.futures import Future

_requests: queue.Queue[tuple[Future, tuple, dict]] = queue.Queue()
_started = threading.Lock()
_thread: threading.Thread | None = None


def popen(*args, memory_mb: int = 0, sandbox: str | None = None, stack_mb: int = 0, **kwargs) -> subprocess.Popen:
    """`subprocess.Popen(*args, **kwargs)`, run on the spawning thread; the child dies with this
    process and, given `memory_mb`, may use at most that much address space (RLIMIT_AS); given
    `sandbox` (`kb.sparql.sandbox.WORKER` or `SERVER`), it has no network; given `stack_mb`, its
    main thread may grow its stack that far (deeply nested queries recurse in the engine)."""
    global _thread
    with _started:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_serve, name="kb-spawner", daemon=True)
            _thread.start()
    future: Future = Future()
    _requests.put((future, args, {**kwargs, "preexec_fn": _limiter(memory_mb, sandbox, stack_mb)}))
    return future.result()


def _serve() -> None:
    while True:
        future, args, kwargs = _requests.get()
        try:
            future.set_result(subprocess.Popen(*args, **kwargs))
        except BaseException as error:  # handed back to the caller
            future.set_exception(error)


def _limiter(memory_mb: int, sandbox: str | None = None, stack_mb: int = 0):
    """What each child runs between fork and exec: ask to die with this process, cap its memory,
    raise its stack limit and shut it off from the network."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import resource
    import signal

    from kb.sparql.sandbox import installer

    # Resolved here, in the parent: importing or loading libraries between fork and exec can
    # deadlock on a lock another thread held at the fork.
    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        prctl = None
    parent = os.getpid()
    size = memory_mb * 1024 * 1024
    stack = stack_mb * 1024 * 1024
    stack_hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    if stack_hard != resource.RLIM_INFINITY:
        stack = min(stack, stack_hard)
    install_sandbox = installer(sandbox)

    def prepare() -> None:
        if prctl is not None:
            prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before the request above took effect
                os._exit(0)
        if size > 0:
            try:
                resource.setrlimit(resource.RLIMIT_AS, (size, size))
            except (ValueError, OSError):
                pass  # above the hard limit: the time limit still applies
        if stack > 0:
            try:
                resource.setrlimit(resource.RLIMIT_STACK, (stack, stack_hard))
            except (ValueError, OSError):
                pass  # above the hard limit: the depth limit of the gate still applies
        install_sandbox()

    return prepare


class Child:
    """A process started by `popen` with its stderr piped: a thread reads it, or a full pipe
    would block the child, and keeps the last `tail` lines, which explain a crash."""

    def __init__(self, *args, tail: int, memory_mb: int = 0, sandbox: str | None = None, stack_mb: int = 0, **kwargs):
        self.process = popen(
            *args, stderr=subprocess.PIPE, memory_mb=memory_mb, sandbox=sandbox, stack_mb=stack_mb, **kwargs
        )
        self.last_errors: list[str] = []
        self._tail = tail
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for raw in iter(self.process.stderr.readline, b""):
            self.last_errors = (self.last_errors + [raw.decode("utf-8", "replace").rstrip()])[-self._tail :]

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass  # stuck in the kernel; nothing more a signal can do
