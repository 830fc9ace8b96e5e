"""The state backends themselves, on SQLite and a real PostgreSQL: versioned migrations (also when several
processes open a new database at once), refusing a newer schema, adopting a database from before migrations,
cross-process locks (released when their holder is killed), and one-line errors for an unreachable server."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.database import Database, DatabaseError, open_database
from bot.database.migrations import migrations
from bot.database.postgres import PostgresDatabase
from bot.database.sqlite import SQLiteDatabase
from bot.state import ConversationStore
from tests.conftest import ROOT
from tests.postgres import TestPostgres

TIMEOUT = 60.0


def applied(database: Database) -> list[tuple[int, str]]:
    with database.transaction() as db:
        return [(int(r[0]), r[1]) for r in db.execute("SELECT version, name FROM schema_migrations ORDER BY version")]


def test_both_dialects_have_the_same_migrations() -> None:
    sqlite, postgresql = migrations("sqlite"), migrations("postgresql")
    assert [(m.version, m.name) for m in sqlite] == [(m.version, m.name) for m in postgresql]
    assert sqlite and [m.version for m in sqlite] == list(range(1, len(sqlite) + 1))


def test_opening_migrates_once(database: Database) -> None:
    expected = [(m.version, m.name) for m in migrations(database.dialect)]
    assert applied(database) == expected and database.schema_version() == len(expected)
    ConversationStore(database).record(ConversationStore(database).load("c"), None, _turn())
    again = SQLiteDatabase(database.path) if isinstance(database, SQLiteDatabase) else PostgresDatabase(
        database.url)  # a second process opening it: nothing to apply, nothing lost
    assert applied(again) == expected
    assert [t.text for t in ConversationStore(again).load("c").turns] == ["?"]
    again.close()


def _turn():  # noqa: ANN202 - a tutor turn for the tests above
    from bot.state import Turn

    return Turn("tutor", "?")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_processes_starting_at_once_migrate_a_new_database_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target = str(tmp_path / "new.sqlite3") if backend == "sqlite" else request.getfixturevalue("postgres_url")
    script = ("import sys, time; from bot.database import open_database\n"
              "while time.time() < float(sys.argv[2]): time.sleep(0.001)\n"
              "print(open_database(sys.argv[1]).schema_version(), flush=True)")
    start = time.time() + 3.0  # every process is imported and waiting by then: they open the database together
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [subprocess.Popen([sys.executable, "-c", script, target, str(start)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    results = [child.communicate(timeout=TIMEOUT) for child in children]
    assert [child.returncode for child in children] == [0] * 4, [err for _, err in results]
    latest = len(migrations(backend))
    assert [int(out) for out, _ in results] == [latest] * 4
    assert applied(open_database(target)) == [(m.version, m.name) for m in migrations(backend)]


def test_a_database_from_a_newer_program_is_refused(database: Database) -> None:
    with database.transaction() as db:
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   (99, "from_the_future", "2030-01-01T00:00:00+00:00"))
    with pytest.raises(DatabaseError, match=r"schema version 99, but this program knows only up to \d+: .*upgrade"):
        SQLiteDatabase(database.path) if isinstance(database, SQLiteDatabase) else PostgresDatabase(database.url)


def test_a_sqlite_file_from_before_migrations_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    with db:  # what the first release created: no other_id, focus_source or meta columns, no migrations table
        db.executescript("""
            CREATE TABLE conversations (id TEXT PRIMARY KEY, essay_id TEXT, claim_id TEXT,
                closed INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL
                REFERENCES conversations(id) ON DELETE CASCADE, role TEXT NOT NULL, text TEXT NOT NULL, stance TEXT,
                move TEXT, question TEXT, claim_id TEXT, quotes TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL);
            INSERT INTO conversations VALUES ('kept', 'severance', NULL, 0, '2026-01-01T00:00:00+00:00',
                '2026-01-01T00:00:00+00:00');
            INSERT INTO turns (conversation_id, role, text, created_at) VALUES ('kept', 'user', 'Still here?',
                '2026-01-01T00:00:00+00:00');
        """)
    db.close()
    store = ConversationStore(path)
    conversation = store.load("kept")
    assert conversation.essay_id == "severance" and [t.text for t in conversation.turns] == ["Still here?"]
    assert conversation.turns[0].meta == {}
    assert applied(store.database) == [(m.version, m.name) for m in migrations("sqlite")]


def test_a_lock_is_held_across_handles_and_released(database: Database) -> None:
    first, second = database.lock("discussion:1"), open_database(database).lock("discussion:1")
    other = database.lock("discussion:2")
    assert first.acquire(wait=False)
    assert not second.acquire(wait=False) and other.acquire(wait=False)  # one name, one holder
    waiting = threading.Thread(target=second.acquire)  # `with lock:` waits until it is free
    waiting.start()
    time.sleep(0.2)
    assert waiting.is_alive()
    first.release()
    waiting.join(TIMEOUT)
    assert not waiting.is_alive() and not first.acquire(wait=False)
    second.release()
    other.release()
    assert first.acquire(wait=False)
    first.release()


def test_a_killed_holder_releases_its_lock(database: Database) -> None:
    target = str(database.path) if isinstance(database, SQLiteDatabase) else database.url  # type: ignore[attr-defined]
    script = ("import sys, time; from bot.database import open_database\n"
              "lock = open_database(sys.argv[1]).lock('discussion:7')\n"
              "assert lock.acquire(wait=False)\n"
              "print('held', flush=True)\n"
              "time.sleep(600)")
    holder = subprocess.Popen([sys.executable, "-c", script, target], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        lock = database.lock("discussion:7")
        assert not lock.acquire(wait=False)
        holder.send_signal(signal.SIGKILL)  # dies mid-post, without releasing anything
        holder.wait(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while not lock.acquire(wait=False):  # the server notices the closed connection within moments
            assert time.monotonic() < deadline, "the dead holder's lock was never released"
            time.sleep(0.05)
        lock.release()
    finally:
        holder.kill()
        holder.wait(TIMEOUT)


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path, postgres: TestPostgres) -> None:
    url = f"postgresql://tutor:secret-password@/tutor?host={tmp_path}/no-server-here"
    with pytest.raises(DatabaseError) as raised:
        open_database(url)
    message = str(raised.value)
    assert message.startswith("cannot connect to PostgreSQL tutor on ") and "\n" not in message
    assert "secret-password" not in message
