"""Bibliography export, formatting and import on synthetic corpora.

    python bench/bibliography.py --sources 200 2000 --repeat 3

For each size: generate a synthetic corpus (bench/synthetic.py, 20% Russian records), then time
(median of --repeat runs) every export format, the formatted list in APA and GOST, reading the
exported files back, and `import_file` of the RIS export into a copy of the corpus (every record a
duplicate: the worst case for deduplication) and into an empty corpus (every record new).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(sources: int, repeat: int, work: Path) -> list[tuple[str, float]]:
    from synthetic import generate

    from kb.bibliography import export_sources, import_file, read_records
    from kb.config import Settings
    from kb.corpus.bibtex import read_bib_file

    project = generate(work / f"syn{sources}", claims=sources * 5)
    records = read_bib_file(project / "corpus" / "synthetic.bib")
    rows = []
    for fmt in ("biblatex", "bibtex", "ris", "csl-json"):
        seconds, text = timed(lambda fmt=fmt: export_sources(records, fmt), repeat)
        rows.append((f"export {fmt}", seconds))
        path = work / f"export-{sources}.{'json' if fmt == 'csl-json' else 'ris' if fmt == 'ris' else 'bib'}"
        path.write_text(text, encoding="utf-8")
        seconds, _ = timed(lambda path=path: read_records(path), repeat)
        rows.append((f"read back {fmt}", seconds))
    for style in ("apa", "gost-r-7-0-5-2008"):
        seconds, _ = timed(lambda style=style: export_sources(records, "text", style=style), repeat)
        rows.append((f"format text, {style}", seconds))
    ris = work / f"export-{sources}.ris"

    def import_into(copy_corpus: bool):
        target = work / f"import-{sources}-{'dup' if copy_corpus else 'new'}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(project / "ontology", target / "ontology")
        if copy_corpus:
            shutil.copytree(project / "corpus", target / "corpus")
        else:
            (target / "corpus").mkdir(parents=True)
            shutil.copy(ROOT / "tests" / "fixtures" / "corpus" / "references.bib", target / "corpus" / "seed.bib")
        return import_file(Settings(root=target), ris, dry_run=True)

    seconds, report = timed(lambda: import_into(True), repeat)
    assert len(report.added) == 0, report.summary()
    rows.append(("import RIS, all duplicates (dry run)", seconds))
    seconds, report = timed(lambda: import_into(False), repeat)
    # The generator's small vocabulary can give one author two works of one title in one year:
    # the import then (rightly) merges them, so "all new" means all but those.
    assert len(report.added) + len(report.merged) + len(report.skipped) == sources, report.summary()
    rows.append((f"import RIS, all new (dry run, incl. validation; {len(report.added)} added)", seconds))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-bench-bib-") as scratch:
        results = {n: dict(run(n, args.repeat, Path(scratch))) for n in args.sources}
    sizes = args.sources
    print("| step | " + " | ".join(f"{n} sources" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for index, step in enumerate(results[sizes[0]]):
        values = [list(results[n].values())[index] for n in sizes]
        print(
            f"| {step.split(';')[0].rstrip(')') + (')' if '(' in step else '')} | "
            + " | ".join(f"{v:.2f} s" for v in values)
            + " |"
        )
    for n in sizes:
        print(f"{n} sources: " + "; ".join(s for s in results[n] if "added" in s))


if __name__ == "__main__":
    main()
