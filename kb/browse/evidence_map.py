"""The evidence map: themes against evidence types (or against a second theme dimension).

Each cell counts claims and distinct sources, and the supporting and disputing relations that
touch those claims; an empty cell is an evidence gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.browse.evidence import Evidence
from kb.model import EVIDENCE_TYPES, Claim

DIMENSIONS = ("evidence", "themes")


@dataclass(frozen=True)
class MapCell:
    row: str
    column: str
    claims: int
    sources: int
    supports: int
    disputes: int

    @property
    def is_gap(self) -> bool:
        return self.claims == 0


@dataclass(frozen=True)
class EvidenceMap:
    rows: list[tuple[str, str, int]]  # theme id, label, depth in the hierarchy
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], MapCell]

    def cell(self, row: str, column: str) -> MapCell:
        return self.cells[(row, column)]

    @property
    def gaps(self) -> list[MapCell]:
        return [c for c in self.cells.values() if c.is_gap]


def evidence_map(evidence: Evidence, columns: str = "evidence", include_narrower: bool = True,
                 language: str = "en") -> EvidenceMap:
    """Rows: every theme in hierarchy order. Columns: evidence types, or the top-level themes."""
    if columns not in DIMENSIONS:
        from kb.errors import KbError

        raise KbError(f"unknown map dimension '{columns}' (use one of: {', '.join(DIMENSIONS)})")
    rows = _rows(evidence, language)
    if columns == "evidence":
        cols = [(e, evidence.evidence_label(e, language)) for e in EVIDENCE_TYPES]
    else:
        cols = [(t, label) for t, label, depth in rows if depth == 0]
    cells = {}
    for row_id, _, _ in rows:
        row_claims = evidence.claims_on(row_id, narrower=include_narrower)
        for column_id, _ in cols:
            cells[(row_id, column_id)] = _cell(evidence, row_id, column_id,
                                               _in_column(evidence, row_claims, columns, column_id))
    return EvidenceMap(rows=rows, columns=cols, cells=cells)


def cell_claims(evidence: Evidence, row: str, column: str, columns: str = "evidence",
                include_narrower: bool = True) -> list[Claim]:
    """The claims behind one cell, for listing when the cell is clicked."""
    return _in_column(evidence, evidence.claims_on(row, narrower=include_narrower), columns, column)


def _in_column(evidence: Evidence, claims: list[Claim], columns: str, column: str) -> list[Claim]:
    if columns == "evidence":
        return [c for c in claims if c.evidence == column]
    under = set(evidence.with_narrower(column))
    return [c for c in claims if under & set(c.themes)]


def _cell(evidence: Evidence, row: str, column: str, claims: list[Claim]) -> MapCell:
    ids = {c.id for c in claims}
    relations = evidence.relations_among(ids, kinds=("supports", "disputes"))
    return MapCell(
        row=row,
        column=column,
        claims=len(claims),
        sources=len({c.source_key for c in claims}),
        supports=sum(1 for _, r, _ in relations if r == "supports"),
        disputes=sum(1 for _, r, _ in relations if r == "disputes"),
    )


def _rows(evidence: Evidence, language: str) -> list[tuple[str, str, int]]:
    from kb.browse.pages import theme_tree

    rows, seen = [], set()

    def walk(nodes, depth):
        for node in nodes:
            if node.id not in seen:
                seen.add(node.id)
                rows.append((node.id, evidence.theme_label(node.id, language), depth))
            walk(node.children, depth + 1)

    walk(theme_tree(evidence), 0)
    return rows
