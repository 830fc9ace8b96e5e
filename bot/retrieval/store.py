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
from typing import Protocol, cast

import faiss
import numpy as np

from bot.corpus import ChunkLimits, Essay, Passage, chunk_essay
from bot.filelock import exclusive
from bot.retrieval.cache import BuildEmbedder, EmbeddingCache, text_key
from bot.retrieval.dense_index import EXACT_MAX_VECTORS, build_dense_index, index_kind, stored_vectors
from bot.retrieval.late_interaction import TOKENS, Pieces, TokenStore, write_store
from bot.retrieval.lexical import LexicalIndex, saved_tokens
from bot.retrieval.units import context_text, passage_units

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
float32 vector per text, in order. Every text the build has embedded already comes from memory: the units of the
passages it did not keep from the live build, i.e. each such passage's `context_text(passage)` and
`sentence_texts(passage.text)` (see units.py). Other texts come from the embedding cache or are encoded, in one
batch per call. So ask for unit texts where they serve, and ask
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

    Incremental by default: an essay the live build holds unchanged keeps what that build made of it (passages,
    vectors, word pieces, BM25 tokens; see `_LiveBuild`), other texts' vectors come from the embedding cache where
    they were embedded before, and only the rest is embedded; with `full`, everything is cut and embedded again.
    If nothing changed, the live build is kept. `artifacts` adds files derived from the essays (the tutor's
    argument map) to the build, so they are swapped in with it. The dense index is exact up to
    `exact_max_vectors` vectors and HNSW above; it is rebuilt from the cached vectors.
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
        kept: list[int | None] = []  # per passage: its row in the live build, if it keeps that passage
        records: list[EssayRecord] = []
        added = {e.id: e.added_at for e in previous.essays} if previous else {}
        now = _now()  # one time for all essays this build adds, so which is "newest" does not hang on its speed
        live = None if full else _LiveBuild.load(index_dir, previous, encoder, limits)
        for essay in essays:
            rows = live.rows.get((essay.id, essay.content_hash)) if live else None
            cut = [live.passages[r] for r in rows] if live and rows is not None else None
            if cut is None or not all(p.essay_title == essay.title and essay.text[p.start:p.end] == p.text
                                      for p in cut):
                cut, rows = chunk_essay(essay, limits, encoder.count_tokens), None
            passages.extend(cut)
            kept.extend(rows if rows is not None else [None] * len(cut))
            records.append(EssayRecord(essay.id, essay.title, essay.author, essay.filename, essay.content_hash,
                                       len(cut), added.get(essay.id, now), dict(essay.meta)))

        units = _Units.plan(passages, kept, live)
        stage(f"embedding {len(units.texts)} texts")
        cache = EmbeddingCache(index_dir / "embeddings.sqlite", encoder.cache_name)
        embed = BuildEmbedder(cache, lambda texts: encoder.encode(texts, progress=progress), encoder.dimension,
                              refresh=full)
        pieces = _passage_pieces(passages, kept, units.texts, cast(TokenEncoder, encoder), embed, live,
                                 progress) if pieces_wanted else None
        vectors = units.vectors(embed(units.texts), live)
        if artifacts:
            stage("deriving the build's artifacts")
        extra = artifacts(essays, passages, embed, live.path if live else None) if artifacts else {}
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
            vector_count=len(units.passage),
            built_at=_now(),
            essays=records,
            chunking=asdict(limits),
            dense_index=index_kind(len(units.passage), exact_max_vectors),
        )
        lexical = LexicalIndex.build([context_text(p) for p in passages],
                                     live.lexical_tokens(kept) if live else ())
        _write_build(tmp, manifest, passages, vectors, units, lexical, extra, exact_max_vectors, pieces,
                     encoder.cache_name, live.tokens if live else None)
        final = index_dir / "builds" / name
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        _point_current(index_dir, name)
        _remove_old_builds(index_dir, keep=name)
        log.info("index built: %d essays, %d passages, %d vectors (%d embedded) in %s",
                 len(essays), len(passages), len(units.passage), embedded, final)
        return BuildReport(True, len(essays), len(passages), len(units.passage), embedded,
                           time.perf_counter() - started, final)


