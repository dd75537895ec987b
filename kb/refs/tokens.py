"""A reference string as tokens with character offsets (URLs and DOIs kept whole)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"«»]+)"
    r"|(?P<doi>10\.\d{3,9}/[^\s\"«»]+)"
    r"|(?P<slashes>//|/ /)"
    r"|(?P<word>\w+)"
    r"|(?P<punct>\S)"
)
_TRAILING = ".,;:»”\"'"


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    kind: str  # url, doi, slashes, word, punct


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        start, end = match.span()
        value = match.group()
        if kind in ("url", "doi"):
            # Sentence punctuation after an address is not part of it; a ")" is, only if "(" is too.
            while value and (value[-1] in _TRAILING or (value[-1] == ")" and value.count("(") < value.count(")"))):
                value, end = value[:-1], end - 1
            tokens.append(Token(value, start, end, kind))
            for offset, char in enumerate(match.group()[len(value) :]):
                tokens.append(Token(char, end + offset, end + offset + 1, "punct"))
            continue
        tokens.append(Token(value, start, end, kind))
    return tokens
