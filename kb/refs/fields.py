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
    start: int          # character span in the reference string
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
    from kb.refs.skeleton import spaced

    labels = list(labels)
    for i, token in enumerate(tokens):
        if token.kind == "doi" or (token.kind == "url" and re.search(r"doi\.org/10\.", token.text)):
            labels[i] = "doi"
        elif token.kind == "url":
            labels[i] = "url"
        elif token.kind == "slashes" or (token.text == "/" and spaced(tokens, i)) or token.text in "[]":
            labels[i] = "O"
    for i in range(1, len(labels) - 1):
        if labels[i] == "O" and tokens[i].text in _JOINERS and labels[i - 1] == labels[i + 1] != "O":
            labels[i] = labels[i - 1]
    for i in range(1, len(labels) - 2):
        if labels[i] == labels[i + 1] == "O" and tokens[i].text in _JOINERS and tokens[i + 1].text in _JOINERS \
                and labels[i - 1] == labels[i + 2] != "O":
            labels[i] = labels[i + 1] = labels[i - 1]
    return labels


def assemble(text: str, tokens: list[Token], labels: list[str], confidences: list[float]) -> dict[str, list[Field]]:
    fields: dict[str, list[Field]] = {}
    labels = constrain(tokens, labels)
    for label, first, last in runs(labels):
        if label == "O":
            continue
        start, end = tokens[first].start, tokens[last - 1].end
        value = clean_value(label, text[start:end])
        if not value:
            continue
        if label not in MULTI and label in fields:
            continue
        fields.setdefault(label, []).append(Field(label, value, min(confidences[first:last]), start, end))
    return fields


def people(fields: dict[str, list[Field]], label: str) -> list[tuple[Name, float]]:
    """The people of every run of `label`, each once (GOST repeats the first author after " / ")."""
    seen, out = set(), []
    for field in fields.get(label, []):
        for name in split_names(field.value):
            key = name.family.casefold().replace("ё", "е")
            if key and key not in seen:
                seen.add(key)
                out.append((name, field.confidence))
    return out