class _LiveBuild:
    """What a build takes over from the live build for the passages it keeps (an unchanged essay's passages
    stay as they were, rows in the same order): the passages themselves, their units and vectors, word pieces and
    BM25 tokens. Adding one essay to 1,000 then cuts, embeds and tokenises one essay, and copies the rest.

    Taken only from a build cut as this one cuts (same format, model and limits). Each part that cannot be read
    is left out (None) and made again from the passages: cutting them checks every kept passage against its
    essay's text, and the vectors come from the embedding cache instead.
    """

    def __init__(self, path: Path, previous: Manifest, passages: list[Passage]) -> None:
        self.path = path
        self.passages = passages
        self.rows = _rows_by_essay(passages, previous)
        self.dense: faiss.Index | None = None  # kept alive while `vectors` views its storage
        self.vectors: np.ndarray | None = None  # (units, dimension), a view of the dense index
        self.unit_start = np.zeros(0, dtype=np.int64)  # passage r's units are unit rows [start[r], start[r + 1])
        self.unit_kind = np.zeros(0, dtype=np.int8)
        self.tokens: TokenStore | None = None
        self._lexical: list[list[str]] | None = None

    @classmethod
    def load(cls, index_dir: Path, previous: Manifest | None, encoder: Encoder,
             limits: ChunkLimits) -> _LiveBuild | None:
        build = current_build(index_dir)
        if (build is None or previous is None or previous.format_version != FORMAT_VERSION
                or previous.model != encoder.name or previous.chunking != asdict(limits)):
            return None
        try:
            with open(build / PASSAGES, encoding="utf-8") as handle:
                passages = [Passage.from_dict(json.loads(line)) for line in handle if line.strip()]
        except (OSError, ValueError, TypeError, KeyError):
            return None  # cut them again; loading the index reports the damage
        live = cls(build, previous, passages)
        live._load_vectors(previous)
        tokens = TokenStore.load(build) if TOKENS in previous.files else None
        if tokens is not None and tokens.passages == len(passages) and tokens.source == encoder.cache_name:
            live.tokens = tokens
        live._lexical = saved_tokens(build / BM25_DIR, len(passages))
        return live

    def _load_vectors(self, manifest: Manifest) -> None:
        """The unit vectors, if the files are the ones the manifest lists (checksums) and agree on counts."""
        if not all(name in manifest.files and _sha256(self.path / name) == manifest.files[name]
                   for name in (DENSE, UNITS)):
            return
        try:
            dense = faiss.read_index(str(self.path / DENSE))
            with np.load(self.path / UNITS) as units:
                unit_passage, unit_kind = units["passage"], units["kind"]
        except (OSError, ValueError, KeyError, RuntimeError):
            return
        count = len(self.passages)
        if dense.ntotal != len(unit_passage) or dense.d != manifest.dimension or (
                len(unit_passage) and (np.any(np.diff(unit_passage) < 0) or unit_passage[-1] >= count)):
            return
        self.dense, self.vectors, self.unit_kind = dense, stored_vectors(dense), unit_kind
        self.unit_start = np.searchsorted(unit_passage, np.arange(count + 1)).astype(np.int64)

    def lexical_tokens(self, kept: list[int | None]) -> list[list[str] | None]:
        """Per passage of the new build: its BM25 tokens if it is a kept passage whose tokens were saved."""
        saved = self._lexical
        return [saved[r] if saved is not None and r is not None else None for r in kept]


def _rows_by_essay(passages: list[Passage], previous: Manifest) -> dict[tuple[str, str], list[int]]:
    """The rows of `passages` by (essay id, content hash) of the essays of `previous`."""
    rows: dict[str, list[int]] = {}
    for row, passage in enumerate(passages):
        rows.setdefault(passage.essay_id, []).append(row)
    return {(e.id, e.content_hash): rows[e.id] for e in previous.essays if e.id in rows}


