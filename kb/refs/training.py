"""Train the reference labeller: `python -m kb.refs.training [--out DIR] [--no-skeleton]`.

Training data: the real annotated strings of `bench/refs/train.refs` (never `eval.refs` or
`seed.refs`), each also varied a few times by swapping field contents between training strings of
the same script (the formatting stays real; the words change, so the model learns the skeleton
rather than the titles). The manifest records the hash of the data and the settings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

from kb.refs.annotations import AnnotatedReference, Span, read_annotated
from kb.refs.labeller import MODEL_DIR, train
from kb.refs.synthetic import render_training_strings

ROOT = Path(__file__).resolve().parents[2]
TRAIN_FILE = ROOT / "bench" / "refs" / "train.refs"
SWAPPED = ("author", "editor", "title", "container", "publisher", "place", "collection")
NUMBERS = ("year", "volume", "issue", "pages", "pagetotal")
VARIANTS = 4
RENDERED = 150
SEED = 13


def _script(text: str) -> str:
    return "cyr" if re.search(r"[а-яё]", text, re.I) else "lat"


def augment(references: list[AnnotatedReference], variants: int = VARIANTS, seed: int = SEED) -> list[AnnotatedReference]:
    rng = random.Random(seed)
    pool: dict[tuple[str, str], list[str]] = {}
    for ref in references:
        for span in ref.spans:
            if span.label in SWAPPED:
                value = ref.text[span.start:span.end]
                pool.setdefault((span.label, _script(value)), []).append(value)
    out = []
    for ref in references:
        for _ in range(variants):
            pieces, spans, pos, length = [], [], 0, 0
            for span in sorted(ref.spans, key=lambda s: s.start):
                before = ref.text[pos:span.start]
                value = ref.text[span.start:span.end]
                if span.label in SWAPPED and rng.random() < 0.7:
                    value = rng.choice(pool[(span.label, _script(value))])
                elif span.label in NUMBERS:
                    value = _vary_number(span.label, value, rng)
                pieces.append(before)
                length += len(before)
                spans.append(Span(span.label, length, length + len(value)))
                pieces.append(value)
                length += len(value)
                pos = span.end
            pieces.append(ref.text[pos:])
            out.append(AnnotatedReference("".join(pieces), tuple(spans), ref.kind, ref.lang, ref.style, ref.page,
                                          ref.line, ref.path))
    return out


def _vary_number(label: str, value: str, rng: random.Random) -> str:
    if label == "year":
        return re.sub(r"\d{4}", lambda m: str(rng.randint(1950, 2025)), value, count=1)
    def repl(m: re.Match) -> str:
        width = len(m.group())
        return str(rng.randint(1, 10 ** min(width, 4) - 1))
    return re.sub(r"\d+", repl, value)


def data_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR / "refs.crfsuite")
    parser.add_argument("--no-skeleton", action="store_true", help="train without the rule features (baseline)")
    parser.add_argument("--variants", type=int, default=VARIANTS)
    parser.add_argument("--rendered", type=int, default=RENDERED,
                        help="strings rendered per CSL style from training field values (0: none)")
    args = parser.parse_args(argv)
    references = read_annotated(TRAIN_FILE)
    varied = augment(references, args.variants)
    rendered = render_training_strings(references, args.rendered) if args.rendered else []
    data = references + varied + rendered
    manifest = {"data": str(TRAIN_FILE.relative_to(ROOT)), "data_sha256": data_hash([TRAIN_FILE]),
                "strings": len(references), "varied": len(varied), "rendered": len(rendered),
                "variants": args.variants, "rendered_per_style": args.rendered,
                "skeleton_features": not args.no_skeleton}
    path = train(data, args.out, with_skeleton=not args.no_skeleton,
                 manifest=manifest if args.out.parent == MODEL_DIR else None)
    print(f"trained on {len(references)} real strings, {len(varied)} varied, {len(rendered)} rendered -> {path}")


if __name__ == "__main__":
    main()
