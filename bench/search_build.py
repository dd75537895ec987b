"""`kb build` with the search index on a synthetic corpus: first build, no-op, and one-claim edits.

    python bench/search_build.py --claims 10000            # corpus in bench/out/search-syn10000
    python bench/search_build.py --claims 100000 --edits 3

Each step runs `kb build --json` as a separate process (what a curator runs), timed from the
outside (wall clock, peak resident memory via /usr/bin/time). The edit step changes the English
text of one claim, so the graph is patched and exactly one text is embedded; the figure reported
is the median over --edits different claims. The search index's own share comes from the
dataset manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = Path(sys.executable).parent / "kb"  # the kb command of the running environment


def run_build(folder: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", str(KB), "--root", str(folder), "build", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"kb build failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    manifest = json.loads((Path(report["path"]) / "manifest.json").read_text())
    return {
        "wall": wall,
        "skipped": report["skipped"],
        "peak_mib": peak_kib / 1024,
        "search": manifest.get("search", {}),
    }


def edit_one_claim(folder: Path, number: int) -> None:
    files = sorted((folder / "corpus" / "claims").glob("*.yaml"))
    path = files[(number * 7919) % len(files)]
    text = path.read_text(encoding="utf-8")
    edited, count = re.subn(r'(en: ")', rf"\1(edit {number}) ", text, count=1)
    assert count == 1, path
    path.write_text(edited, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import generate

    folder = args.out or ROOT / "bench" / "out" / f"search-syn{args.claims}"
    if not (folder / "corpus").exists():
        generate(folder, args.claims)
    first = run_build(folder)
    print(
        f"first build: {first['wall']:.1f} s wall, peak {first['peak_mib']:.0f} MiB; search index "
        f"{first['search'].get('seconds')} s for {first['search'].get('documents')} documents "
        f"({first['search'].get('dense_documents')} embedded vectors, {first['search'].get('embedded')} newly embedded, "
        f"{first['search'].get('index')})"
    )
    noop = run_build(folder)
    print(f"no-op build: {noop['wall']:.2f} s wall (skipped={noop['skipped']})")
    edits = []
    for number in range(args.edits):
        edit_one_claim(folder, number)
        edits.append(run_build(folder))
    walls = [e["wall"] for e in edits]
    search = [e["search"]["seconds"] for e in edits]
    print(
        f"one-claim edit, {len(edits)} runs: wall median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f}); search index median {statistics.median(search):.2f} s; "
        f"embedded {[e['search']['embedded'] for e in edits]}; peak {max(e['peak_mib'] for e in edits):.0f} MiB"
    )


if __name__ == "__main__":
    main()
