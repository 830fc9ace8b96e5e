"""What the fake observed, in append-only logs that tests can await.

Every record gets a number from one shared counter, so
``after=fake.checkpoint()`` means "only things that happen from now on"
for any log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .models import Payload

T = TypeVar("T")

EPHEMERAL_FLAG = 64


class FakeDiscordTimeout(AssertionError):
    """A ``wait_for_*`` helper gave up; the message says what was recorded instead."""


class Counter:
    """The record numbering shared by all logs of one fake."""

    def __init__(self) -> None:
        self.current = 0

    def next(self) -> int:
        self.current += 1
        return self.current


class RecordLog(Generic[T]):
    """An append-only list whose items can be awaited by predicate."""

    def __init__(self, counter: Counter) -> None:
        self._counter = counter
        self._entries: list[tuple[int, T]] = []
        self._waiters: list[tuple[Callable[[T], bool], int, asyncio.Future[T]]] = []

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[T]:
        return (item for _, item in self._entries)

    def __getitem__(self, index: int) -> T:
        return self._entries[index][1]

    def append(self, item: T) -> None:
        number = self._counter.next()
        self._entries.append((number, item))
        for waiter in list(self._waiters):
            predicate, after, future = waiter
            if number > after and not future.done() and predicate(item):
                future.set_result(item)
                self._waiters.remove(waiter)

    def since(self, after: int) -> list[T]:
        return [item for number, item in self._entries if number > after]

    async def wait(self, predicate: Callable[[T], bool], *, timeout: float, after: int = 0, what: str = "record") -> T:
        """The first item (recorded after checkpoint ``after``) matching ``predicate``."""
        for item in self.since(after):
            if predicate(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (predicate, after, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            recorded = "\n  ".join(repr(i) for i in self.since(after)) or "(nothing)"
            raise FakeDiscordTimeout(f"no matching {what} within {timeout}s; recorded:\n  {recorded}") from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)


@dataclass
class RecordedFile:
    """A file uploaded in a multipart request (``files[n]`` form field)."""

    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class SentMessage:
    """A message the bot created, edited or deleted, through any REST route.

    ``source`` is the route family: ``channel`` (POST/PATCH/DELETE
    /channels/.../messages), ``interaction_response`` (callback types 4, 5
    and 7), ``followup`` (POST /webhooks/{app}/{token}) or ``webhook_edit``
    (PATCH/DELETE /webhooks/{app}/{token}/messages/...).  ``payload`` is the
    JSON body exactly as sent (``payload_json`` for multipart requests) and
    ``message`` the stored message after the change (``None`` for deletes).
    """

    action: str
    source: str
    channel_id: int
    message_id: int
    payload: Payload
    files: list[RecordedFile]
    message: Payload | None
    at: float
    interaction_id: int | None = None

    @property
    def content(self) -> str:
        return (self.message or {}).get("content") or ""

    @property
    def embeds(self) -> list[Payload]:
        return (self.message or {}).get("embeds") or []

    @property
    def components(self) -> list[Payload]:
        return (self.message or {}).get("components") or []

    @property
    def flags(self) -> int:
        return (self.message or {}).get("flags") or 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)

    @property
    def allowed_mentions(self) -> Payload | None:
        return self.payload.get("allowed_mentions")

    def __repr__(self) -> str:
        return (
            f"SentMessage({self.action} via {self.source}, channel={self.channel_id}, id={self.message_id}, "
            f"content={self.content!r}, embeds={len(self.embeds)}, components={len(self.components)})"
        )


@dataclass
class InteractionResponse:
    """One POST /interactions/{id}/{token}/callback; ``elapsed`` is seconds since dispatch."""

    interaction_id: int
    type: int
    data: Payload | None
    files: list[RecordedFile]
    at: float
    elapsed: float


@dataclass
class InteractionRecord:
    """An interaction the fake dispatched, and how the bot answered it."""

    id: int
    token: str
    type: int
    payload: Payload
    dispatched_at: float
    response: InteractionResponse | None = None
    #: The message that ``@original`` refers to (response message, or the clicked message).
    original_message_id: int | None = None
    #: True while a type 5 deferral's loading message awaits its first followup.
    loading: bool = False
    followup_ids: list[int] = field(default_factory=list)


@dataclass
class RequestRecord:
    """Any HTTP request the fake received (``json`` is the JSON or ``payload_json`` body)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0
    user_agent: str = ""  # which client sent it, when several share the fake


@dataclass
class RejectedRequest:
    """A request the fake answered with a Discord error (or crashed on: code 0)."""

    method: str
    path: str
    status: int
    code: int
    message: str
