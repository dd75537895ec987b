"""Repairs to the labels from the structure of a reference, applied after the labeller.

Each rule states something the punctuation and word order of a reference list settle better than
a per-token labeller does: where names may stand, what a bracketed translation is, which field a
"Place: Publisher, Year" group fills, what a host title that is followed by a volume is. They were
worked out on the dev split and by cross-validation over the training split (never on the
evaluation split; docs/reference-parsing.md).
"""

from __future__ import annotations

import re

from kb.refs.skeleton import (
    ISSUE_WORDS,
    PAGE_WORDS,
    URL_WORDS,
    VOLUME_WORDS,
    YEAR,
    Skeleton,
    _initials_at,
    _word_at,
    analyse,
    spaced,
)
from kb.refs.tokens import Token

HOST_FIELDS = ("title", "container", "publisher", "genre")
NUMBERS = ("volume", "issue", "pages")
_OPEN, _CLOSE = "«“(", "»”)"
_EDITOR_AFTER = re.compile(r"^\(?\s*(eds?|ред|hrsg|coord)\b", re.I)
_EDITOR_BEFORE = {"in", "в", "en", "dans", "im"}
# Places in "М., 1976": the abbreviations and cities a GOST list names without a publisher.
BARE_PLACES = {
    "м",
    "л",
    "спб",
    "к",
    "мн",
    "н",
    "х",
    "т",
    "б",
    "а",
    "москва",
    "ленинград",
    "киев",
    "минск",
    "новосибирск",
    "екатеринбург",
    "казань",
    "томск",
    "ташкент",
    "бишкек",
    "алматы",
    "харьков",
    "дубна",
    "moscow",
    "m",
    "spb",
    "l",
    "kazan",
    "kiev",
    "leningrad",
    "novosibirsk",
    "london",
    "paris",
    "oxford",
}


def repair(tokens: list[Token], labels: list[str], skeleton: Skeleton | None = None) -> list[str]:
    skeleton = skeleton or analyse(tokens)
    labels = list(labels)
    for rule in RULES:
        labels = rule(tokens, labels, skeleton)
    return labels


def _runs(labels: list[str]) -> list[tuple[str, int, int]]:
    out, start = [], 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            out.append((labels[start], start, i))
            start = i
    return out


def _word(token: Token) -> str:
    return token.text.lower()


def et_al(tokens, labels, skeleton):
    """ "et al." / "и др." right after names belong to the names, not to the title after them."""
    n = len(tokens)
    for i in range(1, n - 1):
        if labels[i - 1] != "author" and not (labels[i - 1] == "O" and i > 1 and labels[i - 2] == "author"):
            continue
        pair = (_word(tokens[i]), _word(tokens[i + 1]))
        if pair in (("et", "al"), ("и", "др")):
            end = i + 2 + (1 if i + 2 < n and tokens[i + 2].text == "." else 0)
            for k in range(i, end):
                labels[k] = "author"
    return labels


def isbn(tokens, labels, skeleton):
    """The number after "ISBN"/"ISSN" is an identifier, never pages or a volume."""
    for i, token in enumerate(tokens):
        if token.text.upper() in ("ISBN", "ISSN", "EDN"):
            k = i + 1
            while k < len(tokens) and (
                (
                    tokens[k].text in ":-–"
                    or any(c.isdigit() for c in tokens[k].text)
                    or tokens[k].text in ("X", "x")
                    or (token.text.upper() == "EDN" and tokens[k].text.isupper())
                )
                and tokens[k].start - tokens[k - 1].end <= 1
            ):
                labels[k] = "O"
                k += 1
            labels[i] = "O"
    return labels


_RESOURCE = {"электронный", "текст", "elektronnyj", "electronic", "online", "изоматериал"}


