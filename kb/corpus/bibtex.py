"""BibLaTeX records -> `Source`s, with errors that name the file, line and entry key.

bibtexparser v2 does the parsing; this module adds the checks it leaves out
(a missing comma between fields is silently folded into the previous value)
and maps fields onto the domain model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry

from kb.corpus.names import person_from_parts, share_own_latin_spellings, transliterate_person
from kb.errors import CorpusError, Location
from kb.model import FrozenMap, Person, Source

ENTRY_TYPES = (
    "article",
    "book",
    "collection",
    "incollection",
    "inproceedings",
    "report",
    "thesis",
    "legislation",
    "online",
    "misc",
)
# BibLaTeX `langid` values (babel names) and the ISO 639-1 codes used in RDF.
LANGUAGES = {
    "english": "en",
    "american": "en",
    "british": "en",
    "russian": "ru",
    "ukrainian": "uk",
    "german": "de",
    "ngerman": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "portuguese": "pt",
    "polish": "pl",
    "dutch": "nl",
    "swedish": "sv",
    "norwegian": "no",
    "finnish": "fi",
    "danish": "da",
    "czech": "cs",
    "chinese": "zh",
    "japanese": "ja",
}
_KNOWN_FIELDS = {
    "title",
    "title_en",
    "subtitle",
    "author",
    "author_en",
    "editor",
    "editor_en",
    "year",
    "date",
    "journaltitle",
    "journal",
    "journaltitle_en",
    "booktitle",
    "booktitle_en",
    "volume",
    "number",
    "issue",
    "pages",
    "pagetotal",
    "series",
    "institution",
    "type",
    "publisher",
    "location",
    "address",
    "doi",
    "isbn",
    "issn",
    "url",
    "urldate",
    "langid",
    "language",
    "keywords",
    "abstract",
    "note",
    "correction",
    "verification",
    "cites",
}
NAME_FIELDS = ("author", "editor", "author_en", "editor_en")
MAX_FIELD_CHARS = 100_000
# A field folded into the previous one by a missing comma shows up as `name = {` inside a value.
_FOLDED_FIELD = re.compile(r"\n\s*([A-Za-z][\w-]*)\s*=\s*[{\"\d]")
_ENTRY_HEAD = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s]*)")

logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


def read_bib_file(path: Path) -> list[Source]:
    """Parse one .bib file; raise `CorpusError` at the first malformed entry."""
    text = read_utf8(path)
    library = _parse(text)
    _raise_for_failed_blocks(path, library)
    return _with_shared_latin_spellings([entry_to_source(entry, path) for entry in library.entries])


def read_utf8(path: Path) -> str:
    """A corpus file's text; a file in another encoding is one error naming the line of the first bad byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CorpusError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8", Location(path, line)
        ) from None


def _with_shared_latin_spellings(sources: list[Source]) -> list[Source]:
    """Within one file (files are compiled and cached one by one), see `share_own_latin_spellings`."""
    groups = share_own_latin_spellings([group for s in sources for group in (s.authors, s.editors)])
    return [replace(source, authors=groups[2 * i], editors=groups[2 * i + 1]) for i, source in enumerate(sources)]


def parse_bib_string(
    text: str, origin: Path, prepare: Callable[[Entry], Entry] | None = None
) -> tuple[list[Source], list[CorpusError]]:
    """Lenient parse for imports: good entries, plus one error per bad entry instead of stopping.

    `prepare` may rewrite each parsed entry first (an importer maps foreign entry types and fields
    onto ours); a `CorpusError` it raises counts as that entry's error.
    """
    library = _parse(text)
    errors = [_failed_block_error(origin, block) for block in library.failed_blocks]
    sources = []
    for entry in library.entries:
        try:
            sources.append(entry_to_source(prepare(entry) if prepare else entry, origin))
        except CorpusError as error:
            errors.append(error)
    return sources, errors


def _parse(text: str):
    return bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.SeparateCoAuthors(name_fields=NAME_FIELDS),
            middlewares.SplitNameParts(name_fields=NAME_FIELDS),
        ],
    )


def _raise_for_failed_blocks(path: Path, library) -> None:
    if library.failed_blocks:
        first = min(library.failed_blocks, key=lambda b: b.start_line)
        raise _failed_block_error(path, first)


def _failed_block_error(path: Path, block) -> CorpusError:
    line = block.start_line + 1
    head = _ENTRY_HEAD.search(block.raw or "")
    key = head.group(2) if head else "?"
    if isinstance(block, DuplicateBlockKeyBlock):
        return CorpusError(f"duplicate citation key '{key}'", Location(path, line))
    if isinstance(block, DuplicateFieldKeyBlock):
        repeated = ", ".join(sorted(block.duplicate_keys))
        return CorpusError(f"entry '{key}' gives the field '{repeated}' twice; keep one", Location(path, line))
    error = getattr(block, "error", None)
    reason = " ".join(str(getattr(error, "abort_reason", "") or error or "").split()) or "syntax error"
    # The splitter stops where the syntax broke: the end of the block's raw text.
    stop = block.start_line + 1 + (block.raw or "").rstrip("\n").count("\n")
    where = f" (entry begins on line {line})" if stop != line else ""
    return CorpusError(f"malformed entry '{key}'{where}: {reason}", Location(path, stop))


