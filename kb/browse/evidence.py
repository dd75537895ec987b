"""`Evidence`: one built knowledge base, indexed for browsing (relations both ways, claims by theme)."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from kb.errors import KbError
from kb.model import CLAIM_RELATIONS, Claim, Corpus, Source, Theme
from kb.rdf.ontology import Vocabulary

# How an incoming relation reads from the target's side.
INVERSE_LABELS = {"supports": "supported by", "disputes": "disputed by", "extends": "extended by"}


class Evidence:
    """Read-only views over a corpus and its thesaurus; cheap to build, safe to share between threads."""

    def __init__(self, corpus: Corpus, vocabulary: Vocabulary):
        self.corpus = corpus
        self.vocabulary = vocabulary

    # --- lookups that fail with a helpful message -------------------------------------------
    def theme(self, theme_id: str) -> Theme:
        return self.vocabulary.theme(theme_id)

    def source(self, key: str) -> Source:
        try:
            return self.corpus.sources[key]
        except KeyError:
            raise KbError(f"unknown source '{key}'") from None

    def claim(self, claim_id: str) -> Claim:
        try:
            return self.corpus.claims[claim_id]
        except KeyError:
            raise KbError(f"unknown claim '{claim_id}'") from None

    def theme_label(self, theme_id: str, language: str = "en") -> str:
        theme = self.vocabulary.themes.get(theme_id)
        return theme.label(language) if theme else theme_id

    def evidence_label(self, evidence_id: str, language: str = "en") -> str:
        labels = self.vocabulary.evidence_types.get(evidence_id, {})
        return labels.get(language) or labels.get("en") or evidence_id

    # --- indexes ------------------------------------------------------------------------------
    @cached_property
    def incoming(self) -> dict[str, list[tuple[str, str]]]:
        """claim id -> [(relation, id of the claim that points at it)]."""
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for claim in self.corpus.claims.values():
            for relation, target in claim.relations():
                found[target].append((relation, claim.id))
        return dict(found)

    @cached_property
    def claims_by_theme(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for claim in self.corpus.claims.values():
            for theme in claim.themes:
                found[theme].append(claim.id)
        return dict(found)

    @cached_property
    def source_themes(self) -> dict[str, list[str]]:
        """A source's themes: its claims' themes, the most frequent first."""
        counted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for claim in self.corpus.claims.values():
            for theme in claim.themes:
                counted[claim.source_key][theme] += 1
        return {key: sorted(c, key=lambda t: (-c[t], t)) for key, c in counted.items()}

    def with_narrower(self, theme_id: str) -> list[str]:
        """The theme and every theme under it, the theme first, then breadth-first."""
        return self.vocabulary.with_narrower(theme_id)

    @cached_property
    def _position(self) -> dict[str, int]:
        return {claim_id: index for index, claim_id in enumerate(self.corpus.claims)}

    def claims_on(self, theme_id: str, narrower: bool = True) -> list[Claim]:
        """Claims tagged with the theme (or, by default, with any theme under it), in corpus order."""
        themes = self.with_narrower(theme_id) if narrower else [theme_id]
        ids = {cid for t in themes for cid in self.claims_by_theme.get(t, [])}
        return [self.corpus.claims[cid] for cid in sorted(ids, key=self._position.__getitem__)]

    def relations_among(self, claim_ids: set[str], kinds=CLAIM_RELATIONS) -> list[tuple[str, str, str]]:
        """(from, relation, to) where at least one end is in `claim_ids`, each relation once."""
        found = set()
        for claim_id in claim_ids:
            for relation, target in self.corpus.claims[claim_id].relations():
                found.add((claim_id, relation, target))
            for relation, origin in self.incoming.get(claim_id, []):
                found.add((origin, relation, claim_id))
        return sorted(
            (r for r in found if r[1] in kinds), key=lambda r: (self._position[r[0]], r[1], self._position[r[2]])
        )


def short_citation(source: Source, latin: bool = False) -> str:
    """`Bathelt, Malmberg & Maskell 2004`, `Coe et al. 2004`, `OECD 2013`: authors, else editors."""
    people = source.authors or source.editors
    names = [(p.literal or (p.latin_family or p.family) if latin else p.literal or p.family) for p in people] or [
        source.institution or source.publisher or source.key
    ]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    elif len(names) == 3:
        who = f"{names[0]}, {names[1]} & {names[2]}"
    else:
        who = f"{names[0]} et al."
    if not source.authors and source.editors:
        who += " (ed.)" if len(source.editors) == 1 else " (eds.)"
    return f"{who} {source.year}"
