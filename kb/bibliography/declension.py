"""Russian personal names in the genitive, for GOST's "под ред. Л. М. Гохберга".

Declension is pymorphy3's (with its OpenCorpora dictionary, pymorphy3-dicts-ru, installed from
PyPI and read offline): it knows which surnames decline and how ("Гохберг" -> "Гохберга",
"Исланкина" -> "Исланкиной", "Заиченко" stays), which hand-written ending rules get wrong.
The gender that decides the form comes from a full given name when the record has one
("Екатерина" is feminine); with initials only, from the surname's own reading as a surname in the
nominative ("Гохберг" is read as a masculine surname first, "Иванова" as a feminine one). A name the
dictionary cannot read as a surname of that gender is left in the nominative rather than guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kb.model import Person
from kb.script import has_cyrillic

_GENDERS = ("masc", "femn")


@lru_cache(maxsize=1)
def _analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def initials(given: str) -> str:
    """`Леонид Маркович` or `Л. М.` -> `Л. М.`; hyphenated parts keep the hyphen (`Ж.-Ф.`)."""
    parts = [p for p in re.split(r"\s+|(?<=\.)(?=\w)", given.strip()) if p]
    return " ".join("-".join(piece[:1] + "." for piece in part.rstrip(".").split("-") if piece) for part in parts)


def name_with_initials(person: Person) -> str:
    """`Л. М. Гохберг`: initials before the family name, as GOST's statement of responsibility has it."""
    if person.literal:
        return person.literal
    given = initials(person.given)
    return f"{given} {person.family}" if given else person.family


def genitive(person: Person) -> str:
    """`Л. М. Гохберга`; a non-Cyrillic or undeclinable name is returned in the nominative form."""
    if person.literal or not has_cyrillic(person.family):
        return name_with_initials(person)
    gender = _gender_of_given(person.given) or _gender_of_surname(person.family)
    family = "-".join(_genitive_surname(part, gender) for part in person.family.split("-")) if gender else person.family
    given = initials(person.given)
    return f"{given} {family}" if given else family


def _gender_of_given(given: str) -> str:
    first = next((p for p in re.split(r"[\s.]+", given) if len(p) > 1), "")
    if not first:
        return ""
    for parse in _analyzer().parse(first):
        if "Name" in parse.tag and parse.tag.gender in _GENDERS:
            return parse.tag.gender
    return ""


def _gender_of_surname(family: str) -> str:
    for parse in _analyzer().parse(family.split("-")[0]):
        if "Surn" in parse.tag and parse.tag.case == "nomn" and parse.tag.gender in _GENDERS:
            return parse.tag.gender
    return ""


def _genitive_surname(surname: str, gender: str) -> str:
    for parse in _analyzer().parse(surname):
        if "Surn" in parse.tag and parse.tag.case == "nomn" and parse.tag.gender in (gender, "ms-f"):
            form = parse.inflect({"gent", "sing"})
            return _recased(form.word, surname) if form else surname
    return surname


def _recased(word: str, model: str) -> str:
    """pymorphy3 answers in lower case: give the declined form the capitals of the original."""
    return "".join(ch.upper() if i < len(model) and model[i].isupper() else ch for i, ch in enumerate(word))
