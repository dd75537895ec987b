"""Field-level scores of parsed references against annotated ones (bench/refparse_quality.py).

Compared fields: authors' family names (as a multiset), title, container, year, volume, issue,
pages, publisher, place, DOI, URL. Values are compared after `compare_form` (whitespace, dashes,
quotes, edge punctuation); a wrong value counts as a false positive and a false negative.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kb.refs.annotations import AnnotatedReference
from kb.refs.names import family_names
from kb.refs.normalise import clean_value, compare_form

FIELDS = ("authors", "title", "container", "year", "volume", "issue", "pages", "publisher", "place", "doi", "url")


def gold_fields(reference: AnnotatedReference) -> dict[str, object]:
    out: dict[str, object] = {}
    families: list[str] = []
    for value in reference.values("author"):
        seen = {compare_form(f).casefold() for f in families}
        families += [f for f in family_names(value) if compare_form(f).casefold() not in seen]
    if families:
        out["authors"] = families
    for name in FIELDS[1:]:
        values = reference.values(name)
        if values:
            out[name] = clean_value(name, values[0])
    return out


def predicted_fields(parsed) -> dict[str, object]:
    """The same view of a `ParsedReference` (its CSL item)."""
    item = parsed.item
    out: dict[str, object] = {}
    if not item:
        return out
    authors = [a.get("family") or a.get("literal", "") for a in item.get("author", [])]
    if authors:
        out["authors"] = authors
    mapping = {
        "title": "title",
        "container": "container-title",
        "volume": "volume",
        "issue": "issue",
        "pages": "page",
        "publisher": "publisher",
        "place": "publisher-place",
        "doi": "DOI",
        "url": "URL",
    }
    for name, variable in mapping.items():
        if item.get(variable):
            out[name] = item[variable]
    if item.get("issued"):
        out["year"] = str(item["issued"]["date-parts"][0][0])
    return out


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Comparison:
    per_field: dict[str, Counts] = field(default_factory=dict)
    exact: bool = True
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (field, gold, predicted)


def _key(value: str) -> str:
    return compare_form(value).casefold().replace("ё", "е")


def compare(gold: dict[str, object], predicted: dict[str, object]) -> Comparison:
    result = Comparison()
    for name in FIELDS:
        counts = Counts()
        g, p = gold.get(name), predicted.get(name)
        if name == "authors":
            gc = Counter(_key(x) for x in (g or []))
            pc = Counter(_key(x) for x in (p or []))
            counts.tp = sum((gc & pc).values())
            counts.fp = sum(pc.values()) - counts.tp
            counts.fn = sum(gc.values()) - counts.tp
            if counts.fp or counts.fn:
                result.errors.append((name, "; ".join(g or []), "; ".join(p or [])))
        else:
            if g and p and _key(g) == _key(p):
                counts.tp = 1
            else:
                counts.fp = int(bool(p))
                counts.fn = int(bool(g))
                if g or p:
                    result.errors.append((name, str(g or ""), str(p or "")))
        if counts.fp or counts.fn:
            result.exact = False
        result.per_field[name] = counts
    return result


def totals(comparisons: list[Comparison]) -> tuple[dict[str, Counts], Counts, float]:
    per_field = {name: Counts() for name in FIELDS}
    overall = Counts()
    for c in comparisons:
        for name, counts in c.per_field.items():
            per_field[name].add(counts)
            overall.add(counts)
    exact = sum(c.exact for c in comparisons) / len(comparisons) if comparisons else 0.0
    return per_field, overall, exact
