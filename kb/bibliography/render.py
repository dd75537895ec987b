"""Formatted references and in-text citations in a CSL style, with what citeproc-py leaves out added.

citeproc-py renders each reference; glocal-kb adds what it does not do:
- year suffixes ("2014a", "2014b") for works whose citations would read alike, in the styles that
  ask for them (citeproc-py has no disambiguation): each such work is rendered with a stand-in
  year that is then replaced, so the suffix lands wherever the style prints the year;
- in Russian-language (GOST) lists, Cyrillic-script works before Latin-script ones, each group in
  alphabetical order (citeproc-py compares code points, which puts Latin first, and sorts works
  without an author to the end instead of by title);
- American punctuation inside closing quotation marks for locales that ask for it (en-US);
- per-work locales for glocal-kb's amended GOST style (Russian terms for Russian works).
"""

from __future__ import annotations

import copy
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from kb.bibliography.errors import UnknownFormatError
from kb.bibliography.markup import MARKUPS, formatter
from kb.bibliography.prepare import PreparedItem, prepare_items
from kb.bibliography.styles import CYRILLIC_LOCALES, DEFAULT_STYLE, StyleInfo, resolve_style
from kb.model import Person, Source
from kb.script import is_cyrillic_char

# citeproc-py keeps rendering state on the style objects: one rendering at a time.
_LOCK = threading.RLock()
_LEADING_NUMBER = re.compile(r"^\s*\[?\d+[.\]]?\s+")


@dataclass(frozen=True)
class FormattedEntry:
    key: str
    text: str  # the reference, in the requested markup
    citation: str  # the in-text citation, e.g. "(Islankina, 2014a)" or "[Исланкина, 2014а]"


@dataclass(frozen=True)
class FormattedBibliography:
    style: StyleInfo
    markup: str
    entries: tuple[FormattedEntry, ...]


def format_bibliography(
    sources: Iterable[Source],
    style: str | StyleInfo = DEFAULT_STYLE,
    markup: str = "text",
    people: Iterable[Person] = (),
) -> FormattedBibliography:
    """A reference list in the style's order, with in-text citations, for `sources`; `people` are
    everyone the corpus names (`corpus_people`), so each person gets the fullest form it knows."""
    info = style if isinstance(style, StyleInfo) else resolve_style(style)
    if markup not in MARKUPS:
        raise UnknownFormatError(markup, MARKUPS, "output markup")
    items = prepare_items(list(sources), info, people)
    if not items:
        return FormattedBibliography(info, markup, ())
    from kb.bibliography import citeproc_fixes

    citeproc_fixes.apply()
    with _LOCK:
        plain = _Renderer(info, items, "text")
        order = plain.order()
        first_citations = {item_id: plain.citation(item_id) for item_id in order}
        suffixes = _year_suffixes(first_citations) if info.year_suffixes else {}
        suffixes = {
            item_id: _letters(
                index, _CYRILLIC_LETTERS if plain.locale_of(item_id).startswith(CYRILLIC_LOCALES) else _LATIN_LETTERS
            )
            for item_id, index in suffixes.items()
        }
        final = _Renderer(info, [_with_stand_in_year(item, suffixes.get(item.id)) for item in items], markup)
        texts = final.references(order)
        # citeproc-py is slow (~5 ms a citation): plain citations without a suffix are reused
        citations = {
            item_id: first_citations[item_id]
            if markup == "text" and item_id not in suffixes
            else final.citation(item_id)
            for item_id in order
        }
    by_id = {item.id: item for item in items}
    entries = []
    for item_id in order:
        item = by_id[item_id]
        year = f"{item.year}{suffixes.get(item_id, '')}"
        stand_in = final.stand_in(item_id)
        text, citation = texts[item_id], citations[item_id]
        if stand_in:
            text, citation = text.replace(stand_in, year), citation.replace(stand_in, year)
        entries.append(
            FormattedEntry(
                item.key, _punctuation(text, final.locale_of(item_id)), _punctuation(citation, final.locale_of(item_id))
            )
        )
    return FormattedBibliography(info, markup, tuple(entries))


def format_citation(
    source: Source, style: str | StyleInfo = DEFAULT_STYLE, markup: str = "text", people: Iterable[Person] = ()
) -> FormattedEntry:
    """One record's reference and in-text citation (for a source page); no list number."""
    entry = format_bibliography([source], style, markup, people).entries[0]
    return FormattedEntry(entry.key, _LEADING_NUMBER.sub("", entry.text, count=1), entry.citation)


