"""Corpus -> RDF: the bibliography and the claims as named graphs of one dataset.

Vocabulary choices (see docs/data-model.md): BIBO classes and fields, DCTERMS for titles,
creators, dates and subjects, FaBiO for translated titles and publication years, FOAF for
people and bodies, PROV-O for curation, CiTO for how a claim draws on its source.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from kb.corpus.claims import URL
from kb.corpus.names import transliterate
from kb.model import Claim, Person, Source
from kb.rdf.iris import claim_iri, relation_iri, source_iri
from kb.rdf.namespace import (
    AGENT,
    BASIS,
    BIBO,
    CITO,
    EVIDENCE,
    FABIO,
    GKB,
    ISO639,
    ORGANISATION,
    PERSON,
    REVIEW,
    REVIEW_STATUS,
    THEME,
    VENUE,
)
from kb.script import has_cyrillic

SOURCE_CLASSES = {
    "article": BIBO.AcademicArticle,
    "inproceedings": BIBO.AcademicArticle,
    "book": BIBO.Book,
    "collection": BIBO.EditedBook,
    "incollection": BIBO.Chapter,
    "report": BIBO.Report,
    "thesis": BIBO.Thesis,
    "legislation": BIBO.Legislation,
    "online": BIBO.Webpage,
    "misc": BIBO.Document,
}
VENUE_CLASSES = {"article": BIBO.Journal, "inproceedings": BIBO.Proceedings, "incollection": BIBO.EditedBook}


def add_source(g: Graph, entities: Graph, source: Source) -> None:
    """The source's own triples go to `g`; people, bodies and venues it names go to `entities`,
    which several sources share (so a build can replace one source's triples alone)."""
    s = source_iri(source.key)
    g.add((s, RDF.type, SOURCE_CLASSES[source.entry_type]))
    g.add((s, RDF.type, FABIO.Expression))
    g.add((s, DCTERMS.identifier, Literal(source.key)))
    g.add((s, DCTERMS.title, Literal(source.title, lang=source.language)))
    if source.title_en and source.language != "en":
        g.add((s, FABIO.hasTranslatedTitle, Literal(source.title_en, lang="en")))
    _literal(g, s, FABIO.hasSubtitle, source.subtitle, source.language)
    g.add((s, FABIO.hasPublicationYear, Literal(str(source.year), datatype=XSD.gYear)))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.date):
        g.add((s, DCTERMS.issued, Literal(source.date, datatype=XSD.date)))
    g.add((s, DCTERMS.language, ISO639[source.language]))

    _people(g, entities, s, source.authors, DCTERMS.creator, BIBO.authorList, "authors")
    _people(g, entities, s, source.editors, BIBO.editor, BIBO.editorList, "editors")
    _container(g, entities, s, source)

    _literal(g, s, BIBO.volume, source.volume)
    _literal(g, s, BIBO.issue if source.entry_type == "article" else BIBO.number, source.number)
    if source.pages:
        start, end = source.page_range
        g.add((s, BIBO.pages, Literal(source.pages.replace("--", "–"))))
        _literal(g, s, BIBO.pageStart, start)
        _literal(g, s, BIBO.pageEnd, end)
    if source.pagetotal.isdigit():
        g.add((s, BIBO.numPages, Literal(int(source.pagetotal))))
    _literal(g, s, DCTERMS.type, source.report_type)
    if source.publisher:
        g.add((s, DCTERMS.publisher, _organisation(entities, source.publisher)))
    if source.institution:
        g.add((s, BIBO.issuer, _organisation(entities, source.institution)))
    _literal(g, s, GKB.publicationPlace, source.location)
    _literal(g, s, BIBO.doi, source.doi)
    isbn = re.sub(r"[^0-9Xx]", "", source.isbn)
    _literal(g, s, BIBO.isbn13 if len(isbn) == 13 else BIBO.isbn10 if len(isbn) == 10 else BIBO.isbn, source.isbn)
    if source.url:
        g.add((s, BIBO.uri, Literal(source.url, datatype=XSD.anyURI)))
    for keyword in source.keywords:
        g.add((s, DCTERMS.subject, Literal(keyword, lang=_script_language(keyword, source.language))))
    _literal(g, s, DCTERMS.abstract, source.abstract, "en" if not has_cyrillic(source.abstract) else "ru")
    _literal(g, s, SKOS.note, source.note)
    _literal(g, s, GKB.correctionNote, source.correction, "en")
    _literal(g, s, GKB.verificationNote, source.verification, "en")
    for cited in source.cites:
        g.add((s, CITO.cites, source_iri(cited)))


def add_claim(g: Graph, entities: Graph, claim: Claim) -> None:
    """The claim's own triples go to `g`; its curator, shared by many claims, to `entities`."""
    c = claim_iri(claim.id)
    s = source_iri(claim.source_key)
    g.add((c, RDF.type, GKB.Claim))
    g.add((c, DCTERMS.identifier, Literal(claim.id)))
    for language, text in claim.text.items():
        g.add((c, GKB.text, Literal(text, lang=language)))
    g.add((c, DCTERMS.source, s))
    g.add((c, CITO.includesQuotationFrom if claim.is_quote else CITO.containsAssertionFrom, s))
    _literal(g, c, BIBO.locator, claim.locator)
    for theme in claim.themes:
        g.add((c, DCTERMS.subject, THEME[theme]))
    g.add((c, GKB.evidenceType, EVIDENCE[claim.evidence]))
    g.add((c, GKB.curationBasis, BASIS[claim.based_on]))
    if claim.via:
        g.add((c, GKB.via, URIRef(claim.via) if URL.fullmatch(claim.via) else source_iri(claim.via)))
    for relation, target in claim.relations():
        g.add((c, GKB[relation], claim_iri(target)))
    for reason in claim.reasons:
        _qualified_relation(g, entities, claim, reason)
    _literal(g, c, SKOS.note, claim.note, "en")
    g.add((c, PROV.wasAttributedTo, _agent(entities, claim.curated_by)))
    g.add((c, PROV.wasDerivedFrom, s))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", claim.curated_on):
        g.add((c, DCTERMS.created, Literal(claim.curated_on, datatype=XSD.date)))
    g.add((c, GKB.reviewStatus, REVIEW_STATUS[claim.status]))
    if claim.is_reviewed:
        # The review is a PROV activity that used the claim, carried out by the named reviewer.
        review = REVIEW[claim.id]
        g.add((review, RDF.type, GKB.Review))
        g.add((review, PROV.used, c))
        g.add((review, PROV.wasAssociatedWith, _agent(entities, claim.reviewed_by)))
        g.add((review, DCTERMS.date, Literal(claim.reviewed_on, datatype=XSD.date)))


