"""A list as printed -> one string per reference (numbering, wrapped lines, headings, page numbers)."""

from __future__ import annotations

from pathlib import Path

from kb.refs import parse_references
from kb.refs.segment import split_list

FIXTURES = Path(__file__).parent / "fixtures" / "refs"


def test_numbered_list_with_heading_page_number_and_wrapped_line():
    raws = split_list((FIXTURES / "mixed_list.txt").read_text(encoding="utf-8"))
    assert [r.number for r in raws] == [1, 2, 3, 4, 5]
    assert [r.line for r in raws] == [3, 4, 5, 8, 10]
    assert raws[3].text.endswith("A review and discussion. Computer Science Education, 13(2), 137-172.")
    assert "Список" not in " ".join(r.text for r in raws) and " 12 " not in " ".join(r.text for r in raws)


def test_unnumbered_list_one_reference_a_line():
    raws = split_list((FIXTURES / "transliterated.txt").read_text(encoding="utf-8"))
    assert [r.line for r in raws] == [1, 2, 3] and all(r.number is None for r in raws)


def test_unnumbered_wrapped_references_are_joined():
    text = (
        "Bathelt H., Malmberg A., Maskell P. Clusters and Knowledge: Local Buzz, Global Pipelines and the Process of\n"
        "Knowledge Creation // Progress in Human Geography. – 2004. – Vol. 28. – No. 1. – P. 31-56.\n"
        "\n"
        "Roudometof, V. The Glocal and Global Studies // Globalizations. – 2015. –Vol. 12. – No. 5. – P. 774–787.\n"
    )
    raws = split_list(text)
    assert len(raws) == 2 and raws[0].text.endswith("P. 31-56.") and raws[1].line == 4


def test_two_numbered_references_on_one_line_are_split_with_a_warning():
    text = (
        "1. Cooke P. Regionally Asymmetric Knowledge Capabilities // Research Policy. – 2005. – No.34. – P.1128-1149. "
        "2. Roudometof, V. The Glocal and Global Studies // Globalizations. – 2015. –Vol. 12. – No. 5. – P. 774–787.\n"
    )
    parsed = parse_references(text)
    assert len(parsed) == 2
    assert [p.item["container-title"] for p in parsed] == ["Research Policy", "Globalizations"]
    assert all("line 1 holds 2 references" in p.warning for p in parsed)


def test_blank_lines_and_headings_only_give_no_reference():
    assert split_list("References\n\n   \n  7  \n") == []
