"""Starting child processes from one long-lived thread.

Children ask Linux to kill them when their parent dies (PR_SET_PDEATHSIG), so that a killed
`kb serve` or UI leaves no oxigraph server or query worker behind. But "parent" there means the
thread that forked: a child started from a short-lived request thread would be killed as soon as
that thread ended. So every child is started from this one thread, which lives as long as the process.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from concurrent.futures import Future

_requests: "queue.Queue[tuple[Future, tuple, dict]]" = queue.Queue()
_started = threading.Lock()
_thread: threading.Thread | None = None


def popen(*args, **kwargs) -> subprocess.Popen:
    """`subprocess.Popen(*args, **kwargs)`, run on the spawning thread."""
    global _thread
    with _started:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_serve, name="kb-spawner", daemon=True)
            _thread.start()
    future: Future = Future()
    _requests.put((future, args, kwargs))
    return future.result()


def _serve() -> None:
    while True:
        future, args, kwargs = _requests.get()
        try:
            future.set_result(subprocess.Popen(*args, **kwargs))
        except BaseException as error:  # handed back to the caller
            future.set_exception(error)
