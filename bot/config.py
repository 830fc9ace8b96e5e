"""Settings, read from the environment or a `.env` file (see `.env.example`)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.retrieval.dense_index import EXACT_MAX_VECTORS

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every knob of the tutor. Paths are relative to the working directory."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)  # `NAME=` in .env means the default

    discord_token: SecretStr | None = Field(default=None, description="Bot token; only `run` needs it.")
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    database_path: Path = Path("data/tutor.sqlite3")
    database_url: SecretStr | None = Field(
        default=None, description="PostgreSQL for the bot's state (postgresql://user:password@host:5432/db), shared "
        "by several bot processes; unset: the SQLite file DATABASE_PATH.",
    )
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
    admin_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Servers that own the library: only there do /essay and /reindex exist "
        "(for members with Manage Server). Comma-separated ids; empty: essays are managed from the command line only.",
    )
    replies_per_minute: int = Field(
        default=6, ge=0, description="Flood limit on Discord: tutor replies per user per minute. Over it, messages "
        "wait (never dropped) and are answered together when it lifts; 0: no limit.",
    )
    burst_quiet_seconds: float = Field(
        default=2.5, ge=0, description="Discord: messages a person sends within this many seconds of each other "
        "(or while their reply is being written) are answered together, as one turn.",
    )
    conversation_retention_days: int | None = Field(
        default=None, ge=1, description="Delete conversations (and who said what in them) inactive for this many "
        "days, checked every hour; unset: keep them until someone runs /forget.",
    )
    embedding_backend: Literal["auto", "torch", "onnx", "onnx-int8"] = Field(
        default="auto",
        description="torch, onnx or onnx-int8 (exported once to INDEX_DIR/models); auto: the existing index's "
        "backend, onnx-int8 for a new index.",
    )
    dense_exact_max_vectors: int = Field(
        default=EXACT_MAX_VECTORS, ge=0,
        description="Exact vector search up to this many vectors; an approximate HNSW index above.",
    )
    discussion_batch_seconds: float = Field(
        default=20.0, gt=0, description="Weekly thread: answer a burst of messages once it has been quiet this long."
    )
    discussion_tick_seconds: float = Field(default=60.0, gt=0, description="How often the weekly schedule is checked.")
    shard_count: int | None = Field(
        default=None, ge=1, description="Discord shards in all (every process of the bot sets the same number); "
        "unset: as many as Discord recommends, all in this process.",
    )
    shard_ids: Annotated[list[int] | None, NoDecode] = Field(
        default=None, description="The shards this process runs, comma-separated (each below SHARD_COUNT); unset: "
        "all of them.",
    )
    index_refresh_seconds: float = Field(
        default=5.0, gt=0, description="How often a running bot checks INDEX_DIR/CURRENT for a build made by another "
        "process (the CLI, or another bot process) and swaps it in.",
    )
    llm_base_url: str | None = Field(
        default=None, description="An OpenAI-compatible API (e.g. http://localhost:11434/v1); with LLM_MODEL set, "
        "the tutor's replies are composed by that model and checked.",
    )
    llm_model: str | None = Field(default=None, description="The model name the endpoint knows (e.g. llama3.2).")
    llm_api_key: SecretStr | None = Field(default=None, description="Sent as a Bearer token; local servers need none.")
    llm_timeout: float = Field(
        default=20.0, gt=0, description="Seconds for a whole LLM reply; past it the offline reply is used."
    )


    @field_validator("admin_guild_ids", mode="before")
    @classmethod
    def _server_ids(cls, value: object) -> object:
        """`123, 456` (as people write it), `[123, 456]`, or a list."""
        return _number_list(value, "not a server id (a number: in Discord, turn on Developer Mode, right-click the "
                                   "server, Copy Server ID)")

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_ids(cls, value: object) -> object:
        """`0,1` or `[0, 1]`; empty means all."""
        return _number_list(value, "not a shard id (a number from 0 to SHARD_COUNT - 1)") or None

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a PostgreSQL URL, postgresql://user:password@host:5432/database (leave it "
                             "empty to keep the state in the SQLite file DATABASE_PATH)")
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT: the number of shards in all, the same in every process")
        outside = [i for i in self.shard_ids if i >= self.shard_count]
        if outside:
            raise ValueError(f"SHARD_IDS {', '.join(map(str, outside))}: shard ids go from 0 to SHARD_COUNT - 1 "
                             f"({self.shard_count - 1})")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("SHARD_IDS names a shard twice")
        return self


def _number_list(value: object, what: str) -> object:
    """`1, 2;3` or `[1, 2]` as a list of ints (anything but text is left to pydantic)."""
    if not isinstance(value, str):
        return value
    parts = [part for part in re.split(r"[\s,;]+", value.strip().strip("[]")) if part]
    bad = [part for part in parts if not part.isdigit()]
    if bad:
        raise ValueError(f"{', '.join(bad)}: {what}")
    return [int(part) for part in parts]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached: `.env` is read once)."""
    return Settings()
