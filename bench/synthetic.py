"""Synthetic corpora for benchmarks, kept apart from the real corpus.

    python bench/synthetic.py --claims 10000 --out bench/out/synthetic-10k

writes OUT/corpus/synthetic.bib, OUT/corpus/claims/*.yaml and OUT/ontology (a copy of the real
ontology, so the themes are the real ones). Texts are generated from the thesaurus labels and a
fixed word list, so lexical and dense search have realistic variety; relations link claims of
nearby sources. The same seed gives the same corpus.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.model import EVIDENCE_TYPES  # noqa: E402
from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph  # noqa: E402

SUBJECTS = [
    "firms in the cluster",
    "regional universities",
    "multinational subsidiaries",
    "small suppliers",
    "regional governments",
    "cluster organisations",
    "research institutes",
    "start-ups",
    "venture investors",
    "industry associations",
    "foreign partners",
    "local entrepreneurs",
]
VERBS = [
    "depend on",
    "benefit from",
    "are constrained by",
    "strengthen",
    "weaken",
    "reshape",
    "build on",
    "substitute for",
    "complement",
    "are unrelated to",
    "amplify",
    "mediate",
]
OBJECTS = [
    "face-to-face contact",
    "international knowledge flows",
    "public research funding",
    "skilled labour mobility",
    "export markets",
    "shared institutions",
    "trust between partners",
    "digital communication",
    "regional specialisation",
    "technology transfer offices",
    "global value chains",
    "cross-border cooperation",
    "patenting activity",
    "absorptive capacity",
]
QUALIFIERS = [
    "in peripheral regions",
    "in metropolitan areas",
    "in old industrial regions",
    "in transition economies",
    "over the long run",
    "during downturns",
    "in high-technology sectors",
    "in traditional industries",
    "when institutions are weak",
    "when policy is coordinated",
    "across national borders",
    "within the region",
]
SURNAMES = [
    "Smith",
    "Müller",
    "Rossi",
    "García",
    "Nowak",
    "Lindqvist",
    "Dubois",
    "Kowalski",
    "Tanaka",
    "Ivanov",
    "Petrova",
    "Sokolov",
    "Chen",
    "Okafor",
    "Silva",
    "Jansen",
    "Novak",
    "Horvat",
]
RU_SURNAMES = ["Иванов", "Петрова", "Соколов", "Кузнецова", "Смирнов", "Волкова", "Морозов", "Лебедева"]
RU_WORDS = [
    "кластер",
    "регион",
    "инновации",
    "знания",
    "сети",
    "политика",
    "близость",
    "фирмы",
    "университеты",
    "экспорт",
    "сотрудничество",
    "институты",
]


def theme_ids(ontology_dir: Path) -> list[str]:
    # Sorted, so that a seed draws the same themes whatever order the thesaurus lists them in.
    return sorted(vocabulary_from_graph(load_ontology_graph(ontology_dir)).themes)


def generate(out: Path, claims: int, claims_per_source: int = 5, seed: int = 7, russian_share: float = 0.2) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "corpus" / "claims").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", out / "ontology")
    themes = theme_ids(out / "ontology")
    sources = max(1, claims // claims_per_source)
    bib_lines = []
    claim_id = 0
    for index in range(sources):
        key = f"syn{index:06d}"
        russian = rng.random() < russian_share
        year = rng.randint(1990, 2024)
        topic = rng.sample(themes, 2)
        if russian:
            author = f"{rng.choice(RU_SURNAMES)}, {rng.choice('АБВГДЕИКЛМНОПС')}. {rng.choice('АБВГДЕИКЛМНОПС')}."
            title = " ".join(rng.sample(RU_WORDS, 4)).capitalize()
            extra = f"  title_en = {{Synthetic Russian work {index} on {topic[0]} and {topic[1]}}},\n  langid = {{russian}},\n"
        else:
            author = f"{rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHJKLMNPRST')}."
            title = f"{rng.choice(OBJECTS).capitalize()} and {topic[0].replace('-', ' ')} {rng.choice(QUALIFIERS)}"
            extra = "  langid = {english},\n"
        bib_lines.append(
            f"@article{{{key},\n  author = {{{author}}},\n  title = {{{title}}},\n{extra}"
            f"  journaltitle = {{Journal of Synthetic Regional Studies}},\n  year = {{{year}}},\n"
            f"  volume = {{{rng.randint(1, 60)}}},\n  pages = {{{(p := rng.randint(1, 900))}--{p + rng.randint(5, 30)}}},\n}}\n"
        )
        lines = [
            f"source: {key}",
            "curated_by: synthetic generator",
            "curated_on: 2026-01-01",
            "based_on: secondary",
            "claims:",
        ]
        for _ in range(claims_per_source):
            cid = f"syn-c{claim_id:07d}"
            chosen = rng.sample(themes, rng.randint(1, 3))
            text = (
                f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                f"{rng.choice(QUALIFIERS)}, which matters for {chosen[0].replace('-', ' ')}."
            )
            lines += [f"  - id: {cid}", "    text:", f'      en: "{text}"']
            if russian:
                lines.append(f'      ru: "{" ".join(rng.sample(RU_WORDS, 6)).capitalize()}."')
            lines += [f"    themes: [{', '.join(chosen)}]", f"    evidence: {rng.choice(EVIDENCE_TYPES)}"]
            if claim_id >= 10 and rng.random() < 0.3:
                relation = rng.choice(["supports", "disputes", "extends"])
                lines.append(f"    {relation}: [syn-c{rng.randint(max(0, claim_id - 50), claim_id - 1):07d}]")
            claim_id += 1
        (out / "corpus" / "claims" / f"{key}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "corpus" / "synthetic.bib").write_text("\n".join(bib_lines), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10000)
    parser.add_argument("--per-source", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.claims, args.per_source, args.seed)
    print(args.out)


if __name__ == "__main__":
    main()
