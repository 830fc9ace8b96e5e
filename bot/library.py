"""The essay library: the corpus, its index and search, kept in step. The entry point for every front end.

    library = Library()                 # settings from the environment / .env
    library.build()                     # incremental; `full=True` re-embeds everything
    hits = library.search("Why does Mark's innie stay?", k=3)

Blocking: every method here does disk, model or FAISS work. Async callers run them with `asyncio.to_thread`.

Changes (add, remove, build) hold the change lock from reading the corpus to swapping in the new build, so
processes never interleave them: a PostgreSQL advisory lock when DATABASE_URL is set, else the file lock
`INDEX_DIR/.corpus.lock` (`_across_processes`). A change killed midway leaves the corpus ahead of the index
(an added file not yet indexed, a removed file still indexed): `status()` says so, the next build catches
up, and adding the same file again finishes the add. Several processes may share one CORPUS_DIR and
INDEX_DIR (bot shards, the CLI): a long-running process calls `refresh()` now and then to swap in a build
that another process made.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import Settings, get_settings
from bot.corpus import Corpus, CorpusError, Essay, find_essay
from bot.database import open_database
from bot.filelock import FileLock
from bot.retrieval.embedder import Embedder, resolve_backend, shared_embedder
from bot.retrieval.search import Hit, Searcher, SearchParams
from bot.retrieval.store import (
    BuildReport,
    EssayRecord,
    LoadedIndex,
    build_index,
    current_build,
    load_index,
    read_manifest,
)
from bot.tutor.argmap import build_argument_map

BUILD = "python -m bot index build"
CHANGE_LOCK = "library-change"


@dataclass(frozen=True)
class Change:
    essays: list[Essay]
    report: BuildReport
    resumed: list[Essay] = field(default_factory=list)  # of `essays`: already in the corpus, only indexed now


INDEXED, UNINDEXED, CHANGED, FILE_MISSING = "indexed", "not_indexed", "changed", "file_missing"


@dataclass(frozen=True)
class EssayStatus:
    """One essay file as the corpus and the live index see it.

    status: INDEXED (in step), UNINDEXED (in the corpus, not in the index: a new file, or an add that died),
    CHANGED (the file differs from what was indexed) or FILE_MISSING (indexed, but the file is gone).
    """

    filename: str
    status: str
    essay: Essay | None  # what the corpus holds (None: FILE_MISSING)
    record: EssayRecord | None  # what the index holds (None: UNINDEXED)

    @property
    def id(self) -> str:
        return self.essay.id if self.essay else self.record.id  # type: ignore[union-attr]

    @property
    def title(self) -> str:
        return self.essay.title if self.essay else self.record.title  # type: ignore[union-attr]

    @property
    def author(self) -> str | None:
        return self.essay.author if self.essay else self.record.author  # type: ignore[union-attr]

    @property
    def fix(self) -> str | None:
        """The command that brings this essay's index in step with its file (None: nothing to do)."""
        if self.status == UNINDEXED:
            return f"{BUILD} (or `python -m bot index add` the file again)"
        return None if self.status == INDEXED else BUILD


@dataclass(frozen=True)
class LibraryStatus:
    """The corpus against the live index, by file name; `invalid`: corpus files that cannot be read."""

    essays: list[EssayStatus]
    invalid: list[str]

    @property
    def in_step(self) -> bool:
        return not self.invalid and all(e.status == INDEXED for e in self.essays)

    def out_of_step(self) -> list[EssayStatus]:
        return [e for e in self.essays if e.status != INDEXED]

    def summary(self) -> str:
        """One line on what is out of step ("" when in step)."""
        counts = {status: [e.filename for e in self.essays if e.status == status]
                  for status in (UNINDEXED, CHANGED, FILE_MISSING)}
        parts = [f"{what} ({len(names)}): {', '.join(names)}" for what, names in (
            ("in corpus/ but not indexed", counts[UNINDEXED]), ("changed since indexed", counts[CHANGED]),
            ("indexed but gone from corpus/", counts[FILE_MISSING])) if names]
        if self.invalid:
            parts.append(f"unreadable in corpus/ ({len(self.invalid)})")
        return "; ".join(parts)

    @property
    def fix(self) -> str:
        if self.invalid:
            return f"fix or remove the unreadable files (they stop `{BUILD}`): " + "; ".join(self.invalid)
        again = " (or add the essays not indexed again)" if any(e.status == UNINDEXED for e in self.essays) else ""
        return f"`{BUILD}`{again}"


def compare(records: Sequence[EssayRecord], essays: Sequence[Essay], invalid: Sequence[str] = ()) -> LibraryStatus:
    """Match the index's records and the corpus's essays by file name."""
    indexed = {r.filename: r for r in records}
    found = {e.filename: e for e in essays}
    rows = []
    for name in sorted(indexed.keys() | found.keys()):
        record, essay = indexed.get(name), found.get(name)
        if essay is None:
            status = FILE_MISSING
        elif record is None:
            status = UNINDEXED
        else:
            status = INDEXED if record.content_hash == essay.content_hash else CHANGED
        rows.append(EssayStatus(name, status, essay, record))
    return LibraryStatus(rows, list(invalid))


