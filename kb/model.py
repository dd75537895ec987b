"""The domain model: plain, immutable data classes. Standard library only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from kb.errors import Location

EVIDENCE_TYPES = (
    "empirical-quantitative",
    "case-study",
    "conceptual",
    "review",
    "methodological",
    "policy-document",
    "indicator-rating",
)
CLAIM_KINDS = ("paraphrase", "quote")
# What a claim rests on, strongest first: the work read with a page (or section) locator, the work
# read, its abstract, its publisher's description, a named secondary work that summarises, reviews
# or cites it (`via`), and last the curator's own recollection of the work, checked against no text.
CURATION_BASES = ("full-text-page", "full-text", "abstract", "publisher-description", "secondary", "recollection")
BASIS_LABELS = {
    "full-text-page": "Full text, page cited",
    "full-text": "Full text",
    "abstract": "Abstract",
    "publisher-description": "Publisher's description",
    "secondary": "Secondary account",
    "recollection": "Curator's recollection",
}
# A claim is a draft until a named person has checked it against its basis.
REVIEW_STATUSES = ("draft", "reviewed")
CLAIM_RELATIONS = ("supports", "disputes", "extends")


class FrozenMap(dict):
    """A read-only dict that pickles and hashes, for mapping fields of frozen data classes."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("FrozenMap is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse

    def __hash__(self) -> int:
        return hash(frozenset(self.items()))

    def __reduce__(self):
        return (FrozenMap, (dict(self),))


@dataclass(frozen=True)
class Person:
    """An author or editor. A body (OECD, a ministry) has only `literal`."""

    family: str = ""
    given: str = ""
    literal: str = ""
    latin_family: str = ""
    latin_given: str = ""

    @property
    def is_organisation(self) -> bool:
        return bool(self.literal)

    @property
    def display(self) -> str:
        """`Family, Given` or the body's name, in the original script."""
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def latin_display(self) -> str:
        if self.literal:
            return self.literal
        family = self.latin_family or self.family
        given = self.latin_given or self.given
        return f"{family}, {given}" if given else family


@dataclass(frozen=True)
class Source:
    """A bibliographic record: one work in the corpus."""

    key: str
    entry_type: str
    title: str
    year: int
    language: str = "en"
    title_en: str = ""
    subtitle: str = ""
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    date: str = ""
    container_title: str = ""
    container_title_en: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    pagetotal: str = ""
    series: str = ""
    institution: str = ""
    report_type: str = ""
    publisher: str = ""
    location: str = ""
    doi: str = ""
    isbn: str = ""
    issn: str = ""
    url: str = ""
    urldate: str = ""
    keywords: tuple[str, ...] = ()
    abstract: str = ""
    note: str = ""
    correction: str = ""
    verification: str = ""
    cites: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=FrozenMap)
    origin: Location | None = field(default=None, compare=False)

    @property
    def english_title(self) -> str:
        """The title an English reader sees: the translation when there is one."""
        return self.title_en or self.title

    @property
    def page_range(self) -> tuple[str, str]:
        start, _, end = self.pages.replace("--", "-").replace("–", "-").partition("-")
        return start.strip(), end.strip()


@dataclass(frozen=True)
class Relation:
    """One claim's link to another (`supports`, `disputes`, `extends`), with its reason and who gave it."""

    kind: str
    target: str
    because: str
    by: str


@dataclass(frozen=True)
class Claim:
    """A statement a source makes, in our words (or quoted), with its evidence type and relations."""

    id: str
    source_key: str
    text: Mapping[str, str]
    themes: tuple[str, ...]
    evidence: str
    kind: str = "paraphrase"
    locator: str = ""
    based_on: str = "recollection"
    supports: tuple[str, ...] = ()
    disputes: tuple[str, ...] = ()
    extends: tuple[str, ...] = ()
    note: str = ""
    curated_by: str = ""
    curated_on: str = ""
    via: str = ""  # the secondary work a `secondary` claim rests on: citation key or URL
    status: str = "draft"  # draft | reviewed
    reviewed_by: str = ""
    reviewed_on: str = ""
    reasons: tuple[Relation, ...] = ()  # the rationale of each relation, in `relations()` order
    origin: Location | None = field(default=None, compare=False)

    @property
    def is_quote(self) -> bool:
        return self.kind == "quote"

    @property
    def is_reviewed(self) -> bool:
        return self.status == "reviewed"

    def reason(self, kind: str, target: str) -> Relation | None:
        return next((r for r in self.reasons if r.kind == kind and r.target == target), None)

    def relations(self) -> list[tuple[str, str]]:
        """(relation, target claim id) pairs in a fixed order."""
        return [(name, target) for name in CLAIM_RELATIONS for target in getattr(self, name)]


@dataclass(frozen=True)
class Corpus:
    """Everything curators edit: sources by key and claims by id, in file order."""

    sources: Mapping[str, Source]
    claims: Mapping[str, Claim]

    def claims_of(self, source_key: str) -> list[Claim]:
        return list(self._claims_by_source.get(source_key, ()))

    @cached_property
    def _claims_by_source(self) -> dict[str, list[Claim]]:
        # Built once: scanning every claim per source made a selection of S sources cost S x C.
        by_source: dict[str, list[Claim]] = {}
        for claim in self.claims.values():
            by_source.setdefault(claim.source_key, []).append(claim)
        return by_source

    def __getstate__(self) -> dict:
        # Pickles (the build's corpus snapshot) carry the data, not the index derived from it.
        return {name: value for name, value in self.__dict__.items() if name != "_claims_by_source"}


@dataclass(frozen=True)
class Theme:
    """A SKOS concept of the thesaurus, as the library hands it to callers."""

    id: str
    iri: str
    labels: Mapping[str, str]
    definitions: Mapping[str, str] = field(default_factory=FrozenMap)
    alt_labels: tuple[tuple[str, str], ...] = ()
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    def label(self, language: str = "en") -> str:
        return self.labels.get(language) or self.labels.get("en") or self.id
