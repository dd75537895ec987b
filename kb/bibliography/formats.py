"""The export formats, by name: what the CLI's `--format`, the web UI's download and `export_sources` accept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kb.bibliography.errors import UnknownFormatError
from kb.bibliography.styles import DEFAULT_STYLE
from kb.errors import KbError
from kb.model import Claim, Person, Source


def corpus_people(corpus) -> tuple[Person, ...]:
    """Everyone the corpus names as author or editor, from every file, once each."""
    return tuple(dict.fromkeys(p for s in corpus.sources.values() for p in (*s.authors, *s.editors)))


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    media_type: str
    description: str
    formatted: bool = False  # a reference list in a CSL style (takes `style`)


EXPORT_FORMATS = (
    ExportFormat(
        "biblatex",
        ".bib",
        "application/x-bibtex",
        "BibLaTeX, every corpus field (biber ignores glocal-kb's own fields)",
    ),
    ExportFormat(
        "bibtex",
        ".bib",
        "application/x-bibtex",
        "classic BibTeX (@techreport, journal, address; titles in braces to keep their case)",
    ),
    ExportFormat("ris", ".ris", "application/x-research-info-systems", "RIS, as Zotero reads and writes it"),
    ExportFormat(
        "csl-json",
        ".json",
        "application/vnd.citationstyles.csl+json",
        "CSL-JSON (Zotero, pandoc, citation processors); glocal-kb fields under `custom`",
    ),
    ExportFormat(
        "text", ".txt", "text/plain; charset=utf-8", "a reference list in a CSL style, plain text", formatted=True
    ),
    ExportFormat(
        "html", ".html", "text/html; charset=utf-8", "a reference list in a CSL style, an HTML page", formatted=True
    ),
    ExportFormat(
        "markdown", ".md", "text/markdown; charset=utf-8", "a reference list in a CSL style, Markdown", formatted=True
    ),
)
_BY_NAME = {f.name: f for f in EXPORT_FORMATS}


def available_formats() -> tuple[ExportFormat, ...]:
    return EXPORT_FORMATS


def export_format(name: str) -> ExportFormat:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownFormatError(name, tuple(_BY_NAME)) from None


def export_sources(
    sources: Iterable[Source],
    format: str = "biblatex",
    style: str | None = None,
    claims: Mapping[str, Sequence[Claim]] | None = None,
    people: Iterable[Person] = (),
) -> str:
    """The records in one export format, as text (encode as UTF-8 for a download).

    `claims` (citation key -> claims) adds each record's claims: as `annotation`/`annote` in
    BibLaTeX/BibTeX, as N1 notes in RIS, as `custom.claims` in CSL-JSON, and under each reference
    in the formatted lists. `style` (a CSL style id or .csl path) applies to text, html and markdown.
    `people` (everyone the corpus names, `corpus_people`) gives each person of a formatted list the
    fullest form of their name the corpus knows.
    """
    kind = export_format(format)
    sources = list(sources)
    if style and not kind.formatted:
        raise KbError(f"--style applies to the formatted outputs (text, html, markdown), not to {format}")
    if kind.name in ("biblatex", "bibtex"):
        from kb.bibliography.bibtex_writer import format_entries

        header = (
            f"% glocal-kb export: {len(sources)} record{'s' if len(sources) != 1 else ''} "
            f"({'BibLaTeX' if kind.name == 'biblatex' else 'BibTeX'}). title_en, author_en, correction, "
            "verification and cites are glocal-kb's own fields;\n% LaTeX ignores them.\n"
        )
        return format_entries(sources, kind.name, claims, header)
    if kind.name == "ris":
        from kb.bibliography.ris import format_ris

        return format_ris(sources, claims)
    if kind.name == "csl-json":
        from kb.bibliography.csl_json import format_csl_json

        return format_csl_json(sources, claims)
    return _formatted(sources, kind.name, style or DEFAULT_STYLE, claims or {}, people)


def _formatted(
    sources: list[Source], markup: str, style: str, claims: Mapping[str, Sequence[Claim]], people: Iterable[Person] = ()
) -> str:
    from html import escape

    from kb.bibliography.markup import html_document
    from kb.bibliography.render import format_bibliography

    bibliography = format_bibliography(sources, style, markup, people)
    by_key = {s.key: s for s in sources}
    entries = []
    for entry in bibliography.entries:
        notes = [_claim_line(c, by_key[entry.key].language) for c in claims.get(entry.key, ())]
        if markup == "html":
            annotated = entry.text + (
                "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>" if notes else ""
            )
        elif markup == "markdown":
            annotated = entry.text + "".join(f"\n    - {_markdown_escape(n)}" for n in notes)
        else:
            annotated = entry.text + "".join(f"\n    - {n}" for n in notes)
        entries.append(annotated)
    if markup == "html":
        language = "ru" if bibliography.style.keeps_cyrillic else "en"
        return html_document(entries, f"References ({bibliography.style.title})", language)
    return ("\n\n" if markup == "markdown" else "\n").join(entries) + "\n"


def _claim_line(claim: Claim, language: str) -> str:
    text = claim.text.get("en", "")
    original = claim.text.get(language, "") if language != "en" else ""
    where = f" ({claim.locator})" if claim.locator else ""
    return f"[{claim.id}]{where} {text}" + (f" / {original}" if original else "")


def _markdown_escape(text: str) -> str:
    from kb.bibliography.markup import markdown

    return markdown.preformat(text)
