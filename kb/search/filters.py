"""The search filters, declared once: the engine's masks, the CLI's options, the web UI's widgets,
the facets and the error messages all read this table.

Adding a filter is adding one `Filter` row (and its test): `SearchFilters` gets the field, `kb search`
the option, the Search page the widget. Each row says how to read the value (`parse`, which raises
a `KbError` listing the valid values), which values there are in a build (`choices`, the facets)
and which index documents a value keeps (`mask`, over the search index's rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from typing import TYPE_CHECKING, Any

from kb.errors import KbError
from kb.model import BASIS_LABELS, CURATION_BASES

if TYPE_CHECKING:
    import numpy as np

    from kb.knowledge_base import KnowledgeBase
    from kb.search.index import DocumentTable


@dataclass(frozen=True)
class Filter:
    """One search filter: a field of `SearchFilters`, an option of `kb search`, a widget of the UI."""

    name: str  # the SearchFilters field and URL parameter
    option: str  # the CLI option
    label: str  # the UI's label
    help: str  # the CLI's help text
    parse: Callable[[KnowledgeBase, Any], Any]  # value -> checked value
    mask: Callable[[KnowledgeBase, DocumentTable, Any], np.ndarray]  # checked value -> rows kept
    choices: Callable[[KnowledgeBase, str], list[tuple[str, str]]] | None = None  # (value, label) in a build
    type: type = str  # what the CLI reads
    widget: str = "select"  # select | years (year_from and year_to share a slider) | "" (CLI only)


# -- columns over the index's documents (a claim's or a source's text) ----------------------------
def _source_column(attribute: str):
    def column(kb: KnowledgeBase, table: DocumentTable) -> np.ndarray:
        import numpy as np

        sources = kb.corpus.sources
        return np.array([getattr(sources[key], attribute) for key in table.source_keys], object)

    return column


def _claim_column(value_of: Callable, missing: Any = ""):
    def column(kb: KnowledgeBase, table: DocumentTable) -> np.ndarray:
        import numpy as np

        claims = kb.corpus.claims
        return np.array(
            [value_of(claims[item]) if kind == "claim" else missing for kind, item in zip(table.kinds, table.items)],
            object,
        )

    return column


def _cached(column: Callable) -> Callable[[KnowledgeBase, DocumentTable], np.ndarray]:
    """A column computed once per index (the table object), not per query."""
    memo: dict[int, tuple[object, np.ndarray]] = {}

    def cached(kb: KnowledgeBase, table: DocumentTable) -> np.ndarray:
        found = memo.get(id(table))
        if found is None or found[0] is not table:
            found = (table, column(kb, table))
            memo.clear()
            memo[id(table)] = found
        return found[1]

    return cached


def _equal(column: Callable):
    column = _cached(column)
    return lambda kb, table, value: column(kb, table) == value


def _source_values(attribute: str) -> Callable[[KnowledgeBase], list[str]]:
    """The values a source field takes in a build, sorted: what a filter on it accepts and offers."""
    return lambda kb: sorted({getattr(s, attribute) for s in kb.corpus.sources.values()})


def _one_of(values_in: Callable[[KnowledgeBase], list[str]], message: str):
    """A value among those the build has, else `message` (with {value} and {known}) as a KbError."""

    def parse(kb: KnowledgeBase, value: Any) -> str:
        known = values_in(kb)
        if value not in known:
            raise KbError(message.format(value=value, known=", ".join(sorted(known))))
        return value

    return parse


def _year(name: str):
    def parse(kb: KnowledgeBase, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                return int(str(value))
            except ValueError:
                raise KbError(f"{name} must be a year, not '{value}'") from None
        return value

    return parse


# -- the filters ------------------------------------------------------------------------------------
def _theme_mask(kb: KnowledgeBase, table: DocumentTable, theme_id: str) -> np.ndarray:
    """Claims on the theme or a narrower one, and the sources of such claims."""
    import numpy as np

    claims = kb.evidence.claims_on(theme_id)
    claim_ids = {c.id for c in claims}
    source_keys = {c.source_key for c in claims}
    return np.array(
        [item in claim_ids if kind == "claim" else item in source_keys for kind, item in zip(table.kinds, table.items)],
        bool,
    )


_BASIS_RANK = {basis: len(CURATION_BASES) - index for index, basis in enumerate(CURATION_BASES)}
_basis_rank = _cached(_claim_column(lambda claim: _BASIS_RANK.get(claim.based_on, 0), missing=0))
_year_column = _cached(_source_column("year"))


FILTERS: tuple[Filter, ...] = (
    Filter(
        "theme",
        "--theme",
        "Theme (narrower themes included)",
        "Only claims on this theme or a narrower one, and sources with such claims (a theme id).",
        parse=lambda kb, value: kb.vocabulary.theme(value).id,
        mask=_theme_mask,
        choices=lambda kb, lang: sorted(
            ((t, theme.label(lang)) for t, theme in kb.themes.items()), key=lambda pair: pair[1].lower()
        ),
    ),
    Filter(
        "evidence",
        "--evidence",
        "Evidence type",
        "Only claims of this evidence type (e.g. case-study).",
        parse=lambda kb, value: (kb.vocabulary.evidence_type(value), value)[1],
        mask=_equal(_claim_column(lambda claim: claim.evidence)),
        choices=lambda kb, lang: [(e, kb.evidence.evidence_label(e, lang)) for e in kb.vocabulary.evidence_types],
    ),
    Filter(
        "basis",
        "--basis",
        "Basis at least",
        "Only claims resting on this basis or a stronger one: " + " > ".join(CURATION_BASES) + ".",
        parse=_one_of(lambda kb: list(CURATION_BASES), "unknown basis '{value}' (use one of: {known})"),
        mask=lambda kb, table, value: _basis_rank(kb, table) >= _BASIS_RANK[value],
        choices=lambda kb, lang: [(b, BASIS_LABELS.get(b, b)) for b in CURATION_BASES],
    ),
    Filter(
        "year_from",
        "--year-from",
        "From year",
        "Only sources published in or after this year.",
        parse=_year("year_from"),
        mask=lambda kb, table, value: _year_column(kb, table) >= value,
        type=int,
        widget="years",
    ),
    Filter(
        "year_to",
        "--year-to",
        "To year",
        "Only sources published in or before this year.",
        parse=_year("year_to"),
        mask=lambda kb, table, value: _year_column(kb, table) <= value,
        type=int,
        widget="years",
    ),
    Filter(
        "source_type",
        "--source-type",
        "Source type",
        "Only sources of this BibLaTeX type (article, book, report, ...).",
        parse=_one_of(_source_values("entry_type"), "no source of type '{value}' (types in this corpus: {known})"),
        mask=_equal(_source_column("entry_type")),
        choices=lambda kb, lang: [(t, t) for t in _source_values("entry_type")(kb)],
    ),
    Filter(
        "language",
        "--lang",
        "Language of the source",
        "Only sources published in this language (ru, en, ...).",
        parse=_one_of(
            _source_values("language"), "no source in language '{value}' (languages in this corpus: {known})"
        ),
        mask=_equal(_source_column("language")),
        choices=lambda kb, lang: [
            (code, {"en": "English", "ru": "Russian"}.get(code, code)) for code in _source_values("language")(kb)
        ],
    ),
    Filter(
        "source",
        "--source",
        "Source",
        "Only this source (a citation key).",
        parse=_one_of(lambda kb: list(kb.corpus.sources), "unknown source key '{value}' (see corpus/*.bib)"),
        mask=_equal(_source_column("key")),
        widget="",
    ),
)
BY_NAME = {f.name: f for f in FILTERS}


def _filters_doc() -> str:
    lines = ["Restrict a search; every field is optional and None means no restriction.", ""]
    lines += [f"{f.name}: {f.help}" for f in FILTERS]
    return "\n".join(lines)


def _empty(self) -> bool:
    return all(getattr(self, f.name) is None for f in FILTERS)


SearchFilters = make_dataclass(
    "SearchFilters",
    [(f.name, f.type | None, field(default=None)) for f in FILTERS],
    frozen=True,
    namespace={"empty": property(_empty), "__doc__": _filters_doc()},
)
SearchFilters.__module__ = __name__


def checked(kb: KnowledgeBase, filters) -> list[tuple[Filter, Any]]:
    """The filters given, each value checked (`KbError` for a bad one), in table order."""
    given = [(f, getattr(filters, f.name)) for f in FILTERS if getattr(filters, f.name) is not None]
    values = [(f, f.parse(kb, value)) for f, value in given]
    years = {f.name: value for f, value in values if f.name in ("year_from", "year_to")}
    if len(years) == 2 and years["year_from"] > years["year_to"]:
        raise KbError(f"year_from {years['year_from']} is after year_to {years['year_to']}")
    return values


def mask(kb: KnowledgeBase, table: DocumentTable, filters) -> np.ndarray | None:
    """Boolean mask over the index's documents, or None when no filter is set."""
    import numpy as np

    values = checked(kb, filters)
    if not values:
        return None
    kept = np.ones(len(table), bool)
    for f, value in values:
        kept &= f.mask(kb, table, value)
    return kept
