"""An incremental build takes over the live build's work for the essays it keeps (passages, unit vectors, word
pieces, BM25 tokens) and gives the index a build from the embedding cache alone gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bot.library import Library
from bot.retrieval import late_interaction, lexical, store
from bot.retrieval.dense_index import stored_vectors
from bot.retrieval.embedder import Embedder
from bot.retrieval.late_interaction import Pieces, TokenStore, write_store
from bot.retrieval.store import LoadedIndex
from tests.conftest import ROOT, SECOND_ESSAY, SEED, CountingEmbedder, make_library

THIRD_ESSAY = ROOT / "eval" / "essays" / "memento.md"
QUERIES = ["why do people pretend to be fine at work", "memory and grief", "Lacuna erases Clementine",
           "tattoos and polaroids", "the severed floor"]


def reference(root: Path, embedder: Embedder, library: Library) -> LoadedIndex:
    """The same corpus built in another directory from a copy of `library`'s embedding cache (no live build)."""
    essays = sorted(library.corpus.directory.iterdir())
    other = make_library(root, embedder, essays, cache=library.index_dir / "embeddings.sqlite")
    other.build()
    return other.index


def assert_same_index(built: LoadedIndex, expected: LoadedIndex) -> None:
    assert built.passages == expected.passages
    assert np.array_equal(built.unit_passage, expected.unit_passage)
    assert np.array_equal(built.unit_kind, expected.unit_kind)
    # the reference encodes its passages again for their word pieces, in other batches: the last bits may differ
    assert np.allclose(stored_vectors(built.dense), stored_vectors(expected.dense), atol=1e-5)
    for query in QUERIES:
        assert np.array_equal(built.lexical.scores(query), expected.lexical.scores(query)), query
    assert built.tokens is not None and expected.tokens is not None
    assert np.array_equal(built.tokens.rows, expected.tokens.rows)
    for row in range(len(built.passages)):  # fresh encodes may differ in the last bit: int8 codes by one step
        assert np.allclose(built.tokens.of(row), expected.tokens.of(row), atol=0.02), row
    assert (built.path / "argmap.json").read_text() == (expected.path / "argmap.json").read_text()


def test_an_add_reuses_the_live_build_and_equals_a_build_from_the_cache(
        library_factory: Callable[..., Library], embedder: Embedder, tmp_path: Path) -> None:
    library = library_factory([SEED, SECOND_ESSAY], counting=True)
    before = library.index
    counter: CountingEmbedder = library.embedder  # type: ignore[assignment]
    counter.embedded.clear()
    library.add_files([THIRD_ESSAY])
    after = library.index
    assert after.path != before.path
    assert set(counter.embedded) and not {p.text for p in before.passages} & set(counter.embedded)
    kept = [row for row, p in enumerate(after.passages) if p.essay_id != "memento"]
    assert [after.passages[r] for r in kept] == before.passages
    assert after.tokens is not None and before.tokens is not None
    for new_row, old_row in zip(kept, range(len(before.passages)), strict=True):  # copied, not re-encoded
        assert np.array_equal(after.tokens.pieces(new_row).codes, before.tokens.pieces(old_row).codes)
        old_units = before.unit_passage == old_row
        assert np.array_equal(stored_vectors(after.dense)[after.unit_passage == new_row],
                              stored_vectors(before.dense)[old_units])
    assert_same_index(after, reference(tmp_path / "reference", embedder, library))


