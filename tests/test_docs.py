"""The manual against the code: generated reference pages are current, every setting and command is
documented, links between the pages resolve, and README stays a front page."""

from __future__ import annotations

import re

from conftest import ROOT

from kb.cli.reference import PAGES, stale_pages
from kb.config import documented_settings

DOCS = ROOT / "docs"


def test_generated_reference_pages_are_current():
    assert stale_pages() == [], "run `python -m kb.cli.reference` and commit docs/settings.md and docs/cli.md"


def test_every_setting_and_command_is_in_the_reference():
    settings = (DOCS / "settings.md").read_text(encoding="utf-8")
    for name, _, help_text in documented_settings():
        assert f"`KB_{name.upper()}`" in settings and help_text in settings
    cli = (DOCS / "cli.md").read_text(encoding="utf-8")
    from kb.cli import main

    for name in main.list_commands(None):
        assert f"## `kb {name}`" in cli, name


def test_links_between_the_pages_resolve():
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= 8 * 1024
    assert "make run" in readme and "make test" in readme
    assert readme.index("![") < len(readme) // 3, "a screenshot near the top"
    for page in ("docs/getting-started.md", "docs/architecture.md", "docs/settings.md", "docs/cli.md"):
        assert page in readme, f"README links {page}"


def test_pages_of_the_manual_exist():
    for name in (
        "getting-started.md",
        "corpus-format.md",
        "search.md",
        "sparql.md",
        "bibliographies.md",
        "web-ui.md",
        "settings.md",
        "cli.md",
        "architecture.md",
        "contributing.md",
        "security.md",
        *PAGES,
    ):
        assert (DOCS / name).exists(), name
