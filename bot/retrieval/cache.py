"""Embedding cache keyed by (model name, hash of the embedded text), so rebuilds embed only what is new."""

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

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                batch = list(keys[start : start + 500])
                marks = ",".join("?" * len(batch))
                rows = db.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})",
                    [self.model, *batch],
                )
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
                [(self.model, key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items.items()],
            )

    def embed(
        self,
        texts: Sequence[str],
        encode: Callable[[list[str]], np.ndarray],
        *,
        refresh: bool = False,
    ) -> tuple[np.ndarray, int]:
        """Vectors for `texts` in order, computing only the missing ones. Returns (vectors, how many embedded)."""
        keys = [text_key(t) for t in texts]
        known = {} if refresh else self.get(sorted(set(keys)))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in known:
                missing.setdefault(key, text)
        if missing:
            vectors = encode(list(missing.values()))
            fresh = dict(zip(missing.keys(), vectors, strict=True))
            self.put(fresh)
            known.update(fresh)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32), 0
        return np.stack([known[k] for k in keys]).astype(np.float32), len(missing)