class Library:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        params: SearchParams | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.corpus = Corpus(self.settings.corpus_dir, max_bytes=self.settings.max_essay_bytes)
        self.index_dir = Path(self.settings.index_dir)
        if embedder is None:
            recorded = read_manifest(self.index_dir)
            backend = resolve_backend(self.settings.embedding_backend, recorded.model if recorded else None)
            embedder = shared_embedder(self.settings.embedding_model, self.settings.embedding_batch_size, backend,
                                       self.index_dir / "models")
        self.embedder = embedder
        self.params = params
        self._searcher: Searcher | None = None
        self._write_lock = threading.Lock()  # one corpus/index change at a time in this process
        self._read_lock = threading.Lock()

    # ---- reading -------------------------------------------------------------------------------------------
    @property
    def searcher(self) -> Searcher:
        """The searcher over the live index, loaded on first use (raises IndexLoadError if unusable)."""
        with self._read_lock:
            if self._searcher is None:
                index = load_index(self.index_dir, model=self.embedder.name)
                self._searcher = Searcher(index, self.embedder, self.params)
            return self._searcher

    @property
    def index(self) -> LoadedIndex:
        return self.searcher.index

    def search(self, query: str, k: int = 5, *, essay: str | None = None) -> list[Hit]:
        if essay is not None:
            essay = self.resolve_essay(essay).id
        return self.searcher.search(query, k, essay=essay)

    def essays(self) -> list[EssayRecord]:
        return list(self.index.manifest.essays)

    def status(self) -> LibraryStatus:
        """The corpus against the live index: what is indexed, what is not yet, what is gone.

        Reads the live build's manifest only (not its vectors), so it works when the index is out of step or
        absent (then every essay is unindexed).
        """
        manifest = read_manifest(self.index_dir)
        essays, invalid = self.corpus.scan()
        return compare(manifest.essays if manifest else [], essays, invalid)

    def refresh(self) -> bool:
        """Swap in the live build if another process replaced the loaded one (INDEX_DIR/CURRENT names another
        build); True if it did. Cheap when nothing changed: one small file read. Searches go on with the loaded
        build until the new one is loaded, so none fails during the swap; a build that cannot be loaded raises
        IndexLoadError and the loaded one stays. While this process is changing the library itself, nothing is done
        (its change swaps its own build in)."""
        if not self._write_lock.acquire(blocking=False):
            return False
        try:
            with self._read_lock:
                loaded = self._searcher
            if loaded is None or current_build(self.index_dir) in (None, loaded.index.path):
                return False
            fresh = Searcher(load_index(self.index_dir, model=self.embedder.name), self.embedder, self.params)
            with self._read_lock:
                self._searcher = fresh
            return True
        finally:
            self._write_lock.release()

    def resolve_essay(self, key: str) -> EssayRecord:
        wanted = key.strip().casefold()
        for record in self.essays():
            if wanted in (record.id, record.filename.casefold(), record.title.casefold()):
                return record
        known = ", ".join(r.id for r in self.essays()) or "none"
        raise CorpusError([f"{key}: no such essay (known essays: {known})"])

    # ---- changing ------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        """One corpus/index change at a time, in this process and across processes; clears a killed one's debris."""
        with self._write_lock, self._across_processes():
            self.corpus.clear_debris()
            yield

    def build(self, *, full: bool = False, progress: bool = False,
              on_stage: Callable[[str], None] | None = None) -> BuildReport:
        with self._changing():
            return self._rebuild(self.corpus.read_all(), full=full, progress=progress, on_stage=on_stage)

    def add_files(self, paths: Sequence[Path], **kwargs: object) -> Change:
        return self.add(self.corpus.copy_from(paths), **kwargs)  # type: ignore[arg-type]

    def add(self, items: Sequence[tuple[str, bytes]], *, progress: bool = False,
            on_stage: Callable[[str], None] | None = None) -> Change:
        """Validate (name, bytes) essays, copy them into the corpus and update the index. All or nothing.

        A file the corpus holds already but the index lacks (its add died before the index was updated) is not
        a duplicate: adding it again indexes it (`Change.resumed`).
        """
        with self._changing():
            existing = self.corpus.read_all()
            manifest = read_manifest(self.index_dir)
            unindexed = [s.essay for s in compare(manifest.essays if manifest else [], existing).essays
                         if s.status == UNINDEXED and s.essay is not None]
            accepted = self.corpus.validate_new(items, existing, unindexed=unindexed)
            written = self.corpus.write(accepted)
            try:
                report = self._rebuild([*existing, *(a.essay for a in accepted if not a.resumed)],
                                       progress=progress, on_stage=on_stage)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                raise
            return Change([a.essay for a in accepted], report, [a.essay for a in accepted if a.resumed])

    def remove(self, key: str, *, on_stage: Callable[[str], None] | None = None) -> Change:
        with self._changing():
            essays = self.corpus.read_all()
            essay = find_essay(essays, key)
            aside = self.corpus.take_out(essay)
            try:
                report = self._rebuild([e for e in essays if e is not essay], on_stage=on_stage)
            except BaseException:
                self.corpus.put_back(aside)
                raise
            self.corpus.discard(aside)
            return Change([essay], report)

    def _across_processes(self) -> AbstractContextManager[object]:
        """One change at a time across processes, for the whole of it (reading the corpus, writing it, building):
        two processes adding an essay each at once must not each build an index without the other's. A PostgreSQL
        advisory lock when DATABASE_URL is set (processes on several machines may share INDEX_DIR over a network
        file system, whose file locks are not to be trusted), else a file lock in INDEX_DIR. `build_index` takes
        the index's own file lock inside it."""
        if self.settings.database_url:
            return open_database(self.settings).lock(CHANGE_LOCK)
        return FileLock(self.index_dir / ".corpus.lock")

    def _rebuild(self, essays: list[Essay], **kwargs: object) -> BuildReport:
        report = build_index(essays, self.index_dir, self.embedder, artifacts=build_argument_map,
                             exact_max_vectors=self.settings.dense_exact_max_vectors, **kwargs)  # type: ignore[arg-type]
        if report.changed or self._searcher is None:
            index = load_index(self.index_dir, model=self.embedder.name, verify=not report.changed)
            fresh = Searcher(index, self.embedder, self.params)
            with self._read_lock:
                self._searcher = fresh  # readers switch to the new build in one step
        return report
