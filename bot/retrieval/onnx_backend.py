"""Embedding on onnxruntime: the exported model (see `onnx_export.py`) and the model's own tokenizer.json.

Nothing here imports torch, so a process on an ONNX backend starts faster and holds less memory.

int8 runs texts of at most SHORT_TEXT_TOKENS word pieces on the fp32 graph. Dynamic quantisation scales each
activation tensor by its range, which the [CLS]/[SEP] outliers dominate when a text has few tokens: measured
against torch, int8's worst cosine was 0.968 for texts of 3-5 word pieces and 0.981 for 6-8, but 0.982-0.989
from 9 up. Short texts (chat messages, queries) cost little in fp32; passages and sentences are longer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer
from tqdm import tqdm

from bot.retrieval.late_interaction import content_pieces, normalised
from bot.retrieval.onnx_export import SENTENCE_OUTPUT, TOKEN_OUTPUT

DEFAULT_MAX_TOKENS = 512
SHORT_TEXT_TOKENS = 12
BATCH_TOKENS = 384
# onnxruntime's fused SkipLayerNormalization kernel took 17 % of int8 inference on index units, 3.5x the Add and
# LayerNormalization it replaces (onnxruntime 1.32, 2 cores): unfused, 14-19 % less CPU time, and the vectors are
# as close to the fp32 graph's as before (mean cosine 0.9935 on passages, 0.9927 on sentences, both ways).
_DISABLED_FUSIONS = ["SkipLayerNormFusion"]


class OnnxRuntime:
    """Texts to L2-normalised vectors with an ONNX sentence-embedding graph (inputs: the tokenizer's arrays)."""

    def __init__(self, source: Path, model_file: Path, short_model_file: Path | None = None) -> None:
        """`short_model_file`: the graph for texts of at most SHORT_TEXT_TOKENS word pieces (default: the same)."""
        self.session = _session(model_file)
        self._short_session = _session(short_model_file) if short_model_file is not None else self.session
        self.max_tokens = _max_seq_length(source)
        self._counter = Tokenizer.from_file(str(source / "tokenizer.json"))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.no_padding()  # batches are padded to their longest text below
        self._inputs = [i.name for i in self.session.get_inputs()]
        self.workers = _cores()
        width = self.session.get_outputs()[0].shape[-1]
        self.dimension = width if isinstance(width, int) else int(self.encode(["dimension"], 1).shape[1])

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text).ids)

    def encode(self, texts: Sequence[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """Vectors in input order. Texts are batched longest first, so little padding is computed, at most
        `batch_size` texts and about BATCH_TOKENS word pieces a batch (see `_batches`), and the batches run on
        one thread per core (each batch on one thread: see `_session`)."""
        return self._run(texts, batch_size, progress, pieces=False)[0]

    def encode_tokens(self, texts: Sequence[str], batch_size: int, progress: bool = False,
                      pieces_for: Collection[int] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """`encode`'s vectors and, from the same pass, the content word-piece vectors (float32, unit length: see
        late_interaction.py) of each text, or of the texts at positions `pieces_for` (the others get none)."""
        return self._run(texts, batch_size, progress, pieces=True, pieces_for=pieces_for)

    def _run(self, texts: Sequence[str], batch_size: int, progress: bool, pieces: bool,
             pieces_for: Collection[int] | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        wanted = set(range(len(texts)) if pieces_for is None else pieces_for) if pieces else set()
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        short = lengths[order] <= SHORT_TEXT_TOKENS
        batches = [(self.session, rows) for rows in _batches(order[~short], lengths, batch_size)]
        batches += [(self._short_session, rows) for rows in _batches(order[short], lengths, batch_size)]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        token_vectors: list[np.ndarray] = [np.zeros((0, self.dimension), dtype=np.float32)] * len(texts)

        def run(batch: tuple[ort.InferenceSession, np.ndarray]) -> None:
            session, rows = batch
            arrays = {name: np.zeros((len(rows), lengths[rows[0]]), dtype=np.int64) for name in
                      ("input_ids", "attention_mask", "token_type_ids")}
            for i, row in enumerate(rows):
                encoding = encodings[row]
                arrays["input_ids"][i, : len(encoding.ids)] = encoding.ids
                arrays["attention_mask"][i, : len(encoding.ids)] = encoding.attention_mask
                arrays["token_type_ids"][i, : len(encoding.ids)] = encoding.type_ids
            # the word-piece output only for a batch that has texts wanting it (copying it out is not free)
            outputs = [SENTENCE_OUTPUT, TOKEN_OUTPUT] if wanted.intersection(rows.tolist()) else [SENTENCE_OUTPUT]
            results = session.run(outputs, {name: arrays[name] for name in self._inputs})
            vectors[rows] = results[0]
            for i, row in enumerate(rows):
                if row in wanted:
                    token_vectors[row] = normalised(results[1][i, content_pieces(encodings[row].tokens)])

        bar = tqdm(total=len(batches), desc="embedding", unit="batch", disable=not progress)
        if len(batches) == 1 or self.workers == 1:
            for batch in batches:
                run(batch)
                bar.update()
        else:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-embed") as pool:
                for _ in pool.map(run, batches):  # onnxruntime releases the GIL while a batch runs
                    bar.update()
        bar.close()
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12), token_vectors


def _batches(rows: np.ndarray, lengths: np.ndarray, size: int) -> list[np.ndarray]:
    """`rows`, longest first, in batches of at most `size` texts and BATCH_TOKENS word pieces (padded to the
    batch's first, longest text; a text longer than that is a batch alone).

    A token budget rather than a fixed count: 32 passages of 200 word pieces make activations of tens of MB per
    layer (the 1,536-wide feed-forward, 12 heads of 200x200 attention), far past the caches; a few hundred word
    pieces keep them near. Measured on 2 cores on the units of 200 synthetic essays, CPU time against batches of
    32: budgets of 256-1,024 word pieces took 0.71-0.77x on passages and 0.91-1.0x on sentences (16 or so to a
    batch at 384); 384 with SkipLayerNormalization unfused as well took 0.74x on a mix of both. Int8 vectors stay
    as close to fp32 as before (dynamic quantisation scales each batch by its own range). Of the budgets tried,
    384 kept dev hybrid recall@3 and @5 (0.843, 0.865; 512 lost a question on dev).
    """
    batches: list[np.ndarray] = []
    start = 0
    while start < len(rows):
        count = min(size, max(1, BATCH_TOKENS // int(lengths[rows[start]])))
        batches.append(rows[start : start + count])
        start += count
    return batches


def _session(model_file: Path) -> ort.InferenceSession:
    """A session that runs each call on the calling thread alone (`encode` runs batches on several threads).

    One thread per batch, a batch per core, rather than every batch split across the cores: the operators of
    MiniLM on one batch are small (32 texts × 384 wide), so splitting each of them costs a wake-up and a join per
    operator, about 300 per batch. Measured on 2 cores, 800 index units: 8 % less CPU time for the same vectors.
    And no pool is left spinning after a query (a spinning pool starved the numpy and FAISS work that follows a
    query's embedding: dense scoring took 0.13 ms alone, 4.5 ms right after a run).
    """
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=_DISABLED_FUSIONS)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _max_seq_length(source: Path) -> int:
    """sentence-transformers' max_seq_length for the model (what its torch backend truncates to)."""
    for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
        try:
            value = json.loads((source / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and 0 < value <= 100_000:
            return value
    return DEFAULT_MAX_TOKENS
