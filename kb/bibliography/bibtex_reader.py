"""BibTeX and BibLaTeX files from other tools (Zotero's Better BibTeX, JabRef, our own exports) -> Sources.

The corpus reader parses; `kb.bibliography.records.normalise_entry` maps foreign entry types and
fields first, and a malformed entry becomes one error (file, line, key) while the rest reads on.
"""

from __future__ import annotations

from pathlib import Path

from kb.bibliography.records import ParsedFile, ParsedRecord, normalise_entry
from kb.corpus.bibtex import parse_bib_string
from kb.errors import Location


def read_bibtex(text: str, path: Path) -> ParsedFile:
    notes: dict[str, list[str]] = {}

    def prepare(entry):
        return normalise_entry(entry, notes.setdefault(entry.key, []), Location(path, entry.start_line + 1))

    sources, errors = parse_bib_string(text, path, prepare)
    errors.sort(key=lambda e: e.location.line if e.location else 0)
    records = tuple(ParsedRecord(s, tuple(notes.get(s.key, ())), s.key) for s in sources)
    return ParsedFile(path, "bibtex", records, tuple(errors))