def bracket_notes(tokens, labels, skeleton):
    """A bracketed part that ends a field ("Title [Translated title]. Journal [Translation], 2019"; "[Электронный
    ресурс]") is a note, not a title or a host; brackets inside a title ("Собрание [стихов] о святых") stay."""
    n, i = len(tokens), 0
    while i < n:
        if tokens[i].text != "[":
            i += 1
            continue
        j = i + 1
        while j < n and tokens[j].text not in "[]" and j - i < 80:
            j += 1
        if j >= n or tokens[j].text != "]" or j == i + 1:
            i = j
            continue
        inside = [_word(t) for t in tokens[i + 1 : j] if t.kind == "word"]
        after = tokens[j + 1] if j + 1 < n else None
        resource = bool(inside) and inside[0] in _RESOURCE
        if inside[:2] not in (["и", "др"], ["et", "al"]) and (
            resource or after is None or after.text in ".,:;=/[" or after.kind in ("url", "slashes")
        ):
            for k in range(i + 1, j):
                if labels[k] not in ("url", "doi", "year", "accessed"):
                    labels[k] = "note"
        i = j + 1
    return labels


def _boundary(tokens, i) -> bool:
    """Token i starts a new area: after ". ", " – ", "//" or the start."""
    if i == 0:
        return True
    previous = tokens[i - 1]
    return (
        previous.text in (".", "–", "—", "//")
        or previous.kind == "slashes"
        or (previous.text == "-" and spaced(tokens, i - 1))
    )


def bare_place(tokens, labels, skeleton):
    """ "М., 1976" / "Казань, 1898": a publishing city named with the year and no publisher."""
    n = len(tokens)
    for i, token in enumerate(tokens):
        if token.kind != "word" or not token.text[:1].isupper() or _word(token) not in BARE_PLACES:
            continue
        if not _boundary(tokens, i) or "title" not in labels[:i]:
            continue
        k = i + 1
        if k < n and tokens[k].text == ".":
            k += 1
        if k + 1 < n and tokens[k].text in (",", ";") and YEAR.match(tokens[k + 1].text):
            labels[i] = "place"
    return labels


def place_publisher(tokens, labels, skeleton):
    """ "… . Вязьма: Филиал …, 2014" / "… . Cambridge, MA: Harvard UP, 2004": after the title, at the start of an
    area, one to three capitalised words, a colon, and the words up to ", YEAR" are place and publisher."""
    n = len(tokens)
    for colon in range(2, n - 3):
        if tokens[colon].text != ":" or "title" not in labels[:colon]:
            continue
        start = colon
        while start > 0 and colon - start < 6:
            previous = tokens[start - 1]
            if previous.kind == "word" and previous.text[:1].isupper():
                start -= 1
            elif previous.text in ("-", "/") and start > 1:
                start -= 1
            elif previous.text == "." and start > 1 and len(tokens[start - 2].text) <= 2 and start < colon:
                start -= 1  # "N. Y.:", "D. C."
            elif (
                previous.text == "," and start < colon and len(tokens[start].text) <= 3 and tokens[start].text.isupper()
            ):
                start -= 1  # "Cambridge, MA:"
            else:
                break
        while start < colon and tokens[start].text in ".,-/":
            start += 1
        if start == colon or not _boundary(tokens, start) or labels[start - 1] == "author":
            continue
        if any(
            labels[k] in ("url", "doi", "author", "editor", "year") or _word(tokens[k]) in URL_WORDS
            for k in range(start, colon)
        ):
            continue  # "URL: (дата обращения …)" names no place
        end = colon + 1
        while (
            end < n
            and tokens[end].text not in (":", "/", "//", "–", "—", "[")
            and tokens[end].kind != "slashes"
            and not _imprint_end(tokens, end)
            and end - colon < 25
        ):
            end += 1
        if end >= n or not _imprint_end(tokens, end) or end == colon + 1:
            continue
        for k in range(start, colon):
            labels[k] = "place"
        for k in range(colon + 1, end):
            labels[k] = "publisher"
    return labels


def _imprint_end(tokens, k) -> bool:
    """Where a publisher ends: ", 2014" / "; 2018" / ". [In Russian]" / ". 2010" / the end of the reference."""
    n = len(tokens)
    text = tokens[k].text
    if text in (",", ";") and k + 1 < n and YEAR.match(tokens[k + 1].text):
        return True
    if (
        text == "."
        and tokens[k - 1].kind == "word"
        and len(tokens[k - 1].text) > 1
        and (k + 1 == n or tokens[k + 1].text in ("[", "(") or YEAR.match(tokens[k + 1].text))
    ):
        return True
    return False


