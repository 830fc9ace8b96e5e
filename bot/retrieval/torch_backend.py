"""Embedding on torch with sentence-transformers (the reference the ONNX backends are measured against)."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np

from bot.retrieval.late_interaction import content_pieces, normalised


class TorchRuntime:
    def __init__(self, source: str, device: str = "cpu") -> None:
        if Path(source).is_dir():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local model must never reach for the hub
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # the "Loading weights" bar is noise on every start
        self.model = SentenceTransformer(source, device=device)
        self.dimension = int(self.model.get_embedding_dimension())
        self.max_tokens = int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def encode(self, texts: Sequence[str], batch_size: int, progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_tokens(self, texts: Sequence[str], batch_size: int, progress: bool = False,
                      pieces_for: Collection[int] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """`encode`'s vectors and the content word-piece vectors of each text, or of the texts at positions
        `pieces_for` (see late_interaction.py)."""
        wanted = set(range(len(texts)) if pieces_for is None else pieces_for)
        features = self.model.encode(list(texts), batch_size=batch_size, show_progress_bar=progress,
                                     output_value=None, normalize_embeddings=True)
        vectors = np.stack([f["sentence_embedding"].float().numpy() for f in features]).astype(np.float32)
        pieces = []
        for i, f in enumerate(features):
            tokens = self.model.tokenizer.convert_ids_to_tokens(f["input_ids"].tolist())
            pieces.append(normalised(f["token_embeddings"].float().numpy()[content_pieces(tokens) if i in wanted
                                                                            else []]))
        return np.ascontiguousarray(vectors), pieces
