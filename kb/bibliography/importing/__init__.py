"""`kb import`: records from a BibTeX, RIS or CSL-JSON file into corpus/, deduplicated, with a report.

- New records are appended to `corpus/imported.bib` (or `into`), in the corpus's own BibLaTeX,
  under keys in the corpus's convention; a different key the file gave is kept as `ids` (a
  BibLaTeX alias, so `\\cite{oldKey}` still works). Their `verification` says where they came from.
- A record the corpus already has (same DOI, else same title, year and first author, across
  scripts) is merged: fields the corpus record lacks are added to it in place and noted in its
  `verification`; differing values are kept as they are and reported. With nothing to add it
  is skipped.
- A malformed or invalid record (e.g. a Russian record without `title_en`) is skipped with its
  file, line and key; `strict` refuses the whole file instead.
- Nothing is written when the result would not pass `kb validate`; `dry_run` writes nothing at all.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb.bibliography.bibtex_writer import format_entry
from kb.bibliography.errors import ImportFileError
from kb.bibliography.importing.corpus_writer import ChangedFiles
from kb.bibliography.importing.dedup import DuplicateFinder
from kb.bibliography.importing.keys import CORPUS_KEY, citation_key
from kb.bibliography.importing.readers import read_import_file
from kb.config import Settings
from kb.corpus.bibtex import read_bib_file
from kb.corpus.files import corpus_files
from kb.model import FrozenMap, Source

DEFAULT_TARGET = "imported.bib"
# Fields a merge may fill in on a corpus record (Source attribute -> BibLaTeX field).
_MERGEABLE = {
    "doi": "doi",
    "pages": "pages",
    "volume": "volume",
    "number": "number",
    "issn": "issn",
    "isbn": "isbn",
    "url": "url",
    "urldate": "urldate",
    "abstract": "abstract",
    "keywords": "keywords",
    "publisher": "publisher",
    "location": "location",
    "pagetotal": "pagetotal",
    "series": "series",
    "title_en": "title_en",
    "date": "date",
}
_COMPARED = ("doi", "pages", "volume", "number", "year")
_PLAUSIBLE_KEY = re.compile(r"[\w:.+-]+")


@dataclass(frozen=True)
class ImportedRecord:
    key: str
    title: str
    year: int
    line: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergedRecord:
    key: str  # the record it was merged into
    line: int  # where the duplicate is in the import file
    reason: str
    added_fields: tuple[str, ...]
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkippedRecord:
    where: str  # file:line
    reason: str


@dataclass(frozen=True)
class ImportReport:
    path: Path
    format: str
    target: Path
    dry_run: bool
    added: tuple[ImportedRecord, ...] = ()
    merged: tuple[MergedRecord, ...] = ()
    skipped: tuple[SkippedRecord, ...] = ()
    written: tuple[Path, ...] = field(default=())

    def summary(self) -> str:
        add, merge = ("would add", "would merge") if self.dry_run else ("added", "merged")
        return (
            f"{self.path.name} ({self.format}): {add} {len(self.added)}, {merge} {len(self.merged)}, "
            f"skipped {len(self.skipped)}" + (" (dry run: nothing written)" if self.dry_run else "")
        )

    def as_dict(self) -> dict:
        return {
            "file": str(self.path),
            "format": self.format,
            "target": str(self.target),
            "dry_run": self.dry_run,
            "added": [r.__dict__ for r in self.added],
            "merged": [r.__dict__ for r in self.merged],
            "skipped": [r.__dict__ for r in self.skipped],
            "written": [str(p) for p in self.written],
        }


def import_file(
    settings: Settings,
    path: Path | str,
    dry_run: bool = False,
    strict: bool = False,
    into: str | None = None,
    today: datetime.date | None = None,
    fmt: str | None = None,
) -> ImportReport:
    path = Path(path)
    parsed = read_import_file(path, fmt)
    if strict and parsed.errors:
        first = parsed.errors[0]
        raise ImportFileError(
            f"{first} ({len(parsed.errors)} bad record{'s' if len(parsed.errors) > 1 else ''} "
            f"in {path.name}; --strict imports nothing)"
        )
    target = _target(settings, into)
    bib_files, _ = corpus_files(settings.corpus)
    existing = [s for bib in bib_files for s in read_bib_file(bib)]
    by_key = {s.key: s for s in existing}
    taken = set(by_key)  # case as written: `cites` must match a key exactly
    taken_lower = {k.lower() for k in taken}
    date = (today or datetime.date.today()).isoformat()
    added: dict[str, Source] = {}
    added_lines: dict[str, tuple[int, tuple[str, ...]]] = {}
    merges: dict[str, dict[str, str]] = {}
    merged: list[MergedRecord] = []
    skipped = [SkippedRecord(str(e.location) if e.location else str(path), _advice(e.message)) for e in parsed.errors]
    key_map: dict[str, str] = {}

    finder = DuplicateFinder(existing)
    for record in parsed.records:
        source, line = record.source, record.source.origin.line if record.source.origin else 0
        duplicate = finder.find(source)
        if duplicate:
            into_key = duplicate.key
            base = added.get(into_key) or by_key[into_key]
            fields, conflicts = _merge_fields(base, source, merges.get(into_key, {}))
            key_map[record.original_key or source.key] = into_key
            if into_key in added:
                added[into_key] = _with_fields(added[into_key], fields)
                finder.replace(added[into_key])
            elif fields:
                merges.setdefault(into_key, {}).update(fields)
            if fields:
                merged.append(MergedRecord(into_key, line, duplicate.reason, tuple(fields), tuple(conflicts)))
            else:
                differs = f" (differs: {'; '.join(conflicts)})" if conflicts else ""
                skipped.append(
                    SkippedRecord(
                        f"{path}:{line}", f"already in the corpus: {duplicate.reason}, and it adds no field{differs}"
                    )
                )
            continue
        if source.language != "en" and not source.title_en:  # a parsed reference string (kb.refs.importing)
            reason = next((n for n in record.notes if n.startswith("not imported: ")), _advice("needs a title_en"))
            skipped.append(SkippedRecord(f"{path}:{line}", reason))
            continue
        key = (
            source.key
            if (record.original_key and CORPUS_KEY.fullmatch(source.key) and source.key.lower() not in taken_lower)
            else citation_key(source, taken, taken_lower)
        )
        extra = dict(source.extra)
        original = record.original_key
        if original and original != key and _PLAUSIBLE_KEY.fullmatch(original):
            extra["ids"] = ", ".join(dict.fromkeys([*filter(None, extra.get("ids", "").split(", ")), original]))
        provenance = (
            f"Imported by `kb import` from {path.name} ({parsed.format}) on {date}; fields as in that "
            f"file, not checked against the publication."
        )
        verification = f"{provenance} {source.verification}".strip()
        added[key] = replace(source, key=key, extra=FrozenMap(extra), verification=verification)
        finder.add(added[key])
        added_lines[key] = (line, record.notes)
        taken.add(key)
        taken_lower.add(key.lower())
        key_map[original or source.key] = key

    for key, source in list(added.items()):
        cites = tuple(dict.fromkeys(key_map.get(c, c) for c in source.cites))
        kept = tuple(c for c in cites if c in taken)
        if kept != source.cites:
            line, notes = added_lines[key]
            dropped = [c for c in cites if c not in taken]
            if dropped:
                notes += (f"dropped cites of works not in the corpus: {', '.join(dropped)}",)
            added_lines[key] = (line, notes)
            added[key] = replace(source, cites=kept)

    changes = ChangedFiles()
    if added:
        changes.append_entries(target, [format_entry(s) for s in added.values()])
    for key, fields in merges.items():
        source = by_key[key]
        provenance = (
            f"{', '.join(fields)} added by `kb import` from {path.name} on {date}, not checked against the publication."
        )
        changes.add_fields(
            source.origin.path,
            key,
            source.origin.line,
            [(_MERGEABLE[name], value) for name, value in fields.items()],
            provenance,
        )
    written: list[Path] = []
    if changes.texts:
        changes.validate(settings)
        if not dry_run:
            written = changes.write()
    report_added = tuple(
        ImportedRecord(key, s.title, s.year, added_lines[key][0], added_lines[key][1]) for key, s in added.items()
    )
    skipped.sort(key=lambda s: _line_of(s.where))
    return ImportReport(
        path, parsed.format, target, dry_run, report_added, tuple(merged), tuple(skipped), tuple(written)
    )


def _target(settings: Settings, into: str | None) -> Path:
    name = into or DEFAULT_TARGET
    target = Path(name)
    if not target.is_absolute():
        target = settings.corpus / target.name if target.parent == Path(".") else Path(settings.root) / target
    if target.suffix != ".bib" or target.resolve().parent != settings.corpus.resolve():
        raise ImportFileError(
            f"records can only be imported into a .bib file directly in {settings.corpus} "
            f"(got {name}); e.g. --into {DEFAULT_TARGET}"
        )
    return target


def _merge_fields(base: Source, incoming: Source, pending: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Fields `incoming` can add to `base` (empty there), and values that differ (kept as in the corpus)."""
    fields, conflicts = {}, []
    for name in _MERGEABLE:
        mine, theirs = _value(base, name), _value(incoming, name)
        if theirs and not mine and name not in pending:
            if name == "title_en" and incoming.language == "en":
                continue
            fields[name] = theirs
    for name in _COMPARED:
        mine, theirs = _value(base, name), _value(incoming, name)
        if mine and theirs and _normal(mine) != _normal(theirs):
            conflicts.append(f"{name}: kept the corpus's {mine!r} (the file has {theirs!r})")
    return fields, conflicts


def _value(source: Source, name: str) -> str:
    value = getattr(source, name)
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value) if value else ""


def _normal(value: str) -> str:
    return re.sub(r"[\s–—-]+", "-", value.casefold()).strip("-")


def _with_fields(source: Source, fields: dict[str, str]) -> Source:
    values = {
        name: tuple(v.strip() for v in value.split(",")) if name == "keywords" else value
        for name, value in fields.items()
    }
    return replace(source, **values) if values else source


def _advice(message: str) -> str:
    if message.endswith("needs a title_en"):
        return (
            message + " (add title_en = {the English title} to the record and import again; "
            "glocal-kb does not translate titles)"
        )
    return message


def _line_of(where: str) -> int:
    tail = where.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


__all__ = ["DEFAULT_TARGET", "ImportReport", "ImportedRecord", "MergedRecord", "SkippedRecord", "import_file"]
