"""`kb import` of a reference list: records through the existing import path, marked as parsed from a
string, checked for duplicates against the corpus across scripts, nothing invented."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from kb.bibliography import import_file
from kb.cli import main
from kb.config import Settings
from kb.corpus.bibtex import read_bib_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "refs"


def _real_copy(tmp_path: Path) -> Settings:
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    return Settings(root=tmp_path)


def _texts(settings) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(settings.corpus.glob("*.bib"))}


def test_a_reference_list_imports_with_parsed_from_a_string_verification(tiny_project):
    report = import_file(tiny_project, FIXTURES / "mixed_list.txt")
    assert report.format == "refs"
    added = {r.key: r for r in report.added}
    assert {"lundquist2013distance", "robins2003learning", "lindholm2009mortality"} <= set(added)
    sources = {s.key: s for s in read_bib_file(tiny_project.corpus / "imported.bib")}
    lundquist = sources["lundquist2013distance"]
    assert (lundquist.container_title, lundquist.volume, lundquist.number, lundquist.pages) == (
        "Regional Studies",
        "47",
        "3",
        "450--460",
    )
    assert (
        "Parsed from a reference string, not checked against the work (line 5 of mixed_list.txt"
        in lundquist.verification
    )
    assert not lundquist.doi and not lundquist.url  # the string has none
    # Russian records need an English title the string does not give: skipped, saying exactly what to add and how.
    skipped = {s.where.rsplit(":", 1)[1]: s.reason for s in report.skipped}
    reason = skipped["4"]
    assert "«Основы региональной экономики» (Гранберг, 2000)" in reason and "title_en" in reason
    assert "does not translate" in reason and "kb refs parse mixed_list.txt --csl-json" in reason
    written = "".join(_texts(tiny_project).values())
    assert "Основы региональной экономики" not in written and "(none)" not in written  # no stand-in title_en


def test_a_russian_reference_already_in_the_corpus_is_found_not_asked_for_an_english_title(tmp_path):
    settings = _real_copy(tmp_path)
    report = import_file(settings, FIXTURES / "mixed_list.txt", dry_run=True)
    skipped = {s.where.rsplit(":", 1)[1]: s.reason for s in report.skipped}
    assert "islankina2014theoretical" in skipped["3"] and "title_en" not in skipped["3"]
    assert "title_en" in skipped["4"]


def test_the_csl_json_route_imports_a_russian_reference_once_the_curator_gives_its_english_title(
    tiny_project, tmp_path
):
    runner = CliRunner()
    listing = tmp_path / "refs.txt"
    listing.write_text(
        "Гранберг А.Г. Основы региональной экономики: учебник для вузов. – М.: ГУ ВШЭ, 2000. – 495 с.\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["refs", "parse", str(listing), "--csl-json"], catch_exceptions=False)
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert len(items) == 1 and "id" not in items[0] and "confidence" not in items[0]["custom"]
    assert items[0]["custom"]["verification"].startswith("Parsed from a reference string")
    items[0]["custom"]["title_en"] = "Fundamentals of regional economics"
    completed = tmp_path / "refs.json"
    completed.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    report = import_file(tiny_project, completed)
    assert [r.title for r in report.added] == ["Основы региональной экономики"] and not report.skipped
    source = next(
        s for s in read_bib_file(tiny_project.corpus / "imported.bib") if s.title == "Основы региональной экономики"
    )
    assert source.title_en == "Fundamentals of regional economics" and source.language == "ru"
    assert source.key.startswith("granberg2000") and source.pagetotal == "495"
    assert "Parsed from a reference string, not checked against the work (line 1 of refs.txt" in source.verification
    both = runner.invoke(main, ["refs", "parse", str(listing), "--csl-json", "--json"])
    assert both.exit_code != 0 and "--csl-json" in both.output


def test_corpus_works_are_found_across_scripts_and_only_new_ones_added(tmp_path):
    settings = _real_copy(tmp_path)
    before = _texts(settings)
    report = import_file(settings, FIXTURES / "transliterated.txt", dry_run=True)
    assert [r.key for r in report.added] == ["tapscott1995digital"] and report.written == ()
    reasons = {r.line: r for r in report.merged} | {int(s.where.rsplit(":", 1)[1]): s for s in report.skipped}
    assert "islankina2014theoretical" in str(reasons[1])  # transliterated, matched to the Cyrillic record
    assert "bathelt2004clusters" in str(reasons[2])
    assert _texts(settings) == before


def test_format_refs_for_another_extension_and_dry_run_writes_nothing(tiny_project, tmp_path):
    path = tmp_path / "list.lst"
    shutil.copy(FIXTURES / "mixed_list.txt", path)
    before = _texts(tiny_project)
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--root", str(tiny_project.root), "import", str(path), "--format", "refs", "--dry-run", "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format"] == "refs" and data["dry_run"] and data["written"] == [] and len(data["added"]) >= 3
    assert _texts(tiny_project) == before
    unknown = runner.invoke(main, ["--root", str(tiny_project.root), "import", str(path)], catch_exceptions=False)
    assert unknown.exit_code == 1 and "cannot tell the format" in unknown.stderr and "--format refs" in unknown.stderr
