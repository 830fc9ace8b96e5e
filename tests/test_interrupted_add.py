"""An add that dies midway: corpus/ ahead of the index is reported, and adding the file again (or a build) heals it."""

from __future__ import annotations

import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.corpus import CorpusError
from bot.library import CHANGED, FILE_MISSING, INDEXED, UNINDEXED, Library
from bot.retrieval.embedder import Embedder
from bot.retrieval.store import load_index
from tests.conftest import ROOT, SECOND_ESSAY, SEED, make_library
from tests.test_index import snapshot

LibraryFactory = Callable[..., Library]


def statuses(library: Library) -> dict[str, str]:
    return {e.filename: e.status for e in library.status().essays}


def died_after_the_copy(library: Library) -> None:
    """The state an add killed between copying the file into corpus/ and swapping in the new build leaves."""
    shutil.copy(SECOND_ESSAY, library.corpus.directory / SECOND_ESSAY.name)


def test_adding_again_finishes_an_add_that_died_before_indexing(seed_library: Library) -> None:
    died_after_the_copy(seed_library)
    status = seed_library.status()
    assert not status.in_step
    assert statuses(seed_library) == {"eternal-sunshine.md": UNINDEXED, "severance.txt": INDEXED}
    [pending] = status.out_of_step()
    assert pending.fix is not None and "python -m bot index build" in pending.fix and "index add" in pending.fix
    assert status.summary() == "in corpus/ but not indexed (1): eternal-sunshine.md"
    assert status.fix == "`python -m bot index build` (or add the essays not indexed again)"

    change = seed_library.add_files([SECOND_ESSAY])  # not "exact duplicate": the job is finished
    assert [e.id for e in change.essays] == [e.id for e in change.resumed] == ["eternal-sunshine"]
    assert seed_library.status().in_step
    assert (seed_library.corpus.directory / SECOND_ESSAY.name).read_bytes() == SECOND_ESSAY.read_bytes()
    hits = seed_library.search("Why do Joel and Clementine have their memories erased?", k=1)
    assert hits[0].passage.essay_id == "eternal-sunshine"

    before = snapshot(seed_library)
    with pytest.raises(CorpusError, match="exact duplicate"):  # now it is indexed: a real duplicate
        seed_library.add_files([SECOND_ESSAY])
    assert snapshot(seed_library) == before


def test_a_copy_under_another_name_indexes_the_waiting_file(seed_library: Library, tmp_path: Path) -> None:
    died_after_the_copy(seed_library)
    renamed = tmp_path / "sunshine-again.md"
    shutil.copy(SECOND_ESSAY, renamed)
    change = seed_library.add_files([renamed])
    assert [e.filename for e in change.resumed] == ["eternal-sunshine.md"]
    assert not (seed_library.corpus.directory / renamed.name).exists()  # no second copy of the same essay
    assert seed_library.status().in_step


def test_a_failed_resume_keeps_the_waiting_file(seed_library: Library, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    died_after_the_copy(seed_library)
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    before = snapshot(seed_library)
    with pytest.raises(CorpusError) as caught:  # all or nothing, and the essay that was there stays
        seed_library.add_files([SECOND_ESSAY, bad])
    assert caught.value.errors == ["empty.txt: the file is empty"]
    assert snapshot(seed_library) == before

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("bot.library.build_index", broken)
    with pytest.raises(OSError):
        seed_library.add_files([SECOND_ESSAY])
    assert snapshot(seed_library) == before  # the rollback removes only files this add wrote


def test_status_names_every_way_corpus_and_index_differ(library_factory: LibraryFactory, tmp_path: Path) -> None:
    library = library_factory([SEED, SECOND_ESSAY])
    corpus = library.corpus.directory
    (corpus / SECOND_ESSAY.name).unlink()  # indexed, file gone
    with open(corpus / SEED.name, "a", encoding="utf-8") as handle:  # edited after indexing
        handle.write("\nA paragraph added later, long enough to count as one more paragraph of the essay.\n")
    (corpus / "new.md").write_text("# New\n\nA new essay that nobody has indexed yet, with a full paragraph.\n")
    (corpus / "broken.txt").write_bytes(b"")
    status = library.status()
    assert statuses(library) == {"eternal-sunshine.md": FILE_MISSING, "severance.txt": CHANGED,
                                 "new.md": UNINDEXED}
    assert status.invalid == ["broken.txt: the file is empty"]
    assert status.summary() == ("in corpus/ but not indexed (1): new.md; changed since indexed (1): severance.txt; "
                                "indexed but gone from corpus/ (1): eternal-sunshine.md; unreadable in corpus/ (1)")
    assert "broken.txt" in status.fix
    assert {e.filename: e.fix for e in status.out_of_step()}["eternal-sunshine.md"] == "python -m bot index build"

    (corpus / "broken.txt").unlink()
    library.build()
    assert library.status().in_step
    assert [e.id for e in library.essays()] == ["new", "severance"]


def test_debris_of_a_killed_change_is_cleared_by_the_next_one(seed_library: Library) -> None:
    corpus = seed_library.corpus.directory
    (corpus / ".adding-k1ll3d").write_bytes(SECOND_ESSAY.read_bytes()[:100])  # a copy cut short
    assert seed_library.status().in_step  # hidden files are never essays
    assert seed_library.corpus.debris() == [corpus / ".adding-k1ll3d"]
    seed_library.build()
    assert seed_library.corpus.debris() == []


# ---- killed for real ----------------------------------------------------------------------------------------
# Where a kill lands: the delay after process start, or after a stage line that `index add` prints on stderr.
KILL_POINTS = [
    (None, 1.5),  # imports, reading and validating the essays, the copy into corpus/
    ("cutting passages", 1.5),  # the copy is done; the model loads, passages are cut
    ("embedding", 0.3),
    ("deriving", 0.3),  # the argument map
    ("writing the index", 0.6),  # build files, fsync, the swap of CURRENT, loading the new build
]
KILLS = 20


@pytest.fixture
def onnx_library(tmp_path: Path, models_dir: Path) -> Library:
    """A seed library on the default backend, onnx-int8: a fresh `index add` process loads it in about a second
    (torch: several). The second essay's vectors are in its cache, as the warm torch libraries have them."""
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "models").symlink_to(models_dir, target_is_directory=True)  # the session's export
    library = make_library(tmp_path, Embedder(backend="onnx-int8", models_dir=models_dir), [SEED])
    library.build()
    library.add_files([SECOND_ESSAY])
    library.remove("eternal-sunshine")
    return library


