"""Fixtures for the Discord end-to-end tests: ``pytest_plugins = ("tests.discord_fixtures",)`` gives `fake`,
`library` and `bot`.

Every test that uses `fake` is also checked at teardown for what Discord itself would refuse or regret: unknown
routes, rejected requests (over a limit), a message that could ping, a thread name over 100 characters. A module
that sets ``STEADY = True`` also has its heartbeat checked: no gap between two of the client's heartbeats longer
than 1.5 times the interval (STEADY_INTERVAL) at any moment of the test, so the event loop never stalled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from bot.discord.client import TutorBot
from bot.library import Library
from tests.discord_helpers import (
    HEARTBEAT_INTERVAL,
    STEADY_INTERVAL,
    assert_never_pings,
    assert_steady_heartbeat,
    assert_thread_names_fit,
    make_bot,
)
from tests.fakediscord import FakeDiscord


@pytest_asyncio.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    steady = getattr(request.module, "STEADY", False)
    async with FakeDiscord(heartbeat_interval=STEADY_INTERVAL if steady else HEARTBEAT_INTERVAL) as server:
        yield server
        server.assert_clean()
        assert_never_pings(server)
        assert_thread_names_fit(server)
        if steady:
            assert_steady_heartbeat(server)


@pytest.fixture
def library(library_factory: Callable[..., Library]) -> Library:
    """A library of the seed essay, built in the test's tmp dir."""
    return library_factory()


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord, library: Library) -> AsyncIterator[TutorBot]:
    """The bot, with the fake's default server as the one that owns the library (ADMIN_GUILD_IDS)."""
    async with fake.running(make_bot(library, admin_guild_ids=[fake.guild.id])) as client:
        yield client  # type: ignore[misc]
