"""The Discord-side settings: ADMIN_GUILD_IDS as people write it, retention, and what `doctor` says about them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Settings, get_settings
from bot.library import Library

ROOT = Path(__file__).resolve().parent.parent


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


@pytest.mark.parametrize(("written", "ids"), [
    ("", []), ("123456789012345678", [123456789012345678]), ("1, 2,3", [1, 2, 3]), (" 4;5 ", [4, 5]),
    ("[6, 7]", [6, 7]),
])
def test_admin_guild_ids_as_people_write_them(monkeypatch: pytest.MonkeyPatch, written: str, ids: list[int]) -> None:
    assert settings(monkeypatch, ADMIN_GUILD_IDS=written).admin_guild_ids == ids


def test_a_wrong_server_id_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="my-server: not a server id.*Copy Server ID"):
        settings(monkeypatch, ADMIN_GUILD_IDS="123,my-server")


def test_retention_defaults_to_keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).conversation_retention_days is None
    assert settings(monkeypatch, CONVERSATION_RETENTION_DAYS="").conversation_retention_days is None
    assert settings(monkeypatch, CONVERSATION_RETENTION_DAYS="30").conversation_retention_days == 30
    with pytest.raises(ValidationError):
        settings(monkeypatch, CONVERSATION_RETENTION_DAYS="0")


def test_env_example_lists_every_setting() -> None:
    listed = {line.lstrip("# ").split("=")[0] for line in (ROOT / ".env.example").read_text().splitlines()
              if "=" in line and line.lstrip("# ").split("=")[0].isupper()}
    assert {name.upper() for name in Settings.model_fields} <= listed


def test_doctor_reports_who_manages_the_essays_and_how_long_conversations_stay(
    library_factory: Callable[..., Library], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    library = library_factory()
    monkeypatch.chdir(tmp_path)
    for name, value in {"CORPUS_DIR": library.corpus.directory, "INDEX_DIR": library.index_dir,
                        "DATABASE_PATH": tmp_path / "tutor.sqlite3"}.items():
        monkeypatch.setenv(name, str(value))

    def doctor(**env: str) -> str:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["doctor"])
        get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        return " ".join(result.stdout.split())

    out = doctor()
    assert "ok essay management: from the command line only" in out and "ADMIN_GUILD_IDS is empty" in out
    assert "ok conversations: kept in" in out and "until deleted (/forget)" in out
    out = doctor(ADMIN_GUILD_IDS="111,222", CONVERSATION_RETENTION_DAYS="30")
    assert "/essay and /reindex in servers 111, 222 (ADMIN_GUILD_IDS)" in out
    assert "for 30 days after their last message" in out


@pytest.mark.parametrize(("count", "ids", "expected"), [
    ("", "", (None, None)), ("4", "", (4, None)), ("4", "0, 2", (4, [0, 2])), ("2", "[1]", (2, [1])),
])
def test_shards_as_people_write_them(monkeypatch: pytest.MonkeyPatch, count: str, ids: str,
                                     expected: tuple[int | None, list[int] | None]) -> None:
    found = settings(monkeypatch, SHARD_COUNT=count, SHARD_IDS=ids)
    assert (found.shard_count, found.shard_ids) == expected


@pytest.mark.parametrize(("count", "ids", "message"), [
    ("", "0", "SHARD_IDS needs SHARD_COUNT"), ("2", "0,2", "SHARD_IDS 2: shard ids go from 0 to SHARD_COUNT - 1"),
    ("2", "1,1", "names a shard twice"), ("2", "one", "one: not a shard id"), ("0", "", "greater than or equal"),
])
def test_wrong_shards_are_named(monkeypatch: pytest.MonkeyPatch, count: str, ids: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(monkeypatch, SHARD_COUNT=count, SHARD_IDS=ids)


def test_database_url_must_be_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).database_url is None
    url = "postgresql://bot:secret@db.internal:5432/tutor"
    found = settings(monkeypatch, DATABASE_URL=url).database_url
    assert found is not None and found.get_secret_value() == url and "secret" not in repr(found)
    with pytest.raises(ValidationError, match="must be a PostgreSQL URL"):
        settings(monkeypatch, DATABASE_URL="mysql://bot@db/tutor")


def test_doctor_checks_the_postgresql_server_and_the_shards(
    library_factory: Callable[..., Library], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres_url: str
) -> None:
    library = library_factory()
    monkeypatch.chdir(tmp_path)
    for name, value in {"CORPUS_DIR": library.corpus.directory, "INDEX_DIR": library.index_dir,
                        "DATABASE_URL": postgres_url, "SHARD_COUNT": "4", "SHARD_IDS": "0,1"}.items():
        monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["doctor"])
    out = " ".join(result.stdout.split())
    assert result.exit_code == 0, out
    assert "ok database: PostgreSQL " in out and "is reachable and writable; schema version 0" in out
    assert "ok shards: this process runs shards 0, 1 of 4; run 2, 3 in other processes" in out
    monkeypatch.setenv("DATABASE_URL", f"postgresql://bot@/nowhere?host={tmp_path}/no-server")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["doctor"])
    get_settings.cache_clear()
    out = " ".join(result.stdout.split())
    assert result.exit_code == 1 and "FAIL database: cannot use PostgreSQL nowhere on " in out
    assert "fix: start the server, or fix DATABASE_URL" in out
