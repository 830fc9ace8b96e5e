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

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

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


Span = tuple[int, int]  # rows [start, end) of a live store's matrix


def write_store(directory: Path, pieces: Sequence[Pieces | int], dimension: int, source: str,
                live: TokenStore | None = None) -> None:
    """Write one build's store, made by the encoder whose cache name is `source`: `pieces[i]` is passage i's, or
    an int, the row of the passage in the `live` store whose pieces it keeps.

    Kept pieces are copied file to file (`os.copy_file_range`: the kernel moves the bytes, consecutive passages
    in one call), not read into memory and written back: at 1,000 essays the matrix is 380 MB, and an add that
    wrote it all through numpy spent 1.8 s of its 9 s here.
    """
    parts = [p if isinstance(p, Pieces) else _span_of(live, p) for p in pieces]
    rows = np.zeros(len(parts) + 1, dtype=np.int64)
    rows[1:] = np.cumsum([len(p) if isinstance(p, Pieces) else p[1] - p[0] for p in parts])
    runs = _runs(parts)
    with open(directory / TOKENS, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "|i1", "fortran_order": False,
                                                      "shape": (int(rows[-1]), dimension)})
        for run in runs:
            if isinstance(run, Pieces):
                handle.write(np.ascontiguousarray(run.codes, dtype=np.int8).tobytes())
            else:
                handle.flush()
                _copy_rows(cast(TokenStore, live), run, handle)
    scales = [r.scales if isinstance(r, Pieces) else cast(TokenStore, live).scales[r[0]:r[1]] for r in runs]
    np.save(directory / TOKEN_SCALES, np.concatenate(scales).astype(np.float32, copy=False) if scales
            else np.zeros(0, dtype=np.float32))
    np.save(directory / TOKEN_ROWS, rows)
    (directory / TOKEN_SOURCE).write_text(source + "\n", encoding="utf-8")


def _span_of(live: TokenStore | None, row: int) -> Span:
    if live is None:
        raise ValueError("a kept passage's pieces need the live store")
    return int(live.rows[row]), int(live.rows[row + 1])


def _runs(parts: list[Pieces | Span]) -> list[Pieces | Span]:
    """`parts` with each stretch of consecutive live rows merged into one span."""
    runs: list[Pieces | Span] = []
    for part in parts:
        if isinstance(part, tuple) and runs and isinstance(runs[-1], tuple) and runs[-1][1] == part[0]:
            runs[-1] = (runs[-1][0], part[1])
        else:
            runs.append(part)
    return runs


def _copy_rows(live: TokenStore, span: Span, handle: BinaryIO) -> None:
    """Append rows `span` of the live matrix to `handle` (flushed), in the kernel where the file system can."""
    width = live.dimension
    start, count = span[0] * width, (span[1] - span[0]) * width
    source = getattr(live.codes, "filename", None)
    if source is not None and hasattr(os, "copy_file_range"):
        with open(source, "rb") as origin:
            offset = int(getattr(live.codes, "offset", 0)) + start
            try:
                while count > 0:
                    moved = os.copy_file_range(origin.fileno(), handle.fileno(), count, offset)
                    if moved == 0:
                        break
                    offset, count, start = offset + moved, count - moved, start + moved
            except OSError:
                pass  # not across these file systems: copy what is left through memory
    flat = live.codes.reshape(-1)
    for block in range(start, start + count, _BLOCK):
        handle.write(np.asarray(flat[block:min(block + _BLOCK, start + count)]).tobytes())


_BLOCK = 1 << 26  # bytes per write when copying through memory
