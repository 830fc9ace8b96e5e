"""Weekly-discussion state, in the same database as conversations (`bot.database`): schedules and posts.

A post is recorded *before* it is sent (status "posting", keyed by server and ISO week) and completed after
("posted", with message and thread ids). A restart that finds a "posting" record looks for the message in the
channel before posting again, so a week is never posted twice even if the bot dies between the two steps. Several
processes share the database: `acting(guild_id)` is the cross-process lock under which one of them at a time acts
for a server (see `WeeklyDiscussion`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from bot.database import Lock, Store
from bot.discussion.schedule import Schedule


@dataclass(frozen=True)
class Post:
    guild_id: int
    week_key: str
    claim_id: str
    channel_id: int
    message_id: int | None
    thread_id: int | None
    status: str
    created_at: datetime
    last_activity_at: datetime | None
    nudged_at: datetime | None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class DiscussionStore(Store):
    def acting(self, guild_id: int) -> Lock:
        """The lock held by whoever is acting for this server's weekly discussion (not taken yet)."""
        return self.database.lock(f"discussion:{guild_id}")

    # ---- schedules -------------------------------------------------------------------------------------------
    def set_schedule(self, schedule: Schedule, now: datetime) -> None:
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO discussion_schedules (guild_id, channel_id, weekday, at, timezone, enabled, created_at) "
                "VALUES (?, ?, ?, ?, ?, TRUE, ?) ON CONFLICT(guild_id) DO UPDATE SET channel_id = excluded.channel_id, "
                "weekday = excluded.weekday, at = excluded.at, timezone = excluded.timezone, enabled = TRUE, "
                "created_at = excluded.created_at",
                (schedule.guild_id, schedule.channel_id, schedule.weekday, schedule.at.strftime("%H:%M"),
                 schedule.timezone, _iso(now)),
            )

    def disable(self, guild_id: int) -> bool:
        with self._lock, self._connect() as db:
            cursor = db.execute("UPDATE discussion_schedules SET enabled = FALSE WHERE guild_id = ?", (guild_id,))
            return cursor.rowcount > 0

    def schedule(self, guild_id: int) -> tuple[Schedule, datetime] | None:
        """The server's schedule and when it was set (slots before that never count as missed)."""
        with self._connect() as db:
            row = db.execute("SELECT guild_id, channel_id, weekday, at, timezone, enabled, created_at FROM "
                             "discussion_schedules WHERE guild_id = ?", (guild_id,)).fetchone()
        if row is None:
            return None
        hours, minutes = map(int, row[3].split(":"))
        return Schedule(row[0], row[1], row[2], time(hours, minutes), row[4], bool(row[5])), datetime.fromisoformat(
            row[6])

    def enabled_guilds(self) -> list[int]:
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT guild_id FROM discussion_schedules WHERE enabled = TRUE")]

    # ---- posts -----------------------------------------------------------------------------------------------
    def begin_post(self, guild_id: int, week_key: str, claim_id: str, channel_id: int, now: datetime) -> bool:
        """Record the intent to post this week; False if the week already has a record (never post twice)."""
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO discussion_posts (guild_id, week_key, claim_id, channel_id, status, created_at) "
                "VALUES (?, ?, ?, ?, 'posting', ?) ON CONFLICT DO NOTHING",
                (guild_id, week_key, claim_id, channel_id, _iso(now)))
            return cursor.rowcount == 1

    def complete_post(self, guild_id: int, week_key: str, message_id: int, thread_id: int | None,
                      now: datetime) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE discussion_posts SET status = 'posted', message_id = ?, thread_id = ?, "
                       "last_activity_at = ? WHERE guild_id = ? AND week_key = ?",
                       (message_id, thread_id, _iso(now), guild_id, week_key))

    def record_skip(self, guild_id: int, week_key: str, channel_id: int, now: datetime) -> None:
        with self._lock, self._connect() as db:
            db.execute("INSERT INTO discussion_posts (guild_id, week_key, claim_id, channel_id, status, created_at) "
                       "VALUES (?, ?, '', ?, 'skipped', ?) ON CONFLICT DO NOTHING",
                       (guild_id, week_key, channel_id, _iso(now)))

    def set_status(self, guild_id: int, week_key: str, status: str) -> None:
        with self._lock, self._connect() as db:
            db.execute("UPDATE discussion_posts SET status = ? WHERE guild_id = ? AND week_key = ?",
                       (status, guild_id, week_key))

    def touch(self, thread_id: int, now: datetime, *, nudged: bool = False) -> None:
        """Note activity in a discussion thread (or that the bot nudged it)."""
        column = "nudged_at" if nudged else "last_activity_at"
        with self._lock, self._connect() as db:
            db.execute(f"UPDATE discussion_posts SET {column} = ? WHERE thread_id = ?", (_iso(now), thread_id))

    def posts(self, guild_id: int) -> list[Post]:
        """Every post of a server, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT guild_id, week_key, claim_id, channel_id, message_id, thread_id, status, "
                              "created_at, last_activity_at, nudged_at FROM discussion_posts WHERE guild_id = ? "
                              "ORDER BY created_at, week_key", (guild_id,)).fetchall()
        return [Post(r[0], r[1], r[2], r[3], r[4], r[5], r[6], datetime.fromisoformat(r[7]), _parse(r[8]),
                     _parse(r[9])) for r in rows]

    def thread_ids(self) -> set[int]:
        """Threads of live weekly posts (the conversation cog leaves them to the discussion cog)."""
        with self._connect() as db:
            return {r[0] for r in db.execute("SELECT thread_id FROM discussion_posts WHERE status = 'posted' AND "
                                             "thread_id IS NOT NULL")}

    def post_for_thread(self, thread_id: int) -> Post | None:
        with self._connect() as db:
            row = db.execute("SELECT guild_id FROM discussion_posts WHERE thread_id = ?", (thread_id,)).fetchone()
        return next((p for p in self.posts(row[0]) if p.thread_id == thread_id), None) if row else None
