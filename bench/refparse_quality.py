"""Reference parsing quality and speed on the real evaluation strings (never trained on).

    python bench/refparse_quality.py                 # F1 tables, whole-reference rate, speed, seed list
    python bench/refparse_quality.py --compare       # + the simpler alternatives: rules only, CRF without rules
    python bench/refparse_quality.py --errors 10     # + the most common errors left, with an example each
    python bench/refparse_quality.py --json          # everything as JSON

Data: bench/refs/eval.refs (real strings from published reference lists, the page of each named)
and bench/refs/seed.refs (the seed paper's own list). Fields are compared exactly after
normalising whitespace, dashes and quotes (kb.refs.normalise.compare_form).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
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


def group_of(ref) -> str:
    if ref.lang == "ru":
        return "Russian (Cyrillic)"
    return "English" if ref.lang == "en" else "mixed (Latin in Russian lists, transliterated)"


def evaluate(refs, method: str = "crf", labeller=None) -> dict:
    comparisons, by_lang, by_style, by_target = [], defaultdict(list), defaultdict(list), defaultdict(list)
    errors = []
    for ref in refs:
        parsed = parse_reference(ref.text, method, labeller=labeller)
        comparison = compare(gold_fields(ref), predicted_fields(parsed))
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
        return {"n": len(cs), "f1": round(o.f1, 3), "precision": round(o.precision, 3), "recall": round(o.recall, 3),
                "exact": round(e, 3)}

    return {
        "method": method, "n": len(refs), "overall": summary(comparisons),
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
    parse_reference(texts[0], labeller=labeller)            # model loaded once, outside the timing
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for text in texts:
            parse_reference(text, labeller=labeller)
        times.append(time.perf_counter() - start)
    return {"references": len(texts), "runs": runs, "median_s": round(statistics.median(times), 3),
            "min_s": round(min(times), 3), "max_s": round(max(times), 3)}


def seed_comparison() -> dict:
    """The seed's own list, parsed, against the curated records of corpus/references.bib."""
    from kb.config import Settings
    from kb.corpus.bibtex import read_bib_file
    from kb.bibliography.fields import full_title
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
            "title": [record.title, full_title(record)], "container": record.container_title,
            "year": str(record.year), "volume": record.volume, "issue": record.number,
            "pages": record.pages.replace("--", "-"), "publisher": record.publisher or record.institution,
            "place": record.location, "doi": record.doi, "url": record.url,
        }
        for name in FIELDS:
            c = curated.get(name)
            p, g = parsed.get(name), gold.get(name)
            if not c and not p:
                continue
            options = c if isinstance(c, list) and name == "title" else [c]
            def same(x):
                if name == "authors":
                    return x and c and [_key(a) for a in x] == [_key(a) for a in c]
                return x and any(o and _key(x) == _key(o) for o in options)
            def eq(x, y):
                return bool(x) and bool(y) and (x == y if name == "authors" else _key(str(x)) == _key(str(y)))
            if same(p):
                outcome = "agrees"
            elif not g and not p:
                outcome = "in the record, not in the string (nothing invented)"
            elif not g:
                outcome = "parse error (a field the string does not have)"
            elif eq(p, g):
                outcome = ("seed differs from the record (parsed as printed)" if c
                           else "in the string, not in the record (parsed as printed)")
            else:
                outcome = "parse error" + ("" if same(g) else " (and the seed differs from the record)")
            counts[outcome] += 1
            if outcome != "agrees":
                rows.append({"key": key, "field": name, "outcome": outcome, "curated": c if name != "title" else c[0],
                             "seed_string": g, "parsed": p})
    return {"references": len(seed_refs), "outcomes": dict(counts), "differences": rows}


def train_without_skeleton() -> object:
    from kb.refs.labeller import Labeller, train
    from kb.refs.synthetic import render_training_strings
    from kb.refs.training import RENDERED, TRAIN_FILE, VARIANTS, augment

    refs = read_annotated(TRAIN_FILE)
    data = refs + augment(refs, VARIANTS) + render_training_strings(refs, RENDERED)
    path = Path(tempfile.mkdtemp(prefix="kb-refs-")) / "plain.crfsuite"
    train(data, path, with_skeleton=False)
    return Labeller(path, with_skeleton=False)


