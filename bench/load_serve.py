"""Bounded load test of `kb serve`: N concurrent clients for T seconds, loopback only.

    python bench/load_serve.py                     # 50 clients, 30 s, the real corpus's build
    KB_ROOT=bench/out/sparql-60k python bench/load_serve.py --clients 50 --seconds 30

Starts `kb serve` (the gate plus the oxigraph server) as its own process on a free port of
127.0.0.1, runs the clients in 5 worker processes of threads (so the clients do not share one
interpreter with each other or with the server), each client sending queries back to back from a
mix of named research queries and short lookups and reading every answer in full. A request
counts as an error unless it answers 200 with a complete, parseable SPARQL JSON body. The test
stops by itself after `--seconds`; then it checks the server still answers and stops it (SIGINT).
Reports throughput, latency percentiles and errors, and saves them to bench/out/load_serve.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOKUPS = [
    "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gkb:Claim }",
    "SELECT ?claim ?text WHERE { ?claim gkb:disputes ?other ; gkb:text ?text FILTER(LANG(?text) = 'en') } LIMIT 20",
    "SELECT ?source ?title WHERE { ?source fabio:hasPublicationYear ?y ; dcterms:title ?title } LIMIT 50",
    "ASK { ?c gkb:evidenceType evidence:case-study }",
]
NAMED = [
    "disputed-claims",
    "claims-on-theme",
    "evidence-gaps",
    "seed-argument-support",
    "russian-sources",
    "evidence-by-theme",
]


def query_mix() -> list[str]:
    from kb.rdf.namespace import PROLOGUE
    from kb.sparql import named_query

    return [PROLOGUE + q for q in LOOKUPS] + [named_query(n).standalone_text() for n in NAMED]


def client_process(url: str, queries: list[str], threads: int, seconds: float, offset: int, results) -> None:
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        index = number
        while time.monotonic() < deadline:
            query = queries[index % len(queries)]
            index += 1
            request = urllib.request.Request(
                url + "?" + urllib.parse.urlencode({"query": query}),
                headers={"Accept": "application/sparql-results+json"},
            )
            started = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=60) as reply:
                    body = reply.read()
                    document = json.loads(body)
                    ok = reply.status == 200 and ("results" in document or "boolean" in document)
                problem = None if ok else f"status {reply.status}"
            except urllib.error.HTTPError as error:
                problem = f"HTTP {error.code}: {error.read()[:100].decode('utf-8', 'replace')}"
            except Exception as error:  # any failure is an error of the run, recorded by kind
                problem = f"{type(error).__name__}: {str(error)[:80]}"
            elapsed = time.monotonic() - started
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    workers = [threading.Thread(target=client, args=(offset + i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=5)
    args = parser.parse_args()

    from kb.sparql.upstream import free_port

    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "kb"), "serve", "--port", str(port), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    banner = server.stdout.readline().strip()
    url = f"http://127.0.0.1:{port}/query"
    try:
        queries = query_mix()
        results: multiprocessing.Queue = multiprocessing.Queue()
        per_process = [
            args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)
        ]
        started = time.monotonic()
        processes = [
            multiprocessing.Process(
                target=client_process, args=(url, queries, n, args.seconds, sum(per_process[:i]), results)
            )
            for i, n in enumerate(per_process)
        ]
        for process in processes:
            process.start()
        latencies, errors = [], []
        for _ in processes:
            got_latencies, got_errors = results.get(timeout=args.seconds + 120)
            latencies += got_latencies
            errors += got_errors
        for process in processes:
            process.join()
        wall = time.monotonic() - started
        with urllib.request.urlopen(
            url + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}), timeout=10
        ) as reply:
            still_answering = reply.status == 200 and json.loads(reply.read())["boolean"] is True
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    report = {
        "served": banner,
        "clients": args.clients,
        "seconds": args.seconds,
        "wall_s": round(wall, 1),
        "requests": len(latencies),
        "throughput_per_s": round(len(latencies) / wall, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(0.95), 1),
        "p99_ms": round(percentile(0.99), 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "still_answering": still_answering,
        "server_exit": server.returncode,
    }
    out = ROOT / "bench" / "out" / "load_serve.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
