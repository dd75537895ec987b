"""Personal and corporate names: parsing BibTeX name parts and transliterating Cyrillic."""

from __future__ import annotations

import re

import iuliia

from kb.model import Person

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# Wikipedia's romanisation: the common spelling of Russian names in English-language citations.
_SCHEME = iuliia.WIKIPEDIA


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def transliterate(text: str) -> str:
    return _SCHEME.translate(text) if has_cyrillic(text) else text


def person_from_parts(parts) -> Person:
    """bibtexparser `NameParts` -> `Person`; a fully braced name (`{OECD}`) is a body."""
    last = " ".join(parts.last)
    if not parts.first and not parts.von and not parts.jr and last.startswith("{") and last.endswith("}"):
        return Person(literal=last[1:-1].strip())
    family = " ".join([*parts.von, last]).replace("{", "").replace("}", "")
    if parts.jr:
        family = f"{family}, {' '.join(parts.jr)}"
    given = " ".join(parts.first).replace("{", "").replace("}", "")
    return Person(family=family.strip(), given=given.strip())


def transliterate_person(person: Person) -> Person:
    if person.literal or not has_cyrillic(person.family + person.given):
        return person
    return Person(
        person.family, person.given, person.literal,
        transliterate(person.family), transliterate(person.given),
    )
