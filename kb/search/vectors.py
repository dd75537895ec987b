"""The faiss index over document vectors: exact up to a size, approximate (IVF) beyond it.

Vectors are L2-normalised, so inner product is cosine similarity. Up to the `search_exact_max`
setting's count of vectors the index is a flat one (every query compares with every vector: exact, and a few ms at 20k). Beyond
that it is an IVF index with about 4*sqrt(n) lists, of which `nprobe` are visited per query
(recall against exact search is measured by bench/search_retrieval.py). A filter restricts the
search to allowed rows: on a flat index, or a narrow filter (up to 2,000 rows) on an IVF index, it
is answered exactly over just those rows; a wider one on an IVF index visits proportionally more
lists and skips the rows the filter excludes.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

FLAT = "flat"
IVF = "ivf"
_RECONSTRUCT_MAX = 2000


def nlist_for(count: int) -> int:
    return max(1, min(int(4 * math.sqrt(count)), count // 39))


def trained_nlist(count: int) -> int:
    """The list count a build trains for `count` vectors: nlist_for rounded to a power of two, so a
    trained index serves every corpus size that rounds the same way (see kb.search.index)."""
    return 1 << max(0, round(math.log2(nlist_for(count))))


def train_ivf(vectors: np.ndarray, nlist: int, seed: int = 1234):
    """An empty, trained IVF index (k-means on at most 50 vectors per list; faiss wants at least 39)."""
    import faiss

    dim = vectors.shape[1]
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(seed)
    sample = (
        vectors if len(vectors) <= 50 * nlist else vectors[np.sort(rng.choice(len(vectors), 50 * nlist, replace=False))]
    )
    index.cp.seed = seed
    index.train(np.ascontiguousarray(sample, np.float32))
    return index


def build_index(vectors: np.ndarray, trained=None):
    """The given trained IVF index filled with the vectors, or without one a flat index."""
    import faiss

    vectors = np.ascontiguousarray(vectors, np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1]) if trained is None else faiss.clone_index(trained)
    index.add(vectors)
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # lets a narrow filter read the allowed vectors back
    return index


def patch_ivf(index, old_keys: list, new_keys: list, vectors: np.ndarray, max_share: float = 0.25):
    """Turn a filled IVF index over `old_keys` (one per row) into one over `new_keys` by replacing
    only the rows whose key changed, or None when more than `max_share` of them did (a refill is
    then about as cheap). The rows' ids stay their positions 0..n-1, as `search` and `rows` expect.

    The result equals a refill with the same trained lists: IVF assigns each vector to its nearest
    centroid, whatever else the index holds. At 144k vectors this replaces a 5 s refill (every
    vector compared with every centroid) with a scan of the lists and the few new vectors.
    """
    import faiss

    common = min(len(old_keys), len(new_keys))
    changed = [row for row in range(common) if old_keys[row] != new_keys[row]]
    changed += range(common, len(new_keys))
    if len(changed) + max(0, len(old_keys) - len(new_keys)) > max_share * max(1, len(new_keys)):
        return None
    gone = np.array([row for row in changed if row < len(old_keys)] + list(range(common, len(old_keys))), np.int64)
    index.make_direct_map(False)  # faiss removes nothing while an array direct map is kept; rebuilt below
    if len(gone):
        index.remove_ids(faiss.IDSelectorArray(len(gone), faiss.swig_ptr(gone)))
    if changed:
        rows = np.array(changed, np.int64)
        index.add_with_ids(np.ascontiguousarray(vectors[rows], np.float32), rows)
    index.make_direct_map()
    return index


def centroid_digest(index) -> str:
    """A fingerprint of an IVF index's trained lists: two indexes can be patched into each other
    only when their centroids are the same."""
    import hashlib

    import faiss

    quantizer = faiss.downcast_index(index.quantizer)
    data = faiss.rev_swig_ptr(quantizer.get_xb(), quantizer.ntotal * quantizer.d)
    return hashlib.sha256(np.asarray(data, np.float32).tobytes()).hexdigest()


def kind_of(index) -> str:
    import faiss

    return IVF if isinstance(index, faiss.IndexIVF) else FLAT


def write(index, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def read(path: Path):
    import faiss

    index = faiss.read_index(str(path))  # already of its concrete type (downcasting a temporary would free it)
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # lets a narrow filter read the allowed vectors back
    return index


def search(index, query: np.ndarray, k: int, allowed: np.ndarray | None, nprobe: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the k best rows, best first; `allowed` is a boolean mask over rows or None."""
    import faiss

    total = index.ntotal
    query = np.ascontiguousarray(query.reshape(1, -1), np.float32)
    if total == 0 or k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    if allowed is not None:
        allowed_rows = np.flatnonzero(allowed)
        if len(allowed_rows) == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if isinstance(index, faiss.IndexFlat) or len(allowed_rows) <= _RECONSTRUCT_MAX:
            # Exact over the allowed rows only: no recall lost to the filter. (Reading vectors back
            # from an IVF index costs about 2 us each, so only for narrow filters.)
            scores = rows(index, allowed_rows) @ query[0]
            best = top(scores, k)
            return scores[best], allowed_rows[best]
        selector = faiss.IDSelectorBitmap(np.packbits(allowed, bitorder="little"))
        # A filter that keeps a share s of the rows leaves about s of each list: visit 1/s more lists.
        probes = min(index.nlist, max(nprobe, int(math.ceil(nprobe * total / len(allowed_rows)))))
        params = faiss.SearchParametersIVF(sel=selector, nprobe=probes)
        scores, ids = index.search(query, min(k, len(allowed_rows)), params=params)
    elif isinstance(index, faiss.IndexIVF):
        scores, ids = index.search(query, min(k, total), params=faiss.SearchParametersIVF(nprobe=nprobe))
    else:
        scores, ids = index.search(query, min(k, total))
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def rows(index, wanted: np.ndarray) -> np.ndarray:
    """The stored vectors of some rows."""
    import faiss

    return _flat_rows(index, wanted) if isinstance(index, faiss.IndexFlat) else index.reconstruct_batch(wanted)


def _flat_rows(index, wanted: np.ndarray) -> np.ndarray:
    import faiss

    data = faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)
    return data[wanted]


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, highest first; ties keep their order."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
