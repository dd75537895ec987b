"""Citation keys for imported records, in the corpus's convention: `islankina2014theoretical`.

First creator's family name (romanised, ASCII, lower case) + year + first significant word of the
English title. The same record always gets the same key; a key already taken gets the next title
word, then a number.
"""

from __future__ import annotations

import re
import unicodedata

from kb.corpus.names import transliterate
from kb.model import Source

_STOPWORDS = {
    "a",
    "an",
    "the",
    "on",
    "of",
    "and",
    "in",
    "for",
    "to",
    "about",
    "from",
    "with",
    "at",
    "by",
    "towards",
    "toward",
    "into",
    "is",
    "are",
    "how",
    "what",
    "why",
    "this",
    "that",
    "these",
    "those",
    "its",
    "their",
    "der",
    "die",
    "das",
    "la",
    "le",
    "les",
    "el",
    "los",
}
# A key an import file brings is kept when it already looks like the corpus's keys.
CORPUS_KEY = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")


def ascii_word(text: str) -> str:
    text = unicodedata.normalize("NFKD", transliterate(text))
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def creator_stem(source: Source) -> str:
    people = source.authors or source.editors
    if people:
        first = people[0]
        if first.literal:
            words = [w for w in re.split(r"[\s,]+", first.literal) if w]
            acronym = [w for w in words if w.isupper() and len(w) > 1]
            return ascii_word(acronym[0] if acronym else words[0]) if words else ""
        return ascii_word(first.latin_family or first.family)
    body = source.institution or source.publisher
    return ascii_word(re.split(r"[\s,]+", body)[0]) if body else "anon"


def title_words(source: Source) -> list[str]:
    words = [ascii_word(w) for w in re.split(r"[\s\-–—:;,.!?/]+", source.english_title)]
    return [w for w in words if w and w not in _STOPWORDS]


def citation_key(source: Source, taken: set[str], taken_lower: set[str] | None = None) -> str:
    """A key not in `taken` (compared in lower case, as citeproc and case-insensitive disks do).

    A caller naming many records passes `taken_lower` (`taken` in lower case, kept alongside it)
    rather than have every call lower all the keys again.
    """
    if taken_lower is None:
        taken_lower = {k.lower() for k in taken}
    stem = f"{creator_stem(source) or 'anon'}{source.year}"
    words = title_words(source) or ["work"]
    candidates = [stem + "".join(words[:n]) for n in range(1, min(3, len(words)) + 1)]
    for candidate in candidates:
        if candidate not in taken_lower:
            return candidate
    number = 2
    while f"{candidates[-1]}{number}" in taken_lower:
        number += 1
    return f"{candidates[-1]}{number}"
