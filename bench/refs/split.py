"""How the annotated strings are split into train.refs, dev.refs and eval.refs (kept for the record).

    python bench/refs/split.py add NEW.refs      # append the pages of NEW.refs to the three splits

Whole pages go to one side (the strings of one reference list share its formatting), chosen by a
hash of the page address; the AnyStyle gold set, a pool of strings from many unrelated lists, is
split string by string instead.

- First pass (the pages already in train.refs and eval.refs): 40 % of pages to train, 60 % to eval.
  Those assignments are frozen and are not redone.
- Second pass (pages added since, `add`): bucket < 40 train, 40-59 dev, >= 60 eval. The dev split
  exists only from the second pass on: it is what rules and features are tuned on; eval is not.
"""

import hashlib
import sys
from pathlib import Path

POOLS = ("github.com/inukshuk/anystyle",)
HERE = Path(__file__).resolve().parent
PASS_LINE = "# pass: 2 (added in the second pass; see bench/refs/split.py)"
SPLITS = {"train": HERE / "train.refs", "dev": HERE / "dev.refs", "eval": HERE / "eval.refs"}
HEADER = """# Real reference strings as printed in the reference lists of published papers, with hand-checked
# field annotations. Format: see docs/reference-parsing.md ("The annotated data").
# A "# page:" line names the page the following strings come from (as stored by the search tool).
# Entry lines: TYPE <TAB> LANG <TAB> STYLE <TAB> marked string. LANG: ru (Cyrillic), en (English),
# mixed (a Latin-script work in a Russian list, a transliterated Russian work, or both scripts).
# split: {side} (see bench/refs/split.py)
"""


def bucket(key: str) -> int:
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % 100


def second_pass_side(key: str) -> str:
    b = bucket(key)
    return "train" if b < 40 else "dev" if b < 60 else "eval"


def pages(path: Path) -> list[tuple[str, list[str], list[str]]]:
    """(page line, comment lines, entry lines) of each page block of a .refs file."""
    out: list[tuple[str, list[str], list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# page:"):
            out.append((line, [line], []))
        elif not out or not line.strip():
            continue
        elif line.startswith("#"):
            out[-1][1].append(line)
        else:
            out[-1][2].append(line)
    return out


def add(source: Path) -> dict[str, int]:
    known = {p for path in SPLITS.values() if path.exists() for p, _, _ in pages(path)}
    blocks: dict[str, list[list[str]]] = {side: [] for side in SPLITS}
    counts = dict.fromkeys(SPLITS, 0)
    for page, comments, entries in pages(source):
        if page in known and not any(p in page for p in POOLS):
            raise SystemExit(f"{page} is already split; a page stays where it was put")
        for entry in entries:
            key = entry.split("\t", 3)[3] if any(p in page for p in POOLS) else page
            side = second_pass_side(key)
            if not blocks[side] or blocks[side][-1][0] != page:
                blocks[side].append([page, PASS_LINE, *comments[1:]])
            blocks[side][-1].append(entry)
            counts[side] += 1
    for side, path in SPLITS.items():
        if not blocks[side]:
            continue
        text = path.read_text(encoding="utf-8").rstrip("\n") + "\n" if path.exists() else HEADER.format(side=side)
        for block in blocks[side]:
            text += "\n" + "\n".join(block) + "\n"
        path.write_text(text, encoding="utf-8")
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "add":
        raise SystemExit(__doc__.splitlines()[2].strip())
    print(add(Path(sys.argv[2])))
