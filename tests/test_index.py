"""The on-disk index: build, validation, atomic swap, incremental rebuilds, add and remove."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.corpus import ChunkLimits, CorpusError, Essay, Passage, read_essay
from bot.doctor import run_checks
from bot.library import Library
from bot.retrieval import late_interaction, store
from bot.retrieval.search import Searcher
from bot.retrieval.store import IndexLoadError, load_index
from bot.retrieval.units import context_text, embedding_units
from bot.tutor import argmap
from bot.tutor.argmap import ARGMAP_FILE, ArgumentMap, map_essay
from tests.conftest import ROOT, SECOND_ESSAY, SEED, CountingEmbedder

LibraryFactory = Callable[..., Library]


def snapshot(library: Library) -> tuple[list[tuple[str, bytes]], str, str]:
    """Everything a rejected change must leave as it was: corpus files, live build and its manifest."""
    files = [(p.name, p.read_bytes()) for p in sorted(library.corpus.directory.iterdir())]
    current = (library.index_dir / store.CURRENT).read_text()
    manifest = (store.current_build(library.index_dir) / store.MANIFEST).read_text()  # type: ignore[operator]
    return files, current, manifest


def test_build_writes_a_complete_manifest(seed_library: Library) -> None:
    manifest = seed_library.index.manifest
    assert manifest.format_version == store.FORMAT_VERSION
    assert manifest.model == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest.dimension == 384
    assert manifest.passage_count == len(seed_library.index.passages) == 4  # one per section of ~140 words
    assert manifest.vector_count == seed_library.index.dense.ntotal > manifest.passage_count
    [record] = manifest.essays
    assert (record.id, record.filename, record.passages) == ("severance", "severance.txt", 4)
    assert len(record.content_hash) == 64
    assert set(manifest.files) >= {store.PASSAGES, store.DENSE, store.UNITS}


def test_incremental_build_embeds_only_the_new_essay(library_factory: LibraryFactory) -> None:
    library = library_factory([SEED], counting=True, warm=False)
    counter: CountingEmbedder = library.embedder  # type: ignore[assignment]
    seed_texts = set(counter.embedded)
    assert {u.text for u in embedding_units(library.index.passages)} <= seed_texts  # a cold build embeds every unit

    counter.embedded.clear()
    assert library.build().changed is False  # nothing changed: nothing embedded, same build
    assert counter.embedded == []

    change = library.add_files([SECOND_ESSAY])
    new_passages = [p for p in library.index.passages if p.essay_id == "eternal-sunshine"]
    expected = {u.text for u in embedding_units(new_passages)}
    assert expected <= set(counter.embedded)
    assert change.report.embedded == len(counter.embedded) == len(set(counter.embedded))
    second = read_essay(SECOND_ESSAY)
    # everything embedded belongs to the new essay (its units, and its sentences/title for the argument map)
    assert all(t in expected or t in second.text or t in (second.title, second.thesis) for t in counter.embedded)
    assert not seed_texts & set(counter.embedded)

    counter.embedded.clear()
    report = library.build(full=True)
    units = {u.text for u in embedding_units(library.index.passages)}
    assert units <= set(counter.embedded)  # --full re-embeds everything...
    assert report.embedded == len(counter.embedded) == len(set(counter.embedded))  # ...each text once


def test_a_build_embeds_each_text_once_in_two_calls(library_factory: LibraryFactory) -> None:
    """The units in one pass; then the argument map's own texts (titles, theses, sentences that are not units) for
    every essay in one more: not a call per essay, and nothing the units already embedded."""
    library = library_factory([SEED, SECOND_ESSAY], counting=True, warm=False)
    counter: CountingEmbedder = library.embedder  # type: ignore[assignment]
    units = [u.text for u in embedding_units(library.index.passages)]
    assert counter.calls == 2
    assert counter.embedded[: len(set(units))] == list(dict.fromkeys(units))
    rest = counter.embedded[len(set(units)):]
    assert rest and not set(rest) & set(units)
    essays = [read_essay(SEED), read_essay(SECOND_ESSAY)]
    assert {e.title for e in essays} <= set(rest)
    assert len(counter.embedded) == len(set(counter.embedded))


def test_the_argument_map_does_not_depend_on_how_its_vectors_were_batched(library_factory: LibraryFactory) -> None:
    """The build serves the argument map's vectors from memory and one batch; mapping each essay with its texts
    embedded as it asks (no memory, no cache, no prefetch) gives the same map."""
    library = library_factory([SEED, SECOND_ESSAY])
    built = json.loads((library.index.path / ARGMAP_FILE).read_text(encoding="utf-8"))
    passages = library.index.passages
    direct = ArgumentMap({
        essay.id: map_essay(essay, [p for p in passages if p.essay_id == essay.id],
                            lambda texts: library.embedder.encode(list(texts)))
        for essay in library.corpus.read_all()
    })
    assert {k: {**v, "source": ""} for k, v in json.loads(direct.to_json()).items()} == \
        {k: {**v, "source": ""} for k, v in built.items()}
    assert set(built) == {"severance", "eternal-sunshine"}


def test_an_incremental_build_maps_only_the_new_essay_and_a_full_build_maps_all(
    library_factory: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unchanged essay keeps the live build's argument map (the same map it would get again); a changed one, a
    new one, or a full build maps again."""
    library = library_factory([SEED])
    before = json.loads((library.index.path / ARGMAP_FILE).read_text(encoding="utf-8"))["severance"]
    real = argmap.map_essay
    mapped: list[str] = []

    def counting(essay: Essay, *args: object) -> argmap.EssayArgument:
        mapped.append(essay.id)
        return real(essay, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(argmap, "map_essay", counting)
    library.add_files([SECOND_ESSAY])
    assert mapped == ["eternal-sunshine"]
    after = json.loads((library.index.path / ARGMAP_FILE).read_text(encoding="utf-8"))
    assert after["severance"] == before and set(after) == {"severance", "eternal-sunshine"}
    mapped.clear()
    monkeypatch.setattr(argmap, "ARGMAP_VERSION", argmap.ARGMAP_VERSION + 1)  # the mapping changed: map again
    library.remove("eternal-sunshine")
    assert mapped == ["severance"]
    mapped.clear()
    library.build(full=True)
    assert mapped == ["severance"]


def test_an_incremental_build_cuts_only_the_new_essay(
    library_factory: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = library_factory([SEED])
    real = store.chunk_essay
    cut: list[str] = []

    def counting(essay: Essay, *args: object) -> list[Passage]:
        cut.append(essay.id)
        return real(essay, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "chunk_essay", counting)
    library.add_files([SECOND_ESSAY])
    assert cut == ["eternal-sunshine"]  # the seed keeps the passages of the live build
    limits = ChunkLimits(**library.index.manifest.chunking)
    essays = sorted(library.corpus.read_all(), key=lambda e: e.filename)
    assert library.index.passages == [p for e in essays for p in real(e, limits, library.embedder.count_tokens)]
    cut.clear()
    library.build(full=True)
    assert sorted(cut) == ["eternal-sunshine", "severance"]


def test_add_second_essay_is_found_by_search(seed_library: Library) -> None:
    assert seed_library.search("Clementine and Joel erase each other", k=3)[0].passage.essay_id == "severance"
    seed_library.add_files([SECOND_ESSAY])
    hits = seed_library.search("Why do Joel and Clementine have their memories erased?", k=3)
    assert hits[0].passage.essay_id == "eternal-sunshine"
    only_seed = seed_library.search("Why do Joel and Clementine have their memories erased?", k=3, essay="severance")
    assert {h.passage.essay_id for h in only_seed} == {"severance"}


def test_remove_essay(library_factory: LibraryFactory) -> None:
    library = library_factory([SEED, SECOND_ESSAY])
    change = library.remove("eternal-sunshine")
    assert change.essays[0].filename == "eternal-sunshine.md"
    assert [e.id for e in library.essays()] == ["severance"]
    assert not (library.corpus.directory / "eternal-sunshine.md").exists()
    assert all(h.passage.essay_id == "severance" for h in library.search("Joel Clementine memory erasure", k=10))
    with pytest.raises(CorpusError, match="no such essay"):
        library.remove("eternal-sunshine")


def test_remove_restores_the_file_when_the_rebuild_fails(
    library_factory: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = library_factory([SEED, SECOND_ESSAY])
    before = snapshot(library)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("bot.library.build_index", broken)
    with pytest.raises(OSError):
        library.remove("eternal-sunshine")
    assert snapshot(library) == before


BAD_FILES = {
    "empty.txt": b"",
    "blank.md": b"\n   \n",
    "binary.txt": b"abc\x00def",
    "latin1.txt": "na\u00efve caf\u00e9".encode("latin-1"),
    "headings-only.txt": b"Just A Title\n\nAnd Another",
    "huge.txt": b"Words and more words. " * 300_000,
    "copy-of-severance.txt": SEED.read_bytes(),
    "severance.md": b"# Other\n\nA different essay with the same id as the seed one.",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_rejected_add_changes_nothing(seed_library: Library, tmp_path: Path, name: str) -> None:
    before = snapshot(seed_library)
    bad = tmp_path / "incoming" / name
    bad.parent.mkdir()
    bad.write_bytes(BAD_FILES[name])
    with pytest.raises(CorpusError) as caught:
        seed_library.add_files([bad, SECOND_ESSAY])  # all or nothing: the good file is not added either
    [line] = caught.value.errors
    assert line.startswith(f"{name}: ")
    assert snapshot(seed_library) == before


def test_duplicate_within_one_add_is_rejected(seed_library: Library, tmp_path: Path) -> None:
    twin = tmp_path / "twin.md"
    shutil.copy(SECOND_ESSAY, twin)
    before = snapshot(seed_library)
    with pytest.raises(CorpusError, match="exact duplicate"):
        seed_library.add_files([SECOND_ESSAY, twin])
    assert snapshot(seed_library) == before


# ---- validation of what is on disk ---------------------------------------------------------------------------
def test_missing_index_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexLoadError, match=r"no index .*`python -m bot index build`"):
        load_index(tmp_path / "index")


def test_model_change_is_detected(seed_library: Library) -> None:
    with pytest.raises(IndexLoadError, match=r"built with embedding model .*all-MiniLM.* index build --full"):
        load_index(seed_library.index_dir, model="some-org/another-model")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda build: (build / store.DENSE).unlink(), "dense.faiss is missing"),
        (lambda build: (build / store.PASSAGES).write_text("{}\n"), "passages.jsonl is corrupt"),
        (lambda build: (build / store.MANIFEST).write_text("{not json"), "manifest is corrupt"),
        (lambda build: (build / store.MANIFEST).unlink(), "manifest is missing"),
        (lambda build: shutil.rmtree(build), "points at a missing build"),
    ],
)
def test_damaged_index_names_the_problem_and_the_fix(seed_library: Library, damage: Callable, message: str) -> None:
    damage(store.current_build(seed_library.index_dir))
    with pytest.raises(IndexLoadError, match=message) as caught:
        load_index(seed_library.index_dir)
    assert "python -m bot index build --full" in str(caught.value)


