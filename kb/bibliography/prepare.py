"""Records -> the CSL items a style formats: the record's script and language decide what it shows.

- Latin-script styles (APA, Chicago, Harvard, ...) get Cyrillic-script works romanised the way these
  styles' manuals ask for works in non-Latin scripts (APA 7 sec. 9.38-9.39; Chicago 17 sec. 14.95;
  Cite Them Right): authors in their own Latin spelling (`author_en`) or transliterated, the
  title transliterated with its English translation in square brackets, journal, publisher and
  place transliterated. Non-English Latin-script works keep their title and get the translation
  in brackets.
- Russian-language styles (GOST) keep every work in its own script and language; with glocal-kb's
  amended GOST, each work is rendered with the terms of its language, a corporate author goes
  after the title, a legal act gets type, date and number after its title, and Moscow and
  St Petersburg are abbreviated as GOST 7.0.12 prescribes (М., СПб.). A work of four or more
  authors is headed by its title, with the first three authors and "[и др.]" after the slash, and
  editors of a Russian work follow "под ред." in the genitive (see `_gost`).
- Every style gets one Latin form per person across the list: the fullest given names any record
  of the list, or of the whole corpus when the caller passes its people, gives that person.

Transliteration is kb.corpus.names' (the Wikipedia scheme, as for identifiers and Latin names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kb.bibliography.csl_json import csl_name, standard_item
from kb.bibliography.declension import genitive, name_with_initials
from kb.bibliography.fields import full_title, parse_date
from kb.bibliography.styles import StyleInfo
from kb.corpus.names import INITIAL_LETTERS, share_fullest_forms, transliterate
from kb.model import Person, Source
from kb.script import has_cyrillic

_PLACE_ABBREVIATIONS = {"Москва": "М.", "Санкт-Петербург": "СПб.", "Ленинград": "Л.", "Ростов-на-Дону": "Ростов н/Д"}
# Variables that describe the record for curators, not for a reference list. (`language` stays:
# citeproc-py title-cases only English items, and a romanised Russian title must keep its case.)
_NOT_CITED = ("note", "abstract", "keyword", "citation-key")


@dataclass(frozen=True)
class PreparedItem:
    id: str  # citeproc id (lower case, unique)
    key: str  # the record's citation key
    data: dict  # CSL-JSON for citeproc
    locale: str  # locale to render this item with
    year: int


def prepare_items(sources: list[Source], style: StyleInfo, people: Iterable[Person] = ()) -> list[PreparedItem]:
    """`people`: everyone the corpus knows (from every file), whose fuller names the list's people may take."""
    sources = one_form_per_person(sources, people)
    return [prepare_item(source, style, f"item{index}") for index, source in enumerate(sources)]


def one_form_per_person(sources: list[Source], people: Iterable[Person] = ()) -> list[Source]:
    """The sources with each person's one Latin form (see `kb.corpus.names.share_fullest_forms`)."""
    groups = share_fullest_forms([group for s in sources for group in (s.authors, s.editors)] + [tuple(people)])
    return [
        replace(s, authors=groups[2 * i], editors=groups[2 * i + 1])
        if (groups[2 * i], groups[2 * i + 1]) != (s.authors, s.editors)
        else s
        for i, s in enumerate(sources)
    ]


def prepare_item(source: Source, style: StyleInfo, item_id: str) -> PreparedItem:
    data = standard_item(source)
    for variable in _NOT_CITED:
        data.pop(variable, None)
    data["id"] = item_id
    organisation = source.extra.get("organization", "")
    if organisation and not data.get("publisher"):
        data["publisher"] = organisation
    locale = style.default_locale
    if style.keeps_cyrillic:
        if style.amended:
            locale = style.default_locale if _is_cyrillic(source) else "en-US"
            _gost(data, source, cyrillic=_is_cyrillic(source))
    elif _is_cyrillic(source) or source.language != "en":
        _romanise(data, source)
    else:
        # The person's one Latin form (see `_one_form_per_person`), in English-language works too.
        for role, people in (("author", source.authors), ("editor", source.editors)):
            if people and any(p.latin_given and p.latin_given != p.given for p in people):
                data[role] = [_latin_name(p) for p in people]
    return PreparedItem(item_id, source.key, data, locale, source.year)


