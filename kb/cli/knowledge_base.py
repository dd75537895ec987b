"""Commands that make and read the knowledge base itself: build, validate, stats, dump."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli import emit_json, main
from kb.config import Settings
from kb.knowledge_base import DUMP_FORMATS


@main.command()
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
@click.pass_obj
def build(settings: Settings, force: bool, as_json: bool) -> None:
    """Compile ontology and corpus into the validated dataset (atomic; skipped when nothing changed)."""
    from kb.build.builder import build as run_build

    report = run_build(settings, force=force)
    if as_json:
        emit_json(
            {
                "path": str(report.path),
                "skipped": report.skipped,
                "seconds": round(report.seconds, 3),
                "content_hash": report.content_hash,
                "counts": report.counts,
            }
        )
        return
    state = "up to date" if report.skipped else "built"
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
    click.echo(f"{state}: {counts} ({report.seconds:.2f} s)")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def validate(settings: Settings, as_json: bool) -> None:
    """Check corpus and ontology as a build would (parsing, references, SHACL) without writing anything;
    also refuse paraphrases that copy a long run of words from their source's abstract."""
    from kb.audit import check_paraphrases, read_corpus
    from kb.build.builder import validate as run_validate

    counts = run_validate(settings)
    check_paraphrases(read_corpus(settings))
    if as_json:
        emit_json({"valid": True, **counts})
    else:
        click.echo("valid: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as a JSON object.")
@click.pass_obj
def stats(settings: Settings, as_json: bool) -> None:
    """Counts of the built knowledge base."""
    from kb.knowledge_base import KnowledgeBase

    numbers = KnowledgeBase(settings).stats()
    if as_json:
        emit_json(numbers)
        return
    for key, value in numbers.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for name, count in value.items():
                click.echo(f"  {name:<24} {count}")
        else:
            click.echo(f"{key:<26} {value}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(DUMP_FORMATS), default="trig", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.pass_obj
def dump(settings: Settings, fmt: str, output: Path | None) -> None:
    """Write the whole dataset as RDF (turtle and ntriples merge the named graphs)."""
    from kb.build.atomic import atomic_output
    from kb.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(settings)
    if output is None:
        kb.dump(sys.stdout.buffer, fmt)
        return
    with atomic_output(output) as handle:
        kb.dump(handle, fmt)
