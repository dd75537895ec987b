"""Personal names in an author or editor field: who, and which word is the family name.

Reference lists write names in many orders: `Исланкина Е.А.`, `Л. М. Гохберг`, `Porter, M.`,
`Lindholm ML`, `Barro, R.J., and X. Sala-i-Martin`, `Avilova, Natal’ya Sergeyevna`. A name is
split into family and given parts by where its initials are; a bare comma list is paired up
(`Porter, M., Smith, J.`) when its parts alternate between words and initials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ET_AL = re.compile(r"\s*(?:\[\s*и\s+др\.?\s*\]|\bи\s+др\.?|\bet\s+al\.?|\bи\s+другие|\[et al\.?\])\s*", re.I)
_AND = re.compile(r"\s+(?:and|&|и|а|und|et)\s+|\s*;\s*|\s*&\s*|,?\s+(?:e|y)\s+(?=[A-ZА-ЯЁ])")
# "Е.В.Салтыков": initials run into the family name with no space.
_GLUED = re.compile(r"\b((?:[A-ZА-ЯЁ]\.){1,3})(?=[A-ZА-ЯЁ][a-zа-яё]{2,})")
# "Е.Г. Мозолевская. Н.К. Белова": a full stop, not a comma, between two names written initials first.
_STOP_BETWEEN = re.compile(r"(?<=[a-zа-яё]{2})\.\s+(?=(?:[A-ZА-ЯЁ]\.\s?){1,3}[A-ZА-ЯЁ][a-zа-яё]{2,})")
# Particles that belong to the family name ("Du Gay P.", "van der Berg J.").
PARTICLES = {"du", "de", "da", "di", "del", "della", "der", "den", "van", "von", "le", "la", "dos", "das", "ter", "ten"}
_INITIAL = re.compile(r"^(?:[^\W\d_]{1,2}\.(?:\s*-?\s*[^\W\d_]{1,2}\.?)*|[A-ZА-ЯЁ]{1,3}|[A-ZА-ЯЁ]-[A-ZА-ЯЁ]\.?)$")
_ROLE_WORDS = {
    "ed",
    "eds",
    "ed.",
    "eds.",
    "red",
    "ред",
    "под",
    "edited",
    "by",
    "executive",
    "editor",
    "scientific",
    "adviser",
    "(ed.)",
    "(eds.)",
    "отв",
    "сост",
    "пер",
    "transl",
}


# Given names common in English-language lists, to tell "Pallot Judith" from "Richard Shone" when a
# name has no initials to go by.
GIVEN_NAMES = set(
    """Adam Alan Albert Alexander Andrew Ann Anna Anne Anthony Arthur Barbara Ben Benjamin Bruce
