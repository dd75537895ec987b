"""Where the time of the multi-join goes on pyoxigraph: index lookups and term decoding, on disk
and in memory.

    python bench/sparql_multijoin.py [--repeats 10]

Needs the 938k-triple dataset that `python bench/sparql_engines.py` leaves in bench/out/sparql-60k.
Builds the multi-join of bench/sparql_engines.py (labels joined by hash) one join at a time, each
step counted inside the engine (COUNT: nothing decoded for the caller), then the full answer
iterated as the engine benchmark does, on the on-disk store kb uses (RocksDB, read-only) and on an
in-memory copy. The differences between steps are the cost of each join; divided by the rows that
drive it, the cost per lookup.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sparql_engines import median_time  # noqa: E402

from kb.rdf.namespace import PREFIXES  # noqa: E402

CLAIMS = "?claim dcterms:subject theme:local-buzz ."
STEPS = [
    # (step, patterns added, index lookups added per claim)
    ("claims on the theme (one index range)", CLAIMS, 0),
    ("+ source and evidence type of each claim", "?claim dcterms:source ?source ; gkb:evidenceType ?evidence .", 2),
    ("+ author and year of each source", "?source dcterms:creator ?author ; fabio:hasPublicationYear ?year .", 2),
    ("+ the names of each author", "?author foaf:name ?name .", 1),
    (
        "+ English label of the evidence type, joined by hash (7 rows)",
        '{ SELECT ?evidence ?label WHERE { ?evidence skos:prefLabel ?label FILTER(LANG(?label) = "en") } }',
        0,
    ),
]
PROJECTION = "?claim ?name ?year ?label"


def median_ms(store, text: str, repeats: int) -> tuple[float, int]:
    seconds, rows, _ = median_time(
        lambda: sum(1 for _ in store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)),
        repeats,
        float("inf"),
    )
    return seconds * 1000, rows


def count(store, patterns: list[str]) -> int:
    text = "SELECT (COUNT(*) AS ?n) WHERE {\n" + "\n".join(patterns) + "\n}"
    return int(next(iter(store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)))["n"].value)


def timings(store, repeats: int) -> tuple[list[float], float, int]:
    """Each step counted inside the engine, then the full answer iterated: ms, ms, rows."""
    patterns, steps = [], []
    for _, added, _ in STEPS:
        patterns.append(added)
        steps.append(median_ms(store, "SELECT (COUNT(*) AS ?n) WHERE {\n" + "\n".join(patterns) + "\n}", repeats)[0])
    full, rows = median_ms(store, f"SELECT {PROJECTION} WHERE {{\n" + "\n".join(patterns) + "\n}", repeats)
    return steps, full, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--dataset", type=Path, default=ROOT / "bench" / "out" / "sparql-60k")
    args = parser.parse_args()
    import pyoxigraph

    on_disk = pyoxigraph.Store.read_only(str(args.dataset / "build" / "current" / "store"))
    claims = count(on_disk, [CLAIMS])
    counts = [count(on_disk, [added for _, added, _ in STEPS[: i + 1]]) for i in range(len(STEPS))]
    # The on-disk store first: an in-memory store of the same size in this process slows RocksDB
    # lookups here by about 2x (measured), so it is loaded only afterwards.
    disk = timings(on_disk, args.repeats)
    in_memory = pyoxigraph.Store()
    in_memory.bulk_load(path=str(args.dataset / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    memory = timings(in_memory, args.repeats)
    print(f"{len(on_disk):,} triples; {claims:,} claims on theme:local-buzz\n")
    print("| step (each counted inside the engine) | rows | on disk | per lookup | in memory | per lookup |")
    print("|---|---|---|---|---|---|")
    for i, (step, _, lookups) in enumerate(STEPS):
        cells = [step, f"{counts[i]:,}"]
        for steps, _, _ in (disk, memory):
            added = steps[i] - (steps[i - 1] if i else 0)
            cells += [f"{steps[i]:.1f} ms", f"{added * 1000 / (claims * lookups):.1f} µs" if lookups else "-"]
        print("| " + " | ".join(cells) + " |")
    cells = ["the same answer iterated in Python (4 terms a row)", f"{disk[2]:,}"]
    for steps, full, rows in (disk, memory):
        cells += [f"{full:.1f} ms", f"{(full - steps[-1]) * 1000 / (rows * 4):.2f} µs a term"]
    print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
