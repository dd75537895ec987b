"""A reference list -> records for `kb import` (the `refs` format): each parsed reference becomes a
corpus record through the same mapping as a CSL-JSON item, marked as parsed from a string.

Only what the string says is recorded: no DOI, ISBN or URL is added and no record is replaced by
a "matching" one found elsewhere. A reference that cannot be parsed is reported with its line.

A Russian (or other non-English) reference needs an English title the corpus asks for (`title_en`)
and the string does not give; glocal-kb does not translate titles, and a placeholder would be
exported and indexed as if it were the work's English title. Such a reference is skipped with a
message that says exactly what to add and how: `kb refs parse FILE --csl-json` writes the parsed
items as a CSL-JSON list (with this provenance), the curator adds `"title_en"` under `custom` of the
item, and `kb import` of that file records it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kb.bibliography.errors import ImportFileError
from kb.bibliography.records import ParsedFile, ParsedRecord, make_source
from kb.errors import CorpusError, Location
from kb.refs.parser import ParsedReference, parse_references
from kb.refs.reading import ReferenceFileError, read_list

VERIFICATION = "Parsed from a reference string, not checked against the work"
NOT_IMPORTED = "not imported: "  # the note `kb import` reports for a record it cannot take


def verification(reference: ParsedReference, path: Path) -> str:
    low = reference.low_confidence()
    return f"{VERIFICATION} (line {reference.line} of {Path(path).name}: {reference.text[:300]})." + (
        f" Least certain fields: {', '.join(low)}." if low else ""
    )


def importable_item(reference: ParsedReference, path: Path) -> dict:
    """The CSL-JSON item of a parsed reference as `kb import` reads it back: the confidences left out, the
    provenance in `custom.verification` (where a curator also adds `title_en`)."""
    item = {k: v for k, v in reference.item.items() if k not in ("custom", "id")}  # kb import picks the key
    item["custom"] = {"verification": verification(reference, path)}
    return item


def needs_english_title(reference: ParsedReference, path: Path) -> str:
    """The message for a non-English reference, which the corpus cannot take without `title_en`."""
    item = reference.item
    names = [a.get("family") or a.get("literal", "") for a in item.get("author", [])]
    year = item.get("issued", {}).get("date-parts", [[""]])[0][0]
    who = ", ".join(p for p in (names[0] if names else "", str(year or "")) if p)
    name = Path(path).name
    return (
        f"{NOT_IMPORTED}«{item.get('title', '')}»{f' ({who})' if who else ''} is in Russian and the corpus needs "
        f"its English title (title_en), which the reference string does not give; glocal-kb does not translate "
        f"titles. To import it: `kb refs parse {name} --csl-json > {Path(name).stem}.json`, add "
        f'"title_en": "<the work\'s English title>" under "custom" of this item (line {reference.line}), '
        f"then `kb import {Path(name).stem}.json`"
    )


def read_reference_list(path: Path) -> ParsedFile:
    from kb.bibliography.csl_json import item_fields

    try:
        listed = read_list(path)
    except ReferenceFileError as error:
        raise ImportFileError(str(error)) from None
    parsed = parse_references(listed.text)
    records, errors = [], []
    for reference in parsed:
        where = Location(Path(path), reference.line)
        if not reference.ok:
            errors.append(CorpusError(f"cannot parse the reference: {reference.problem}", where))
            continue
        item = {k: v for k, v in reference.item.items() if k not in ("custom", "id")}
        kind, _, fields, notes = item_fields(item)
        fields["verification"] = verification(reference, path)
        if reference.warning:
            notes.append(reference.warning)
        english = item.get("language", "en") == "en"
        if not english:
            # Built with a stand-in only to pass the record through the duplicate check; it is never
            # written: `kb import` skips a record without title_en that is not already in the corpus.
            fields["title_en"] = "(none)"
            notes.append(needs_english_title(reference, path))
        try:
            source = make_source(kind, f"ref{reference.line}", fields, where, notes)
        except CorpusError as error:
            errors.append(error)
            continue
        records.append(ParsedRecord(source if english else replace(source, title_en=""), tuple(notes), ""))
    if not records:
        first = errors[0] if errors else None
        raise ImportFileError(
            f"{path}: no reference could be parsed into a record" + (f"; first problem: {first}" if first else "")
        )
    return ParsedFile(Path(path), "refs", tuple(records), tuple(errors))
