"""RIS: writing the tags Zotero reads, and reading RIS from Zotero and other managers record by record.

The tag mapping follows Zotero's RIS translator (editors of a book in A3, a report's number in SN
and its series in T2, a thesis's page count in SP), so an export opens in Zotero as the same items.
Fields RIS has no tag for (`title_en` goes to the standard TT tag) travel as `N1` notes named
`glocal-kb/<field>: value`, written only when the tags alone would not give the record back.

The reader is our own small tokenizer, not rispy: an import has to say *where* a record is broken
and go on with the next one, and rispy neither keeps line numbers nor notices a malformed tag line
(it folds it silently into the previous value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.bibliography.bibtex_writer import plain_fields, round_trip_gaps
from kb.bibliography.fields import (
    claim_note,
    full_title,
    is_claim_note,
    iso_date,
    normalise_doi,
    normalise_language,
    parse_date,
    split_full_title,
)
from kb.bibliography.records import ParsedFile, ParsedRecord, make_source
from kb.corpus.bibtex import clean_text
from kb.errors import CorpusError, Location
from kb.model import Claim, Source

EXPORT_TYPES = {
    "article": "JOUR",
    "book": "BOOK",
    "collection": "EDBOOK",
    "incollection": "CHAP",
    "inproceedings": "CONF",
    "report": "RPRT",
    "thesis": "THES",
    "legislation": "STAT",
    "online": "ELEC",
    "misc": "GEN",
}
IMPORT_TYPES = {
    **{ty: kind for kind, ty in EXPORT_TYPES.items()},
    "JFULL": "article",
    "MGZN": "article",
    "NEWS": "article",
    "EJOUR": "article",
    "ABST": "article",
    "INPR": "article",
    "EBOOK": "book",
    "WHOLE": "book",
    "PAMP": "book",
    "CLSWK": "book",
    "ECHAP": "incollection",
    "ENCYC": "incollection",
    "DICT": "incollection",
    "CPAPER": "inproceedings",
    "GOVDOC": "report",
    "STAND": "report",
    "BILL": "legislation",
    "LEGAL": "legislation",
    "CASE": "legislation",
    "HEAR": "legislation",
    "WEB": "online",
    "BLOG": "online",
}
NOTE_PREFIX = "glocal-kb/"
# Tags with a BibLaTeX field of their own that the corpus keeps as an extra field.
_EXTRA_TAGS = {"ET": "edition", "ST": "shorttitle", "NV": "volumes"}
# Tags that carry nothing the corpus models (file links, catalogue names, call numbers).
_IGNORED_TAGS = {
    "L1",
    "L2",
    "L3",
    "L4",
    "DP",
    "CN",
    "AN",
    "LB",
    "RN",
    "CA",
    "AD",
    "Y1",
    "A4",
    "C1",
    "C2",
    "C4",
    "C5",
    "C6",
    "C7",
    "C8",
    "OP",
    "RP",
    "RI",
    "SE",
    "M2",
    "ID",
    "ER",
}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_BROKEN_TAG = re.compile(r"^[A-Z][A-Z0-9](?:\s+-|-\s)")
_ORGANISATION = re.compile(
    r"\b(commission|organi[sz]ation|ministry|government|university|institute|agency|bank|council|department|"
    r"office|cent(?:re|er)|association|society|committee|foundation|programme|union|nations|group|inc|ltd|"
    r"gmbh|oecd|министерство|правительство|университет|институт|агентство|комитет|совет|центр)\b",
    re.I,
)
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_ISBN = re.compile(r"^(97[89][- ]?)?\d[\d -]{7,15}[\dXx]$")
CRLF = "\r\n"


# --- writing -----------------------------------------------------------------------------------


def format_ris(sources: Sequence[Source], claims: Mapping[str, Sequence[Claim]] | None = None) -> str:
    claims = claims or {}
    return "".join(format_record(s, claims.get(s.key, ())) + CRLF for s in sources)


def format_record(source: Source, claims: Sequence[Claim] = ()) -> str:
    tags = record_tags(source)
    expected = plain_fields(source)
    # Notes only for what the tags do not give back (the subtitle first: it lets TI split again).
    overrides = [("N1", f"{NOTE_PREFIX}subtitle: {expected[1]['subtitle']}")] if "subtitle" in expected[1] else []
    ty = [("TY", EXPORT_TYPES[source.entry_type])]
    got_type, _, got, _ = record_fields(RisRecord(1, [(t, v, 0) for t, v in ty + tags + overrides]))
    overrides += [
        ("N1", f"{NOTE_PREFIX}{name}: {value}") for name, value in round_trip_gaps(expected, (got_type, got)).items()
    ]
    tags += overrides + [("N1", claim_note(claim, source.language)) for claim in claims]
    lines = [f"{tag}  - {value}" for tag, value in tags]
    return CRLF.join(["TY  - " + EXPORT_TYPES[source.entry_type], *lines, "ER  - "]) + CRLF


def record_tags(source: Source) -> list[tuple[str, str]]:
    """The RIS tags of a record (without TY/ER), Zotero's way."""
    kind = source.entry_type
    tags: list[tuple[str, str]] = [("ID", source.key), ("TI", full_title(source))]
    if source.title_en:
        tags.append(("TT", source.title_en))
    tags += [("AU", p.display) for p in source.authors]
    editor_tag = "A3" if kind in ("book", "collection") else "A2"
    tags += [(editor_tag, p.display) for p in source.editors]
    if source.container_title:
        tags.append(("T2", source.container_title))
    if source.series:
        tags.append(("T2" if kind in ("report", "book") and not source.container_title else "T3", source.series))
    tags.append(("PY", str(source.year)))
    date = parse_date(source.date) if source.date else None
    if date and date[1]:
        tags.append(("DA", "/".join(f"{part:02d}" if part else "" for part in date) + "/"))
    if source.urldate:
        tags.append(("Y2", source.urldate))
    if source.volume:
        tags.append(("VL", source.volume))
    if source.number:
        tags.append(({"report": "SN", "legislation": "M1"}.get(kind, "IS"), source.number))
    start, end = source.page_range
    if source.pages:
        tags += [("SP", start)] + ([("EP", end)] if end else [])
    elif source.pagetotal and kind in ("book", "collection", "thesis", "report"):
        tags.append(("SP", source.pagetotal))
    publisher = source.institution if kind in ("report", "thesis") and source.institution else source.publisher
    if publisher or source.institution:
        tags.append(("PB", publisher or source.institution))
    if source.location:
        tags.append(("CY", source.location))
    if kind != "report":
        standard = source.issn if kind == "article" else source.isbn
        if standard:
            tags.append(("SN", standard))
    if source.doi:
        tags.append(("DO", source.doi))
    if source.url:
        tags.append(("UR", source.url))
    tags.append(("LA", source.language))
    tags += [("KW", keyword) for keyword in source.keywords]
    if source.abstract:
        tags.append(("AB", source.abstract))
    if source.report_type:
        tags.append(("M3", source.report_type))
    if source.note:
        tags.append(("N1", source.note))
    return tags


