"""What hostile clients do to the other clients of `kb serve`: the crash, stall and runaway scenarios.

    python bench/abuse_serve.py                        # every scenario, 40 s each, the real corpus's build
    python bench/abuse_serve.py --scenario runaway --seconds 60

Starts `kb serve` (the gate plus the oxigraph server) as its own process on a free port of
127.0.0.1. Victims, two clients on 127.0.0.10 and 127.0.0.11 (Linux routes all of 127/8 to
loopback, so each client is a peer address of its own to the per-client limits), send a mix of
small real queries back to back with a short pause, while attackers on 127.0.0.2-5 do one of:

- crash: a 16 KB `ASK { FILTER(1+1+...+1) }` of 8,000 terms (killed oxigraph before the depth
  limit), sent back to back by four attackers; and, to exercise the crash path itself, the
  oxigraph child is killed with SIGKILL every 5 s (as if a query had taken it down).
- stall: a 98 KB query of 12,000 nested-looking terms (27 s of parsing for the old rdflib gate),
  sent back to back by four attackers.
- runaway: `SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g`, the ORDER BY over
  a cross product that drove oxigraph to its memory cap every 4-6 s, back to back from four attackers.

A victim's request succeeds when it answers 200 with a complete, parseable SPARQL JSON body. Reports,
per scenario, the victims' success rate and latency percentiles and what the attackers got
(status counts), and saves them to bench/out/abuse_serve.json. Targets (issue 10): victim success
>= 99 %, p95 latency of victim queries under attack <= 2 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VICTIM_QUERIES = [
    "SELECT (COUNT(?c) AS ?n) WHERE { ?c a gkb:Claim }",
    "SELECT ?claim ?text WHERE { ?claim gkb:disputes ?other ; gkb:text ?text FILTER(LANG(?text) = 'en') } LIMIT 20",
    "SELECT ?source ?title WHERE { ?source fabio:hasPublicationYear ?y ; dcterms:title ?title } LIMIT 50",
    "ASK { ?c gkb:evidenceType evidence:case-study }",
]
ATTACKS = {
    "crash": "ASK { FILTER(" + "+".join(["1"] * 8000) + ") }",
    "stall": "SELECT * WHERE { FILTER(" + " || ".join(f"(?x{i % 50} = {i})" for i in range(12000))[:98_000] + ") }",
    "runaway": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g",
}
VICTIMS = ("127.0.0.10", "127.0.0.11")
ATTACKERS = ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")


def post(port: int, source: str, query: str, timeout: float = 30.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        body = urllib.parse.urlencode({"query": query}).encode()
        connection.request(
            "POST",
            "/query",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        )
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def victim(port: int, source: str, queries: list[str], stop: threading.Event, results: list) -> None:
    index = 0
    while not stop.is_set():
        started = time.monotonic()
        try:
            status, body = post(port, source, queries[index % len(queries)])
            ok = status == 200 and ("results" in json.loads(body) or "boolean" in json.loads(body))
            outcome = "ok" if ok else f"HTTP {status}"
        except Exception as error:  # noqa: BLE001 - every failure is a victim's failure
            outcome = type(error).__name__
        results.append((outcome, time.monotonic() - started))
        index += 1
        stop.wait(0.1)


def attacker(port: int, source: str, query: str, stop: threading.Event, statuses: dict) -> None:
    while not stop.is_set():
        try:
            status, _ = post(port, source, query, timeout=60)
            key = f"HTTP {status}"
        except Exception as error:  # noqa: BLE001
            key = type(error).__name__
        statuses[key] = statuses.get(key, 0) + 1
        if key == "HTTP 429":
            stop.wait(0.2)


def oxigraph_children(server: subprocess.Popen) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if parent == server.pid and b"serve-read-only" in command:
                found.append(int(entry.name))
    return found


def killer(server: subprocess.Popen, stop: threading.Event, kills: list) -> None:
    while not stop.wait(5.0):
        for pid in oxigraph_children(server):
            try:
                os.kill(pid, signal.SIGKILL)
                kills.append(pid)
            except ProcessLookupError:
                pass


def start_server(port: int, log: Path | None = None) -> subprocess.Popen:
    kb = Path(sys.executable).parent / "kb"
    server = subprocess.Popen(
        [str(kb), "--root", str(ROOT), "serve", "--port", str(port)] + ([] if log else ["--quiet"]),
        stdout=subprocess.PIPE,
        stderr=open(log, "w") if log else subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if post(port, VICTIMS[0], "ASK {}", timeout=2)[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("kb serve did not start")


def run(scenario: str, seconds: float, port: int, queries: list[str], log: Path | None = None) -> dict:
    server = start_server(port, log)
    stop = threading.Event()
    victims: list = []
    statuses: dict = {}
    kills: list = []
    threads = [threading.Thread(target=victim, args=(port, source, queries, stop, victims)) for source in VICTIMS]
    threads += [
        threading.Thread(target=attacker, args=(port, source, ATTACKS[scenario], stop, statuses))
        for source in ATTACKERS
    ]
    if scenario == "crash":
        threads.append(threading.Thread(target=killer, args=(server, stop, kills)))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    alive_after = post(port, VICTIMS[0], queries[0])[0] == 200
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    latencies = sorted(latency for _, latency in victims)
    ok = sum(1 for outcome, _ in victims if outcome == "ok")
    failures: dict = {}
    for outcome, _ in victims:
        if outcome != "ok":
            failures[outcome] = failures.get(outcome, 0) + 1
    return {
        "scenario": scenario,
        "seconds": seconds,
        "victim_requests": len(victims),
        "victim_success": ok / len(victims) if victims else 0.0,
        "victim_failures": failures,
        "victim_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "victim_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1) if latencies else None,
        "victim_max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "attacker_statuses": statuses,
        "oxigraph_killed": len(kills),
        "answers_after": alive_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=[*ATTACKS, "all"], default="all")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--log", type=Path, default=None, help="write the server's request log here")
    args = parser.parse_args()
    from kb.rdf.namespace import PROLOGUE
    from kb.sparql.upstream import free_port

    queries = [PROLOGUE + q for q in VICTIM_QUERIES]
    scenarios = list(ATTACKS) if args.scenario == "all" else [args.scenario]
    report = []
    for scenario in scenarios:
        result = run(scenario, args.seconds, free_port(), queries, args.log)
        report.append(result)
        print(
            f"{scenario:8} victims {result['victim_requests']:5} requests, success {result['victim_success']:.2%}, "
            f"p50 {result['victim_p50_ms']} ms, p95 {result['victim_p95_ms']} ms, max {result['victim_max_ms']} ms; "
            f"failures {result['victim_failures']}; attackers {result['attacker_statuses']}; "
            f"oxigraph killed {result['oxigraph_killed']}x; answers after: {result['answers_after']}",
            flush=True,
        )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "abuse_serve.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
