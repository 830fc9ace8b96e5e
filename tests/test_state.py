"""The state stores, each test on both backends (SQLite and a real PostgreSQL, see the `database` fixture): who
wrote which words of a turn, forgetting one person, purging old conversations, the messages waiting for an answer,
the thread registry's table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.database import Database, open_database
from bot.state import ConversationStore, Forgotten, PendingMessage, PendingStore, Span, ThreadStore, Turn

ANA, BO = 1001, 2002


def stored_values(target: Database | Path | str) -> str:
    """Every value of every table of the database, as one text (to search for an id or for words)."""
    database = open_database(target)
    listing = ("SELECT name FROM sqlite_master WHERE type = 'table'" if database.dialect == "sqlite" else
               "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    with database.transaction() as db:
        tables = [r[0] for r in db.execute(listing)]
        return "\n".join(str(value) for table in tables for row in db.execute(f"SELECT * FROM {table}")
                         for value in row)


def exchange(store: ConversationStore, conversation_id: str, said: list[tuple[int, str]], answer: str) -> None:
    """One turn as the Discord layer takes it: the messages joined by newlines, then who wrote which part."""
    text = "\n".join(t for _, t in said)
    spans, start = [], 0
    for user, part in said:
        spans.append(Span(user, start, start + len(part)))
        start += len(part) + 1
    conversation = store.load(conversation_id)
    store.record(conversation, Turn("user", text), Turn("tutor", answer, question=answer))
    store.attribute_last_user_turn(conversation_id, text, spans)


@pytest.fixture
def store(database: Database) -> ConversationStore:
    return ConversationStore(database)


def test_authors_are_recorded_per_part_of_a_turn(store: ConversationStore) -> None:
    exchange(store, "t1", [(ANA, "The outie is to blame."), (BO, "No, Lumon is.")], "Who chose the procedure?")
    [(text, spans)] = store.authors("t1")
    assert [text[s.start : s.end] for s in spans] == ["The outie is to blame.", "No, Lumon is."]
    assert [s.user_id for s in spans] == [ANA, BO]


def test_a_turn_stored_differently_is_given_whole_to_every_author(store: ConversationStore) -> None:
    conversation = store.load("t2")
    store.record(conversation, Turn("user", "something else"), Turn("tutor", "?"))
    store.attribute_last_user_turn("t2", "what the caller sent\nand more", [Span(ANA, 0, 20), Span(BO, 21, 29)])
    [(text, spans)] = store.authors("t2")
    assert {(s.user_id, s.start, s.end) for s in spans} == {(ANA, 0, len(text)), (BO, 0, len(text))}


def test_forgetting_deletes_a_persons_conversations_and_words_and_nobody_elses(
    store: ConversationStore, database: Database
) -> None:
    exchange(store, "ana-thread", [(ANA, "I think the innie is the real person here.")], "What makes a person real?")
    exchange(store, "ana-thread", [(ANA, "Memory, surely."), (ANA, "And choices.")], "Whose choices?")
    exchange(store, "bo-dm", [(BO, "Severance is a metaphor for work.")], "Work as what, exactly?")
    exchange(store, "discussion:9", [(BO, "Grief cannot be cut away."), (ANA, "Ana's secret opinion."),
                                     (BO, "Only carried.")], "Carried by whom, Ana's secret?")
    exchange(store, "discussion:9", [(BO, "By the outie.")], "And the innie?")
    before = stored_values(database)
    assert str(ANA) in before and "Ana's secret opinion" in before

    assert store.forget_user(ANA) == Forgotten(conversations=1, shared=1, messages=4)
    after = stored_values(database)
    assert str(ANA) not in after and "innie is the real person" not in after and "Memory, surely" not in after
    assert "Ana's secret" not in after  # the tutor's reply to a turn with her words goes too
    assert store.load("ana-thread").turns == []
    assert [t.text for t in store.load("bo-dm").turns] == ["Severance is a metaphor for work.",
                                                           "Work as what, exactly?"]
    shared = store.load("discussion:9")
    assert [(t.role, t.text) for t in shared.turns] == [
        ("user", "Grief cannot be cut away.\nOnly carried."), ("user", "By the outie."), ("tutor", "And the innie?")]
    [(first, spans), _] = store.authors("discussion:9")
    assert [(s.user_id, first[s.start : s.end]) for s in spans] == [(BO, "Grief cannot be cut away."),
                                                                     (BO, "Only carried.")]
    assert store.forget_user(ANA) == Forgotten()  # nothing left: nothing to do
    assert store.forget_user(BO) == Forgotten(conversations=2, shared=0, messages=4)
    assert str(BO) not in stored_values(database)


def test_old_conversations_are_purged(store: ConversationStore, database: Database) -> None:
    exchange(store, "old", [(ANA, "An old thought.")], "Still?")
    exchange(store, "new", [(BO, "A new thought.")], "Why?")
    with database.transaction() as db:
        db.execute("UPDATE conversations SET updated_at = ? WHERE id = 'old'",
                   ((datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds"),))
    assert store.purge_before(datetime.now(UTC) - timedelta(days=30)) == ["old"]
    values = stored_values(database)
    assert "An old thought" not in values and str(ANA) not in values and "A new thought" in values
    assert store.purge_before(datetime.now(UTC) - timedelta(days=30)) == []


def test_pending_messages_wait_for_their_answer(database: Database) -> None:
    pending = PendingStore(database)
    now = datetime.now(UTC).replace(microsecond=0)
    first = PendingMessage(1, 10, 100, ANA, "conversation", now)
    pending.hold(first)
    pending.hold(first)  # held twice (a restored message): once
    pending.hold(PendingMessage(2, 20, None, BO, "conversation", now + timedelta(seconds=1)))
    pending.hold(PendingMessage(3, 30, 100, BO, "discussion", now - timedelta(days=2)))
    assert [m.message_id for m in PendingStore(database).held("conversation")] == [1, 2]
    assert pending.held("conversation")[0] == first
    pending.release([1])
    assert [m.message_id for m in pending.held("conversation")] == [2]
    assert pending.purge_before(now - timedelta(days=1)) == 1 and pending.held("discussion") == []
    assert pending.forget_user(BO) == 1 and pending.held("conversation") == []


def test_the_thread_table(database: Database) -> None:
    threads = ThreadStore(database)
    threads.add(5, guild_id=1, user_id=ANA)
    threads.add(6, guild_id=1, user_id=BO)
    threads.add(7, guild_id=1, user_id=ANA)
    assert threads.ids() == {5, 6, 7}
    assert sorted(threads.forget_user(ANA)) == [5, 7] and threads.ids() == {6}
    assert threads.has(6) and not threads.has(5)
    threads.remove([6])
    assert ThreadStore(database).ids() == set() and not threads.has(6)
