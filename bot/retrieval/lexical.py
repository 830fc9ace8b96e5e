"""BM25 over passages (bm25s), with stemming and English stop words; queries and documents tokenised alike.

Beside bm25s's own files the index keeps each passage's tokens (`passage_tokens.npy`, ids into bm25s's vocabulary,
and `passage_token_rows.npy`, where each passage's start), so a later build tokenises only the passages it does
not have: tokenising every passage was 1 s of an add to 1,000 essays. A build without them (an older one) is read
as before; the next build tokenises everything once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " ", "–": " "})
TOKEN_IDS = "passage_tokens.npy"
TOKEN_ROWS = "passage_token_rows.npy"
VOCAB = "vocab.index.json"  # bm25s's


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
    def __init__(self, model: bm25s.BM25 | None, size: int, tokens: Sequence[list[str]] = ()) -> None:
        self._model = model
        self.size = size
        self._tokens = tokens  # each passage's tokens, kept by a fresh build for `save`

    @classmethod
    def build(cls, documents: Sequence[str], known: Sequence[list[str] | None] = ()) -> LexicalIndex:
        """The index of `documents`; `known[i]`, where given, is document i's tokens from an earlier build."""
        known = list(known) or [None] * len(documents)
        todo = [i for i, tokens in enumerate(known) if tokens is None]
        for i, tokens in zip(todo, tokenize([documents[i] for i in todo]), strict=True):
            known[i] = tokens
        return cls.of_tokens([tokens or [] for tokens in known])

    @classmethod
    def of_tokens(cls, tokens: Sequence[list[str]]) -> LexicalIndex:
        if not tokens:
            return cls(None, 0)
        model = bm25s.BM25()
        model.index(list(tokens), show_progress=False)
        return cls(model, len(tokens), tokens)

    def save(self, directory: Path) -> None:
        if self._model is None:
            return
        self._model.save(str(directory), show_progress=False)
        vocab = self._model.vocab_dict
        ids = [vocab[token] for tokens in self._tokens for token in tokens]
        rows = np.zeros(len(self._tokens) + 1, dtype=np.int64)
        rows[1:] = np.cumsum([len(tokens) for tokens in self._tokens])
        np.save(directory / TOKEN_IDS, np.array(ids, dtype=np.int32))
        np.save(directory / TOKEN_ROWS, rows)

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


def saved_tokens(directory: Path, size: int) -> list[list[str]] | None:
    """Each passage's tokens as a build saved them in `directory`, or None (a build without them, or unreadable)."""
    try:
        vocab = json.loads((directory / VOCAB).read_text(encoding="utf-8"))
        ids, rows = np.load(directory / TOKEN_IDS), np.load(directory / TOKEN_ROWS)
    except (OSError, ValueError):
        return None
    if len(rows) != size + 1 or (len(ids) and (ids.min() < 0 or ids.max() >= len(vocab))) or rows[-1] != len(ids):
        return None
    words = np.empty(len(vocab), dtype=object)
    for word, number in vocab.items():
        words[number] = word
    flat = words[ids].tolist()
    return [flat[start:end] for start, end in zip(rows[:-1].tolist(), rows[1:].tolist(), strict=True)]
