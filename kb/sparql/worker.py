"""A query worker: a child process that owns a read-only store and answers queries over a pipe.

pyoxigraph has no query timeout or cancellation, and a query is evaluated inside one call that
holds its thread, so a runaway query can only be stopped from outside. Running it here lets the
parent (`kb.sparql.runner`) kill this process when time is up; a memory cap (RLIMIT_AS, set by
`kb.sparql.spawn` as it starts this process) makes a query that would eat the machine fail instead,
and the process dies with its parent.

    python -m kb.sparql.worker --store PATH --requests FD --replies FD [--in-memory]

With `--in-memory` the worker copies the dataset into an in-memory store before it says it is
ready: index lookups there cost a third of the on-disk store's (bench/sparql_multijoin.py), so
joins evaluated row by row run 3-4x faster (bench/sparql_engines.py: multi-join 207 -> 45 ms at
938k triples), for about 7 s of start-up and 160 MiB per million triples, which only a
long-running process (the web UI) earns back; see `kb.sparql.runner`.

Requests and replies are pickled tuples (see `answer`); only the parent writes to this pipe.
"""

from __future__ import annotations

import argparse
import sys

from kb.sparql.terms import from_oxigraph, to_oxigraph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="glocal-kb SPARQL query worker (started by kb.sparql.runner)")
    parser.add_argument("--store", required=True)
    parser.add_argument("--requests", type=int, required=True, help="file descriptor to read requests from")
    parser.add_argument("--replies", type=int, required=True, help="file descriptor to write replies to")
    parser.add_argument("--in-memory", action="store_true", help="copy the dataset into memory first")
    args = parser.parse_args(argv)
    from multiprocessing.connection import Connection

    inbox = Connection(args.requests, writable=False)
    outbox = Connection(args.replies, readable=False)
    import pyoxigraph

    try:
        store = pyoxigraph.Store.read_only(args.store)
        if args.in_memory:
            store = copy_into_memory(store)
    except (OSError, MemoryError) as error:
        into = " into memory" if args.in_memory else ""
        outbox.send(("failed", f"cannot open the store at {args.store}{into}: {error or type(error).__name__}"))
        return 1
    outbox.send(("ready", None))
    while True:
        try:
            request = inbox.recv()
        except (EOFError, OSError):
            return 0
        if request is None:
            return 0
        outbox.send(answer(store, request))


def copy_into_memory(store):
    """An in-memory copy of a store, quad by quad (6.7 s for 938k triples; dumping N-Quads and
    bulk-loading them took 7.9 s and held the 175 MB text in memory besides)."""
    import pyoxigraph

    copy = pyoxigraph.Store()
    copy.bulk_extend(store)
    return copy


def answer(store, request: dict) -> tuple:
    """Run one query; reply ("ok", payload), ("syntax", message) or ("failed", message)."""
    import pyoxigraph

    max_rows = request["max_rows"]
    try:
        substitutions = {
            pyoxigraph.Variable(name): to_oxigraph(term) for name, term in (request.get("substitutions") or {}).items()
        }
        results = store.query(
            request["text"], use_default_graph_as_union=request["union"], substitutions=substitutions or None
        )
        payload: dict = {}
        if isinstance(results, pyoxigraph.QueryBoolean):
            payload["boolean"] = bool(results)
        elif isinstance(results, pyoxigraph.QuerySolutions):
            payload["variables"] = tuple(v.value for v in results.variables)
            payload["rows"], payload["truncated"] = _take(
                (tuple(from_oxigraph(t) for t in solution) for solution in results), max_rows
            )
        else:
            payload["triples"], payload["truncated"] = _take(
                ((from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object)) for t in results),
                max_rows,
            )
        return ("ok", payload)
    except SyntaxError as error:
        return ("syntax", str(error))
    except MemoryError:
        return ("failed", "the query ran out of memory")
    except Exception as error:  # evaluation errors: SERVICE failures, bad substitutions, I/O
        return ("failed", f"{type(error).__name__}: {error}")


def _take(items, limit: int) -> tuple[list, bool]:
    taken = []
    for item in items:
        if len(taken) >= limit:
            return taken, True
        taken.append(item)
    return taken, False


if __name__ == "__main__":
    sys.exit(main())
