"""The corpus directory: the essays' source of truth. Validates, adds and removes essay files.

A file is written as a hidden `.adding-*` temporary and renamed into place, and a removed file is first moved
aside to `.removed-<name>`; hidden files are never read as essays. A process killed midway can leave such a file
behind: `clear_debris` removes them (under the library's corpus lock, so never another process's file in flight).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.corpus.models import Essay, EssayError
from bot.corpus.readers import SUPPORTED_SUFFIXES, parse_essay, read_file


class CorpusError(Exception):
    """One or more essays were rejected; `errors` holds one line per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class NewEssay:
    """An essay that passed validation and may be copied into the corpus.

    `resumed`: the corpus holds this essay already (an add that died before updating the index); there is
    nothing to copy, only the index to update.
    """

    essay: Essay
    raw: bytes
    resumed: bool = False


ADDING_PREFIX = ".adding-"
REMOVED_PREFIX = ".removed-"


class Corpus:
    def __init__(self, directory: Path, *, max_bytes: int = 5_000_000) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._parsed: dict[tuple[str, bytes], Essay] = {}  # (file name, SHA-256 of its bytes) -> the essay

    def files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            p for p in self.directory.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED_SUFFIXES
        )

    def read_all(self) -> list[Essay]:
        """Every essay in the corpus; raises CorpusError naming every bad or duplicate file."""
        essays, errors = self.scan()
        if errors:
            raise CorpusError(errors)
        return essays

    def scan(self) -> tuple[list[Essay], list[str]]:
        """The essays that read well, and one line for each file that does not (bad, or a duplicate)."""
        essays: list[Essay] = []
        errors: list[str] = []
        parsed: dict[tuple[str, bytes], Essay] = {}
        by_hash: dict[str, Essay] = {}
        by_id: dict[str, Essay] = {}
        for path in self.files():
            try:
                raw = read_file(path, max_bytes=self.max_bytes, name=path.name)
                key = (path.name, hashlib.sha256(raw).digest())
                essay = self._parsed.get(key) or parse_essay(raw, name=path.name, suffix=path.suffix)
                parsed[key] = essay
                _check_unique(essay, [e for e in (by_hash.get(essay.content_hash), by_id.get(essay.id)) if e])
            except EssayError as exc:
                errors.append(str(exc))
                continue
            essays.append(essay)
            by_hash[essay.content_hash], by_id[essay.id] = essay, essay
        self._parsed = parsed  # what this scan read: parsing 1,000 files again was 0.9 s of every add or removal
        return essays, errors

    def validate_new(
        self, items: Iterable[tuple[str, bytes]], existing: Sequence[Essay], *, unindexed: Sequence[Essay] = ()
    ) -> list[NewEssay]:
        """Validate (file name, bytes) pairs against the corpus and each other. All or nothing.

        An exact duplicate of an essay in `unindexed` (essays of the corpus that the index lacks) is accepted as
        that essay with `resumed` set: adding it again finishes an add that died before the index was updated.
        """
        accepted: list[NewEssay] = []
        errors: list[str] = []
        for name, raw in items:
            name = Path(name).name
            try:
                if len(raw) > self.max_bytes:
                    raise EssayError(name, f"the file is {len(raw):,} bytes, above the {self.max_bytes:,}-byte limit")
                essay = parse_essay(raw, name=name, suffix=Path(name).suffix.lower())
                pending = next((e for e in unindexed if e.content_hash == essay.content_hash), None)
                if pending is not None and all(n.essay is not pending for n in accepted):
                    accepted.append(NewEssay(pending, raw, resumed=True))
                    continue
                _check_unique(essay, [*existing, *(n.essay for n in accepted)])
            except EssayError as exc:
                errors.append(str(exc))
                continue
            accepted.append(NewEssay(essay, raw))
        if errors:
            raise CorpusError(errors)
        return accepted

    def write(self, new: Sequence[NewEssay]) -> list[Path]:
        """Copy validated essays into the corpus (not the resumed ones: they are there); each file appears whole
        or not at all."""
        self.directory.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        try:
            for item in new:
                if item.resumed:
                    continue
                target = self.directory / item.essay.filename
                fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=ADDING_PREFIX)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(item.raw)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
                written.append(target)
        except OSError:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return written

    def take_out(self, essay: Essay) -> Path:
        """Move an essay's file aside (to restore with `put_back` if the index update fails)."""
        source = self.directory / essay.filename
        aside = self.directory / f"{REMOVED_PREFIX}{essay.filename}"
        os.replace(source, aside)
        return aside

    def put_back(self, aside: Path) -> None:
        os.replace(aside, self.directory / aside.name.removeprefix(REMOVED_PREFIX))

    @staticmethod
    def discard(aside: Path) -> None:
        aside.unlink(missing_ok=True)

    def debris(self) -> list[Path]:
        """Files left by a change that was killed midway: a partial copy, or a file set aside for removal."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir()
                      if p.is_file() and p.name.startswith((ADDING_PREFIX, REMOVED_PREFIX)))

    def clear_debris(self) -> None:
        """Delete `debris()`. Only while no other change is in flight (the library holds its corpus lock)."""
        for path in self.debris():
            path.unlink(missing_ok=True)

    def copy_from(self, paths: Sequence[Path]) -> list[tuple[str, bytes]]:
        """Read candidate files from disk as (name, bytes), rejecting unreadable or oversized ones."""
        items: list[tuple[str, bytes]] = []
        errors: list[str] = []
        for path in paths:
            try:
                size = path.stat().st_size
                if size > self.max_bytes:
                    raise EssayError(path.name, f"the file is {size:,} bytes, above the {self.max_bytes:,}-byte limit")
                if not path.is_file():
                    raise EssayError(path.name, "not a regular file")
                items.append((path.name, path.read_bytes()))
            except EssayError as exc:
                errors.append(str(exc))
            except OSError as exc:
                errors.append(f"{path.name}: cannot read the file ({exc.strerror or exc})")
        if errors:
            raise CorpusError(errors)
        return items


def find_essay(essays: Sequence[Essay], key: str) -> Essay:
    """Find an essay by id, file name or title (case-insensitive)."""
    wanted = key.strip().casefold()
    for essay in essays:
        if wanted in (essay.id, essay.filename.casefold(), essay.title.casefold()):
            return essay
    known = ", ".join(e.id for e in essays) or "none"
    raise CorpusError([f"{key}: no such essay (known essays: {known})"])


def _check_unique(essay: Essay, others: Sequence[Essay]) -> None:
    for other in others:
        if other.content_hash == essay.content_hash:
            raise EssayError(essay.filename, f"exact duplicate of '{other.title}' ({other.filename})")
        if other.id == essay.id:
            raise EssayError(
                essay.filename, f"an essay with id '{essay.id}' already exists ({other.filename}); rename the file"
            )

