"""BM25 over the same documents the dense index holds, with bilingual Snowball stems, built incrementally.

Scoring is BM25 as Lucene computes it (the variant bm25s calls "lucene", which made this index
before; k1 = 1.5, b = 0.75): idf = ln(1 + (N - df + 0.5) / (df + 0.5)) and a term's weight in a
document is idf * tf / (tf + k1 * (1 - b + b * length / mean length)). The weights are stored per
term as a posting list (documents, weights), so a query adds up one slice per query term.

Stemming is the slow part of building it (bilingual Snowball over every word), so each build stems
only the documents it has not seen before: every document's terms and counts are kept in the build
cache (TermCache, keyed by the document's text hash). The weights depend on every document (idf,
mean length), so they are recomputed each build, from the cached counts, in a few vectorised passes:
a one-claim edit at 100k claims stems one document and spends about a second here instead of ten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.search.text import stems

K1 = 1.5
B = 0.75
VOCABULARY = "vocabulary.json"
POSTINGS = "postings.npz"
TERM_CACHE = "lexical-terms.npz"


@dataclass
class LexicalIndex:
    vocabulary: dict[str, int]  # stem -> term id
    indptr: np.ndarray  # term id -> its slice of docs/weights (int64, len = terms + 1)
    docs: np.ndarray  # document rows, grouped by term (int32)
    weights: np.ndarray  # BM25 weight of the term in that document (float32)
    num_docs: int


@dataclass
class TermCounts:
    """Documents as rows of (term id, count), CSR-style, over one vocabulary."""

    vocabulary: list[str]
    indptr: np.ndarray  # int64, len = documents + 1
    terms: np.ndarray  # int32
    counts: np.ndarray  # int32

    @classmethod
    def empty(cls) -> TermCounts:
        return cls([], np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))

    def __len__(self) -> int:
        return len(self.indptr) - 1


# ------------------------------------------------------------------ building


def build(texts: list[str], digests: list[str] | None = None, cache_dir: Path | None = None) -> LexicalIndex:
    """The index over `texts`; with `cache_dir`, documents seen by an earlier build are not stemmed again."""
    cache = TermCache(cache_dir) if cache_dir is not None and digests is not None else None
    counts = cache.counts_for(texts, digests) if cache else count_terms(texts)
    if cache:
        cache.save(counts, digests)
    return weigh(counts)


def count_terms(texts: list[str], vocabulary: list[str] | None = None) -> TermCounts:
    """Stem `texts` into rows of term counts, extending `vocabulary` (in place) with new stems."""
    vocabulary = vocabulary if vocabulary is not None else []
    ids = {term: index for index, term in enumerate(vocabulary)}
    indptr, terms, counts = [0], [], []
    for text in texts:
        row: dict[int, int] = {}
        for stem in stems(text):
            term = ids.get(stem)
            if term is None:
                term = ids[stem] = len(vocabulary)
                vocabulary.append(stem)
            row[term] = row.get(term, 0) + 1
        terms.extend(row)
        counts.extend(row.values())
        indptr.append(len(terms))
    return TermCounts(vocabulary, np.array(indptr, np.int64), np.array(terms, np.int32), np.array(counts, np.int32))


def weigh(counts: TermCounts) -> LexicalIndex:
    """BM25 weights from term counts, as posting lists per term (used terms only)."""
    num_docs = len(counts)
    doc_of = np.repeat(np.arange(num_docs, dtype=np.int32), np.diff(counts.indptr))
    lengths = np.bincount(doc_of, weights=counts.counts, minlength=num_docs).astype(np.float32)
    mean_length = float(lengths.mean()) if num_docs and lengths.mean() > 0 else 1.0
    frequency = np.bincount(counts.terms, minlength=len(counts.vocabulary))
    used = np.flatnonzero(frequency)
    renumber = np.full(len(counts.vocabulary), -1, np.int64)
    renumber[used] = np.arange(len(used))
    terms = renumber[counts.terms]
    df = frequency[used].astype(np.float64)
    idf = np.log1p((num_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    tf = counts.counts.astype(np.float32)
    norm = K1 * ((1 - B) + B * lengths[doc_of] / mean_length)
    weights = idf[terms] * tf / (tf + norm)
    order = np.argsort(terms, kind="stable")  # group by term; documents stay in order within a term
    indptr = np.zeros(len(used) + 1, np.int64)
    np.cumsum(np.bincount(terms, minlength=len(used)), out=indptr[1:])
    vocabulary = {counts.vocabulary[old]: new for new, old in enumerate(used.tolist())}
    return LexicalIndex(vocabulary, indptr, doc_of[order], weights[order].astype(np.float32), num_docs)


class TermCache:
    """Every indexed document's term counts, keyed by text hash: build/cache/search/lexical-terms.npz.

    One file, written atomically; it holds the documents of the last build only (a build replaces
    it), over a vocabulary renumbered to the terms those documents use. A damaged or unreadable
    file is only a cache miss: everything is stemmed again.
    """

    def __init__(self, directory: Path):
        self.path = directory / TERM_CACHE
        self.known = TermCounts.empty()
        self.rows: dict[bytes, int] = {}
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                keys = stored["keys"]
                self.known = TermCounts(
                    stored["vocabulary"].tolist(), stored["indptr"], stored["terms"], stored["counts"]
                )
            if keys.ndim != 2 or keys.shape[1] != 16 or len(keys) != len(self.known):
                raise ValueError("inconsistent")
            self.rows = {key.tobytes(): row for row, key in enumerate(keys)}
        except (OSError, ValueError, KeyError, EOFError):
            self.known, self.rows = TermCounts.empty(), {}

    def counts_for(self, texts: list[str], digests: list[str]) -> TermCounts:
        """Counts of every text: cached rows reused, the rest stemmed (over the cached vocabulary)."""
        rows = np.array([self.rows.get(_key(d), -1) for d in digests], np.int64)
        missing = np.flatnonzero(rows < 0)
        vocabulary = list(self.known.vocabulary)
        fresh = count_terms([texts[i] for i in missing], vocabulary)
        # One table of known rows followed by the fresh ones, then gathered in document order.
        offset = len(self.known)
        table = TermCounts(
            vocabulary,
            np.concatenate([self.known.indptr, self.known.indptr[-1] + fresh.indptr[1:]]),
            np.concatenate([self.known.terms, fresh.terms]),
            np.concatenate([self.known.counts, fresh.counts]),
        )
        rows[missing] = offset + np.arange(len(missing))
        return _gather(table, rows)

    def save(self, counts: TermCounts, digests: list[str]) -> None:
        from kb.build.atomic import atomic_output

        used = np.unique(counts.terms)
        renumber = np.zeros(len(counts.vocabulary), np.int32)
        renumber[used] = np.arange(len(used), dtype=np.int32)
        keys = np.frombuffer(b"".join(_key(d) for d in digests), np.uint8).reshape(len(digests), 16)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(self.path) as handle:
            np.savez(
                handle,
                keys=keys,
                vocabulary=np.array([counts.vocabulary[i] for i in used.tolist()], dtype=str),
                indptr=counts.indptr,
                terms=renumber[counts.terms],
                counts=counts.counts,
            )


def _key(digest: str) -> bytes:
    return bytes.fromhex(digest)[:16]


def _gather(table: TermCounts, rows: np.ndarray) -> TermCounts:
    """The rows `rows` of `table`, in that order."""
    starts, ends = table.indptr[rows], table.indptr[rows + 1]
    lengths = ends - starts
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    positions = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
    return TermCounts(table.vocabulary, indptr, table.terms[positions], table.counts[positions])


# ------------------------------------------------------------------ files and queries


def save(index: LexicalIndex, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    terms = sorted(index.vocabulary, key=index.vocabulary.get)
    (folder / VOCABULARY).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    with (folder / POSTINGS).open("wb") as handle:
        np.savez(
            handle,
            indptr=index.indptr,
            docs=index.docs,
            weights=index.weights,
            num_docs=np.array([index.num_docs], np.int64),
        )


def load(folder: Path) -> LexicalIndex:
    terms = json.loads((folder / VOCABULARY).read_text(encoding="utf-8"))
    with np.load(folder / POSTINGS, allow_pickle=False) as stored:
        index = LexicalIndex(
            {term: i for i, term in enumerate(terms)},
            stored["indptr"],
            stored["docs"],
            stored["weights"],
            int(stored["num_docs"][0]),
        )
    if (
        len(index.indptr) != len(terms) + 1
        or index.indptr[-1] != len(index.docs)
        or len(index.docs) != len(index.weights)
    ):
        raise ValueError("lexical index files disagree")
    return index


def scores(index: LexicalIndex, query_stems: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
    """BM25 score of every document; `weights` scales the contribution of some stems (thesaurus terms)."""
    total = np.zeros(index.num_docs, np.float32)
    weights = weights or {}
    for stem in dict.fromkeys([*query_stems, *weights]):
        term = index.vocabulary.get(stem)
        if term is None:
            continue
        start, end = index.indptr[term], index.indptr[term + 1]
        factor = weights.get(stem, 1.0) if stem not in query_stems else 1.0
        total[index.docs[start:end]] += factor * index.weights[start:end]
    return total
