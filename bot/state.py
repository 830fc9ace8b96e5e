"""Persistent state in SQLite (DATABASE_PATH): conversations and their turns.

Each exchange (the user's message and the tutor's reply) is written in one transaction, so a crash never
leaves half a turn, and a restarted process continues every conversation where it stopped. Conversations are
keyed by a caller-chosen id (a Discord thread or DM channel, a terminal session), so they never mix.
Blocking: call from a worker thread in async code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.sqlite import SQLiteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    essay_id TEXT,
    claim_id TEXT,
    closed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'tutor')),
    text TEXT NOT NULL,
    stance TEXT,
    move TEXT,
    question TEXT,
    claim_id TEXT,
    quotes TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, id);
"""
# Columns added after the first release: (table, column, definition). Added on open when missing.
_ADDED_COLUMNS = (
    ("conversations", "other_id", "TEXT"),  # a second essay the reader brought in (a comparison)
    ("conversations", "focus_source", "TEXT"),  # how the focus essay was chosen (chosen, named, retrieval…)
    ("turns", "meta", "TEXT NOT NULL DEFAULT '{}'"),  # the turn's kind, the reader's acts, what a question asked
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    stance: str | None = None
    move: str | None = None
    question: str | None = None
    claim_id: str | None = None
    quotes: tuple[dict[str, str | None], ...] = ()
    created_at: str = ""
    meta: dict[str, object] = field(default_factory=dict)  # kind, acts (user turns); asks (tutor turns)


@dataclass
class Conversation:
    id: str
    essay_id: str | None = None  # the focus: the essay the conversation is about
    claim_id: str | None = None
    closed: bool = False
    turns: list[Turn] = field(default_factory=list)
    other_id: str | None = None  # a second essay the reader brought in
    focus_source: str | None = None

    @property
    def tutor_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.role == "tutor"]

    @property
    def moves(self) -> list[str]:
        return [t.move for t in self.tutor_turns if t.move]

    @property
    def questions(self) -> list[str]:
        return [t.question for t in self.tutor_turns if t.question]

    @property
    def quoted(self) -> set[str]:
        return {str(q["text"]) for t in self.tutor_turns for q in t.quotes}

    @property
    def user_messages(self) -> list[str]:
        return [t.text for t in self.turns if t.role == "user"]


class ConversationStore(SQLiteStore):
    schema = _SCHEMA
    foreign_keys = True

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        with self._connect() as db:
            for table, column, definition in _ADDED_COLUMNS:
                present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    def load(self, conversation_id: str) -> Conversation:
        """The conversation with this id (a new, empty one if it was never seen)."""
        with self._connect() as db:
            row = db.execute("SELECT essay_id, claim_id, closed, other_id, focus_source FROM conversations "
                             "WHERE id = ?", (conversation_id,)).fetchone()
            if row is None:
                return Conversation(conversation_id)
            turns = [
                Turn(role, text, stance, move, question, claim_id, tuple(json.loads(quotes)), created_at,
                     json.loads(meta))
                for role, text, stance, move, question, claim_id, quotes, created_at, meta in db.execute(
                    "SELECT role, text, stance, move, question, claim_id, quotes, created_at, meta FROM turns "
                    "WHERE conversation_id = ? ORDER BY id", (conversation_id,))
            ]
        return Conversation(conversation_id, row[0], row[1], bool(row[2]), turns, row[3], row[4])

    def record(self, conversation: Conversation, user: Turn | None, tutor: Turn) -> None:
        """Append one exchange atomically and remember the essay and claim under discussion."""
        now = _now()
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO conversations (id, essay_id, claim_id, other_id, focus_source, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET essay_id = excluded.essay_id, "
                "claim_id = excluded.claim_id, other_id = excluded.other_id, focus_source = excluded.focus_source, "
                "closed = 0, updated_at = excluded.updated_at",
                (conversation.id, conversation.essay_id, conversation.claim_id, conversation.other_id,
                 conversation.focus_source, now, now),
            )
            for turn in (user, tutor):
                if turn is None:
                    continue
                db.execute(
                    "INSERT INTO turns (conversation_id, role, text, stance, move, question, claim_id, quotes, "
                    "created_at, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (conversation.id, turn.role, turn.text, turn.stance, turn.move, turn.question, turn.claim_id,
                     json.dumps(list(turn.quotes), ensure_ascii=False), now, json.dumps(turn.meta)),
                )
        conversation.turns += [t for t in (user, tutor) if t is not None]

    def close(self, conversation_id: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE conversations SET closed = 1, updated_at = ? WHERE id = ?", (_now(), conversation_id))
