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


@dataclass
class Conversation:
    id: str
    essay_id: str | None = None
    claim_id: str | None = None
    closed: bool = False
    turns: list[Turn] = field(default_factory=list)

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

    def load(self, conversation_id: str) -> Conversation:
        """The conversation with this id (a new, empty one if it was never seen)."""
        with self._connect() as db:
            row = db.execute("SELECT essay_id, claim_id, closed FROM conversations WHERE id = ?",
                             (conversation_id,)).fetchone()
            if row is None:
                return Conversation(conversation_id)
            turns = [
                Turn(role, text, stance, move, question, claim_id, tuple(json.loads(quotes)), created_at)
                for role, text, stance, move, question, claim_id, quotes, created_at in db.execute(
                    "SELECT role, text, stance, move, question, claim_id, quotes, created_at FROM turns "
                    "WHERE conversation_id = ? ORDER BY id", (conversation_id,))
            ]
        return Conversation(conversation_id, row[0], row[1], bool(row[2]), turns)

    def record(self, conversation: Conversation, user: Turn | None, tutor: Turn) -> None:
        """Append one exchange atomically and remember the essay and claim under discussion."""
        now = _now()
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO conversations (id, essay_id, claim_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET essay_id = excluded.essay_id, claim_id = excluded.claim_id, "
                "closed = 0, updated_at = excluded.updated_at",
                (conversation.id, conversation.essay_id, conversation.claim_id, now, now),
            )
            for turn in (user, tutor):
                if turn is None:
                    continue
                db.execute(
                    "INSERT INTO turns (conversation_id, role, text, stance, move, question, claim_id, quotes, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (conversation.id, turn.role, turn.text, turn.stance, turn.move, turn.question, turn.claim_id,
                     json.dumps(list(turn.quotes), ensure_ascii=False), now),
                )
        conversation.turns += [t for t in (user, tutor) if t is not None]

    def close(self, conversation_id: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE conversations SET closed = 1, updated_at = ? WHERE id = ?", (_now(), conversation_id))
