"""A query as the rankers see it: cleaned, its language, its stems, and the thesaurus concepts it names.

The bilingual SKOS thesaurus expands queries: a Russian (or English) preferred or alternative label
found in the query adds the concept's labels' stems, in both languages, to the lexical query at
half weight. With an English-only encoder (MiniLM) it also bridges Russian queries to dense search:
the concept's English label is embedded in the query's place (see kb.search.searcher). The default
multilingual encoder embeds Russian queries directly and does not need that bridge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kb.errors import KbError
from kb.model import Theme
from kb.script import script_language
from kb.search.text import clean, stems

MAX_QUERY_CHARS = 1000
EXPANSION_WEIGHT = 0.5  # a thesaurus term counts half as much as a word the user typed


@dataclass(frozen=True)
class Query:
    text: str
    language: str
    stems: tuple[str, ...]
    concepts: tuple[str, ...] = ()
    expansion_stems: Mapping[str, float] = field(default_factory=dict)
    english_labels: tuple[str, ...] = ()


class ConceptMatcher:
    """Finds thesaurus labels (en/ru, preferred and alternative) in a query, by their stems."""

    def __init__(self, themes: Mapping[str, Theme]):
        self.themes = themes
        self.labels: list[tuple[tuple[str, ...], str]] = []
        for theme in themes.values():
            texts = [*theme.labels.values(), *(text for _, text in theme.alt_labels)]
            for text in dict.fromkeys(texts):
                label_stems = tuple(stems(text))
                if label_stems:
                    self.labels.append((label_stems, theme.id))
        # Longest labels first, so "regional innovation policy" wins over "innovation policy".
        self.labels.sort(key=lambda entry: -len(entry[0]))

    def match(self, query_stems: tuple[str, ...]) -> list[str]:
        """Concepts whose every label stem occurs in the query, longest labels first; a label whose
        stems are all covered by a longer match already taken is not counted again."""
        present = set(query_stems)
        covered: set[str] = set()
        found: list[str] = []
        for label_stems, theme_id in self.labels:
            needed = set(label_stems)
            if needed <= present and not needed <= covered and theme_id not in found:
                found.append(theme_id)
                covered |= needed
        return found


def prepare(raw: str, matcher: ConceptMatcher) -> Query:
    if not isinstance(raw, str):
        raise KbError("the query must be text")
    text = clean(raw)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
    if not text:
        raise KbError("empty query: give some words to search for")
    query_stems = tuple(stems(text))
    if not query_stems and not any(ch.isalnum() for ch in text):
        raise KbError(f"the query '{text[:40]}' has no words to search for")
    concepts = tuple(matcher.match(query_stems))
    expansion: dict[str, float] = {}
    english = []
    for theme_id in concepts:
        theme = matcher.themes[theme_id]
        english.append(theme.label("en"))
        for label in {theme.label("en"), theme.label("ru")}:
            for stem in stems(label):
                if stem not in query_stems:
                    expansion[stem] = EXPANSION_WEIGHT
    return Query(text, script_language(text), query_stems, concepts, expansion, tuple(english))
