"""`kb export` and `kb import`: bibliographies out of and into the knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.bibliography.importing.readers import FORMAT_NAMES as IMPORT_FORMAT_NAMES
from kb.cli import emit_json, main
from kb.config import Settings


@main.command("export")
@click.option(
    "--format",
    "fmt",
    default="biblatex",
    show_default=True,
    metavar="FORMAT",
    help="biblatex, bibtex, ris, csl-json, or a reference list: text, html, markdown.",
)
@click.option(
    "--style",
    default=None,
    metavar="STYLE",
    help="CSL style of text/html/markdown: apa (default), chicago-author-date, harvard-cite-them-right, "
    "gost-r-7-0-5-2008, any style id (--list-styles) or a .csl file.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option("--theme", default="", metavar="ID", help="Sources with claims on this theme or a narrower one.")
@click.option("--keys", default="", metavar="K1,K2", help="These citation keys, in this order.")
@click.option("--search", "query", default="", metavar="QUERY", help="The sources of the top search results.")
@click.option("--limit", default=10, show_default=True, help="How many search results --search takes.")
@click.option(
    "--sparql",
    "sparql_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="A SELECT query file whose first column holds sources.",
)
@click.option("--claims", is_flag=True, help="Also write each source's claims (notes, custom.claims, annotations).")
@click.option("--list-formats", is_flag=True, help="List the export formats and exit.")
@click.option("--list-styles", is_flag=True, help="List the CSL style ids and exit.")
@click.pass_obj
def export(
    settings: Settings,
    fmt: str,
    style: str | None,
    output: Path | None,
    theme: str,
    keys: str,
    query: str,
    limit: int,
    sparql_file: Path | None,
    claims: bool,
    list_formats: bool,
    list_styles: bool,
) -> None:
    """Export sources (all, or those selected) as a bibliography file or a formatted reference list."""
    from kb import bibliography

    if list_formats:
        for f in bibliography.available_formats():
            click.echo(f"{f.name:<10} {f.extension:<6} {f.description}")
        return
    if list_styles:
        click.echo("\n".join(bibliography.available_styles()))
        return
    from kb.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(settings)
    bibliography.export_format(fmt)  # an unknown format fails before any work
    sources = bibliography.select_sources(
        kb,
        keys=[k for k in keys.split(",") if k.strip()],
        theme=theme,
        search=query,
        search_limit=limit,
        sparql=sparql_file.read_text(encoding="utf-8") if sparql_file else "",
    )
    text = kb.export(sources, fmt, style=style, with_claims=claims)
    if output is None:
        sys.stdout.write(text)
        return
    from kb.build.atomic import write_text_atomic

    write_text_atomic(output, text)
    shown_style = f", {style or bibliography.DEFAULT_STYLE}" if bibliography.export_format(fmt).formatted else ""
    click.echo(
        f"wrote {len(sources)} source{'s' if len(sources) != 1 else ''} ({fmt}{shown_style}) to {output}", err=True
    )


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would be added, merged and skipped; write nothing.")
@click.option("--strict", is_flag=True, help="Refuse the whole file if any record is malformed or invalid.")
@click.option(
    "--into", default=None, metavar="NAME.bib", help="The corpus .bib file new records go to (default: imported.bib)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--format",
    "fmt",
    default=None,
    type=click.Choice(IMPORT_FORMAT_NAMES),
    help="The file's format when its extension does not say (refs: a formatted reference list).",
)
@click.pass_obj
def import_(
    settings: Settings, file: Path, dry_run: bool, strict: bool, into: str | None, as_json: bool, fmt: str | None
) -> None:
    """Add the records of a BibTeX/BibLaTeX (.bib), RIS (.ris) or CSL-JSON (.json) file, or of a
    formatted reference list (.txt or --format refs), to corpus/."""
    from kb.bibliography import import_file

    report = import_file(settings, file, dry_run=dry_run, strict=strict, into=into, fmt=fmt)
    nothing_taken = report.skipped and not (report.added or report.merged)
    if as_json:
        emit_json(report.as_dict())
        if nothing_taken:
            raise SystemExit(1)
        return
    click.echo(report.summary())
    for record in report.added:
        click.echo(f"  added   {record.key}  ({file}:{record.line}) {record.title[:70]}")
        for note in record.notes:
            click.echo(f"            note: {note}")
    for record in report.merged:
        fields = ", ".join(record.added_fields) or "no field"
        click.echo(f"  merged  {file}:{record.line} into {record.key}: {record.reason}; added {fields}")
        for conflict in record.conflicts:
            click.echo(f"            differs: {conflict}")
    for record in report.skipped:
        click.echo(f"  skipped {record.where}: {record.reason}")
    if report.written:
        click.echo(f"wrote {', '.join(str(p) for p in report.written)}; run `kb build` to include the records")
    if nothing_taken:
        click.echo(f"error: no record of {file} could be imported (see the reasons above)", err=True)
        raise SystemExit(1)
