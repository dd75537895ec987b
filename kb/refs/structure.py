"""Repairs to the labels from the structure of a reference, applied after the labeller.

Each rule states something the punctuation and word order of a reference list settle better than
a per-token labeller does: where names may stand, what a bracketed translation is, which field a
"Place: Publisher, Year" group fills, what a host title that is followed by a volume is. They were
worked out on the dev split and by cross-validation over the training split (never on the
evaluation split; docs/reference-parsing.md).
"""

from __future__ import annotations

import re

from kb.refs.skeleton import (ISSUE_WORDS, PAGE_WORDS, VOLUME_WORDS, YEAR, Skeleton, _initials_at, _word_at,
                              analyse, spaced)
from kb.refs.tokens import Token

HOST_FIELDS = ("title", "container", "publisher", "genre")
NUMBERS = ("volume", "issue", "pages")
_OPEN, _CLOSE = "«“(", "»”)"
_EDITOR_AFTER = re.compile(r"^\(?\s*(eds?|ред|hrsg|coord)\b", re.I)
_EDITOR_BEFORE = {"in", "в", "en", "dans", "im"}
# Words that name a publisher in transliterated and English lists ("Tatarskoe knizhnoe izdatel'stvo").
PUBLISHER_MARKS = {"izdatel", "izdatelstvo", "izd", "publ", "press", "publishers", "publishing", "tipografiya",
                   "издательство", "изд", "издательский", "типография", "university", "universitet", "books"}
# Places in "М., 1976": the abbreviations and cities a GOST list names without a publisher.
BARE_PLACES = {"м", "л", "спб", "к", "мн", "н", "х", "т", "б", "а", "москва", "ленинград", "киев", "минск",
               "новосибирск", "екатеринбург", "казань", "томск", "ташкент", "бишкек", "алматы", "харьков", "дубна",
               "moscow", "m", "spb", "l", "kazan", "kiev", "leningrad", "novosibirsk", "london", "paris", "oxford"}


def repair(tokens: list[Token], labels: list[str], skeleton: Skeleton | None = None) -> list[str]:
    skeleton = skeleton or analyse(tokens)
    labels = list(labels)
    for rule in (et_al, isbn, bracket_notes, bare_place, place_publisher, mid_authors, host_names, trim_keywords,
                 balance_quotes, question_marks, page_lists, container_before_numbers, publisher_not_host, title_fallback):
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
    """"et al." / "и др." right after names belong to the names, not to the title after them."""
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
        if token.text.upper() in ("ISBN", "ISSN"):
            k = i + 1
            while k < len(tokens) and (tokens[k].text in ":-–" or any(c.isdigit() for c in tokens[k].text)
                                       or tokens[k].text in ("X", "x")) and tokens[k].start - tokens[k - 1].end <= 1:
                labels[k] = "O"
                k += 1
            labels[i] = "O"
    return labels


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
        inside = [_word(t) for t in tokens[i + 1:j] if t.kind == "word"]
        after = tokens[j + 1] if j + 1 < n else None
        if inside[:2] not in (["и", "др"], ["et", "al"]) and (after is None or after.text in ".,:;=" or after.kind == "url"
                                                            or after.text == "["):
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
    return previous.text in (".", "–", "—", "//") or previous.kind == "slashes" or (previous.text == "-" and spaced(tokens, i - 1))


def bare_place(tokens, labels, skeleton):
    """"М., 1976" / "Казань, 1898": a publishing city named with the year and no publisher."""
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
    """"… . Вязьма: Филиал …, 2014" / "… . Cambridge, MA: Harvard UP, 2004": after the title, at the start of an
    area, one to three capitalised words, a colon, and the words up to ", YEAR" are place and publisher."""
    n = len(tokens)
    for colon in range(2, n - 3):
        if tokens[colon].text != ":" or "title" not in labels[:colon]:
            continue
        start = colon
        while start > 0 and colon - start < 6 and (tokens[start - 1].kind == "word" and tokens[start - 1].text[:1].isupper()
                                                    or tokens[start - 1].text in (".", ",", "-", "/") and start - 1 > 0
                                                    and not _boundary(tokens, start - 1)):
            start -= 1
        while start < colon and tokens[start].text in ".,-/":
            start += 1
        if start == colon or not _boundary(tokens, start) or labels[start - 1] == "author":
            continue
        if any(labels[k] in ("url", "doi", "author", "editor", "year") for k in range(start, colon)):
            continue
        end = colon + 1
        while end < n and tokens[end].text not in (":", "/", "//", "–", "—", "[") and tokens[end].kind != "slashes" \
                and not (tokens[end].text == "," and end + 1 < n and YEAR.match(tokens[end + 1].text)) and end - colon < 25:
            end += 1
        if end >= n - 1 or tokens[end].text != "," or end == colon + 1:
            continue
        for k in range(start, colon):
            labels[k] = "place"
        for k in range(colon + 1, end):
            labels[k] = "publisher"
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
            continue                                   # still the names the reference starts with
        before = [_word(t) for t in tokens[max(0, first - 2):first] if t.kind == "word"]
        after = "".join(t.text for t in tokens[last:last + 4])
        if (before and before[-1] in _EDITOR_BEFORE) or _EDITOR_AFTER.match(after.lstrip(",")):
            new = "editor"
        elif skeleton.double_slash[first] and first > 0 and (tokens[first - 1].kind == "slashes"):
            new = "O"
        else:
            previous = next((s[0] for s in reversed(spans[:index]) if s[0] != "O"), "")
            following = next((s[0] for s in spans[index + 1:] if s[0] != "O"), "")
            new = previous if previous in HOST_FIELDS else following if following in HOST_FIELDS else "O"
        for k in range(first, last):
            labels[k] = new
    return labels


