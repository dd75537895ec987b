"""Search hits as people read them: the one presenter behind `kb search`, its `--json` and the web
UI's result cards, so the three cannot drift apart.

A claim is shown in the query's language when it has text in it, else in the language of the text
that matched, else in English; a source record by its original title for a query in its language,
else by its English title. Theme labels follow the language shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.browse.evidence import short_citation
from kb.browse.pages import ClaimView, claim_view
from kb.model import Source

if TYPE_CHECKING:
    from kb.knowledge_base import KnowledgeBase
    from kb.search.results import SearchHit


@dataclass(frozen=True)
class ResultView:
    """One hit, ready to print or render: its text in the language chosen, its source, its themes."""

    hit: SearchHit
    text: str
    language: str  # the language of `text`
    source: Source
    themes: tuple[tuple[str, str], ...]  # (theme id, label in `language`)
    citation: str  # short citation, e.g. "Bathelt, Malmberg & Maskell 2004"
    claim: ClaimView | None = None  # the claim card's data, for a claim hit

    @property
    def claim_id(self) -> str | None:
        return self.hit.claim_id

    @property
    def kind(self) -> str:
        return self.hit.kind

    @property
    def score(self) -> float:
        return self.hit.score

    @property
    def evidence(self) -> str | None:
        return self.claim.claim.evidence if self.claim else None

    @property
    def locator(self) -> str:
        return self.claim.claim.locator if self.claim else ""

    @property
    def matched_language(self) -> str:
        return self.hit.matched_language

    @property
    def ranks(self) -> dict:
        return self.hit.ranks

    def as_json(self) -> dict:
        """The JSON of `kb search --json`: claim_id, text, score, source, themes."""
        source = self.source
        return {
            "claim_id": self.hit.claim_id,
            "text": self.text,
            "score": round(float(self.hit.score), 6),
            "source": {
                "key": source.key,
                "title": source.title,
                "title_en": source.title_en or None,
                "year": source.year,
                "doi": source.doi or None,
                "authors": [p.display for p in source.authors] or [p.display for p in source.editors],
            },
            "themes": [{"id": theme_id, "label": label} for theme_id, label in self.themes],
        }


def present(kb: KnowledgeBase, hits: Sequence[SearchHit], language: str | None = None) -> list[ResultView]:
    """Each hit with its text, labels and citation (see the module's note on languages). `language`
    (the reader's choice, in the web UI) comes before the query's language where a text has it."""
    evidence = kb.evidence
    views = []
    for hit in hits:
        source = kb.corpus.sources[hit.source_key]
        if hit.claim_id:
            claim = kb.corpus.claims[hit.claim_id]
            shown = next(
                lang
                for lang in (language, hit.query_language, hit.matched_language, "en", *claim.text)
                if lang in claim.text
            )
            text = claim.text[shown]
            card = claim_view(evidence, claim, shown)
            themes = card.themes
        else:
            wanted = language or hit.query_language
            shown = wanted if wanted in (source.language, "en") else hit.matched_language
            text = source.title if shown == source.language else source.english_title
            themes = tuple((t, evidence.theme_label(t, shown)) for t in evidence.source_themes.get(source.key, ()))
            card = None
        views.append(
            ResultView(
                hit=hit,
                text=text,
                language=shown,
                source=source,
                themes=themes,
                citation=short_citation(source, latin=True),
                claim=card,
            )
        )
    return views
