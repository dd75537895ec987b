"""Rules for the skeleton of a reference: where its areas, names and keyword-led numbers are.

GOST R 7.0.5 and 7.1 separate the areas of a description with ". – ", put the host document
after "//" and the statement of responsibility after " / "; author-date styles put the year in
parentheses after the names. These rules find that skeleton; the sequence labeller sees it as
features, and the rules-only baseline (`kb.refs.rules`) turns it straight into fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.refs.tokens import Token

VOLUME_WORDS = {"т", "t", "vol", "v", "том", "tom", "volume", "tome", "кн", "ч", "часть", "part", "pt", "bd"}
ISSUE_WORDS = {"№", "no", "n", "вып", "vyp", "iss", "issue", "nr", "num", "номер", "н"}
PAGE_WORDS = {"с", "c", "p", "pp", "s", "стр", "рр", "ss", "pages", "page", "сс", "pр", "рp"}
URL_WORDS = {"url", "режим", "доступа", "available", "retrieved", "from", "at"}
ACCESS_WORDS = {"обращения", "accessed", "access", "просмотрено", "дата"}
TOTAL_WORDS = {"с", "c", "p", "pp", "s", "р", "стр"}
LINK_WORDS = {"and", "&", "и", "et", "a"}
DASHES = {"–", "—", "-", "‒", "―"}
YEAR = re.compile(r"^(1[5-9]\d\d|20[0-3]\d)$")
_UPPER_INITIALS = re.compile(r"^[A-ZА-ЯЁ]{1,3}$")


@dataclass(frozen=True)
class Skeleton:
    """Per token: the zone counters and the rule hints (one entry per token)."""

    double_slash: list[int]  # "//" seen before the token (0, 1, 2)
    after_slash: list[bool]  # inside a " / " statement of responsibility
    area: list[int]  # GOST area separators (". – ") before the token
    sentence: list[int]  # ". " breaks before the token (author-date styles)
    paren: list[bool]
    bracket: list[bool]
    quote: list[bool]
    lead_names: list[bool]  # part of the names the reference starts with
    hint: list[str]  # a rule's guess at the label, or ""


def is_initial(token: Token, following: Token | None) -> bool:
    text = token.text
    if token.kind != "word" or not text[0].isupper():
        return False
    if len(text) <= 2 and following is not None and following.text == "." and following.start == token.end:
        return True
    return bool(_UPPER_INITIALS.match(text)) and len(text) <= 3 and not text.isdigit()


def spaced(tokens: list[Token], i: int) -> bool:
    """A token with space on both sides (a separator dash rather than a hyphen)."""
    before = i == 0 or tokens[i - 1].end < tokens[i].start
    after = i == len(tokens) - 1 or tokens[i + 1].start > tokens[i].end
    return before and after


def analyse(tokens: list[Token]) -> Skeleton:
    n = len(tokens)
    double_slash, after_slash, area, sentence = [0] * n, [False] * n, [0] * n, [0] * n
    paren, bracket, quote = [False] * n, [False] * n, [False] * n
    ds = areas = sentences = 0
    in_slash = False
    depth_p = depth_b = 0
    in_quote = False
    for i, token in enumerate(tokens):
        text = token.text
        double_slash[i], area[i], sentence[i] = min(ds, 2), min(areas, 5), min(sentences, 6)
        after_slash[i], paren[i], bracket[i], quote[i] = in_slash, depth_p > 0, depth_b > 0, in_quote
        if token.kind == "slashes":
            ds += 1
            in_slash = False
        elif text == "/" and spaced(tokens, i):
            in_slash = True
        elif text in DASHES and (spaced(tokens, i) or (i > 0 and tokens[i - 1].text == ".")) and i > 0:
            areas += 1
            in_slash = False
        elif text == "(":
            depth_p += 1
        elif text == ")":
            depth_p = max(0, depth_p - 1)
        elif text == "[":
            depth_b += 1
        elif text == "]":
            depth_b = max(0, depth_b - 1)
        elif text in "«“":
            in_quote = True
        elif text in "»”":
            in_quote = False
        elif text == '"':
            in_quote = not in_quote
        elif text == "." and i > 0 and i + 1 < n and tokens[i + 1].start > token.end:
            previous = tokens[i - 1]
            if not is_initial(previous, token) and (len(previous.text) >= 3 or previous.text.isdigit()):
                sentences += 1
    lead = _lead_names(tokens)
    hint = _hints(tokens, lead)
    return Skeleton(double_slash, after_slash, area, sentence, paren, bracket, quote, lead, hint)


def _lead_names(tokens: list[Token]) -> list[bool]:
    """Mark the names a reference starts with: `Family I.I.`, `I.I. Family`, `Family, I.`, `Family II`, and at the
    very start `Family, Given Given.` (`Avilova, Natal’ya Sergeyevna.`, `Vinogradov, Viktor Vladimirovich, red.`)."""
    marks = [False] * len(tokens)
    i, n = 0, len(tokens)
    names = 0
    full = _full_name_at(tokens, 0)
    if full is not None:
        return [k < full for k in range(n)]
    while i < n:
        start = i
        j = _name_at(tokens, i)
        if j is None:
            break
        names += 1
        for k in range(start, j):
            marks[k] = True
        i = j
        # A separator and another name, or "et al." / "и др.", or the end of the names.
        if i < n and tokens[i].text in (",", ";"):
            k = i + 1
            if k < n and tokens[k].text.lower() in LINK_WORDS:
                k += 1
            if k < n and _name_at(tokens, k) is not None:
                marks[i] = True
                for m in range(i + 1, k):
                    marks[m] = True
                i = k
                continue
            if k < n and tokens[k].text.lower() in ("et", "и"):
                i = k
            else:
                break
        if i < n and tokens[i].text.lower() in LINK_WORDS and i + 1 < n and _name_at(tokens, i + 1) is not None:
            marks[i] = True
            i += 1
            continue
        if i < n and tokens[i].text.lower() in ("et", "и") and i + 1 < n and tokens[i + 1].text.lower() in ("al", "др"):
            end = i + 2 + (1 if i + 2 < n and tokens[i + 2].text == "." else 0)
            for m in range(i, end):
                marks[m] = True
            break
        if i < n and tokens[i].text == "[" and i + 2 < n and tokens[i + 1].text.lower() == "и":
            end = i
            while end < n and tokens[end].text != "]":
                end += 1
            for m in range(i, min(end + 1, n)):
                marks[m] = True
            break
        break
    return marks if any(marks) else [False] * n


def _full_name_at(tokens: list[Token], i: int) -> int | None:
    """End of `Family, Given[ Given]` at i when a full stop or ", ed./red." follows it, else None."""
    n = len(tokens)
    k = _word_at(tokens, i)
    if k is None or k >= n or tokens[k].text != ",":
        return None
    m = k + 1
    words = 0
    while m < n and tokens[m].kind == "word" and tokens[m].text[:1].isupper() and len(tokens[m].text) > 2 and words < 3:
        m = _word_at(tokens, m) or m + 1
        words += 1
    if not 1 <= words <= 2 or m >= n:
        return None
    if tokens[m].text == "." and m + 1 < n and tokens[m + 1].text[:1].isupper():
        return m
    if tokens[m].text == "," and m + 1 < n and tokens[m + 1].text.lower() in ("ed", "eds", "red", "ред"):
        return m
    return None


def _initials_at(tokens: list[Token], i: int) -> int | None:
    """End of a run of initials starting at i (`Е.А.`, `E. A.`, `ML`, `M-J.`), or None."""
    n, j = len(tokens), i
    while j < n:
        following = tokens[j + 1] if j + 1 < n else None
        if (
            tokens[j].kind == "word"
            and len(tokens[j].text) <= 2
            and tokens[j].text[0].isupper()
            and following is not None
            and following.text == "."
            and not tokens[j].text.isdigit()
        ):
            j += 2
            if j < n and tokens[j].text == "-" and j + 1 < n:
                j += 1
            continue
        if (
            j == i
            and tokens[j].kind == "word"
            and _UPPER_INITIALS.match(tokens[j].text)
            and len(tokens[j].text) <= 3
            and not tokens[j].text.isdigit()
            and (following is None or following.text in (",", ".", ";", ":"))
        ):
            return j + 1
        break
    return j if j > i else None


def _word_at(tokens: list[Token], i: int) -> int | None:
    """End of a family-name word (`Исланкина`, `Sala-i-Martin`, `Gorid’ko`, `van der Berg`) at i."""
    n = len(tokens)
    if i >= n or tokens[i].kind != "word" or not tokens[i].text[0].isupper() or tokens[i].text.isdigit():
        return None
    if len(tokens[i].text) < 2:
        return None
    j = i + 1
    while (
        j + 1 < n
        and tokens[j].text in ("-", "’", "'", "ʹ")
        and tokens[j].start == tokens[j - 1].end
        and tokens[j + 1].kind == "word"
    ):
        j += 2
    return j


def _name_at(tokens: list[Token], i: int) -> int | None:
    n = len(tokens)
    # I.I. Family ("L. G. Valiant. A Bridging Model…": the full stop after the family ends the names)
    j = _initials_at(tokens, i)
    if j is not None and j < n:
        k = _word_at(tokens, j)
        if k is not None:
            return k
    # Family I.I. / Family, I.I. / Family II
    k = _word_at(tokens, i)
    if k is None:
        return None
    m = k + 1 if k < n and tokens[k].text == "," else k
    j = _initials_at(tokens, m)
    if j is not None:
        return j
    return None


def _hints(tokens: list[Token], lead: list[bool]) -> list[str]:
    n = len(tokens)
    hint = [""] * n
    words = [t.text.lower() for t in tokens]
    for i, token in enumerate(tokens):
        if lead[i] and token.kind == "word":
            hint[i] = "author"
        if token.kind == "doi" or (token.kind == "url" and "doi.org/10." in token.text):
            hint[i] = "doi"
        elif token.kind == "url":
            hint[i] = "url"
        elif YEAR.match(token.text):
            hint[i] = "year"
        previous = _previous_word(words, i)
        if lead[i]:
            continue
        if token.text.isdigit() or (re.fullmatch(r"[IVXLC]+", token.text) and previous in VOLUME_WORDS):
            if previous in VOLUME_WORDS:
                hint[i] = "volume"
            elif previous in ISSUE_WORDS:
                hint[i] = "issue"
            elif previous in PAGE_WORDS and not (i + 1 < n and words[i + 1] in TOTAL_WORDS):
                hint[i] = "pages"
            if (
                i + 2 < n
                and words[i + 1] in TOTAL_WORDS
                and tokens[i + 1].start > token.end
                and (i + 2 >= n or tokens[i + 2].text in (".", ",", ";"))
                and hint[i] != "pages"
            ):
                hint[i] = "pagetotal"
        if token.text in DASHES and hint[i - 1 if i else 0] == "pages" and i + 1 < n and tokens[i + 1].text.isdigit():
            hint[i] = hint[i + 1] = "pages"
    return hint


def _previous_word(words: list[str], i: int) -> str:
    j = i - 1
    while j >= 0 and words[j] in (".", ":", " "):
        j -= 1
    return words[j] if j >= 0 else ""
