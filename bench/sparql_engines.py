"""SPARQL at about one million triples: load time and query latency, rdflib in memory vs pyoxigraph.

    python bench/sparql_engines.py                       # 60,000 synthetic claims, ~1M triples
    python bench/sparql_engines.py --claims 6000 --quick # a smaller smoke run

Makes a synthetic corpus with bench/synthetic.py (kept in bench/out/, never in corpus/), maps it
to RDF with the project's own mapping (kb.rdf.chunks, as `kb build` does, minus SHACL), and writes
a build folder `bench/out/sparql-<N>/build` that `kb sparql`, `kb serve` and bench/load_serve.py
can use (`KB_ROOT=bench/out/sparql-<N> kb sparql ...`). Then it times:

  * loading the N-Quads: pyoxigraph bulk_load into an on-disk store vs rdflib Dataset.parse;
  * five representative queries on both engines (median of repeated runs), some also in a second
    form that answers the same question (checked: the same rows as the form as written, on every
    engine, and the same rows on every engine);
  * the same through `kb.sparql.run_query` (checked, in a worker process: what the CLI and UI pay);
  * the same on pyoxigraph with an in-memory store (what kb does not use: for comparison, with
    its load time and memory);
  * every named query of the library on pyoxigraph through run_query.

Results are printed as Markdown and saved to bench/out/sparql-<N>/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.rdf.namespace import PREFIXES, PROLOGUE  # noqa: E402
from kb.sparql.terms import XSD  # noqa: E402

QUERIES = {
    "multi-join": """
        SELECT ?claim ?name ?year ?label WHERE {
          ?claim dcterms:subject theme:local-buzz ; dcterms:source ?source ; gkb:evidenceType ?evidence .
          ?source dcterms:creator ?author ; fabio:hasPublicationYear ?year .
          ?author foaf:name ?name .
          ?evidence skos:prefLabel ?label FILTER(LANG(?label) = "en")
        }""",
    # The same question with the evidence labels (7 rows) in a subquery, joined by hash rather
    # than looked up and filtered by language for each of the 11,202 rows.
    "multi-join, labels joined by hash": """
        SELECT ?claim ?name ?year ?label WHERE {
          ?claim dcterms:subject theme:local-buzz ; dcterms:source ?source ; gkb:evidenceType ?evidence .
          ?source dcterms:creator ?author ; fabio:hasPublicationYear ?year .
          ?author foaf:name ?name .
          { SELECT ?evidence ?label WHERE { ?evidence skos:prefLabel ?label FILTER(LANG(?label) = "en") } }
        }""",
    "aggregate": """
        SELECT ?theme ?evidence (COUNT(?claim) AS ?claims) WHERE {
          ?claim dcterms:subject ?theme ; gkb:evidenceType ?evidence .
        } GROUP BY ?theme ?evidence""",
    # The same question written so that oxigraph joins two scans by hash (as the named queries do).
    "aggregate, hash-join form": """
        SELECT ?theme ?evidence (COUNT(?claim) AS ?claims) WHERE {
          { SELECT ?claim ?theme WHERE { ?claim dcterms:subject ?theme } }
          { SELECT ?claim ?evidence WHERE { ?claim gkb:evidenceType ?evidence } }
        } GROUP BY ?theme ?evidence""",
    "filter-on-year": """
        SELECT ?source ?title ?year WHERE {
          ?source fabio:hasPublicationYear ?year ; dcterms:title ?title .
          FILTER(xsd:integer(STR(?year)) >= 2000 && xsd:integer(STR(?year)) < 2005)
        }""",
    "text-filter": """
        SELECT ?claim ?text WHERE {
          ?claim gkb:text ?text .
          FILTER(LANG(?text) = "en" && CONTAINS(LCASE(?text), "trust between partners"))
        }""",
    "path-broader*": """
        SELECT (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
          ?theme skos:broader* theme:proximity .
          ?claim dcterms:subject ?theme .
        }""",
}
# A second form of a question -> the query as written; both must give the same rows.
SAME_QUESTION = {"multi-join, labels joined by hash": "multi-join", "aggregate, hash-join form": "aggregate"}


def make_dataset(out: Path, claims: int) -> Path:
    """The synthetic corpus mapped to N-Quads with the project's mapping; cached in `out`."""
    nquads = out / "dataset.nq"
    if nquads.exists():
        return nquads
    from synthetic import generate
    from tqdm import tqdm

    from kb.corpus.loader import load_corpus
    from kb.rdf.chunks import map_bib_file, map_claims_file, ontology_chunk
    from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph

    started = time.perf_counter()
    generate(out / "corpus-root", claims)
    ontology = load_ontology_graph(out / "corpus-root" / "ontology")
    corpus = load_corpus(out / "corpus-root" / "corpus", vocabulary_from_graph(ontology))
    parts, entities = [ontology_chunk(ontology)], set()
    by_source: dict[str, list] = {}
    for claim in corpus.claims.values():
        by_source.setdefault(claim.source_key, []).append(claim)
    sources = list(corpus.sources.values())
    for start in tqdm(range(0, len(sources), 500), desc="mapping sources"):
        own, shared = map_bib_file(sources[start : start + 500])
        parts.append(own)
        entities.update(shared.splitlines(keepends=True))
    for claim_list in tqdm(by_source.values(), desc="mapping claims"):
        own, shared = map_claims_file(claim_list)
        parts.append(own)
        entities.update(shared.splitlines(keepends=True))
    parts.append(b"".join(sorted(entities)))
    nquads.write_bytes(b"".join(parts))
    shutil.rmtree(out / "corpus-root")
    print(
        f"dataset: {len(corpus.claims):,} claims, {len(corpus.sources):,} sources, "
        f"mapped in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return nquads


def load_oxigraph(nquads: Path, out: Path) -> tuple[float, int]:
    """Bulk-load into a store laid out as a `kb build` folder, so the CLI and server can use it."""
    import pyoxigraph

    build = out / "build"
    if build.exists():
        shutil.rmtree(build)
    dataset = build / "dataset-bench"
    dataset.mkdir(parents=True)
    started = time.perf_counter()
    store = pyoxigraph.Store(str(dataset / "store"))
    store.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - started
    triples = len(store)
    del store
    (dataset / "manifest.json").write_text(
        json.dumps({"built_at": "synthetic benchmark dataset", "counts": {"triples": triples}}), encoding="utf-8"
    )
    (build / "current").symlink_to(dataset.name)
    return seconds, triples


def load_rdflib(nquads: Path):
    from rdflib import Dataset

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(str(nquads), format="nquads")
    return time.perf_counter() - started, dataset


def load_oxigraph_in_memory(nquads: Path):
    """The same engine with its in-memory storage instead of RocksDB on disk: seconds, MiB, store."""
    import pyoxigraph

    before = _resident_mib()
    started = time.perf_counter()
    store = pyoxigraph.Store()
    store.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    return time.perf_counter() - started, _resident_mib() - before, store


def _resident_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def median_time(run, repeats: int, budget_s: float) -> tuple[float, int, int]:
    """Median seconds over up to `repeats` runs (fewer once `budget_s` is spent), rows, runs."""
    times, rows = [], 0
    spent = time.perf_counter()
    for _ in range(repeats):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
        if time.perf_counter() - spent > budget_s:
            break
    return statistics.median(times), rows, len(times)


def oxigraph_rows(store, text: str) -> Counter:
    """The answer as a multiset of rows of plain values, to compare engines and forms (untimed)."""
    return Counter(
        tuple(_plain(term) for term in solution)
        for solution in store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    )


def rdflib_rows(dataset, text: str) -> Counter:
    return Counter(tuple(_plain(term) for term in row) for row in dataset.query(PROLOGUE + text))


def _plain(term) -> tuple | None:
    """(kind, lexical value, language or datatype) of a pyoxigraph or rdflib term; None when unbound."""
    if term is None:
        return None
    from_oxigraph = type(term).__module__.startswith("pyoxigraph")
    kind = type(term).__name__
    if kind in ("NamedNode", "URIRef"):
        return ("iri", term.value if from_oxigraph else str(term))
    if kind == "Literal":
        if from_oxigraph:
            return ("literal", term.value, term.language or term.datatype.value)
        return ("literal", str(term), term.language or str(term.datatype or XSD + "string"))
    return ("blank",)


def check_same_question(answers: dict[str, Counter], engine: str) -> None:
    """A second form must answer exactly as the query as written (same rows, same counts)."""
    for form, original in SAME_QUESTION.items():
        if form in answers and original in answers:
            assert answers[form] == answers[original], f"{engine}: '{form}' answers differently from '{original}'"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=60000)
    parser.add_argument("--repeats", type=int, default=10, help="runs per query on pyoxigraph (median)")
    parser.add_argument("--rdflib-repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip rdflib and the in-memory store")
    args = parser.parse_args()
    out = ROOT / "bench" / "out" / f"sparql-{args.claims // 1000}k"
    out.mkdir(parents=True, exist_ok=True)
    nquads = make_dataset(out, args.claims)

    import pyoxigraph

    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.sparql import named_queries, run_named_query, run_query

    results: dict = {"claims": args.claims, "nquads_mb": round(nquads.stat().st_size / 2**20, 1)}
    results["oxigraph_load_s"], results["triples"] = load_oxigraph(nquads, out)
    print(f"{results['triples']:,} triples; pyoxigraph bulk_load {results['oxigraph_load_s']:.1f} s", file=sys.stderr)
    store = pyoxigraph.Store.read_only(str(out / "build" / "dataset-bench" / "store"))
    settings = Settings(root=out, build_dir=out / "build", query_timeout_s=60, query_max_rows=10**7)
    kb = KnowledgeBase(settings)
    # Named queries as users get them: with the default row limit (KB_QUERY_MAX_ROWS).
    kb_default = KnowledgeBase(Settings(root=out, build_dir=out / "build", query_timeout_s=60))

    def oxigraph_runner(on, text):
        return lambda: sum(1 for _ in on.query(text, prefixes=PREFIXES, use_default_graph_as_union=True))

    rows, answers = {}, {}
    for name, text in QUERIES.items():
        engine = median_time(oxigraph_runner(store, text), args.repeats, 60)
        through = median_time(lambda t=text: len(run_query(kb, t)), args.repeats, 60)
        rows[name] = {"oxigraph_ms": engine[0] * 1000, "run_query_ms": through[0] * 1000, "rows": engine[1]}
        assert engine[1] == through[1], name
        answers[name] = oxigraph_rows(store, text)
        print(
            f"{name}: pyoxigraph {engine[0] * 1000:.1f} ms, run_query {through[0] * 1000:.1f} ms, {engine[1]} rows",
            file=sys.stderr,
        )
    check_same_question(answers, "pyoxigraph")

    named = {}
    for query in named_queries():
        timing = median_time(lambda q=query: len(run_named_query(kb_default, q.name)), max(5, args.repeats // 2), 60)
        full = len(run_named_query(kb, query.name))
        named[query.name] = {"run_query_ms": timing[0] * 1000, "rows": timing[1], "all_rows": full}
        print(f"named {query.name}: {timing[0] * 1000:.1f} ms, {timing[1]} rows", file=sys.stderr)
    results["named"] = named

    if not args.quick:
        results["memory_load_s"], results["memory_mib"], in_memory = load_oxigraph_in_memory(nquads)
        print(
            f"pyoxigraph in memory: bulk_load {results['memory_load_s']:.1f} s, {results['memory_mib']:.0f} MiB",
            file=sys.stderr,
        )
        for name, text in QUERIES.items():
            timing = median_time(oxigraph_runner(in_memory, text), args.repeats, 60)
            rows[name]["memory_ms"] = timing[0] * 1000
            assert oxigraph_rows(in_memory, text) == answers[name], (name, "in memory")
            print(f"{name}: pyoxigraph in memory {timing[0] * 1000:.1f} ms", file=sys.stderr)
        del in_memory
        results["rdflib_load_s"], dataset = load_rdflib(nquads)
        print(f"rdflib parse {results['rdflib_load_s']:.1f} s", file=sys.stderr)
        rdflib_answers = {}
        for name, text in QUERIES.items():
            timing = median_time(lambda t=text: sum(1 for _ in dataset.query(PROLOGUE + t)), args.rdflib_repeats, 300)
            rows[name].update(rdflib_ms=timing[0] * 1000, rdflib_runs=timing[2])
            rdflib_answers[name] = rdflib_rows(dataset, text)
            assert rdflib_answers[name] == answers[name], (name, "rdflib and pyoxigraph answer differently")
            print(f"{name}: rdflib {timing[0] * 1000:.0f} ms", file=sys.stderr)
        check_same_question(rdflib_answers, "rdflib")
    results["queries"] = rows
    (out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(report(results))


def report(results: dict) -> str:
    lines = [
        f"{results['triples']:,} triples ({results['claims']:,} synthetic claims, "
        f"{results['nquads_mb']} MB of N-Quads)",
        "",
        "| step | rdflib (in memory) | pyoxigraph (on disk) | ratio | pyoxigraph in memory |",
        "|---|---|---|---|---|",
    ]
    rdflib_load = results.get("rdflib_load_s")
    memory = (
        f"{results['memory_load_s']:.1f} s, {results['memory_mib']:,.0f} MiB" if "memory_load_s" in results else "-"
    )
    lines.append(
        f"| load | {rdflib_load:.1f} s | {results['oxigraph_load_s']:.1f} s | "
        f"{rdflib_load / results['oxigraph_load_s']:.0f}x | {memory} |"
        if rdflib_load
        else f"| load | - | {results['oxigraph_load_s']:.1f} s | - | {memory} |"
    )
    lines += [
        "",
        "| query | rows | rdflib | pyoxigraph | ratio | `run_query` (checked, worker) | pyoxigraph in memory | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results["queries"].items():
        rdf, memory = row.get("rdflib_ms"), row.get("memory_ms")
        lines.append(
            " | ".join(
                [
                    f"| {name}",
                    f"{row['rows']:,}",
                    _ms(rdf) if rdf else "-",
                    _ms(row["oxigraph_ms"]),
                    f"{rdf / row['oxigraph_ms']:.0f}x" if rdf else "-",
                    _ms(row["run_query_ms"]),
                    _ms(memory) if memory else "-",
                    f"{rdf / memory:.0f}x |" if rdf and memory else "- |",
                ]
            )
        )
    best = _best_of_each(results["queries"])
    if best:
        lines += [
            "",
            "| question | rdflib, its fastest form | pyoxigraph, its fastest form | ratio |",
            "|---|---|---|---|",
        ]
        for question, (rdf, oxi) in best.items():
            lines.append(f"| {question} | {_ms(rdf)} | {_ms(oxi)} | {rdf / oxi:.0f}x |")
    lines += ["", "| named query | rows returned (of all) | `run_query` median |", "|---|---|---|"]
    for name, row in results["named"].items():
        shown = f"{row['rows']:,}" + (f" (of {row['all_rows']:,})" if row["all_rows"] != row["rows"] else "")
        lines.append(f"| {name} | {shown} | {_ms(row['run_query_ms'])} |")
    return "\n".join(lines)


def _best_of_each(queries: dict) -> dict[str, tuple[float, float]]:
    """Per question asked in more than one form: each engine's fastest form (on-disk pyoxigraph)."""
    forms: dict[str, list[str]] = {}
    for form, original in SAME_QUESTION.items():
        forms.setdefault(original, [original]).append(form)
    return {
        question: (min(queries[n]["rdflib_ms"] for n in names), min(queries[n]["oxigraph_ms"] for n in names))
        for question, names in forms.items()
        if all("rdflib_ms" in queries[n] for n in names)
    }


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


if __name__ == "__main__":
    main()
