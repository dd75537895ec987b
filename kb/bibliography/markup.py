"""Output markups for formatted references: citeproc-py's plain text and HTML, and Markdown.

citeproc-py ships formatters for plain text, HTML and reStructuredText; a formatter is any object
with `preformat` (escaping of the record's text) and one wrapper class per font feature. The
Markdown one escapes what Markdown would read as markup and writes italics as `*...*`.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

MARKUPS = ("text", "html", "markdown")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~])")


class _Wrap(str):
    before = after = ""

    def __new__(cls, text):
        return super().__new__(cls, f"{cls.before}{text}{cls.after}" if str(text) else "")


class _Italic(_Wrap):
    before = after = "*"


class _Bold(_Wrap):
    before = after = "**"


def _markdown_preformat(text) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


markdown = SimpleNamespace(
    preformat=_markdown_preformat,
    Italic=_Italic,
    Oblique=_Italic,
    Bold=_Bold,
    Light=str,
    Underline=str,
    Superscript=str,
    Subscript=str,
    SmallCaps=str,
)


def formatter(markup: str):
    from citeproc import formatter as citeproc_formatters

    return {"text": citeproc_formatters.plain, "html": citeproc_formatters.html, "markdown": markdown}[markup]


def html_document(entries: list[str], title: str, language: str = "en") -> str:
    """A standalone HTML page of formatted references (entries are already HTML)."""
    from html import escape

    body = "\n".join(f'  <div class="csl-entry">{entry}</div>' for entry in entries)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n"
        f'<div class="csl-bib-body">\n{body}\n</div>\n</body>\n</html>\n'
    )