def test_a_live_build_without_saved_tokens_or_with_damaged_vectors_is_not_reused(
        library_factory: Callable[..., Library], embedder: Embedder, tmp_path: Path) -> None:
    """An older build (no BM25 token files) and a damaged vectors file: the add tokenises and takes vectors from
    the embedding cache instead, and the index is the same."""
    library = library_factory([SEED, SECOND_ESSAY])
    build = library.index.path
    manifest = store.Manifest.from_json((build / store.MANIFEST).read_text())
    for name in (lexical.TOKEN_IDS, lexical.TOKEN_ROWS):
        (build / store.BM25_DIR / name).unlink()
        del manifest.files[f"{store.BM25_DIR}/{name}"]
    (build / store.MANIFEST).write_text(manifest.to_json())
    with open(build / store.DENSE, "r+b") as handle:  # a flipped byte the count checks cannot see
        handle.seek(-7, 2)
        byte = handle.read(1)
        handle.seek(-7, 2)
        handle.write(bytes([byte[0] ^ 0xFF]))
    library.add_files([THIRD_ESSAY])
    after = library.index
    assert (after.path / store.BM25_DIR / lexical.TOKEN_IDS).is_file()
    assert_same_index(after, reference(tmp_path / "reference", embedder, library))


def test_saved_bm25_tokens_read_back_as_tokenised(tmp_path: Path) -> None:
    texts = ["The office asks them to perform composure.", "", "Memory, grief and the tattoos of Leonard."]
    index = lexical.LexicalIndex.build(texts)
    index.save(tmp_path)
    assert lexical.saved_tokens(tmp_path, len(texts)) == lexical.tokenize(texts)
    assert lexical.saved_tokens(tmp_path, len(texts) + 1) is None  # another build's passages
    rebuilt = lexical.LexicalIndex.build(texts, [None, [], lexical.tokenize(texts[2:])[0]])
    assert np.array_equal(rebuilt.scores("composure of Leonard"), index.scores("composure of Leonard"))


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_write_store_copies_kept_rows_and_writes_new_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          kernel_copy: bool) -> None:
    rng = np.random.default_rng(7)
    old = [Pieces.of(rng.normal(size=(n, 8))) for n in (3, 0, 5, 2)]
    (tmp_path / "live").mkdir()
    write_store(tmp_path / "live", old, 8, "model-a")
    live = TokenStore.load(tmp_path / "live")
    assert live is not None
    if not kernel_copy:
        monkeypatch.delattr(late_interaction.os, "copy_file_range", raising=False)
    fresh = Pieces.of(rng.normal(size=(4, 8)))
    (tmp_path / "new").mkdir()
    write_store(tmp_path / "new", [2, 3, fresh, 0, 1], 8, "model-a", live)
    store_ = TokenStore.load(tmp_path / "new")
    assert store_ is not None and store_.passages == 5 and store_.source == "model-a"
    for row, expected in enumerate([old[2], old[3], fresh, old[0], old[1]]):
        got = store_.pieces(row)
        assert np.array_equal(got.codes, expected.codes) and np.array_equal(got.scales, expected.scales)
    assert json.dumps(store_.rows.tolist()) == json.dumps([0, 5, 7, 11, 14, 14])


def test_the_corpus_parses_a_file_again_only_when_its_bytes_change(tmp_path: Path) -> None:
    from bot.corpus import Corpus

    corpus = Corpus(tmp_path)
    (tmp_path / "a.md").write_text("# First\n\nOne paragraph that says something.\n")
    (tmp_path / "b.txt").write_text("Second\n\nAnother paragraph here.\n")
    first = {e.id: e for e in corpus.read_all()}
    second = {e.id: e for e in corpus.read_all()}
    assert first["a"] is second["a"] and first["b"] is second["b"]  # unchanged: the parsed essays again
    (tmp_path / "a.md").write_text("# First\n\nThe paragraph now says something else.\n")
    third = {e.id: e for e in corpus.read_all()}
    assert third["a"] is not first["a"] and "something else" in third["a"].text
    assert third["b"] is first["b"]
    (tmp_path / "c.txt").write_bytes((tmp_path / "b.txt").read_bytes())  # a duplicate is still caught
    essays, errors = corpus.scan()
    assert [e.id for e in essays] == ["a", "b"] and len(errors) == 1 and "exact duplicate" in errors[0]
