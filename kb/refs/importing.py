"""A reference list -> records for `kb import` (the `refs` format): each parsed reference becomes a
corpus record through the same mapping as a CSL-JSON item, marked as parsed from a string.

Only what the string says is recorded: no DOI, ISBN or URL is added and no record is replaced by
a "matching" one found elsewhere. A reference that cannot be parsed is reported with its line.
"""

from __future__ import annotations

from pathlib import Path

from kb.bibliography.errors import ImportFileError
from kb.bibliography.records import ParsedFile, ParsedRecord, make_source
from kb.errors import CorpusError, Location
from kb.refs.parser import parse_references
from kb.refs.reading import ReferenceFileError, read_list

VERIFICATION = "Parsed from a reference string, not checked against the work"


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
        low = reference.low_confidence()
        fields["verification"] = (f"{VERIFICATION} (line {reference.line} of {Path(path).name}: "
                                  f"{reference.text[:300]})." + (f" Least certain fields: {', '.join(low)}." if low else ""))
        if reference.warning:
            notes.append(reference.warning)
        try:
            records.append(ParsedRecord(make_source(kind, f"ref{reference.line}", fields, where, notes), tuple(notes), ""))
        except CorpusError as error:
            errors.append(error)
    if not records:
        first = errors[0] if errors else None
        raise ImportFileError(f"{path}: no reference could be parsed into a record"
                              + (f"; first problem: {first}" if first else ""))
    return ParsedFile(Path(path), "refs", tuple(records), tuple(errors))
