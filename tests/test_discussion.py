"""The weekly discussion's core with an injectable clock: schedule, catch-up, crash safety, two processes racing
for one week, rotation, texts. The service's tests run on both state backends (SQLite and a real PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.database import Database, Lock
from bot.discussion.posts import Opening, compose_opening
from bot.discussion.rotation import next_topic, ordered_claims
from bot.discussion.schedule import (
    CATCH_UP,
    Due,
    Schedule,
    ScheduleError,
    due,
    next_run,
    parse_time,
    parse_timezone,
    parse_weekday,
    week_key,
)
from bot.discussion.service import BUSY, WeeklyDiscussion
from bot.discussion.store import DiscussionStore
from bot.discussion.summary import (
    Contribution,
    conversation_contributions,
    conversation_text,
    summarize,
    summarize_conversation,
    weekly_text,
)
from bot.library import Library
from bot.state import ConversationStore, Span
from bot.tutor.engine import Tutor
from bot.tutor.stance import Stance
from tests.conftest import SECOND_ESSAY, SEED, reopen

GUILD, CHANNEL = 1, 10


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(weekday: int = 0, at: str = "18:00", zone: str = "Europe/Berlin") -> Schedule:
    return Schedule(GUILD, CHANNEL, weekday, parse_time(at), zone)


# ---- next run ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("weekday", "now", "expected"),
    [
        (0, utc(2026, 11, 25, 12), utc(2026, 11, 30, 17)),  # Wednesday -> next Monday 18:00 CET
        (2, utc(2026, 11, 25, 12), utc(2026, 11, 25, 17)),  # same day, later
        (2, utc(2026, 11, 25, 17), utc(2026, 12, 2, 17)),  # exactly at the slot -> the next week
        (6, utc(2026, 11, 28, 23, 30), utc(2026, 11, 29, 17)),  # Saturday 23:30 UTC is already Sunday in Berlin
    ],
)
def test_next_run_across_weekdays(weekday: int, now: datetime, expected: datetime) -> None:
    assert next_run(schedule(weekday), now) == expected


def test_next_run_in_other_timezones() -> None:
    now = utc(2026, 11, 24, 12)
    assert next_run(schedule(2, "09:00", "Asia/Tokyo"), now) == utc(2026, 11, 25, 0)
    assert next_run(schedule(1, "20:00", "America/New_York"), now) == utc(2026, 11, 25, 1)
    assert next_run(schedule(1, "20:00", "UTC"), now) == utc(2026, 11, 24, 20)


def test_daylight_saving_change_keeps_local_time() -> None:
    sunday = schedule(6, "18:00")
    before = next_run(sunday, utc(2026, 3, 21))
    after = next_run(sunday, before)
    assert before == utc(2026, 3, 22, 17)  # 18:00 CET
    assert after == utc(2026, 3, 29, 16)  # 18:00 CEST: Berlin moved its clocks on 29 March
    autumn = next_run(sunday, utc(2026, 10, 24))
    assert autumn == utc(2026, 10, 25, 17)  # back to CET
    skipped_hour = next_run(schedule(6, "02:30"), utc(2026, 3, 28))
    assert skipped_hour == utc(2026, 3, 29, 1, 30)  # 02:30 does not exist that night: 03:30 CEST


def test_invalid_settings_are_clear() -> None:
    assert parse_weekday("Fri") == 4
    with pytest.raises(ScheduleError, match="unknown weekday"):
        parse_weekday("someday")
    with pytest.raises(ScheduleError, match="HH:MM"):
        parse_time("25:99")
    with pytest.raises(ScheduleError, match="IANA"):
        parse_timezone("Mars/Olympus")


# ---- catch-up and skip ---------------------------------------------------------------------------------------
def test_catch_up_and_skip_rules() -> None:
    monday = schedule(0)
    created = utc(2026, 11, 1)
    slot = utc(2026, 11, 30, 17)
    assert due(monday, slot, set(), created) == (Due.POST, slot)
    assert due(monday, slot + CATCH_UP - timedelta(minutes=1), set(), created) == (Due.POST, slot)
    assert due(monday, slot + CATCH_UP, set(), created) == (Due.SKIP, slot)
    assert due(monday, slot + timedelta(hours=1), {week_key(monday, slot)}, created)[0] is Due.WAIT
    assert due(monday, slot + timedelta(hours=1), set(), slot + timedelta(minutes=30))[0] is Due.WAIT  # set later


# ---- the service, with an in-memory publisher ----------------------------------------------------------------
class MemoryPublisher:
    """Stands in for Discord: keeps what was published (unit tests; the e2e tests use the fake Discord server)."""

    def __init__(self) -> None:
        self.posts: dict[int, tuple[int, Opening]] = {}  # message id -> (channel, opening)
        self.threads: dict[int, list[Contribution]] = {}
        self.asked: dict[int, list[str]] = {}
        self.closed: dict[int, str] = {}
        self.nudges: list[tuple[int, str]] = []

    async def find_post(self, channel_id: int, week_key: str) -> tuple[int, int | None] | None:
        for message_id, (channel, opening) in self.posts.items():
            if channel == channel_id and opening.week_key == week_key:
                return message_id, message_id + 1
        return None

    async def publish(self, channel_id: int, opening: Opening) -> tuple[int, int | None]:
        message_id = 1000 + 2 * len(self.posts)
        self.posts[message_id] = (channel_id, opening)
        self.threads[message_id + 1] = []
        return message_id, message_id + 1

    async def contributions(self, thread_id: int) -> tuple[list[Contribution], list[str]]:
        return self.threads.get(thread_id, []), self.asked.get(thread_id, [])

    async def close(self, thread_id: int, summary: str) -> None:
        self.closed[thread_id] = summary

    async def nudge(self, thread_id: int, question: str) -> None:
        self.nudges.append((thread_id, question))


@pytest.fixture
def service(seed_library: Library, database: Database) -> WeeklyDiscussion:
    tutor = Tutor(seed_library, ConversationStore(database))
    store = DiscussionStore(database)
    store.set_schedule(schedule(0), utc(2026, 11, 1))
    return WeeklyDiscussion(lambda guild_id: tutor, store, MemoryPublisher())


async def test_posts_on_time_then_waits_then_closes_previous(service: WeeklyDiscussion) -> None:
    publisher: MemoryPublisher = service.publisher  # type: ignore[assignment]
    assert await service.tick(GUILD, utc(2026, 11, 30, 17, 0, 30)) == "posted 2026-W49"
    assert await service.tick(GUILD, utc(2026, 11, 30, 17, 1)) == "waiting"
    [(message_id, (channel, first))] = publisher.posts.items()
    publisher.threads[message_id + 1] += [
        Contribution("Ana", "I agree, because the show blames the system and not Mark for his choice."),
        Contribution("@everyone Bo", "I disagree: the outie is a tragic figure who lost his wife and deserves pity."),
    ]
    assert await service.tick(GUILD, utc(2026, 12, 7, 17, 5)) == "posted 2026-W50"
    summary = publisher.closed[message_id + 1]
    assert "2 people" in summary and "Ana" in summary and "everyone" in summary and "@" not in summary
    second = list(publisher.posts.values())[1][1]
    assert second.claim.id != first.claim.id


async def test_late_start_catches_up_or_skips(service: WeeklyDiscussion) -> None:
    publisher: MemoryPublisher = service.publisher  # type: ignore[assignment]
    assert await service.tick(GUILD, utc(2026, 11, 30, 22, 59)) == "posted 2026-W49"  # 5 h 59 late
    assert await service.tick(GUILD, utc(2026, 12, 7, 23, 0)) == "skipped 2026-W50"  # 6 h late
    assert len(publisher.posts) == 1
    assert await service.tick(GUILD, utc(2026, 12, 8)) == "waiting"


async def test_no_double_post_after_a_crash_between_posting_and_recording(
    service: WeeklyDiscussion, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher: MemoryPublisher = service.publisher  # type: ignore[assignment]
    store = service.store

    def crash(*args: object) -> None:
        raise SystemExit("killed after sending, before recording")

    monkeypatch.setattr(store, "complete_post", crash)
    with pytest.raises(SystemExit):
        await service.tick(GUILD, utc(2026, 11, 30, 17, 1))
    assert len(publisher.posts) == 1
    monkeypatch.undo()
    restarted = WeeklyDiscussion(service.tutors, DiscussionStore(reopen(store.database)), publisher)
    assert await restarted.tick(GUILD, utc(2026, 11, 30, 17, 2)) == "waiting"
    assert len(publisher.posts) == 1  # recognised, not posted again
    [post] = restarted.store.posts(GUILD)
    assert post.status == "posted" and post.message_id == next(iter(publisher.posts))


async def test_crash_before_sending_posts_on_restart(
    service: WeeklyDiscussion, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher: MemoryPublisher = service.publisher  # type: ignore[assignment]

    async def crash(*args: object) -> None:
        raise SystemExit("killed before sending")

    monkeypatch.setattr(publisher, "publish", crash)
    with pytest.raises(SystemExit):
        await service.tick(GUILD, utc(2026, 11, 30, 17, 1))
    monkeypatch.undo()
    assert await service.tick(GUILD, utc(2026, 11, 30, 17, 3)) == "waiting"
    assert len(publisher.posts) == 1


class Watched:
    """A lock whose acquisitions are noted in `tried`."""

    def __init__(self, lock: Lock, tried: list[bool]) -> None:
        self.lock, self.name, self.tried = lock, lock.name, tried

    def acquire(self, *, wait: bool = True) -> bool:
        got = self.lock.acquire(wait=wait)
        self.tried.append(got)
        return got

    def release(self) -> None:
        self.lock.release()


class SlowPublisher(MemoryPublisher):
    """Discord taking its time: sending the opening post waits until `gate` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.sending, self.gate = asyncio.Event(), asyncio.Event()

    async def publish(self, channel_id: int, opening: Opening) -> tuple[int, int | None]:
        self.sending.set()
        await self.gate.wait()
        return await super().publish(channel_id, opening)