@dataclass
class _Units:
    """The new build's units: which passage and kind each is, and where its vector comes from (`take`: a unit
    row of the live build, or -1 for one of `texts`, the units to embed, in order)."""

    passage: np.ndarray
    kind: np.ndarray
    take: np.ndarray
    texts: list[str]

    @classmethod
    def plan(cls, passages: list[Passage], kept: list[int | None], live: _LiveBuild | None) -> _Units:
        reuse = live is not None and live.vectors is not None
        parts_passage: list[np.ndarray] = []
        parts_kind: list[np.ndarray] = []
        parts_take: list[np.ndarray] = []
        texts: list[str] = []
        for row, (passage, old) in enumerate(zip(passages, kept, strict=True)):
            if reuse and old is not None:
                start, end = cast(_LiveBuild, live).unit_start[old:old + 2]
                parts_kind.append(cast(_LiveBuild, live).unit_kind[start:end])
                parts_take.append(np.arange(start, end, dtype=np.int64))
            else:
                units = passage_units(row, passage)
                parts_kind.append(np.array([u.kind for u in units], dtype=np.int8))
                parts_take.append(np.full(len(units), -1, dtype=np.int64))
                texts.extend(u.text for u in units)
            parts_passage.append(np.full(len(parts_take[-1]), row, dtype=np.int32))
        return cls(_joined(parts_passage, np.int32), _joined(parts_kind, np.int8), _joined(parts_take, np.int64),
                   texts)

    def vectors(self, embedded: np.ndarray, live: _LiveBuild | None) -> np.ndarray:
        """Every unit's vector: the live build's where `take` says, else the next row of `embedded` (the vectors
        of `texts`)."""
        if not (self.take >= 0).any():
            return embedded
        out = np.empty((len(self.take), embedded.shape[1]), dtype=np.float32)
        reused = self.take >= 0
        out[reused] = cast(np.ndarray, cast(_LiveBuild, live).vectors)[self.take[reused]]
        out[~reused] = embedded
        return out


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def _passage_pieces(passages: list[Passage], kept: list[int | None], unit_texts: list[str],
                    encoder: TokenEncoder, embed: BuildEmbedder, live: _LiveBuild | None,
                    progress: bool) -> list[Pieces | int]:
    """Each passage's word-piece vectors: a kept passage's row of the live store (copied as it is written); for
    a passage of a changed essay whose text the live build has, its pieces there; the others come out of the pass
    that embeds the units `embed` does not have yet, which it is given (one pass for every unit)."""
    store = live.tokens if live is not None else None
    result: list[Pieces | int | None] = [old if store is not None else None for old in kept]
    texts = {row: context_text(p) for row, p in enumerate(passages) if result[row] is None}
    if store is not None and texts:  # passages of changed essays: the same text may be in the live store
        dropped = set(range(store.passages)) - {r for r in kept if r is not None}
        known = {text_key(context_text(cast(_LiveBuild, live).passages[r])): r for r in sorted(dropped)}
        for row, text in texts.items():
            if (old := known.get(text_key(text))) is not None:
                result[row] = store.pieces(old)
    lacking = {text for row, text in texts.items() if result[row] is None}
    if lacking:
        needed = set(embed.missing(unit_texts)) | lacking
        batch = [t for t in dict.fromkeys([*unit_texts, *lacking]) if t in needed]
        vectors, pieces = encoder.encode_tokens(batch, progress=progress,
                                                pieces_for=[i for i, t in enumerate(batch) if t in lacking])
        embed.add(batch, vectors)
        made = {t: Pieces.of(m) for t, m in zip(batch, pieces, strict=True) if t in lacking}
        result = [made[texts[row]] if piece is None else piece for row, piece in enumerate(result)]
    return cast(list[Pieces | int], result)


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
    units: _Units,
    lexical: LexicalIndex,
    extra: dict[str, str],
    exact_max_vectors: int,
    pieces: list[Pieces | int] | None,
    pieces_source: str,
    live_tokens: TokenStore | None,
) -> None:
    for name, content in extra.items():
        (directory / name).write_text(content, encoding="utf-8")
    with open(directory / PASSAGES, "w", encoding="utf-8") as handle:
        for passage in passages:
            handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    dense = build_dense_index(vectors, manifest.dimension, exact_max_vectors)
    faiss.write_index(dense, str(directory / DENSE))
    np.savez(directory / UNITS, passage=units.passage, kind=units.kind)
    (directory / BM25_DIR).mkdir()
    lexical.save(directory / BM25_DIR)
    if pieces is not None:
        write_store(directory, pieces, manifest.dimension, pieces_source, live_tokens)
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


def load_index(index_dir: Path, *, model: str | None = None, verify: bool = True) -> LoadedIndex:
    """Load and validate the live build. Raises IndexLoadError with the fixing command.

    `verify=False` skips the files' checksums (0.5 s at 1,000 essays), for the build this process has just
    written and fsynced; every other check still runs."""
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
        if verify and _sha256(path) != digest:
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
