"""Text handling shared by indexing and querying: cleaning, language by script, bilingual stemming.

The corpus is English and Russian, often in one document (a Russian title next to its English
translation), so every word is stemmed by its own script: Cyrillic words with the Russian
Snowball stemmer, everything else with the English one. Indexing and querying use exactly the
same function, which is what makes a stemmed match possible at all.
"""

from __future__ import annotations

import re
import threading
import unicodedata

from kb.script import is_cyrillic_char

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_stemmers = threading.local()  # PyStemmer objects are not thread-safe: one per thread


def clean(text: str) -> str:
    """Drop control and format characters (a pasted query may hold NULs, tabs, zero-width marks)."""
    kept = (" " if unicodedata.category(ch)[0] in ("C", "Z") else ch for ch in text)
    return " ".join("".join(kept).split())


def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_RUSSIAN

    return frozenset(STOPWORDS_EN_PLUS) | frozenset(STOPWORDS_RUSSIAN)


_STOP: frozenset[str] | None = None


def _stem_pair():
    pair = getattr(_stemmers, "pair", None)
    if pair is None:
        import Stemmer

        pair = _stemmers.pair = (Stemmer.Stemmer("english"), Stemmer.Stemmer("russian"))
    return pair


def words(text: str) -> list[str]:
    """Lower-cased words; ё folds to е, as Russian writers use them interchangeably."""
    return _WORD.findall(text.lower().replace("ё", "е"))


def stems(text: str) -> list[str]:
    """Stop words removed, each word stemmed in its own language, order kept (phrases are matched on it)."""
    global _STOP
    if _STOP is None:
        _STOP = _stopwords()
    english, russian = _stem_pair()
    kept = [w for w in words(text) if w not in _STOP]
    # One call per language into the C stemmer; a word is Russian when it starts with a Cyrillic letter.
    is_russian = [is_cyrillic_char(w[0]) for w in kept]
    stemmed_en = iter(english.stemWords([w for w, ru in zip(kept, is_russian) if not ru]))
    stemmed_ru = iter(russian.stemWords([w for w, ru in zip(kept, is_russian) if ru]))
    return [next(stemmed_ru) if ru else next(stemmed_en) for ru in is_russian]
