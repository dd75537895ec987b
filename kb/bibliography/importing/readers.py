"""One import file -> `ParsedFile`, by its extension (or, failing that, by its first characters)."""

from __future__ import annotations

from pathlib import Path

from kb.bibliography.errors import ImportFileError
from kb.bibliography.records import ParsedFile

IMPORT_FORMATS = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".biblatex": "bibtex",
    ".ris": "ris",
    ".json": "csl-json",
    ".csljson": "csl-json",
    ".txt": "refs",
}
FORMAT_NAMES = ("bibtex", "ris", "csl-json", "refs")


def read_import_file(path: Path, fmt: str | None = None) -> ParsedFile:
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"no file at {path}")
    if fmt not in (None, *FORMAT_NAMES):
        raise ImportFileError(f"unknown import format '{fmt}' (use one of: {', '.join(FORMAT_NAMES)})")
    if (fmt or IMPORT_FORMATS.get(path.suffix.lower())) == "refs":
        from kb.refs.importing import read_reference_list

        return read_reference_list(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{path}: not UTF-8 text (byte {error.start}); save the export as UTF-8") from None
    kind = fmt or IMPORT_FORMATS.get(path.suffix.lower()) or _sniff(text)
    if kind is None:
        raise ImportFileError(
            f"{path}: cannot tell the format; import a BibTeX/BibLaTeX (.bib), RIS (.ris) "
            f"or CSL-JSON (.json) file, or a reference list (.txt, or --format refs)"
        )
    if kind == "bibtex":
        from kb.bibliography.bibtex_reader import read_bibtex

        return read_bibtex(text, path)
    if kind == "ris":
        from kb.bibliography.ris import read_ris

        return read_ris(text, path)
    from kb.bibliography.csl_json import read_csl_json

    return read_csl_json(text, path)


def _sniff(text: str) -> str | None:
    start = text.lstrip()
    if start.startswith("@") or start.startswith("%"):
        return "bibtex"
    if start.startswith("TY  -") or start.startswith("TY -"):
        return "ris"
    if start.startswith(("[", "{")):
        return "csl-json"
    return None
