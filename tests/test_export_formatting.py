"""Formatted references in GOST R 7.0.5-2008 and APA 7 for works of the seed list, on the real corpus.

The expected strings are written from the styles' rules, element by element (see the comment on
each), not copied from the program's output:
- GOST (glocal-kb's amended gost-r-7-0-5-2008.csl): heading (one to three authors, "Фамилия И. О.";
  four and more: no heading, GOST R 7.0.5-2008 4.10.1 and GOST 7.80-2000 5.2, the work described under
  its title with "/ И. О. Фамилия, И. О. Фамилия, И. О. Фамилия [и др.]" after it, as the seed's own
  list describes its reference 4); title; "// container"; "/ под ред." with the editor's name in the
  genitive (the seed's references 7 and 8: "/ под ред. Л.М. Гохберга") or "/ ed. by", or a body;
  "place : publisher, year"; "Т. / № / С." for Russian works, "Vol. / No. / P." for others;
  "N с." / "N p." pages; "(Series ; No. N)"; "DOI: ..."; "URL: ... (дата обращения: dd.mm.yyyy)";
  legal acts "Title : type от dd.mm.yyyy № N"; web pages "[Электронный ресурс]".
- APA 7 (apa.csl): "Family, I. I., & Family, I. (Year). Title. Journal, Volume(Issue), pages. https://doi.org/..."
  and for Russian works (APA 7 sec. 9.38-9.39) the romanised title with the English one in brackets,
  authors in their own Latin spelling (author_en) or transliterated (Wikipedia scheme).
"""

from __future__ import annotations

import re

import pytest

from kb.bibliography import corpus_people, format_bibliography, format_citation
from kb.bibliography.errors import StyleFileError, UnknownStyleError
from kb.bibliography.render import collation_key

GOST = "gost-r-7-0-5-2008"

