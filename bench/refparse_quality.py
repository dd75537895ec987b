"""Reference parsing quality and speed on real reference strings.

    python bench/refparse_quality.py                 # eval split: F1 tables, whole-reference rate, speed, seed list
    python bench/refparse_quality.py --compare       # + the simpler alternatives: rules only, CRF without rules
    python bench/refparse_quality.py --errors 10     # + the most common errors left, with an example each
    python bench/refparse_quality.py --split dev     # tuning: the dev split, with a model trained on train.refs only
    python bench/refparse_quality.py --split cv      # tuning: 5-fold cross-validation over the pages of train.refs
    python bench/refparse_quality.py --json          # everything as JSON

Data: bench/refs/eval.refs (real strings from published reference lists, the page of each named)
and bench/refs/seed.refs (the seed paper's own list) for the figures; bench/refs/dev.refs and
bench/refs/train.refs for tuning (docs/reference-parsing.md says which split is used for what).
Fields are compared exactly after normalising whitespace, dashes and quotes
(kb.refs.normalise.compare_form). Journals' "cite this article" lines are scored apart and left
out of the headline figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.refs.annotations import read_annotated  # noqa: E402
from kb.refs.evaluation import FIELDS, compare, gold_fields, predicted_fields, totals  # noqa: E402
from kb.refs.parser import parse_reference  # noqa: E402

EVAL = ROOT / "bench" / "refs" / "eval.refs"
SEED = ROOT / "bench" / "refs" / "seed.refs"
DEV = ROOT / "bench" / "refs" / "dev.refs"
TRAIN = ROOT / "bench" / "refs" / "train.refs"
CACHE = ROOT / "bench" / "out" / "refs-models"
FOLDS = 5
TRAINING_CODE = (
    "annotations.py",
    "features.py",
    "labeller.py",
    "names.py",
    "skeleton.py",
    "synthetic.py",
    "tokens.py",
    "training.py",
)


def group_of(ref) -> str:
    if ref.lang == "ru":
        return "Russian (Cyrillic)"
    return "English" if ref.lang == "en" else "mixed (Latin in Russian lists, transliterated)"


def evaluate(refs, method: str = "crf", labeller=None, labellers: dict | None = None, fresh: bool = False) -> dict:
    """Scores over `refs`; `labellers` maps a reference to its own labeller (cross-validation)."""
    comparisons, by_lang, by_style, by_target = [], defaultdict(list), defaultdict(list), defaultdict(list)
    errors, cite_lines, second_pass = [], [], []
    for ref in refs:
        own = (labellers or {}).get(id(ref), labeller)
        parsed = parse_reference(ref.text, method, labeller=own)
        comparison = compare(gold_fields(ref), predicted_fields(parsed))
        if ref.cite_line:
            cite_lines.append(comparison)
            continue
        if ref.second_pass:
            second_pass.append(comparison)
        comparisons.append(comparison)
        by_lang[group_of(ref)].append(comparison)
        by_style[ref.style].append(comparison)
        if ref.lang == "ru" and ref.style == "gost":
            by_target["Russian GOST"].append(comparison)
        elif ref.lang == "en":
            by_target["English styles"].append(comparison)
        else:
            by_target["mixed"].append(comparison)
        for name, gold, predicted in comparison.errors:
            errors.append((name, _kind(gold, predicted), ref, gold, predicted))
    per_field, overall, exact = totals(comparisons)

    def summary(cs):
        _, o, e = totals(cs)
        return {
            "n": len(cs),
            "f1": round(o.f1, 3),
            "precision": round(o.precision, 3),
            "recall": round(o.recall, 3),
            "exact": round(e, 3),
        }

    if fresh and second_pass and len(second_pass) < len(comparisons):
        by_target["all, second-pass pages only (never seen while tuning)"] = second_pass
    if cite_lines:
        by_target["journals' 'cite this article' lines (not in the figures above)"] = cite_lines
    return {
        "method": method,
        "n": len(comparisons),
        "overall": summary(comparisons),
        "fields": {k: {"f1": round(v.f1, 3), "tp": v.tp, "fp": v.fp, "fn": v.fn} for k, v in per_field.items()},
        "targets": {k: summary(v) for k, v in by_target.items()},
        "languages": {k: summary(v) for k, v in sorted(by_lang.items())},
        "styles": {k: summary(v) for k, v in sorted(by_style.items())},
        "_errors": errors,
    }


def _kind(gold: str, predicted: str) -> str:
    if not predicted:
        return "missed"
    if not gold:
        return "spurious"
    g, p = gold.casefold(), predicted.casefold()
    if g in p:
        return "too long"
    if p in g:
        return "too short"
    return "wrong"


def speed(refs, runs: int = 5) -> dict:
    from kb.refs.labeller import default_labeller

    texts = [r.text for r in refs][:100]
    labeller = default_labeller()
    parse_reference(texts[0], labeller=labeller)  # model loaded once, outside the timing
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for text in texts:
            parse_reference(text, labeller=labeller)
        times.append(time.perf_counter() - start)
    return {
        "references": len(texts),
        "runs": runs,
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
    }


def seed_comparison() -> dict:
    """The seed's own list, parsed, against the curated records of corpus/references.bib."""
    from kb.bibliography.fields import full_title
    from kb.config import Settings
    from kb.corpus.bibtex import read_bib_file
    from kb.refs.evaluation import _key

    settings = Settings.from_env(root=ROOT)
    sources = {s.key: s for s in read_bib_file(settings.corpus / "references.bib")}
    cites = sources["islankina2015glocalization"].cites
    seed_refs = read_annotated(SEED)
    rows, counts = [], Counter()
    for ref, key in zip(seed_refs, cites):
        record = sources[key]
        parsed = predicted_fields(parse_reference(ref.text))
        gold = gold_fields(ref)
        people = record.authors or ()
        curated = {
            "authors": [p.family or p.literal for p in people],
            "title": [record.title, full_title(record)],
            "container": record.container_title,
            "year": str(record.year),
            "volume": record.volume,
            "issue": record.number,
            "pages": record.pages.replace("--", "-"),
            "publisher": record.publisher or record.institution,
            "place": record.location,
            "doi": record.doi,
            "url": record.url,
        }
        for name in FIELDS:
            c = curated.get(name)
            p, g = parsed.get(name), gold.get(name)
            if not c and not p:
                continue
            options = c if isinstance(c, list) and name == "title" else [c]

            def same(x, name=name, c=c, options=options):
                if name == "authors":
                    return x and c and [_key(a) for a in x] == [_key(a) for a in c]
                return x and any(o and _key(x) == _key(o) for o in options)

            def eq(x, y, name=name):
                return bool(x) and bool(y) and (x == y if name == "authors" else _key(str(x)) == _key(str(y)))

            if same(p):
                outcome = "agrees"
            elif not g and not p:
                outcome = "in the record, not in the string (nothing invented)"
            elif not g:
                outcome = "parse error (a field the string does not have)"
            elif eq(p, g):
                outcome = (
                    "seed differs from the record (parsed as printed)"
                    if c
                    else "in the string, not in the record (parsed as printed)"
                )
            else:
                outcome = "parse error" + ("" if same(g) else " (and the seed differs from the record)")
            counts[outcome] += 1
            if outcome != "agrees":
                rows.append(
                    {
                        "key": key,
                        "field": name,
                        "outcome": outcome,
                        "curated": c if name != "title" else c[0],
                        "seed_string": g,
                        "parsed": p,
                    }
                )
    return {"references": len(seed_refs), "outcomes": dict(counts), "differences": rows}


