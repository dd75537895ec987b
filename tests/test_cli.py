"""The `kb` command: thin, one-line errors, JSON where other tools read the output."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import replace_in

from kb.cli import main


def _run(settings, *args):
    return CliRunner().invoke(main, ["--root", str(settings.root), *args], catch_exceptions=False)


def test_build_then_stats_json(tiny_project):
    result = _run(tiny_project, "build")
    assert result.exit_code == 0 and result.output.startswith("built: 3 sources, 5 claims")
    again = _run(tiny_project, "build", "--json")
    assert json.loads(again.output)["skipped"] is True
    stats = json.loads(_run(tiny_project, "stats", "--json").output)
    assert {"sources", "claims", "themes", "triples"} <= set(stats)
    assert stats["sources"] == 3 and stats["claims"] == 5 and stats["triples"] > 100


def test_bad_input_gives_one_line_and_exit_1(tiny_project):
    replace_in(tiny_project.corpus / "claims" / "ivanov2014clusters.yaml", "evidence: case-study", "evidence: gossip")
    result = _run(tiny_project, "build")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "ivanov2014clusters.yaml:" in lines[0]
    assert "Traceback" not in result.output
    assert not (tiny_project.build / "current").exists()


def test_validate_reports_without_building(tiny_project):
    result = _run(tiny_project, "validate", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["valid"] is True
    assert not tiny_project.build.exists()


def test_stats_before_build_says_what_to_do(tiny_project):
    result = _run(tiny_project, "stats")
    assert result.exit_code == 1 and "run `kb build` first" in result.output


def test_dump_to_file_and_stdout(tiny_project, tmp_path):
    _run(tiny_project, "build")
    target = tmp_path / "out" / "kb.trig"
    assert _run(tiny_project, "dump", "--format", "trig", "-o", str(target)).exit_code == 0
    assert "gkb:Claim" in target.read_text()
    stdout = _run(tiny_project, "dump", "--format", "turtle")
    assert stdout.exit_code == 0 and "@prefix gkb:" in stdout.output
