"""Comparable forms of field values (whitespace, dashes, quotes) and clean values from labelled text."""

from __future__ import annotations

import re
import unicodedata

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
_QUOTES = dict.fromkeys(map(ord, "«»“”„‟\"‘’‚‛`´"), '"')
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
        return value.strip(" ,;:/\"'«»“”")           # the dot after an initial stays
    if label == "year":
        match = re.search(r"\d{4}", value)
        return match.group() if match else value.strip(_EDGE)
    value = value.strip(_EDGE).strip()
    # A lone closing/opening quote left by a span edge ("Statut, “Globalizing” ...) goes; balanced ones stay.
    for left, right in ("«»", "“”", '""'):
        if value.count(left) != value.count(right) or (left == right and value.count(left) % 2):
            value = value.replace(left, "").replace(right, "") if left != right else value.replace(left, "")
    return value.strip(_EDGE).strip()
