"""`kb audit`: the trust report of the corpus, and the queue of claims awaiting review."""

from __future__ import annotations

import click

from kb.cli import emit_json, main
from kb.config import Settings


@main.command()
@click.option("--queue", is_flag=True, help="List the claims awaiting review (weakest basis first) instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the report (or the queue) as JSON.")
@click.pass_obj
def audit(settings: Settings, queue: bool, as_json: bool) -> None:
    """What each claim rests on and what a curator still has to check (reads corpus/, needs no build)."""
    from dataclasses import asdict

    from kb.audit import audit as run_audit
    from kb.audit import basis_label, describe_overlap, read_corpus, review_queue

    corpus = read_corpus(settings)
    if queue:
        entries = review_queue(corpus)
        if as_json:
            emit_json([asdict(entry) for entry in entries])
            return
        click.echo(f"{len(entries)} claims awaiting review (weakest basis first):")
        for entry in entries:
            click.echo(
                f"  {entry.location}  {entry.claim_id}  [{basis_label(entry.based_on)}; "
                f"drafted by {entry.drafted_by}, {entry.drafted_on}]"
            )
        return
    report = run_audit(corpus)
    if as_json:
        emit_json(report.to_dict())
        return
    click.echo(f"{report.claims} claims, {report.relations} relations")
    click.echo("claims by basis (strongest first):")
    for basis, count in report.by_basis.items():
        click.echo(f"  {basis_label(basis):<28} {count}")
    click.echo("claims by review status:")
    for status, count in report.by_status.items():
        click.echo(f"  {status:<28} {count}")
    problems = [
        ("secondary claims naming no secondary work", report.secondary_without_via),
        ("relations without rationale", report.relations_without_rationale),
        ("quotations without locator", report.quotations_without_locator),
        ("page-based claims whose locator names no page", report.page_basis_without_page),
        (
            f"paraphrases sharing {report.overlap_threshold}+ words in a row with their abstract",
            [describe_overlap(o) for o in report.paraphrase_overlaps],
        ),
        ("identifiers whose verification names no page", report.identifiers_without_page),
        ("URLs without a date of access", report.urls_without_access_date),
        (
            "sources with fewer than 3 claims",
            [f"{key} ({count})" for key, count in report.sources_with_few_claims.items()],
        ),
    ]
    for title, items in problems:
        click.echo(f"{title}: {len(items)}")
        for item in items:
            click.echo(f"  {item}")
