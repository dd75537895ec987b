"""Bibliographies: export the knowledge base's sources (BibLaTeX, BibTeX, RIS, CSL-JSON, or a reference
list in any CSL style) and import records from reference managers into corpus/.

The functions the CLI and the web app call; each returns plain strings or data classes and raises
`kb.errors.KbError` subclasses whose messages list the valid choices. Heavy imports (citeproc,
rapidfuzz) happen inside the functions that need them.

    from kb.bibliography import export_sources, format_citation, select_sources
    sources = select_sources(kb, theme="innovation-cluster")
    text = export_sources(sources, "text", style="gost-r-7-0-5-2008")
    entry = format_citation(kb.corpus.sources["bathelt2004clusters"], "apa")   # .text, .citation
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kb.bibliography.errors import (
    ImportFileError,
    SelectionError,
    StyleFileError,
    UnknownFormatError,
    UnknownStyleError,
)
from kb.bibliography.formats import (
    EXPORT_FORMATS,
    ExportFormat,
    available_formats,
    corpus_people,
    export_format,
    export_sources,
)
from kb.bibliography.selection import claims_by_source, select_sources

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable
    from pathlib import Path

    from kb.bibliography.importing import ImportReport
    from kb.bibliography.render import FormattedBibliography, FormattedEntry
    from kb.config import Settings
    from kb.model import Person, Source
from kb.bibliography.styles import DEFAULT_STYLE, FEATURED_STYLES, StyleInfo, available_styles, resolve_style


def format_bibliography(
    sources: Iterable[Source], style: str = DEFAULT_STYLE, markup: str = "text", people: Iterable[Person] = ()
) -> FormattedBibliography:
    """A reference list (`FormattedBibliography`: `.entries` with `.key`, `.text`, `.citation`)."""
    from kb.bibliography.render import format_bibliography as run

    return run(sources, style, markup, people)


def format_citation(
    source: Source, style: str = DEFAULT_STYLE, markup: str = "text", people: Iterable[Person] = ()
) -> FormattedEntry:
    """One source's reference and in-text citation (`FormattedEntry`), e.g. for its page."""
    from kb.bibliography.render import format_citation as run

    return run(source, style, markup, people)


def import_file(
    settings: Settings,
    path: Path,
    dry_run: bool = False,
    strict: bool = False,
    into: str | None = None,
    today: datetime.date | None = None,
    fmt: str | None = None,
) -> ImportReport:
    """Import a .bib, .ris or CSL-JSON file, or a reference list (.txt, `fmt="refs"`), into corpus/
    (see kb.bibliography.importing); an `ImportReport`."""
    from kb.bibliography.importing import import_file as run

    return run(settings, path, dry_run=dry_run, strict=strict, into=into, today=today, fmt=fmt)


def read_records(path):
    """The records of a .bib, .ris or CSL-JSON file as corpus `Source`s, without importing them
    (`ParsedFile`: `.records`, `.errors`)."""
    from kb.bibliography.importing.readers import read_import_file

    return read_import_file(path)


__all__ = [
    "DEFAULT_STYLE",
    "EXPORT_FORMATS",
    "FEATURED_STYLES",
    "ExportFormat",
    "ImportFileError",
    "SelectionError",
    "StyleFileError",
    "StyleInfo",
    "UnknownFormatError",
    "UnknownStyleError",
    "available_formats",
    "available_styles",
    "claims_by_source",
    "corpus_people",
    "export_format",
    "export_sources",
    "format_bibliography",
    "format_citation",
    "import_file",
    "read_records",
    "resolve_style",
    "select_sources",
]
