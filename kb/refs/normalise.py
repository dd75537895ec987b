"""Comparable forms of field values (whitespace, dashes, quotes) and clean values from labelled text."""

from __future__ import annotations

import re
import unicodedata

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_QUOTES = dict.fromkeys(map(ord, '«»“”„‟"‘’‚‛`´'), '"')
_EDGE = " \t.,;:/\\|\"'()[]{}«»“”„‘’*"


def compare_form(value: str) -> str:
    """The form two values are compared in: NFC, one space, one kind of dash and quote, no edge punctuation."""
    value = unicodedata.normalize("NFC", value).translate(_DASHES).translate(_QUOTES)
    value = re.sub(r"\s+", " ", value.replace("\u00ad", "")).strip()
    value = re.sub(r"\s*-\s*", "-", value) if re.fullmatch(r"[\dIVXLCivxlc\s\-–]+", value) else value
    return value.strip(_EDGE).strip()


def clean_value(label: str, value: str) -> str:
    """A field value as the record keeps it: edge punctuation gone, pages with a plain dash, DOI bare."""
    value = re.sub(r"\s+", " ", value.replace("\u00a0", " ")).strip()
    if label == "doi":
        value = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", value.strip(), flags=re.I)
        return value.rstrip(".,;")
    if label == "url":
        return value.rstrip(".,;")
    if label == "pages":
        value = re.sub(r"\s*[-–—‒]+\s*", "-", value.strip(_EDGE))
        return value
    if label in ("author", "editor"):
        return value.strip(" ,;:/\"'«»“”")  # the dot after an initial stays
    if label == "year":
        match = re.search(r"\d{4}", value)
        return match.group() if match else value.strip(_EDGE)
    value = _strip_edges(value)
    # A lone closing/opening quote left by a span edge ("Statut, “Globalizing” ...) goes; balanced ones stay.
    for left, right in ("«»", "“”", '""'):
        if value.count(left) != value.count(right) or (left == right and value.count(left) % 2):
            value = value.replace(left, "").replace(right, "") if left != right else value.replace(left, "")
    return _strip_edges(value)


_OPENERS = {"(": ")", "[": "]", "{": "}", "«": "»", "“": "”", "‘": "’"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def _strip_edges(value: str) -> str:
    """Edge punctuation off, except a bracket or quote the value itself opens or closes:
    "Зодчие Хабаровска (1858–2013)" and "«Terra Universitatis». Два века..." keep theirs."""
    value = value.strip()
    while value:
        last = value[-1]
        if last in _CLOSERS and value.count(_CLOSERS[last]) >= value.count(last):
            break
        if last == '"' and value.count('"') % 2 == 0 and value.count('"') >= 2:
            break
        if last not in _EDGE:
            break
        value = value[:-1].rstrip()
    while value:
        first = value[0]
        if first in _OPENERS and value.count(_OPENERS[first]) >= value.count(first):
            break
        if first == '"' and value.count('"') % 2 == 0 and value.count('"') >= 2:
            break
        if first not in _EDGE:
            break
        value = value[1:].lstrip()
    return value
