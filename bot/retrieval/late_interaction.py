"""Late interaction (ColBERT-style MaxSim) with the embedding model's own word-piece vectors.

A pooled vector averages a passage into one point, so a question whose words each match a different part of the
passage ("why do people pretend to be fine?" against "performed composure … the office asks them to") can sit
nearer a passage of another essay that matches its gist loosely. MaxSim keeps the pieces: each content word piece
of the question takes its best cosine among the passage's contextual word-piece vectors, and the passage scores
the mean. Search uses it to re-rank the fused candidates (search.py); measured on the dev questions only,
benchmarks/retrieval.md.

The vectors come out of the same forward pass as the pooled ones (the ONNX graph has both outputs), so the build
embeds nothing twice. Only content word pieces are kept: no [CLS]/[SEP], punctuation, digits or stop words,
about half of a passage's pieces. They are stored as int8 with one scale per piece (`Pieces`): a quarter of
float32, and the same dev figures as float16. One matrix holds the whole build (`tokens.npy`, memory-mapped: a
search reads only its candidates' rows), with the scales (`token_scales.npy`), the row where each passage
starts (`token_rows.npy`) and the encoder that made them (`token_source.txt`: its embedding-cache name, which
names the ONNX recipe, so a later build reuses pieces only from the same model, backend and recipe).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from bot.retrieval.cache import text_key

TOKENS = "tokens.npy"
TOKEN_SCALES = "token_scales.npy"
TOKEN_ROWS = "token_rows.npy"
TOKEN_SOURCE = "token_source.txt"
_SPECIAL = frozenset(("[CLS]", "[SEP]", "[PAD]", "[UNK]", "<s>", "</s>", "<pad>"))
_STOP = frozenset(STOPWORDS_EN)


def content_pieces(pieces: Sequence[str]) -> list[int]:
    """Positions of the word pieces that carry content: letters (a "##" continuation included), not a stop word,
    not a special token. All non-special pieces when none carries content (a question of stop words alone)."""
    keep = [i for i, p in enumerate(pieces) if p not in _SPECIAL and p.lstrip("#").isalpha() and p not in _STOP]
    return keep or [i for i, p in enumerate(pieces) if p not in _SPECIAL]


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Pieces:
    """One text's word-piece vectors as stored: int8 codes and, per piece, the scale that gives them back."""

    codes: np.ndarray  # (pieces, dimension) int8
    scales: np.ndarray  # (pieces,) float32: vector = codes * scale

    @classmethod
    def of(cls, vectors: np.ndarray) -> Pieces:
        vectors = np.asarray(vectors, dtype=np.float32)
        peak = np.maximum(np.abs(vectors).max(axis=1), 1e-12) if len(vectors) else np.zeros(0, np.float32)
        codes = np.rint(vectors / peak[:, None] * 127).astype(np.int8)
        return cls(codes, (peak / 127).astype(np.float32))

    def vectors(self) -> np.ndarray:
        return self.codes.astype(np.float32) * self.scales[:, None]

    def __len__(self) -> int:
        return len(self.codes)


def maxsim(query: np.ndarray, passage: np.ndarray) -> float:
    """The mean over the query's word pieces of their best cosine with any of the passage's."""
    if not len(query) or not len(passage):
        return 0.0
    return float((np.asarray(query, dtype=np.float32) @ np.asarray(passage, dtype=np.float32).T).max(axis=1).mean())


class TokenStore:
    """The word-piece vectors of every passage of one build, read from disk as they are asked for."""

    def __init__(self, codes: np.ndarray, scales: np.ndarray, rows: np.ndarray, source: str = "") -> None:
        self.codes, self.scales = codes, scales
        self.rows = rows  # passage i's pieces are codes[rows[i]:rows[i + 1]]
        self.source = source  # the encoder's embedding-cache name

    @classmethod
    def load(cls, directory: Path) -> TokenStore | None:
        """The build's store, or None when the build has none (built before it existed, or by an encoder
        without word-piece vectors: search then ranks without the late-interaction step)."""
        if not (directory / TOKENS).is_file():
            return None
        source = directory / TOKEN_SOURCE
        return cls(np.load(directory / TOKENS, mmap_mode="r"), np.load(directory / TOKEN_SCALES),
                   np.load(directory / TOKEN_ROWS), source.read_text(encoding="utf-8").strip() if source.is_file()
                   else "")

    @property
    def passages(self) -> int:
        return len(self.rows) - 1

    @property
    def dimension(self) -> int:
        return int(self.codes.shape[1])

    def pieces(self, row: int) -> Pieces:
        start, end = self.rows[row], self.rows[row + 1]
        return Pieces(np.asarray(self.codes[start:end]), self.scales[start:end])

    def of(self, row: int) -> np.ndarray:
        """Passage `row`'s word-piece vectors (float32)."""
        return self.pieces(row).vectors()

    def by_text(self, texts: Sequence[str]) -> dict[str, Pieces]:
        """{hash of text: its pieces} for passage texts given in this store's passage order (a later build
        reuses the pieces of every passage it keeps)."""
        return {text_key(text): self.pieces(row) for row, text in enumerate(texts) if row < self.passages}


def write_store(directory: Path, pieces: Sequence[Pieces], dimension: int, source: str) -> None:
    """Write one build's store: `pieces[i]` is passage i's, made by the encoder whose cache name is `source`."""
    rows = np.zeros(len(pieces) + 1, dtype=np.int64)
    rows[1:] = np.cumsum([len(p) for p in pieces])
    codes = np.concatenate([p.codes for p in pieces]) if pieces else np.zeros((0, dimension), dtype=np.int8)
    scales = np.concatenate([p.scales for p in pieces]) if pieces else np.zeros(0, dtype=np.float32)
    np.save(directory / TOKENS, codes)
    np.save(directory / TOKEN_SCALES, scales)
    np.save(directory / TOKEN_ROWS, rows)
    (directory / TOKEN_SOURCE).write_text(source + "\n", encoding="utf-8")
