"""The trust report a curator works from: what each claim rests on, what is still unchecked.

`audit(corpus)` counts claims by basis and review status and lists what needs a curator's hand:
secondary claims that name no secondary work, relations without a rationale, quotations without a
locator, paraphrases that copy a long run of words from their source's abstract, identifiers whose
verification names no page, and sources with fewer than three claims. `review_queue(corpus)` lists
the claims no named person has reviewed yet, weakest basis first. Both read the corpus only (no
build needed); the `kb audit` command and `kb validate` are thin layers over them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kb.corpus.claims import PAGE_LOCATOR
from kb.errors import KbError, Location
from kb.model import BASIS_LABELS, CURATION_BASES, REVIEW_STATUSES, Claim, Corpus
from kb.script import has_cyrillic

# A paraphrase that shares this many words in a row with its source's abstract copies it rather
# than saying it in other words. Chosen from the corpus (docs/data-truth-changes.md, "Threshold"):
# measured on the claim texts as they were before issue 12, the copied paraphrases share 13 and 21
# words in a row with their abstracts, two more share 9 and 10 (the abstract's own list of sources
# of agglomeration, and the name of the RIS3 strategies), and every other paraphrase at most 7 (a
# fixed list such as Marshall's three forces, or a term of art). 8 flags the copies and the lists
# taken over whole, and nothing that says the point in other words.
OVERLAP_WORDS = 8
FEW_CLAIMS = 3
_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.;])\s+")
_IDENTIFIERS = (("doi", "DOI"), ("isbn", "ISBN"), ("issn", "ISSN"))


@dataclass(frozen=True)
class Overlap:
    claim_id: str
    source_key: str
    language: str
    words: int
    run: str
    location: str


@dataclass(frozen=True)
class QueueEntry:
    claim_id: str
    source_key: str
    based_on: str
    drafted_by: str
    drafted_on: str
    location: str


@dataclass(frozen=True)
class AuditReport:
    claims: int
    by_basis: dict[str, int]
    by_status: dict[str, int]
    relations: int
    secondary_without_via: list[str] = field(default_factory=list)
    relations_without_rationale: list[str] = field(default_factory=list)
    quotations_without_locator: list[str] = field(default_factory=list)
    page_basis_without_page: list[str] = field(default_factory=list)
    paraphrase_overlaps: list[Overlap] = field(default_factory=list)
    identifiers_without_page: list[str] = field(default_factory=list)
    urls_without_access_date: list[str] = field(default_factory=list)
    sources_with_few_claims: dict[str, int] = field(default_factory=dict)
    overlap_threshold: int = OVERLAP_WORDS

    def summary(self) -> dict:
        """Counts only: what `kb audit --json` puts first, and what CI can compare with zero."""
        return {
            "claims": self.claims,
            "by_basis": self.by_basis,
            "by_status": self.by_status,
            "relations": self.relations,
            "secondary_without_via": len(self.secondary_without_via),
            "relations_without_rationale": len(self.relations_without_rationale),
            "quotations_without_locator": len(self.quotations_without_locator),
            "page_basis_without_page": len(self.page_basis_without_page),
            "paraphrase_overlaps": len(self.paraphrase_overlaps),
            "overlap_threshold_words": self.overlap_threshold,
            "identifiers_without_page": len(self.identifiers_without_page),
            "urls_without_access_date": len(self.urls_without_access_date),
            "sources_with_fewer_than_3_claims": len(self.sources_with_few_claims),
        }

    def to_dict(self) -> dict:
        data = asdict(self)
        return {
            "summary": self.summary(),
            **{
                k: v
                for k, v in data.items()
                if k not in ("claims", "by_basis", "by_status", "relations", "overlap_threshold")
            },
        }


class ParaphraseOverlapError(KbError):
    """Paraphrases that copy their source's abstract; `kb validate` refuses them."""

    def __init__(self, overlaps: list[Overlap]):
        self.violations = [describe_overlap(o) for o in overlaps]
        more = f" (and {len(overlaps) - 1} more)" if len(overlaps) > 1 else ""
        super().__init__(self.violations[0] + more)


def describe_overlap(overlap: Overlap) -> str:
    return (
        f"{overlap.location}: claim '{overlap.claim_id}' is a paraphrase but shares {overlap.words} words in a "
        f"row with the abstract of '{overlap.source_key}' (\"{overlap.run}\"); say it in other words, or make it "
        f"a quote (kind: quote) with a locator"
    )


