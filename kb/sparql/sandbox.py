"""No network for the processes that evaluate queries, whatever the query says.

The gate (`kb.sparql.check`) refuses SERVICE, LOAD and outside datasets, but every engine here
would happily make the HTTP call if a query ever slipped past it. So the query workers and the
oxigraph server behind `kb serve` run under a seccomp filter, set between fork and exec and kept
across exec (with no_new_privs), that makes the kernel refuse them the system calls that reach
other machines:

- query workers (pyoxigraph behind pipes) may open no socket but a Unix one;
- the oxigraph server keeps its listening TCP socket but may not `connect`, send to an address,
  use TCP Fast Open, open datagram or raw sockets, or start io_uring (whose requests bypass seccomp).

Refused calls fail with EACCES, so a SERVICE clause that got through fails as a query error rather
than killing the process. The filter is compiled by libseccomp (through `pyseccomp`) in the parent
and only installed, with one prctl, in the child: nothing is allocated between fork and exec.
Where libseccomp or seccomp is missing (not Linux), `available()` says so and children run without
it; the gate still applies.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys
import tempfile
from functools import cache

WORKER = "worker"
SERVER = "server"
_MSG_FASTOPEN = 0x20000000
_SOCK_TYPE_MASK = 0xF
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@cache
def _program(kind: str) -> bytes | None:
    """The BPF program for `kind`, as libseccomp compiles it; None where it cannot be built."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):  # the package, or libseccomp.so.2 it loads, is missing
        return None
    deny = seccomp.ERRNO(errno.EACCES)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.add_rule(deny, "io_uring_setup")
    rules.add_rule(deny, "connect")
    if kind == WORKER:
        rules.add_rule(deny, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    else:
        for kind_of_socket in (socket.SOCK_DGRAM, socket.SOCK_RAW, socket.SOCK_SEQPACKET):
            rules.add_rule(deny, "socket", seccomp.Arg(1, seccomp.MASKED_EQ, _SOCK_TYPE_MASK, kind_of_socket))
        rules.add_rule(deny, "sendto", seccomp.Arg(4, seccomp.NE, 0))
        rules.add_rule(deny, "sendto", seccomp.Arg(3, seccomp.MASKED_EQ, _MSG_FASTOPEN, _MSG_FASTOPEN))
        rules.add_rule(deny, "sendmsg", seccomp.Arg(2, seccomp.MASKED_EQ, _MSG_FASTOPEN, _MSG_FASTOPEN))
        rules.add_rule(deny, "sendmmsg")
    with tempfile.TemporaryFile() as exported:
        rules.export_bpf(exported)
        exported.seek(0)
        return exported.read()


def available() -> bool:
    """True when children can be put in the sandbox here."""
    return _program(WORKER) is not None


def installer(kind: str | None):
    """A function the child runs between fork and exec to install the `kind` filter (None: no-op),
    with everything it touches made here, in the parent."""
    program = _program(kind) if kind else None
    if program is None:
        return lambda: None
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p).value)
    address = ctypes.addressof(fprog)

    def install() -> None:
        keep = (buffer, fprog)  # noqa: F841 - alive until exec
        if (
            prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            or prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, address, 0, 0) != 0
        ):
            os.write(2, b"glocal-kb: could not install the network sandbox; refusing to run unsandboxed\n")
            os._exit(70)

    return install
