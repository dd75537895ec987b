"""Claim files (`corpus/claims/<source-key>.yaml`) -> `Claim`s, checked field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kb.corpus.yamlnodes import Located, read_yaml
from kb.errors import CorpusError, Location
from kb.model import CLAIM_KINDS, CLAIM_RELATIONS, CURATION_BASES, REVIEW_STATUSES, Claim, FrozenMap, Relation


@dataclass(frozen=True)
class Reference:
    """A name in a claim file that must resolve elsewhere in the corpus (a source or another claim)."""

    claim_id: str
    field: str
    target: str
    location: Location


CLAIM_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
URL = re.compile(r"https?://\S+")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A locator that names a page: "p. 37", "pp. 37-38", "page 5", "с. 37", "стр. 5".
PAGE_LOCATOR = re.compile(r"(?<![\w])(?:pp?|pages?|с|стр)\.?\s*\d", re.IGNORECASE)
_FILE_KEYS = {"source", "curated_by", "curated_on", "based_on", "claims"}
_CLAIM_KEYS = {
    "id",
    "text",
    "kind",
    "locator",
    "themes",
    "evidence",
    "based_on",
    "via",
    "note",
    "status",
    "reviewed_by",
    "reviewed_on",
    *CLAIM_RELATIONS,
}
_RELATION_KEYS = {"id", "because", "by"}


def read_claims_file(path: Path, theme_ids: set[str], evidence_ids: set[str]) -> tuple[list[Claim], list[Reference]]:
    """Claims of one file, checked against the thesaurus; plus the references to resolve corpus-wide."""
    document = read_yaml(path)
    top = _mapping(document, path, "the file")
    _no_unknown_keys(top, _FILE_KEYS, path, "file")
    source = _required_text(top, "source", path, document.line)
    curated_by = _required_text(top, "curated_by", path, document.line)
    curated_on = _required_text(top, "curated_on", path, document.line)
    based_on = _choice(top.get("based_on"), CURATION_BASES, path, "based_on") or "recollection"
    if "claims" not in top:
        raise CorpusError("no 'claims' list", Location(path, document.line))
    items = top["claims"]
    if not isinstance(items.value, list):
        raise CorpusError("'claims' must be a list", Location(path, items.line))
    references = [Reference("", "source", source, Location(path, top["source"].line))]
    claims = [
        _claim(item, path, source, curated_by, curated_on, based_on, theme_ids, evidence_ids, references)
        for item in items.value
    ]
    return claims, references


def _claim(
    item: Located,
    path: Path,
    source: str,
    curated_by: str,
    curated_on: str,
    based_on: str,
    theme_ids: set[str],
    evidence_ids: set[str],
    references: list[Reference],
) -> Claim:
    fields = _mapping(item, path, "a claim")
    claim_id = _required_text(fields, "id", path, item.line)
    if not CLAIM_ID.fullmatch(claim_id):
        raise CorpusError(
            f"claim id '{claim_id}' must be lowercase letters, digits and hyphens", Location(path, fields["id"].line)
        )
    _no_unknown_keys(fields, _CLAIM_KEYS, path, f"claim '{claim_id}'")
    where = Location(path, item.line)
    text = _texts(fields.get("text"), path, claim_id, item.line)
    kind = _choice(fields.get("kind"), CLAIM_KINDS, path, "kind") or "paraphrase"
    locator = _optional_text(fields, "locator", path)
    if kind == "quote" and not locator:
        raise CorpusError(f"claim '{claim_id}' is a quote and needs a locator", where)
    themes = _id_list(fields.get("themes"), path, "themes")
    if not themes:
        raise CorpusError(f"claim '{claim_id}' has no themes", where)
    for theme, line in zip(themes, _lines(fields["themes"])):
        if theme not in theme_ids:
            raise CorpusError(f"claim '{claim_id}' names unknown theme '{theme}'", Location(path, line))
    evidence = _required_text(fields, "evidence", path, item.line, owner=f"claim '{claim_id}'")
    if evidence not in evidence_ids:
        raise CorpusError(
            f"claim '{claim_id}' has unknown evidence type '{evidence}' (use one of: {', '.join(sorted(evidence_ids))})",
            Location(path, fields["evidence"].line),
        )
    basis = _choice(fields.get("based_on"), CURATION_BASES, path, "based_on") or based_on
    basis_line = fields["based_on"].line if "based_on" in fields else item.line
    if basis == "full-text-page" and not PAGE_LOCATOR.search(locator):
        raise CorpusError(
            f"claim '{claim_id}' is based_on full-text-page and needs a locator that names a page "
            "(p. 37, pp. 37-38, с. 37)",
            Location(path, basis_line),
        )
    via = _optional_text(fields, "via", path)
    if basis == "secondary" and not via:
        raise CorpusError(
            f"claim '{claim_id}' is based_on secondary and needs 'via': the citation key or URL "
            "of the summary, review or citing work it rests on",
            Location(path, basis_line),
        )
    if via and basis != "secondary":
        raise CorpusError(
            f"claim '{claim_id}' names 'via' but is based_on {basis}; 'via' is for secondary claims",
            Location(path, fields["via"].line),
        )
    if via and not URL.fullmatch(via):
        references.append(Reference(claim_id, "via", via, Location(path, fields["via"].line)))
    status, reviewed_by, reviewed_on = _review(fields, path, claim_id, where)
    kinds: dict[str, tuple[str, ...]] = {}
    reasons: list[Relation] = []
    for name in CLAIM_RELATIONS:
        relations = _relations(fields.get(name), path, name, claim_id, curated_by)
        kinds[name] = tuple(relation.target for relation, _ in relations)
        for relation, line in relations:
            reasons.append(relation)
            references.append(Reference(claim_id, name, relation.target, Location(path, line)))
    return Claim(
        id=claim_id,
        source_key=source,
        text=FrozenMap(text),
        themes=themes,
        evidence=evidence,
        kind=kind,
        locator=locator,
        based_on=basis,
        via=via,
        note=_optional_text(fields, "note", path),
        curated_by=curated_by,
        curated_on=curated_on,
        status=status,
        reviewed_by=reviewed_by,
        reviewed_on=reviewed_on,
        reasons=tuple(reasons),
        origin=where,
        **kinds,
    )


def _review(fields: dict[str, Located], path: Path, claim_id: str, where: Location) -> tuple[str, str, str]:
    """(status, reviewed_by, reviewed_on): a reviewed claim names its reviewer and the date; a draft names neither."""
    status = _choice(fields.get("status"), REVIEW_STATUSES, path, "status") or "draft"
    reviewed_by = _optional_text(fields, "reviewed_by", path)
    reviewed_on = _optional_text(fields, "reviewed_on", path)
    status_at = Location(path, fields["status"].line) if "status" in fields else where
    if status == "reviewed":
        if not reviewed_by:
            raise CorpusError(f"claim '{claim_id}' is reviewed but names no reviewer (reviewed_by)", status_at)
        if not DATE.fullmatch(reviewed_on):
            raise CorpusError(f"claim '{claim_id}' is reviewed and needs reviewed_on as YYYY-MM-DD", status_at)
    else:
        for key in ("reviewed_by", "reviewed_on"):
            if key in fields:
                raise CorpusError(
                    f"claim '{claim_id}' gives {key} but its status is draft (write status: reviewed)",
                    Location(path, fields[key].line),
                )
    return status, reviewed_by, reviewed_on


def _relations(
    node: Located | None, path: Path, kind: str, claim_id: str, default_by: str
) -> list[tuple[Relation, int]]:
    """`supports: [{id: x, because: "...", by: "..."}]`, each with its line. The short form (`supports: [x]`)
    is read so that the error can say what is missing: every relation needs its reason."""
    if node is None or node.value is None:
        return []
    items = node.value if isinstance(node.value, list) else [node]
    result = []
    for item in items:
        where = Location(path, item.line)
        if isinstance(item.value, str):
            raise CorpusError(
                f"claim '{claim_id}' {kind} '{item.value.strip()}' without a rationale; write it as "
                f'{{id: {item.value.strip()}, because: "..."}}',
                where,
            )
        if not isinstance(item.value, dict):
            raise CorpusError(f"'{kind}' must list relations ({{id: ..., because: ...}})", where)
        _no_unknown_keys(item.value, _RELATION_KEYS, path, f"claim '{claim_id}' {kind}")
        target = _required_text(item.value, "id", path, item.line, owner=f"claim '{claim_id}' {kind}")
        because = _optional_text(item.value, "because", path)
        if not because:
            raise CorpusError(f"claim '{claim_id}' {kind} '{target}' without a rationale (because: ...)", where)
        if any(seen.target == target for seen, _ in result):
            raise CorpusError(f"claim '{claim_id}' {kind} '{target}' twice", where)
        by = _optional_text(item.value, "by", path) or default_by
        result.append((Relation(kind, target, because, by), item.line))
    return result


def _texts(node: Located | None, path: Path, claim_id: str, line: int) -> dict[str, str]:
    if node is None:
        raise CorpusError(f"claim '{claim_id}' has no text", Location(path, line))
    if not isinstance(node.value, dict):
        raise CorpusError(
            f"claim '{claim_id}': text must map languages to text (en: ..., ru: ...)", Location(path, node.line)
        )
    texts = {}
    for language, value in node.value.items():
        if not re.fullmatch(r"[a-z]{2}", language):
            raise CorpusError(
                f"claim '{claim_id}': '{language}' is not a two-letter language code", Location(path, value.line)
            )
        if not isinstance(value.value, str) or not value.value.strip():
            raise CorpusError(f"claim '{claim_id}' has an empty {language} text", Location(path, value.line))
        texts[language] = " ".join(value.value.split())
    if "en" not in texts:
        raise CorpusError(f"claim '{claim_id}' has no English text (text.en)", Location(path, node.line))
    return texts


def _mapping(node: Located, path: Path, what: str) -> dict[str, Located]:
    if not isinstance(node.value, dict):
        raise CorpusError(f"expected {what} as a mapping of keys to values", Location(path, node.line))
    return node.value


def _no_unknown_keys(fields: dict[str, Located], allowed: set[str], path: Path, owner: str) -> None:
    for key, value in fields.items():
        if key not in allowed:
            raise CorpusError(
                f"{owner}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})", Location(path, value.line)
            )


def _required_text(fields, key: str, path: Path, line: int, owner: str = "") -> str:
    node = fields.get(key)
    value = "" if node is None or node.value is None else str(node.value).strip()
    if not value:
        prefix = f"{owner}: " if owner else ""
        raise CorpusError(f"{prefix}'{key}' is missing or empty", Location(path, node.line if node else line))
    return value


def _optional_text(fields, key: str, path: Path) -> str:
    node = fields.get(key)
    if node is None or node.value is None:
        return ""
    if isinstance(node.value, (dict, list)):
        raise CorpusError(f"'{key}' must be text", Location(path, node.line))
    return " ".join(str(node.value).split())


def _choice(node: Located | None, allowed, path: Path, key: str) -> str:
    if node is None or node.value is None:
        return ""
    value = str(node.value)
    if value not in allowed:
        raise CorpusError(f"unknown {key} '{value}' (use one of: {', '.join(allowed)})", Location(path, node.line))
    return value


def _id_list(node: Located | None, path: Path, key: str) -> tuple[str, ...]:
    if node is None or node.value is None:
        return ()
    values = node.value if isinstance(node.value, list) else [node]
    result = []
    for value in values:
        if not isinstance(value.value, str) or not value.value.strip():
            raise CorpusError(f"'{key}' must list ids", Location(path, value.line))
        result.append(value.value.strip())
    return tuple(result)


def _lines(node: Located | None) -> list[int]:
    if node is None:
        return []
    return [v.line for v in node.value] if isinstance(node.value, list) else [node.line]
