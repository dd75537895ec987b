"""A reference list as printed -> one string per reference, with the line each starts on.

Tolerated: numbering (`1.`, `1)`, `[1]`), references wrapped over several lines (a line that does
not start a new reference continues the last one; a word split by a hyphen at a line end is
joined), blank lines, page numbers and headings ("Список литературы", "References") between
the entries. Two numbered references run together on one line are split apart, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\s*(?:\[(\d{1,4})\]|(\d{1,4})\s*[.)])\s*(?=\S)")
_HEADING = re.compile(
    r"^\s*(список\s+(использованной\s+|цитируемой\s+)?литературы|литература|references?|"
    r"bibliography|библиографический\s+список|список\s+источников|источники|works\s+cited|"
    r"примечания|notes)\s*:?\s*$",
    re.I,
)
_PAGE_LINE = re.compile(r"^\s*(?:[-–—]\s*)?(?:page|стр\.?|с\.|p\.)?\s*\d{1,4}\s*(?:[-–—]\s*)?$", re.I)
_RUN_ON = re.compile(r"(?<=[.\]»”)])\s+(\d{1,3})\.\s+(?=[A-ZА-ЯЁ][\w’'-]+[\s,])")
MAX_REFERENCE = 2000


@dataclass(frozen=True)
class RawReference:
    line: int  # 1-based line the reference starts on
    text: str
    number: int | None = None
    warning: str = ""


def split_list(text: str) -> list[RawReference]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = sum(1 for line in lines if _NUMBER.match(line)) >= max(
        1, len([line for line in lines if line.strip()]) // 3
    )
    entries: list[list] = []  # [line, number, parts]
    for index, raw in enumerate(lines, 1):
        line = raw.replace("\u00a0", " ").replace("\t", " ").rstrip()
        if not line.strip() or _HEADING.match(line) or (_PAGE_LINE.match(line) and len(line.strip()) < 12):
            continue
        match = _NUMBER.match(line) if numbered else None
        if match:
            entries.append([index, int(match.group(1) or match.group(2)), [line[match.end() :].strip()]])
        elif entries and (numbered or _continues(entries[-1][2][-1], line)):
            entries[-1][2].append(line.strip())
        else:
            entries.append([index, None, [line.strip()]])
    out: list[RawReference] = []
    for line, number, parts in entries:
        joined = _join(parts)
        out.extend(_split_run_on(line, number, joined))
    return out


def _continues(previous: str, line: str) -> bool:
    """Does `line` continue the reference that `previous` ends (rather than start a new one)?"""
    stripped = line.lstrip()
    if not stripped:
        return False
    if stripped[0].islower() or stripped[0] in "–—-/,;:.)]»”" or stripped.startswith("//"):
        return True
    end = previous.rstrip()
    if end.endswith(("-", "–", ",", ":", "/", "//", "(", "«", "“", "&")) or end.endswith((" и", " and", " in", " In")):
        return True
    if re.search(r"\b(?:[A-ZА-ЯЁ]\.|[Сс]|[Тт]|[Pp]p?|No|Vol|№)\.?$", end):
        return True
    # A line that stops mid-sentence before the reference has even reached its year goes on.
    return bool(re.search(r"\w$", end)) and not re.search(r"\b(1[5-9]\d\d|20[0-3]\d)\b", end)


def _join(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        if re.search(r"[^\W\d_]-$", text) and part[:1].islower():
            text = text[:-1] + part  # a word hyphenated at the line end
        elif text.endswith("-") and part[:1].isdigit():
            text = text + part  # a page range broken after the dash
        else:
            text = text + " " + part
    return text.strip()


def _split_run_on(line: int, number: int | None, text: str) -> list[RawReference]:
    """`... 2004. 2. Smith J. ...`: two numbered references on one line, when the number follows on."""
    if number is None:
        return [RawReference(line, text, number)]
    pieces, start, expected = [], 0, number + 1
    for match in _RUN_ON.finditer(text):
        if int(match.group(1)) == expected:
            pieces.append(text[start : match.start()].strip())
            start = match.end()
            expected += 1
    pieces.append(text[start:].strip())
    if len(pieces) == 1:
        return [RawReference(line, text, number)]
    warning = f"holds {len(pieces)} references (numbers {number}-{expected - 1}); split them"
    return [RawReference(line, piece, number + k, warning) for k, piece in enumerate(pieces) if piece]