def _is_cyrillic(source: Source) -> bool:
    return has_cyrillic(source.title)


def _romanise(data: dict, source: Source) -> None:
    """The record as Latin-script styles cite a work in another language and script."""
    title = transliterate(full_title(source))
    data["title"] = f"{title} [{source.title_en}]" if source.title_en else title
    if source.subtitle:
        data["title-short"] = transliterate(source.title)
    for role, people in (("author", source.authors), ("editor", source.editors)):
        if people:
            data[role] = [_latin_name(p) for p in people]
    for variable in (
        "container-title",
        "collection-title",
        "publisher",
        "publisher-place",
        "genre",
        "number",
        "issue",
        "volume",
    ):
        if isinstance(data.get(variable), str):
            data[variable] = transliterate(data[variable])


def _latin_name(person: Person) -> dict:
    if person.literal:
        return {"literal": transliterate(person.literal)}
    given = person.latin_given or transliterate(person.given)
    if has_cyrillic(person.given) and given == transliterate(person.given) and _INITIALS.fullmatch(person.given):
        # Initials alone: the Wikipedia scheme writes a leading Е as "Ye", but "Е." stands for
        # Ekaterina or Eduard far more often than for a Ye- name, and initials keep one letter.
        given = " ".join(INITIAL_LETTERS.get(part[0], transliterate(part[0])) + "." for part in person.given.split())
    return csl_name(Person(person.latin_family or transliterate(person.family), given))


_INITIALS = re.compile(r"(?:\w\.\s*)+")
# GOST R 7.0.5-2008, 4.10.1: the heading (first author's name) is used for works of one, two or
# three authors; after GOST 7.80-2000, 5.2, a work of four or more authors has no heading and is
# described under its title, the authors following in the statement of responsibility (the seed's
# own list does this for its reference 4). There the first three names are given and the rest
# abbreviated "[и др.]" ("[et al.]" for a work in Latin script), the abbreviation GOST 7.1-2003
# (5.2.6.9) puts in square brackets.
_HEADING_MAX_AUTHORS = 3
_RESPONSIBILITY_NAMES = 3


def _gost(data: dict, source: Source, cyrillic: bool) -> None:
    """The record as glocal-kb's amended GOST style expects it (see styles/gost-r-7-0-5-2008.csl)."""
    if cyrillic and data.get("publisher-place") in _PLACE_ABBREVIATIONS:
        data["publisher-place"] = _PLACE_ABBREVIATIONS[data["publisher-place"]]
    bodies = [p.literal for p in source.authors if p.literal]
    people = [p for p in source.authors if not p.literal]
    statements = []
    if len(people) > _HEADING_MAX_AUTHORS:
        shown = ", ".join(name_with_initials(p) for p in people[:_RESPONSIBILITY_NAMES])
        statements.append(f"{shown} {'[и др.]' if cyrillic else '[et al.]'}")
        people = []
    if cyrillic and source.editors:
        # "под ред. Л. М. Гохберга": the preposition governs the genitive, which CSL cannot decline.
        statements.append("под ред. " + ", ".join(genitive(p) for p in source.editors))
        data.pop("editor", None)
    if source.entry_type == "legislation":
        # A legal act has no heading: its issuer is named in its type ("распоряжение Правительства ...").
        data.pop("author", None)
        data["genre"] = _legal_statement(source, cyrillic)
        for variable in ("number", "publisher-place"):
            data.pop(variable, None)
        return
    if bodies or statements:
        data["authority"] = " ; ".join(part for part in (", ".join(bodies), *statements) if part)
    if people:
        data["author"] = [csl_name(p) for p in people]
    else:
        data.pop("author", None)


def _legal_statement(source: Source, cyrillic: bool) -> str:
    date = parse_date(source.date) if source.date else None
    day = f"{date[2]:02d}.{date[1]:02d}.{date[0]:04d}" if date and date[2] else ""
    if cyrillic:
        genre = source.report_type
        if len(genre) > 1 and genre[1].islower():
            genre = genre[0].lower() + genre[1:]
        parts = [genre, f"от {day}" if day else "", f"№ {source.number}" if source.number else ""]
        return " ".join(part for part in parts if part)
    place_date = ", ".join(part for part in (source.location, day) if part)
    return ". ".join(part for part in (source.report_type, source.number, place_date) if part)
