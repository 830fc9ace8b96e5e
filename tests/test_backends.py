"""Embedding backends: ONNX vectors close to torch's, the export cached, the backend in the index's model name."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.library import Library
from bot.retrieval import onnx_backend, onnx_export
from bot.retrieval.embedder import Embedder, resolve_backend, resolve_model
from bot.retrieval.store import IndexLoadError, load_index
from bot.retrieval.units import embedding_units
from tests.conftest import ROOT, SEED

SHORT_MESSAGES = ["Hi", "ok", "yes", "thanks", "no way", "Why?", "I disagree.", "What about the innie?"]


@pytest.fixture(scope="session", params=["onnx", "onnx-int8"])
def onnx_embedder(request: pytest.FixtureRequest, models_dir: Path) -> Embedder:
    return Embedder(backend=request.param, models_dir=models_dir)


@pytest.fixture(scope="session")
def sample_texts(seed_passages: list[str]) -> list[str]:
    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "retrieval.jsonl").read_text().splitlines()]
    return [*seed_passages, *questions, *SHORT_MESSAGES, "word " * 400]


@pytest.fixture(scope="session")
def seed_passages(embedder: Embedder) -> list[str]:
    from bot.corpus import chunk_essay, read_essay

    passages = chunk_essay(read_essay(SEED), count_tokens=embedder.count_tokens)
    return [unit.text for unit in embedding_units(passages)]


@pytest.fixture(scope="session")
def torch_vectors(embedder: Embedder, sample_texts: list[str]) -> np.ndarray:
    return embedder.encode(sample_texts)


def test_onnx_vectors_are_close_to_torch(
    onnx_embedder: Embedder, torch_vectors: np.ndarray, sample_texts: list[str]
) -> None:
    cosines = np.sum(onnx_embedder.encode(sample_texts) * torch_vectors, axis=1)
    assert cosines.min() >= 0.98, sample_texts[int(np.argmin(cosines))]
    if onnx_embedder.backend == "onnx":
        assert cosines.min() >= 0.9999  # the same float32 graph


def test_onnx_batches_hold_a_token_budget_and_a_text_count() -> None:
    budget = onnx_backend.BATCH_TOKENS
    long = [budget + 50, budget // 2 + 1, budget // 2 + 1]  # each a batch alone
    lengths = np.array([*long, budget // 4, budget // 4, budget // 4, budget // 4, budget // 4, *[12] * 20])
    order = np.argsort(-lengths, kind="stable")
    batches = onnx_backend._batches(order, lengths, 8)
    assert np.array_equal(np.concatenate(batches), order)  # every text once, longest first
    for rows in batches:
        assert len(rows) <= 8
        assert len(rows) == 1 or lengths[rows[0]] * len(rows) <= budget  # padded to its first, longest text
    assert [len(rows) for rows in batches][:4] == [1, 1, 1, 4]
    assert max(len(rows) for rows in batches) == 8  # short texts fill a batch up to the count


def test_onnx_runtime_agrees_with_torch_on_shapes_and_tokens(onnx_embedder: Embedder, embedder: Embedder) -> None:
    assert (onnx_embedder.dimension, onnx_embedder.max_tokens) == (embedder.dimension, embedder.max_tokens)
    for text in ["Hi", "Mark’s innie chooses to stay inside Lumon.", "word " * 400]:
        assert onnx_embedder.count_tokens(text) == embedder.count_tokens(text)
    vectors = onnx_embedder.encode(["one", "two words", "and three words"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_backend_is_part_of_the_model_name() -> None:
    assert Embedder().name == "sentence-transformers/all-MiniLM-L6-v2"
    assert Embedder(backend="onnx").name == "sentence-transformers/all-MiniLM-L6-v2+onnx"
    assert Embedder(backend="onnx-int8").name == "sentence-transformers/all-MiniLM-L6-v2+onnx-int8"
    assert resolve_backend("auto", None) == "onnx-int8"  # a new index gets the measured default
    assert resolve_backend("auto", "sentence-transformers/all-MiniLM-L6-v2") == "torch"  # an old index keeps its own
    assert resolve_backend("auto", "sentence-transformers/all-MiniLM-L6-v2+onnx") == "onnx"
    assert resolve_backend("torch", "sentence-transformers/all-MiniLM-L6-v2+onnx-int8") == "torch"


def test_the_embedding_cache_key_changes_with_the_onnx_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.retrieval import embedder as embedder_module

    before = Embedder(backend="onnx-int8").cache_name
    monkeypatch.setattr(embedder_module, "RECIPE_VERSION", onnx_export.RECIPE_VERSION + 1)
    assert Embedder(backend="onnx-int8").cache_name != before
    assert Embedder().cache_name == Embedder().name  # torch has no export recipe


def test_switching_backend_needs_a_full_rebuild(tmp_path: Path, models_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embedding_backend="onnx-int8",
                        _env_file=None)
    library = Library(settings, embedder=Embedder(backend="onnx-int8", models_dir=models_dir))
    library.build()
    model = "sentence-transformers/all-MiniLM-L6-v2+onnx-int8"
    assert library.index.manifest.model == model
    with closing(sqlite3.connect(tmp_path / "index" / "embeddings.sqlite")) as db:
        models = {row[0] for row in db.execute("SELECT DISTINCT model FROM embeddings")}
    # the cache is keyed by the backend (torch vectors are never reused) and by the ONNX recipe (a new export or
    # quantisation recipe makes other vectors: an incremental build after it must not reuse the old ones)
    assert models == {f"{model}#recipe{onnx_export.RECIPE_VERSION}"}
    assert Library(settings.model_copy(update={"embedding_backend": "auto"})).embedder.backend == "onnx-int8"
    with pytest.raises(IndexLoadError, match=r"built with embedding model .*\+onnx-int8.* index build --full"):
        load_index(tmp_path / "index", model="sentence-transformers/all-MiniLM-L6-v2")


def test_export_is_cached_and_keyed_by_the_model_files(
    tmp_path: Path, models_dir: Path, onnx_embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = Path(resolve_model("")[1])
    onnx_embedder.dimension  # noqa: B018  (make sure the export exists)

    def no_export(*_args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_export, "export_onnx", no_export)
    monkeypatch.setattr(onnx_export, "quantize_int8", no_export)
    name = "sentence-transformers/all-MiniLM-L6-v2"
    path = onnx_export.exported_model(source, name, onnx_embedder.backend, models_dir)
    assert path.is_file() and path.parent == models_dir and path.name.endswith(f"-{onnx_embedder.backend}.onnx")

    copy = tmp_path / "model"  # the same model with one changed file: a new fingerprint, so a new export
    for file in (f for f in source.rglob("*") if f.is_file()):
        (copy / file.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
        (copy / file.relative_to(source)).symlink_to(file)
    (copy / "config.json").unlink()
    (copy / "config.json").write_text((source / "config.json").read_text() + "\n")
    assert onnx_export.model_fingerprint(copy) != onnx_export.model_fingerprint(source)
    with pytest.raises(AssertionError, match="exported again"):
        onnx_export.exported_model(copy, name, onnx_embedder.backend, models_dir)


def test_word_pieces_come_from_the_same_pass_as_the_vectors(onnx_embedder: Embedder, embedder: Embedder) -> None:
    """encode_tokens: the vectors `encode` gives, and per text its content word pieces (no [CLS]/[SEP], stop
    words or punctuation), unit length, close to torch's; `pieces_for` limits which texts get them."""
    texts = ["Why do people pretend to be fine at work?",
             "The office asks for performed composure, and the workers give it, every day, until it becomes them."]
    for backend in (onnx_embedder, embedder):
        vectors, pieces = backend.encode_tokens(texts)
        assert np.allclose(vectors, backend.encode(texts), atol=1e-5)
        assert [len(p) for p in pieces] == [6, 11]  # why do people pretend fine work / office asks … them
        assert all(np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5) for p in pieces)
        _, only_second = backend.encode_tokens(texts, pieces_for=[1])
        assert [len(p) for p in only_second] == [0, 11]
    onnx_pieces, torch_pieces = onnx_embedder.encode_tokens(texts)[1], embedder.encode_tokens(texts)[1]
    for a, b in zip(onnx_pieces, torch_pieces, strict=True):
        assert np.sum(a.astype(np.float32) * b.astype(np.float32), axis=1).min() >= 0.95
