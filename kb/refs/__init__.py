"""Reference lists in, records out: formatted references (GOST, APA, Chicago, Harvard, Vancouver;
Russian and English) parsed into fields with per-field confidence and CSL-JSON items.

`parse_references(text)` is the entry point (the `kb refs parse` command and `kb import refs.txt`
use it; so can a curation UI's paste box). See docs/reference-parsing.md.
"""

from kb.refs.parser import ParsedReference, parse_reference, parse_references

__all__ = ["ParsedReference", "parse_reference", "parse_references"]
