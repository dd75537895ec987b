"""How real.refs was split, once, into the frozen train.refs and eval.refs (kept for the record).

Whole pages go to one side (strings of one reference list share its formatting), chosen by a hash
of the page address: about 40 % of pages train, 60 % evaluate. The AnyStyle gold set, a pool of
strings from many unrelated lists, is split string by string instead.
"""

import hashlib
import sys
from pathlib import Path

POOLS = ("github.com/inukshuk/anystyle",)


def bucket(key: str) -> int:
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % 100


def main(source: Path, train: Path, evaluation: Path) -> None:
    header, out = [], {"train": [], "eval": []}
    page, comments = "", []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("# page:"):
            page, comments = line, [line]
            continue
        if line.startswith("#") and not page:
            header.append(line)
            continue
        if line.startswith("#"):
            comments.append(line)
            continue
        if not line.strip():
            continue
        text = line.split("\t", 3)[3]
        key = text if any(p in page for p in POOLS) else page
        side = "train" if bucket(key) < 40 else "eval"
        if not out[side] or out[side][-1][0] != page:
            out[side].append((page, list(comments), []))
        out[side][-1][2].append(line)
    for side, path in (("train", train), ("eval", evaluation)):
        lines = header + [f"# split: {side} (see bench/refs/split.py)"]
        for _, comment_lines, entries in out[side]:
            lines += [""] + comment_lines + entries
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
