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

TITLE_THRESHOLD = 90     # rapidfuzz ratio (0-100) for "same title"
NEAR_YEAR_TITLE = 97     # a year apart only with an almost identical title (a citing list's wrong year)
AUTHOR_THRESHOLD = 85    # for "same first author" (spelling variants of one name)
_SQUASH = [("shch", "s"), ("sch", "s"), ("sh", "s"), ("ch", "c"), ("zh", "z"), ("kh", "h"), ("ts", "c"),
           ("tz", "c"), ("ye", "e"), ("yo", "e"), ("ya", "a"), ("ia", "a"), ("ja", "a"), ("yu", "u"),
           ("iu", "u"), ("ju", "u"), ("iy", "i"), ("yi", "i"), ("ij", "i"), ("y", "i"), ("j", "i"),
           ("x", "ks"), ("w", "v"), ("ph", "f")]


@dataclass(frozen=True)
class Duplicate:
    key: str          # the record it duplicates
    reason: str       # why, in words
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
    from rapidfuzz import fuzz

    doi = source.doi.casefold()
    if doi:
        for other in pool:
            if other.doi.casefold() == doi:
                return Duplicate(other.key, f"same DOI {source.doi}", 100.0)
    titles = _title_forms(source)
    creator = _creator(source)
    best: Duplicate | None = None
    for other in pool:
        if doi and other.doi:
            continue  # different DOIs: different works
        gap = abs(other.year - source.year)
        if gap > 1:
            continue
        author_score = fuzz.ratio(creator, _creator(other)) if creator or _creator(other) else 100.0
        if author_score < AUTHOR_THRESHOLD:
            continue
        title_score = max(fuzz.ratio(a, b) for a in titles for b in _title_forms(other))
        if title_score < (TITLE_THRESHOLD if gap == 0 else NEAR_YEAR_TITLE):
            continue
        year = f"year {source.year}" if gap == 0 else f"year {source.year} against {other.year} (one year apart)"
        reason = (f"same title ({title_score:.0f}% alike), {year} and first author "
                  f"({author_score:.0f}% alike) as {other.key}")
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
