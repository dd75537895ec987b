"""`Searcher`: hybrid search over the claims and sources of a built knowledge base.

Ranking, per query:
  1. lexical: BM25 over bilingual Snowball stems: the query's stems, plus (at half weight) the
     labels in both languages of the thesaurus concepts the query names;
  2. dense: the query's vector against the document vectors (faiss). A query in a language the
     model does not read (Russian, with the default English model) is represented by the English
     labels of the concepts it names plus, in hybrid mode, the English vector of the best lexical
     hit; with neither, dense search is skipped.
Documents are collapsed to items (a claim, or a source record) by their best rank, the lists are
fused by reciprocal rank fusion (score = sum of 1 / (60 + rank)), and the result is diversified:
at most `per_source` items of one source while other sources still have candidates, the rest
following in order. In dense or lexical mode the score is the cosine or BM25 score.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict

import numpy as np

from kb.errors import KbError
from kb.search import filters as search_filters
from kb.search import lexical
from kb.search import vectors as vector_index
from kb.search.documents import CLAIM
from kb.search.filters import SearchFilters
from kb.search.index import open_index
from kb.search.query import ConceptMatcher, Query, prepare
from kb.search.results import MODES, SearchHit

RRF_K = 60
MAX_K = 1000


class Searcher:
    """Loads the index and the model once; `search` may be called from several threads at once."""

    # How a query the model cannot read (Russian, with the English default) gets a dense vector:
    # the thesaurus labels it names, in English, plus the English vector of the best lexical hit
    # (pseudo-relevance feedback: the corpus's own translations). Chosen on bench/queries.yaml,
    # see BENCHMARKS.md for the alternatives measured.
    label_weight = 1.0
    feedback_weight = 1.0
    feedback_depth = 1

    def __init__(self, knowledge_base):
        self.kb = knowledge_base
        self.settings = knowledge_base.settings
        self.index = open_index(knowledge_base.path, self.settings, knowledge_base.manifest.get("content_hash"))
        self.corpus = knowledge_base.corpus
        self.themes = knowledge_base.themes
        self.matcher = ConceptMatcher(self.themes)
        self._check_documents()
        self._prepare_columns()
        from kb.search.encoders import load_encoder

        self.encoder = load_encoder(self.index.spec, self.index.encoder_folder, self.settings.embedding_threads)
        self.languages = frozenset(self.index.manifest["model"]["languages"])
        self._masks: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------ set-up

    def _check_documents(self) -> None:
        table = self.index.table
        for kind, item in zip(table.kinds, table.items):
            if (kind == CLAIM and item not in self.corpus.claims) or (
                kind != CLAIM and item not in self.corpus.sources
            ):
                raise KbError(f"the search index names '{item}', which this build does not have; run `kb build`")

    def _prepare_columns(self) -> None:
        table = self.index.table
        # The first indexed vector of each item (its English text, with the default model).
        self.dense_row_of_item: dict[tuple[str, str], int] = {}
        for dense, row in enumerate(self.index.dense_rows.tolist()):
            self.dense_row_of_item.setdefault((table.kinds[row], table.items[row]), dense)

    def warm(self) -> None:
        """Run one query so that lazy imports and first-call costs are paid at server start."""
        self.search("regional innovation clusters", k=3)
        self.search("кластерная политика", k=3)

    # ------------------------------------------------------------ filters

    def filter_mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean mask over document rows, or None for no filter; unknown values raise KbError.
        The filters themselves are `kb.search.filters.FILTERS`; masks are kept for the last 64."""
        if filters is None or filters.empty:
            return None
        with self._lock:
            cached = self._masks.get(filters)
            if cached is not None:
                self._masks.move_to_end(filters)
                return cached
        mask = search_filters.mask(self.kb, self.index.table, filters)
        with self._lock:
            self._masks[filters] = mask
            while len(self._masks) > 64:
                self._masks.popitem(last=False)
        return mask

    # ------------------------------------------------------------ search

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        per_source: int | None = 2,
    ) -> list[SearchHit]:
        """The k best claims and sources for `query`, best first (see the module docstring): ids,
        scores and ranks; `kb.browse.results.present` turns them into what a reader sees."""
        if mode not in MODES:
            raise KbError(f"unknown search mode '{mode}' (use one of: {', '.join(MODES)})")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise KbError(f"k must be a whole number of at least 1, not {k!r}")
        if per_source is not None and per_source < 1:
            raise KbError("per_source must be at least 1 (or None for no limit)")
        k = min(k, MAX_K)
        prepared = prepare(query, self.matcher)
        mask = self.filter_mask(filters)
        depth = max(50, 3 * k)
        lists: dict[str, list[tuple[int, float]]] = {}
        if mode in ("lexical", "hybrid"):
            lists["lexical"] = self._lexical(prepared, depth, mask)
        if mode in ("dense", "hybrid"):
            lists["dense"] = self._dense(prepared, depth, mask, lists.get("lexical"))
        lists = {name: lists[name] for name in ("dense", "lexical") if name in lists}
        ranked = self._fuse(lists, mode)
        chosen = _diversify(ranked, k, per_source, self.index.table)
        table = self.index.table
        return [
            SearchHit(
                claim_id=table.items[row] if table.kinds[row] == CLAIM else None,
                source_key=table.source_keys[row],
                score=round(float(score), 6),
                ranks=dict(ranks),
                matched_language=table.languages[row],
                query_language=prepared.language,
            )
            for row, score, ranks in chosen
        ]

    def _feedback_vector(self, feedback):
        rows = []
        for row, _ in feedback:
            dense = self.dense_row_of_item.get((self.index.table.kinds[row], self.index.table.items[row]))
            if dense is not None and dense not in rows:
                rows.append(dense)
            if len(rows) == self.feedback_depth:
                break
        if not rows:
            return None
        vectors = vector_index.rows(self.index.vectors, np.array(rows, np.int64))
        mean = vectors.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)

    def _dense(self, query: Query, depth: int, mask: np.ndarray | None, feedback=None) -> list[tuple[int, float]]:
        if query.language in self.languages:
            vector = self.encoder.encode([query.text], query=True)[0]
        else:
            parts = []
            if query.english_labels and self.label_weight:
                parts.append(self.label_weight * self.encoder.encode(["; ".join(query.english_labels)], query=True)[0])
            if feedback and self.feedback_weight:
                fb = self._feedback_vector(feedback)
                if fb is not None:
                    parts.append(self.feedback_weight * fb)
            if not parts:
                return []  # the model cannot read this language and nothing translated it
            vector = np.sum(parts, axis=0)
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        allowed = None if mask is None else mask[self.index.dense_rows]
        scores, rows = vector_index.search(self.index.vectors, vector, depth, allowed, self.settings.search_nprobe)
        return [(int(self.index.dense_rows[r]), float(s)) for s, r in zip(scores, rows)]

    def _lexical(self, query: Query, depth: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        scores = lexical.scores(self.index.lexical, list(query.stems), dict(query.expansion_stems))
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        top = _top_positive(scores, depth)
        return [(int(r), float(scores[r])) for r in top]

    def _fuse(self, lists: dict, mode: str) -> list[tuple[int, float, dict]]:
        """Collapse documents to items (best rank per item) and fuse; returns (row, score, ranks)."""
        items = self.index.table.items
        kinds = self.index.table.kinds
        fused: dict[tuple, list] = {}
        for name, found in lists.items():
            seen: set = set()
            rank = 0
            for row, score in found:
                key = (kinds[row], items[row])
                if key in seen:
                    continue
                seen.add(key)
                rank += 1
                entry = fused.setdefault(key, [row, 0.0, {}])
                entry[2][name] = rank
                if mode == "hybrid":
                    entry[1] += 1.0 / (RRF_K + rank)
                else:
                    entry[1] = score
        ranked = sorted(fused.values(), key=lambda e: (-e[1], min(e[2].values())))
        return [(row, score, ranks) for row, score, ranks in ranked]


def _top_positive(scores: np.ndarray, depth: int) -> np.ndarray:
    positive = np.flatnonzero(scores > 0)
    return positive[vector_index.top(scores[positive], depth)]


def _diversify(ranked: list, k: int, per_source: int | None, table) -> list:
    """At most `per_source` items per source while other sources have candidates, then the rest in order."""
    if per_source is None:
        return ranked[:k]
    chosen, held, count = [], [], defaultdict(int)
    for entry in ranked:
        source = table.source_keys[entry[0]]
        if count[source] < per_source:
            chosen.append(entry)
            count[source] += 1
            if len(chosen) == k:
                return chosen
        else:
            held.append(entry)
    return chosen + held[: k - len(chosen)]