GOST_EXPECTED = {
    # journal article, Russian: heading, title // journal. year. № issue. С. pages.
    "islankina2014theoretical": "Исланкина Е. А. Теоретические аспекты интернационализации кластеров // Вестник ННГУ им. Н. И. "
    "Лобачевского. 2014. № 1. С. 36–45.",
    # journal article, English: the document's language gives Vol./No./P.; the DOI closes the entry
    "asheim2002regional": "Asheim B. T., Isaksen A. Regional Innovation Systems: The Integration of Local ‘Sticky’ and Global "
    "‘Ubiquitous’ Knowledge // The Journal of Technology Transfer. 2002. Vol. 27. No. 1. P. 77–86. "
    "DOI: 10.1023/A:1013100704794.",
    # book with four authors: no heading (GOST R 7.0.5-2008 4.10.1); title / the first three authors
    # with initials first, then "[и др.]"; Moscow abbreviated to "М.", page total "с."
    "gokhberg2011science": "Научная политика: глобальный контекст и российская практика / Л. М. Гохберг, С. А. Заиченко, "
    "Г. А. Китова [и др.]. М. : Изд. дом Высшей школы экономики, 2011. 308 с.",
    # edited book: no heading, "/ под ред." and the editor's name in the genitive, initials first
    "gokhberg2015rating": "Рейтинг инновационного развития субъектов Российской Федерации. Выпуск 3 / под ред. Л. М. Гохберга. "
    "М. : НИУ ВШЭ, 2015. 248 с.",
    "gokhberg2012rating": "Рейтинг инновационного развития субъектов Российской Федерации: аналитический доклад / под ред. "
    "Л. М. Гохберга. М. : Национальный исследовательский университет «Высшая школа экономики», 2012. 104 с.",
    # English article with five authors: under its title, three authors and "[et al.]" (the Latin
    # equivalent of "[и др.]") after the slash, before "// journal"
    "coe2004globalizing": "‘Globalizing’ regional development: a global production networks perspective / N. M. Coe, M. Hess, "
    "H. W.-c. Yeung [et al.] // Transactions of the Institute of British Geographers. 2004. Vol. 29. "
    "P. 468–484.",
    # working paper with seven authors: under its title, three authors "[et al.]"
    "navarro2014benchmarking": "Regional benchmarking in the smart specialisation process: Identification of reference regions based "
    "on structural similarity / M. Navarro, J. J. Gibaja, S. Franco [et al.]. European Commission, Joint "
    "Research Centre, Institute for Prospective Technological Studies, 2014. (S3 Working Paper Series ; "
    "No. 03/2014).",
    # two authors: heading by the first; URL with its date of access
    "islankina2015glocalization": "Исланкина Е. А., Фияксель Э. А. Глокализация инноваций: роль кластеров и международного контекста в "
    "региональном развитии // Инновации. 2015. № 11. URL: https://cyberleninka.ru/article/n/glokalizatsiya-"
    "innovatsiy-rol-klasterov-i-mezhdunarodnogo-konteksta-v-regionalnom-razvitii (дата обращения: 23.11.2026).",
    # three authors: still headed by the first (GOST R 7.0.5-2008 4.10.1); URL with its date of access
    "fiyaksel2014internationalization": "Фияксель Э. А., Назаров М. Г., Исланкина Е. А. Интернационализация региональных кластеров в России: "
    "результаты исследования // Инновации. 2014. № 4. С. 77–87. URL: https://cyberleninka.ru/article/n/"
    "internatsionalizatsiya-regionalnyh-klasterov-v-rossii-rezultaty-issledovaniya (дата обращения: 23.11.2026).",
    # chapter in an edited book: // book / ed. by editors. place : publisher, year. P. pages.
    "enright2000globalization": "Enright M. J. The Globalization of Competition and the Localization of Competitive Advantage: "
    "Policies towards Regional Clustering // The Globalization of Multinational Enterprise Activity and "
    "Economic Development / ed. by N. Hood, S. Young. Basingstoke : Macmillan Press, 2000. P. 303–331.",
    # working paper: publisher, year. N p. (Series ; No. N). DOI
    "benneworth2011strengthening": "Benneworth P., Dassen A. Strengthening Global-Local Connectivity in Regional Innovation Strategies: "
    "Implications for Regional Innovation Policy. OECD Publishing, 2011. 70 p. (OECD Regional Development "
    "Working Papers ; No. 2011/01). DOI: 10.1787/5kgc6d80nns4-en.",
    # book by a corporate author: the body after the title, "/ OECD"; series in parentheses
    "oecd2013regions": "Regions and Innovation: Collaborating across Borders / OECD. OECD Publishing, 2013. 235 p. "
    "(OECD Reviews of Regional Innovation). DOI: 10.1787/9789264205307-en.",
    # legal act: no heading; title : type от date № number
    "government2011strategy": "Об утверждении Стратегии инновационного развития Российской Федерации на период до 2020 года : "
    "распоряжение Правительства Российской Федерации от 08.12.2011 № 2227-р.",
    # legal act in English with its URL and the date of access
    "ec2010smartgrowth": "Regional Policy contributing to smart growth in Europe 2020 : Communication from the Commission to "
    "the European Parliament, the Council, the European Economic and Social Committee and the Committee "
    "of the Regions. COM(2010) 553 final. Brussels, 06.10.2010. "
    "URL: http://eur-lex.europa.eu/legal-content/HR/TXT/?uri=CELEX:52010DC0553 (дата обращения: 05.11.2015).",
    # web page by a body: title [Электронный ресурс] / body. year.
    "mineconomy2012clusters": "Программы и презентации участников проекта перечня пилотных программ развития инновационных "
    "территориальных кластеров [Электронный ресурс] / Министерство экономического развития Российской "
    "Федерации. 2012.",
}

