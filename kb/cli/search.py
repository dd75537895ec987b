"""`kb search`: hybrid search over claims and sources, one query or a batch (JSON Lines)."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from kb.cli import emit_json, main
from kb.config import Settings
from kb.errors import KbError
from kb.search.results import MODES


@main.command()
@click.argument("query", required=False)
@click.option("-k", "k", type=int, default=10, show_default=True, help="Number of results.")
@click.option("--theme", default=None,
              help="Only claims on this theme or a narrower one, and sources with such claims (a theme id).")
@click.option("--evidence", default=None, help="Only claims of this evidence type (e.g. case-study).")
@click.option("--year-from", type=int, default=None, help="Only sources published in or after this year.")
@click.option("--year-to", type=int, default=None, help="Only sources published in or before this year.")
@click.option("--lang", type=click.Choice(["ru", "en"]), default=None, help="Only sources published in this language.")
@click.option("--source-type", default=None, help="Only sources of this BibLaTeX type (article, book, report, ...).")
@click.option("--source", "source_key", default=None, help="Only this source (a citation key).")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True,
              help="dense (embeddings), lexical (BM25) or both fused.")
@click.option("--per-source", type=int, default=2, show_default=True,
              help="Most results of one source while others also match (0: no limit).")
@click.option("--batch", type=click.File("r", encoding="utf-8"), default=None,
              help="Read one query per line from FILE ('-' for stdin); with --json, write one JSON array per line.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_obj
def search(settings: Settings, query, k, theme, evidence, year_from, year_to, lang, source_type, source_key,
           mode, per_source, batch, as_json) -> None:
    """Find the claims and sources that answer QUERY (English or Russian)."""
    from kb.knowledge_base import KnowledgeBase
    from kb.search import SearchFilters, Searcher

    if (query is None) == (batch is None):
        raise KbError("give either a QUERY or --batch FILE (see `kb search --help`)")
    if batch is not None and not as_json:
        raise KbError("--batch writes JSON Lines: add --json")
    filters = SearchFilters(theme=theme, evidence=evidence, year_from=year_from, year_to=year_to,
                            source_type=source_type, language=lang, source=source_key)
    options = {"k": k, "filters": filters, "mode": mode, "per_source": per_source or None}
    searcher = Searcher(KnowledgeBase(settings))
    if batch is None:
        results = searcher.search(query, **options)
        if as_json:
            emit_json([r.as_dict() for r in results])
        else:
            _print_human(results)
        return
    searcher.filter_mask(filters)  # a bad filter fails once, before any output
    name = getattr(batch, "name", "<stdin>")
    for number, line in enumerate(batch, 1):
        text = line.strip()
        if not text:
            click.echo("[]")  # output line n always answers input line n
            continue
        try:
            results = searcher.search(text, **options)
        except KbError as error:
            raise KbError(f"{name}:{number}: {error}") from None
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False))
        sys.stdout.flush()


def _print_human(results) -> None:
    if not results:
        click.echo("no results")
        return
    width = 100
    for rank, result in enumerate(results, 1):
        label = f"claim {result.claim_id}" if result.claim_id else "source"
        detail = f" · {result.evidence}" if result.evidence else ""
        click.echo(f"{rank:>2}. [{label}{detail}]  score {result.score:.4f}")
        for line in textwrap.wrap(result.text, width - 4):
            click.echo(f"    {line}")
        # The original title beside Russian text, the English one (or the only one) otherwise.
        title = result.source["title"] if result.language == "ru" else result.source.get("title_en") or result.source["title"]
        where = f", {result.locator}" if result.locator else ""
        click.echo(click.style(f"    — {result.citation}, {textwrap.shorten(title, 70)}{where}", dim=True))
        if result.themes:
            click.echo(click.style("    themes: " + ", ".join(t["label"] for t in result.themes[:5]), dim=True))
