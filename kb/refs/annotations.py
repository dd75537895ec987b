"""The annotated reference strings in `bench/refs/*.refs`: one marked-up string per line.

A line is `TYPE<TAB>LANG<TAB>STYLE<TAB>marked string`; the marked string is the reference as
printed with each field wrapped in a tag (`<title>...</title>`). A `# page: URL` line names the
page the following strings come from. See docs/reference-parsing.md ("The annotated data").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

LABELS = (
    "author",
    "editor",
    "title",
    "container",
    "collection",
    "year",
    "volume",
    "issue",
    "pages",
    "publisher",
    "place",
    "doi",
    "url",
    "accessed",
    "genre",
    "pagetotal",
    "number",
    "edition",
    "note",
    "resp",
)
_TAG = re.compile(r"<(/?)([a-z]+)>")


@dataclass(frozen=True)
class Span:
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class AnnotatedReference:
    text: str  # the string as printed (tags removed)
    spans: tuple[Span, ...]  # labelled character spans of `text`
    kind: str  # article, book, chapter, ...
    lang: str  # ru, en, mixed
    style: str  # gost, apa, chicago, harvard, vancouver, translit, other
    page: str  # where the string was printed
    line: int  # line in the data file
    path: Path = field(default=Path())
    cite_line: bool = False  # a journal's "cite this article" line, not a reference list entry
    second_pass: bool = False  # a page added in the second pass (never seen while tuning)

    def values(self, label: str) -> list[str]:
        return [self.text[s.start : s.end] for s in self.spans if s.label == label]


def parse_marked(marked: str, where: str = "") -> tuple[str, tuple[Span, ...]]:
    """Plain text and labelled spans of one marked-up string."""
    text, spans, open_at, pos = [], [], None, 0
    length = 0
    for match in _TAG.finditer(marked):
        chunk = marked[pos : match.start()]
        text.append(chunk)
        length += len(chunk)
        closing, label = match.group(1) == "/", match.group(2)
        if label not in LABELS:
            raise ValueError(f"{where}: unknown label <{label}>")
        if not closing:
            if open_at is not None:
                raise ValueError(f"{where}: <{label}> opened inside <{open_at[0]}>")
            open_at = (label, length)
        else:
            if open_at is None or open_at[0] != label:
                raise ValueError(f"{where}: </{label}> closes nothing")
            spans.append(Span(label, open_at[1], length))
            open_at = None
        pos = match.end()
    if open_at is not None:
        raise ValueError(f"{where}: <{open_at[0]}> is never closed")
    text.append(marked[pos:])
    return "".join(text), tuple(spans)


def read_annotated(path: Path | str) -> list[AnnotatedReference]:
    path = Path(path)
    page, references = "", []
    cite_line = second_pass = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# page:"):
            page = line.split(":", 1)[1].strip()
            cite_line = second_pass = False
            continue
        if line.startswith("# kind: cite-this-article"):
            cite_line = True
        if line.startswith("# pass: 2"):
            second_pass = True
        if not line.strip() or line.startswith("#"):
            continue
        kind, lang, style, marked = line.split("\t", 3)
        text, spans = parse_marked(marked, f"{path}:{number}")
        references.append(
            AnnotatedReference(text, spans, kind, lang, style, page, number, path, cite_line, second_pass)
        )
    return references
