"""One reference string, or a whole list, -> fields, confidences and a CSL-JSON item each."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.refs.csl import csl_item
from kb.refs.fields import Field, assemble
from kb.refs.segment import MAX_REFERENCE, RawReference, split_list
from kb.refs.tokens import tokenize


@dataclass(frozen=True)
class ParsedReference:
    """A reference as parsed: the string, its fields with confidences, and its CSL-JSON item.

    `item` is `{}` when the string could not be parsed; `problem` then says why. `warning` flags
    something doubtful about an item that was parsed (two references run together on one line).
    """

    line: int
    text: str
    fields: dict[str, list[Field]] = field(default_factory=dict)
    item: dict = field(default_factory=dict)
    problem: str = ""
    warning: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.item)

    def confidence(self) -> dict[str, float]:
        return dict(self.item.get("custom", {}).get("confidence", {})) if self.item else {}

    def low_confidence(self, threshold: float = 0.8) -> list[str]:
        """The CSL variables a curator should check first."""
        return [name for name, value in self.confidence().items() if value < threshold]


def parse_reference(text: str, method: str = "crf", line: int = 1, labeller=None) -> ParsedReference:
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    if len(text) > MAX_REFERENCE:
        return ParsedReference(
            line,
            text[:200],
            problem=f"{len(text):,} characters is too long for one reference "
            f"(at most {MAX_REFERENCE:,}); are line breaks missing?",
        )
    tokens = tokenize(text)
    if not tokens:
        return ParsedReference(line, text, problem="empty")
    if not any(t.text.isdigit() or t.kind in ("url", "doi", "slashes") for t in tokens):
        return ParsedReference(line, text, problem="no year, number, URL or '//': does not look like a reference")
    if method == "rules":
        from kb.refs.rules import rule_labels

        labels = rule_labels(tokens)
        confidences = [0.5] * len(tokens)
    else:
        from kb.refs.labeller import default_labeller

        labels, confidences = (labeller or default_labeller()).tag(tokens)
    fields = assemble(text, tokens, labels, confidences)
    if "title" not in fields:
        return ParsedReference(line, text, fields, problem="no title found: does not look like a reference")
    if not any(k in fields for k in ("author", "editor", "year", "container", "publisher", "url", "doi")):
        return ParsedReference(line, text, fields, problem="only a title found (no author, year, source or address)")
    return ParsedReference(line, text, fields, csl_item(fields, text, f"ref{line}"))


def parse_references(text: str, method: str = "crf", labeller=None) -> list[ParsedReference]:
    """Every reference of a list as printed (numbered or not, wrapped, with headings), in order.

    This is the library entry point a curation UI calls for its paste box: each result carries the
    fields, their confidences (`ParsedReference.confidence()`, `low_confidence()`) and the CSL item.
    """
    out = []
    for raw in split_list(text):
        parsed = parse_reference(raw.text, method, raw.line, labeller)
        if raw.warning:
            parsed = ParsedReference(
                parsed.line, parsed.text, parsed.fields, parsed.item, parsed.problem, f"line {raw.line} {raw.warning}"
            )
        out.append(parsed)
    return out


__all__ = ["ParsedReference", "RawReference", "parse_reference", "parse_references"]