# --- reading -----------------------------------------------------------------------------------


@dataclass
class RisRecord:
    start: int
    tags: list[tuple[str, str, int]] = field(default_factory=list)

    def first(self, *names: str) -> str:
        for name in names:
            for tag, value, _ in self.tags:
                if tag == name and value.strip():
                    return value.strip()
        return ""

    def all(self, *names: str) -> list[str]:
        return [value.strip() for tag, value, _ in self.tags if tag in names and value.strip()]

    @property
    def label(self) -> str:
        key = self.first("ID")
        if key:
            return key
        title = self.first("TI", "T1", "CT", "BT")
        return (title[:50] + "...") if len(title) > 50 else title or "untitled"


def read_ris(text: str, path: Path) -> ParsedFile:
    """Every well-formed record of a RIS file, and one error (file, line, record) per malformed one."""
    records, errors = split_records(text, path)
    parsed = []
    for record in records:
        try:
            parsed.append(_parse_record(record, path))
        except CorpusError as error:
            errors.append(error)
    errors.sort(key=lambda e: e.location.line if e.location else 0)
    return ParsedFile(path, "ris", tuple(parsed), tuple(errors))


def split_records(text: str, path: Path) -> tuple[list[RisRecord], list[CorpusError]]:
    records: list[RisRecord] = []
    errors: list[CorpusError] = []
    current: RisRecord | None = None
    broken: CorpusError | None = None
    stray_reported = False

    def fail(record: RisRecord, message: str, line: int) -> CorpusError:
        return CorpusError(f"record '{record.label}' (begins on line {record.start}): {message}", Location(path, line))

    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        line = raw.rstrip("\r")
        match = _TAG_LINE.match(line)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "TY":
                if current is not None:
                    errors.append(
                        broken or fail(current, f"no 'ER  - ' line before the next record on line {number}", number)
                    )
                current, broken, stray_reported = RisRecord(number, [("TY", value, number)]), None, False
            elif current is None:
                if not stray_reported:
                    errors.append(
                        CorpusError(
                            f"'{tag}' line outside a record (a record starts with 'TY  - ')", Location(path, number)
                        )
                    )
                    stray_reported = True
            elif tag == "ER":
                if broken:
                    errors.append(broken)
                else:
                    records.append(current)
                current = None
            else:
                current.tags.append((tag, value, number))
        elif current is None:
            if line.strip() and not stray_reported:
                errors.append(
                    CorpusError("text outside a record (a record starts with 'TY  - ')", Location(path, number))
                )
                stray_reported = True
        elif _BROKEN_TAG.match(line):
            broken = broken or fail(
                current, f"line {number} is not a tag line of the form 'XX  - value': {line[:40]!r}", number
            )
        elif current.tags:
            tag, value, at = current.tags[-1]
            current.tags[-1] = (tag, f"{value}\n{line.strip()}", at)
    if current is not None:
        errors.append(broken or fail(current, "no 'ER  - ' line before the end of the file", current.start))
    return records, errors