def markdown(results: list[dict], seed: dict, timing: dict, top_errors: int) -> str:
    out = []
    head = "| field | " + " | ".join(r["method"] for r in results) + " |"
    out += ["### Field-level F1 (real evaluation strings, never trained on)", "", head,
            "|---|" + "---|" * len(results)]
    for name in FIELDS:
        out.append(f"| {name} | " + " | ".join(f"{r['fields'][name]['f1']:.3f}" for r in results) + " |")
    out.append("| **overall (micro)** | " + " | ".join(f"**{r['overall']['f1']:.3f}**" for r in results) + " |")
    out.append("| whole reference exactly right | " + " | ".join(f"{100 * r['overall']['exact']:.0f} %" for r in results) + " |")
    for title, key in (("Targets", "targets"), ("By language", "languages"), ("By style", "styles")):
        out += ["", f"### {title}", "", "| group | n | " + " | ".join(f"F1 {r['method']}" for r in results)
                + " | " + " | ".join(f"exact {r['method']}" for r in results) + " |",
                "|---|---|" + "---|" * (2 * len(results))]
        for group in results[0][key]:
            n = results[0][key][group]["n"]
            out.append(f"| {group} | {n} | " + " | ".join(f"{r[key][group]['f1']:.3f}" for r in results) + " | "
                       + " | ".join(f"{100 * r[key][group]['exact']:.0f} %" for r in results) + " |")
    out += ["", "### Speed", "", f"{timing['references']} references parsed in {timing['median_s']} s "
            f"(median of {timing['runs']} runs; min {timing['min_s']} s, max {timing['max_s']} s), one process, model loaded."]
    out += ["", "### The seed's own list against corpus/references.bib", "",
            "Outcomes per compared field: " + ", ".join(f"{k}: {v}" for k, v in sorted(seed["outcomes"].items())), "",
            "| record | field | outcome | curated record | seed string says | parsed |", "|---|---|---|---|---|---|"]
    for row in seed["differences"]:
        out.append(f"| {row['key']} | {row['field']} | {row['outcome']} | {_cell(row['curated'])} | "
                   f"{_cell(row['seed_string'])} | {_cell(row['parsed'])} |")
    if top_errors:
        errors = results[0]["_errors"]
        counter = Counter((name, kind) for name, kind, *_ in errors)
        out += ["", f"### The {top_errors} most common errors left ({results[0]['method']})", "",
                "| # | field | error | count | example (gold -> parsed) |", "|---|---|---|---|---|"]
        for rank, ((name, kind), count) in enumerate(counter.most_common(top_errors), 1):
            example = next(e for e in errors if e[0] == name and e[1] == kind)
            out.append(f"| {rank} | {name} | {kind} | {count} | {_cell(example[3])} -> {_cell(example[4])} "
                       f"({example[2].style}, {example[2].lang}) |")
    return "\n".join(out)


def _cell(value) -> str:
    if isinstance(value, list):
        value = "; ".join(value)
    text = str(value or "—").replace("|", "\\|")
    return text if len(text) <= 70 else text[:67] + "..."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="also measure rules only and the CRF without rule features")
    parser.add_argument("--errors", type=int, default=10, help="how many of the most common errors to list")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    refs = read_annotated(EVAL) + read_annotated(SEED)
    results = [evaluate(refs)]
    if args.compare:
        results.append(evaluate(refs, "rules"))
        plain = train_without_skeleton()
        result = evaluate(refs, "crf", plain)
        result["method"] = "crf-no-rules"
        results.append(result)
    timing = speed(refs)
    seed = seed_comparison()
    if args.json:
        for r in results:
            r.pop("_errors")
        print(json.dumps({"results": results, "speed": timing, "seed": seed}, ensure_ascii=False, indent=2))
        return
    print(markdown(results, seed, timing, args.errors))


if __name__ == "__main__":
    main()
