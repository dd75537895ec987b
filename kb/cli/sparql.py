"""SPARQL commands: `kb sparql` (queries and the named-query library), `kb serve` (the read-only
endpoint) and `kb publish` (loading the dataset into a Graph Store Protocol server)."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from kb.cli import emit_json, main
from kb.config import Settings
from kb.sparql.formats import FORMATS


@main.command()
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a .rq file.",
)
@click.option("-n", "--name", help="Run a named query from the library (see --list).")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A named query's parameter, e.g. -p theme=proximity (repeatable).",
)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries: name and what each answers.")
@click.option("--show", is_flag=True, help="Print the named query's text (with PREFIX lines) instead of running it.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output: table (default for SELECT/ASK), csv, tsv, json (SPARQL results JSON); "
    "turtle (default for CONSTRUCT/DESCRIBE), ntriples.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (atomically) instead of standard output.",
)
@click.option("--timeout", type=float, default=None, help="Time limit in seconds (default: KB_QUERY_TIMEOUT_S).")
@click.option("--max-rows", type=int, default=None, help="Most rows or triples to return (default: KB_QUERY_MAX_ROWS).")
@click.option("--allow-service", is_flag=True, help="Let SERVICE clauses call other SPARQL endpoints.")
@click.option(
    "--allow-external-datasets", is_flag=True, help="Let FROM / FROM NAMED name graphs other than the dataset's own."
)
@click.option("--json", "as_json", is_flag=True, help="With --list: print the library as JSON.")
@click.pass_obj
def sparql(
    settings: Settings,
    query: str | None,
    query_file: Path | None,
    name: str | None,
    params: tuple[str, ...],
    list_queries: bool,
    show: bool,
    fmt: str | None,
    output: Path | None,
    timeout: float | None,
    max_rows: int | None,
    allow_service: bool,
    allow_external_datasets: bool,
    as_json: bool,
) -> None:
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
            emit_json(
                [
                    {
                        "name": q.name,
                        "title": q.title,
                        "description": q.description,
                        "parameters": [
                            {"name": p.name, "default": p.default, "description": p.description} for p in q.parameters
                        ],
                    }
                    for q in library
                ]
            )
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
    options = dict(
        timeout_s=timeout,
        max_rows=max_rows,
        allow_service=allow_service,
        allow_external_datasets=allow_external_datasets,
    )
    if name:
        result = run_named_query(kb, name, _parse_params(params), **options)
    else:
        text = query_file.read_text(encoding="utf-8") if query_file else sys.stdin.read() if query == "-" else query
        result = run_query(kb, text, **options)
    # Wrap tables to the terminal; a table written to a file or a pipe keeps one line per row.
    width = shutil.get_terminal_size().columns if output is None and sys.stdout.isatty() else 1_000_000
    fmt = fmt or default_format(result)
    text_out = format_result(result, fmt, width=width)
    if result.truncated and fmt != "table":
        click.echo(
            f"warning: result cut at {result.max_rows:,} "
            f"{'triples' if result.is_graph else 'rows'} (--max-rows, KB_QUERY_MAX_ROWS)",
            err=True,
        )
    if output is None:
        click.echo(text_out, nl=False)
        return
    from kb.build.atomic import write_text_atomic

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


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Loopback keeps the endpoint on this machine; anything else exposes it.",
)
@click.option("--port", default=7878, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--timeout", type=float, default=None, help="Time limit per query in seconds (default: KB_QUERY_TIMEOUT_S)."
)
@click.option(
    "--max-response-mb",
    default=64,
    show_default=True,
    type=int,
    help="Largest response sent; longer ones are cut off (the client sees an incomplete response).",
)
@click.option("--follow", is_flag=True, help="Switch to each new build as `kb build` makes it, without a restart.")
@click.option(
    "--cors",
    "cors",
    multiple=True,
    metavar="ORIGIN",
    help="Let web pages at ORIGIN (e.g. https://example.org) query the endpoint from a browser "
    "(repeatable; '*' for any). Off by default: requests from other origins are refused.",
)
@click.option(
    "--per-client",
    default=16,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Queries one peer address may run at once (a peer whose query ran past the time limit "
    "runs one at a time, apart, for a minute).",
)
@click.option("--quiet", is_flag=True, help="Do not log each request.")
@click.pass_obj
def serve(
    settings: Settings,
    host: str,
    port: int,
    timeout: float | None,
    max_response_mb: int,
    follow: bool,
    cors: tuple[str, ...],
    per_client: int,
    quiet: bool,
) -> None:
    """Serve the built knowledge base as a read-only SPARQL 1.1 endpoint (oxigraph), until Ctrl-C.

    Queries go to http://HOST:PORT/query (GET or POST, SPARQL 1.1 Protocol); a YASGUI query
    editor is at http://HOST:PORT/. Updates, Graph Store writes, SERVICE clauses and outside
    datasets are refused; the project prefixes (gkb:, claim:, theme:, ...) are predeclared.
    The served build stays on disk while it is served, whatever `kb build` does.
    """
    import signal

    from kb.build.store import manifest_of
    from kb.sparql.endpoint import Endpoint

    def log(message: str) -> None:
        click.echo(f"{time.strftime('%H:%M:%S')} {message}", err=True)

    endpoint = Endpoint(
        settings,
        host,
        port,
        timeout_s=timeout,
        max_response_mb=max_response_mb,
        follow=follow,
        cors=cors,
        per_client=per_client,
        log=(lambda m: None) if quiet else log,
    )
    # The build the endpoint resolved at start, not build/current again: a new build may have replaced it.
    manifest = manifest_of(endpoint.build) or {}
    counts = manifest.get("counts", {})
    click.echo(
        f"serving build {endpoint.build.name} (built {manifest.get('built_at', '?')}; "
        f"{counts.get('sources', '?')} sources, {counts.get('claims', '?')} claims, "
        f"{counts.get('triples', '?')} triples), read-only"
    )
    click.echo(f"  SPARQL endpoint  {endpoint.query_url}")
    click.echo(f"  YASGUI editor    {endpoint.url}/")
    click.echo(f"  time limit {endpoint.timeout_s:g} s per query, responses up to {max_response_mb} MiB")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: other machines can reach this endpoint", err=True)
    click.echo("press Ctrl-C to stop")
    # Ctrl-C and `kill` (SIGTERM) stop cleanly, also when started in the background (where a shell
    # may have set SIGINT to be ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.stop()
        click.echo("stopped")


@main.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store Protocol endpoint: Oxigraph http://HOST:7878/store, Fuseki http://HOST:3030/DATASET/data, "
    "GraphDB http://HOST:7200/repositories/REPO/rdf-graphs/service.",
)
@click.option("--graph", "graphs", multiple=True, metavar="IRI", help="Publish only this named graph (repeatable).")
@click.option(
    "--user",
    default=None,
    help="User for HTTP basic authentication; the password comes from $KB_PUBLISH_PASSWORD or a prompt.",
)
@click.option("--no-verify", is_flag=True, help="Do not read each graph back to check it arrived whole.")
@click.option("--json", "as_json", is_flag=True, help="Print what was published as JSON.")
@click.pass_obj
def publish(
    settings: Settings, endpoint: str, graphs: tuple[str, ...], user: str | None, no_verify: bool, as_json: bool
) -> None:
    """Load the built dataset into a triple store over the SPARQL 1.1 Graph Store Protocol.

    Each named graph (ontology, bibliography, claims) is sent with one HTTP PUT, replacing that
    graph on the server and nothing else, then read back and compared.
    """
    import os

    from kb.knowledge_base import KnowledgeBase
    from kb.sparql.publish import publish as run_publish

    password = None
    if user:
        password = os.environ.get("KB_PUBLISH_PASSWORD") or click.prompt(f"password for {user}", hide_input=True)
    kb = KnowledgeBase(settings)
    published = run_publish(
        kb, endpoint, graphs=list(graphs) or None, user=user, password=password, verify=not no_verify
    )
    if as_json:
        emit_json(
            {
                "endpoint": endpoint,
                "build": kb.path.name,
                "graphs": [
                    {"graph": p.graph, "triples": p.triples, "status": p.status, "verified": p.verified}
                    for p in published
                ],
            }
        )
        return
    for item in published:
        check = "verified" if item.verified else "not verified"
        click.echo(f"{item.graph}  {item.triples} triples  HTTP {item.status}  {check}")
    click.echo(
        f"published build {kb.path.name} to {endpoint}: {sum(p.triples for p in published)} triples "
        f"in {len(published)} graphs"
    )