def cached_model(files, with_skeleton: bool = True, references=None, tag: str = "") -> object:
    """A labeller trained on `files` (or `references`), kept in bench/out/ by the hash of its data."""
    import hashlib

    from kb.refs.labeller import Labeller
    from kb.refs.training import train_model

    digest = hashlib.sha256()
    for f in files:
        digest.update(Path(f).read_bytes())
    for ref in references or ():
        digest.update(ref.text.encode("utf-8"))
    for name in TRAINING_CODE:  # what a trained model depends on
        digest.update((ROOT / "kb" / "refs" / name).read_bytes())
    path = CACHE / f"{tag or 'model'}-{int(with_skeleton)}-{digest.hexdigest()[:12]}.crfsuite"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        train_model(files, path, with_skeleton=with_skeleton, references=references)
    return Labeller(path, with_skeleton=with_skeleton)


def train_without_skeleton(files) -> object:
    return cached_model(files, with_skeleton=False, tag="plain")


def cv_labellers(refs, with_skeleton: bool = True) -> dict:
    """Each training string's labeller: one trained on the other folds (whole pages; AnyStyle by string)."""
    from kb.refs.training import TRAIN_FILE

    sys.path.insert(0, str(ROOT / "bench" / "refs"))
    from split import POOLS, bucket

    fold_of = {id(r): bucket(r.text if any(p in r.page for p in POOLS) else r.page) % FOLDS for r in refs}
    out = {}
    for fold in range(FOLDS):
        rest = [r for r in refs if fold_of[id(r)] != fold]
        labeller = cached_model([TRAIN_FILE], with_skeleton, references=rest, tag=f"cv{fold}")
        out.update({id(r): labeller for r in refs if fold_of[id(r)] == fold})
    return out


SPLIT_TITLES = {
    "eval": "real evaluation strings, never trained on",
    "dev": "dev split, model trained on train.refs only",
    "cv": f"train.refs, {FOLDS}-fold cross-validation by page",
}


