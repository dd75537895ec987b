"""Export formats on the real corpus: round trips field by field, CSL-JSON schema, claims, the CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kb.bibliography import available_formats, export_sources, read_records
from kb.bibliography.errors import UnknownFormatError
from kb.cli import main
from kb.errors import KbError

FIXTURES = Path(__file__).parent / "fixtures" / "bibliography"
SCHEMA = json.loads((FIXTURES / "csl-data.schema.v1.0.json").read_text(encoding="utf-8"))
ROUND_TRIP_FORMATS = {"biblatex": ".bib", "bibtex": ".bib", "ris": ".ris", "csl-json": ".json"}


def _fields(source) -> dict:
    return {f.name: getattr(source, f.name) for f in dataclasses.fields(source) if f.name != "origin"}


@pytest.mark.parametrize("fmt", sorted(ROUND_TRIP_FORMATS))
def test_round_trip_gives_the_same_records_field_by_field(real_kb, tmp_path, fmt):
    sources = list(real_kb.corpus.sources.values())
    path = tmp_path / f"export{ROUND_TRIP_FORMATS[fmt]}"
    path.write_text(export_sources(sources, fmt), encoding="utf-8")
    parsed = read_records(path)
    assert parsed.errors == ()
    back = {r.source.key: r.source for r in parsed.records}
    assert list(back) == [s.key for s in sources]
    for source in sources:
        assert _fields(back[source.key]) == _fields(source), source.key


def test_round_trip_keeps_what_only_the_corpus_has(real_kb):
    """The fields no exchange format has a place for survive (spot checks of the generic test above)."""
    sources = real_kb.corpus.sources
    ris = export_sources([sources["gokhberg2015press"]], "ris")
    assert "TT  - Rating of the innovative development" in ris  # title_en: RIS's translated title
    assert "N1  - glocal-kb/author_en: Gokhberg, Leonid" in ris  # the author's own Latin spelling
    item = json.loads(export_sources([sources["islankina2015glocalization"]], "csl-json"))[0]
    assert item["custom"]["journaltitle_en"] == "Innovations" and len(item["custom"]["cites"].split(", ")) == 26
    assert "title_en" in item["custom"] and item["language"] == "ru"
    bibtex = export_sources([sources["govindarajan2012reverse"]], "bibtex")
    assert (
        "title = {{Reverse Innovation: Create Far from Home, Win Everywhere}}" in bibtex
    )  # classic styles print no subtitle


def test_csl_json_validates_against_the_schema(real_kb):
    sources = list(real_kb.corpus.sources.values())
    claims = {s.key: real_kb.corpus.claims_of(s.key) for s in sources}
    for with_claims in (None, claims):
        data = json.loads(export_sources(sources, "csl-json", claims=with_claims))
        errors = list(jsonschema.Draft7Validator(SCHEMA).iter_errors(data))
        assert errors == [], errors[0].message if errors else ""
    # the schema is strict: an unknown top-level key is refused (so the check above can fail)
    bad = [{**data[0], "license": "x"}]
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(bad))


def test_claims_travel_as_notes_annotations_and_custom(real_kb):
    key = "bathelt2004clusters"
    source = real_kb.corpus.sources[key]
    claims = {key: real_kb.corpus.claims_of(key)}
    assert claims[key], "the real corpus has claims on Bathelt et al. (2004)"
    first = claims[key][0]
    ris = export_sources([source], "ris", claims=claims)
    assert f"N1  - glocal-kb claim {first.id} (" in ris
    biblatex = export_sources([source], "biblatex", claims=claims)
    assert f"annotation = {{glocal-kb claim {first.id}" in biblatex
    assert "annote = {glocal-kb claim" in export_sources([source], "bibtex", claims=claims)
    item = json.loads(export_sources([source], "csl-json", claims=claims))[0]
    assert [c["id"] for c in item["custom"]["claims"]] == [c.id for c in claims[key]]
    assert item["custom"]["claims"][0]["text"]["en"] == first.text["en"]
    text = export_sources([source], "text", claims=claims)
    assert f"    - [{first.id}]" in text


def test_claims_notes_are_dropped_again_on_import(real_kb, tmp_path):
    source = real_kb.corpus.sources["bathelt2004clusters"]
    claims = {source.key: real_kb.corpus.claims_of(source.key)}
    for fmt, suffix in (("ris", ".ris"), ("biblatex", ".bib"), ("csl-json", ".json")):
        path = tmp_path / f"with-claims{suffix}"
        path.write_text(export_sources([source], fmt, claims=claims), encoding="utf-8")
        record = read_records(path).records[0]
        assert _fields(record.source) == _fields(source), fmt
        assert any("claim" in note for note in record.notes), fmt


def test_formatted_exports(real_kb):
    sources = list(real_kb.corpus.sources.values())
    html = export_sources(sources, "html", style="gost-r-7-0-5-2008")
    assert (
        html.startswith("<!DOCTYPE html>")
        and '<html lang="ru">' in html
        and html.count('class="csl-entry"') == len(sources)
    )
    markdown = export_sources(sources, "markdown", style="apa")
    assert markdown.count("\n\n") == len(sources) - 1 and "*Research Policy*" in markdown
    text = export_sources(sources, "text")  # APA by default
    assert len(text.splitlines()) == len(sources) and text.splitlines()[0].startswith(
        "Asheim, B. T., & Isaksen, A. (2002)."
    )


def test_unknown_format_and_misplaced_style(real_kb):
    source = real_kb.corpus.sources["asheim2002regional"]
    with pytest.raises(UnknownFormatError, match="use one of: biblatex, bibtex, ris, csl-json, text, html, markdown"):
        export_sources([source], "endnote")
    with pytest.raises(KbError, match="--style applies to the formatted outputs"):
        export_sources([source], "ris", style="apa")
    assert [f.name for f in available_formats()] == [
        "biblatex",
        "bibtex",
        "ris",
        "csl-json",
        "text",
        "html",
        "markdown",
    ]


def _run(settings, *args):
    return CliRunner().invoke(main, ["--root", str(settings.root), *args], catch_exceptions=False)


def test_cli_export_to_file_and_stdout(tiny_project, tmp_path):
    assert _run(tiny_project, "build").exit_code == 0
    target = tmp_path / "out" / "refs.ris"
    result = _run(tiny_project, "export", "--format", "ris", "-o", str(target))
    assert result.exit_code == 0 and "wrote 3 sources (ris)" in result.output
    assert target.read_text(encoding="utf-8").count("ER  - ") == 3
    assert not list(target.parent.glob(".refs.ris.*"))  # the atomic writer left no temporary file
    gost = _run(tiny_project, "export", "--format", "text", "--style", "gost-r-7-0-5-2008")
    lines = gost.output.splitlines()
    assert gost.exit_code == 0 and lines[0].startswith("1. Иванов П. С. Кластеры и глобальные связи // ")
    # Latin-script works alphabetically by heading or, without a personal author, by title
    assert lines[1].startswith("2. Regional innovation policy in practice / Test Organisation for Regions.")
    assert lines[2].startswith("3. Smith J. A., de la Cruz M. Proximity and learning")


def test_cli_bad_format_style_and_key_give_one_line_and_exit_1(tiny_project):
    assert _run(tiny_project, "build").exit_code == 0
    for args, needle in (
        (["--format", "word"], "use one of: biblatex"),
        (["--format", "text", "--style", "nosuchstyle"], "unknown CSL style 'nosuchstyle'"),
        (["--keys", "smith2001proximty"], "did you mean smith2001proximity"),
    ):
        result = _run(tiny_project, "export", *args)
        assert result.exit_code == 1 and result.output.count("\n") == 1 and needle in result.output, result.output


def test_cli_lists_formats_and_styles(tiny_project):
    formats = _run(tiny_project, "export", "--list-formats").output
    assert "csl-json" in formats and "markdown" in formats
    styles = _run(tiny_project, "export", "--list-styles").output.splitlines()
    assert styles[:4] == ["apa", "chicago-author-date", "harvard-cite-them-right", "gost-r-7-0-5-2008"]
    assert "modern-language-association" in styles and len(styles) > 2000
