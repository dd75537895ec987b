"""Train the reference labeller: `python -m kb.refs.training [--out FILE] [--no-skeleton] [--dev-out]`.

Training data: the real annotated strings of `bench/refs/train.refs` and `bench/refs/dev.refs`
(never `eval.refs` or `seed.refs`), each also varied a few times by swapping field contents between
training strings of the same script (the formatting stays real; the words change, so the model
learns the skeleton rather than the titles), plus strings rendered by the project's CSL styles. The
dev split is what rules and features are tuned on, with a model trained on `train.refs` alone
(`train_model(TRAIN_ONLY, path)`); the shipped model then learns from both, decided before any
look at the evaluation split. The manifest records the hash of the data and the settings.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from pathlib import Path

from kb.refs.annotations import AnnotatedReference, Span, read_annotated
from kb.refs.labeller import MODEL_DIR, train
from kb.refs.synthetic import render_training_strings

ROOT = Path(__file__).resolve().parents[2]
TRAIN_FILE = ROOT / "bench" / "refs" / "train.refs"
DEV_FILE = ROOT / "bench" / "refs" / "dev.refs"
TRAIN_FILES = (TRAIN_FILE, DEV_FILE)  # the shipped model
TRAIN_ONLY = (TRAIN_FILE,)  # the model rules and features are tuned with, on dev
SWAPPED = ("author", "editor", "title", "container", "publisher", "place", "collection")
NUMBERS = ("year", "volume", "issue", "pages", "pagetotal")
VARIANTS = 4
RENDERED = 150
SEED = 13


def _script(text: str) -> str:
    return "cyr" if re.search(r"[а-яё]", text, re.I) else "lat"


def augment(
    references: list[AnnotatedReference], variants: int = VARIANTS, seed: int = SEED
) -> list[AnnotatedReference]:
    rng = random.Random(seed)
    pool: dict[tuple[str, str], list[str]] = {}
    for ref in references:
        for span in ref.spans:
            if span.label in SWAPPED:
                value = ref.text[span.start : span.end]
                pool.setdefault((span.label, _script(value)), []).append(value)
    out = []
    for ref in references:
        for _ in range(variants):
            pieces, spans, pos, length = [], [], 0, 0
            for span in sorted(ref.spans, key=lambda s: s.start):
                before = ref.text[pos : span.start]
                value = ref.text[span.start : span.end]
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
            out.append(
                AnnotatedReference(
                    "".join(pieces), tuple(spans), ref.kind, ref.lang, ref.style, ref.page, ref.line, ref.path
                )
            )
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


def training_data(
    references: list[AnnotatedReference], variants: int = VARIANTS, rendered: int = RENDERED
) -> tuple[list[AnnotatedReference], int, int]:
    """The real strings, their field-swapped variants and the CSL-rendered strings (counts of the last two)."""
    varied = augment(references, variants)
    drawn = render_training_strings(references, rendered) if rendered else []
    return references + varied + drawn, len(varied), len(drawn)


def train_model(
    files,
    out: Path,
    with_skeleton: bool = True,
    references: list[AnnotatedReference] | None = None,
    manifest: bool = False,
) -> Path:
    references = references if references is not None else [r for f in files for r in read_annotated(f)]
    data, varied, rendered = training_data(references)
    info = {
        "data": [str(Path(f).relative_to(ROOT)) for f in files],
        "data_sha256": data_hash(list(files)),
        "strings": len(references),
        "varied": varied,
        "rendered": rendered,
        "variants": VARIANTS,
        "rendered_per_style": RENDERED,
        "skeleton_features": with_skeleton,
    }
    return train(data, out, with_skeleton=with_skeleton, manifest=info if manifest else None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR / "refs.crfsuite")
    parser.add_argument("--no-skeleton", action="store_true", help="train without the rule features (baseline)")
    parser.add_argument(
        "--train-only",
        action="store_true",
        help="learn from train.refs alone (the model dev figures are measured with)",
    )
    args = parser.parse_args(argv)
    files = TRAIN_ONLY if args.train_only else TRAIN_FILES
    shipped = args.out.resolve() == (MODEL_DIR / "refs.crfsuite").resolve()
    if shipped and (args.train_only or args.no_skeleton):
        raise SystemExit(
            "the shipped model learns from train.refs and dev.refs with the skeleton features; give --out for a variant"
        )
    path = train_model(files, args.out, with_skeleton=not args.no_skeleton, manifest=shipped)
    print(f"trained on {', '.join(Path(f).name for f in files)} -> {path}")


if __name__ == "__main__":
    main()