async def test_two_processes_racing_for_a_week_post_it_once(service: WeeklyDiscussion) -> None:
    """A failover overlap: the process taking over starts while the old one is sending the week's post (recorded
    as "posting", not completed). The new one must neither post it again nor take it for an interrupted post."""
    publisher = SlowPublisher()
    old = WeeklyDiscussion(service.tutors, service.store, publisher)
    new = WeeklyDiscussion(service.tutors, DiscussionStore(reopen(service.store.database)), publisher)
    tried: list[bool] = []  # the new process's attempts at the server's lock
    acting = new.store.acting
    new.store.acting = lambda guild_id: Watched(acting(guild_id), tried)  # type: ignore[method-assign]
    now = utc(2026, 11, 30, 17, 1)
    sending = asyncio.create_task(old.tick(GUILD, now))
    await asyncio.wait_for(publisher.sending.wait(), 30)
    assert [p.status for p in new.store.posts(GUILD)] == ["posting"]
    overlapping = asyncio.create_task(new.tick(GUILD, now + timedelta(seconds=1)))
    async with asyncio.timeout(30):
        while not tried:  # the new process has tried the lock while the old one is still sending
            await asyncio.sleep(0.01)
    publisher.gate.set()
    outcomes = await asyncio.wait_for(asyncio.gather(sending, overlapping), 30)
    assert outcomes == ["posted 2026-W49", BUSY]
    assert await new.tick(GUILD, now + timedelta(minutes=1)) == "waiting"  # and later: the week is done
    assert len(publisher.posts) == 1 and [p.status for p in new.store.posts(GUILD)] == ["posted"]