def host_names(tokens, labels, skeleton):
    """"// Топоров В. Н. Мировое дерево" / "// Н.К. Шильдер. Император …": a name opening the host is its author."""
    n = len(tokens)
    for i in range(1, n):
        if tokens[i - 1].kind != "slashes" or labels[i] not in ("container", "title", "O"):
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
        host = next((labels[k] for k in range(end, min(n, end + 4)) if labels[k] in ("container", "title")), None)
        if host is None:
            continue
        for k in range(i, end):
            labels[k] = "O"
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
                while k < n and k - last < 25 and tokens[k].text != closer and labels[k] in ("O", label, "year", "note",
                                                                                               "publisher", "place"):
                    k += 1
                if k < n and tokens[k].text == closer:
                    for m in range(last, k + 1):
                        labels[m] = label
            elif text.count(closer) > text.count(opener) and first > 0 and tokens[first - 1].text == opener:
                labels[first - 1] = label
    return labels


def question_marks(tokens, labels, skeleton):
    """"Do firms in clusters innovate more?" -- the mark closes the title."""
    for i in range(1, len(tokens)):
        if tokens[i].text in "?!" and labels[i] == "O" and labels[i - 1] in ("title", "container") \
                and tokens[i].start == tokens[i - 1].end:
            labels[i] = labels[i - 1]
    return labels


def page_lists(tokens, labels, skeleton):
    """"С. 54–58, 128–130": a page range followed by more ranges is one pages field."""
    n = len(tokens)
    i = 0
    while i < n:
        if labels[i] != "pages":
            i += 1
            continue
        while i < n and labels[i] == "pages":
            i += 1
        k = i
        while k + 1 < n and tokens[k].text == "," and tokens[k + 1].text.isdigit() and labels[k + 1] in ("O", "pagetotal"):
            m = k + 1
            while m + 1 < n and tokens[m + 1].text in "-–—" and m + 2 < n and tokens[m + 2].text.isdigit():
                m += 2
            if m + 1 < n and tokens[m + 1].text in ("с", "c", "p", "s") and tokens[m + 1].start > tokens[m].end:
                break                                   # "…, 128 с." is a page total
            for j in range(k, m + 1):
                labels[j] = "pages"
            k = m + 1
        i = k
    return labels


def container_before_numbers(tokens, labels, skeleton):
    """"Neuron, 2003. 38(5): p. 785-96" / "Complex Systems, 1, 495-502": with no host labelled, the run after the
    title that volume, issue or pages follow is the journal, not a publisher or place."""
    if "container" in labels or "title" not in labels:
        return labels
    spans = _runs(labels)
    for index, (label, first, last) in enumerate(spans):
        if label not in ("publisher", "place") or "title" not in labels[:first]:
            continue
        rest = [s[0] for s in spans[index + 1:] if s[0] not in ("O", "year")]
        if rest and rest[0] in NUMBERS:
            for k in range(first, last):
                labels[k] = "container"
            break
    return labels


def publisher_not_host(tokens, labels, skeleton):
    """"Kazan', Tatarskoe knizhnoe izdatel'stvo, 1989": a host with no volume, issue or pages anywhere after it and
    no "//" before it, naming a publisher, is the publisher."""
    if any(t.kind == "slashes" for t in tokens):
        return labels
    spans = _runs(labels)
    for index, (label, first, last) in enumerate(spans):
        if label != "container":
            continue
        if any(lab in NUMBERS for lab in labels[last:]):
            continue
        words = {_word(t) for t in tokens[first:last]}
        if words & PUBLISHER_MARKS and not words & {"journal", "review", "proceedings", "vestnik", "вестник", "журнал"}:
            for k in range(first, last):
                labels[k] = "publisher"
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
    if label == "author" and len(spans) > 1 and spans[1][0] == "note" and spans[1][1] > 0 \
            and tokens[spans[1][1] - 1].text == "[":
        for k in range(spans[1][1], spans[1][2]):
            labels[k] = "title"
        return labels
    if first != 0 or label not in ("author", "publisher", "container"):
        return labels
    words = [t for t in tokens[first:last] if t.kind == "word"]
    namelike = any(len(t.text) <= 2 and t.text[:1].isupper() for t in words) or \
        any(t.text in (",", ";", "&") for t in tokens[first:last])
    if label == "author" and namelike:
        return labels
    stop = next((k for k in range(first + 1, last - 1) if tokens[k].text == "." and tokens[k + 1].start > tokens[k].end
                 and tokens[k - 1].kind == "word" and len(tokens[k - 1].text) > 2), None)
    if label == "author" and stop is not None:
        for k in range(stop + 1, last):
            labels[k] = "title"
        return labels
    for k in range(first, last):
        labels[k] = "title"
    return labels
