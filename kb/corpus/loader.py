"""The whole corpus folder -> `Corpus`, with every cross-reference resolved or reported."""

from __future__ import annotations

from pathlib import Path

from kb.corpus.bibtex import read_bib_file
from kb.corpus.claims import Reference, read_claims_file
from kb.corpus.files import corpus_files
from kb.errors import CorpusError, Location
from kb.model import Claim, Corpus, FrozenMap, Source
from kb.rdf.ontology import Vocabulary

ParsedClaims = tuple[list[Claim], list[Reference]]


def load_corpus(corpus_dir: Path, vocabulary: Vocabulary) -> Corpus:
    """Read and cross-check a whole corpus folder."""
    bib_files, claim_files = corpus_files(corpus_dir)
    theme_ids, evidence_ids = set(vocabulary.themes), set(vocabulary.evidence_types)
    return assemble_corpus(
        corpus_dir,
        [read_bib_file(path) for path in bib_files],
        [(path, read_claims_file(path, theme_ids, evidence_ids)) for path in claim_files],
    )


def assemble_corpus(
    corpus_dir: Path, parsed_bib: list[list[Source]], parsed_claims: list[tuple[Path, ParsedClaims]]
) -> Corpus:
    """Join per-file parse results (fresh or cached) into a corpus, resolving every reference."""
    if not parsed_bib:
        raise CorpusError("no bibliography (*.bib) in the corpus folder", Location(corpus_dir))
    sources = _join_sources(parsed_bib)
    claims = _join_claims(parsed_claims, sources)
    return Corpus(sources=FrozenMap(sources), claims=FrozenMap(claims))


def _join_sources(parsed_bib: list[list[Source]]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for file_sources in parsed_bib:
        for source in file_sources:
            if source.key in sources:
                raise CorpusError(
                    f"duplicate citation key '{source.key}' (first defined at {sources[source.key].origin})",
                    source.origin,
                )
            sources[source.key] = source
    for source in sources.values():
        for cited in source.cites:
            if cited not in sources:
                raise CorpusError(f"entry '{source.key}' cites unknown key '{cited}'", source.origin)
    return sources


def _join_claims(parsed_claims: list[tuple[Path, ParsedClaims]], sources: dict[str, Source]) -> dict[str, Claim]:
    claims: dict[str, Claim] = {}
    references = []
    for path, (file_claims, file_references) in parsed_claims:
        source_reference = file_references[0]
        if source_reference.target not in sources:
            raise CorpusError(
                f"unknown source '{source_reference.target}' (no such citation key in corpus/*.bib)",
                source_reference.location,
            )
        if path.stem != source_reference.target:
            raise CorpusError(
                f"claims of '{source_reference.target}' belong in {source_reference.target}.yaml",
                source_reference.location,
            )
        language = sources[source_reference.target].language
        for claim in file_claims:
            if claim.id in claims:
                raise CorpusError(
                    f"duplicate claim id '{claim.id}' (first defined at {claims[claim.id].origin})", claim.origin
                )
            if language != "en" and language not in claim.text:
                raise CorpusError(
                    f"claim '{claim.id}' needs its {language} text (the source is in {language})", claim.origin
                )
            claims[claim.id] = claim
        references.extend(file_references[1:])
    for reference in references:
        if reference.field == "via":
            if reference.target not in sources:
                raise CorpusError(
                    f"claim '{reference.claim_id}' names via '{reference.target}', which is neither a "
                    "citation key in corpus/*.bib nor a URL",
                    reference.location,
                )
            continue
        if reference.target not in claims:
            raise CorpusError(
                f"claim '{reference.claim_id}' {reference.field} unknown claim '{reference.target}'",
                reference.location,
            )
        if reference.target == reference.claim_id:
            raise CorpusError(f"claim '{reference.claim_id}' {reference.field} itself", reference.location)
    return claims
