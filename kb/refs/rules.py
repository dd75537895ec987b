"""The rules-only baseline: the skeleton (`kb.refs.skeleton`) turned straight into labels.

Kept as the simpler alternative the sequence labeller is measured against
(bench/refparse_quality.py --method rules); `kb refs parse` uses the labeller.
"""

from __future__ import annotations

from kb.refs.skeleton import DASHES, YEAR, analyse, spaced
from kb.refs.tokens import Token

_EDITOR_LEAD = {"ред", "ed", "eds", "edited", "редакцией"}


def rule_labels(tokens: list[Token]) -> list[str]:
    n = len(tokens)
    skeleton = analyse(tokens)
    labels = ["O"] * n
    words = [t.text.lower() for t in tokens]
    for i in range(n):
        if skeleton.lead_names[i]:
            labels[i] = "author"
        elif skeleton.hint[i]:
            labels[i] = skeleton.hint[i]
    _accessed(tokens, words, labels)
    has_slashes = any(t.kind == "slashes" for t in tokens)
    i = max((k + 1 for k in range(n) if labels[k] == "author"), default=0)
    # "(2004)." after the names (author-date styles)
    while i < n and (tokens[i].text in "().,:" or labels[i] == "year"):
        i += 1
    title_end = _title_end(tokens, labels, i, has_slashes)
    for k in range(i, title_end):
        if labels[k] == "O":
            labels[k] = "title"
    j = title_end
    if has_slashes:
        j = next((k + 1 for k in range(title_end, n) if tokens[k].kind == "slashes"), title_end)
        end = _container_end(tokens, labels, j)
        if _looks_like_place(tokens, j, end):
            end = j
        for k in range(j, end):
            if labels[k] == "O":
                labels[k] = "container"
        j = end
    elif _article_like(labels, title_end):
        k = title_end
        while k < n and tokens[k].text in ".,":
            k += 1
        end = _container_end(tokens, labels, k)
        for m in range(k, end):
            if labels[m] == "O":
                labels[m] = "container"
        j = end
    _place_publisher(tokens, labels, j)
    _editor(tokens, words, labels)
    return labels


def _title_end(tokens: list[Token], labels: list[str], i: int, has_slashes: bool) -> int:
    n = len(tokens)
    k = i
    while k < n:
        t = tokens[k]
        if t.kind == "slashes" or (t.text == "/" and spaced(tokens, k)) or t.text == "[":
            return k
        if t.text in DASHES and spaced(tokens, k) and k > i + 2:
            return k
        if labels[k] not in ("O", "title"):
            return k
        if not has_slashes and t.text == "." and k + 1 < n and tokens[k + 1].start > t.end and k > i + 1:
            previous = tokens[k - 1]
            if len(previous.text) > 2 or previous.text.isdigit():
                return k
        k += 1
    return k


def _container_end(tokens: list[Token], labels: list[str], j: int) -> int:
    n = len(tokens)
    k = j
    while k < n:
        t = tokens[k]
        if labels[k] != "O" or (t.text in DASHES and spaced(tokens, k)) or t.text in (";", "("):
            break
        if (
            t.text in ".,"
            and k + 1 < n
            and (
                YEAR.match(tokens[k + 1].text)
                or tokens[k + 1].text.isdigit()
                or tokens[k + 1].text.lower() in ("т", "vol", "№", "no", "с", "p", "pp", "v")
            )
        ):
            break
        k += 1
    return k


def _article_like(labels: list[str], start: int) -> bool:
    return any(label in ("volume", "issue", "pages") for label in labels[start:])


def _looks_like_place(tokens: list[Token], start: int, end: int) -> bool:
    return any(tokens[k].text == ":" for k in range(start, min(end + 1, len(tokens)))) and end - start <= 4


def _place_publisher(tokens: list[Token], labels: list[str], start: int) -> None:
    n = len(tokens)
    for k in range(max(start, 1), n):
        if tokens[k].text != ":" or labels[k - 1] != "O":
            continue
        p = k - 1
        while (
            p >= start
            and labels[p] == "O"
            and tokens[p].text not in ("–", "—", "//", "(", ")")
            and not (tokens[p].text in ".," and p + 1 < n and tokens[p + 1].text[:1].isupper() and p < k - 2)
        ):
            p -= 1
        for m in range(p + 1, k):
            if tokens[m].kind == "word":
                labels[m] = "place"
        _fill_between(labels, p + 1, k, "place")
        q = k + 1
        while (
            q < n
            and labels[q] == "O"
            and tokens[q].text not in (",", ";", ")", "–", "—")
            and not (tokens[q].text == "." and q + 1 < n and tokens[q + 1].text in ("–", "—", "-"))
        ):
            labels[q] = "publisher"
            q += 1
        return


def _fill_between(labels: list[str], start: int, end: int, label: str) -> None:
    marked = [k for k in range(start, end) if labels[k] == label]
    if marked:
        for k in range(marked[0], marked[-1] + 1):
            labels[k] = label


def _accessed(tokens: list[Token], words: list[str], labels: list[str]) -> None:
    for k, w in enumerate(words):
        if w in ("обращения", "accessed", "просмотрено") or (
            w == "access" and k + 1 < len(words) and words[k + 1] == ":"
        ):
            m = k + 1
            while m < len(tokens) and tokens[m].text in (":", " "):
                m += 1
            while m < len(tokens) and (tokens[m].text.isdigit() or tokens[m].text in "./"):
                labels[m] = "accessed"
                m += 1


def _editor(tokens: list[Token], words: list[str], labels: list[str]) -> None:
    for k, w in enumerate(words):
        if w in _EDITOR_LEAD:
            m = k + 1
            while m < len(tokens) and tokens[m].text in ".:":
                m += 1
            while (
                m < len(tokens)
                and labels[m] in ("O", "title", "container")
                and tokens[m].text not in ("–", "—", "//", "(")
                and not (tokens[m].text == "." and m + 1 < len(tokens) and tokens[m + 1].text in ("–", "—"))
            ):
                labels[m] = "editor"
                m += 1
            return