def paren_imprint(tokens, labels, skeleton):
    """ "(Harvard Business School Press, Boston, 1986)": publisher, place and year in parentheses at the end."""
    n = len(tokens)
    if n < 6 or tokens[-1].text != ")":
        return labels
    start = max((i for i, t in enumerate(tokens) if t.text == "("), default=-1)
    inner = list(range(start + 1, n - 1))
    if start < 1 or len(inner) < 4 or not YEAR.match(tokens[n - 2].text) or tokens[n - 3].text != ",":
        return labels
    commas = [i for i in inner if tokens[i].text == ","]
    if len(commas) != 2:
        return labels
    for k in range(start + 1, commas[0]):
        labels[k] = "publisher"
    for k in range(commas[0] + 1, commas[1]):
        labels[k] = "place"
    labels[n - 2] = "year"
    return labels


def title_to_imprint(tokens, labels, skeleton):
    """ "Южная Индия. Общественно-политический строй VIII—XIII веков. М.: …": in a book whose place and publisher
    follow, what stands between the title and the place, after a full stop, is more of the title."""
    spans = _runs(labels)
    titles = [s for s in spans if s[0] == "title"]
    places = [s for s in spans if s[0] == "place"]
    if len(titles) != 1 or not places or "container" in labels or any(t.kind == "slashes" for t in tokens):
        return labels
    _, first, last = titles[0]
    place = places[0][1]
    if place <= last or last >= len(tokens) or tokens[last].text != ".":
        return labels
    gap = range(last + 1, place)
    if (
        not gap
        or any(labels[k] not in ("O", "publisher", "genre", "note") for k in gap)
        or any(tokens[k].text in ("/", "[", "(", ";") or tokens[k].text.isdigit() for k in gap)
    ):
        return labels
    stop = place - 1
    while stop > last and tokens[stop].text in ".,–—-":
        stop -= 1
    if not tokens[last + 1].text[:1].isupper():
        return labels
    for k in range(last, stop + 1):
        labels[k] = "title"
    return labels


def mid_authors(tokens, labels, skeleton):
    """Names stand at the start of a reference or after " / "; an author run elsewhere is the host's editors ("In J.
    Fagerberg … (Eds.)"), the host's own author after "//" (no compared field holds it), or words of the field
    around it ("творчестве Л.Н. Толстого, Ф.М. Достоевского")."""
    spans = _runs(labels)
    for index, (label, first, last) in enumerate(spans):
        if label != "author" or first == 0 or skeleton.after_slash[first]:
            continue
        if all(lab in ("author", "O") for lab in labels[:first]):
            continue  # still the names the reference starts with
        before = [_word(t) for t in tokens[max(0, first - 2) : first] if t.kind == "word"]
        after = "".join(t.text for t in tokens[last : last + 4])
        if (before and before[-1] in _EDITOR_BEFORE) or _EDITOR_AFTER.match(after.lstrip(",")):
            new = "editor"
        elif skeleton.double_slash[first] and first > 0 and (tokens[first - 1].kind == "slashes"):
            new = "O"
        else:
            previous = next((s[0] for s in reversed(spans[:index]) if s[0] != "O"), "")
            following = next((s[0] for s in spans[index + 1 :] if s[0] != "O"), "")
            new = previous if previous in HOST_FIELDS else following if following in HOST_FIELDS else "O"
        for k in range(first, last):
            labels[k] = new
    return labels


