"""Parsing real reference strings with the shipped model: fields, names, confidences, CSL items."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from kb.refs import parse_reference, parse_references
from kb.refs.annotations import read_annotated
from kb.refs.names import family_names

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "refs"
EVAL = read_annotated(ROOT / "bench" / "refs" / "eval.refs") + read_annotated(ROOT / "bench" / "refs" / "seed.refs")


def test_gost_article_in_russian():
    ref = parse_reference(
        "Исланкина Е.А. Теоретические аспекты интернационализации кластеров // Научное обозрение. "
        "– 2014. – № 9. С. 504-513."
    )
    item = ref.item
    assert item["type"] == "article-journal" and item["language"] == "ru"
    assert item["author"] == [{"family": "Исланкина", "given": "Е.А."}]
    assert item["title"] == "Теоретические аспекты интернационализации кластеров"
    assert item["container-title"] == "Научное обозрение"
    assert (item["issued"], item["issue"], item["page"]) == ({"date-parts": [[2014]]}, "9", "504-513")


def test_gost_book_with_place_publisher_and_page_total():
    item = parse_reference(
        "Гранберг А.Г. Основы региональной экономики: учебник для вузов. – М.: ГУ ВШЭ, 2000. – 495 с."
    ).item
    assert item["type"] == "book"
    assert (item["title"], item["genre"]) == ("Основы региональной экономики", "учебник для вузов")
    assert (item["publisher-place"], item["publisher"], item["number-of-pages"]) == ("М", "ГУ ВШЭ", "495")


def test_apa_article_with_doi():
    item = parse_reference(
        "Robins, A., Rountree, J., & Rountree, N. (2003). Learning and teaching programming: A review "
        "and discussion. Computer Science Education, 13(2), 137-172. "
        "DOI:http://dx.doi.org/10.1076/csed.13.2.137.14200"
    ).item
    assert [a["family"] for a in item["author"]] == ["Robins", "Rountree", "Rountree"]
    assert item["container-title"] == "Computer Science Education"
    assert (item["volume"], item["issue"], item["page"]) == ("13", "2", "137-172")
    assert item["DOI"] == "10.1076/csed.13.2.137.14200" and "URL" not in item


def test_confidence_is_given_for_every_field_and_lies_in_0_1():
    for ref in parse_references((FIXTURES / "mixed_list.txt").read_text(encoding="utf-8")):
        confidence = ref.item["custom"]["confidence"]
        variables = {k for k in ref.item if k not in ("type", "id", "language", "custom")}
        assert variables == set(confidence), ref.text
        assert all(0.0 <= v <= 1.0 for v in confidence.values())


def test_items_validate_against_the_csl_json_schema():
    schema = json.loads((ROOT / "tests" / "fixtures" / "bibliography" / "csl-data.schema.v1.0.json").read_text())
    items = [r.item for r in parse_references((FIXTURES / "mixed_list.txt").read_text(encoding="utf-8"))]
    jsonschema.validate(items, schema)


def test_no_identifier_that_the_string_does_not_contain():
    """Over every real evaluation string: a DOI or URL in the output is in the string itself."""
    for annotated in EVAL:
        item = parse_reference(annotated.text).item
        squeezed = re.sub(r"\s+", "", annotated.text).lower()
        for variable in ("DOI", "URL", "ISBN"):
            if variable in item:
                assert re.sub(r"\s+", "", item[variable]).lower() in squeezed, (variable, annotated.text)


@pytest.mark.parametrize(
    "text, families",
    [
        ("Исланкина Е.А.", ["Исланкина"]),
        (
            "Л. М. Гохберг, С. А. Заиченко, Г. А. Китова, Т. Е. Кузнецова",
            ["Гохберг", "Заиченко", "Китова", "Кузнецова"],
        ),
        ("Lindholm ML, Traff S, Granath F, et al.", ["Lindholm", "Traff", "Granath"]),
        ("Barro, R.J., and X. Sala-i-Martin", ["Barro", "Sala-i-Martin"]),
        ("Bogoviz, A. V., Lobova, S. V., & Shkodinsky, S. V.", ["Bogoviz", "Lobova", "Shkodinsky"]),
        ("Sasayama, D. Hattori, K. Teraishi, T.", ["Sasayama", "Hattori", "Teraishi"]),
        ("Pallot Judith", ["Pallot"]),
        ("Stephen H. Kellert", ["Kellert"]),
        ("European Cluster Policy Group", ["European Cluster Policy Group"]),
    ],
)
def test_family_names_in_the_orders_lists_use(text, families):
    assert family_names(text) == families


def test_gost_statement_of_responsibility_names_every_author_once():
    item = parse_reference(
        "Морозова, Л.Э. Экспертные методы оценки потенциала предприятий : учеб. пособие / "
        "Л.Э. Морозова, О.А. Бортник, И.С. Кравчук. – М. : МГУПС, 2009. – 81 с."
    ).item
    assert [a["family"] for a in item["author"]] == ["Морозова", "Бортник", "Кравчук"]


def test_a_sentence_of_prose_is_not_a_reference():
    ref = parse_reference(
        "The paper aims at reviewing the theoretical basis of local and global trends in regional innovation."
    )
    assert not ref.ok and ref.item == {} and "does not look like a reference" in ref.problem


def test_low_confidence_fields_are_named_for_the_curator():
    ref = parse_reference(
        "Исланкина Е.А. Теоретические аспекты интернационализации кластеров // Вестник ННГУ им. "
        "Н.И.Лобачевского. – 2014. – № 1. – С. 36-45."
    )
    assert ref.ok
    assert set(ref.low_confidence(1.01)) == set(ref.confidence())  # every field has a confidence
    assert all(ref.confidence()[v] < 0.8 for v in ref.low_confidence())


# The structure rules (kb/refs/structure.py) on real strings of the kinds they were written for.


def test_gost_book_with_years_in_the_title_two_page_ranges_and_place_publisher():
    item = parse_reference(
        "Крадин, Н.П. Зодчие Хабаровска (1858–2013). Хабаровск : Хабаровская краевая типография, "
        "2013. – С. 96–103, 251–255."
    ).item
    assert item["title"] == "Зодчие Хабаровска (1858–2013)" and item["issued"] == {"date-parts": [[2013]]}
    assert (item["publisher-place"], item["publisher"]) == ("Хабаровск", "Хабаровская краевая типография")
    assert item["page"] == "96-103, 251-255"


def test_russian_web_page_with_host_address_and_access_date():
    item = parse_reference(
        "Опера Бастилии [Электронный ресурс] // Википедия. – Режим доступа: "
        "https://ru.wikipedia.org/wiki/Опера_Бастилии (дата обращения 16.03.2019)."
    ).item
    assert item["type"] == "webpage" and item["title"] == "Опера Бастилии"
    assert item["container-title"] == "Википедия" and item["URL"] == "https://ru.wikipedia.org/wiki/Опера_Бастилии"
    assert item["accessed"] == {"date-parts": [[2019, 3, 16]]} and "issued" not in item


def test_thesis_with_a_bare_place_and_the_hosts_author_after_the_double_slash():
    item = parse_reference(
        'Мензаирова Е.А. Актуализация концептов "любовь" и "женщина" в песенном дискурсе: '
        "Дисс. … канд. филол. наук. Ижевск, 2010. 187 с."
    ).item
    assert item["type"] == "thesis" and item["publisher-place"] == "Ижевск" and item["number-of-pages"] == "187"
    chapter = parse_reference(
        "Топоров В. Н. Первобытные представления о мире // Топоров В. Н. Мировое дерево: "
        "Универсальные знаковые комплексы. Т. 1. М.: Рукописные памятники Древней Руси, 2010. "
        "С. 25–52."
    ).item
    assert [a["family"] for a in chapter["author"]] == ["Топоров"]
    assert chapter["container-title"] == "Мировое дерево: Универсальные знаковые комплексы"
    assert (chapter["volume"], chapter["page"]) == ("1", "25-52")


def test_an_address_label_is_never_a_place_and_a_body_before_the_year_is_the_author():
    item = parse_reference(
        "Гохберг, Л.М. Рейтинг инновационного развития регионов России. [Электронный ресурс]: "
        "Официальный интернет-портал ИСИЭЗ НИУ ВШЭ. URL: (дата обращения 05.11.2015)."
    ).item
    assert "publisher-place" not in item
    apa = parse_reference(
        "Federal State Statistics Service. (2018). Russia in numbers: A short statistical "
        "collection. http://www.gks.ru/bgd/regl/b18_12/Main.htm"
    ).item
    assert apa["author"] == [{"literal": "Federal State Statistics Service"}]
    assert apa["title"] == "Russia in numbers: A short statistical collection"


def test_names_with_initials_first_end_at_the_full_stop():
    item = parse_reference(
        "L. G. Valiant. A Bridging Model for Parallel Computation. Communications of the ACM, 33(8), 103-111, 1990."
    ).item
    assert [a["family"] for a in item["author"]] == ["Valiant"]
    assert item["title"] == "A Bridging Model for Parallel Computation"
    assert item["container-title"] == "Communications of the ACM"
