"""Which script a text is written in: the one place that knows what counts as Cyrillic.

The corpus is English and Russian, often in one record (a Russian title beside its English
translation), so stemming, transliteration, sorting of reference lists and the choice of a
citation locale all ask the same question of a word or a text.
"""

from __future__ import annotations

import re

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")


def is_cyrillic_char(char: str) -> bool:
    """One character of the Cyrillic block (U+0400-U+04FF)."""
    return "\u0400" <= char <= "\u04ff"


def has_cyrillic(text: str) -> bool:
    """Any Cyrillic letter in `text`."""
    return bool(_CYRILLIC.search(text))


def has_latin(text: str) -> bool:
    """Any basic Latin letter in `text`."""
    return bool(_LATIN.search(text))


def script_language(text: str) -> str:
    """`ru` when Cyrillic letters outnumber Latin ones, else `en` (the two languages of the corpus)."""
    cyrillic = len(_CYRILLIC.findall(text))
    return "ru" if cyrillic and cyrillic >= len(_LATIN.findall(text)) else "en"
