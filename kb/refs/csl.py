"""Fields of one parsed reference -> a CSL-JSON item, with `custom.confidence` per variable.

Only what the string says goes in: no identifier is added, nothing is looked up. The type is read
from the fields and a few words (a host journal with volume or pages is an article, "дис." a
thesis, "закон"/"Decree" a law, a bare URL a web page).
"""

from __future__ import annotations

import re

from kb.refs.fields import Field, people
from kb.script import has_cyrillic

# CSL variable <- field label (authors and editors are names, the year goes to `issued`).
_VARIABLES = {
    "title": "title",
    "container": "container-title",
    "collection": "collection-title",
    "volume": "volume",
    "issue": "issue",
    "pages": "page",
    "publisher": "publisher",
    "place": "publisher-place",
    "doi": "DOI",
    "url": "URL",
    "genre": "genre",
    "pagetotal": "number-of-pages",
    "number": "number",
    "edition": "edition",
}
_LAW = re.compile(
    r"\b(закон|постановлени|распоряжени|указ|приказ|кодекс|decree|order of|federal law|"
    r"resolution|regulation|directive|communication from the commission)",
    re.I,
)
_THESIS = re.compile(r"\b(дис|диссертаци|автореф|thesis|dissertation|dis\.)", re.I)
_REPORT = re.compile(r"\b(report|working papers?|доклад|отчет|отчёт|discussion papers?|series)\b", re.I)
_PROCEEDINGS = re.compile(
    r"(proceedings|conference|конференци|симпозиум|материалы|mat\. mezhdunar|"
    r"materialy|konferentsii|symposium|congress|съезд|форум)",
    re.I,
)


def csl_type(fields: dict[str, list[Field]], text: str) -> str:
    has = fields.__contains__
    genre = " ".join(f.value for f in fields.get("genre", []))
    container = fields["container"][0].value if has("container") else ""
    if _THESIS.search(genre):
        return "thesis"
    if _LAW.search(genre) or (_LAW.search(fields["title"][0].value) if has("title") else False):
        return "legislation"
    if container and has("url") and not any(has(x) for x in ("volume", "issue", "pages", "publisher", "editor")):
        return "webpage"  # "Опера Бастилии [Электронный ресурс] // Википедия. – URL: …"
    if container and _PROCEEDINGS.search(container):
        return "paper-conference"
    if _REPORT.search(genre) or (container and _REPORT.search(container) and not has("volume")):
        return "report"
    if container and (
        has("editor")
        or re.search(r"\b(in|в)\s*:?\s*$", text[: fields["container"][0].start].strip()[-6:], re.I)
        or (has("publisher") and not has("volume") and not has("issue"))
    ):
        return "chapter"
    if container:
        return "article-journal"
    if has("url") and not has("publisher") and not has("pagetotal"):
        return "webpage"
    if has("publisher") or has("pagetotal") or has("place") or has("editor"):
        return "book"
    return "document"


def csl_item(fields: dict[str, list[Field]], text: str, ident: str = "") -> dict:
    item: dict = {"type": csl_type(fields, text)}
    if ident:
        item["id"] = ident
    confidence: dict[str, float] = {}
    for label, variable in (("author", "author"), ("editor", "editor")):
        names = people(fields, label)
        if names:
            item[variable] = [name.as_csl() for name, _ in names]
            confidence[variable] = round(min(c for _, c in names), 3)
    for label, variable in _VARIABLES.items():
        if label in fields:
            value = fields[label][0].value
            if label == "pagetotal":  # "495 с." / "342 p." -> "495": CSL wants the number
                value = (re.findall(r"\d+", value) or [value])[-1]
            item[variable] = value
            confidence[variable] = round(fields[label][0].confidence, 3)
    if "year" in fields and re.fullmatch(r"\d{4}", fields["year"][0].value):
        item["issued"] = {"date-parts": [[int(fields["year"][0].value)]]}
        confidence["issued"] = round(fields["year"][0].confidence, 3)
    if "accessed" in fields:
        parts = _date_parts(fields["accessed"][0].value)
        if parts:
            item["accessed"] = {"date-parts": [parts]}
            confidence["accessed"] = round(fields["accessed"][0].confidence, 3)
    title = item.get("title", "") or text
    item["language"] = "ru" if has_cyrillic(title) else "en"
    item["custom"] = {"confidence": confidence}
    return item


def _date_parts(value: str) -> list[int]:
    match = re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    if match:
        day, month, year = map(int, match.groups())
        return [year, month, day] if 1 <= month <= 12 and 1 <= day <= 31 else [year]
    match = re.search(r"\d{4}", value)
    return [int(match.group())] if match else []
