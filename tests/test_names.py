"""People's Latin names: a person's own spelling, stated once in a file, is used in its other records."""

from __future__ import annotations

from kb.corpus.bibtex import read_bib_file

BIB = r"""
@article{own,
  author = {Исланкина, Е. А.},
  author_en = {Islankina, Ekaterina},
  title = {Первая}, title_en = {First}, journaltitle = {Журнал}, year = {2014}, langid = {russian},
}
@article{full,
  author = {Фияксель, Эдуард Аркадьевич and Исланкина, Екатерина Алексеевна},
  title = {Вторая}, title_en = {Second}, journaltitle = {Журнал}, year = {2014}, langid = {russian},
}
@article{initials,
  author = {Исланкина, Е. А. and Исланкина, Елена Петровна and Исланкина, А. Б.},
  title = {Третья}, title_en = {Third}, journaltitle = {Журнал}, year = {2015}, langid = {russian},
}
"""


def _latin(sources, key):
    return [(p.latin_family, p.latin_given) for p in next(s for s in sources if s.key == key).authors]


def test_own_spelling_reaches_the_same_person_in_other_records(tmp_path):
    path = tmp_path / "people.bib"
    path.write_text(BIB, encoding="utf-8")
    sources = read_bib_file(path)
    assert _latin(sources, "own") == [("Islankina", "Ekaterina")]
    # full given names: her own first name, the patronymic transliterated; her co-author transliterated
    assert _latin(sources, "full") == [("Fiyaksel", "Eduard Arkadyevich"), ("Islankina", "Ekaterina Alekseevna")]
    # initials stay initials; another Islankina (Елена, or А. Б.) is another person and is transliterated
    assert _latin(sources, "initials") == [
        ("Islankina", "E. A."),
        ("Islankina", "Yelena Petrovna"),
        ("Islankina", "A. B."),
    ]


def test_without_an_own_spelling_names_are_transliterated(tmp_path):
    path = tmp_path / "people.bib"
    path.write_text(BIB.replace("  author_en = {Islankina, Ekaterina},\n", ""), encoding="utf-8")
    assert _latin(read_bib_file(path), "full")[1] == ("Islankina", "Yekaterina Alekseevna")
