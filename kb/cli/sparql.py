"""SPARQL commands: `kb sparql` (queries and the named-query library), `kb serve` (the read-only
endpoint) and `kb publish` (loading the dataset into a Graph Store Protocol server)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from kb.cli import emit_json, main
from kb.config import Settings

_FORMATS = ("table", "csv", "tsv", "json", "turtle", "ntriples")


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("-n", "--name", help="Run a named query from the library (see --list).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A named query's parameter, e.g. -p theme=proximity (repeatable).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries: name and what each answers.")
@click.option("--show", is_flag=True, help="Print the named query's text (with PREFIX lines) instead of running it.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="Output: table (default for SELECT/ASK), csv, tsv, json (SPARQL results JSON); "
                   "turtle (default for CONSTRUCT/DESCRIBE), ntriples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
@click.option("--timeout", type=float, default=None, help="Time limit in seconds (default: KB_QUERY_TIMEOUT_S).")
@click.option("--max-rows", type=int, default=None, help="Most rows or triples to return (default: KB_QUERY_MAX_ROWS).")
@click.option("--allow-service", is_flag=True, help="Let SERVICE clauses call other SPARQL endpoints.")
@click.option("--allow-external-datasets", is_flag=True,
              help="Let FROM / FROM NAMED name graphs other than the dataset's own.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print the library as JSON.")
@click.pass_obj
def sparql(settings: Settings, query: str | None, query_file: Path | None, name: str | None, params: tuple[str, ...],
           list_queries: bool, show: bool, fmt: str | None, output: Path | None, timeout: float | None,
           max_rows: int | None, allow_service: bool, allow_external_datasets: bool, as_json: bool) -> None:
    """Query the knowledge base with SPARQL (read-only; project prefixes predeclared).

    \b
      kb sparql "SELECT ?claim WHERE { ?claim gkb:disputes ?other }"
      kb sparql -f my-question.rq --format csv -o answer.csv
      kb sparql --list
      kb sparql --name claims-on-theme -p theme=proximity
      echo "ASK { ?c a gkb:Claim }" | kb sparql -
    """
    from kb.errors import KbError
    from kb.sparql import named_queries, named_query

    chosen = [x for x in (query, query_file, name, list_queries or None) if x]
    if len(chosen) != 1:
        raise KbError("give exactly one of: a QUERY argument (or - for standard input), -f FILE, --name NAME, --list")
    if list_queries:
        library = named_queries()
        if as_json:
            emit_json([{"name": q.name, "title": q.title, "description": q.description,
                        "parameters": [{"name": p.name, "default": p.default, "description": p.description}
                                       for p in q.parameters]} for q in library])
            return
        width = max(len(q.name) for q in library)
        for q in library:
            click.echo(f"{q.name:<{width}}  {q.title}")
        return
    if params and not name:
        raise KbError("-p/--param applies to named queries (--name)")
    if show:
        if not name:
            raise KbError("--show prints a named query; use it with --name")
        click.echo(named_query(name).standalone_text(), nl=False)
        return

    from kb.knowledge_base import KnowledgeBase
    from kb.sparql import default_format, format_result, run_named_query, run_query

    kb = KnowledgeBase(settings)
    options = dict(timeout_s=timeout, max_rows=max_rows, allow_service=allow_service,
                   allow_external_datasets=allow_external_datasets)
    if name:
        result = run_named_query(kb, name, _parse_params(params), **options)
    else:
        text = query_file.read_text(encoding="utf-8") if query_file else sys.stdin.read() if query == "-" else query
        result = run_query(kb, text, **options)
    # Wrap tables to the terminal; a table written to a file or a pipe keeps one line per row.
    width = shutil.get_terminal_size().columns if output is None and sys.stdout.isatty() else 1_000_000
    text_out = format_result(result, fmt or default_format(result), width=width)
    if result.truncated and (fmt or default_format(result)) != "table":
        click.echo(f"warning: result cut at {result.max_rows:,} "
                   f"{'triples' if result.is_graph else 'rows'} (--max-rows, KB_QUERY_MAX_ROWS)", err=True)
    if output is None:
        click.echo(text_out, nl=False)
        return
    from kb.atomic import write_text_atomic

    write_text_atomic(output, text_out)


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    from kb.errors import KbError

    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KbError(f"parameter '{item}' is not NAME=VALUE (e.g. -p theme=proximity)")
        values[key.strip()] = value
    return values
