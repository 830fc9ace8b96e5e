"""`python -m bot doctor`: is this installation ready? Each check says what it found, or what to fix.

The checks load the index, compare it with corpus/, load the embedding model, write to the database (rolled
back; SQLite or the PostgreSQL server of DATABASE_URL) and, when an LLM is configured, ask it for one word.
They never change anything.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.corpus import CorpusError, EssayError
from bot.database import DatabaseError
from bot.library import Library
from bot.retrieval.embedder import ModelLoadError
from bot.retrieval.store import IndexLoadError
from bot.tutor.llm import ChatClient, LLMError

PROBE = [{"role": "user", "content": "Reply with the single word: ready"}]


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(settings: Settings) -> Iterator[Finding]:
    """The findings, one check at a time (each can take a while: the model, the LLM)."""
    library: Library | None = None
    indexed = False
    try:
        library = Library(settings)
        index = library.index
        essays = len({p.essay_id for p in index.passages})
        yield Finding("index", True, f"{essays} essays, {len(index.passages)} passages in {settings.index_dir}/")
        indexed = True
        if index.tokens is None:  # built before word-piece vectors were stored: it works, ranking a little worse
            yield Finding("late interaction", True, "the index has no word-piece vectors, so search ranks without "
                          "its late-interaction step; `python -m bot index build` adds them (nothing else changes)")
    except (IndexLoadError, CorpusError, EssayError, ModelLoadError, OSError, ValueError) as exc:
        yield Finding("index", False, str(exc), "build it with `python -m bot index build` (after `make install`)")
    if library is not None and indexed:  # without an index, the finding above already says to build one
        yield _check_corpus(library)
    yield _check_model(library)
    yield _check_database(settings)
    yield _check_llm(settings)
    token = settings.discord_token and settings.discord_token.get_secret_value().strip()
    yield Finding("discord", True, "DISCORD_TOKEN is set" if token else
                  "DISCORD_TOKEN is not set (only `python -m bot run` needs it)")
    yield _check_essay_management(settings)
    yield _check_retention(settings)
    yield _check_shards(settings)


def _check_essay_management(settings: Settings) -> Finding:
    servers = settings.admin_guild_ids
    if not servers:
        return Finding("essay management", True, "from the command line only (`python -m bot index add|remove`): "
                       "ADMIN_GUILD_IDS is empty, so no server has /essay or /reindex")
    listed = ", ".join(str(s) for s in servers)
    return Finding("essay management", True, f"/essay and /reindex in server{'s' if len(servers) > 1 else ''} "
                   f"{listed} (ADMIN_GUILD_IDS), for members with Manage Server; every other server can only read")


def _check_shards(settings: Settings) -> Finding:
    count, ids = settings.shard_count, settings.shard_ids
    if count is None:
        return Finding("shards", True, "one process runs every shard (as many as Discord recommends); set "
                       "SHARD_COUNT and SHARD_IDS to split the servers between processes")
    if ids is None or len(ids) == count:
        return Finding("shards", True, f"this process runs all {count} shards")
    others = ", ".join(str(i) for i in range(count) if i not in ids)
    shared = ("they share the PostgreSQL database of DATABASE_URL" if settings.database_url else
              "without DATABASE_URL they must run on this machine, sharing the SQLite file DATABASE_PATH")
    return Finding("shards", True, f"this process runs shard{'s' if len(ids) > 1 else ''} "
                   f"{', '.join(map(str, ids))} of {count}; run {others} in other processes with the same "
                   f"SHARD_COUNT and INDEX_DIR ({shared}); direct messages and command registration go with shard 0")


def _check_retention(settings: Settings) -> Finding:
    days = settings.conversation_retention_days
    where = "in the PostgreSQL database" if settings.database_url else f"in {settings.database_path}"
    if days is None:
        return Finding("conversations", True, f"kept {where} until deleted (/forget); set "
                       "CONVERSATION_RETENTION_DAYS to purge old ones")
    return Finding("conversations", True, f"kept {where} for {days} days after their last message, then deleted")


def _check_corpus(library: Library) -> Finding:
    """Is every essay of corpus/ indexed, and every indexed essay still in corpus/?"""
    try:
        status = library.status()
    except OSError as exc:
        return Finding("corpus", False, f"cannot read {library.corpus.directory}/: {exc}",
                       "make CORPUS_DIR a readable folder")
    if not status.in_step:
        return Finding("corpus", False, status.summary(), status.fix)
    return Finding("corpus", True, f"{len(status.essays)} essays in {library.corpus.directory}/, all indexed")


def _check_model(library: Library | None) -> Finding:
    if library is None:
        return Finding("embedding model", False, "not checked: the library could not be opened",
                       "fix the index first")
    embedder = library.embedder
    try:
        vector = embedder.encode(["Is the tutor ready?"])
    except ModelLoadError as exc:
        return Finding("embedding model", False, str(exc), "unset EMBEDDING_MODEL to use the bundled model")
    return Finding("embedding model", True, f"{embedder.name} loads (dimension {vector.shape[1]})")


def _check_database(settings: Settings) -> Finding:
    if settings.database_url:
        from bot.database.migrations import latest
        from bot.database.postgres import probe

        try:
            found = probe(settings.database_url.get_secret_value())
        except DatabaseError as exc:
            return Finding("database", False, str(exc), "start the server, or fix DATABASE_URL (user, password, "
                           "host, port, database; the user must be allowed to create tables)")
        return Finding("database", True, f"{found} (this program's: {latest('postgresql')}; the bot migrates on start)")
    path = Path(settings.database_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=5)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("CREATE TABLE doctor_probe (x)")  # a real write, rolled back
            db.rollback()
        finally:
            db.close()
    except (OSError, sqlite3.Error) as exc:
        return Finding("database", False, f"cannot write {path}: {exc}",
                       "make DATABASE_PATH's folder writable, or point DATABASE_PATH somewhere writable")
    return Finding("database", True, f"{path} is writable")


def _check_llm(settings: Settings) -> Finding:
    url, model = settings.llm_base_url, settings.llm_model
    if not url and not model:
        return Finding("LLM voice", True, "off: replies come from the offline composer (set LLM_BASE_URL and "
                       "LLM_MODEL to use a model)")
    if not (url and model):
        missing = "LLM_MODEL" if url else "LLM_BASE_URL"
        return Finding("LLM voice", False, f"{missing} is not set", "set both LLM_BASE_URL and LLM_MODEL, or neither")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    try:
        client = ChatClient(url, model, api_key=key, timeout=settings.llm_timeout)
        started = time.monotonic()
        answer = client.complete(PROBE, max_tokens=8).strip()
        elapsed = time.monotonic() - started
    except ValueError as exc:
        return Finding("LLM voice", False, str(exc), "e.g. LLM_BASE_URL=http://localhost:11434/v1")
    except LLMError as exc:
        return Finding("LLM voice", False, str(exc),
                       f"is the server running at {url}? With Ollama: `ollama serve` and `ollama pull {model}`. "
                       "Check LLM_MODEL and LLM_API_KEY, or raise LLM_TIMEOUT for a slow machine")
    if not answer:
        return Finding("LLM voice", False, f"{model} at {url} answered with empty text",
                       "try another LLM_MODEL: this one does not follow chat prompts")
    return Finding("LLM voice", True, f"{model} at {url} answered in {elapsed:.1f}s: {answer[:60]!r}")
