"""CSL-JSON, the input format of citation processors and Zotero's JSON export, both ways.

Standard CSL variables carry what they can; the corpus fields CSL has no variable for
(`title_en`, Latin spellings of names, `correction`, `verification`, `cites`, ...) go into the
item's `custom` object (the CSL 1.0.2 place for "additional information that does not have a
designated CSL JSON field"), under their BibLaTeX field names, and only when the standard
variables alone would not give the record back. Claims exported with a source go to
`custom.claims`. The output validates against the CSL-JSON 1.0 schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from kb.bibliography.bibtex_writer import plain_fields, round_trip_gaps
from kb.bibliography.fields import (
    full_title,
    iso_date,
    normalise_doi,
    normalise_language,
    parse_date,
    split_full_title,
)
from kb.bibliography.records import ParsedFile, ParsedRecord, make_source
from kb.corpus.bibtex import clean_text
from kb.errors import CorpusError, Location
from kb.model import Claim, Person, Source

CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "collection": "book",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "report": "report",
    "thesis": "thesis",
    "legislation": "legislation",
    "online": "webpage",
    "misc": "document",
}
IMPORT_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "review-book": "article",
    "book": "book",
    "classic": "book",
    "pamphlet": "book",
    "chapter": "incollection",
    "entry": "incollection",
    "entry-dictionary": "incollection",
    "entry-encyclopedia": "incollection",
    "paper-conference": "inproceedings",
    "report": "report",
    "standard": "report",
    "thesis": "thesis",
    "legislation": "legislation",
    "bill": "legislation",
    "regulation": "legislation",
    "treaty": "legislation",
    "legal_case": "legislation",
    "hearing": "legislation",
    "webpage": "online",
    "post": "online",
    "post-weblog": "online",
    "document": "misc",
    "article": "misc",
    "manuscript": "misc",
    "dataset": "misc",
    "software": "misc",
}
# Zotero's keys that carry nothing the corpus models (catalogue, archive, rights).
_IGNORED_KEYS = {
    "source",
    "license",
    "archive",
    "archive_location",
    "archive-place",
    "call-number",
    "journalAbbreviation",
    "container-title-short",
    "title-short",
    "shortTitle",
    "dimensions",
    "medium",
    "scale",
    "status",
    "references",
    "citation-label",
    "id",
    "citation-key",
    "type",
}


# --- writing -----------------------------------------------------------------------------------


def format_csl_json(sources: Sequence[Source], claims: Mapping[str, Sequence[Claim]] | None = None) -> str:
    claims = claims or {}
    items = [csl_item(s, claims.get(s.key, ())) for s in sources]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def csl_item(source: Source, claims: Sequence[Claim] = ()) -> dict:
    """One record as a CSL-JSON item, original script, with `custom` for what CSL cannot carry."""
    item = standard_item(source)
    expected = plain_fields(source)
    # `custom` only for what the variables do not give back (the subtitle first: it lets the title split).
    custom = {"subtitle": expected[1]["subtitle"]} if "subtitle" in expected[1] else {}
    got_type, _, got, _ = item_fields({**item, "custom": dict(custom)})
    custom.update(round_trip_gaps(expected, (got_type, got)))
    if claims:
        custom["claims"] = [_claim(claim) for claim in claims]
    if custom:
        item["custom"] = custom
    return item


def standard_item(source: Source) -> dict:
    """The record in standard CSL variables only (the base of exports and of formatted citations)."""
    kind = source.entry_type
    item: dict = {"id": source.key, "citation-key": source.key, "type": CSL_TYPES[kind], "title": full_title(source)}
    if source.subtitle:
        item["title-short"] = source.title
    if source.authors:
        item["author"] = [csl_name(p) for p in source.authors]
    if source.editors:
        item["editor"] = [csl_name(p) for p in source.editors]
    if source.container_title:
        item["container-title"] = source.container_title
    if source.series:
        item["collection-title"] = source.series
    date = parse_date(source.date) if source.date else None
    item["issued"] = {"date-parts": [[part for part in (date or (source.year,)) if part]]}
    accessed = parse_date(source.urldate) if source.urldate else None
    if accessed:
        item["accessed"] = {"date-parts": [[part for part in accessed if part]]}
    if source.volume:
        item["volume"] = source.volume
    if source.number:
        item["issue" if kind == "article" else "number"] = source.number
    if source.pages:
        item["page"] = source.pages.replace("--", "-")
    if source.pagetotal:
        item["number-of-pages"] = source.pagetotal
    publisher = source.publisher or (source.institution if kind in ("report", "thesis") else "")
    if publisher:
        item["publisher"] = publisher
    if source.location:
        item["publisher-place"] = source.location
    if source.report_type:
        item["genre"] = source.report_type
    for variable, value in (("DOI", source.doi), ("ISBN", source.isbn), ("ISSN", source.issn), ("URL", source.url)):
        if value:
            item[variable] = value
    item["language"] = source.language
    if source.keywords:
        item["keyword"] = ", ".join(source.keywords)
    if source.abstract:
        item["abstract"] = source.abstract
    if source.note:
        item["note"] = source.note
    return item


def csl_name(person: Person) -> dict:
    if person.literal:
        return {"literal": person.literal}
    return {"family": person.family, "given": person.given} if person.given else {"family": person.family}


def _claim(claim: Claim) -> dict:
    data = {
        "id": claim.id,
        "kind": claim.kind,
        "text": dict(claim.text),
        "themes": list(claim.themes),
        "evidence": claim.evidence,
    }
    if claim.locator:
        data["locator"] = claim.locator
    return data


# --- reading -----------------------------------------------------------------------------------


def read_csl_json(text: str, path: Path) -> ParsedFile:
    """Every usable item of a CSL-JSON file (an array, or one item), one error per unusable item."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CorpusError(f"not JSON: {error.msg} (column {error.colno})", Location(path, error.lineno)) from None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
    if items is None:
        raise CorpusError("a CSL-JSON file holds an array of items (objects)", Location(path, 1))
    lines = _item_lines(text)
    records, errors = [], []
    for index, item in enumerate(items):
        where = Location(path, lines[index] if index < len(lines) else 1)
        label = _label(item, index)
        if not isinstance(item, dict):
            errors.append(CorpusError(f"item {index + 1} is not an object", where))
            continue
        try:
            kind, key, fields, notes = item_fields(item)
            if not fields.get("title"):
                raise CorpusError(f"item {label} has no title", where)
            if not fields.get("year"):
                raise CorpusError(f"item {label} has no issued year", where)
            source = make_source(kind, key or f"item {index + 1}", fields, where, notes)
            records.append(ParsedRecord(source, tuple(notes), key))
        except CorpusError as error:
            errors.append(error)
    return ParsedFile(path, "csl-json", tuple(records), tuple(errors))


