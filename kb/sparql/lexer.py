"""SPARQL 1.1 text as tokens, exactly as the grammar defines them, and back as one canonical line.

The gate (`kb.sparql.check`) looks at these tokens, and the engine runs `canonical(tokens)`, a text
written from them, never the caller's text. That closes a class of holes rather than one string:
two parsers that read one text two ways (rdflib expands `\\u` escapes across the whole query as
SPARQL 1.1 section 19.2 says; oxigraph expands them only inside strings and IRIs) can be made to
disagree about what is a comment, a string or a keyword. The canonical text has none of the forms
they could disagree on: no escapes but `\\\\ \\" \\n \\r` inside `"..."` strings, no comments, no
prefixed names (every IRI written out in full between angle brackets), no long strings, one
space between tokens, one line (so even a reader that took a `#` inside an IRI for a comment could
only cut the query short, never reveal something the gate did not see).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from kb.sparql.errors import QuerySyntaxError

# -- the terminals of SPARQL 1.1 section 19.8 ---------------------------------------------------
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
    rf"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_EXPONENT = r"[eE][+-]?[0-9]+"

_TERMINALS = [
    ("space", r"[ \t\r\n]+"),
    ("comment", r"#[^\r\n]*"),
    ("iri", r"<[^<>\"{}|^`\\\x00-\x20]*>"),
    ("string", r"'''(?:(?:'|'')?(?:[^'\\]|\\[tbnrf\\\"']))*'''"),
    ("string", r'"""(?:(?:"|"")?(?:[^"\\]|\\[tbnrf\\"\']))*"""'),
    ("string", r"'(?:[^'\\\n\r]|\\[tbnrf\\\"'])*'"),
    ("string", r'"(?:[^"\\\n\r]|\\[tbnrf\\"\'])*"'),
    ("var", rf"[?$]{_VARNAME}"),
    ("bnode", rf"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("pname", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("number", rf"[+-]?(?:[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)"),
    ("word", r"[A-Za-z][A-Za-z0-9_]*"),
    ("punct", r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*=<>!+\-/^|?]"),
]
_SCANNER = re.compile("|".join(f"(?P<t{i}>{pattern})" for i, (_, pattern) in enumerate(_TERMINALS)))
_KINDS = [kind for kind, _ in _TERMINALS]
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
_UNENDED_STRING = (
    "a string that does not end on its line (use ''' or \"\"\" for several lines), "
    "or an escape in it other than \\t \\b \\n \\r \\f \\\\ \\\" \\'"
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    """One terminal: its kind, its value (a string's content, an IRI as written, a variable's name,
    other terminals as written) and where it starts and ends in the caller's text."""

    kind: str  # iri | pname | string | var | bnode | langtag | number | word | punct
    value: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        """A word in upper case (SPARQL keywords are case-insensitive), else ''; `true`, `false`
        and `a` keep their case in `value`, which is what the engine is given."""
        return self.value.upper() if self.kind == "word" else ""


class Source:
    """The caller's text with its `\\u`/`\\U` escapes expanded once, as SPARQL 1.1 section 19.2 says,
    and a way back from a position in the expanded text to one in the caller's."""

    def __init__(self, text: str):
        self.original = text
        pieces, origins, last = [], [], 0
        for escape in _UCHAR.finditer(text):
            code = int(escape.group(1) or escape.group(2), 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.error(f"'{escape.group(0)}' is not a character", escape.start(), expanded=False)
            pieces.append(text[last : escape.start()])
            origins.extend(range(last, escape.start()))
            pieces.append(chr(code))
            origins.append(escape.start())
            last = escape.end()
        pieces.append(text[last:])
        origins.extend(range(last, len(text) + 1))
        self.text = "".join(pieces)
        self._origins = origins

    def origin(self, offset: int) -> int:
        return self._origins[min(max(offset, 0), len(self._origins) - 1)]

    def error(self, message: str, offset: int, expanded: bool = True) -> QuerySyntaxError:
        """A syntax error at `offset`, with the caller's line and column."""
        where = self.origin(offset) if expanded else offset
        line = self.original.count("\n", 0, where) + 1
        column = where - (self.original.rfind("\n", 0, where) + 1) + 1
        text_line = self.original.splitlines()[line - 1] if self.original.splitlines()[line - 1 :] else ""
        return QuerySyntaxError(message, line, column, text_line)


def tokenize(source: Source) -> list[Token]:
    """The tokens of the expanded text, comments and white space dropped; a character that starts
    no terminal is a syntax error at its position."""
    text, tokens, position = source.text, [], 0
    while position < len(text):
        found = _SCANNER.match(text, position)
        if found is None:
            if text[position] in "'\"":
                raise source.error(_UNENDED_STRING, position)
            raise source.error(f"unexpected {text[position]!r}", position)
        kind = _KINDS[int(found.lastgroup[1:])]
        if kind not in ("space", "comment"):
            tokens.append(_token(kind, found.group(0), found.start(), found.end(), source))
        position = found.end()
    return tokens


def _token(kind: str, raw: str, start: int, end: int, source: Source) -> Token:
    if kind == "string":
        quote = 3 if raw[:3] in ("'''", '"""') else 1
        return Token(kind, _unescape(raw[quote:-quote]), start, end)
    if kind == "iri":
        return Token(kind, raw[1:-1], start, end)
    if kind == "var":
        return Token(kind, raw[1:], start, end)
    return Token(kind, raw, start, end)


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ECHAR[m.group(1)], body)


# -- canonical text -------------------------------------------------------------------------------
_IRI_CHARS = re.compile(r"[^<>\"{}|^`\\\x00-\x20]*")


@dataclass(frozen=True)
class Canonical:
    """The text the engine runs, and for each of its tokens where it came from in the caller's text."""

    text: str
    spans: tuple[tuple[int, int, int], ...]  # (start in text, start in the expanded source, token index)


def canonical(
    tokens: list[Token], prefixes: dict[str, str], base: str | None, source: Source, skip: int = 0
) -> Canonical:
    """Write `tokens[skip:]` (the prologue is skipped: every prefixed name is written out in full)."""
    text, spans = "", []
    for index in range(skip, len(tokens)):
        token = tokens[index]
        # oxigraph 0.5 wants a function's name and its "(" together (`COALESCE (` is an error there);
        # nothing else is written without a space, so no two tokens can run into one.
        if text and not (token.value == "(" and tokens[index - 1].kind in ("word", "iri", "pname")):
            text += " "
        spans.append((len(text), token.start, index))
        text += _write(token, prefixes, base, source)
    return Canonical(text, tuple(spans))


def _write(token: Token, prefixes: dict[str, str], base: str | None, source: Source) -> str:
    if token.kind == "string":
        value = token.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{value}"'
    if token.kind in ("iri", "pname"):
        return f"<{iri_of(token, prefixes, base, source)}>"
    if token.kind == "var":
        return "?" + token.value
    return token.value


def iri_of(token: Token, prefixes: dict[str, str], base: str | None, source: Source) -> str:
    """The IRI an `iri` or `pname` token names: a prefixed name expanded, a relative IRI resolved."""
    if token.kind == "pname":
        prefix, local = token.value.split(":", 1)
        if prefix not in prefixes:
            known = ", ".join(sorted(p for p in prefixes if p))
            raise source.error(
                f"unknown prefix '{prefix}:' (declare it with PREFIX, or use one of: {known})", token.start
            )
        iri = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    else:
        iri = token.value
    if base and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
        iri = urljoin(base, iri)
    if _IRI_CHARS.fullmatch(iri) is None:
        raise source.error(f"<{iri}> is not a valid IRI", token.start)
    return iri
