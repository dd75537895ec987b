"""Sources -> BibLaTeX (the corpus's own format) or classic BibTeX text.

BibLaTeX keeps every field of the corpus, our own ones (`title_en`, `author_en`, `correction`, ...)
included: biber ignores fields it does not know, and the file reads back into the same records.
BibTeX maps the types and fields that classic styles know (`@techreport`, `journal`, `address`,
`school`) and keeps the rest as extra fields, with `biblatextype` where the type would be lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from kb.bibliography.fields import claim_note, full_title, has_own_latin_names, people_to_bibtex
from kb.corpus.bibtex import clean_text
from kb.model import Claim, Source

# Fields whose value is a URL or identifier: written verbatim, never escaped.
VERBATIM = {"url", "doi", "file", "eprint"}
_ESCAPE = re.compile(r"([&%#_$])")


def format_value(value: str, verbatim: bool = False) -> str:
    value = " ".join(str(value).split())
    if verbatim:
        return value.replace("{", "%7B").replace("}", "%7D")
    value = value.replace("\\", "").replace("{", "").replace("}", "")
    return _ESCAPE.sub(r"\\\1", value)


def source_fields(
    source: Source, flavour: str = "biblatex", claims: Sequence[Claim] = ()
) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the (field, value) pairs of one record, in the corpus's field order.

    Values are escaped and ready to put inside braces; names are already in BibTeX name syntax.
    """
    bibtex = flavour == "bibtex"
    entry_type, extra_type = _entry_type(source, bibtex)
    fields: list[tuple[str, str]] = []

    def add(name: str, value, verbatim: bool = False) -> None:
        if value:
            fields.append((name, value if name in _RAW else format_value(value, verbatim or name in VERBATIM)))

    add("author", people_to_bibtex(source.authors))
    if has_own_latin_names(source.authors):
        add("author_en", people_to_bibtex(source.authors, latin=True))
    add("editor", people_to_bibtex(source.editors))
    if has_own_latin_names(source.editors):
        add("editor_en", people_to_bibtex(source.editors, latin=True))
    # Classic styles print no `subtitle`: BibTeX gets the whole title (the reader splits it again).
    title = format_value(full_title(source) if bibtex else source.title)
    fields.append(("title", "{" + title + "}" if bibtex else title))
    if source.subtitle:
        subtitle = format_value(source.subtitle)
        fields.append(("subtitle", "{" + subtitle + "}" if bibtex else subtitle))
    add("title_en", source.title_en)
    container, container_en = _container_fields(source, bibtex)
    add(container, source.container_title)
    add(container_en, source.container_title_en)
    add("type", source.report_type)
    add("series", source.series)
    add("school" if bibtex and source.entry_type == "thesis" else "institution", source.institution)
    add("publisher", source.publisher)
    add("address" if bibtex else "location", source.location)
    if bibtex or not source.date or source.date[:4] != str(source.year):
        add("year", str(source.year))
    if bibtex and re.match(r"\d{4}-\d{2}", source.date):
        add("month", str(int(source.date[5:7])))
    add("date", source.date)
    add("volume", source.volume)
    add("number", source.number)
    add("pages", source.pages)
    add("pagetotal", source.pagetotal)
    add("isbn", source.isbn)
    add("issn", source.issn)
    add("doi", source.doi)
    add("url", source.url)
    if bibtex and source.entry_type == "online" and source.url:
        fields.append(("howpublished", "\\url{" + format_value(source.url, verbatim=True) + "}"))
    add("urldate", source.urldate)
    add("langid", _babel(source.language))
    add("keywords", ", ".join(source.keywords))
    add("abstract", source.abstract)
    add("note", source.note)
    add("correction", source.correction)
    add("verification", source.verification)
    add("cites", ", ".join(source.cites))
    for name, value in source.extra.items():
        if name not in ("annotation", "annote"):
            add(name, value)
    annotation = [source.extra[n] for n in ("annotation", "annote") if source.extra.get(n)]
    annotation += [claim_note(claim, source.language) for claim in claims]
    if annotation:
        fields.append(("annote" if bibtex else "annotation", "\n    ".join(format_value(a) for a in annotation)))
    if extra_type:
        add("biblatextype", extra_type)
    return entry_type, fields


_RAW = {"author", "author_en", "editor", "editor_en"}


def plain_fields(source: Source) -> tuple[str, dict[str, str]]:
    """The record's BibLaTeX fields as plain text (names stay in BibTeX syntax: braces mark bodies).

    What an exchange format must give back for a round trip: RIS and CSL-JSON compare what their
    readers get from their standard fields with this, and carry the rest as notes or `custom`.
    """
    kind, pairs = source_fields(source)
    return kind, {name: value if name in _RAW else clean_text(value) for name, value in pairs if name != "annotation"}


def round_trip_gaps(expected: tuple[str, dict[str, str]], got: tuple[str, dict[str, str]]) -> dict[str, str]:
    """The fields (and `entrytype`) that `got`, read back from a format, lacks or has otherwise."""
    gaps = {"entrytype": expected[0]} if got[0] != expected[0] else {}
    for name, value in expected[1].items():
        if _comparable(name, got[1].get(name, "")) != _comparable(name, value):
            gaps[name] = value
    return gaps


def _comparable(name: str, value: str) -> str:
    # Braces matter in names (`{OECD}` is a body, `OECD` a family name); elsewhere they do not.
    return " ".join(value.split()) if name in _RAW else clean_text(value)


def format_entry(source: Source, flavour: str = "biblatex", claims: Sequence[Claim] = ()) -> str:
    entry_type, fields = source_fields(source, flavour, claims)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{source.key},\n{body}\n}}\n"


def format_entries(
    sources: Iterable[Source],
    flavour: str = "biblatex",
    claims: Mapping[str, Sequence[Claim]] | None = None,
    header: str = "",
) -> str:
    claims = claims or {}
    parts = [header] if header else []
    parts += [format_entry(s, flavour, claims.get(s.key, ())) for s in sources]
    return "\n".join(parts)


def _babel(language: str) -> str:
    from kb.bibliography.fields import BABEL_NAMES

    return BABEL_NAMES.get(language, language)


def _container_fields(source: Source, bibtex: bool) -> tuple[str, str]:
    if source.entry_type in ("incollection", "inproceedings", "book", "collection", "thesis", "report"):
        return "booktitle", "booktitle_en"
    return ("journal" if bibtex else "journaltitle"), "journaltitle_en"


_THESIS_KIND = (
    (re.compile(r"ph\.?\s?d|doctor|doktor|кандидат|доктор", re.I), "phdthesis"),
    (re.compile(r"master|\bm\.?\s?(a|sc|res|phil)\b|магист", re.I), "mastersthesis"),
)


def _entry_type(source: Source, bibtex: bool) -> tuple[str, str]:
    """(entry type to write, `biblatextype` to add so the BibLaTeX type survives a BibTeX round trip)."""
    kind = source.entry_type
    if not bibtex:
        return kind, ""
    if kind == "report":
        return "techreport", ""
    if kind == "collection":
        return "book", "collection"
    if kind == "thesis":
        for pattern, name in _THESIS_KIND:
            if pattern.search(source.report_type):
                return name, ""
        return "misc", "thesis"
    if kind in ("legislation", "online"):
        return "misc", kind
    return kind, ""