def item_fields(item: dict) -> tuple[str, str, dict[str, str], list[str]]:
    """(entry type, key, BibLaTeX fields, notes) of a CSL-JSON item; `custom` applied last."""
    notes: list[str] = []
    csl_type = str(item.get("type", ""))
    kind = IMPORT_TYPES.get(csl_type)
    if kind is None:
        notes.append(f"CSL type '{csl_type}' has no counterpart in the corpus; imported as @misc")
        kind = "misc"
    fields: dict[str, str] = {}

    def text(name: str) -> str:
        value = item.get(name)
        return str(value).strip() if isinstance(value, (str, int, float)) and str(value).strip() else ""

    def put(name: str, value: str) -> None:
        if value and not fields.get(name):
            fields[name] = value

    put("title", text("title"))
    put("author", _names(item.get("author"), notes, "author"))
    put("editor", _names(item.get("editor"), notes, "editor"))
    container = text("container-title")
    put(
        "booktitle"
        if kind in ("incollection", "inproceedings", "book", "collection", "report", "thesis")
        else "journaltitle",
        container,
    )
    put("series", text("collection-title"))
    issued = _date(item.get("issued"))
    if issued:
        put("year", f"{issued[0]:04d}")
        if issued[1]:
            put("date", iso_date(*issued))
    accessed = _date(item.get("accessed"))
    if accessed:
        put("urldate", iso_date(*accessed))
    put("volume", text("volume"))
    put("number", text("issue") or text("number") or text("collection-number"))
    put("pages", re.sub(r"\s*[-–—]+\s*", "--", text("page")))
    put("pagetotal", text("number-of-pages"))
    put("institution" if kind in ("report", "thesis") else "publisher", text("publisher"))
    put("location", text("publisher-place"))
    put("type", text("genre"))
    raw_doi = text("DOI")
    if raw_doi:
        doi = normalise_doi(raw_doi)
        if doi:
            put("doi", doi)
        else:
            notes.append(f"dropped DOI '{raw_doi}': not a DOI (10.NNNN/suffix)")
    put("isbn", text("ISBN"))
    put("issn", text("ISSN"))
    put("url", text("URL"))
    language = text("language")
    if language:
        put("langid", normalise_language(language) or language)
    put("keywords", text("keyword"))
    put("abstract", text("abstract"))
    put("note", text("note"))
    custom = item.get("custom")
    entry_type = ""
    if isinstance(custom, dict):
        for name, value in custom.items():
            if name == "entrytype":
                entry_type = str(value)
            elif name == "claims":
                notes.append(
                    f"dropped {len(value) if isinstance(value, list) else 1} claim(s) in custom.claims "
                    "(claims are curated in corpus/claims/, not imported)"
                )
            elif isinstance(value, str):
                fields[name] = value
            else:
                notes.append(f"ignored custom.{name} (not a text value)")
    if fields.get("subtitle") and fields.get("title"):
        fields["title"], _ = split_full_title(fields["title"], clean_text(fields["subtitle"]))
    known = {
        "title",
        "author",
        "editor",
        "container-title",
        "collection-title",
        "issued",
        "accessed",
        "volume",
        "issue",
        "number",
        "collection-number",
        "page",
        "number-of-pages",
        "publisher",
        "publisher-place",
        "genre",
        "DOI",
        "ISBN",
        "ISSN",
        "URL",
        "language",
        "keyword",
        "abstract",
        "note",
        "custom",
    }
    ignored = sorted(k for k in item if k not in known and k not in _IGNORED_KEYS)
    if ignored:
        notes.append(f"ignored CSL variables the corpus does not model: {', '.join(ignored)}")
    key = text("citation-key") or (text("id") if re.fullmatch(r"[\w:.-]+", text("id")) else "")
    return entry_type or kind, key, fields, notes