def _parse_record(record: RisRecord, path: Path) -> ParsedRecord:
    where = Location(path, record.start)
    kind, key, fields, notes = record_fields(record)
    if not fields.get("title"):
        raise CorpusError(f"record '{record.label}' has no title (TI)", where)
    if not fields.get("year") and not fields.get("date"):
        raise CorpusError(f"record '{record.label}' has no year (PY or DA)", where)
    source = make_source(kind, key or f"record at line {record.start}", fields, where, notes)
    return ParsedRecord(source, tuple(notes), key)


def record_fields(record: RisRecord) -> tuple[str, str, dict[str, str], list[str]]:
    """(entry type, key, BibLaTeX fields, notes) of a RIS record; our `glocal-kb/` notes applied last."""
    notes: list[str] = []
    ty = record.first("TY").upper()
    kind = IMPORT_TYPES.get(ty)
    if kind is None:
        notes.append(f"RIS type '{ty}' has no counterpart in the corpus; imported as @misc")
        kind = "misc"
    fields: dict[str, str] = {}

    def put(name: str, value: str) -> None:
        if value and not fields.get(name):
            fields[name] = value

    put("title", record.first("TI", "T1", "CT") or (record.first("BT") if kind == "book" else ""))
    put("title_en", record.first("TT"))
    authors = record.all("AU", "A1")
    editors = record.all("ED") + record.all("A3" if kind in ("book", "collection") else "A2")
    if kind == "collection" and not editors:
        authors, editors = [], authors
    put("author", " and ".join(_bibtex_name(a) for a in authors))
    put("editor", " and ".join(_bibtex_name(e) for e in editors))
    container = record.first("C3") if kind == "inproceedings" else ""
    container = container or (
        record.first("T2", "BT")
        if kind in ("incollection", "inproceedings")
        else record.first("T2", "JF", "JO", "JA", "J2")
    )
    if kind in ("report", "book") and container:
        put("series", container)
    else:
        put("booktitle" if kind in ("incollection", "inproceedings") else "journaltitle", container)
    put("series", record.first("T3"))
    year = record.first("PY", "Y1")
    put("year", year[:4] if re.match(r"\d{4}", year) else "")
    date = parse_date(record.first("DA"))
    if date and date[1]:
        put("date", iso_date(*date))
        put("year", f"{date[0]:04d}")
    accessed = parse_date(record.first("Y2"))
    if accessed:
        put("urldate", iso_date(*accessed))
    put("volume", record.first("VL"))
    start, end = record.first("SP"), record.first("EP")
    if end:
        put("pages", f"{start}--{end}" if start else end)
    elif start and kind in ("book", "collection", "thesis", "report"):
        put("pagetotal", start)
    elif start:
        put("pages", re.sub(r"\s*[-–—]+\s*", "--", start))
    publisher = record.first("PB")
    put("institution" if kind in ("report", "thesis") else "publisher", publisher)
    put("location", record.first("CY"))
    for value in record.all("SN"):
        if _ISSN.match(value):
            put("issn", value)
        elif kind == "report" and not fields.get("number"):
            put("number", value)
        elif _ISBN.match(value):
            put("isbn", value)
        else:
            put("number", value)
    put("number", record.first("IS") or (record.first("M1") if kind in ("legislation", "report") else ""))
    doi = normalise_doi(record.first("DO"))
    for candidate in (record.first("DB"), record.first("M3")):
        if not doi and normalise_doi(candidate) == candidate.strip() and candidate:
            doi = candidate.strip()
            notes.append(f"took the DOI {doi} from a database/type tag (DB or M3), where the exporter put it")
    put("doi", doi)
    urls = record.all("UR")
    put("url", urls[0] if urls else "")
    if len(urls) > 1:
        notes.append(f"kept the first of {len(urls)} URLs")
    language = record.first("LA")
    if language:
        put("langid", normalise_language(language) or language)
    keywords = [k for value in record.all("KW") for k in re.split(r"\s*[;\n]\s*", value) if k]
    put("keywords", ", ".join(k.replace(",", " ") for k in keywords))
    put("abstract", record.first("AB", "N2"))
    m3 = record.first("M3")
    if m3 and normalise_doi(m3) != m3:
        put("type", m3)
    for tag, name in _EXTRA_TAGS.items():
        put(name, record.first(tag))
    plain_notes, claim_notes = [], 0
    entry_type = ""
    for value in record.all("N1"):
        if value.startswith(NOTE_PREFIX):
            name, _, text = value[len(NOTE_PREFIX) :].partition(": ")
            if name == "entrytype":
                entry_type = text.strip()
            else:
                fields[name.strip()] = text.strip()
        elif is_claim_note(value):
            claim_notes += 1
        else:
            plain_notes.append(value)
    if plain_notes and "note" not in fields:
        fields["note"] = "; ".join(plain_notes)
    if claim_notes:
        notes.append(f"dropped {claim_notes} claim note(s) (claims are curated in corpus/claims/, not imported)")
    if fields.get("subtitle") and fields.get("title"):
        fields["title"], _ = split_full_title(clean_text(fields["title"]), clean_text(fields["subtitle"]))
    ignored = sorted({tag for tag, _, _ in record.tags if tag in _IGNORED_TAGS - {"ID", "ER"}})
    if ignored:
        notes.append(f"ignored RIS tags the corpus does not model: {', '.join(ignored)}")
    return entry_type or kind, record.first("ID"), fields, notes


def _bibtex_name(text: str) -> str:
    """A RIS name (`Family, Given`, `Family, Given, Suffix`, `Given Family` or a body) in BibTeX syntax."""
    text = " ".join(text.split())
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 3 and parts[2]:
        return f"{parts[0]}, {parts[2]}, {parts[1]}"
    if len(parts) >= 2:
        return f"{parts[0]}, {', '.join(p for p in parts[1:] if p)}" if any(parts[1:]) else parts[0]
    if " " not in text or _ORGANISATION.search(text):
        return "{" + text + "}"
    return text
