"""Training strings rendered by the project's own CSL styles, their fields located in the output.

Records are put together from the field values of the *training* strings (titles, journals,
publishers, places, people), never the evaluation ones, and rendered with citeproc-py in GOST,
APA, Chicago author-date, Harvard and Vancouver; each field is then found again in the rendered
string, which gives the labels. Latin-script records go through every style, Cyrillic ones
through GOST (the English styles transliterate them, and a transliterated value cannot be found
by its original spelling). These strings are for training only.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from kb.refs.annotations import AnnotatedReference, Span
from kb.refs.names import split_names
from kb.script import has_cyrillic

STYLES = {
    "gost-r-7-0-5-2008": "gost",
    "apa": "apa",
    "chicago-author-date": "chicago",
    "harvard-cite-them-right": "harvard",
    "elsevier-harvard": "harvard",
    "elsevier-vancouver": "vancouver",
    "springer-basic-author-date": "other",
    "ieee": "other",
}
_LEADING_NUMBER = re.compile(r"^\s*(?:\[\d+\]|\d+\.)\s*")


def _pools(references: list[AnnotatedReference]) -> dict[tuple[str, str], list]:
    pools: dict[tuple[str, str], list] = {}
    for ref in references:
        for span in ref.spans:
            value = ref.text[span.start : span.end].strip(" .,;:")
            script = "cyr" if has_cyrillic(value) else "lat"
            if span.label in ("author", "editor"):
                for name in split_names(value):
                    if not name.literal and name.given and len(name.family) > 1:
                        pools.setdefault(("person", script), []).append((name.family, name.given))
            elif span.label in ("title", "container", "publisher", "place") and len(value) > 1 and "[" not in value:
                pools.setdefault((span.label, script), []).append(value)
    return pools


def _record(rng: random.Random, pools, script: str, kind: str) -> dict[str, str]:
    def pick(label: str) -> str:
        return rng.choice(pools.get((label, script)) or pools[(label, "lat")])

    people = [rng.choice(pools[("person", script)]) for _ in range(rng.choice((1, 1, 2, 3, 4)))]
    fields = {
        "author": " and ".join(f"{family}, {given}" for family, given in people),
        "title": pick("title"),
        "year": str(rng.randint(1960, 2025)),
    }
    if script == "cyr":
        fields["langid"] = "russian"
        fields["title_en"] = rng.choice(pools[("title", "lat")])
    if kind == "article":
        fields.update(journaltitle=pick("container"), volume=str(rng.randint(1, 120)), number=str(rng.randint(1, 12)))
        first = rng.randint(1, 900)
        fields["pages"] = f"{first}--{first + rng.randint(3, 40)}"
        if rng.random() < 0.3:
            fields["doi"] = f"10.{rng.randint(1000, 9999)}/{rng.choice('abcxyz')}{rng.randint(10000, 99999)}"
    elif kind in ("book", "report"):
        fields.update(publisher=pick("publisher"), location=pick("place"))
        if rng.random() < 0.5:
            fields["pagetotal"] = str(rng.randint(50, 700))
        if kind == "report":
            fields["institution"] = fields.pop("publisher")
    elif kind == "incollection":
        editors = [rng.choice(pools[("person", script)]) for _ in range(rng.choice((1, 2)))]
        fields.update(
            booktitle=pick("container"),
            publisher=pick("publisher"),
            location=pick("place"),
            editor=" and ".join(f"{f}, {g}" for f, g in editors),
        )
        first = rng.randint(1, 500)
        fields["pages"] = f"{first}--{first + rng.randint(5, 30)}"
    elif kind == "online":
        fields["url"] = (
            f"https://www.example-{rng.randint(1, 999)}.org/{rng.choice(('doc', 'page', 'report'))}/{rng.randint(1, 9999)}"
        )
        fields["urldate"] = f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return fields


def _find(text: str, value: str, taken: list[Span]) -> tuple[int, int] | None:
    if not value:
        return None
    pattern = re.escape(value).replace(r"\ ", r"\s+").replace(r"\-\-", "[-–—]")
    for match in re.finditer(pattern, text, re.I):
        if not any(match.start() < s.end and s.start < match.end() for s in taken):
            return match.span()
    return None


def _people_spans(text: str, families: list[str], label: str, taken: list[Span]) -> list[Span]:
    hits = []
    for family in families:
        for match in re.finditer(re.escape(family), text):
            if any(match.start() < s.end and s.start < match.end() for s in taken):
                continue
            start, end = match.span()
            before = re.search(r"((?:[A-ZА-ЯЁ]\.\s?-?){1,3}\s*)$", text[:start])
            after = re.match(r"(,?\s(?:[A-ZА-ЯЁ][a-zа-яё]*\.?\s?-?){1,3})", text[end:])
            if before:
                start -= len(before.group(1))
            if after and not re.match(r",?\s[A-ZА-ЯЁ][a-zа-яё]{3,}", text[end:]):
                end += len(after.group(1).rstrip(" "))
            hits.append((start, end))
    hits.sort()
    spans: list[list[int]] = []
    for start, end in hits:
        if spans and re.fullmatch(r"\s*(?:,|and|&|и|,\s*and|,\s*&)?\s*", text[spans[-1][1] : start]):
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [Span(label, s, e) for s, e in spans]


def render_training_strings(
    references: list[AnnotatedReference], per_style: int = 120, seed: int = 7
) -> list[AnnotatedReference]:
    from kb.bibliography.records import make_source
    from kb.bibliography.render import format_bibliography
    from kb.errors import CorpusError, Location

    rng = random.Random(seed)
    pools = _pools(references)
    out: list[AnnotatedReference] = []
    kinds = ("article", "article", "article", "book", "incollection", "report", "online")
    for style, style_name in STYLES.items():
        for index in range(per_style):
            script = "cyr" if style_name == "gost" and rng.random() < 0.6 else "lat"
            kind = rng.choice(kinds)
            fields = _record(rng, pools, script, kind)
            try:
                source = make_source(kind, f"syn{index}", fields, Location(Path("synthetic"), index + 1))
                text = format_bibliography([source], style).entries[0].text
            except (CorpusError, ValueError, KeyError, IndexError):
                continue
            text = _LEADING_NUMBER.sub("", text).strip()
            spans: list[Span] = []
            families = [n.split(",")[0] for n in fields["author"].split(" and ")]
            spans += _people_spans(text, families, "author", spans)
            if "editor" in fields:
                spans += _people_spans(
                    text, [n.split(",")[0] for n in fields["editor"].split(" and ")], "editor", spans
                )
            located = {
                "title": fields["title"],
                "container": fields.get("journaltitle") or fields.get("booktitle"),
                "publisher": fields.get("publisher") or fields.get("institution"),
                "place": fields.get("location"),
                "doi": fields.get("doi"),
                "url": fields.get("url"),
                "pages": None,
            }
            ok = True
            for label, value in located.items():
                if not value:
                    continue
                hit = _find(text, value, spans)
                if hit is None:
                    ok = label not in ("title", "container")
                    if not ok:
                        break
                    continue
                spans.append(Span(label, *hit))
            if not ok:
                continue
            for label, value in (
                ("year", fields["year"]),
                ("volume", fields.get("volume")),
                ("issue", fields.get("number")),
                ("pagetotal", fields.get("pagetotal")),
            ):
                if value:
                    match = next(
                        (
                            m
                            for m in re.finditer(rf"(?<![\d.]){value}(?![\d])", text)
                            if not any(m.start() < s.end and s.start < m.end() for s in spans)
                        ),
                        None,
                    )
                    if match:
                        spans.append(Span(label, *match.span()))
            if fields.get("pages"):
                first, last = fields["pages"].split("--")
                match = re.search(rf"{first}\s*[-–—]\s*{last}", text)
                if match:
                    spans.append(Span("pages", *match.span()))
            spans.sort(key=lambda s: s.start)
            if any(a.end > b.start for a, b in zip(spans, spans[1:])):
                continue
            lang = "ru" if script == "cyr" else "en"
            out.append(AnnotatedReference(text, tuple(spans), kind, lang, style_name, f"synthetic:{style}", index))
    return out