def _names(value, notes: list[str], role: str) -> str:
    if not isinstance(value, list):
        return ""
    names = []
    for name in value:
        if not isinstance(name, dict):
            notes.append(f"ignored an {role} that is not a CSL name object")
            continue
        literal = str(name.get("literal", "")).strip()
        family = " ".join(
            str(name.get(k, "")).strip()
            for k in ("dropping-particle", "non-dropping-particle", "family")
            if str(name.get(k, "")).strip()
        )
        given, suffix = str(name.get("given", "")).strip(), str(name.get("suffix", "")).strip()
        if literal or not family:
            if literal or given:
                names.append("{" + (literal or given) + "}")
            continue
        names.append(", ".join(part for part in (family, suffix, given) if part) if given else family)
    return " and ".join(names)


def _date(value) -> tuple[int, int, int] | None:
    """(year, month, day) from `date-parts` (numbers or strings), `raw` or `literal`; None if no year."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                numbers = [int(str(p).strip()) for p in parts[0][:3]]
            except ValueError:
                numbers = []
            if numbers:
                year, month, day = (numbers + [0, 0])[:3]
                return (year, month, day) if 1 <= month <= 12 else (year, 0, 0)
        for key in ("raw", "literal"):
            if isinstance(value.get(key), str):
                return parse_date(value[key])
    if isinstance(value, str):
        return parse_date(value)
    return None


def _item_lines(text: str) -> list[int]:
    """The line on which each top-level item of a JSON array starts (for error messages)."""
    lines, depth, line = [], 0, 1
    in_string = escaped = False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth == 2 and char == "{":
                lines.append(line)
        elif char in "]}":
            depth -= 1
    return lines


def _label(item, index: int) -> str:
    if isinstance(item, dict):
        key = item.get("citation-key") or item.get("id")
        if key:
            return f"'{key}'"
        if item.get("title"):
            return f"'{str(item['title'])[:50]}'"
    return str(index + 1)
