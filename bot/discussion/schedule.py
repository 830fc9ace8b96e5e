"""When the weekly discussion is due: next run times in a server's timezone, stored and compared in UTC.

A schedule is a weekday and a wall-clock time in an IANA timezone ("Europe/Berlin"). Times are computed in
that zone, so a daylight-saving change keeps the post at 18:00 local time, and converted to UTC for storage.
A post missed while the bot was down is made on start-up if it is less than `CATCH_UP` late; otherwise it is
skipped (and logged by the caller). Every function takes the current time as an argument: no hidden clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CATCH_UP = timedelta(hours=6)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ScheduleError(ValueError):
    """A schedule setting is invalid; the message says which and what is accepted."""


@dataclass(frozen=True)
class Schedule:
    guild_id: int
    channel_id: int
    weekday: int  # 0 = Monday
    at: time
    timezone: str
    enabled: bool = True

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        return f"every {WEEKDAYS[self.weekday].capitalize()} at {self.at:%H:%M} ({self.timezone})"


def parse_weekday(value: str) -> int:
    wanted = value.strip().lower()
    for number, name in enumerate(WEEKDAYS):
        if wanted in (name, name[:3]):
            return number
    raise ScheduleError(f"unknown weekday {value!r}; use one of {', '.join(WEEKDAYS)}")


def parse_time(value: str) -> time:
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise ScheduleError(f"invalid time {value!r}; use 24-hour HH:MM, e.g. 18:30") from None


def parse_timezone(value: str) -> str:
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown timezone {value!r}; use an IANA name such as Europe/Berlin or UTC") from None
    return value.strip()


def occurrence(schedule: Schedule, day: date) -> datetime:
    """The UTC instant of the schedule's local time on a local `day`.

    With fold=0, a time that a spring-forward night skips (02:30) comes out an hour later (03:30), and a time
    that a fall-back night repeats is taken at its first occurrence.
    """
    return datetime.combine(day, schedule.at, tzinfo=schedule.zone).astimezone(UTC)


def next_run(schedule: Schedule, now: datetime) -> datetime:
    """The first scheduled instant strictly after `now` (UTC)."""
    local_today = now.astimezone(schedule.zone).date()
    for offset in range(8):
        day = local_today + timedelta(days=offset)
        if day.weekday() == schedule.weekday and (when := occurrence(schedule, day)) > now:
            return when
    raise AssertionError("a weekly schedule always has a run within eight days")  # pragma: no cover


def previous_run(schedule: Schedule, now: datetime) -> datetime:
    """The last scheduled instant at or before `now` (UTC)."""
    local_today = now.astimezone(schedule.zone).date()
    for offset in range(8):
        day = local_today - timedelta(days=offset)
        if day.weekday() == schedule.weekday and (when := occurrence(schedule, day)) <= now:
            return when
    raise AssertionError("a weekly schedule always has a run within eight days")  # pragma: no cover


class Due(StrEnum):
    POST = "post"  # on time, or late by less than CATCH_UP
    SKIP = "skip"  # missed by CATCH_UP or more
    WAIT = "wait"  # already posted for the latest slot


def week_key(schedule: Schedule, slot: datetime) -> str:
    """The ISO week of a slot in the server's timezone: the identity of one week's post ("2026-W48")."""
    year, week, _ = slot.astimezone(schedule.zone).isocalendar()
    return f"{year}-W{week:02d}"


def due(schedule: Schedule, now: datetime, posted_weeks: set[str], created_at: datetime) -> tuple[Due, datetime]:
    """What to do about the latest slot at or before `now`; slots before the schedule was set never count."""
    slot = previous_run(schedule, now)
    if slot < created_at or week_key(schedule, slot) in posted_weeks:
        return Due.WAIT, slot
    return (Due.POST if now - slot < CATCH_UP else Due.SKIP), slot
