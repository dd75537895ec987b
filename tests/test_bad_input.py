"""Every kind of bad corpus input: one clear error naming file and line, and nothing written."""

from __future__ import annotations

import pytest
from conftest import line_of, replace_in

from kb.build.builder import build, validate
from kb.build.store import current_dir
from kb.errors import CorpusError, ValidationError


def _error(settings) -> str:
    with pytest.raises((CorpusError, ValidationError)) as caught:
        build(settings)
    assert current_dir(settings.build) is None, "a failed build must not publish anything"
    return str(caught.value)


def test_missing_comma_between_fields_is_reported_at_the_folded_field(tiny_project):
    bib = tiny_project.corpus / "references.bib"
    replace_in(bib, "  journaltitle = {Journal of Test Geography},", "  journaltitle = {Journal of Test Geography}")
    message = _error(tiny_project)
    assert f"references.bib:{line_of(bib, 'year = {2001}')}:" in message
    assert "smith2001proximity" in message and "missing comma before field 'year'" in message


def test_missing_comma_after_a_name_field(tiny_project):
    bib = tiny_project.corpus / "references.bib"
    replace_in(
        bib, "  author = {Smith, John A. and de la Cruz, Maria},", "  author = {Smith, John A. and de la Cruz, Maria}"
    )
    message = _error(tiny_project)
    assert f"references.bib:{line_of(bib, 'Proximity and learning in regional clusters')}:" in message
    assert "missing comma before field 'title'" in message


def test_malformed_entry_names_line_and_key(tiny_project):
    bib = tiny_project.corpus / "references.bib"
    replace_in(bib, "@report{testorg2010policy,", "@report{testorg2010policy")
    message = _error(tiny_project)
    start = line_of(bib, "@report{testorg2010policy")
    assert f"references.bib:{start + 1}: malformed entry 'testorg2010policy' (entry begins on line {start})" in message
    assert "Expected comma after entry key" in message


def test_duplicate_key_in_one_file(tiny_project):
    bib = tiny_project.corpus / "references.bib"
    bib.write_text(bib.read_text() + "\n@misc{smith2001proximity,\n  title = {Again},\n  year = {2002},\n}\n")
    message = _error(tiny_project)
    assert "duplicate citation key 'smith2001proximity'" in message
    assert f"references.bib:{line_of(bib, '@misc{smith2001proximity')}:" in message


def test_duplicate_key_across_files(tiny_project):
    (tiny_project.corpus / "more.bib").write_text("@misc{ivanov2014clusters,\n  title = {X},\n  year = {2000},\n}\n")
    message = _error(tiny_project)
    bib = tiny_project.corpus / "references.bib"
    assert f"references.bib:{line_of(bib, '@article{ivanov2014clusters')}:" in message
    assert "duplicate citation key 'ivanov2014clusters'" in message and "more.bib:1" in message


def test_yaml_syntax_error(tiny_project):
    path = tiny_project.corpus / "claims" / "smith2001proximity.yaml"
    replace_in(
        path, "    themes: [geographical-proximity, local-buzz]", "    themes: [geographical-proximity, local-buzz"
    )
    message = _error(tiny_project)
    assert "smith2001proximity.yaml:" in message and "YAML syntax error" in message