def _qualified_relation(g: Graph, entities: Graph, claim: Claim, reason) -> None:
    """The relation as a node of its own (a CiTO citation between claims), beside the direct
    `gkb:supports` triple: source claim, target claim, kind, rationale and who asserted it."""
    node = relation_iri(claim.id, reason.kind, reason.target)
    g.add((node, RDF.type, GKB.ClaimRelation))
    g.add((node, CITO.hasCitingEntity, claim_iri(claim.id)))
    g.add((node, CITO.hasCitedEntity, claim_iri(reason.target)))
    g.add((node, CITO.hasCitationCharacterization, GKB[reason.kind]))
    g.add((node, GKB.rationale, Literal(reason.because, lang="en")))
    g.add((node, PROV.wasAttributedTo, _agent(entities, reason.by)))


def _agent(entities: Graph, name: str) -> URIRef:
    agent = AGENT[slug(name)]
    entities.add((agent, RDF.type, PROV.Agent))
    entities.add((agent, FOAF.name, Literal(name)))
    return agent


def _people(g: Graph, entities: Graph, work: URIRef, people, link: URIRef, list_property: URIRef, role: str) -> None:
    """Creators as links plus an ordered rdf:List; list cells get IRIs under the work's own IRI
    (no blank nodes, so the same record always maps to the same triples)."""
    if not people:
        return
    nodes = [_person(entities, p) for p in people]
    for node in nodes:
        g.add((work, link, node))
    cells = [URIRef(f"{work}#{role}-{i}") for i in range(1, len(nodes) + 1)]
    g.add((work, list_property, cells[0]))
    for index, (cell, node) in enumerate(zip(cells, nodes)):
        g.add((cell, RDF.first, node))
        g.add((cell, RDF.rest, cells[index + 1] if index + 1 < len(cells) else RDF.nil))


def _person(g: Graph, person: Person) -> URIRef:
    if person.is_organisation:
        return _organisation(g, person.literal)
    node = PERSON[person_slug(person)]
    g.add((node, RDF.type, FOAF.Person))
    g.add((node, FOAF.name, Literal(person.display)))
    g.add((node, FOAF.familyName, Literal(person.family)))
    _literal(g, node, FOAF.givenName, person.given)
    if person.latin_display != person.display:
        g.add((node, RDFS.label, Literal(person.latin_display, lang="en")))
    return node


def _organisation(g: Graph, name: str) -> URIRef:
    node = ORGANISATION[slug(name)]
    g.add((node, RDF.type, FOAF.Organization))
    g.add((node, FOAF.name, Literal(name)))
    return node


def _container(g: Graph, entities: Graph, work: URIRef, source: Source) -> None:
    """The journal, book or series a work appears in, as its own node shared by the works in it."""
    title = source.container_title or (source.series if source.entry_type in ("report", "book") else "")
    if not title:
        return
    is_series = not source.container_title
    venue = VENUE[slug(title)]
    entities.add((venue, RDF.type, BIBO.Series if is_series else VENUE_CLASSES.get(source.entry_type, BIBO.Collection)))
    language = "ru" if has_cyrillic(title) else "en" if is_series or source.language == "ru" else source.language
    entities.add((venue, DCTERMS.title, Literal(title, lang=language)))
    if source.container_title_en and not is_series:
        entities.add((venue, FABIO.hasTranslatedTitle, Literal(source.container_title_en, lang="en")))
    if source.issn and source.entry_type == "article":
        entities.add((venue, BIBO.issn, Literal(source.issn)))
    g.add((work, DCTERMS.isPartOf, venue))
    if source.series and not is_series:
        series = VENUE[slug(source.series)]
        entities.add((series, RDF.type, BIBO.Series))
        entities.add((series, DCTERMS.title, Literal(source.series)))
        g.add((work, DCTERMS.isPartOf, series))


def _literal(g: Graph, subject: URIRef, predicate: URIRef, value: str, language: str | None = None) -> None:
    if value:
        g.add((subject, predicate, Literal(value, lang=language) if language else Literal(value)))


def person_slug(person: Person) -> str:
    """Family name and first initial, transliterated: one IRI per person across records, whether a
    record gives full given names, initials, or the author's own Latin spelling."""
    first = next((part for part in re.split(r"[\s.\-]+", person.given) if part), "")
    return slug(f"{person.family} {transliterate(first)[:1]}")


def _script_language(text: str, default: str) -> str:
    return "ru" if has_cyrillic(text) else "en" if default == "ru" else default


def slug(text: str) -> str:
    """A readable, stable IRI segment: transliterated, accents dropped, lowercase, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", transliterate(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "unnamed"