def test_dimension_mismatch_is_detected(seed_library: Library) -> None:
    build = store.current_build(seed_library.index_dir)
    manifest = json.loads((build / store.MANIFEST).read_text())
    manifest["dimension"] = 768
    (build / store.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match="dimension mismatch.*768"):
        load_index(seed_library.index_dir)


# ---- interrupted builds --------------------------------------------------------------------------------------
def test_failed_build_keeps_the_previous_index(
    library_factory: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = library_factory([SEED])
    before = snapshot(library)
    real_write = store._write_build

    def crash_midway(directory: Path, *args: object) -> None:
        real_write(directory, *args)
        (directory / store.DENSE).unlink()
        raise KeyboardInterrupt  # as if killed while writing

    monkeypatch.setattr(store, "_write_build", crash_midway)
    shutil.copy(SECOND_ESSAY, library.corpus.directory)
    with pytest.raises(KeyboardInterrupt):
        library.build()
    assert snapshot(library)[1:] == before[1:]
    assert len(load_index(library.index_dir).passages) == 4
    monkeypatch.undo()
    library.build()  # the next build clears the debris and succeeds
    assert not list((library.index_dir / "builds").glob(".tmp-*"))
    assert len(load_index(library.index_dir).passages) == 10


KILL_CHILD = textwrap.dedent(
    """
    import shutil, sys
    from pathlib import Path
    from bot.config import Settings
    from bot.library import Library
    root = Path(sys.argv[1])
    library = Library(Settings(corpus_dir=root / "corpus", index_dir=root / "index", _env_file=None))
    second = Path(sys.argv[2])
    target = root / "corpus" / second.name
    builds = 0
    while True:  # alternate between two corpora, re-embedding everything, until killed
        if target.exists():
            target.unlink()
        else:
            shutil.copy(second, target)
        library.build(full=True)
        builds += 1
        if builds == 1:
            print("ready", flush=True)  # the model is loaded: from now on builds follow each other closely
    """
)


def test_killing_a_build_at_any_moment_leaves_a_loadable_index(library_factory: LibraryFactory) -> None:
    library = library_factory([SEED])
    root = library.corpus.directory.parent
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(4):
        child = subprocess.Popen([sys.executable, "-c", KILL_CHILD, str(root), str(SECOND_ESSAY)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.05, 1.5))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        index = load_index(library.index_dir)  # never half-written: the old build or the new one
        assert len(index.passages) in (4, 10)
        assert index.dense.ntotal == index.manifest.vector_count


def test_the_build_stores_word_pieces_and_an_add_keeps_the_ones_it_has(library_factory: LibraryFactory) -> None:
    """Every passage's word-piece vectors are in the build (checksummed like the rest); an add encodes only the
    new essay's, and the others are the live build's, unchanged."""
    library = library_factory([SEED], counting=True, warm=False)
    first = library.index.tokens
    assert first is not None and first.passages == len(library.index.passages)
    assert {late_interaction.TOKENS, late_interaction.TOKEN_SCALES, late_interaction.TOKEN_ROWS} <= set(
        library.index.manifest.files)
    seed_pieces = [first.of(row).copy() for row in range(first.passages)]
    counter: CountingEmbedder = library.embedder  # type: ignore[assignment]
    counter.embedded.clear()
    library.add_files([SECOND_ESSAY])
    tokens = library.index.tokens
    assert tokens is not None and tokens.passages == len(library.index.passages)
    rows = [row for row, p in enumerate(library.index.passages) if p.essay_id == "severance"]
    assert all(np.array_equal(tokens.of(row), pieces) for row, pieces in zip(rows, seed_pieces, strict=True))
    assert not {context_text(p) for p in library.index.passages if p.essay_id == "severance"} & set(counter.embedded)
    assert all(len(tokens.of(row)) > 10 for row in range(tokens.passages))


def test_an_index_built_before_word_pieces_still_searches_and_a_build_adds_them(seed_library: Library) -> None:
    build = store.current_build(seed_library.index_dir)
    assert build is not None
    manifest = json.loads((build / store.MANIFEST).read_text())
    for name in (late_interaction.TOKENS, late_interaction.TOKEN_SCALES, late_interaction.TOKEN_ROWS):
        (build / name).unlink()
        del manifest["files"][name]
    (build / store.MANIFEST).write_text(json.dumps(manifest))
    old = load_index(seed_library.index_dir)
    assert old.tokens is None
    findings = {f.check: f for f in run_checks(seed_library.settings)}
    assert findings["index"].ok and "`python -m bot index build` adds them" in findings["late interaction"].detail
    assert Searcher(old, seed_library.embedder).search("Why does Mark's innie stay?", k=2)  # ranked without them
    report = seed_library.build()
    assert report.changed and report.embedded == len(old.passages)  # only the passages: for their pieces
    assert seed_library.index.tokens is not None


def test_word_pieces_that_do_not_match_the_passages_are_refused(seed_library: Library) -> None:
    build = store.current_build(seed_library.index_dir)
    assert build is not None
    rows = np.load(build / late_interaction.TOKEN_ROWS)
    np.save(build / late_interaction.TOKEN_ROWS, rows[:-1])
    manifest = json.loads((build / store.MANIFEST).read_text())
    manifest["files"][late_interaction.TOKEN_ROWS] = store._sha256(build / late_interaction.TOKEN_ROWS)
    (build / store.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match="word-piece vectors do not match.*index build --full"):
        load_index(seed_library.index_dir)


def test_word_pieces_of_another_encoder_are_encoded_again_not_reused(library_factory: LibraryFactory) -> None:
    """A new export recipe keeps the model's name but changes its vectors: pieces are reused only from the same
    encoder (its embedding-cache name, recorded with them)."""
    library = library_factory([SEED], counting=True)
    build = store.current_build(library.index_dir)
    assert build is not None
    source = build / late_interaction.TOKEN_SOURCE
    assert source.read_text().strip() == library.embedder.cache_name
    source.write_text("sentence-transformers/all-MiniLM-L6-v2+onnx-int8#recipe2\n")
    manifest = json.loads((build / store.MANIFEST).read_text())
    manifest["files"][late_interaction.TOKEN_SOURCE] = store._sha256(source)
    (build / store.MANIFEST).write_text(json.dumps(manifest))
    counter: CountingEmbedder = library.embedder  # type: ignore[assignment]
    counter.embedded.clear()
    library.add_files([SECOND_ESSAY])
    seed = {context_text(p) for p in library.index.passages if p.essay_id == "severance"}
    assert seed <= set(counter.embedded)  # encoded again for their pieces
    assert library.index.tokens is not None and library.index.tokens.source == library.embedder.cache_name
