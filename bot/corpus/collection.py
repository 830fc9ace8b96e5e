"""The corpus directory: the essays' source of truth. Validates, adds and removes essay files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.corpus.models import Essay, EssayError
from bot.corpus.readers import SUPPORTED_SUFFIXES, parse_essay, read_essay


class CorpusError(Exception):
    """One or more essays were rejected; `errors` holds one line per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class NewEssay:
    """An essay that passed validation and may be copied into the corpus."""

    essay: Essay
    raw: bytes


class Corpus:
    def __init__(self, directory: Path, *, max_bytes: int = 5_000_000) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes

    def files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            p for p in self.directory.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED_SUFFIXES
        )

    def read_all(self) -> list[Essay]:
        """Every essay in the corpus; raises CorpusError naming every bad or duplicate file."""
        essays: list[Essay] = []
        errors: list[str] = []
        for path in self.files():
            try:
                essay = read_essay(path, max_bytes=self.max_bytes)
                _check_unique(essay, essays)
            except EssayError as exc:
                errors.append(str(exc))
                continue
            essays.append(essay)
        if errors:
            raise CorpusError(errors)
        return essays

    def validate_new(self, items: Iterable[tuple[str, bytes]], existing: Sequence[Essay]) -> list[NewEssay]:
        """Validate (file name, bytes) pairs against the corpus and each other. All or nothing."""
        accepted: list[NewEssay] = []
        errors: list[str] = []
        for name, raw in items:
            name = Path(name).name
            try:
                if len(raw) > self.max_bytes:
                    raise EssayError(name, f"the file is {len(raw):,} bytes, above the {self.max_bytes:,}-byte limit")
                essay = parse_essay(raw, name=name, suffix=Path(name).suffix.lower())
                _check_unique(essay, [*existing, *(n.essay for n in accepted)])
            except EssayError as exc:
                errors.append(str(exc))
                continue
            accepted.append(NewEssay(essay, raw))
        if errors:
            raise CorpusError(errors)
        return accepted

    def write(self, new: Sequence[NewEssay]) -> list[Path]:
        """Copy validated essays into the corpus; each file appears whole or not at all."""
        self.directory.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        try:
            for item in new:
                target = self.directory / item.essay.filename
                fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".adding-")
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
        aside = self.directory / f".removed-{essay.filename}"
        os.replace(source, aside)
        return aside

    def put_back(self, aside: Path) -> None:
        os.replace(aside, self.directory / aside.name.removeprefix(".removed-"))

    @staticmethod
    def discard(aside: Path) -> None:
        aside.unlink(missing_ok=True)

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

