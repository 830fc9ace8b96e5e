"""The on-disk index: one complete, versioned build, swapped in atomically.

Layout of INDEX_DIR:
    CURRENT                 name of the live build (replaced atomically with os.replace)
    builds/<name>/          manifest.json, passages.jsonl, dense.faiss (flat or HNSW, see dense_index.py),
                            units.npz, bm25/, tokens.npy, token_scales.npy, token_rows.npy and
                            token_source.txt (word-piece vectors for late interaction, see
                            late_interaction.py; absent when the encoder has none)
    builds/.tmp-<name>/     a build in progress (removed if a build died)
    embeddings.sqlite       the embedding cache
    models/                 the embedding model exported to ONNX, for the ONNX backends (see onnx_export.py)
    .lock                   held while a build runs, so builds never interleave

A build writes a new directory, fsyncs it, then points CURRENT at it. Killing a build at any moment leaves
CURRENT naming the previous, complete build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

import faiss
import numpy as np

from bot.corpus import ChunkLimits, Essay, Passage, chunk_essay
from bot.filelock import exclusive
from bot.retrieval.cache import BuildEmbedder, EmbeddingCache, text_key
from bot.retrieval.dense_index import EXACT_MAX_VECTORS, build_dense_index, index_kind
from bot.retrieval.late_interaction import TOKENS, Pieces, TokenStore, write_store
from bot.retrieval.lexical import LexicalIndex
from bot.retrieval.units import context_text, embedding_units

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: the build carries the tutor's argument map
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
DENSE = "dense.faiss"
UNITS = "units.npz"
BM25_DIR = "bm25"
REBUILD = "python -m bot index build --full"


class IndexLoadError(RuntimeError):
    """The index cannot be used; the message says what is wrong and which command fixes it."""


@dataclass
class EssayRecord:
    id: str
    title: str
    author: str | None
    filename: str
    content_hash: str
    passages: int
    added_at: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Manifest:
    format_version: int
    model: str
    dimension: int
    passage_count: int
    vector_count: int
    built_at: str
    essays: list[EssayRecord]
    chunking: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    dense_index: str = "flat"  # "flat" (exact) or "hnsw", chosen by the vector count (see dense_index.py)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        data["essays"] = [EssayRecord(**e) for e in data["essays"]]
        return cls(**data)


@dataclass
class BuildReport:
    changed: bool
    essays: int
    passages: int
    vectors: int
    embedded: int
    seconds: float
    path: Path | None


@dataclass
class LoadedIndex:
    path: Path
    manifest: Manifest
    passages: list[Passage]
    dense: faiss.Index
    unit_passage: np.ndarray
    unit_kind: np.ndarray
    lexical: LexicalIndex
    tokens: TokenStore | None = None  # word-piece vectors per passage (None: a build without them)

    def essay(self, essay_id: str) -> EssayRecord | None:
        return next((e for e in self.manifest.essays if e.id == essay_id), None)


Embed = Callable[[Sequence[str]], np.ndarray]
ArtifactBuilder = Callable[[list[Essay], list[Passage], Embed, "Path | None"], dict[str, str]]
"""A build hook (the tutor's argument map is one): files derived from the essays, {file name: text}, written into
the build directory and swapped in with it.

It gets the build's essays, their passages in index order, and `embed(texts)`, which returns one L2-normalised
float32 vector per text, in order. Every text the build has embedded already comes from memory: the index's units,
i.e. each passage's `context_text(passage)` and `sentence_texts(passage.text)` (see units.py). Other texts come
from the embedding cache or are encoded, in one batch per call. So ask for unit texts where they serve, and ask
once for everything the hook needs (a call per essay would cost a batch per essay). The fourth argument is the live
build's directory (None on a full build, or when there is none): what the hook derived for an unchanged essay
last time can be taken from there instead of derived again.
"""


class Encoder(Protocol):
    """What the builder needs from an embedder (`Embedder` is the real one)."""

    name: str  # recorded in the index
    cache_name: str  # the embedding cache's key: `name`, plus what else changes the vectors (the ONNX recipe)
    dimension: int
    max_tokens: int

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...
    def count_tokens(self, text: str) -> int: ...


class TokenEncoder(Encoder, Protocol):
    """An encoder that also gives word-piece vectors (`Embedder` does); a build with one stores them."""

    def encode_tokens(self, texts: list[str], *, progress: bool = False,
                      pieces_for: Collection[int] | None = None) -> tuple[np.ndarray, list[np.ndarray]]: ...


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_lock(index_dir: Path) -> contextlib.AbstractContextManager[None]:
    return exclusive(index_dir / ".lock")


def current_build(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text().strip()
    except OSError:
        return None
    return index_dir / "builds" / name if name else None


def read_manifest(index_dir: Path) -> Manifest | None:
    build = current_build(index_dir)
    if build is None:
        return None
    try:
        return Manifest.from_json((build / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def build_index(
    essays: list[Essay],
    index_dir: Path,
    encoder: Encoder,
    *,
    full: bool = False,
    progress: bool = False,
    limits: ChunkLimits | None = None,
    on_stage: Callable[[str], None] | None = None,
    artifacts: ArtifactBuilder | None = None,
    exact_max_vectors: int = EXACT_MAX_VECTORS,
) -> BuildReport:
    """Build the index for `essays` beside the live one and swap it in.

    Incremental by default: vectors come from the embedding cache where the text was embedded before; with
    `full`, everything is embedded again. If nothing changed, the live build is kept. `artifacts` adds files
    derived from the essays (the tutor's argument map) to the build, so they are swapped in with it. The dense
    index is exact up to `exact_max_vectors` vectors and HNSW above; it is rebuilt from the cached vectors.
    """
    started = time.perf_counter()
    essays = sorted(essays, key=lambda e: e.filename)  # the same corpus always gives the same index
    limits = limits or ChunkLimits()
    stage = on_stage or (lambda _message: None)
    with build_lock(index_dir):
        _remove_stale_builds(index_dir)
        previous = read_manifest(index_dir)
        pieces_wanted = callable(getattr(encoder, "encode_tokens", None))
        if not full and previous is not None and _up_to_date(previous, essays, encoder.name, limits,
                                                             exact_max_vectors, pieces_wanted):
            return BuildReport(False, len(essays), previous.passage_count, previous.vector_count, 0,
                               time.perf_counter() - started, current_build(index_dir))

        stage("cutting passages")
        limits = ChunkLimits(**{**asdict(limits), "max_tokens": min(limits.max_tokens, encoder.max_tokens)})
        passages: list[Passage] = []
        records: list[EssayRecord] = []
        added = {e.id: e.added_at for e in previous.essays} if previous else {}
        live = [] if full else _live_passages(index_dir, previous, encoder.name, limits)
        cut_before = _by_essay(live, previous)
        for essay in essays:
            cut = cut_before.get((essay.id, essay.content_hash))
            if cut is None or not all(p.essay_title == essay.title and essay.text[p.start:p.end] == p.text
                                      for p in cut):
                cut = chunk_essay(essay, limits, encoder.count_tokens)
            passages.extend(cut)
            records.append(EssayRecord(essay.id, essay.title, essay.author, essay.filename, essay.content_hash,
                                       len(cut), added.get(essay.id, _now()), dict(essay.meta)))

        units = embedding_units(passages)
        stage(f"embedding {len(units)} texts")
        cache = EmbeddingCache(index_dir / "embeddings.sqlite", encoder.cache_name)
        embed = BuildEmbedder(cache, lambda texts: encoder.encode(texts, progress=progress), encoder.dimension,
                              refresh=full)
        texts = [u.text for u in units]
        pieces = _passage_pieces(passages, texts, cast(TokenEncoder, encoder), embed, live,
                                 None if full else current_build(index_dir), progress) if pieces_wanted else None
        vectors = embed(texts)
        if artifacts:
            stage("deriving the build's artifacts")
        extra = artifacts(essays, passages, embed, None if full else current_build(index_dir)) if artifacts else {}
        embedded = embed.embedded
        stage("writing the index")
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"
        tmp = index_dir / "builds" / f".tmp-{name}"
        tmp.mkdir(parents=True)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=encoder.name,
            dimension=int(vectors.shape[1]),
            passage_count=len(passages),
            vector_count=len(units),
            built_at=_now(),
            essays=records,
            chunking=asdict(limits),
            dense_index=index_kind(len(units), exact_max_vectors),
        )
        _write_build(tmp, manifest, passages, vectors, units, extra, exact_max_vectors, pieces, encoder.cache_name)
        final = index_dir / "builds" / name
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        _point_current(index_dir, name)
        _remove_old_builds(index_dir, keep=name)
        log.info("index built: %d essays, %d passages, %d vectors (%d embedded) in %s",
                 len(essays), len(passages), len(units), embedded, final)
        return BuildReport(True, len(essays), len(passages), len(units), embedded,
                           time.perf_counter() - started, final)


def _live_passages(index_dir: Path, previous: Manifest | None, model: str, limits: ChunkLimits) -> list[Passage]:
    """The live build's passages, if they were cut as this build cuts (same format, model tokenizer and limits),
    else none: an unchanged essay keeps its passages instead of being cut again, which counts the word pieces of
    every paragraph (3 s of an add to 1,000 essays), and keeps their word-piece vectors."""
    build = current_build(index_dir)
    if (build is None or previous is None or previous.format_version != FORMAT_VERSION or previous.model != model
            or previous.chunking != asdict(limits)):
        return []
    try:
        with open(build / PASSAGES, encoding="utf-8") as handle:
            return [Passage.from_dict(json.loads(line)) for line in handle if line.strip()]
    except (OSError, ValueError, TypeError, KeyError):
        return []  # cut them again; loading the index reports the damage


def _by_essay(passages: list[Passage], previous: Manifest | None) -> dict[tuple[str, str], list[Passage]]:
    """`passages` by (essay id, content hash) of the essays of `previous`."""
    by_essay: dict[str, list[Passage]] = {}
    for passage in passages:
        by_essay.setdefault(passage.essay_id, []).append(passage)
    essays = previous.essays if previous else []
    return {(e.id, e.content_hash): by_essay[e.id] for e in essays if e.id in by_essay}


def _passage_pieces(passages: list[Passage], unit_texts: list[str], encoder: TokenEncoder, embed: BuildEmbedder,
                    live: list[Passage], live_dir: Path | None, progress: bool) -> list[Pieces]:
    """Each passage's word-piece vectors: the live build's for a passage it has (same text); the others come out
    of the pass that embeds the units `embed` does not have yet, which it is given (one pass for every unit)."""
    texts = [context_text(p) for p in passages]  # the passage units' texts
    store = TokenStore.load(live_dir) if live and live_dir is not None else None
    same = store is not None and store.passages == len(live) and store.source == encoder.cache_name
    known = store.by_text([context_text(p) for p in live]) if store is not None and same else {}
    lacking = {t for t in texts if text_key(t) not in known}
    if lacking:
        needed = set(embed.missing(unit_texts)) | lacking
        batch = [t for t in dict.fromkeys(unit_texts) if t in needed]
        vectors, pieces = encoder.encode_tokens(batch, progress=progress,
                                                pieces_for=[i for i, t in enumerate(batch) if t in lacking])
        embed.add(batch, vectors)
        known.update((text_key(t), Pieces.of(m)) for t, m in zip(batch, pieces, strict=True) if t in lacking)
    return [known[text_key(t)] for t in texts]


def _up_to_date(
    manifest: Manifest, essays: list[Essay], model: str, limits: ChunkLimits, exact_max_vectors: int,
    pieces_wanted: bool,
) -> bool:
    return (
        manifest.format_version == FORMAT_VERSION
        and (TOKENS in manifest.files or not pieces_wanted)
        and manifest.model == model
        and manifest.dense_index == index_kind(manifest.vector_count, exact_max_vectors)
        and {(e.id, e.content_hash) for e in manifest.essays} == {(e.id, e.content_hash) for e in essays}
        and {k: v for k, v in manifest.chunking.items() if k != "max_tokens"}
        == {k: v for k, v in asdict(limits).items() if k != "max_tokens"}
    )


def _write_build(
    directory: Path,
    manifest: Manifest,
    passages: list[Passage],
    vectors: np.ndarray,
    units: list[Any],
    extra: dict[str, str],
    exact_max_vectors: int,
    pieces: list[Pieces] | None,
    pieces_source: str,
) -> None:
    for name, content in extra.items():
        (directory / name).write_text(content, encoding="utf-8")
    with open(directory / PASSAGES, "w", encoding="utf-8") as handle:
        for passage in passages:
            handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    dense = build_dense_index(vectors, manifest.dimension, exact_max_vectors)
    faiss.write_index(dense, str(directory / DENSE))
    np.savez(
        directory / UNITS,
        passage=np.array([u.passage_row for u in units], dtype=np.int32),
        kind=np.array([u.kind for u in units], dtype=np.int8),
    )
    (directory / BM25_DIR).mkdir()
    LexicalIndex.build([context_text(p) for p in passages]).save(directory / BM25_DIR)
    if pieces is not None:
        write_store(directory, pieces, manifest.dimension, pieces_source)
    manifest.files = {
        str(path.relative_to(directory)): _sha256(path)
        for path in sorted(directory.rglob("*")) if path.is_file()
    }
    (directory / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    for path in directory.rglob("*"):
        if path.is_file():
            _fsync_file(path)
    _fsync_dir(directory)


def _point_current(index_dir: Path, name: str) -> None:
    tmp = index_dir / f".{CURRENT}.tmp"
    with open(tmp, "w") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def _remove_stale_builds(index_dir: Path) -> None:
    """Remove leftovers of builds that died (only called under the build lock)."""
    builds = index_dir / "builds"
    if builds.is_dir():
        for path in builds.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    for path in (index_dir / "builds").iterdir():
        if path.name != keep and not path.name.startswith("."):
            shutil.rmtree(path, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_index(index_dir: Path, *, model: str | None = None) -> LoadedIndex:
    """Load and validate the live build. Raises IndexLoadError with the fixing command."""
    build = current_build(index_dir)
    if build is None:
        raise IndexLoadError(f"no index in {index_dir}/; build it with `python -m bot index build`")
    if not build.is_dir():
        raise IndexLoadError(f"the index in {index_dir}/ points at a missing build ({build.name}); "
                             f"rebuild it with `{REBUILD}`")
    try:
        manifest = Manifest.from_json((build / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexLoadError(f"the index manifest is missing ({build / MANIFEST}); rebuild with `{REBUILD}`") from None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexLoadError(f"the index manifest is corrupt ({exc}); rebuild with `{REBUILD}`") from None
    if manifest.format_version != FORMAT_VERSION:
        raise IndexLoadError(f"the index has format version {manifest.format_version}, this program reads "
                             f"{FORMAT_VERSION}; rebuild with `{REBUILD}`")
    if model is not None and manifest.model != model:
        raise IndexLoadError(f"the index was built with embedding model {manifest.model!r} but EMBEDDING_MODEL and "
                             f"EMBEDDING_BACKEND give {model!r}; rebuild with `{REBUILD}` (or set them back)")
    for relative, digest in manifest.files.items():
        path = build / relative
        if not path.is_file():
            raise IndexLoadError(f"index file {relative} is missing; rebuild with `{REBUILD}`")
        if _sha256(path) != digest:
            raise IndexLoadError(f"index file {relative} is corrupt (checksum mismatch); rebuild with `{REBUILD}`")
    try:
        with open(build / PASSAGES, encoding="utf-8") as handle:
            passages = [Passage.from_dict(json.loads(line)) for line in handle if line.strip()]
        dense = faiss.read_index(str(build / DENSE))
        units = np.load(build / UNITS)
        unit_passage, unit_kind = units["passage"], units["kind"]
        lexical = LexicalIndex.load(build / BM25_DIR, len(passages))
        tokens = TokenStore.load(build) if TOKENS in manifest.files else None
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexLoadError(f"the index cannot be read ({exc}); rebuild with `{REBUILD}`") from None
    if dense.d != manifest.dimension:
        raise IndexLoadError(f"dimension mismatch: the vectors have {dense.d} dimensions, the manifest says "
                             f"{manifest.dimension}; rebuild with `{REBUILD}`")
    if len(passages) != manifest.passage_count or dense.ntotal != manifest.vector_count or len(
        unit_passage
    ) != dense.ntotal:
        raise IndexLoadError(f"the index files disagree on counts ({len(passages)} passages, {dense.ntotal} "
                             f"vectors; manifest: {manifest.passage_count}, {manifest.vector_count}); "
                             f"rebuild with `{REBUILD}`")
    if tokens is not None and (tokens.passages != len(passages) or tokens.dimension != manifest.dimension):
        raise IndexLoadError(f"the index's word-piece vectors do not match its passages; rebuild with `{REBUILD}`")
    return LoadedIndex(build, manifest, passages, dense, unit_passage, unit_kind, lexical, tokens)
