"""Is an imported record a work the corpus already has? Same DOI; else same title, year and first author.

Titles and names are compared romanised and "squashed" (ye/e, ts/c, kh/h, ...), so a Cyrillic
record, its transliteration in another scheme (GOST, ALA-LC, BGN) and its English-titled twin
(`title_en`) compare as one work; rapidfuzz scores what remains (typos, punctuation, a missing
subtitle). Two different DOIs mean two works, whatever the titles say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kb.bibliography.fields import full_title
from kb.corpus.names import transliterate
from kb.model import Source

TITLE_THRESHOLD = 90  # rapidfuzz ratio (0-100) for "same title"
NEAR_YEAR_TITLE = 97  # a year apart only with an almost identical title (a citing list's wrong year)
AUTHOR_THRESHOLD = 85  # for "same first author" (spelling variants of one name)
_SQUASH = [
    ("shch", "s"),
    ("sch", "s"),
    ("sh", "s"),
    ("ch", "c"),
    ("zh", "z"),
    ("kh", "h"),
    ("ts", "c"),
    ("tz", "c"),
    ("ye", "e"),
    ("yo", "e"),
    ("ya", "a"),
    ("ia", "a"),
    ("ja", "a"),
    ("yu", "u"),
    ("iu", "u"),
    ("ju", "u"),
    ("iy", "i"),
    ("yi", "i"),
    ("ij", "i"),
    ("y", "i"),
    ("j", "i"),
    ("x", "ks"),
    ("w", "v"),
    ("ph", "f"),
]


@dataclass(frozen=True)
class Duplicate:
    key: str  # the record it duplicates
    reason: str  # why, in words
    score: float


def squash(text: str) -> str:
    """A spelling-insensitive form: romanised, no accents or punctuation, transliteration variants folded."""
    text = unicodedata.normalize("NFKD", transliterate(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]+", " ", text.replace("'", "").replace("ʹ", ""))
    for spelling, plain in _SQUASH:
        text = text.replace(spelling, plain)
    return " ".join(text.split())


def find_duplicate(source: Source, pool: list[Source]) -> Duplicate | None:
    """The record of `pool` that `source` duplicates, if any (a DOI match wins, then the best title)."""
    return DuplicateFinder(pool).find(source)


class DuplicateFinder:
    """`find` against a growing pool; each record's comparable forms are computed once, and only
    records within a year of the candidate are compared (an import is then near-linear, not quadratic)."""

    def __init__(self, pool: list[Source] = ()):
        self._by_doi: dict[str, str] = {}
        self._by_year: dict[int, list[tuple[Source, set[str], str]]] = {}
        for source in pool:
            self.add(source)

    def add(self, source: Source) -> None:
        if source.doi:
            self._by_doi.setdefault(source.doi.casefold(), source.key)
        self._by_year.setdefault(source.year, []).append((source, _title_forms(source), _creator(source)))

    def replace(self, source: Source) -> None:
        """Update a record already in the pool (a merge gave it more fields)."""
        entries = self._by_year.get(source.year, [])
        self._by_year[source.year] = [e for e in entries if e[0].key != source.key]
        self.add(source)

    def find(self, source: Source) -> Duplicate | None:
        from rapidfuzz import fuzz

        doi = source.doi.casefold()
        if doi in self._by_doi:
            return Duplicate(self._by_doi[doi], f"same DOI {source.doi}", 100.0)
        titles, creator = _title_forms(source), _creator(source)
        best: Duplicate | None = None
        for year in (source.year, source.year - 1, source.year + 1):
            for other, other_titles, other_creator in self._by_year.get(year, ()):
                if doi and other.doi:
                    continue  # different DOIs: different works
                author_score = fuzz.ratio(creator, other_creator) if creator or other_creator else 100.0
                if author_score < AUTHOR_THRESHOLD:
                    continue
                title_score = max(fuzz.ratio(a, b) for a in titles for b in other_titles)
                if title_score < (TITLE_THRESHOLD if year == source.year else NEAR_YEAR_TITLE):
                    continue
                when = (
                    f"year {source.year}"
                    if year == source.year
                    else f"year {source.year} against {other.year} (one year apart)"
                )
                reason = (
                    f"same title ({title_score:.0f}% alike), {when} and first author "
                    f"({author_score:.0f}% alike) as {other.key}"
                )
                if best is None or title_score > best.score:
                    best = Duplicate(other.key, reason, title_score)
        return best


def _title_forms(source: Source) -> set[str]:
    forms = {squash(source.title), squash(full_title(source))}
    if source.title_en:
        forms.add(squash(source.title_en))
    return {f for f in forms if f}


def _creator(source: Source) -> str:
    people = source.authors or source.editors
    if not people:
        return squash(source.institution or source.publisher)
    first = people[0]
    if first.literal:
        return squash(first.literal)
    return squash(first.latin_family or first.family)