APA_EXPECTED = {
    # Russian article: own Latin spelling of the author, romanised title [English title], romanised
    # journal; no volume, so the issue alone in parentheses
    # one form per person across the list: the fullest initials the corpus knows (E. A., from the
    # Cyrillic record's patronymic), with her own Latin spelling of the given name
    "islankina2014theoretical": "Islankina, E. A. (2014). Teoreticheskiye aspekty internatsionalizatsii klasterov [Theoretical aspects "
    "of cluster internationalization]. Vestnik NNGU im. N. I. Lobachevskogo, (1), 36–45.",
    # co-authored Russian article: Islankina in the Latin spelling her own papers use, which another
    # record of the file confirms (author_en); the others transliterated, patronymic initials kept
    "fiyaksel2014internationalization": "Fiyaksel, E. A., Nazarov, M. G., & Islankina, E. A. (2014). Internatsionalizatsiya regionalnykh "
    "klasterov v Rossii: rezultaty issledovaniya [Internationalization of Regional Clusters in Russia: "
    "Empirical Study]. Innovatsii, (4), 77–87. "
    "https://cyberleninka.ru/article/n/internatsionalizatsiya-regionalnyh-klasterov-v-rossii-rezultaty-issledovaniya",
    "asheim2002regional": "Asheim, B. T., & Isaksen, A. (2002). Regional Innovation Systems: The Integration of Local ‘Sticky’ "
    "and Global ‘Ubiquitous’ Knowledge. The Journal of Technology Transfer, 27(1), 77–86. "
    "https://doi.org/10.1023/A:1013100704794",
    # book: no place in APA 7
    "govindarajan2012reverse": "Govindarajan, V., & Trimble, C. (2012). Reverse Innovation: Create Far from Home, Win Everywhere. "
    "Harvard Business Review Press.",
    # edited Russian book: editor in the author position with "(Ed.)", shown once; "L. M." as in
    # every other record of the same person
    "gokhberg2015rating": "Gokhberg, L. M. (Ed.). (2015). Reyting innovatsionnogo razvitiya subyektov Rossiyskoy Federatsii. "
    "Vypusk 3 [Rating of the innovative development of the constituent entities of the Russian "
    "Federation. Issue 3]. NIU VShE.",
    # chapter: In Editors (Eds.), Book (pp. pages). Publisher.
    "enright2000globalization": "Enright, M. J. (2000). The Globalization of Competition and the Localization of Competitive "
    "Advantage: Policies towards Regional Clustering. In N. Hood & S. Young (Eds.), The Globalization of "
    "Multinational Enterprise Activity and Economic Development (pp. 303–331). Macmillan Press.",
    # report: (type number; series). Publisher. DOI
    "benneworth2011strengthening": "Benneworth, P., & Dassen, A. (2011). Strengthening Global-Local Connectivity in Regional Innovation "
    "Strategies: Implications for Regional Innovation Policy (Working Paper 2011/01; OECD Regional "
    "Development Working Papers). OECD Publishing. https://doi.org/10.1787/5kgc6d80nns4-en",
    # legislation: Title, type No. number (year).
    "government2011strategy": "Ob utverzhdenii Strategii innovatsionnogo razvitiya Rossiyskoy Federatsii na period do 2020 goda "
    "[On approval of the Strategy for Innovative Development of the Russian Federation for the period up "
    "to 2020], Rasporyazheniye Pravitelstva Rossiyskoy Federatsii No. 2227-r (2011).",
    # legislation in English: the title in its recorded (published) case, not re-capitalised
    "ec2010smartgrowth": "Regional Policy contributing to smart growth in Europe 2020, Communication from the Commission to the "
    "European Parliament, the Council, the European Economic and Social Committee and the Committee of the "
    "Regions No. COM(2010) 553 final (2010). http://eur-lex.europa.eu/legal-content/HR/TXT/?uri=CELEX:52010DC0553",
    # an English working paper by the same person as the Russian records: the same "E. A."
    "islankina2015internationalization": "Islankina, E. A. (2015). Internationalization of Regional Clusters: Theoretical and Empirical Issues. "
    "https://studylib.net/doc/9969057/internationalization-of-clusters-in-the-eu",
    # web page by a body, no URL recorded
    "mineconomy2012clusters": "Ministerstvo ekonomicheskogo razvitiya Rossiyskoy Federatsii. (2012). Programmy i prezentatsii "
    "uchastnikov proyekta perechnya pilotnykh programm razvitiya innovatsionnykh territorialnykh klasterov "
    "[Programmes and presentations of the participants in the draft list of pilot programmes for the "
    "development of innovative territorial clusters].",
}


@pytest.mark.parametrize("key", sorted(GOST_EXPECTED))
def test_gost_reference(real_kb, key):
    assert format_citation(real_kb.corpus.sources[key], GOST).text == GOST_EXPECTED[key]


@pytest.mark.parametrize("key", sorted(APA_EXPECTED))
def test_apa_reference(real_kb, key):
    people = corpus_people(real_kb.corpus)
    assert format_citation(real_kb.corpus.sources[key], "apa", people=people).text == APA_EXPECTED[key]