async def test_two_processes_ticking_at_once_post_once(service: WeeklyDiscussion) -> None:
    publisher: MemoryPublisher = service.publisher  # type: ignore[assignment]
    other = WeeklyDiscussion(service.tutors, DiscussionStore(reopen(service.store.database)), publisher)
    now = utc(2026, 11, 30, 17, 1)
    for _ in range(3):  # the same minute, again and again, in both processes
        outcomes = await asyncio.gather(service.tick(GUILD, now), other.tick(GUILD, now))
        assert set(outcomes) <= {"posted 2026-W49", "waiting", BUSY}
    assert len(publisher.posts) == 1


async def test_quiet_thread_gets_one_nudge(service: WeeklyDiscussion) -> None:
    publisher: MemoryPublisher = service.publisher  # type: ignore[assignment]
    posted = utc(2026, 11, 30, 17, 1)
    await service.tick(GUILD, posted)
    await service.tick(GUILD, posted + timedelta(hours=47))
    assert publisher.nudges == []
    await service.tick(GUILD, posted + timedelta(hours=48))
    await service.tick(GUILD, posted + timedelta(hours=60))
    assert len(publisher.nudges) == 1 and publisher.nudges[0][1].endswith("?")


# ---- rotation ------------------------------------------------------------------------------------------------
def test_rotation_never_repeats_within_a_cycle_and_drops_removed_essays(
    library_factory: Callable[..., Library], tmp_path: Path
) -> None:
    library = library_factory([SEED])
    tutor = Tutor(library, ConversationStore(tmp_path / "r.sqlite3"))
    history: list[str] = []
    seed_claims = ordered_claims(tutor.argmap, library.essays())
    for _ in seed_claims:
        history.append(next_topic(tutor.argmap, library.essays(), history).id)  # type: ignore[union-attr]
    assert sorted(history) == sorted(c.id for c in seed_claims)  # every claim once
    assert next_topic(tutor.argmap, library.essays(), history).id == seed_claims[0].id  # then a new cycle

    library.add_files([SECOND_ESSAY])
    newest = next_topic(tutor.argmap, library.essays(), history)
    assert newest is not None and newest.essay_id == "eternal-sunshine"  # recently added essays come first
    history.append(newest.id)
    library.remove("eternal-sunshine")
    for _ in range(10):
        claim = next_topic(tutor.argmap, library.essays(), history)
        assert claim is not None and claim.essay_id == "severance"
        history.append(claim.id)


