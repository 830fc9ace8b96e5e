"""Shared fixtures. The real model and real FAISS are used everywhere; the model is loaded once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.database import Database, close_databases, open_database
from bot.library import Library
from bot.retrieval.embedder import Embedder, shared_embedder
from tests.postgres import TestPostgres, start_postgres

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "severance.txt"
SECOND_ESSAY = ROOT / "eval" / "essays" / "eternal-sunshine.md"
EVAL_ESSAYS = sorted((ROOT / "eval" / "essays").iterdir())


class CountingEmbedder:
    """The real embedder, recording the texts it was asked to embed and how many calls asked."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.embedded: list[str] = []
        self.calls = 0

    def __getattr__(self, attribute: str) -> object:
        return getattr(self.inner, attribute)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.embedded.extend(texts)
        self.calls += 1
        return self.inner.encode(texts, progress=progress)

    def encode_tokens(self, texts: list[str], *, progress: bool = False,
                      pieces_for: object = None) -> tuple[np.ndarray, list[np.ndarray]]:
        self.embedded.extend(texts)
        self.calls += 1
        return self.inner.encode_tokens(texts, progress=progress, pieces_for=pieces_for)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return shared_embedder()


@pytest.fixture(scope="session")
def models_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ONNX exports, kept in pytest's cache between runs (the fingerprint re-exports a changed model);
    a fresh directory when the cache plugin is off (`-p no:cacheprovider`)."""
    cache = getattr(request.config, "cache", None)
    return Path(cache.mkdir("onnx-models")) if cache is not None else tmp_path_factory.mktemp("onnx-models")


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """An embedding cache holding the seed and second essay, so per-test builds embed nothing again."""
    root = tmp_path_factory.mktemp("warm")
    library = make_library(root, embedder, [SEED, SECOND_ESSAY])
    library.build()
    return root / "index" / "embeddings.sqlite"


def make_library(root: Path, embedder: object, essays: list[Path], cache: Path | None = None) -> Library:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for essay in essays:
        shutil.copy(essay, corpus / essay.name)
    index = root / "index"
    if cache is not None:
        index.mkdir(parents=True, exist_ok=True)
        shutil.copy(cache, index / "embeddings.sqlite")
    settings = Settings(corpus_dir=corpus, index_dir=index, database_path=root / "tutor.sqlite3", _env_file=None)
    return Library(settings, embedder=embedder)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def library9(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Library:
    """The whole evaluation library (the seed and the eight eval essays, every format), built once per session.
    Read-only: tests that change a library build their own with `library_factory`."""
    library = make_library(tmp_path_factory.mktemp("library9"), embedder, [SEED, *EVAL_ESSAYS])
    library.build()
    return library


@pytest.fixture
def library_factory(tmp_path: Path, embedder: Embedder, warm_cache: Path) -> Callable[..., Library]:
    """Build a library in a fresh directory: `library_factory([SEED])`, optionally with a counting embedder."""

    def factory(essays: list[Path] | None = None, *, counting: bool = False, warm: bool = True) -> Library:
        used = CountingEmbedder(embedder) if counting else embedder
        library = make_library(tmp_path, used, [SEED] if essays is None else essays, warm_cache if warm else None)
        library.build()
        return library

    return factory


@pytest.fixture
def seed_library(library_factory: Callable[..., Library]) -> Library:
    return library_factory([SEED])


# ---- state backends ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres() -> Iterator[TestPostgres]:
    """A real PostgreSQL server for the session. Where it cannot start, its tests are skipped, except in CI
    (CI=true), where they fail: the PostgreSQL backend is never left untested there."""
    try:
        server = start_postgres()
    except Exception as exc:  # noqa: BLE001 - any reason, reported in one line
        reason = f"PostgreSQL could not start: {type(exc).__name__}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres: TestPostgres) -> Iterator[str]:
    """The URL of a new, empty database on the session's server; its pool is closed after the test."""
    yield postgres.new_database()
    close_databases()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """Each state test runs on both backends: an SQLite file, and a database on a real PostgreSQL server."""
    if request.param == "sqlite":
        return open_database(tmp_path / "tutor.sqlite3")
    return open_database(request.getfixturevalue("postgres_url"))


def reopen(database: Database) -> Database:
    """A second handle on the same database, as another process would open it (its own connections and locks)."""
    from bot.database.postgres import PostgresDatabase
    from bot.database.sqlite import SQLiteDatabase

    if isinstance(database, SQLiteDatabase):
        return SQLiteDatabase(database.path)
    assert isinstance(database, PostgresDatabase)
    return PostgresDatabase(database.url)