def test_killing_index_add_at_random_moments_always_heals(onnx_library: Library) -> None:
    library = onnx_library
    corpus, index_dir = library.corpus.directory, library.index_dir
    whole = {SEED.read_bytes(), SECOND_ESSAY.read_bytes()}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CORPUS_DIR": str(corpus), "INDEX_DIR": str(index_dir),
           "HF_HUB_OFFLINE": "1"}
    rng = random.Random(11)
    kills = attempts = 0
    seen: set[str] = set()
    printed = ""
    while kills < KILLS:
        attempts += 1
        assert attempts <= 2 * KILLS, f"index add kept finishing before the kill; it printed:\n{printed}"
        stage, longest = KILL_POINTS[attempts % len(KILL_POINTS)]
        child = subprocess.Popen([sys.executable, "-m", "bot", "index", "add", str(SECOND_ESSAY)], env=env,
                                 cwd=corpus.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            found, printed = (True, "") if stage is None else wait_for_line(child, stage)
            if found:
                time.sleep(rng.uniform(0, longest))
        finally:
            alive = child.poll() is None
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        kills += alive

        load_index(index_dir)  # the index loads: the old build or the new one
        files = library.corpus.files()
        assert {p.read_bytes() for p in files} <= whole  # no partial essay (a hidden .adding-* is never read)
        assert all(p.name.startswith(".adding-") for p in library.corpus.debris())
        state = statuses(library)
        seen.add(state.get(SECOND_ESSAY.name, "absent"))
        assert state in ({"severance.txt": INDEXED}, {"severance.txt": INDEXED, SECOND_ESSAY.name: INDEXED},
                         {"severance.txt": INDEXED, SECOND_ESSAY.name: UNINDEXED})

        if attempts % 2:  # heal by adding the file again...
            if state.get(SECOND_ESSAY.name) == INDEXED:
                with pytest.raises(CorpusError, match="exact duplicate"):
                    library.add_files([SECOND_ESSAY])
            else:
                library.add_files([SECOND_ESSAY])
            assert statuses(library)[SECOND_ESSAY.name] == INDEXED
        else:  # ...or by building
            library.build()
        assert library.status().in_step and library.corpus.debris() == []
        if (corpus / SECOND_ESSAY.name).exists():
            library.remove("eternal-sunshine")  # back to the seed alone for the next try
    assert UNINDEXED in seen  # the case this is about was hit: copied into corpus/, index not yet updated


def wait_for_line(child: subprocess.Popen[bytes], text: str, timeout: float = 120) -> tuple[bool, str]:
    """Read the child's stderr until it contains `text` (True), or ends (False); and what it printed."""
    assert child.stderr is not None
    deadline = time.monotonic() + timeout
    buffered = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([child.stderr], [], [], 0.5)
        if not ready:
            continue
        chunk = os.read(child.stderr.fileno(), 4096)
        if not chunk:
            return False, buffered.decode(errors="replace")
        buffered += chunk
        if text.encode() in buffered:
            return True, buffered.decode(errors="replace")
    raise AssertionError(f"index add printed no {text!r} within {timeout} s:\n{buffered.decode(errors='replace')}")
