"""The `kb` command: a thin layer that turns options into library calls and formats the results.

Each area registers its commands in its own module (`kb.cli.<area>`); this module holds the group,
the error handling and the shared output helpers.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.config import Settings
from kb.errors import KbError


class KbGroup(click.Group):
    """Turns the library's domain errors into one line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KbError as error:
            click.echo(f"error: {error}", err=True)
            if getattr(error, "violations", None) and len(error.violations) > 1:
                for violation in error.violations[1:20]:
                    click.echo(f"  also: {violation}", err=True)
            ctx.exit(1)


@click.group(cls=KbGroup)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder holding corpus/ and ontology/ (default: $KB_ROOT or the current folder).",
)
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """glocal-kb: literature and evidence on glocalization, clusters and regional innovation systems."""
    ctx.obj = Settings.from_env(root=root)


def emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# Command modules register themselves on `main` when imported (so after `main` exists).
from kb.cli import app, audit, bibliography, knowledge_base, refs, search, sparql  # noqa: E402,F401