class _Renderer:
    """citeproc-py set up for a list of items, one style object per locale the items need."""

    def __init__(self, info: StyleInfo, items: list[PreparedItem], markup: str):
        from citeproc import Citation, CitationItem, CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON

        self.info, self.items = info, {item.id: item for item in items}
        self._stand_ins = {item.id: item.data.pop("_stand_in") for item in items if "_stand_in" in item.data}
        # citeproc-py escapes its own terms for the markup but passes the records' values through as
        # they are: a title "<script>..." would run in the HTML export. So every value is escaped here.
        escape = formatter(markup).preformat
        source = CiteProcJSON([_escaped(item.data, escape) if markup != "text" else item.data for item in items])
        self._bibliographies = {}
        self._citations = {}
        for locale in dict.fromkeys(item.locale for item in items):
            bibliography = CitationStylesBibliography(_style(str(info.path), locale), source, formatter(markup))
            for item in items:
                citation = Citation([CitationItem(item.id)])
                bibliography.register(citation)
                if item.locale == locale:
                    self._citations[item.id] = citation
            self._bibliographies[locale] = bibliography

    def locale_of(self, item_id: str) -> str:
        return self.items[item_id].locale

    def stand_in(self, item_id: str) -> str:
        return self._stand_ins.get(item_id, "")

    def order(self) -> list[str]:
        """Item ids in the order of the style's list (with GOST's script groups)."""
        default = self._bibliographies.get(self.info.default_locale) or next(iter(self._bibliographies.values()))
        if self.info.sorted_bibliography:
            default.sort()
        order = list(default.keys)
        if self.info.sorted_bibliography and self.info.keeps_cyrillic:
            texts = self.references(order)
            order.sort(key=lambda item_id: collation_key(_LEADING_NUMBER.sub("", texts[item_id], count=1)))
        return order

    def references(self, order: list[str]) -> dict[str, str]:
        out = {}
        for locale, bibliography in self._bibliographies.items():
            bibliography.keys = list(order)  # the list number is the position in `keys`
            by_key = {item.key: item for item in bibliography.items}
            wanted = [by_key[item_id] for item_id in order if self.items[item_id].locale == locale]
            for item, text in zip(wanted, bibliography.style.render_bibliography(wanted)):
                out[item.key] = str(text)
        return out

    def citation(self, item_id: str) -> str:
        bibliography = self._bibliographies[self.items[item_id].locale]
        return str(bibliography.cite(self._citations[item_id], lambda item: None))


def _escaped(value, escape):
    """`value` (a CSL-JSON item or part of one) with every string escaped; keys, numbers and dates kept."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {
            key: item if key in ("id", "type", "language") else _escaped(item, escape) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_escaped(item, escape) for item in value]
    return value


@lru_cache(maxsize=32)
def _style(path: str, locale: str):
    from citeproc import CitationStylesStyle

    return CitationStylesStyle(path, locale=locale, validate=False)


def _year_suffixes(citations: dict[str, str]) -> dict[str, int]:
    """Items whose in-text citations read alike, with their place (0, 1, ...) in list order."""
    groups: dict[str, list[str]] = {}
    for item_id, citation in citations.items():
        groups.setdefault(citation, []).append(item_id)
    return {item_id: index for members in groups.values() if len(members) > 1 for index, item_id in enumerate(members)}


_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Russian lists mark years with Cyrillic letters (2014а, 2014б); letters easily confused are left out.
_CYRILLIC_LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def _letters(index: int, alphabet: str = _LATIN_LETTERS) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, len(alphabet))
        letters = alphabet[remainder] + letters
    return letters


def _with_stand_in_year(item: PreparedItem, suffix: str | None) -> PreparedItem:
    """The item with a year no other text of it contains, to be replaced by year + suffix later."""
    data = copy.deepcopy(item.data)
    if suffix:
        text = repr(data)
        stand_in = next(str(n) for n in range(9000, 10000) if str(n) not in text)
        issued = data["issued"]["date-parts"][0]
        data["issued"] = {"date-parts": [[int(stand_in), *issued[1:]]]}
        data["_stand_in"] = stand_in
    return PreparedItem(item.id, item.key, data, item.locale, item.year)


@lru_cache(maxsize=64)
def _punctuation_in_quote(locale: str) -> bool:
    from pathlib import Path

    import citeproc

    path = Path(citeproc.__file__).parent / "data" / "locales" / f"locales-{locale}.xml"
    return path.is_file() and 'punctuation-in-quote="true"' in path.read_text(encoding="utf-8")


def _punctuation(text: str, locale: str) -> str:
    """Periods and commas inside closing quotation marks where the locale says so (American usage)."""
    if not _punctuation_in_quote(locale):
        return text
    return re.sub(r"([”’]+)([.,])", r"\2\1", text)


def collation_key(text: str) -> tuple[int, str]:
    """Sort key of a GOST list: Cyrillic-script works first, then the rest, each alphabetically
    (case, Latin diacritics and leading quotation marks ignored; ё sorts as е, й after и)."""
    text = text.casefold().replace("ё", "е")
    text = re.sub(r"^[\W_]+", "", text)
    first = text[:1]
    group = 0 if first and is_cyrillic_char(first) else 1
    plain = "".join(ch if is_cyrillic_char(ch) else _strip_marks(ch) for ch in text)
    return group, plain


def _strip_marks(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
