"""What a search returns: filters in, ranked results out (plain data classes the CLI and the web app share)."""

from __future__ import annotations

from dataclasses import dataclass, field

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search. Every field is optional; unknown values raise KbError listing the valid ones.

    theme: a theme id; its narrower themes are included (a source counts if any of its claims does).
    evidence: an evidence type id (only claims carry one, so source hits drop out).
    year_from, year_to: the source's publication year, inclusive.
    source_type: the BibLaTeX entry type of the source (article, book, report, ...).
    language: the language of the source (ru: works published in Russian).
    source: a source's citation key.
    """

    theme: str | None = None
    evidence: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    source_type: str | None = None
    language: str | None = None
    source: str | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class SearchResult:
    """One hit: a claim (claim_id set) or a source (claim_id None), best first in a result list."""

    claim_id: str | None
    text: str
    score: float
    source: dict
    themes: list[dict] = field(default_factory=list)
    kind: str = "claim"             # claim | source
    evidence: str | None = None     # evidence type id of a claim
    language: str = "en"            # language of `text`
    matched_language: str = "en"    # language of the indexed text that ranked best
    locator: str = ""
    source_type: str = ""
    citation: str = ""              # short citation: "Bathelt, Malmberg & Maskell 2004"
    ranks: dict = field(default_factory=dict)  # rank in each ranker that found it, e.g. {"dense": 1}

    def as_dict(self) -> dict:
        """The JSON of `kb search --json`: claim_id, text, score, source, themes."""
        return {
            "claim_id": self.claim_id,
            "text": self.text,
            "score": self.score,
            "source": dict(self.source),
            "themes": [dict(t) for t in self.themes],
        }
