"""What every format needs: languages, dates, DOIs, names as BibLaTeX writes them, claim notes.

The exchange formats (BibTeX, RIS, CSL-JSON) are all mapped onto the corpus's own BibLaTeX fields,
so one set of helpers serves the writers and the readers.
"""

from __future__ import annotations

import re

from kb.corpus.bibtex import LANGUAGES
from kb.corpus.names import has_own_latin_spelling
from kb.model import Claim, Person, Source

# ISO 639-1 -> the babel name the corpus writes in `langid`.
BABEL_NAMES = {
    "en": "english",
    "de": "german",
    **{iso: name for name, iso in LANGUAGES.items() if name not in ("american", "british", "ngerman", "english")},
}
# Three-letter codes and English or native language names that reference managers write.
_LANGUAGE_ALIASES = {
    "eng": "en",
    "rus": "ru",
    "ukr": "uk",
    "ger": "de",
    "deu": "de",
    "fre": "fr",
    "fra": "fr",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "pol": "pl",
    "dut": "nl",
    "nld": "nl",
    "swe": "sv",
    "nor": "no",
    "fin": "fi",
    "dan": "da",
    "cze": "cs",
    "ces": "cs",
    "chi": "zh",
    "zho": "zh",
    "jpn": "ja",
    "русский": "ru",
    "английский": "en",
    "deutsch": "de",
    "français": "fr",
    "español": "es",
}


def normalise_language(value: str) -> str:
    """A babel name (`russian`) for whatever a reference manager wrote (`ru`, `ru-RU`, `Russian`, `rus`);
    '' when the value means nothing we know."""
    text = value.strip()
    if not text:
        return ""
    lowered = text.lower()
    if lowered in LANGUAGES:
        return lowered
    iso = _LANGUAGE_ALIASES.get(lowered)
    if not iso:
        primary = re.split(r"[-_ ]", lowered)[0]
        iso = primary if len(primary) == 2 and primary.isalpha() else _LANGUAGE_ALIASES.get(primary, "")
    if not iso:
        return ""
    return BABEL_NAMES.get(iso, iso)


_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")


def normalise_doi(value: str) -> str:
    """`https://doi.org/10.1/x`, `doi:10.1/x`, ` 10.1/x ` -> `10.1/x`; '' if it is not a DOI."""
    match = _DOI.search(value.strip())
    return match.group(0).rstrip(".,;") if match else ""


def parse_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) from ISO dates, RIS dates (`2011/12/08/`, `2017///`) or date-times; 0 = unknown."""
    match = re.match(r"\s*(\d{4})(?:[-/](\d{1,2})?(?:[-/](\d{1,2})?)?)?", text or "")
    if not match:
        return None
    year, month, day = (int(part) if part else 0 for part in match.groups())
    if not 1 <= month <= 12:
        month, day = 0, 0
    if not 1 <= day <= 31:
        day = 0
    return year, month, day


def iso_date(year: int, month: int = 0, day: int = 0) -> str:
    if month and day:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"


def person_to_bibtex(person: Person, latin: bool = False) -> str:
    """`Family, Given` (or the Latin spelling), a body in braces, as the corpus writes names."""
    if person.literal:
        return "{" + person.literal + "}"
    return person.latin_display if latin else person.display


def people_to_bibtex(people, latin: bool = False) -> str:
    return " and ".join(person_to_bibtex(p, latin) for p in people)


def has_own_latin_names(people) -> bool:
    """True when the Latin spellings are the authors' own (`author_en`), not our transliteration."""
    return any(has_own_latin_spelling(p) for p in people)


def claim_note(claim: Claim, language: str = "en") -> str:
    """One claim as a note line: marked, so that importing an export with claims can drop it again."""
    details = [claim.kind]
    if claim.locator:
        details.append(claim.locator)
    details.append("themes: " + ", ".join(claim.themes))
    details.append(f"evidence: {claim.evidence}")
    text = claim.text.get("en", "")
    original = claim.text.get(language, "") if language != "en" else ""
    if original:
        text = f"{text} / {original}"
    return f"{CLAIM_NOTE_PREFIX} {claim.id} ({'; '.join(details)}): {text}"


CLAIM_NOTE_PREFIX = "glocal-kb claim"


def is_claim_note(text: str) -> bool:
    return text.lstrip().startswith(CLAIM_NOTE_PREFIX)


def full_title(source: Source) -> str:
    """Title and subtitle as one string, the way formats without a subtitle field carry them."""
    if not source.subtitle:
        return source.title
    separator = " " if source.title.endswith(("?", "!", ":", ".")) else ": "
    return f"{source.title}{separator}{source.subtitle}"


def split_full_title(title: str, subtitle: str) -> tuple[str, str]:
    """Undo `full_title` when the subtitle is known; otherwise keep the title whole."""
    for separator in (": ", " "):
        if subtitle and title.endswith(separator + subtitle):
            return title[: -len(separator + subtitle)], subtitle
    return title, ""