def test_seed_reference_list_passes_the_expected_strings(real_kb):
    """The whole list at once (as an editor receives it): every expected GOST and APA string is in it."""

    def plain(text):  # in a list, same-author same-year works get year letters (2014а, 2015b)
        return re.sub(r"\b(\d{4})[а-яa-z]\b", r"\1", re.sub(r"^\d+\. ", "", text))

    gost = {e.key: plain(e.text) for e in format_bibliography(_seed_list(real_kb), GOST).entries}
    apa = {e.key: plain(e.text) for e in format_bibliography(_seed_list(real_kb), "apa").entries}
    assert {k: gost[k] for k in GOST_EXPECTED} == GOST_EXPECTED
    assert {k: apa[k] for k in APA_EXPECTED} == APA_EXPECTED


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "harvard-cite-them-right"])
def test_one_form_per_person_across_the_list(real_kb, style):
    texts = [e.text for e in format_bibliography(_seed_list(real_kb), style).entries]
    joined = "\n".join(texts)
    for family in ("Gokhberg", "Islankina", "Fiyaksel"):
        forms = {form.strip() for form in re.findall(family + r",? ((?:[A-Z]\.[ -]?){1,3})", joined)}
        assert len(forms) == 1, (family, forms)


def test_one_form_per_person_uses_what_the_corpus_knows_beyond_the_list(real_kb):
    sources = real_kb.corpus.sources
    alone = format_citation(sources["islankina2015internationalization"], "apa").text
    assert alone.startswith("Islankina, E. (2015).")  # the record itself gives only "Ekaterina"
    known = format_citation(sources["islankina2015internationalization"], "apa", people=corpus_people(real_kb.corpus))
    assert known.text.startswith("Islankina, E. A. (2015).")  # other files know her patronymic


def test_genitive_of_russian_names():
    from kb.bibliography.declension import genitive
    from kb.model import Person

    assert genitive(Person("Гохберг", "Л. М.")) == "Л. М. Гохберга"
    assert genitive(Person("Исланкина", "Екатерина Алексеевна")) == "Е. А. Исланкиной"
    assert genitive(Person("Иванова", "А. Б.")) == "А. Б. Ивановой"
    assert genitive(Person("Заиченко", "С. А.")) == "С. А. Заиченко"  # does not decline
    assert genitive(Person("Петров-Водкин", "Кузьма Сергеевич")) == "К. С. Петрова-Водкина"
    assert genitive(Person("Hood", "Neil")) == "N. Hood"  # Latin-script names are left as they are


def _seed_list(real_kb):
    return list(real_kb.corpus.sources.values())


def test_gost_list_puts_cyrillic_works_first_each_group_alphabetical(real_kb):
    entries = format_bibliography(_seed_list(real_kb), GOST).entries
    texts = [re.sub(r"^\d+\. ", "", e.text) for e in entries]
    cyrillic = [bool(re.match(r"[А-Яа-яЁё]", t)) for t in texts]
    assert cyrillic == sorted(cyrillic, reverse=True) and cyrillic.count(True) == 10
    assert texts == sorted(texts, key=collation_key)
    count = len(real_kb.corpus.sources)
    assert [e.text.split(".")[0] for e in entries] == [str(n) for n in range(1, count + 1)]  # numbered in order
    assert texts[0].startswith("Гохберг Л. М. Рейтинг") and texts[-1].startswith("Roudometof V.")
    # a work under its title sorts by the title: "Научная политика" after the "Исланкина" works
    assert texts[4].startswith("Научная политика")


def test_year_suffixes_tell_same_author_same_year_apart(real_kb):
    apa = {e.key: e for e in format_bibliography(_seed_list(real_kb), "apa").entries}
    # APA orders the two Islankina (2014) works by title: Metodika... before Teoreticheskiye...
    assert apa["islankina2014methodology"].citation == "(Islankina, 2014a)"
    assert apa["islankina2014theoretical"].citation == "(Islankina, 2014b)"
    assert "(2014b). Teoreticheskiye" in apa["islankina2014theoretical"].text
    # Gokhberg (2015) as author and as editor cite alike in APA; the 2012 work needs no letter
    assert apa["gokhberg2015press"].citation == "(Gokhberg, 2015a)"
    assert apa["gokhberg2015rating"].text.startswith("Gokhberg, L. M. (Ed.). (2015b).")
    assert apa["gokhberg2012rating"].citation == "(Gokhberg, 2012)"
    gost = {e.key: e for e in format_bibliography(_seed_list(real_kb), GOST).entries}
    # Russian lists mark the year with Cyrillic letters; the edited book has no heading, so no clash
    assert gost["islankina2014methodology"].citation == "[Исланкина, 2014а]"
    assert "2014б. № 1" in gost["islankina2014theoretical"].text
    assert gost["gokhberg2015press"].citation == "[Гохберг, 2015]"
    # a single reference has nothing to be told apart from
    assert format_citation(real_kb.corpus.sources["islankina2014theoretical"], "apa").citation == "(Islankina, 2014)"