def host_names(tokens, labels, skeleton):
    """ "// Топоров В. Н. Мировое дерево" / "// Н.К. Шильдер. Император …": a name opening the host is its author."""
    n = len(tokens)
    for i in range(1, n):
        if tokens[i - 1].kind != "slashes" or labels[i] in ("url", "doi"):
            continue
        j = _initials_at(tokens, i)
        end = None
        if j is not None:
            k = _word_at(tokens, j)
            if k is not None and k < n and tokens[k].text == ".":
                end = k + 1
        else:
            k = _word_at(tokens, i)
            if k is not None:
                j = _initials_at(tokens, k + (1 if k < n and tokens[k].text == "," else 0))
                end = j
        if end is None or end >= n - 2 or tokens[end].kind != "word" or not tokens[end].text[:1].isupper():
            continue
        if end + 1 < n and tokens[end + 1].text in ".,":
            continue  # "// Фонд Е. В. Головина.": the host's own name
        host = next(
            (labels[k] for k in range(end, min(n, end + 4)) if labels[k] in ("container", "title")), "container"
        )
        for k in range(i, end):
            labels[k] = "O"
        k = end
        while (
            k < n
            and tokens[k].text not in ("–", "—")
            and labels[k] in ("O", "place", "author", "publisher", host)
            and not (
                tokens[k].text == "."
                and k + 1 < n
                and (tokens[k + 1].text in ("–", "—") or YEAR.match(tokens[k + 1].text))
            )
        ):
            labels[k] = host
            k += 1
    return labels


_KEYWORDS = VOLUME_WORDS | ISSUE_WORDS | PAGE_WORDS | {"кн", "ч", "вып", "выпуск", "pt", "part", "bd"}


def trim_keywords(tokens, labels, skeleton):
    """A title or host run does not end with "Т." / "Vol." / "№" whose number follows ("… комплексы. Т. 1")."""
    for label, first, last in _runs(labels):
        if label not in ("title", "container"):
            continue
        k = last - 1
        while k > first and tokens[k].text == ".":
            k -= 1
        nxt = last
        while nxt < len(tokens) and tokens[nxt].text in ".:":
            nxt += 1
        if k > first and _word(tokens[k]) in _KEYWORDS and nxt < len(tokens) and tokens[nxt].text[:1].isdigit():
            for m in range(k, last):
                labels[m] = "O"
    return labels


def balance_quotes(tokens, labels, skeleton):
    """A title or host whose opening quote or bracket is outside it, or whose closing one is, takes it in:
    "«Кенигсберг + Калининград = Кенигсград»", "Зодчие Хабаровска (1858–2013)"."""
    n = len(tokens)
    for label, first, last in _runs(labels):
        if label not in ("title", "container"):
            continue
        text = [t.text for t in tokens[first:last]]
        for opener, closer in zip(_OPEN, _CLOSE):
            if text.count(opener) > text.count(closer):
                k = last
                while (
                    k < n
                    and k - last < 25
                    and tokens[k].text != closer
                    and labels[k] in ("O", label, "year", "note", "publisher", "place")
                ):
                    k += 1
                if k < n and tokens[k].text == closer:
                    for m in range(last, k + 1):
                        labels[m] = label
            elif text.count(closer) > text.count(opener) and first > 0 and tokens[first - 1].text == opener:
                labels[first - 1] = label
    return labels


def question_marks(tokens, labels, skeleton):
    """ "Do firms in clusters innovate more?" -- the mark closes the title; so does the "г." of "за 1909 г."."""
    for i in range(1, len(tokens)):
        if labels[i] != "O" or labels[i - 1] not in ("title", "container"):
            continue
        if tokens[i].text in "?!" and tokens[i].start == tokens[i - 1].end:
            labels[i] = labels[i - 1]
        elif (
            tokens[i].text in ("г", "гг", "вв", "в")
            and tokens[i - 1].text[:1].isdigit()
            and i + 1 < len(tokens)
            and tokens[i + 1].text == "."
        ):
            labels[i] = labels[i - 1]
    return labels


def page_lists(tokens, labels, skeleton):
    """ "С. 54–58, 128–130": a page range followed by more ranges is one pages field."""
    n = len(tokens)
    i = 0
    while i < n:
        if labels[i] != "pages":
            i += 1
            continue
        while i < n and labels[i] == "pages":
            i += 1
        k = i
        while (
            k + 1 < n and tokens[k].text == "," and tokens[k + 1].text.isdigit() and labels[k + 1] in ("O", "pagetotal")
        ):
            m = k + 1
            while m + 1 < n and tokens[m + 1].text in "-–—" and m + 2 < n and tokens[m + 2].text.isdigit():
                m += 2
            if m + 1 < n and tokens[m + 1].text in ("с", "c", "p", "s") and tokens[m + 1].start > tokens[m].end:
                break  # "…, 128 с." is a page total
            for j in range(k, m + 1):
                labels[j] = "pages"
            k = m + 1
        i = k
    return labels


