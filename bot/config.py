"""Settings, read from the environment or a `.env` file (see `.env.example`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every knob of the tutor. Paths are relative to the working directory."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, description="Bot token; only `run` needs it.")
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    database_path: Path = Path("data/tutor.sqlite3")
    embedding_model: str = Field(
        default=BUNDLED_MODEL,
        description="Bundled model name, a local model directory, or a hub model name.",
    )
    embedding_batch_size: int = Field(default=32, ge=1)
    max_essay_bytes: int = Field(default=5_000_000, ge=1, description="Largest essay file accepted.")
    log_level: str = "INFO"
    discord_guild_id: int | None = Field(
        default=None, description="Sync slash commands to this server only (instant); unset: globally."
    )
    cooldown_seconds: float = Field(default=5.0, ge=0, description="Per-user wait between questions on Discord.")
    discussion_batch_seconds: float = Field(
        default=20.0, gt=0, description="Weekly thread: answer a burst of messages once it has been quiet this long."
    )
    discussion_tick_seconds: float = Field(default=60.0, gt=0, description="How often the weekly schedule is checked.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached: `.env` is read once)."""
    return Settings()
