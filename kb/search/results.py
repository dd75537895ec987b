"""What the search engine returns: ranked hits, ids and scores only. Turning hits into what a
person reads (texts in a language, labels, citations) is `kb.browse.results.present`, shared by the
CLI, `--json` and the web UI."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.search.filters import SearchFilters  # noqa: F401 - part of this module's API

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class SearchHit:
    """One hit: a claim (claim_id set) or a source record (claim_id None), best first in a list."""

    claim_id: str | None
    source_key: str
    score: float
    ranks: dict = field(default_factory=dict)  # rank in each ranker that found it, e.g. {"dense": 1}
    matched_language: str = "en"  # language of the indexed text that ranked best
    query_language: str = "en"  # the language the query was read as

    @property
    def kind(self) -> str:
        return "claim" if self.claim_id else "source"