def container_before_numbers(tokens, labels, skeleton):
    """ "Neuron, 2003. 38(5): p. 785-96" / "Complex Systems, 1, 495-502": with no host labelled, the run after the
    title that volume, issue or pages follow is the journal, not a publisher or place."""
    if "container" in labels or "title" not in labels:
        return labels
    spans = _runs(labels)
    for index, (label, first, last) in enumerate(spans):
        if label not in ("publisher", "place") or "title" not in labels[:first]:
            continue
        if label == "publisher" and any(tokens[k].text == ":" for k in range(max(0, first - 2), first)):
            continue  # "Хабаровск : Кн. изд-во, 2003. – С. 54–58": a book's pages
        rest = [s[0] for s in spans[index + 1 :] if s[0] not in ("O", "year")]
        if rest and rest[0] in NUMBERS:
            for k in range(first, last):
                labels[k] = "container"
            break
    return labels


def title_fallback(tokens, labels, skeleton):
    """Every reference has a title. With none labelled: a bracketed translation right after the names
    ("Aganbegyan A.G. [Modernizing the real sector…]. Region…") is it; a run at the start that does not look like
    names ("ICOMOS. International Tourism Charter", "Greater London Authority (GLA) [Электронный ресурс]") is the
    title, or the name of a body and then the title when a full stop splits it."""
    if "title" in labels:
        return labels
    spans = [s for s in _runs(labels) if s[0] != "O"]
    if not spans:
        return labels
    label, first, last = spans[0]
    if (
        label == "author"
        and len(spans) > 1
        and spans[1][0] == "note"
        and spans[1][1] > 0
        and tokens[spans[1][1] - 1].text == "["
        and _word(tokens[spans[1][1]]) not in _RESOURCE
    ):
        for k in range(spans[1][1], spans[1][2]):
            labels[k] = "title"
        return labels
    if first != 0 or label not in ("author", "publisher", "container"):
        return labels
    words = [t for t in tokens[first:last] if t.kind == "word"]
    namelike = any(len(t.text) <= 2 and t.text[:1].isupper() for t in words) or any(
        t.text in (",", ";", "&") for t in tokens[first:last]
    )
    if label == "author" and namelike:
        return labels
    stop = next(
        (
            k
            for k in range(first + 1, last - 1)
            if tokens[k].text == "."
            and tokens[k + 1].start > tokens[k].end
            and tokens[k - 1].kind == "word"
            and len(tokens[k - 1].text) > 2
        ),
        None,
    )
    if label == "author" and stop is not None:
        for k in range(stop + 1, last):
            labels[k] = "title"
        return labels
    for k in range(first, last):
        labels[k] = "title"
    return labels


_MONTHS = re.compile(
    r"^(январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|yanvar|fevral|mart|"
    r"aprel|maya|iyun|iyul|avgust|sentyabr|oktyabr|noyabr|dekabr|jan|feb|mar|apr|may|jun|jul|aug|sep|"
    r"oct|nov|dec)",
    re.I,
)


def dates_not_pages(tokens, labels, skeleton):
    """ "2013, 23 dekabrya" / "23 декабря": a day of a month is not pages, a volume or an issue."""
    for i in range(len(tokens) - 1):
        if (
            tokens[i].text.isdigit()
            and len(tokens[i].text) <= 2
            and _MONTHS.match(tokens[i + 1].text)
            and labels[i] in NUMBERS
        ):
            labels[i] = "O"
    return labels


