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
