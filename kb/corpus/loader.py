"""The whole corpus folder -> `Corpus`, with every cross-reference resolved or reported."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from kb.corpus.bibtex import read_bib_file
from kb.corpus.claims import read_claims_file
from kb.corpus.files import corpus_files
from kb.errors import CorpusError, Location
from kb.model import Claim, Corpus, Source
from kb.rdf.ontology import Vocabulary


def load_corpus(corpus_dir: Path, vocabulary: Vocabulary) -> Corpus:
    bib_files, claim_files = corpus_files(corpus_dir)
    if not bib_files:
        raise CorpusError("no bibliography (*.bib) in the corpus folder", Location(corpus_dir))
    sources = _load_sources(bib_files)
    claims = _load_claims(claim_files, sources, vocabulary)
    return Corpus(sources=MappingProxyType(sources), claims=MappingProxyType(claims))


def _load_sources(bib_files: list[Path]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for path in bib_files:
        for source in read_bib_file(path):
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


def _load_claims(claim_files: list[Path], sources: dict[str, Source], vocabulary: Vocabulary) -> dict[str, Claim]:
    claims: dict[str, Claim] = {}
    references = []
    theme_ids, evidence_ids = set(vocabulary.themes), set(vocabulary.evidence_types)
    for path in claim_files:
        file_claims, file_references = read_claims_file(path, theme_ids, evidence_ids)
        source_reference = file_references[0]
        if source_reference.target not in sources:
            raise CorpusError(f"unknown source '{source_reference.target}' (no such citation key in corpus/*.bib)",
                              source_reference.location)
        if path.stem != source_reference.target:
            raise CorpusError(f"claims of '{source_reference.target}' belong in {source_reference.target}.yaml",
                              source_reference.location)
        language = sources[source_reference.target].language
        for claim in file_claims:
            if claim.id in claims:
                raise CorpusError(f"duplicate claim id '{claim.id}' (first defined at {claims[claim.id].origin})",
                                  claim.origin)
            if language != "en" and language not in claim.text:
                raise CorpusError(f"claim '{claim.id}' needs its {language} text (the source is in {language})",
                                  claim.origin)
            claims[claim.id] = claim
        references.extend(file_references[1:])
    for reference in references:
        if reference.target not in claims:
            raise CorpusError(
                f"claim '{reference.claim_id}' {reference.field} unknown claim '{reference.target}'",
                reference.location,
            )
        if reference.target == reference.claim_id:
            raise CorpusError(f"claim '{reference.claim_id}' {reference.field} itself", reference.location)
    return claims
