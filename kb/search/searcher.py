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

from kb.browse.evidence import short_citation
from kb.errors import KbError
from kb.search import lexical, vectors as vector_index
from kb.search.documents import CLAIM
from kb.search.index import open_index
from kb.search.query import ConceptMatcher, Query, prepare
from kb.search.results import MODES, SearchFilters, SearchResult

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
        self.views = knowledge_base.evidence
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
            if (kind == CLAIM and item not in self.corpus.claims) or (kind != CLAIM and item not in self.corpus.sources):
                raise KbError(f"the search index names '{item}', which this build does not have; run `kb build`")

    def _prepare_columns(self) -> None:
        """Per-document columns the filters compare against, built once."""
        table, corpus = self.index.table, self.corpus
        n = len(table)
        self.is_claim = np.array([k == CLAIM for k in table.kinds], bool)
        sources = [corpus.sources[key] for key in table.source_keys]
        self.year = np.array([s.year for s in sources], np.int64)
        self.entry_type = np.array([s.entry_type for s in sources], object)
        self.source_language = np.array([s.language for s in sources], object)
        self.source_key = np.array(table.source_keys, object)
        self.evidence = np.array([corpus.claims[i].evidence if c else "" for i, c in zip(table.items, self.is_claim)], object)
        counted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for claim in corpus.claims.values():
            for theme in claim.themes:
                counted[claim.source_key][theme] += 1
        # A source's themes are its claims' themes, the most frequent first.
        self.source_themes = {key: sorted(c, key=lambda t: (-c[t], t)) for key, c in counted.items()}
        source_themes = self.source_themes
        self.rows_by_theme: dict[str, list[int]] = defaultdict(list)
        for row in range(n):
            item = table.items[row]
            tagged = corpus.claims[item].themes if self.is_claim[row] else source_themes.get(item, [])
            for theme in tagged:
                self.rows_by_theme[theme].append(row)
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
        """Boolean mask over document rows, or None for no filter; unknown values raise KbError."""
        if filters is None or filters.empty:
            return None
        with self._lock:
            cached = self._masks.get(filters)
            if cached is not None:
                self._masks.move_to_end(filters)
                return cached
        mask = self._compute_mask(filters)
        with self._lock:
            self._masks[filters] = mask
            while len(self._masks) > 64:
                self._masks.popitem(last=False)
        return mask

    def _compute_mask(self, f: SearchFilters) -> np.ndarray:
        corpus = self.corpus
        mask = np.ones(len(self.index.table), bool)
        if f.theme is not None:
            wanted = self.kb.vocabulary.with_narrower(f.theme)
            theme_mask = np.zeros_like(mask)
            for theme in wanted:
                theme_mask[self.rows_by_theme.get(theme, [])] = True
            mask &= theme_mask
        if f.evidence is not None:
            self.kb.vocabulary.evidence_type(f.evidence)
            mask &= self.evidence == f.evidence
        for name in ("year_from", "year_to"):
            value = getattr(f, name)
            if value is not None and not isinstance(value, int):
                raise KbError(f"{name} must be a year, not '{value}'")
        if f.year_from is not None and f.year_to is not None and f.year_from > f.year_to:
            raise KbError(f"year_from {f.year_from} is after year_to {f.year_to}")
        if f.year_from is not None:
            mask &= self.year >= f.year_from
        if f.year_to is not None:
            mask &= self.year <= f.year_to
        if f.source_type is not None:
            known = sorted({s.entry_type for s in corpus.sources.values()})
            if f.source_type not in known:
                raise KbError(f"no source of type '{f.source_type}' (types in this corpus: {', '.join(known)})")
            mask &= self.entry_type == f.source_type
        if f.language is not None:
            known = sorted({s.language for s in corpus.sources.values()})
            if f.language not in known:
                raise KbError(f"no source in language '{f.language}' (languages in this corpus: {', '.join(known)})")
            mask &= self.source_language == f.language
        if f.source is not None:
            if f.source not in corpus.sources:
                raise KbError(f"unknown source key '{f.source}' (see corpus/*.bib)")
            mask &= self.source_key == f.source
        return mask

    # ------------------------------------------------------------ search

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None, mode: str = "hybrid",
               per_source: int | None = 2) -> list[SearchResult]:
        """The k best claims and sources for `query`, best first (see the module docstring)."""
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
        return [self._result(row, score, ranks, prepared) for row, score, ranks in chosen]

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

    # ------------------------------------------------------------ results

    def _result(self, row: int, score: float, ranks: dict, query: Query) -> SearchResult:
        table, corpus = self.index.table, self.corpus
        matched = table.languages[row]
        source = corpus.sources[table.source_keys[row]]
        if table.kinds[row] == CLAIM:
            claim = corpus.claims[table.items[row]]
            language = query.language if query.language in claim.text else matched if matched in claim.text else "en"
            text = claim.text.get(language) or next(iter(claim.text.values()))
            themes = [{"id": t, "label": self.views.theme_label(t, language)} for t in claim.themes]
            claim_id, evidence, locator, kind = claim.id, claim.evidence, claim.locator, "claim"
        else:
            language = query.language if query.language in (source.language, "en") else matched
            text = source.title if language == source.language else source.english_title
            themes = [{"id": t, "label": self.views.theme_label(t, language)} for t in self.source_themes.get(source.key, [])]
            claim_id, evidence, locator, kind = None, None, "", "source"
        return SearchResult(
            claim_id=claim_id, text=text, score=round(float(score), 6), source=_source_dict(source),
            themes=themes, kind=kind, evidence=evidence, language=language, matched_language=matched,
            locator=locator, source_type=source.entry_type, citation=short_citation(source, latin=True),
            ranks=dict(ranks))


def _source_dict(source) -> dict:
    return {
        "key": source.key,
        "title": source.title,
        "title_en": source.title_en or None,
        "year": source.year,
        "doi": source.doi or None,
        "authors": [p.display for p in source.authors] or [p.display for p in source.editors],
    }


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
