"""One-time export of a sentence-transformers model to ONNX (and int8), cached beside the index.

The whole sentence-transformers pipeline (transformer, pooling, normalisation) is exported with
`torch.onnx.export`, so the ONNX graph returns sentence vectors directly, and beside them the word-piece vectors
they pool (recipe 3), which search's late-interaction step compares piece by piece (late_interaction.py). Only
this export imports torch; the ONNX backends run on onnxruntime and `tokenizers` alone.

Files live in INDEX_DIR/models/ as `<model>-<fingerprint>-<backend>.onnx`. The fingerprint covers the model
directory's files (names, sizes, modification times) and the export recipe, so a changed model or recipe is
exported again, while a start with an unchanged model reuses the file. Files are written atomically.

The transformer is exported with its eager attention (recipe 2). With PyTorch's scaled-dot-product attention the
exported graph masks every attention layer with Where and IsNaN operators, 17 % of onnxruntime's time on index
texts; eager attention adds the mask before the softmax instead. Same vectors (fp32: equal to torch's; int8: the
same worst and mean cosine to torch, 0.986 and 0.993 on 400 index units), 7.5 % less CPU time on int8.

int8 is onnxruntime's dynamic quantisation of the weight matrices, per output channel. Measured on the eval
essays' texts: per-tensor int8 lowered the worst per-text cosine to torch's vectors to 0.93, and also quantising
the word-embedding table (not only the MatMul weights) to 0.979; per-channel, MatMul weights only: 0.987 on
passages and sentences (very short texts still drop, so they run on the fp32 graph: see onnx_backend.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.filelock import exclusive

log = logging.getLogger(__name__)

RECIPE_VERSION = 3  # bump when the export or quantisation recipe changes: cached files are then re-made
ONNX_BACKENDS = ("onnx", "onnx-int8")
SENTENCE_OUTPUT = "sentence_vector"
TOKEN_OUTPUT = "token_vectors"  # the transformer's contextual word-piece vectors, before pooling (recipe 3)


def model_fingerprint(source: Path) -> str:
    """A short hash of the model directory's files and the export recipe (cheap: no weights are read)."""
    digest = hashlib.sha256(f"recipe {RECIPE_VERSION}".encode())
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(source)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


def exported_model(source: Path, name: str, backend: str, cache_dir: Path) -> Path:
    """The ONNX file of model directory `source` for `backend`, exported (and quantised) on first use."""
    if backend not in ONNX_BACKENDS:
        raise ValueError(f"unknown ONNX backend {backend!r} (expected one of {', '.join(ONNX_BACKENDS)})")
    slug = re.sub(r"[^A-Za-z0-9._]+", "-", name).strip("-")[-80:]
    stem = f"{slug}-{model_fingerprint(source)}"
    fp32 = cache_dir / f"{stem}-onnx.onnx"
    target = cache_dir / f"{stem}-{backend}.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _export_lock(cache_dir):  # two processes starting together export once
        if not fp32.is_file():
            log.info("exporting embedding model %s to ONNX (once) in %s", name, cache_dir)
            _write_atomically(fp32, lambda tmp: export_onnx(source, tmp))
        if not target.is_file():
            log.info("quantising %s to int8 (once)", fp32.name)
            _write_atomically(target, lambda tmp: quantize_int8(fp32, tmp))
        earlier = re.compile(rf"{re.escape(slug)}-[0-9a-f]{{12}}-onnx(-int8)?\.onnx")
        for stale in cache_dir.iterdir():  # exports of an earlier version of this model
            if earlier.fullmatch(stale.name) and not stale.name.startswith(stem):
                stale.unlink(missing_ok=True)
    return target


def export_onnx(source: Path, target: Path) -> None:
    """Export the sentence-transformers model in `source` (transformer + pooling + normalisation) to `target`."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    try:  # see the module docstring: eager attention exports without SDPA's masking ops
        model = SentenceTransformer(str(source), device="cpu", model_kwargs={"attn_implementation": "eager"}).eval()
    except (TypeError, ValueError):  # a model whose architecture has no eager attention to choose
        model = SentenceTransformer(str(source), device="cpu").eval()
    names = list(model.tokenizer.model_input_names)

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            features = self.model(dict(zip(names, inputs, strict=True)))
            return features["sentence_embedding"], features["token_embeddings"]

    sample = model.tokenizer(["A short sentence.", "A second, somewhat longer sentence to embed."],
                             padding=True, return_tensors="pt")
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence", max=model.max_seq_length)
    # The exporter prints progress to stdout (which `search --json` owns) and warns about axis names.
    with _quiet_libraries(), torch.no_grad(), contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pipeline().eval(),
            tuple(sample[n] for n in names),
            str(target),
            input_names=names,
            output_names=[SENTENCE_OUTPUT, TOKEN_OUTPUT],
            dynamic_shapes=(({0: batch, 1: sequence},) * len(names),),  # one entry: the *inputs tuple
            dynamo=True,
            external_data=False,
            verbose=False,
        )


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the MatMul weights, per channel (see the module docstring for why)."""
    with _quiet_libraries():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(
            str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul"], extra_options={"MatMulConstBOnly": True},
        )


_CHATTY_LOGGERS = ("torch.onnx", "onnxscript", "onnx_ir")


@contextlib.contextmanager
def _quiet_libraries() -> Iterator[None]:
    """The exporter's libraries log every graph pass at INFO; onnxruntime's quantisation logs on the root logger
    and calls logging.basicConfig when imported (after which every library's debug records reach stderr). Keep
    their errors only, and leave the root logger as it was."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in _CHATTY_LOGGERS}
    errors_only = logging.Filter()
    errors_only.filter = lambda record: record.levelno >= logging.ERROR  # type: ignore[method-assign]
    root.addFilter(errors_only)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.removeFilter(errors_only)
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, previous in levels.items():
            logging.getLogger(name).setLevel(previous)


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.onnx")
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _export_lock(cache_dir: Path) -> contextlib.AbstractContextManager[None]:
    return exclusive(cache_dir / ".export.lock")