def test_apa_orders_one_authors_works_by_year_whatever_the_role(real_kb):
    keys = [e.key for e in format_bibliography(_seed_list(real_kb), "apa").entries]
    gokhberg = [k for k in keys if k.startswith("gokhberg")]
    assert gokhberg == ["gokhberg2012rating", "gokhberg2015press", "gokhberg2015rating", "gokhberg2011science"]


def test_citeproc_fixes_on_real_records(real_kb):
    sources = real_kb.corpus.sources
    chicago = format_citation(sources["gokhberg2012rating"], "chicago-author-date").text
    # the editor stands in for the author once, inverted, with "ed.", and is not repeated as "Edited by"
    assert chicago.startswith("Gokhberg, L. M., ed. 2012.") and "Edited by" not in chicago
    coe = format_citation(sources["coe2004globalizing"], "apa").text
    assert "Yeung, H. W.-c.," in coe  # not "H. W.-. chung ."
    ec = format_citation(sources["ec2010smartgrowth"], "apa").text
    assert "No. COM(2010) 553 final" in ec and "Nos." not in ec
    # punctuation inside closing quotation marks in the American locale
    assert "Knowledge.” The Journal" in format_citation(sources["asheim2002regional"], "chicago-author-date").text


@pytest.mark.parametrize(
    "style",
    [
        "apa",
        "chicago-author-date",
        "harvard-cite-them-right",
        GOST,
        "modern-language-association",
        "gost-r-7-0-5-2008-numeric",
    ],
)
def test_every_featured_style_formats_the_whole_real_corpus(real_kb, style):
    bibliography = format_bibliography(_seed_list(real_kb), style)
    assert len(bibliography.entries) == len(real_kb.corpus.sources)
    assert {e.key for e in bibliography.entries} == set(real_kb.corpus.sources)
    for entry in bibliography.entries:
        assert entry.text.strip() and "None" not in entry.text and "9000" not in entry.text
    latin = style not in (GOST, "gost-r-7-0-5-2008-numeric")
    cyrillic_entries = [e for e in bibliography.entries if re.search(r"[А-Яа-я]", e.text)]
    assert (not cyrillic_entries) if latin else len(cyrillic_entries) >= 10


def test_markups_escape_the_records_text(real_kb):
    source = real_kb.corpus.sources["asheim2002regional"]
    html = format_citation(source, "apa", "html").text
    assert "<i>The Journal of Technology Transfer</i>" in html
    markdown = format_citation(source, "apa", "markdown").text
    assert "*The Journal of Technology Transfer*" in markdown
    web = format_citation(real_kb.corpus.sources["mineconomy2012clusters"], GOST, "markdown").text
    assert "\\[Электронный ресурс\\]" in web


def test_a_csl_file_path_works_as_style(real_kb, tmp_path):
    from kb.bibliography.styles import resolve_style

    copy = tmp_path / "my-style.csl"
    copy.write_text(resolve_style("apa").path.read_text(encoding="utf-8"), encoding="utf-8")
    text = format_citation(real_kb.corpus.sources["asheim2002regional"], str(copy)).text
    assert text == APA_EXPECTED["asheim2002regional"]


def test_unknown_or_unusable_styles_say_what_to_use(real_kb, tmp_path):
    source = real_kb.corpus.sources["asheim2002regional"]
    with pytest.raises(UnknownStyleError) as error:
        format_citation(source, "apa7")
    assert "apa, chicago-author-date, harvard-cite-them-right, gost-r-7-0-5-2008" in str(error.value)
    assert "did you mean" in str(error.value)
    broken = tmp_path / "broken.csl"
    broken.write_text("<style>not csl", encoding="utf-8")
    with pytest.raises(StyleFileError, match="cannot read CSL style"):
        format_citation(source, str(broken))
    with pytest.raises(StyleFileError, match="no CSL style file"):
        format_citation(source, str(tmp_path / "missing.csl"))
