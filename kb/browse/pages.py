"""What each page of the UI shows, as plain data: theme tree and theme pages, source and claim pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from kb.browse.evidence import INVERSE_LABELS, Evidence, short_citation
from kb.model import BASIS_LABELS, EVIDENCE_TYPES, Claim, Source, Theme


@dataclass(frozen=True)
class ClaimView:
    """A claim with what a card needs: its source's short citation and readable labels."""

    claim: Claim
    source: Source
    citation: str
    evidence_label: str
    themes: tuple[tuple[str, str], ...]
    relation_counts: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.claim.id


@dataclass(frozen=True)
class TreeNode:
    id: str
    label: str
    label_ru: str
    claims: int  # on this theme or under it
    children: tuple[TreeNode, ...] = ()


@dataclass(frozen=True)
class ThemePage:
    theme: Theme
    broader: list[tuple[str, str]]
    narrower: list[tuple[str, str]]
    related: list[tuple[str, str]]
    claims_by_evidence: dict[str, list[ClaimView]]
    supports: list[tuple[ClaimView, ClaimView]]
    disputes: list[tuple[ClaimView, ClaimView]]
    sources: list[tuple[Source, int]]
    direct_claims: int


@dataclass(frozen=True)
class SourcePage:
    source: Source
    claims: list[ClaimView]
    cites: list[Source]
    cited_by: list[Source]
    themes: list[tuple[str, str, int]]


@dataclass(frozen=True)
class ClaimPage:
    view: ClaimView
    basis_label: str
    outgoing: list[tuple[str, ClaimView]]
    incoming: list[tuple[str, ClaimView]]


def claim_view(evidence: Evidence, claim: Claim, language: str = "en") -> ClaimView:
    source = evidence.corpus.sources[claim.source_key]
    counts = Counter(relation for relation, _ in claim.relations())
    counts.update(INVERSE_LABELS[relation] for relation, _ in evidence.incoming.get(claim.id, []))
    return ClaimView(
        claim=claim,
        source=source,
        citation=short_citation(source, latin=language != "ru"),
        evidence_label=evidence.evidence_label(claim.evidence, language),
        themes=tuple((t, evidence.theme_label(t, language)) for t in claim.themes),
        relation_counts=dict(counts),
    )


def theme_tree(evidence: Evidence) -> list[TreeNode]:
    """Top concepts with their narrower concepts; a concept with two parents appears under both."""
    themes = evidence.vocabulary.themes

    def node(theme_id: str, path: tuple[str, ...]) -> TreeNode:
        theme = themes[theme_id]
        children = tuple(node(child, path + (child,)) for child in narrower_in_order(themes, theme_id, path))
        return TreeNode(theme_id, theme.label("en"), theme.label("ru"), len(evidence.claims_on(theme_id)), children)

    return [node(t, (t,)) for t in top_themes_in_order(themes)]


def top_themes_in_order(themes: Mapping[str, Theme]) -> list[str]:
    """The themes without a broader one, as the theme tree lists them (by English label)."""
    return sorted((t for t in themes if not themes[t].broader), key=lambda t: themes[t].label("en").lower())


def narrower_in_order(themes: Mapping[str, Theme], theme_id: str, path: tuple[str, ...]) -> list[str]:
    """A theme's children as the theme tree lists them, leaving out any already on `path` (a cycle)."""
    ordered = sorted(themes[theme_id].narrower, key=lambda c: themes[c].label("en").lower())
    return [child for child in ordered if child not in path]


def theme_page(evidence: Evidence, theme_id: str, language: str = "en") -> ThemePage:
    theme = evidence.theme(theme_id)
    claims = evidence.claims_on(theme_id)
    ids = {c.id for c in claims}
    views = {c.id: claim_view(evidence, c, language) for c in claims}

    def view(claim_id: str) -> ClaimView:
        return views.get(claim_id) or claim_view(evidence, evidence.claim(claim_id), language)

    by_evidence: dict[str, list[ClaimView]] = {}
    for evidence_type in EVIDENCE_TYPES:
        listed = [views[c.id] for c in claims if c.evidence == evidence_type]
        if listed:
            by_evidence[evidence_type] = listed
    pairs = evidence.relations_among(ids, kinds=("supports", "disputes"))
    sources = Counter(c.source_key for c in claims)

    def labelled(ids_):
        return [(t, evidence.theme_label(t, language)) for t in ids_]

    return ThemePage(
        theme=theme,
        broader=labelled(theme.broader),
        narrower=labelled(theme.narrower),
        related=labelled(theme.related),
        claims_by_evidence=by_evidence,
        supports=[(view(a), view(b)) for a, relation, b in pairs if relation == "supports"],
        disputes=[(view(a), view(b)) for a, relation, b in pairs if relation == "disputes"],
        sources=sorted(
            ((evidence.corpus.sources[k], n) for k, n in sources.items()),
            key=lambda item: (-item[1], item[0].year, item[0].key),
        ),
        direct_claims=len(evidence.claims_by_theme.get(theme_id, [])),
    )


def source_page(evidence: Evidence, key: str, language: str = "en") -> SourcePage:
    source = evidence.source(key)
    claims = [claim_view(evidence, c, language) for c in evidence.corpus.claims_of(key)]
    themes = Counter(t for view in claims for t in view.claim.themes)
    return SourcePage(
        source=source,
        claims=claims,
        cites=[evidence.corpus.sources[k] for k in source.cites],
        cited_by=[s for s in evidence.corpus.sources.values() if key in s.cites],
        themes=[(t, evidence.theme_label(t, language), n) for t, n in themes.most_common()],
    )


def claim_page(evidence: Evidence, claim_id: str, language: str = "en") -> ClaimPage:
    claim = evidence.claim(claim_id)
    return ClaimPage(
        view=claim_view(evidence, claim, language),
        basis_label=BASIS_LABELS.get(claim.based_on, claim.based_on),
        outgoing=[
            (relation, claim_view(evidence, evidence.claim(target), language)) for relation, target in claim.relations()
        ],
        incoming=[
            (INVERSE_LABELS[relation], claim_view(evidence, evidence.claim(origin), language))
            for relation, origin in evidence.incoming.get(claim_id, [])
        ],
    )