def slash_names(tokens, labels, skeleton):
    """ "…регламентации/ Г.Г. Нугманова //": a slash before names separates them, spaced or not."""
    n = len(tokens)
    for i in range(1, n - 1):
        if tokens[i].text != "/" or tokens[i + 1].start == tokens[i].end or labels[i - 1] != "title":
            continue
        end = _initials_at(tokens, i + 1)
        end = _word_at(tokens, end) if end is not None else None
        if end is None:
            continue
        labels[i] = "O"
        for k in range(i + 1, end):
            labels[k] = "author"
    return labels


def city_publisher(tokens, labels, skeleton):
    """ "Moscow, Edsmit, 2004" / "Habarovsk, Habarovskoe knizhnoe izdatel'stvo, 2003": a city, a comma, then the
    publisher up to ", YEAR" (transliterated lists without the colon)."""
    from kb.refs.features import PLACE_WORDS

    n = len(tokens)
    for i in range(1, n - 3):
        token = tokens[i]
        if token.kind != "word" or not token.text[:1].isupper() or not _boundary(tokens, i):
            continue
        if _word(token) not in PLACE_WORDS | BARE_PLACES and labels[i] != "place":
            continue
        k = i + 1
        while k < n and tokens[k].text in ("'", "’"):
            k += 1
        if k >= n or tokens[k].text != ",":
            continue
        end = k + 1
        while (
            end < n
            and end - k < 10
            and not (tokens[end].text == "," and end + 1 < n and YEAR.match(tokens[end + 1].text))
            and tokens[end].text not in (".", ":", "/", "[", "(")
            and not tokens[end].text.isdigit()
        ):
            end += 1
        if end >= n - 1 or tokens[end].text != "," or end == k + 1 or not tokens[k + 1].text[:1].isupper():
            continue
        for m in range(i, k):
            labels[m] = "place"
        for m in range(k + 1, end):
            labels[m] = "publisher"
    return labels


def paren_years(tokens, labels, skeleton):
    """ "Зодчие Хабаровска (1858–2013). Хабаровск : …, 2013": years in parentheses right after the title are
    part of it when the year of publication comes later."""
    n = len(tokens)
    for i in range(1, n - 3):
        if tokens[i].text != "(" or labels[i - 1] != "title":
            continue
        j = i + 1
        while j < n and tokens[j].text != ")" and j - i < 6:
            j += 1
        if j >= n or tokens[j].text != ")" or not any(YEAR.match(t.text) for t in tokens[i + 1 : j]):
            continue
        later = [
            k for k in range(j + 1, n) if YEAR.match(tokens[k].text) and labels[k] not in ("url", "doi", "accessed")
        ]
        if not later:
            continue
        for k in range(i, j + 1):
            labels[k] = "title"
        if "year" not in labels:
            labels[later[0]] = "year"
    return labels


def publisher_into_host(tokens, labels, skeleton):
    """ "Academia. Arhitektura i stroitel'stvo [Academia…], 2018, no. 4": a publisher run right before the journal
    is the first part of the journal's name."""
    spans = _runs(labels)
    for index, (label, first, _last) in enumerate(spans[:-2]):
        if label != "publisher" or spans[index + 1][0] != "O" or spans[index + 2][0] != "container":
            continue
        gap = [t.text for t in tokens[spans[index + 1][1] : spans[index + 1][2]]]
        if gap == ["."]:
            for k in range(first, spans[index + 2][1]):
                labels[k] = "container"
    return labels


def lead_editors(tokens, labels, skeleton):
    """ "Brown, L. E. (Ed.) (2000)" / "Asmalov, A. G., ed., 2008": the names a reference starts with are editors
    when "(Ed.)", "eds." or "red." follows them."""
    spans = _runs(labels)
    if not spans or spans[0][0] != "author":
        return labels
    _, first, last = spans[0]
    after = "".join(t.text for t in tokens[last : last + 4]).lstrip(",")
    if _EDITOR_AFTER.match(after) or re.match(r"^\(?(eds?|red|hrsg)\.?\)?(?:[,.(]|$)", after, re.I):
        for k in range(first, last):
            labels[k] = "editor"
    return labels


