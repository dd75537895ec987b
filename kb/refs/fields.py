"""Labelled tokens -> field values with a confidence each.

A field is the first run of tokens with its label (authors and editors: every run); its value is
the text those tokens cover in the string, cleaned of edge punctuation (`kb.refs.normalise`), and its
confidence the lowest per-token marginal probability in the run: one doubtful token makes the
field doubtful.
"""

from __future__ import annotations

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


def assemble(text: str, tokens: list[Token], labels: list[str], confidences: list[float]) -> dict[str, list[Field]]:
    fields: dict[str, list[Field]] = {}
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