Carl Carlo Catherine Charles Chris Christian Christopher Daniel David Edward Elizabeth Emily Eric Frank Gary
George Gerald Gerard Harry Helen Henry Jack James Jane Jean Jeffrey Jennifer Joe John Joseph Judith Karl Kate
Laura Linda Lisa Mark Martin Mary Matthew Michael Neil Nicholas Pat Patricia Paul Peter Philip Richard Robert
Ronald Sarah Scott Stephen Steven Stuart Susan Thomas Tim Timothy Tom Tony Victor Walter William""".split()
)


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""
    literal: str = ""  # a body (OECD, European Commission) rather than a person

    def as_csl(self) -> dict:
        if self.literal:
            return {"literal": self.literal}
        return {"family": self.family, "given": self.given} if self.given else {"family": self.family}


def split_names(text: str) -> list[Name]:
    """The people (or bodies) named in one author/editor field, in order."""
    text = _ET_AL.sub(" ", text.replace("\u00a0", " ")).strip(" ,;:/")
    text = re.sub(r"\s*\((?:eds?|ред)\.?\)\s*", " ", text, flags=re.I)
    text = _STOP_BETWEEN.sub(", ", _GLUED.sub(r"\1 ", text))
    if not text:
        return []
    if _looks_like_body(text):
        return [Name(family=text, literal=text)]
    names: list[Name] = []
    for group in (g for g in _AND.split(text) if g and g.strip(" ,")):
        group = re.sub(r"^(?:e|y|and|und|и)\s+(?=[A-ZА-ЯЁ])", "", group.strip(" ,"))
        names.extend(_split_group(group))
    return [n for n in names if n.family]


def family_names(text: str) -> list[str]:
    return [n.family for n in split_names(text)]


def _looks_like_body(text: str) -> bool:
    lowered = text.lower()
    return any(
        k in lowered
        for k in (
            "commission",
            "committee",
            "service",
            "agency",
            "oecd",
            "group",
            "ministry",
            "министерство",
            "правительство",
            "организация",
            "university",
            "institute",
            "subgroup",
            "association",
            "council",
            "statistics",
        )
    )


def _is_initial(word: str) -> bool:
    return bool(_INITIAL.match(word.strip(",")))


def _split_group(group: str) -> list[Name]:
    pieces = [p.strip() for p in group.split(",") if p.strip()]
    if len(pieces) == 1:
        return [_one_name(pieces[0])]
    kinds = [
        "initials"
        if all(_is_initial(w) for w in p.split())
        else "words"
        if not any(_is_initial(w) for w in p.split())
        else "full"
        for p in pieces
    ]
    names: list[Name] = []
    if len(pieces) == 2 and kinds[0] == "words" and len(pieces[0].split()) == 1 and len(pieces[1].split()) <= 3:
        return [Name(pieces[0], pieces[1])]  # Pate, C. Marvin
    shifted = _family_initials_chain(pieces)
    if shifted:
        return shifted
    i = 0
    while i < len(pieces):
        if kinds[i] == "words" and i + 1 < len(pieces) and kinds[i + 1] == "initials":
            names.append(Name(pieces[i], pieces[i + 1]))
            i += 2
        elif (
            kinds[i] == "words"
            and i + 1 < len(pieces)
            and kinds[i + 1] == "words"
            and len(pieces) == 2
            and len(pieces[0].split()) == 1
        ):
            names.append(Name(pieces[0], pieces[1]))  # Avilova, Natal’ya Sergeyevna
            i += 2
        else:
            names.append(_one_name(pieces[i]))
            i += 1
    return names


def _family_initials_chain(pieces: list[str]) -> list[Name]:
    """`Sasayama, D. Hattori, K. Teraishi, T.`: each piece holds one name's initials and the next family."""
    if len(pieces) < 3 or any(_is_initial(w) for w in pieces[0].split()):
        return []
    middle = pieces[1:-1]
    if not all(len(p.split()) == 2 and _is_initial(p.split()[0]) and not _is_initial(p.split()[1]) for p in middle):
        return []
    if not all(_is_initial(w) for w in pieces[-1].split()):
        return []
    families = [pieces[0]] + [p.split()[1] for p in middle]
    givens = [p.split()[0] for p in middle] + [pieces[-1]]
    return [Name(f, g) for f, g in zip(families, givens)]


def _one_name(piece: str) -> Name:
    words = [
        w
        for w in re.split(r"\s+", re.sub(r"(\w)\s+\.", r"\1.", piece.strip(" ,")))
        if w and w.lower().strip(".") not in _ROLE_WORDS
    ]
    if not words:
        return Name("")
    # "Porter. M." and "Enright M-J." : the family is the word that is not an initial.
    initials = [w for w in words if _is_initial(w)]
    others = [w for w in words if not _is_initial(w)]
    if not others:
        return Name(words[0].strip("."), " ".join(words[1:]))
    if not initials:
        # "Pallot Judith", "Richard Shone", "SCHELLEKENS": family first when it is in capitals or the
        # list writes family first (a single word is a family name).
        if len(others) == 1:
            return Name(others[0].strip("."))
        if (others[0].isupper() and len(others[0]) > 1) or (
            others[-1].strip(".") in GIVEN_NAMES and others[0] not in GIVEN_NAMES
        ):
            return Name(others[0].strip("."), " ".join(others[1:]))
        return Name(others[-1].strip("."), " ".join(others[:-1]))
    first_initial = words.index(initials[0])
    last_initial = max(i for i, w in enumerate(words) if _is_initial(w))
    if 0 < first_initial and last_initial < len(words) - 1:
        return Name(
            " ".join(words[last_initial + 1 :]).strip("."), " ".join(words[: last_initial + 1])
        )  # Stephen H. Kellert
    if first_initial >= 2 and words[0].lower() in PARTICLES:
        return Name(" ".join(words[:first_initial]).strip("."), " ".join(words[first_initial:]))  # Du Gay P.
    if first_initial >= 2 and words[0] not in GIVEN_NAMES:
        return Name(words[0].strip("."), " ".join(words[1:]))  # Morrill Richard L.
    if first_initial == 0:
        family = " ".join(w for w in words if not _is_initial(w))
        return Name(family.strip("."), " ".join(initials))
    family = " ".join(words[:first_initial])
    return Name(family.strip("."), " ".join(words[first_initial:]))