def body_before_year(tokens, labels, skeleton):
    """ "Federal State Statistics Service. (2018). Russia in numbers…" (APA): with no personal names at the start,
    what stands before "(YEAR)" is the author, a body, and the sentence after it is the title."""
    n = len(tokens)
    if labels and labels[0] == "author" and any(skeleton.lead_names):
        return labels
    k = next(
        (
            i
            for i in range(1, min(n - 3, 20))
            if tokens[i].text == "(" and YEAR.match(tokens[i + 1].text) and tokens[i + 2].text == ")"
        ),
        None,
    )
    if k is None or any(t.kind in ("url", "doi", "slashes") for t in tokens[:k]):
        return labels
    end = k
    while end > 0 and tokens[end - 1].text in ".,":
        end -= 1
    if end == 0 or not tokens[0].text[:1].isupper():
        return labels
    for i in range(end):
        labels[i] = "author"
    start = k + 3
    while start < n and tokens[start].text in ".,:":
        start += 1
    if "title" not in labels[start:]:
        stop = start
        while (
            stop < n
            and not (tokens[stop].text == "." and stop + 1 < n and tokens[stop + 1].start > tokens[stop].end)
            and tokens[stop].kind not in ("url", "doi")
        ):
            stop += 1
        for i in range(start, stop):
            labels[i] = "title"
    else:
        for i in range(start, n):
            if labels[i] == "title":
                break
            if labels[i] == "author":
                labels[i] = "title"
    return labels


def lead_zone_authors(tokens, labels, skeleton):
    """ "M. Kitsuregawa, H. Tanaka, and T. Moto-oka. Application…": names the rules found at the start, ending at
    a full stop, are all names, even where the labeller began the title early."""
    lead = skeleton.lead_names
    if not lead or not lead[0] or labels[0] != "author":
        return labels
    end = lead.index(False) if False in lead else len(lead)
    if end >= len(tokens) or tokens[end].text != ".":
        return labels
    if all(labels[k] in ("author", "title", "O") for k in range(end)):
        for k in range(end):
            if tokens[k].kind == "word" or labels[k] == "title":
                labels[k] = "author"
    return labels


def split_title_journal(tokens, labels, skeleton):
    """ "Managing the digital future. Mir novoi ekonomiki = The World of New Economy. 2018;12(3):6–23": an article with
    no journal labelled whose title runs on past a full stop into the words the numbers follow -- the last
    sentence of that run is the journal ("=" and what follows it: the journal's translation)."""
    if "container" in labels or not any(lab in NUMBERS for lab in labels):
        return labels
    spans = _runs(labels)
    titles = [s for s in spans if s[0] == "title"]
    if len(titles) != 1:
        return labels
    _, first, last = titles[0]
    if (
        not any(lab in NUMBERS for lab in labels[last:])
        or (last < len(tokens) and tokens[last].text == "[")
        or any(lab in ("place", "publisher") for lab in labels[last:])
    ):
        return labels  # "Title [Translation]. Journal …": the journal is after it; a book's pages have a place
    breaks = [
        k
        for k in range(first + 2, last - 1)
        if tokens[k].text == "."
        and tokens[k + 1].start > tokens[k].end
        and tokens[k - 1].kind == "word"
        and len(tokens[k - 1].text) > 2
        and tokens[k + 1].text[:1].isupper()
    ]
    if not breaks:
        return labels
    cut = breaks[-1]
    equals = next((k for k in range(cut + 1, last) if tokens[k].text == "="), last)
    if equals - cut < 2:
        return labels
    labels[cut] = "O"
    for k in range(cut + 1, equals):
        labels[k] = "container"
    for k in range(equals, last):
        labels[k] = "note" if tokens[k].text != "=" else "O"
    return labels


RULES = (
    et_al,
    isbn,
    body_before_year,
    lead_zone_authors,
    dates_not_pages,
    slash_names,
    bracket_notes,
    bare_place,
    place_publisher,
    city_publisher,
    paren_imprint,
    title_to_imprint,
    mid_authors,
    host_names,
    trim_keywords,
    balance_quotes,
    paren_years,
    question_marks,
    page_lists,
    lead_editors,
    split_title_journal,
    container_before_numbers,
    publisher_into_host,
    title_fallback,
)
