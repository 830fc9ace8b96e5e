"""The dense index: exact up to DENSE_EXACT_MAX_VECTORS, HNSW above, with search, sentences and removal on both."""

from __future__ import annotations

import shutil
from pathlib import Path

import faiss
import numpy as np
import pytest

from bot.config import Settings
from bot.library import Library
from bot.retrieval.dense_index import FLAT, HNSW, build_dense_index, is_exact, nearest, stored_vectors
from bot.retrieval.embedder import Embedder
from tests.conftest import SECOND_ESSAY, SEED

QUESTIONS = ["Why does Mark's innie stay inside Lumon?", "Who is the real villain?",
             "Why do Joel and Clementine have their memories erased?"]


def make_library(root: Path, embedder: Embedder, warm_cache: Path, essays: list[Path], threshold: int) -> Library:
    (root / "corpus").mkdir(parents=True)
    (root / "index").mkdir()
    for essay in essays:
        shutil.copy(essay, root / "corpus")
    shutil.copy(warm_cache, root / "index" / "embeddings.sqlite")
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index", dense_exact_max_vectors=threshold,
                        _env_file=None)
    library = Library(settings, embedder=embedder)
    library.build()
    return library


def test_index_switches_to_hnsw_above_the_threshold(tmp_path: Path, embedder: Embedder, warm_cache: Path) -> None:
    exact = make_library(tmp_path / "exact", embedder, warm_cache, [SEED, SECOND_ESSAY], threshold=10_000)
    count = exact.index.manifest.vector_count
    at = make_library(tmp_path / "at", embedder, warm_cache, [SEED, SECOND_ESSAY], threshold=count)
    above = make_library(tmp_path / "above", embedder, warm_cache, [SEED, SECOND_ESSAY], threshold=count - 1)
    assert exact.index.manifest.dense_index == at.index.manifest.dense_index == FLAT
    assert isinstance(faiss.downcast_index(at.index.dense), faiss.IndexFlatIP)
    assert above.index.manifest.dense_index == HNSW
    assert isinstance(faiss.downcast_index(above.index.dense), faiss.IndexHNSWFlat)

    # On this small index HNSW finds everything, so search and sentence vectors match the exact index.
    for question in QUESTIONS:
        assert [h.passage for h in above.search(question, k=3)] == [h.passage for h in exact.search(question, k=3)]
        essay = above.search(question, k=1, essay="eternal-sunshine")
        assert essay and essay[0].passage.essay_id == "eternal-sunshine"
    row = 3
    for (text, vector), (text2, vector2) in zip(above.searcher.sentence_vectors(row),
                                                exact.searcher.sentence_vectors(row), strict=True):
        assert text == text2 and np.allclose(vector, vector2)


def test_changing_the_threshold_rebuilds_without_embedding(tmp_path: Path, embedder: Embedder,
                                                           warm_cache: Path) -> None:
    library = make_library(tmp_path, embedder, warm_cache, [SEED], threshold=10_000)
    lowered = Library(library.settings.model_copy(update={"dense_exact_max_vectors": 5}), embedder=embedder)
    report = lowered.build()
    assert report.changed and report.embedded == 0
    assert lowered.index.manifest.dense_index == HNSW
    assert lowered.build().changed is False


def test_removal_on_the_approximate_index(tmp_path: Path, embedder: Embedder, warm_cache: Path) -> None:
    library = make_library(tmp_path, embedder, warm_cache, [SEED, SECOND_ESSAY], threshold=5)
    before = library.index.manifest.vector_count
    library.remove("eternal-sunshine")
    index = library.index
    assert index.manifest.dense_index == HNSW and isinstance(faiss.downcast_index(index.dense), faiss.IndexHNSWFlat)
    assert index.dense.ntotal == index.manifest.vector_count < before
    assert [e.id for e in library.essays()] == ["severance"]
    hits = library.search("Why do Joel and Clementine have their memories erased?", k=5)
    assert hits and all(h.passage.essay_id == "severance" for h in hits)


@pytest.mark.parametrize("count", [0, 3, 2_000])
def test_hnsw_recall_against_exact(count: int) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((count, 64)).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    hnsw = build_dense_index(vectors, 64, exact_max_vectors=-1)
    assert not is_exact(hnsw) and hnsw.ntotal == count
    assert np.array_equal(stored_vectors(hnsw), vectors)
    k = min(10, count)
    queries = vectors[:50] + 0.1 * rng.standard_normal((min(50, count), 64)).astype(np.float32)
    found = sum(len(set(np.argsort(-(vectors @ q))[:k].tolist()) & set(nearest(hnsw, q[None], k)[1].tolist()))
                for q in queries)
    assert found >= 0.95 * k * len(queries)
