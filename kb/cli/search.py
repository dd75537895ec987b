"""`kb search`: hybrid search over claims and sources, one query or a batch (JSON Lines)."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from kb.cli import emit_json, main
from kb.config import Settings
from kb.errors import KbError
from kb.search.filters import FILTERS
from kb.search.results import MODES


def filter_options(command):
    """One option per search filter of `kb.search.filters.FILTERS`, in table order."""
    for f in reversed(FILTERS):
        command = click.option(f.option, f.name, type=f.type, default=None, help=f.help)(command)
    return command


@main.command()
@click.argument("query", required=False)
@click.option("-k", "k", type=int, default=10, show_default=True, help="Number of results.")
@filter_options
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="hybrid",
    show_default=True,
    help="dense (embeddings), lexical (BM25) or both fused.",
)
@click.option(
    "--per-source",
    type=int,
    default=2,
    show_default=True,
    help="Most results of one source while others also match (0: no limit).",
)
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Read one query per line from FILE ('-' for stdin); with --json, write one JSON array per line.",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_obj
def search(settings: Settings, query, k, mode, per_source, batch, as_json, **filter_values) -> None:
    """Find the claims and sources that answer QUERY (English or Russian)."""
    from kb.browse.results import present
    from kb.knowledge_base import KnowledgeBase
    from kb.search import SearchFilters

    if (query is None) == (batch is None):
        raise KbError("give either a QUERY or --batch FILE (see `kb search --help`)")
    if batch is not None and not as_json:
        raise KbError("--batch writes JSON Lines: add --json")
    kb = KnowledgeBase(settings)
    filters = SearchFilters(**filter_values)
    options = {"k": k, "filters": filters, "mode": mode, "per_source": per_source or None}
    kb.searcher.filter_mask(filters)  # a bad filter fails once, before any output
    if batch is None:
        views = kb.search(query, **options)
        if as_json:
            emit_json([view.as_json() for view in views])
        else:
            _print_human(views)
        return
    name = getattr(batch, "name", "<stdin>")
    for number, line in enumerate(batch, 1):
        text = line.strip()
        if not text:
            click.echo("[]")  # output line n always answers input line n
            continue
        try:
            views = present(kb, kb.searcher.search(text, **options))
        except KbError as error:
            raise KbError(f"{name}:{number}: {error}") from None
        click.echo(json.dumps([view.as_json() for view in views], ensure_ascii=False))
        sys.stdout.flush()


def _print_human(views) -> None:
    if not views:
        click.echo("no results")
        return
    width = 100
    for rank, view in enumerate(views, 1):
        label = f"claim {view.claim_id}" if view.claim_id else "source"
        detail = f" · {view.claim.claim.evidence}" if view.claim else ""
        click.echo(f"{rank:>2}. [{label}{detail}]  score {view.score:.4f}")
        for line in textwrap.wrap(view.text, width - 4):
            click.echo(f"    {line}")
        # The original title beside Russian text, the English one (or the only one) otherwise.
        source = view.source
        title = source.title if view.language == "ru" else source.title_en or source.title
        locator = view.claim.claim.locator if view.claim else ""
        where = f", {locator}" if locator else ""
        click.echo(click.style(f"    — {view.citation}, {textwrap.shorten(title, 70)}{where}", dim=True))
        if view.themes:
            click.echo(click.style("    themes: " + ", ".join(label for _, label in view.themes[:5]), dim=True))