def markdown(results: list[dict], seed: dict, timing: dict, top_errors: int, split: str = "eval") -> str:
    out = []
    head = "| field | " + " | ".join(r["method"] for r in results) + " |"
    out += [f"### Field-level F1 ({SPLIT_TITLES[split]})", "", head, "|---|" + "---|" * len(results)]
    for name in FIELDS:
        out.append(f"| {name} | " + " | ".join(f"{r['fields'][name]['f1']:.3f}" for r in results) + " |")
    out.append("| **overall (micro)** | " + " | ".join(f"**{r['overall']['f1']:.3f}**" for r in results) + " |")
    out.append(
        "| whole reference exactly right | "
        + " | ".join(f"{100 * r['overall']['exact']:.0f} %" for r in results)
        + " |"
    )
    for title, key in (("Targets", "targets"), ("By language", "languages"), ("By style", "styles")):
        out += [
            "",
            f"### {title}",
            "",
            "| group | n | "
            + " | ".join(f"F1 {r['method']}" for r in results)
            + " | "
            + " | ".join(f"exact {r['method']}" for r in results)
            + " |",
            "|---|---|" + "---|" * (2 * len(results)),
        ]
        for group in results[0][key]:
            n = results[0][key][group]["n"]
            out.append(
                f"| {group} | {n} | "
                + " | ".join(f"{r[key][group]['f1']:.3f}" for r in results)
                + " | "
                + " | ".join(f"{100 * r[key][group]['exact']:.0f} %" for r in results)
                + " |"
            )
    out += [
        "",
        "### Speed",
        "",
        f"{timing['references']} references parsed in {timing['median_s']} s "
        f"(median of {timing['runs']} runs; min {timing['min_s']} s, max {timing['max_s']} s), one process, model loaded.",
    ]
    if not seed["references"]:
        out += [""]
    else:
        out += [
            "",
            "### The seed's own list against corpus/references.bib",
            "",
            "Outcomes per compared field: " + ", ".join(f"{k}: {v}" for k, v in sorted(seed["outcomes"].items())),
            "",
            "| record | field | outcome | curated record | seed string says | parsed |",
            "|---|---|---|---|---|---|",
        ]
    for row in seed["differences"]:
        out.append(
            f"| {row['key']} | {row['field']} | {row['outcome']} | {_cell(row['curated'])} | "
            f"{_cell(row['seed_string'])} | {_cell(row['parsed'])} |"
        )
    if top_errors:
        errors = results[0]["_errors"]
        counter = Counter((name, kind) for name, kind, *_ in errors)
        out += [
            "",
            f"### The {top_errors} most common errors left ({results[0]['method']})",
            "",
            "| # | field | error | count | example (gold -> parsed) |",
            "|---|---|---|---|---|",
        ]
        for rank, ((name, kind), count) in enumerate(counter.most_common(top_errors), 1):
            example = next(e for e in errors if e[0] == name and e[1] == kind)
            out.append(
                f"| {rank} | {name} | {kind} | {count} | {_cell(example[3])} -> {_cell(example[4])} "
                f"({example[2].style}, {example[2].lang}) |"
            )
    return "\n".join(out)


def _cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(value)
    text = str(value or "—").replace("|", "\\|")
    return text if len(text) <= 70 else text[:67] + "..."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compare", action="store_true", help="also measure rules only and the CRF without rule features"
    )
    parser.add_argument("--errors", type=int, default=10, help="how many of the most common errors to list")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--split",
        choices=("eval", "dev", "cv"),
        default="eval",
        help="eval: the figures (shipped model); dev, cv: for tuning, never eval",
    )
    args = parser.parse_args()
    from kb.refs.training import TRAIN_FILES, TRAIN_ONLY

    if args.split == "eval":
        refs = read_annotated(EVAL) + read_annotated(SEED)
        results = [evaluate(refs, fresh=True)]
        files = TRAIN_FILES
    elif args.split == "dev":
        refs = read_annotated(DEV)
        results = [evaluate(refs, labeller=cached_model(TRAIN_ONLY, tag="train-only"))]
        files = TRAIN_ONLY
    else:
        refs = read_annotated(TRAIN)
        results = [evaluate(refs, labellers=cv_labellers(refs))]
        files = TRAIN_ONLY
    if args.compare:
        results.append(evaluate(refs, "rules", fresh=args.split == "eval"))
        if args.split == "cv":
            result = evaluate(refs, "crf", labellers=cv_labellers(refs, with_skeleton=False))
        else:
            result = evaluate(refs, "crf", train_without_skeleton(files), fresh=args.split == "eval")
        result["method"] = "crf-no-rules"
        results.append(result)
    timing = speed([r for r in refs if not r.cite_line])
    seed = seed_comparison() if args.split == "eval" else {"references": 0, "outcomes": {}, "differences": []}
    if args.json:
        for r in results:
            r.pop("_errors")
        print(json.dumps({"results": results, "speed": timing, "seed": seed}, ensure_ascii=False, indent=2))
        return
    print(markdown(results, seed, timing, args.errors, args.split))


if __name__ == "__main__":
    main()
