"""`kb refs parse FILE [--json]`: a formatted reference list -> CSL-JSON items, one per reference."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.cli import main
from kb.errors import KbError

LOW = 0.8


@main.group("refs")
def refs() -> None:
    """Reference lists (GOST, APA, Chicago, Harvard, Vancouver; Russian and English) -> records."""


@refs.command("parse")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="JSON Lines: one CSL-JSON item per reference, in input order ({} for one that cannot be parsed).",
)
@click.option(
    "--csl-json",
    "as_csl",
    is_flag=True,
    help="One CSL-JSON list of the parsed references, for `kb import` once a curator has checked it "
    "(e.g. added custom.title_en to a Russian item); confidences left out, provenance kept.",
)
def parse(file: Path, as_json: bool, as_csl: bool) -> None:
    """Parse the references of FILE (numbered or not, wrapped lines and headings tolerated)."""
    from kb.refs import parse_references
    from kb.refs.importing import importable_item
    from kb.refs.reading import read_list

    if as_json and as_csl:
        raise click.UsageError("--json and --csl-json are two different outputs; give one")

    listed = read_list(file)
    if listed.note:
        click.echo(f"note: {file}: {listed.note}", err=True)
    results = parse_references(listed.text)
    if not results:
        raise KbError(f"{file}: no reference found (only blank lines, headings or page numbers)")
    for reference in results:
        if reference.warning:
            click.echo(f"warning: {file}:{reference.line}: {reference.warning}", err=True)
        if not reference.ok:
            click.echo(f"{file}:{reference.line}: cannot parse: {reference.problem}", err=True)
        if as_json:
            click.echo(json.dumps(reference.item, ensure_ascii=False))
        elif not as_csl:
            _show(reference)
    parsed = sum(r.ok for r in results)
    if as_csl and parsed:
        items = [importable_item(r, file) for r in results if r.ok]
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
    if not as_json and not as_csl:
        click.echo(f"{parsed} of {len(results)} references parsed; '?' marks a field with confidence under {LOW}")
    if not parsed:
        raise KbError(f"{file}: none of its {len(results)} lines could be parsed as a reference")


def _show(reference) -> None:
    if not reference.ok:
        click.echo(f"line {reference.line}: (not parsed) {reference.text[:100]}")
        return
    item, confidence = reference.item, reference.confidence()
    click.echo(f"line {reference.line}: {item['type']}")
    for variable in (
        "author",
        "editor",
        "title",
        "container-title",
        "collection-title",
        "issued",
        "volume",
        "issue",
        "page",
        "number-of-pages",
        "publisher-place",
        "publisher",
        "number",
        "genre",
        "DOI",
        "URL",
        "accessed",
    ):
        if variable not in item:
            continue
        value = item[variable]
        if variable in ("author", "editor"):
            value = "; ".join(
                " ".join(p for p in (n.get("family") or n.get("literal", ""), n.get("given", "")) if p) for n in value
            )
        elif variable in ("issued", "accessed"):
            value = "-".join(str(p) for p in value["date-parts"][0])
        mark = "?" if confidence.get(variable, 1.0) < LOW else " "
        click.echo(f"  {mark} {variable:<17} {value}")
