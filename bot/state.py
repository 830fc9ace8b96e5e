"""Persistent state: conversations and their turns, who wrote which words of a turn, the Discord threads the bot
opened, messages received but not answered yet, and the servers with server commands. In SQLite (DATABASE_PATH, the
default) or PostgreSQL (DATABASE_URL): each store takes the settings, a `Database` (`bot.database`) or an SQLite
path, and the schema comes from the versioned migrations in `bot/database/migrations/`.

Each exchange (the user's message and the tutor's reply) is written in one transaction, so a crash never
leaves half a turn, and a restarted process continues every conversation where it stopped. Conversations are
keyed by a caller-chosen id (a Discord thread or DM channel, a terminal session), so they never mix.
What a person said can be deleted on request (`forget_user` on each store) and old conversations purged
(`purge_before`). All SQL lives in these store classes. Blocking: call from a worker thread in async code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.database import Connection, Store


def _now() -> str:
    return _iso(datetime.now(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Span:
    """Who wrote `text[start:end]` of a user turn (a turn may join several people's messages)."""

    user_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Forgotten:
    """What `ConversationStore.forget_user` deleted."""

    conversations: int = 0  # whole conversations: everything said in them was this person's
    shared: int = 0  # conversations with other people's words too, which stay
    messages: int = 0  # this person's messages (or parts of turns), in both


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

    @property
    def user_acts(self) -> set[str]:
        """What the reader has done so far (understanding's acts, as stored with each message)."""
        return {str(a) for t in self.turns if t.role == "user" for a in t.meta.get("acts", [])}


class ConversationStore(Store):
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
                "closed = FALSE, updated_at = excluded.updated_at",
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
            db.execute("UPDATE conversations SET closed = TRUE, updated_at = ? WHERE id = ?", (_now(), conversation_id))

    # ---- who said what --------------------------------------------------------------------------------------
    def attribute_last_user_turn(self, conversation_id: str, text: str, spans: Sequence[Span]) -> None:
        """Record who wrote which part of the conversation's latest user turn, whose message was `text`.

        The caller must make sure no other turn of the conversation was recorded in between (the Discord layer
        holds the conversation's lock). If the stored turn is not `text` (or its start), every author is given
        the whole turn, so that forgetting any of them deletes all of it rather than too little."""
        with self._lock, self._connect() as db:
            row = db.execute("SELECT id, text FROM turns WHERE conversation_id = ? AND role = 'user' ORDER BY id DESC "
                             "LIMIT 1", (conversation_id,)).fetchone()
            if row is None:
                return
            turn_id, stored = row
            if stored and text.startswith(stored):
                kept = [(s.user_id, s.start, min(s.end, len(stored))) for s in spans if s.start < len(stored)]
            else:
                kept = [(user, 0, len(stored)) for user in dict.fromkeys(s.user_id for s in spans)]
            db.executemany('INSERT INTO turn_authors (turn_id, user_id, start, "end") VALUES (?, ?, ?, ?)',
                           [(turn_id, *span) for span in kept])

    def authors(self, conversation_id: str) -> list[tuple[str, list[Span]]]:
        """Each user turn's text with its authors' spans (empty when unknown), in order."""
        with self._connect() as db:
            turns = db.execute("SELECT id, text FROM turns WHERE conversation_id = ? AND role = 'user' ORDER BY id",
                               (conversation_id,)).fetchall()
            spans: dict[int, list[Span]] = {}
            for turn_id, user_id, start, end in db.execute(
                'SELECT a.turn_id, a.user_id, a.start, a."end" FROM turn_authors a JOIN turns t ON t.id = a.turn_id '
                "WHERE t.conversation_id = ? ORDER BY a.turn_id, a.start", (conversation_id,)):
                spans.setdefault(turn_id, []).append(Span(user_id, start, end))
        return [(text, spans.get(turn_id, [])) for turn_id, text in turns]

    # ---- deleting ---------------------------------------------------------------------------------------------
    def forget_user(self, user_id: int) -> Forgotten:
        """Delete everything this person said: their parts of user turns, and the tutor's replies to those turns
        (a reply can echo the words it answers). A conversation left with no user turn is deleted whole; other
        people's words stay, rejoined, in the turns they shared."""
        with self._lock, self._connect() as db:
            turns = db.execute("SELECT DISTINCT t.id, t.conversation_id, t.text FROM turn_authors a JOIN turns t ON "
                               "t.id = a.turn_id WHERE a.user_id = ? ORDER BY t.id", (user_id,)).fetchall()
            messages = 0
            for turn_id, conversation_id, text in turns:
                spans = [Span(*row) for row in db.execute(
                    'SELECT user_id, start, "end" FROM turn_authors WHERE turn_id = ? ORDER BY start', (turn_id,))]
                messages += sum(s.user_id == user_id for s in spans)
                self._delete_answers(db, conversation_id, turn_id)
                others = [s for s in spans if s.user_id != user_id]
                db.execute("DELETE FROM turn_authors WHERE turn_id = ?", (turn_id,))
                if not others:
                    db.execute("DELETE FROM turns WHERE id = ?", (turn_id,))
                    continue
                pieces, rebuilt = [], []
                for span in others:
                    start = sum(len(p) + 1 for p in pieces)
                    pieces.append(text[span.start : span.end])
                    rebuilt.append((turn_id, span.user_id, start, start + len(pieces[-1])))
                db.execute("UPDATE turns SET text = ? WHERE id = ?", ("\n".join(pieces), turn_id))
                db.executemany('INSERT INTO turn_authors (turn_id, user_id, start, "end") VALUES (?, ?, ?, ?)', rebuilt)
            touched = dict.fromkeys(conversation_id for _, conversation_id, _ in turns)
            emptied = [c for c in touched if db.execute(
                "SELECT 1 FROM turns WHERE conversation_id = ? AND role = 'user' LIMIT 1", (c,)).fetchone() is None]
            db.executemany("DELETE FROM conversations WHERE id = ?", [(c,) for c in emptied])
            db.executemany("DELETE FROM turns WHERE conversation_id = ?", [(c,) for c in emptied])  # never recorded
        return Forgotten(len(emptied), len(touched) - len(emptied), messages)

    @staticmethod
    def _delete_answers(db: Connection, conversation_id: str, turn_id: int) -> None:
        """The tutor turns after user turn `turn_id` and before the conversation's next user turn."""
        following = db.execute("SELECT MIN(id) FROM turns WHERE conversation_id = ? AND role = 'user' AND id > ?",
                               (conversation_id, turn_id)).fetchone()[0]
        db.execute("DELETE FROM turns WHERE conversation_id = ? AND role = 'tutor' AND id > ? AND id < ?",
                   (conversation_id, turn_id, following if following is not None else 2**63 - 1))

    def purge_before(self, cutoff: datetime) -> list[str]:
        """Delete the conversations last active before `cutoff`, with all their turns; returns their ids."""
        with self._lock, self._connect() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM conversations WHERE updated_at < ?", (_iso(cutoff),))]
            db.executemany("DELETE FROM conversations WHERE id = ?", [(i,) for i in ids])
        return ids


class ThreadStore(Store):
    """The Discord threads the bot opened for someone's conversation (thread id = conversation id)."""

    def ids(self) -> set[int]:
        with self._connect() as db:
            return {row[0] for row in db.execute("SELECT thread_id FROM discord_threads")}

    def has(self, thread_id: int) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM discord_threads WHERE thread_id = ?", (thread_id,)).fetchone() is not None

    def add(self, thread_id: int, *, guild_id: int, user_id: int) -> None:
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO discord_threads (thread_id, guild_id, user_id, created_at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT DO NOTHING", (thread_id, guild_id, user_id, _now()))

    def forget_user(self, user_id: int) -> list[int]:
        """Delete the threads opened for this person; returns their ids."""
        with self._lock, self._connect() as db:
            ids = [r[0] for r in db.execute("SELECT thread_id FROM discord_threads WHERE user_id = ?", (user_id,))]
            db.execute("DELETE FROM discord_threads WHERE user_id = ?", (user_id,))
        return ids

    def remove(self, thread_ids: Iterable[int]) -> None:
        with self._lock, self._connect() as db:
            db.executemany("DELETE FROM discord_threads WHERE thread_id = ?", [(i,) for i in thread_ids])


class CommandGuildStore(Store):
    """The servers where the bot registered server-only commands (ADMIN_GUILD_IDS, DISCORD_GUILD_ID), so that it
    can take them back from a server no longer listed: Discord keeps a server's commands until they are replaced."""

    def guilds(self) -> set[int]:
        with self._connect() as db:
            return {row[0] for row in db.execute("SELECT guild_id FROM discord_command_guilds")}

    def replace(self, guild_ids: Iterable[int]) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM discord_command_guilds")
            db.executemany("INSERT INTO discord_command_guilds (guild_id) VALUES (?)", [(g,) for g in set(guild_ids)])


@dataclass(frozen=True)
class PendingMessage:
    """A message the bot received and has not answered yet (ids only: the text is read again from Discord)."""

    message_id: int
    channel_id: int
    guild_id: int | None
    user_id: int
    inbox: str  # which of the bot's inboxes takes it
    received_at: datetime


class PendingStore(Store):
    """Messages received but not yet answered, so that a restarted bot answers them (or says it cannot)."""

    def hold(self, message: PendingMessage) -> None:
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO pending_messages (message_id, channel_id, guild_id, user_id, inbox, received_at) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       (message.message_id, message.channel_id, message.guild_id, message.user_id, message.inbox,
                        _iso(message.received_at)))

    def release(self, message_ids: Iterable[int]) -> None:
        with self._lock, self._connect() as db:
            db.executemany("DELETE FROM pending_messages WHERE message_id = ?", [(i,) for i in message_ids])

    def held(self, inbox: str) -> list[PendingMessage]:
        """The messages `inbox` still has to answer, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT message_id, channel_id, guild_id, user_id, inbox, received_at FROM "
                              "pending_messages WHERE inbox = ? ORDER BY received_at, message_id", (inbox,)).fetchall()
        return [PendingMessage(*row[:5], datetime.fromisoformat(row[5])) for row in rows]

    def forget_user(self, user_id: int) -> int:
        with self._lock, self._connect() as db:
            return db.execute("DELETE FROM pending_messages WHERE user_id = ?", (user_id,)).rowcount

    def purge_before(self, cutoff: datetime) -> int:
        with self._lock, self._connect() as db:
            return db.execute("DELETE FROM pending_messages WHERE received_at < ?", (_iso(cutoff),)).rowcount
