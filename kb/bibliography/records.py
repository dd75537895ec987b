"""Foreign records -> corpus `Source`s, through the corpus's own BibLaTeX reader.

Every importer (BibTeX, RIS, CSL-JSON) ends here: it hands over BibLaTeX field names and values,
this module maps what reference managers write onto the corpus's fields (entry types, `school`,
`month`, language names, LaTeX escapes, DOI prefixes), and `kb.corpus.bibtex.entry_to_source` applies
the very checks `kb validate` applies. So an imported record is valid exactly when the corpus
would accept it, and the reason it is not is the corpus's own message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bibtexparser.middlewares.names import NameParts, parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import Entry, Field

from kb.bibliography.fields import is_claim_note, iso_date, normalise_doi, normalise_language, split_full_title
from kb.corpus.bibtex import ENTRY_TYPES, NAME_FIELDS, clean_text, entry_to_source
from kb.errors import CorpusError, Location
from kb.model import Source
from kb.script import has_cyrillic

# Types other tools write -> the corpus's types.
FOREIGN_TYPES = {
    "techreport": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "inbook": "incollection",
    "inreference": "incollection",
    "suppbook": "incollection",
    "suppcollection": "incollection",
    "conference": "inproceedings",
    "proceedings": "collection",
    "mvproceedings": "collection",
    "mvbook": "book",
    "bookinbook": "incollection",
    "mvcollection": "collection",
    "reference": "collection",
    "mvreference": "collection",
    "booklet": "book",
    "manual": "report",
    "unpublished": "misc",
    "electronic": "online",
    "www": "online",
    "webpage": "online",
    "jurisdiction": "legislation",
    "legal": "legislation",
    "patent": "misc",
    "dataset": "misc",
    "software": "misc",
    "periodical": "misc",
    "article-journal": "article",
    "artwork": "misc",
    "audio": "misc",
    "video": "misc",
    "image": "misc",
    "letter": "misc",
    "movie": "misc",
    "music": "misc",
    "performance": "misc",
    "standard": "report",
    "review": "article",
    "suppperiodical": "article",
}
_ALIASES = {"techreport", "phdthesis", "mastersthesis", "conference", "electronic", "www", "webpage"}
_THESIS_TYPES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
# Fields dropped on import, with the reason the report gives.
DROPPED_FIELDS = {"file": "a path to a file on the exporting computer"}
_VERBATIM = {"url", "doi", "file", "eprint", "ids"}
# A LaTeX command or accent (`\'e`, `{\o}`, `\textit{`); the plain escapes `\&` `\%` `\_` are left to
# the corpus reader, so that a value without markup is never touched (pages keep their `--`).
_LATEX = re.compile(r"\\(?:[A-Za-z]+|['\"^`~=.])")


@dataclass(frozen=True)
class ParsedRecord:
    """One record read from an import file, as a corpus `Source`, with what the mapping changed."""

    source: Source
    notes: tuple[str, ...] = ()
    original_key: str = ""


@dataclass(frozen=True)
class ParsedFile:
    """Everything read from one file: the good records and one error per bad record."""

    path: Path
    format: str
    records: tuple[ParsedRecord, ...]
    errors: tuple[CorpusError, ...]


def make_source(
    entry_type: str, key: str, fields: dict[str, str], origin: Location, notes: list[str] | None = None
) -> Source:
    """A `Source` from BibLaTeX fields; names as BibTeX name strings (`Family, Given and {Body}`).

    Raises `CorpusError` (naming the record and its place) when the corpus would refuse the record.
    """
    entry = Entry(
        entry_type,
        key,
        [Field(name, value) for name, value in fields.items() if value],
        start_line=max(origin.line - 1, 0),
    )
    for field in entry.fields:
        if field.key in NAME_FIELDS and isinstance(field.value, str):
            field.value = [parse_name(name) for name in split_multiple_persons_names(field.value)]
    return entry_to_source(normalise_entry(entry, notes if notes is not None else [], origin), origin.path)


def parse_name(text: str) -> NameParts:
    try:
        return parse_single_name_into_parts(text)
    except Exception:  # bibtexparser raises its own InvalidNameError for odd spellings: keep the text whole
        return NameParts(last=["{" + text.replace("{", "").replace("}", "") + "}"])


def normalise_entry(entry: Entry, notes: list[str], origin: Location) -> Entry:
    """Map an entry as other tools write it onto the corpus's fields; `notes` collects what changed.

    Raises `CorpusError` at `origin` for what no mapping can mend (an unknown language).
    """
    fields = {f.key.lower(): f for f in entry.fields}
    where = f"entry '{entry.key}'"

    def value(name: str) -> str:
        f = fields.get(name)
        return f.value.strip() if f is not None and isinstance(f.value, str) else ""

    def drop(name: str) -> None:
        if name in fields:
            entry.fields.remove(fields.pop(name))

    def put(name: str, text: str) -> None:
        if name in fields:
            fields[name].value = text
        else:
            fields[name] = Field(name, text)
            entry.fields.append(fields[name])

    for f in entry.fields:
        if isinstance(f.value, list):
            _check_folded_names(entry.key, f, origin)
        if isinstance(f.value, str) and _LATEX.search(f.value) and f.key.lower() not in _VERBATIM:
            f.value = _latex_to_text(f.value)
        elif isinstance(f.value, list):
            for parts in f.value:
                for part in ("first", "von", "last", "jr"):
                    setattr(parts, part, [_latex_to_text(p) if _LATEX.search(p) else p for p in getattr(parts, part)])

    kind = entry.entry_type.lower()
    original_type = value("biblatextype").lower()
    drop("biblatextype")
    if original_type in ENTRY_TYPES:
        kind = original_type
    elif kind not in ENTRY_TYPES:
        mapped = FOREIGN_TYPES.get(kind, "misc")
        if kind in _THESIS_TYPES and not value("type"):
            put("type", _THESIS_TYPES[kind])
        if kind in _ALIASES:
            pass  # the same type under its classic BibTeX name: nothing to report
        elif mapped != "misc":
            notes.append(f"@{kind} imported as @{mapped}")
        else:
            notes.append(f"@{kind} has no counterpart in the corpus; imported as @misc")
        kind = mapped
    entry.entry_type = kind

    subtitle = clean_text(value("subtitle"))
    if subtitle and value("title"):
        title, split = split_full_title(clean_text(value("title")), subtitle)
        if split:
            put("title", title)
    if value("school") and not value("institution"):
        put("institution", value("school"))
    drop("school")
    howpublished = value("howpublished")
    url_in = re.fullmatch(r"\\url\{(.+)\}|(https?://\S+)", howpublished)
    if url_in:
        if not value("url"):
            put("url", url_in.group(1) or url_in.group(2))
        drop("howpublished")
    month = value("month")
    if month:
        number = _month_number(month)
        if number and not value("date") and re.fullmatch(r"\d{4}", value("year")):
            put("date", iso_date(int(value("year")), number))
        if number:
            drop("month")
    for name in ("doi",):
        raw = value(name)
        if raw:
            doi = normalise_doi(raw)
            if doi:
                put(name, doi)
            else:
                notes.append(f"dropped doi '{raw}': not a DOI (10.NNNN/suffix)")
                drop(name)
    for name, reason in DROPPED_FIELDS.items():
        if name in fields:
            notes.append(f"dropped field '{name}': {reason}")
            drop(name)
    for name in ("annotation", "annote", "note"):
        text = value(name)
        if text and any(is_claim_note(line) for line in text.splitlines()):
            kept = [line for line in text.splitlines() if line.strip() and not is_claim_note(line)]
            notes.append(
                f"dropped {len(text.splitlines()) - len(kept)} claim note(s) from '{name}' "
                "(claims are curated in corpus/claims/, not imported)"
            )
            if kept:
                put(name, "\n".join(kept))
            else:
                drop(name)

    language_field = "langid" if value("langid") else "language" if value("language") else ""
    if language_field:
        raw = value(language_field)
        babel = normalise_language(raw)
        if not babel:
            raise CorpusError(
                f"{where}: unknown language '{raw}' (write langid = {{english}}, {{russian}}, ...)", origin
            )
        put("langid", babel)
        if language_field == "language":
            drop("language")
    elif has_cyrillic(value("title")):
        raise CorpusError(
            f"{where} has a Cyrillic title but no langid; add langid = {{russian}} (or its language) "
            "and title_en, the English title",
            origin,
        )
    return entry


def _check_folded_names(key: str, f: Field, origin: Location) -> None:
    """A missing comma after a name field folds the next field into the names (`year = {2013}` as name
    parts); say so, instead of the misleading "no year" the corpus reader would give."""
    tokens = [t for parts in f.value for part in ("first", "von", "last", "jr") for t in getattr(parts, part)]
    if "=" in tokens:
        folded = tokens[tokens.index("=") - 1] if tokens.index("=") > 0 else "?"
        line = f.start_line + 1 if f.start_line is not None else origin.line
        raise CorpusError(
            f"entry '{key}': missing comma after the {f.key} field, before field '{folded}'",
            Location(origin.path, line),
        )


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "янв"),
            ("feb", "february", "фев"),
            ("mar", "march", "мар"),
            ("apr", "april", "апр"),
            ("may", "мая", "май"),
            ("jun", "june", "июн"),
            ("jul", "july", "июл"),
            ("aug", "august", "авг"),
            ("sep", "september", "sept", "сен"),
            ("oct", "october", "окт"),
            ("nov", "november", "ноя"),
            ("dec", "december", "дек"),
        ],
        1,
    )
    for name in names
}


def _month_number(text: str) -> int:
    text = text.strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else 0
    return _MONTHS.get(text, _MONTHS.get(text[:3], 0))


def _latex_to_text(text: str) -> str:
    """LaTeX accents and escapes -> Unicode, keeping braces (they mark bodies and protected words)."""
    from pylatexenc.latex2text import LatexNodes2Text

    converted = LatexNodes2Text(keep_braced_groups=True, math_mode="verbatim").latex_to_text(
        re.sub(r"\\url\{([^}]*)\}", r"\1", text)
    )
    return converted
