"""Embedding cache keyed by (model name, hash of the embedded text), so rebuilds embed only what is new.

`BuildEmbedder` sits on top of it for one index build: it remembers every vector the build has obtained, so a
text asked for again (an argument-map sentence that is also a search unit) costs a dictionary look-up, not a
second embedding.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np

from bot.sqlite import transaction


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, path: Path, model: str) -> None:
        self.path = Path(path)
        self.model = model
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS embeddings ("
                " model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
                " PRIMARY KEY (model, text_hash))"
            )

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def get(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored vectors (float32 bytes) of those `keys` that are cached."""
        found: dict[str, bytes] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                batch = list(keys[start : start + 500])
                marks = ",".join("?" * len(batch))
                rows = db.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})",
                    [self.model, *batch],
                )
                found.update(rows)
        return found

    def put(self, items: dict[str, bytes]) -> None:
        """Store float32 vectors, as bytes, by key (in key order: 88,000 rows went in in 1.2 s instead of 1.5)."""
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
                           [(self.model, key, blob) for key, blob in sorted(items.items())])

    def embed(
        self,
        texts: Sequence[str],
        encode: Callable[[list[str]], np.ndarray],
        *,
        refresh: bool = False,
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` in order, computing only the missing ones. Returns (vectors, how many embedded).

        Vectors stay bytes until the end, where they are joined in order into one matrix: one copy, no per-row
        numpy work (stacking 88,000 cached rows one by one took seconds of an add to 1,000 essays).
        """
        if not texts:
            return np.zeros((0, 0), dtype=np.float32), 0
        keys = [text_key(t) for t in texts]
        known = {} if refresh else self.get(list(dict.fromkeys(keys)))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in known:
                missing.setdefault(key, text)
        if missing:
            vectors = np.ascontiguousarray(encode(list(missing.values())), dtype=np.float32)
            fresh = {key: row.tobytes() for key, row in zip(missing, vectors, strict=True)}
            self.put(fresh)
            if len(missing) == len(keys):  # every text new and distinct (a full build): the matrix is the answer
                return vectors, len(missing)
            known.update(fresh)
        joined = bytearray(b"".join(known[k] for k in keys))
        return np.frombuffer(joined, dtype=np.float32).reshape(len(keys), -1), len(missing)


class BuildEmbedder:
    """Vectors for one build: each distinct text is embedded at most once, whoever asks for it.

    Calling it with texts returns their L2-normalised vectors in order. A text this build has seen already comes
    from memory; the others are looked up in the cache (unless `refresh`) and the rest are encoded together, in
    one `encode` call per call of this object (the backends sort a call's texts by length into batches). Ask
    once with everything: a call per item would be a batch per item.
    """

    def __init__(self, cache: EmbeddingCache, encode: Callable[[list[str]], np.ndarray], dimension: int,
                 *, refresh: bool = False) -> None:
        self.cache = cache
        self.encode = encode
        self.dimension = dimension
        self.refresh = refresh
        self.embedded = 0  # texts encoded (not found in memory or the cache) so far
        self._blocks: list[np.ndarray] = []  # the matrix each call obtained
        self._where: dict[str, tuple[int, int]] = {}  # text -> (block, row)

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct `texts` that a call would have to encode (neither in memory nor, unless `refresh`, in the
        cache). What the cache has is read into memory on the way, so the call that follows reads nothing again."""
        new = [t for t in dict.fromkeys(texts) if t not in self._where]
        if self.refresh or not new:
            return new
        keys = [text_key(t) for t in new]
        cached = self.cache.get(keys)
        found = [(t, k) for t, k in zip(new, keys, strict=True) if k in cached]
        if found:
            joined = bytearray(b"".join(cached[k] for _, k in found))
            self._blocks.append(np.frombuffer(joined, dtype=np.float32).reshape(len(found), -1))
            self._where.update((t, (len(self._blocks) - 1, row)) for row, (t, _) in enumerate(found))
        return [t for t, k in zip(new, keys, strict=True) if k not in cached]

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Vectors of distinct `texts` that were encoded elsewhere (with their word pieces, say): kept for this
        build and in the cache, as if this object had encoded them."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.cache.put({text_key(t): row.tobytes() for t, row in zip(texts, vectors, strict=True)})
        self.embedded += len(texts)
        self._blocks.append(vectors)
        self._where.update((text, (len(self._blocks) - 1, row)) for row, text in enumerate(texts))

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        new = [t for t in dict.fromkeys(texts) if t not in self._where]
        if new:
            vectors, embedded = self.cache.embed(new, self.encode, refresh=self.refresh)
            self.embedded += embedded
            self._blocks.append(vectors)
            self._where.update((text, (len(self._blocks) - 1, row)) for row, text in enumerate(new))
            if len(new) == len(texts):
                return vectors
        where = np.array([self._where[t] for t in texts])
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for number, block in enumerate(self._blocks):
            mine = where[:, 0] == number
            out[mine] = block[where[mine, 1]]
        return out
