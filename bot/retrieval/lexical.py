"""BM25 over passages (bm25s), with stemming and English stop words; queries and documents tokenised alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " ", "–": " "})


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    cleaned = [t.translate(_QUOTES) for t in texts]
    return bm25s.tokenize(
        cleaned, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )  # type: ignore[return-value]


class LexicalIndex:
    def __init__(self, model: bm25s.BM25 | None, size: int) -> None:
        self._model = model
        self.size = size

    @classmethod
    def build(cls, documents: Sequence[str]) -> LexicalIndex:
        if not documents:
            return cls(None, 0)
        model = bm25s.BM25()
        model.index(tokenize(documents), show_progress=False)
        return cls(model, len(documents))

    def save(self, directory: Path) -> None:
        if self._model is not None:
            self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        if size == 0:
            return cls(None, 0)
        model = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        return cls(model, size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for `query` (zeros where no term matches)."""
        if self._model is None:
            return np.zeros(0, dtype=np.float32)
        tokens = tokenize([query])[0]
        known = [t for t in tokens if t in self._model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)
