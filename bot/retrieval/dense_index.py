"""The dense (vector) index: exact inner product while the collection is small, HNSW past a size threshold.

Exact search scores every vector with one matrix-vector product over the stored matrix. Measured on 2 cores
(benchmarks/results.md): 3.4 ms at 100,000 vectors, 6.4 ms at 200,000 (about 2,300 essays of 1,200 words),
12.9 ms at 400,000, linear in the count. Up to DENSE_EXACT_MAX_VECTORS = 200,000 that is an eighth of the 50 ms
search budget, and exact needs no graph build and no approximation. Past it, the build writes an HNSW graph over
the same flat vectors: search visits about efSearch vectors whatever the size, and the vectors stay available for
`reconstruct` and for exact re-scoring of the candidates' units.

HNSW parameters, measured on the 88,372 unit vectors of 1,000 synthetic essays against exact search, with 200
queries (half on the essays, half off-topic): M=32, efConstruction=80 (5.8 s to build) gives recall@10 0.922 at
efSearch 128, 0.961 at 512 and 0.970 at 1,024 (0.8 ms a query); counting ties with the 10th-best similarity as
found (the synthetic essays repeat some sentences), 0.948 / 0.988 / 0.998. efConstruction 200 reached 0.969 at
efSearch 256 but took 2.6x as long to build, and every build rebuilds the index, so search pays instead.
"""

from __future__ import annotations

import faiss
import numpy as np

EXACT_MAX_VECTORS = 200_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 1024
FLAT = "flat"
HNSW = "hnsw"


def index_kind(vectors: int, exact_max_vectors: int = EXACT_MAX_VECTORS) -> str:
    return FLAT if vectors <= exact_max_vectors else HNSW


def build_dense_index(vectors: np.ndarray, dimension: int, exact_max_vectors: int = EXACT_MAX_VECTORS) -> faiss.Index:
    """An exact flat index, or HNSW over flat storage when there are more than `exact_max_vectors` vectors."""
    if index_kind(len(vectors), exact_max_vectors) == FLAT:
        index: faiss.Index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def is_exact(index: faiss.Index) -> bool:
    return isinstance(faiss.downcast_index(index), faiss.IndexFlat)


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """The (ntotal, d) matrix of a flat or HNSW-flat index, as a read-only view (no copy)."""
    index = faiss.downcast_index(index)
    flat = index if isinstance(index, faiss.IndexFlat) else faiss.downcast_index(index.storage)
    if flat.ntotal == 0:
        return np.zeros((0, flat.d), dtype=np.float32)
    view = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)
    view.flags.writeable = False
    return view


def nearest(index: faiss.Index, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, ids) of about the `k` nearest vectors to the (1, d) `vector` on an HNSW index."""
    params = faiss.SearchParametersHNSW(efSearch=max(k, HNSW_EF_SEARCH))
    sims, ids = index.search(vector, min(k, index.ntotal), params=params)
    keep = ids[0] >= 0
    return sims[0][keep], ids[0][keep]
