"""One library for several processes (bot shards, the CLI) sharing CORPUS_DIR and INDEX_DIR: a change made
through one `Library` is swapped into another by `refresh()` without a failed search, and two changes at once are
serialised across processes (a file lock, or a PostgreSQL advisory lock with DATABASE_URL) so neither is lost.
Two `Library` objects stand for two processes: they share nothing but the directories (and the database)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.corpus import Corpus, Essay
from bot.library import Library
from bot.retrieval.store import IndexLoadError
from tests.conftest import SECOND_ESSAY, SEED

QUESTION = "What does Joel want to erase from his memory?"  # answered by the second essay only


def other_process(library: Library, **settings: object) -> Library:
    """A second library on the same directories, as another process would open it."""
    return Library(library.settings.model_copy(update=settings), embedder=library.embedder)


def essays_in(library: Library) -> set[str]:
    return {e.id for e in library.essays()}


def test_refresh_swaps_in_another_processs_build(library_factory: Callable[..., Library]) -> None:
    first = library_factory([SEED])
    second = other_process(first)
    assert essays_in(second) == {"severance"}
    assert not second.refresh()  # nothing changed: nothing done
    first.add_files([SECOND_ESSAY])
    assert essays_in(second) == {"severance"}  # it keeps answering from the build it has…
    assert second.refresh()  # …until it looks at CURRENT
    assert essays_in(second) == {"severance", "eternal-sunshine"}
    assert second.search(QUESTION, 1)[0].passage.essay_id == "eternal-sunshine"
    assert not second.refresh()


def test_searches_never_fail_during_the_swap(library_factory: Callable[..., Library]) -> None:
    first = library_factory([SEED])
    second = other_process(first)
    second.search(QUESTION, 1)
    failures: list[BaseException] = []
    answered: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                answered.append(second.search(QUESTION, 1)[0].passage.essay_id)
            except BaseException as exc:  # noqa: BLE001 - any failure is the test's failure
                failures.append(exc)

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        first.add_files([SECOND_ESSAY])
        assert second.refresh()
        count = len(answered)
        while len(answered) < count + 5 and asking.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        asking.join(60)
    assert failures == [] and answered[0] == "severance" and answered[-1] == "eternal-sunshine"


def test_a_build_that_cannot_be_loaded_leaves_the_loaded_one(library_factory: Callable[..., Library]) -> None:
    first = library_factory([SEED])
    second = other_process(first)
    second.search(QUESTION, 1)
    first.add_files([SECOND_ESSAY])
    build = Path(first.settings.index_dir) / "builds" / (Path(first.settings.index_dir) / "CURRENT").read_text().strip()
    (build / "passages.jsonl").write_text("damaged\n", encoding="utf-8")
    with pytest.raises(IndexLoadError, match="corrupt"):
        second.refresh()
    assert essays_in(second) == {"severance"} and second.search(QUESTION, 1)  # still answering


@pytest.mark.parametrize("backend", ["files", "postgresql"])
def test_two_processes_adding_at_once_lose_nothing(
    backend: str, library_factory: Callable[..., Library], request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    """Process A has read the corpus and is about to write its essay when B starts adding another. Without a lock
    around the whole change, B would read the corpus without A's essay and each build would lack the other's."""
    first = library_factory([])
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_url")
        first = other_process(first, database_url=SecretStr(url))
    second = other_process(first)
    b_read = threading.Event()
    original_read, original_write = Corpus.read_all, Corpus.write

    def read_all(corpus: Corpus) -> list[Essay]:
        found = original_read(corpus)
        if corpus is second.corpus:
            b_read.set()
        return found

    def write(corpus: Corpus, new: object) -> list[Path]:
        if corpus is first.corpus:
            b_read.wait(3.0)  # let B read the corpus now, if nothing stops it
        return original_write(corpus, new)  # type: ignore[arg-type]

    monkeypatch.setattr(Corpus, "read_all", read_all)
    monkeypatch.setattr(Corpus, "write", write)
    adding = threading.Thread(target=first.add_files, args=([SEED],))
    adding.start()
    second.add_files([SECOND_ESSAY])
    adding.join(120)
    monkeypatch.undo()
    assert not adding.is_alive()
    third = other_process(first)  # whoever looks next sees both
    assert essays_in(third) == {"severance", "eternal-sunshine"}
