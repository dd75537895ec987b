"""`kb import` into a copy of the fixture corpus: Zotero's exports, deduplication across scripts,
merges in place, bad records, --dry-run, --strict, and a corpus that still validates."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.bibliography import import_file, read_records
from kb.bibliography.errors import ImportFileError
from kb.bibliography.importing.dedup import find_duplicate
from kb.bibliography.importing.keys import citation_key
from kb.build.builder import validate
from kb.cli import main
from kb.corpus.bibtex import read_bib_file
from kb.errors import KbError

FIXTURES = Path(__file__).parent / "fixtures" / "bibliography"
TODAY = datetime.date(2026, 11, 23)


def _corpus_texts(settings) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(settings.corpus.glob("*.bib"))}


def _sources(settings) -> dict:
    return {s.key: s for p in sorted(settings.corpus.glob("*.bib")) for s in read_bib_file(p)}


def test_zotero_ris_export_imports_without_losing_modelled_fields(tiny_project):
    report = import_file(tiny_project, FIXTURES / "zotero-ris-public-history-theses.ris", today=TODAY)
    assert len(report.added) == 31 and not report.merged and not report.skipped
    sources = _sources(tiny_project)
    hartman = sources["hartman2017war"]
    assert hartman.entry_type == "thesis" and hartman.report_type == "MRes Thesis"
    assert hartman.institution == "Macquarie University" and hartman.location == "Sydney"
    assert hartman.authors[0].family == "Hartman" and hartman.authors[0].given == "Abbie"
    assert hartman.url == "http://hdl.handle.net/1959.14/1277825" and hartman.year == 2017
    assert "Humanities -- Interactive media" in hartman.keywords and len(hartman.keywords) == 6
    assert hartman.abstract.startswith("This thesis argues that video games")
    # a given-name-first author without a comma; a DOI the exporter put in DB; a page count with roman numerals
    vincent = next(s for s in sources.values() if s.authors and s.authors[0].family == "Vincent")
    assert vincent.authors[0].given == "Rachael Nenaya"
    carter = next(s for s in sources.values() if s.title == "Bark huts, calico tents and shanty towns")
    assert carter.doi == "10.25911/5d77874ee260c" and carter.pagetotal == "xii, 357"
    assert carter.institution == "Australian National University"
    # the multi-paragraph abstract arrives whole (bare LF lines inside a CRLF file)
    assert any(s.abstract.endswith("requires multiple analytical perspectives.") for s in sources.values())
    assert validate(tiny_project)["sources"] == 34


def test_zotero_csl_json_imports_and_tolerates_unknown_keys(tiny_project):
    report = import_file(tiny_project, FIXTURES / "zotero-csl-json-single-preprint.json", today=TODAY)
    assert [r.key for r in report.added] == ["abughanem2024google"]
    source = _sources(tiny_project)["abughanem2024google"]
    assert source.doi == "10.48550/ARXIV.2410.00917" and source.url == "https://arxiv.org/abs/2410.00917"
    assert source.year == 2024 and source.urldate == "2026-01-20" and source.publisher == "arXiv"
    assert source.authors[0].family == "AbuGhanem" and source.note == "version: 1"
    assert source.abstract.startswith("Quantum computers stand at the forefront")
    assert source.verification.startswith(
        "Imported by `kb import` from zotero-csl-json-single-preprint.json (csl-json) on 2026-11-23"
    )


def test_better_bibtex_import_adds_merges_and_skips_with_reasons(tiny_project):
    before = _corpus_texts(tiny_project)
    report = import_file(tiny_project, FIXTURES / "better-bibtex.bib", today=TODAY)
    assert [r.key for r in report.added] == ["nguyen2019cluster", "organisation2012regional"]
    merged = {m.key: m for m in report.merged}
    # same DOI as a corpus record: its abstract is added, its `file` path never reaches the corpus
    assert merged["smith2001proximity"].reason == "same DOI 10.1234/jtg.2001.101"
    assert merged["smith2001proximity"].added_fields == ("abstract",)
    # the transliterated twin ("Klastery i global'nye svjazi") of a Cyrillic record is the same work
    twin = merged["ivanov2014clusters"]
    assert twin.added_fields == ("volume", "url") and "same title" in twin.reason
    assert twin.conflicts == ("pages: kept the corpus's '10--20' (the file has '10--21')",)
    # a duplicate inside the file merges into the record added from the same file
    assert merged["nguyen2019cluster"].added_fields == ("pagetotal",)
    reasons = {s.where.rsplit(":", 1)[-1]: s.reason for s in report.skipped}
    assert "needs a title_en" in reasons["45"] and "does not translate titles" in reasons["45"]
    assert "Cyrillic title but no langid" in reasons["53"]
    assert reasons["62"] == "entry 'brokenMissingComma2013': missing comma after the author field, before field 'year'"

    sources = _sources(tiny_project)
    nguyen = sources["nguyen2019cluster"]
    assert nguyen.authors[0].family == "Nguyễn" and nguyen.authors[0].given == "Thị Lan"  # LaTeX accents decoded
    assert nguyen.entry_type == "thesis" and nguyen.report_type == "PhD thesis" and nguyen.date == "2019-03"
    assert nguyen.pagetotal == "245" and nguyen.extra["ids"] == "nguyenClusterPolicyTest2019"
    assert "file" not in sources["smith2001proximity"].extra
    # merges edit the curated file in place: the old text stays, new lines are added
    after = _corpus_texts(tiny_project)
    old_lines = before["references.bib"].splitlines()
    new_lines = after["references.bib"].splitlines()
    assert [line for line in new_lines if line not in old_lines] == [
        "  abstract = {A fictional abstract about proximity and learning.},",
        "  verification = {abstract added by `kb import` from better-bibtex.bib on 2026-11-23, not checked "
        "against the publication.}",
        "  volume = {7},",
        "  url = {https://example.org/ivanov-2014},",
        "  verification = {volume, url added by `kb import` from better-bibtex.bib on 2026-11-23, not checked "
        "against the publication.}",
    ]
    assert all(line in new_lines or line.rstrip(",") + "," in new_lines for line in old_lines)
    assert sources["ivanov2014clusters"].volume == "7" and sources["ivanov2014clusters"].pages == "10--20"
    assert validate(tiny_project)["sources"] == 5


def test_importing_the_same_file_again_changes_nothing(tiny_project):
    import_file(tiny_project, FIXTURES / "better-bibtex.bib", today=TODAY)
    first = _corpus_texts(tiny_project)
    again = import_file(tiny_project, FIXTURES / "better-bibtex.bib", today=TODAY)
    assert not again.added and not again.merged and not again.written
    assert all(
        "already in the corpus" in s.reason
        or "title_en" in s.reason
        or "langid" in s.reason
        or "missing comma" in s.reason
        for s in again.skipped
    )
    assert _corpus_texts(tiny_project) == first


def test_dry_run_reports_and_writes_nothing(tiny_project):
    before = _corpus_texts(tiny_project)
    report = import_file(tiny_project, FIXTURES / "better-bibtex.bib", dry_run=True, today=TODAY)
    assert len(report.added) == 2 and len(report.merged) == 3 and report.written == ()
    assert report.summary() == (
        "better-bibtex.bib (bibtex): would add 2, would merge 3, skipped 3 (dry run: nothing written)"
    )
    assert _corpus_texts(tiny_project) == before


def test_strict_refuses_the_whole_file(tiny_project):
    before = _corpus_texts(tiny_project)
    with pytest.raises(
        ImportFileError,
        match=r"better-bibtex.bib:45: .* \(3 bad records in better-bibtex.bib; "
        r"--strict imports nothing\)",
    ):
        import_file(tiny_project, FIXTURES / "better-bibtex.bib", strict=True)
    assert _corpus_texts(tiny_project) == before


def test_malformed_ris_records_are_reported_with_position_and_skipped(tiny_project):
    report = import_file(tiny_project, FIXTURES / "malformed.ris", today=TODAY)
    assert [r.key for r in report.added] == ["goodfirst2010", "goodlast2014"]
    assert [(s.where.rsplit(":", 1)[-1], s.reason) for s in report.skipped] == [
        (
            "13",
            "record 'A Record With A Broken Tag' (begins on line 10): line 13 is not a tag line of the form "
            "'XX  - value': 'PY -2011'",
        ),
        (
            "21",
            "record 'A Record Without Its End' (begins on line 16): no 'ER  - ' line before the next record on line 21",
        ),
    ]
    with pytest.raises(ImportFileError, match="malformed.ris:13"):
        import_file(tiny_project, FIXTURES / "malformed.ris", strict=True)


def test_nothing_is_written_when_the_result_would_not_validate(tiny_project, tmp_path):
    # A record that parses but that the corpus's SHACL shapes refuse (a DOI with a stray prefix
    # is normalised, so use a record without any author, editor, publisher or institution).
    bad = tmp_path / "anonymous.bib"
    bad.write_text(
        "@misc{anon2020,\n  title = {A Work Nobody Made},\n  year = {2020},\n  langid = {english}\n}\n",
        encoding="utf-8",
    )
    before = _corpus_texts(tiny_project)
    with pytest.raises(KbError, match="the import would leave the corpus invalid, so nothing was written"):
        import_file(tiny_project, bad)
    assert _corpus_texts(tiny_project) == before and not (tiny_project.corpus / "imported.bib").exists()


def test_cites_are_mapped_to_new_keys_and_unknown_ones_dropped(tiny_project, tmp_path):
    path = tmp_path / "citing.bib"
    path.write_text(
        "@article{citingWork2020,\n  author = {Roe, Ann},\n  title = {A Citing Work},\n  journal = {J},\n"
        "  year = {2020},\n  langid = {english},\n  cites = {citedWork2019, smith2001proximity, nowhere1999}\n}\n\n"
        "@article{citedWork2019,\n  author = {Poe, Bo},\n  title = {The Cited Work},\n  journal = {J},\n"
        "  year = {2019},\n  langid = {english}\n}\n",
        encoding="utf-8",
    )
    report = import_file(tiny_project, path, today=TODAY)
    assert [r.key for r in report.added] == ["roe2020citing", "poe2019cited"]
    assert _sources(tiny_project)["roe2020citing"].cites == ("poe2019cited", "smith2001proximity")
    assert "dropped cites of works not in the corpus: nowhere1999" in report.added[0].notes
    assert validate(tiny_project)["sources"] == 5


def test_keys_follow_the_corpus_convention_and_are_stable(real_kb):
    sources = real_kb.corpus.sources
    # the convention reproduces most hand-made keys of the real corpus
    same = [k for k, s in sources.items() if citation_key(s, set()) == k]
    assert len(same) >= 20 and "islankina2014theoretical" in same and "fiyaksel2014internationalization" in same
    # transliterated Cyrillic names; a taken key gets the next title word
    source = sources["gokhberg2015press"]
    assert citation_key(source, set()) == "gokhberg2015rating"
    assert citation_key(source, {"gokhberg2015rating"}) == "gokhberg2015ratinginnovative"
    assert citation_key(source, {"Gokhberg2015Rating"}) == "gokhberg2015ratinginnovative"  # case-insensitive


def test_dedup_across_scripts_and_spelling_schemes(real_kb):
    from dataclasses import replace

    from kb.model import Person

    pool = list(real_kb.corpus.sources.values())
    original = real_kb.corpus.sources["islankina2014theoretical"]
    # the same work as a library would list it in ALA-LC transliteration, without a language
    twin = replace(
        original,
        key="x",
        title="Teoreticheskie aspekty internacionalizacii klasterov",
        title_en="",
        language="en",
        authors=(Person("Islankina", "E. A."),),
    )
    assert find_duplicate(twin, pool).key == "islankina2014theoretical"
    # or under its English title
    english = replace(twin, title="Theoretical Aspects of Cluster Internationalization")
    assert find_duplicate(english, pool).key == "islankina2014theoretical"
    # the other Islankina (2014) article is a different work
    other = replace(twin, title="Metodika otsenki urovnja internacionalizacii regional'nogo klastera")
    assert find_duplicate(other, pool).key == "islankina2014methodology"
    # a different DOI means a different work even with the same title
    asheim = real_kb.corpus.sources["asheim2002regional"]
    assert find_duplicate(replace(asheim, key="y", doi="10.9999/other"), pool) is None
    # a citing list's year off by one still finds the work when the title is the same
    oecd = real_kb.corpus.sources["oecd2010measuring"]
    found = find_duplicate(replace(oecd, key="z", year=2011), pool)
    assert found.key == "oecd2010measuring" and "one year apart" in found.reason
    assert find_duplicate(replace(oecd, key="z", year=2014), pool) is None


def test_into_must_be_a_bib_file_in_the_corpus(tiny_project):
    with pytest.raises(ImportFileError, match=r"only be imported into a \.bib file directly in"):
        import_file(tiny_project, FIXTURES / "malformed.ris", into="../elsewhere.bib")
    report = import_file(tiny_project, FIXTURES / "malformed.ris", into="zotero.bib", today=TODAY)
    assert report.target.name == "zotero.bib" and (tiny_project.corpus / "zotero.bib").exists()


def test_unreadable_files_say_why(tiny_project, tmp_path):
    latin1 = tmp_path / "latin1.bib"
    latin1.write_bytes("@misc{a, title = {Caf\xe9}}".encode("latin-1"))
    with pytest.raises(ImportFileError, match="not UTF-8 text"):
        import_file(tiny_project, latin1)
    odd = tmp_path / "notes.dat"  # (.txt is a reference list now: tests/test_refs_bad_input.py)
    odd.write_text("just some words", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"import a BibTeX/BibLaTeX \(\.bib\), RIS \(\.ris\) or CSL-JSON"):
        import_file(tiny_project, odd)
    broken_json = tmp_path / "broken.json"
    broken_json.write_text('[{"title": "x",}]', encoding="utf-8")
    with pytest.raises(KbError, match=r"broken.json:1: not JSON"):
        import_file(tiny_project, broken_json)


def test_cli_import_reports_and_exit_codes(tiny_project):
    runner = CliRunner()
    base = ["--root", str(tiny_project.root), "import"]
    result = runner.invoke(main, [*base, str(FIXTURES / "malformed.ris"), "--dry-run"], catch_exceptions=False)
    assert result.exit_code == 0
    assert (
        result.output.splitlines()[0]
        == "malformed.ris (ris): would add 2, would merge 0, skipped 2 (dry run: nothing written)"
    )
    assert "  skipped " in result.output and "malformed.ris:13:" in result.output
    strict = runner.invoke(main, [*base, str(FIXTURES / "malformed.ris"), "--strict"], catch_exceptions=False)
    assert strict.exit_code == 1 and strict.output.startswith("error: ") and strict.output.count("\n") == 1
    as_json = runner.invoke(main, [*base, str(FIXTURES / "malformed.ris"), "--json"], catch_exceptions=False)
    data = json.loads(as_json.output)
    assert [r["key"] for r in data["added"]] == ["goodfirst2010", "goodlast2014"] and len(data["skipped"]) == 2
    assert data["written"] == [str(tiny_project.corpus / "imported.bib")]


def test_imported_records_round_trip_through_every_export(tiny_project, tmp_path):
    """What an import wrote reads back, and exports and re-reads, unchanged."""
    from kb.bibliography import export_sources

    import_file(tiny_project, FIXTURES / "zotero-ris-public-history-theses.ris", today=TODAY)
    imported = read_bib_file(tiny_project.corpus / "imported.bib")
    for fmt, suffix in (("ris", ".ris"), ("csl-json", ".json"), ("bibtex", ".bib")):
        path = tmp_path / f"again{suffix}"
        path.write_text(export_sources(imported, fmt), encoding="utf-8")
        back = [r.source for r in read_records(path).records]
        assert [(s.key, s.title, s.authors, s.keywords, s.abstract, s.pagetotal) for s in back] == [
            (s.key, s.title, s.authors, s.keywords, s.abstract, s.pagetotal) for s in imported
        ], fmt
