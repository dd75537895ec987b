"""Personal and corporate names: parsing BibTeX name parts and transliterating Cyrillic."""

from __future__ import annotations

import re

import iuliia

from kb.model import Person
from kb.script import has_cyrillic

# Wikipedia's romanisation: the common spelling of Russian names in English-language citations.
_SCHEME = iuliia.WIKIPEDIA


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
        person.family,
        person.given,
        person.literal,
        transliterate(person.family),
        transliterate(person.given),
    )


def has_own_latin_spelling(person: Person) -> bool:
    """True when a person's Latin spelling is their own (from `author_en`), not our transliteration."""
    if person.literal or not has_cyrillic(person.family + person.given):
        return False
    auto = transliterate_person(Person(person.family, person.given))
    return (person.latin_family, person.latin_given) != (auto.latin_family, auto.latin_given)


def share_own_latin_spellings(groups: list[tuple[Person, ...]]) -> list[tuple[Person, ...]]:
    """Give a person the Latin spelling they use themselves wherever one record of the file states it.

    Without this, a co-author whose own spelling one record confirms ("Ekaterina Islankina") is
    transliterated in the others ("Yekaterina"), and APA lists one person as two ("Islankina, E."
    and "Islankina, Y. A."). A person is the same when the family name matches and the given names
    agree part by part (a full name and its initials agree); parts the own spelling does not cover
    (a patronymic) are transliterated.
    """
    # Each distinct person is checked once: the check transliterates, and a file names its authors often.
    known = [p for p in dict.fromkeys(p for people in groups for p in people) if has_own_latin_spelling(p)]
    if not known:
        return groups
    own = set(known)

    def respelled(person: Person) -> Person:
        if person.literal or not has_cyrillic(person.family) or person in own:
            return person
        model = next((k for k in known if k.family == person.family and _given_agree(k.given, person.given)), None)
        if model is None:
            return person
        return Person(
            person.family, person.given, person.literal, model.latin_family, _latin_given(person.given, model)
        )

    return [tuple(respelled(p) for p in people) for people in groups]


def _given_parts(given: str) -> list[str]:
    return [part for part in re.split(r"\s+|(?<=\.)(?=\w)", given) if part]


def _given_agree(one: str, other: str) -> bool:
    first, second = _given_parts(one), _given_parts(other)
    if not first or not second:
        return False
    for a, b in zip(first, second):
        a, b = a.rstrip("."), b.rstrip(".")
        if (len(a) == 1 or len(b) == 1) and a[:1].lower() != b[:1].lower():
            return False
        if len(a) > 1 and len(b) > 1 and a.lower() != b.lower():
            return False
    return True


def _latin_given(given: str, model: Person) -> str:
    own = _given_parts(model.latin_given)
    spelled = []
    for index, part in enumerate(_given_parts(given)):
        if index < len(own):
            spelled.append(own[index][:1] + "." if part.endswith(".") or len(part) == 1 else own[index])
        else:
            spelled.append(transliterate(part))
    return " ".join(spelled)


# Initials the Wikipedia scheme would spell with two letters at the start of a name ("Ye."), where an
# initial stands for Ekaterina or Eduard far more often than for a Ye- name: one letter, as people write it.
INITIAL_LETTERS = {"Е": "E", "Ё": "E", "Э": "E", "Ю": "Yu", "Я": "Ya"}


def share_fullest_forms(groups: list[tuple[Person, ...]]) -> list[tuple[Person, ...]]:
    """One Latin form per person across records (and files): the fullest given names known for them.

    A person is the same when the Latin family names match and the given names agree part by part
    (a full name agrees with its initial). Each gets, part by part, the fullest spelling any of their
    records gives, the person's own Latin spelling first: "Gokhberg, Leonid" (author_en) and
    "Гохберг, Л. М." become "Leonid M." in both, so APA prints "Gokhberg, L. M." once per person.
    Only the Latin spelling changes; the record's own script and names are kept.
    """
    people = list(dict.fromkeys(p for people in groups for p in people if not p.literal))
    by_family: dict[str, list[Person]] = {}
    for person in people:
        by_family.setdefault(_latin_family(person).casefold(), []).append(person)
    fuller: dict[Person, Person] = {}
    for members in by_family.values():
        spelled = {m: _latin_parts(m) for m in members}
        for person in members:
            same = [m for m in members if _parts_agree(spelled[person], spelled[m])]
            longest = max(len(spelled[m]) for m in same)
            parts = []
            for index in range(longest):
                candidates = [(spelled[m][index], m) for m in same if index < len(spelled[m])]
                parts.append(max(candidates, key=lambda c: (_is_full(c[0]), _own(c[1]), len(c[0])))[0])
            given = " ".join(parts)
            if given != person.latin_given or _latin_family(person) != person.latin_family:
                fuller[person] = Person(person.family, person.given, person.literal, _latin_family(person), given)
    return [tuple(fuller.get(p, p) for p in people) for people in groups]


def _latin_family(person: Person) -> str:
    return person.latin_family or transliterate(person.family)


def _latin_parts(person: Person) -> list[str]:
    """The given names in Latin script, part by part: the record's Latin spelling, then any further
    Cyrillic parts it does not cover (a patronymic), transliterated."""
    latin = _given_parts(person.latin_given) if person.latin_given else []
    original = _given_parts(person.given)
    if not has_cyrillic(person.given):
        return latin or original
    for index, part in enumerate(original):
        if index < len(latin) and not (has_cyrillic(part) and latin[index] == transliterate(part)):
            continue
        spelled = (
            (INITIAL_LETTERS.get(part[0], transliterate(part[0])) + ".") if _is_initial(part) else transliterate(part)
        )
        if index < len(latin):
            latin[index] = spelled
        else:
            latin.append(spelled)
    return latin


def _parts_agree(one: list[str], other: list[str]) -> bool:
    if not one or not other:
        return False
    for a, b in zip(one, other):
        a, b = a.rstrip("."), b.rstrip(".")
        if a[:1].casefold() != b[:1].casefold():
            return False
        if len(a) > 1 and len(b) > 1 and a.casefold() != b.casefold():
            return False
    return True


def _is_initial(part: str) -> bool:
    return len(part.rstrip(".")) == 1


def _is_full(part: str) -> bool:
    return not _is_initial(part)


def _own(person: Person) -> bool:
    return has_own_latin_spelling(person) or not has_cyrillic(person.family + person.given)
