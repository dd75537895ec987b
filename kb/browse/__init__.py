"""The corpus arranged for browsing: theme pages, source and claim pages, the evidence map and
theme neighbourhood graphs. What the web UI shows comes from here, as plain data."""

from kb.browse.evidence import Evidence, short_citation
from kb.browse.evidence_map import EvidenceMap, MapCell
from kb.browse.pages import ClaimPage, ClaimView, SourcePage, ThemePage, TreeNode

__all__ = [
    "Evidence",
    "short_citation",
    "ClaimPage",
    "ClaimView",
    "SourcePage",
    "ThemePage",
    "TreeNode",
    "EvidenceMap",
    "MapCell",
]
