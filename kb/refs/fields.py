"""Labelled tokens -> field values with a confidence each.

A field is the first run of tokens with its label (authors and editors: every run); its value is
the text those tokens cover in the string, cleaned of edge punctuation (`kb.refs.normalise`), and its
confidence the lowest per-token marginal probability in the run: one doubtful token makes the
field doubtful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.refs.names import Name, split_names
from kb.refs.normalise import clean_value
from kb.refs.tokens import Token

MULTI = ("author", "editor")


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    confidence: float
    start: int  # character span in the reference string
    end: int


def runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """(label, first token, one past the last token) of each maximal run of one label."""
    out, start = [], 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            out.append((labels[start], start, i))
            start = i
    return out


_JOINERS = {".", ",", ":", "-", "–", "—", "«", "»", "“", "”", '"', "'", "(", ")", "&", "’"}


def constrain(tokens: list[Token], labels: list[str]) -> list[str]:
    """What the string itself settles, whatever the labeller said: a DOI or URL is one, "//" and a
    spaced " / " or "[" separate fields, and a field broken by a lone punctuation mark is one field."""
    from kb.refs.skeleton import analyse, spaced

    labels = list(labels)
    # The names a reference starts with end where the rules say they end ("Govindarajan V.,
    # Trimble C. Reverse Innovation..." is two names and a title, not five names).
    lead = analyse(tokens).lead_names
    zone = lead.index(False) if False in lead else len(lead)
    if 0 < zone < len(labels) and labels[0] == "author" and labels[zone] == "author" and lead[zone - 1]:
        end = zone
        while end < len(labels) and labels[end] == "author":
            end += 1
        tail = tokens[zone:end]
        has_initials = any(
            len(tok.text) <= 2 and tok.text[:1].isupper() and k + 1 < len(tail) and tail[k + 1].text == "."
            for k, tok in enumerate(tail)
        )
        # Two plain words in a row ("Transfinite Recursive") are a title, not names.
        wordy = any(
            a.kind == b.kind == "word"
            and b.start == a.end + 1
            and max(len(a.text), len(b.text)) > 3
            and not (k + 2 < len(tail) and tail[k + 2].text == ".")
            and not a.text.isupper()
            for k, (a, b) in enumerate(zip(tail, tail[1:]))
        )
        if end > zone and (not has_initials or wordy):
            filler = "title" if "title" not in labels or (end < len(labels) and labels[end] == "title") else "O"
            for k in range(zone, end):
                labels[k] = filler
    for i, token in enumerate(tokens):
        if token.kind == "doi" or (token.kind == "url" and re.search(r"doi\.org/", token.text)):
            labels[i] = "doi"
        elif token.kind == "url":
            labels[i] = "url"
        elif labels[i] in ("url", "doi") and not any(
            0 <= j < len(tokens)
            and tokens[j].kind in ("url", "doi")
            and (tokens[j].end == token.start or token.end == tokens[j].start)
            for j in (i - 1, i + 1)
        ):
            labels[i] = "O"  # an address is what looks like one, not the year before it
        elif token.kind == "slashes" or (token.text == "/" and spaced(tokens, i)) or token.text in "[]":
            labels[i] = "O"
    # "/ под ред. Л.М. Гохберга. – М.: ...": the editors, up to the next area.
    lowered = [tok.text.lower() for tok in tokens]
    for i in range(1, len(tokens)):
        if (lowered[i] == "ред" and lowered[i - 1] in ("под", "общ", ".", "науч", "отв")) or lowered[i] in (
            "сост",
            "составитель",
            "составители",
        ):
            k = i + 1
            while k < len(tokens) and tokens[k].text in ".:":
                k += 1
            while (
                k < len(tokens)
                and tokens[k].text not in ("–", "—", "//", ";", "[")
                and not (tokens[k].text == "." and k + 1 < len(tokens) and tokens[k + 1].text in ("–", "—", "-", "//"))
                and not _imprint_starts(tokens, k)
            ):
                labels[k] = "editor"
                k += 1
            for m in range(max(0, i - 2), i + 1):  # "автор-составитель", "под ред." are no one's name
                if labels[m] in ("author", "editor"):
                    labels[m] = "O"
            break
    # "(дата обращения 05.11.2015)", "Accessed 10.05.2019": an access date, never the year of the work.
    words = [tok.text.lower() for tok in tokens]
    for i in range(len(tokens)):
        if words[i] in ("обращения", "accessed", "access", "просмотрено", "accessed:"):
            k = i + 1
            while k < len(tokens) and (tokens[k].text in ":." or tokens[k].text.isdigit()) and k < i + 8:
                if tokens[k].text.isdigit():
                    labels[k] = "accessed"
                k += 1
    for i in range(1, len(labels) - 1):
        if labels[i] == "O" and tokens[i].text in _JOINERS and labels[i - 1] == labels[i + 1] != "O":
            labels[i] = labels[i - 1]
    for i in range(1, len(labels) - 2):
        if (
            labels[i] == labels[i + 1] == "O"
            and tokens[i].text in _JOINERS
            and tokens[i + 1].text in _JOINERS
            and labels[i - 1] == labels[i + 2] != "O"
        ):
            labels[i] = labels[i + 1] = labels[i - 1]
    return labels


def _imprint_starts(tokens: list[Token], k: int) -> bool:
    """ ". М.: Изд-во МГУ" / ". Москва, 2010" / ", 2014": where the names of editors give way to the imprint."""
    from kb.refs.skeleton import YEAR

    n = len(tokens)
    if tokens[k].text == "," and k + 1 < n and YEAR.match(tokens[k + 1].text):
        return True
    if tokens[k].text != "." or k + 2 >= n or len(tokens[k - 1].text) <= 2:
        return False
    after = [t.text for t in tokens[k + 1 : k + 4]]
    return after[1:2] == [":"] or after[1:3] == [".", ":"] or after[1:2] == [","]


def absorb_doubtful(tokens: list[Token], labels: list[str], confidences: list[float]) -> list[str]:
    """A doubtful run right after a title or host title, up to the next area separator, belongs to it
    ("// Вестник ННГУ им. Н.И.Лобачевского. – 2014": the patron's name is not a publisher)."""
    labels = list(labels)
    spans = runs(labels)
    for index, (label, first, last) in enumerate(spans):
        if label in ("O", "container", "title") or min(confidences[first:last]) >= 0.5 or index < 2:
            continue
        previous = next((s for s in reversed(spans[:index]) if s[0] != "O"), None)
        gap = [t.text for t in tokens[spans[index - 1][1] : first]] if spans[index - 1][0] == "O" else []
        if (
            previous is None
            or previous[0] not in ("container", "title")
            or len(gap) > 6
            or any(g in ("//", "–", "—", "/", ":") for g in gap)
        ):
            continue
        after = [t.text for t in tokens[last : last + 2]]
        if after[:1] == ["."] and (len(after) < 2 or after[1] in ("–", "—", "-")) or not after:
            for k in range(previous[2], last):
                labels[k] = previous[0]
    return labels


def vancouver_host(tokens: list[Token], labels: list[str]) -> list[str]:
    """`AIDS Behav. 2013;17(6): 2031-44`: what stands before "YEAR;" in an article is its journal."""
    if "container" in labels:
        return labels
    labels = list(labels)
    for index, (label, first, last) in enumerate(runs(labels)):
        if label not in ("publisher", "place", "title") or index == 0:
            continue
        k = last
        while k < len(tokens) and tokens[k].text in ".,":
            k += 1
        if (
            k + 1 < len(tokens)
            and labels[k] == "year"
            and tokens[k + 1].text == ";"
            and any(lab == "title" for lab in labels[:first])
        ):
            for m in range(first, last):
                labels[m] = "container"
            break
    return labels


def title_after_names(labels: list[str]) -> list[str]:
    """No title labelled: the first field after the names, if it was taken for a host title or a
    publisher, is the title (every reference has one; "Hawkins, J.: Creative Economy. Publishing ...")."""
    if "title" in labels:
        return labels
    spans = [s for s in runs(labels) if s[0] != "O"]
    after = [s for s in spans if s[0] not in ("author", "editor", "year")]
    if (
        spans
        and spans[0][0] in ("author", "editor")
        and after
        and after[0][0] in ("container", "publisher", "collection")
    ):
        labels = list(labels)
        for k in range(after[0][1], after[0][2]):
            labels[k] = "title"
    return labels


def second_title_is_host(labels: list[str]) -> list[str]:
    """A second title run with no host title labelled, in an article-like reference (volume, issue or
    pages follow): `Title [translation]. Journal [translation], 2019, no. 4` -- the second is the journal."""
    if "container" in labels:
        return labels
    spans = [s for s in runs(labels) if s[0] == "title"]
    if len(spans) < 2:
        return labels
    _, first, last = spans[1]
    if not any(label in ("volume", "issue", "pages") for label in labels[last:]):
        return labels
    labels = list(labels)
    for k in range(first, last):
        labels[k] = "container"
    return labels


def assemble(text: str, tokens: list[Token], labels: list[str], confidences: list[float]) -> dict[str, list[Field]]:
    fields: dict[str, list[Field]] = {}
    from kb.refs.structure import repair

    labels = repair(tokens, absorb_doubtful(tokens, constrain(tokens, labels), confidences))
    labels = vancouver_host(tokens, title_after_names(second_title_is_host(labels)))
    for label, first, last in runs(labels):
        if label == "O":
            continue
        start, end = tokens[first].start, tokens[last - 1].end
        value = clean_value(label, text[start:end])
        if not value:
            continue
        if label not in MULTI and label in fields:
            continue
        confidence = min(confidences[first:last])
        value = _checked_number(label, value)
        if not value:
            continue
        if label == "title":
            value, genre = split_genre(value)
            if genre and "genre" not in fields:
                fields["genre"] = [Field("genre", genre, confidence, start, end)]
        fields.setdefault(label, []).append(Field(label, value, confidence, start, end))
    if "year" not in fields:
        fields.update(_year_fallback(text, tokens, labels, confidences))
    return fields


_RANGE = r"[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–—‑]+\s*[A-Za-z]?\d+[A-Za-z]?)?"
_PAGES = re.compile(_RANGE + r"(?:,\s*" + _RANGE + r")*")
_NUMBER = re.compile(r"[A-Za-zА-Яа-я]?\d+(?:[-–/]\d+)?[A-Za-zА-Яа-я]?|[IVXLCivxlc]+")


def _checked_number(label: str, value: str) -> str:
    """Pages, volume and issue look like numbers: keep the number part of a run that took a word too
    ("305-317, Jul" -> "305-317"), drop one with none ("September")."""
    if label == "pages":
        match = _PAGES.search(value)
        return clean_value("pages", match.group()) if match else ""
    if label in ("volume", "issue"):
        if _NUMBER.fullmatch(value):
            return value
        match = _NUMBER.search(value)
        return match.group() if match else ""
    return value


def _year_fallback(text: str, tokens: list[Token], labels: list[str], confidences: list[float]) -> dict:
    """No year labelled: the first year-like number outside addresses and access dates, with the
    confidence of a guess."""
    from kb.refs.skeleton import YEAR

    outside = [
        i
        for i, t in enumerate(tokens)
        if YEAR.match(t.text) and labels[i] not in ("url", "doi", "accessed", "pages", "volume", "issue")
    ]
    if not outside:
        return {}
    best = next((i for i in outside if labels[i] != "title"), outside[-1])
    return {
        "year": [Field("year", tokens[best].text, min(0.5, confidences[best]), tokens[best].start, tokens[best].end)]
    }


# What GOST puts after the title and a colon ("other title information") when it names the kind of
# work rather than continuing the title: kept apart as the genre.
_GENRE = re.compile(
    r"\s*:\s*((?:учеб(?:\.|ник|ное)|монографи|аналитическ|метод(?:\.|ическ)|материалы (?:конф|симп|семин|форум|чтен|[a-zа-яё]+ (?:конф|симп))|"
    r"сб(?:\.|орник)|бюллетень|хрестомати|практикум|толковый словарь|словарь|[а-яё-]+ исследование$|"
    r"автореф|дис(?:\.|серт)|справочник|доклад|отч[её]т|научн|коллективн|ucheb|monografi|metod\.|avtoref)[^:]*)$",
    re.I,
)


_EDITION = re.compile(r",\s*(\d+(?:st|nd|rd|th|d)\s+(?:ed|edn|edition)\.?)$", re.I)


def split_genre(title: str) -> tuple[str, str]:
    """`Основы региональной экономики: учебник для вузов` -> title and genre (a GOST convention, so only
    in Cyrillic titles); `Econometric analysis, 5th ed` -> title and edition."""
    match = _EDITION.search(title)
    if match:
        return title[: match.start()].rstrip(), ""
    match = _GENRE.search(title)
    if match and match.start() > 0:
        return title[: match.start()].rstrip(), match.group(1)
    return title, ""


def people(fields: dict[str, list[Field]], label: str) -> list[tuple[Name, float]]:
    """The people of every run of `label`; a later run repeating a name (GOST repeats the authors after
    " / ") adds only the names not yet given."""
    seen: set[str] = set()
    out: list[tuple[Name, float]] = []
    for field in fields.get(label, []):
        names = split_names(field.value)
        keys = [name.family.casefold().replace("ё", "е") for name in names]
        for name, key in zip(names, keys):
            if key and key not in seen:
                out.append((name, field.confidence))
        seen.update(keys)
    return out