# ---- texts ---------------------------------------------------------------------------------------------------
def test_opening_and_summary_texts(seed_library: Library, tmp_path: Path) -> None:
    tutor = Tutor(seed_library, ConversationStore(tmp_path / "t.sqlite3"))
    claim = ordered_claims(tutor.argmap, seed_library.essays())[3]
    opening = compose_opening(claim, seed_library.index.passages, "2026-W49", tutor.rarity)
    assert opening.quote.text in SEED.read_text(encoding="utf-8")
    assert len(opening.prompts) == 3 and all(p.endswith("?") for _, p in opening.prompts)
    assert opening.thread_name.startswith("Week 49 · ") and len(opening.thread_name) <= 100
    summary = summarize(claim, [
        Contribution("Ana", "I agree with the essay, the outie is a warning about what we all want to do."),
        Contribution("Ana", "yes"),
        Contribution("Bo", "I disagree, he is a grieving man and the essay is too harsh on him."),
        Contribution("Cy", "lol my cat"),
    ], tutor.detector, "Who pays for our clean slate?")
    assert summary.participants == 3 and summary.messages == 4
    assert [a for a, _ in summary.sides[tutor.detector.detect("I agree").stance]] == ["Ana"]
    assert "Bo" in weekly_text(summary) and "Who pays for our clean slate?" in weekly_text(summary)


def test_a_conversation_is_summed_up_by_the_same_core(seed_library: Library, tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    tutor = Tutor(seed_library, store)
    turns = [[(1, "I agree with the essay: the outie hands his grief to the innie, a warning to us all.")],
             [(2, "I disagree, Mark is a grieving man and the essay is far too harsh on him."),
              (1, "Is the innie even a separate person?")]]
    for said in turns:  # taken as the Discord layer takes them: one turn per burst, authors recorded
        text = "\n".join(t for _, t in said)
        tutor.reply("thread", text)
        starts = [sum(len(t) + 1 for _, t in said[:n]) for n in range(len(said))]
        store.attribute_last_user_turn("thread", text, [Span(u, s, s + len(t)) for (u, t), s in zip(said, starts,
                                                                                                      strict=True)])
    conversation = store.load("thread")
    summary = summarize_conversation(conversation, store.authors("thread"), tutor.argmap, tutor.detector,
                                     {1: "Ana", 2: "@here Bo"}, default="someone",
                                     fallback=lambda: tutor.thesis()[0])
    assert summary.participants == 2 and summary.messages == 3
    assert {(p.author, p.stance) for p in summary.positions} >= {("Ana", Stance.AGREE), ("here Bo", Stance.DISAGREE)}
    assert summary.strongest is not None and summary.strongest.stance is not Stance.QUESTION
    assert summary.lines and all(q.text in SEED.read_text(encoding="utf-8") for q in summary.lines)
    assert summary.open_question == conversation.questions[-1]
    text = conversation_text(summary)
    assert "**Where Ana stood**" in text and "**Where here Bo stood**" in text and "@" not in text
    assert text.endswith(f"**Left open:** {conversation.questions[-1]}")
    weekly = summarize(summary.claim, conversation_contributions(conversation, store.authors("thread"),
                                                                 tutor.argmap, {1: "Ana", 2: "Bo"}, default="x"),
                       tutor.detector, "Who pays?")
    assert "**2 people** took part (3 messages)" in weekly_text(weekly)  # the weekly rendering of the same core


async def test_a_tick_during_post_now_does_not_post_the_week_again(service: WeeklyDiscussion) -> None:
    """/discussion now records the week as "posting" before it sends; a tick that runs meanwhile must not take that
    for an interrupted post and send it a second time."""
    publisher: MemoryPublisher = service.publisher  # type: ignore[assignment]
    sending, release, looked = asyncio.Event(), asyncio.Event(), asyncio.Event()
    real_publish, real_find = publisher.publish, publisher.find_post

    async def slow_publish(channel_id: int, opening: Opening) -> tuple[int, int | None]:
        sending.set()
        await release.wait()
        return await real_publish(channel_id, opening)

    async def find_post(channel_id: int, week_key: str) -> tuple[int, int | None] | None:
        looked.set()  # the tick took the post being sent for an interrupted one
        return await real_find(channel_id, week_key)

    publisher.publish, publisher.find_post = slow_publish, find_post  # type: ignore[method-assign]
    now = utc(2026, 11, 25, 12)
    posting = asyncio.create_task(service.post_now(GUILD, now))
    await asyncio.wait_for(sending.wait(), 10)
    ticking = asyncio.create_task(service.tick(GUILD, now))
    async with asyncio.timeout(10):  # until the tick either looks for the post or waits its turn
        while not (looked.is_set() or service._lock(GUILD)._waiters):  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)
    release.set()
    assert await posting == "posted 2026-W48" and await ticking == "waiting"
    assert len(publisher.posts) == 1 and not looked.is_set()