def test_claim_naming_unknown_source(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(path, "source: testorg2010policy", "source: nobody2020")
    message = _error(tiny_project)
    assert "testorg2010policy.yaml:1:" in message and "unknown source 'nobody2020'" in message


def test_claim_naming_unknown_theme(tiny_project):
    path = tiny_project.corpus / "claims" / "smith2001proximity.yaml"
    replace_in(path, "themes: [death-of-distance]", "themes: [death-of-distanse]")
    message = _error(tiny_project)
    assert f"smith2001proximity.yaml:{line_of(path, 'death-of-distanse')}:" in message
    assert "unknown theme 'death-of-distanse'" in message


def test_relation_to_missing_claim(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(path, "- id: ivanov2014clusters-global-links", "- id: ivanov2014clusters-global-link")
    message = _error(tiny_project)
    assert f"testorg2010policy.yaml:{line_of(path, 'ivanov2014clusters-global-link')}:" in message
    assert "unknown claim 'ivanov2014clusters-global-link'" in message


def test_secondary_claim_without_via(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(path, "    evidence: policy-document\n", "    evidence: policy-document\n    based_on: secondary\n")
    message = _error(tiny_project)
    assert f"testorg2010policy.yaml:{line_of(path, 'based_on: secondary')}:" in message
    assert "based_on secondary and needs 'via'" in message


def test_via_naming_an_unknown_key(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(
        path,
        "    evidence: policy-document\n",
        "    evidence: policy-document\n    based_on: secondary\n    via: nobody2020review\n",
    )
    message = _error(tiny_project)
    assert f"testorg2010policy.yaml:{line_of(path, 'via: nobody2020review')}:" in message
    assert "via 'nobody2020review'" in message and "neither a citation key" in message


def test_via_naming_a_corpus_record_or_a_url_is_accepted(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(
        path,
        "    evidence: policy-document\n",
        "    evidence: policy-document\n    based_on: secondary\n    via: smith2001proximity\n",
    )
    validate(tiny_project)
    replace_in(path, "via: smith2001proximity", "via: https://example.org/review-of-the-report")
    validate(tiny_project)


def test_relation_without_rationale_short_form(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    extends:")
    path.write_text(text[:start] + "    extends: [ivanov2014clusters-global-links]\n", encoding="utf-8")
    message = _error(tiny_project)
    assert f"testorg2010policy.yaml:{line_of(path, 'extends: [')}:" in message
    assert "extends 'ivanov2014clusters-global-links' without a rationale" in message


def test_relation_without_rationale_long_form(tiny_project):
    path = tiny_project.corpus / "claims" / "ivanov2014clusters.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "".join(line for line in text.splitlines(keepends=True) if "because:" not in line), encoding="utf-8"
    )
    message = _error(tiny_project)
    assert f"ivanov2014clusters.yaml:{line_of(path, '- id: smith2001proximity-colocation')}:" in message
    assert "supports 'smith2001proximity-colocation' without a rationale" in message


def test_reviewed_claim_without_reviewer(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(
        path,
        "    evidence: policy-document\n",
        "    evidence: policy-document\n    status: reviewed\n    reviewed_on: 2026-12-01\n",
    )
    message = _error(tiny_project)
    assert f"testorg2010policy.yaml:{line_of(path, 'status: reviewed')}:" in message
    assert "is reviewed but names no reviewer" in message


def test_reviewer_on_a_draft_is_refused(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(path, "    evidence: policy-document\n", "    evidence: policy-document\n    reviewed_by: A. Reviewer\n")
    message = _error(tiny_project)
    assert f"testorg2010policy.yaml:{line_of(path, 'reviewed_by:')}:" in message and "status is draft" in message


def test_page_basis_needs_a_page_locator(tiny_project):
    path = tiny_project.corpus / "claims" / "smith2001proximity.yaml"
    replace_in(path, "    locator: p. 105\n", "    locator: Introduction\n")
    message = _error(tiny_project)
    assert f"smith2001proximity.yaml:{line_of(path, 'based_on: full-text-page')}:" in message
    assert "full-text-page and needs a locator that names a page" in message


def test_empty_claim_text(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(path, "en: Regional strategies should connect local assets to global knowledge networks.", 'en: "  "')
    message = _error(tiny_project)
    assert f"testorg2010policy.yaml:{line_of(path, 'en: ')}:" in message and "empty en text" in message


def test_unknown_evidence_type(tiny_project):
    path = tiny_project.corpus / "claims" / "ivanov2014clusters.yaml"
    replace_in(path, "evidence: case-study", "evidence: anecdote")
    message = _error(tiny_project)
    assert f"ivanov2014clusters.yaml:{line_of(path, 'anecdote')}:" in message
    assert "unknown evidence type 'anecdote'" in message and "case-study" in message


def test_duplicate_claim_id(tiny_project):
    path = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    replace_in(path, "id: testorg2010policy-connectivity", "id: smith2001proximity-colocation")
    message = _error(tiny_project)
    assert "duplicate claim id 'smith2001proximity-colocation'" in message


def test_russian_source_claim_needs_russian_text(tiny_project):
    path = tiny_project.corpus / "claims" / "ivanov2014clusters.yaml"
    replace_in(path, "      ru: Дешёвая связь делает местоположение фирм безразличным для инноваций.\n", "")
    message = _error(tiny_project)
    assert "ivanov2014clusters-distance-dead" in message and "needs its ru text" in message


def test_quote_needs_locator(tiny_project):
    path = tiny_project.corpus / "claims" / "smith2001proximity.yaml"
    replace_in(path, "    locator: p. 105\n", "")
    assert "is a quote and needs a locator" in _error(tiny_project)


def test_shacl_violation_is_reported_with_the_entry_location(tiny_project):
    bib = tiny_project.corpus / "references.bib"
    replace_in(bib, "doi = {10.1234/jtg.2001.101}", "doi = {https://doi.org/10.1234/jtg.2001.101}")
    message = _error(tiny_project)
    assert message.startswith("SHACL: ")
    assert f"references.bib:{line_of(bib, '@article{smith2001proximity')}: entry 'smith2001proximity'" in message
    assert "DOI" in message


def test_failed_build_leaves_previous_build_untouched(tiny_project):
    first = build(tiny_project)
    before = sorted(p.name for p in tiny_project.build.iterdir())
    replace_in(tiny_project.corpus / "claims" / "ivanov2014clusters.yaml", "evidence: case-study", "evidence: x")
    with pytest.raises(CorpusError):
        build(tiny_project)
    assert current_dir(tiny_project.build) == first.path
    assert sorted(p.name for p in tiny_project.build.iterdir()) == before


def test_validate_writes_nothing(tiny_project):
    counts = validate(tiny_project)
    assert counts["claims"] == 5
    assert not tiny_project.build.exists()