def entry_to_source(entry: Entry, path: Path) -> Source:
    where = Location(path, entry.start_line + 1)
    fields = {}
    for f in entry.fields:
        name = f.key.lower()
        folded = _folded_field(entry, f)
        if folded:
            raise CorpusError(
                f"entry '{entry.key}': missing comma before field '{folded[0]}'", Location(path, folded[1])
            )
        if isinstance(f.value, str) and len(f.value) > MAX_FIELD_CHARS:
            raise CorpusError(
                f"entry '{entry.key}': field '{name}' is {len(f.value):,} characters long; the limit "
                f"is {MAX_FIELD_CHARS:,} (a bibliographic field, even an abstract, is far shorter)",
                Location(path, f.start_line + 1),
            )
        fields[name] = f.value
    entry_type = entry.entry_type.lower()
    if entry_type not in ENTRY_TYPES:
        raise CorpusError(
            f"entry '{entry.key}': unknown entry type '@{entry_type}' (use one of: {', '.join(ENTRY_TYPES)})",
            where,
        )

    def text(*names: str) -> str:
        for name in names:
            value = fields.get(name)
            if isinstance(value, str) and value.strip():
                return clean_text(value)
        return ""

    title = text("title")
    if not title:
        raise CorpusError(f"entry '{entry.key}' has no title", where)
    date = text("date")
    year_text = text("year") or date[:4]
    if not re.fullmatch(r"\d{4}", year_text):
        raise CorpusError(f"entry '{entry.key}' needs a four-digit year (got '{year_text}')", where)
    langid = text("langid", "language").lower() or "english"
    language = LANGUAGES.get(langid, langid if re.fullmatch(r"[a-z]{2}", langid) else "")
    if not language:
        raise CorpusError(
            f"entry '{entry.key}': unknown langid '{langid}' (use a babel name such as english or russian)",
            where,
        )
    title_en = text("title_en")
    if language != "en" and not title_en:
        raise CorpusError(f"entry '{entry.key}' is in '{langid}' and needs a title_en", where)

    authors = _people(fields.get("author"), fields.get("author_en"), entry.key, "author", where)
    editors = _people(fields.get("editor"), fields.get("editor_en"), entry.key, "editor", where)
    extra = {k: clean_text(v) for k, v in fields.items() if k not in _KNOWN_FIELDS and isinstance(v, str)}
    return Source(
        key=entry.key,
        entry_type=entry_type,
        title=title,
        title_en=title_en,
        subtitle=text("subtitle"),
        year=int(year_text),
        date=date,
        language=language,
        authors=authors,
        editors=editors,
        container_title=text("journaltitle", "journal", "booktitle"),
        container_title_en=text("journaltitle_en", "booktitle_en"),
        volume=text("volume"),
        number=text("number", "issue"),
        pages=text("pages").replace("–", "--"),
        pagetotal=text("pagetotal"),
        series=text("series"),
        institution=text("institution"),
        report_type=text("type"),
        publisher=text("publisher"),
        location=text("location", "address"),
        doi=text("doi"),
        isbn=text("isbn"),
        issn=text("issn"),
        url=text("url"),
        urldate=text("urldate"),
        keywords=tuple(k.strip() for k in text("keywords").split(",") if k.strip()),
        abstract=text("abstract"),
        note=text("note"),
        correction=text("correction"),
        verification=text("verification"),
        cites=tuple(k.strip() for k in text("cites").split(",") if k.strip()),
        extra=FrozenMap(extra),
        origin=where,
    )


def _folded_field(entry: Entry, field) -> tuple[str, int] | None:
    """(name, 1-based line) of a field swallowed by the previous one through a missing comma."""
    if isinstance(field.value, str):
        found = _FOLDED_FIELD.search(field.value)
        if found:
            return found.group(1), field.start_line + 1 + field.value[: found.start() + 1].count("\n")
        return None
    # Name fields are already split into parts; a swallowed `year = {2001}` leaves an "=" token, on
    # a later line than the field began (an "=" inside a name on its own line is just a name).
    tokens = [t for parts in field.value for t in (*parts.first, *parts.von, *parts.last, *parts.jr)]
    if not any("=" in token for token in tokens):
        return None
    raw_lines = (entry.raw or "").splitlines()
    following = [f.start_line for f in entry.fields if f.start_line > field.start_line]
    end = (min(following) if following else entry.start_line + len(raw_lines)) - entry.start_line
    for offset in range(field.start_line - entry.start_line + 1, min(end, len(raw_lines))):
        found = re.match(r"\s*([A-Za-z][\w-]*)\s*=\s*[{\"\d]", raw_lines[offset])
        if found:
            return found.group(1), entry.start_line + offset + 1
    return None


def _people(value, latin_value, key: str, role: str, where: Location) -> tuple[Person, ...]:
    if not value:
        return ()
    people = [person_from_parts(parts) for parts in value]
    if latin_value:
        latin = [person_from_parts(parts) for parts in latin_value]
        if len(latin) != len(people):
            raise CorpusError(
                f"entry '{key}': {role}_en lists {len(latin)} names but {role} lists {len(people)}", where
            )
        return tuple(
            Person(p.family, p.given, p.literal, own.family or own.literal, own.given) for p, own in zip(people, latin)
        )
    return tuple(transliterate_person(p) for p in people)


_ESCAPES = {r"\&": "&", r"\%": "%", r"\_": "_", r"\$": "$", r"\#": "#", "~": "\u00a0"}


def clean_text(value: str) -> str:
    """Field text as a reader sees it: protective braces and common escapes removed, spaces collapsed."""
    for escape, plain in _ESCAPES.items():
        value = value.replace(escape, plain)
    value = value.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", value).strip()