def audit(corpus: Corpus, threshold: int = OVERLAP_WORDS) -> AuditReport:
    claims = list(corpus.claims.values())
    by_basis = {basis: 0 for basis in CURATION_BASES}
    by_status = {status: 0 for status in REVIEW_STATUSES}
    for claim in claims:
        by_basis[claim.based_on] = by_basis.get(claim.based_on, 0) + 1
        by_status[claim.status] = by_status.get(claim.status, 0) + 1
    per_source = {key: 0 for key in corpus.sources}
    for claim in claims:
        per_source[claim.source_key] = per_source.get(claim.source_key, 0) + 1
    return AuditReport(
        claims=len(claims),
        by_basis=by_basis,
        by_status=by_status,
        relations=sum(len(c.relations()) for c in claims),
        secondary_without_via=[c.id for c in claims if c.based_on == "secondary" and not c.via],
        relations_without_rationale=[
            f"{c.id} {kind} {target}"
            for c in claims
            for kind, target in c.relations()
            if not (c.reason(kind, target) and c.reason(kind, target).because.strip())
        ],
        quotations_without_locator=[c.id for c in claims if c.is_quote and not c.locator],
        page_basis_without_page=[
            c.id for c in claims if c.based_on == "full-text-page" and not PAGE_LOCATOR.search(c.locator)
        ],
        paraphrase_overlaps=paraphrase_overlaps(corpus, threshold),
        identifiers_without_page=identifiers_without_page(corpus),
        urls_without_access_date=[s.key for s in corpus.sources.values() if s.url and not s.urldate],
        sources_with_few_claims={key: n for key, n in per_source.items() if n < FEW_CLAIMS},
        overlap_threshold=threshold,
    )


def review_queue(corpus: Corpus) -> list[QueueEntry]:
    """Claims no named person has reviewed, weakest basis first, then by source and file order."""
    order = {claim_id: index for index, claim_id in enumerate(corpus.claims)}
    drafts = [c for c in corpus.claims.values() if not c.is_reviewed]
    drafts.sort(key=lambda c: (-CURATION_BASES.index(c.based_on), c.source_key, order[c.id]))
    return [QueueEntry(c.id, c.source_key, c.based_on, c.curated_by, c.curated_on, _where(c)) for c in drafts]


def paraphrase_overlaps(corpus: Corpus, threshold: int = OVERLAP_WORDS) -> list[Overlap]:
    """Paraphrases sharing at least `threshold` words in a row with their own source's abstract."""
    found = []
    for claim in corpus.claims.values():
        if claim.is_quote:
            continue
        overlap = longest_overlap(claim, corpus)
        if overlap and overlap.words >= threshold:
            found.append(overlap)
    return found


def longest_overlap(claim: Claim, corpus: Corpus) -> Overlap | None:
    """The longest run of words the claim shares with its source's abstract, in the abstract's language."""
    abstract = corpus.sources[claim.source_key].abstract
    if not abstract:
        return None
    language = "ru" if has_cyrillic(abstract) else "en"
    text = claim.text.get(language)
    if not text:
        return None
    words, run = _longest_common_run(_words(text), _words(abstract))
    if not words:
        return None
    return Overlap(claim.id, claim.source_key, language, words, run, _where(claim))


def identifiers_without_page(corpus: Corpus) -> list[str]:
    """`key field` for each DOI, ISBN or ISSN whose `verification` names no page (no web address in the
    sentence that mentions it)."""
    missing = []
    for source in corpus.sources.values():
        sentences = _SENTENCE.split(source.verification)
        for attribute, name in _IDENTIFIERS:
            if not getattr(source, attribute):
                continue
            if not any(name.lower() in s.lower() and re.search(r"https?://", s) for s in sentences):
                missing.append(f"{source.key} {attribute}")
    return missing


def basis_label(basis: str) -> str:
    return BASIS_LABELS.get(basis, basis)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("ё", "е"))


def _longest_common_run(a: list[str], b: list[str]) -> tuple[int, str]:
    best, end = 0, 0
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                current[j] = previous[j - 1] + 1
                if current[j] > best:
                    best, end = current[j], i
        previous = current
    return best, " ".join(a[end - best : end])


def _where(claim: Claim) -> str:
    return str(claim.origin) if claim.origin else str(Location(Path(f"corpus/claims/{claim.source_key}.yaml")))


def read_corpus(settings) -> Corpus:
    """The project's corpus, read and cross-checked as a build would (no SHACL, nothing written)."""
    from kb.corpus.loader import load_corpus
    from kb.rdf.ontology import load_ontology_graph, vocabulary_from_graph

    return load_corpus(settings.corpus, vocabulary_from_graph(load_ontology_graph(settings.ontology)))


def check_paraphrases(corpus: Corpus, threshold: int = OVERLAP_WORDS) -> None:
    """Raise `ParaphraseOverlapError` when a paraphrase copies its source's abstract (`kb validate`)."""
    overlaps = paraphrase_overlaps(corpus, threshold)
    if overlaps:
        raise ParaphraseOverlapError(overlaps)
