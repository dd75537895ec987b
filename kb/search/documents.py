"""What is searched: one document per claim text and language, and one per source and language.

A claim's document carries, besides its own words, the labels of its themes in the same
language and the title of its source: many claims say "the paper argues ..." and only the
context says what about. Sources are found by title, translated title, subtitle, abstract and
keywords. Both rankers (dense and lexical) see exactly these texts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kb.model import Claim, Corpus, Source
from kb.script import script_language

CLAIM = "claim"
SOURCE = "source"


@dataclass(frozen=True)
class Document:
    kind: str  # CLAIM or SOURCE
    item: str  # the claim id, or the source key for a source document
    source_key: str
    language: str  # language of `text`
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def corpus_documents(corpus: Corpus, themes) -> list[Document]:
    """Every searchable document, in a fixed order (claims in file order, then sources by key)."""
    docs = []
    # Each theme's label in each language, worked out once: 100k claims ask for 240k of them.
    labels = {
        (theme_id, language): theme.label(language) for theme_id, theme in themes.items() for language in ("en", "ru")
    }
    for claim in corpus.claims.values():
        docs.extend(claim_documents(claim, corpus.sources[claim.source_key], themes, labels))
    for key in sorted(corpus.sources):
        docs.extend(source_documents(corpus.sources[key]))
    return docs


def claim_documents(claim: Claim, source: Source, themes, known_labels: dict | None = None) -> list[Document]:
    docs = []
    known_labels = known_labels or {}
    for language in sorted(claim.text):
        text = claim.text[language].strip()
        if not text:
            continue
        labels = [known_labels.get((t, language)) or themes[t].label(language) for t in claim.themes if t in themes]
        title = source.title if language == source.language else source.english_title if language == "en" else ""
        context = "; ".join(labels)
        parts = [text, f"({context})" if context else "", f"{title}." if title else ""]
        docs.append(Document(CLAIM, claim.id, source.key, language, " ".join(p for p in parts if p)))
    return docs


def source_documents(source: Source) -> list[Document]:
    """One document per language the record has text in (a Russian work: Russian title, English translation)."""
    by_language: dict[str, list[str]] = {}

    def add(text: str, language: str | None = None) -> None:
        text = text.strip()
        if text:
            by_language.setdefault(language or script_language(text), []).append(text)

    add(source.title, source.language if source.language in ("en", "ru") else None)
    add(source.subtitle)
    if source.title_en:
        add(source.title_en, "en")
    add(source.abstract)
    if source.keywords:
        add("; ".join(source.keywords))
    return [
        Document(SOURCE, source.key, source.key, language, ". ".join(texts))
        for language, texts in sorted(by_language.items())
    ]
