"""Fixtures for the Discord end-to-end tests: ``pytest_plugins = ("tests.discord_fixtures",)`` gives `fake`,
`library` and `bot`.

Every test that uses `fake` is also checked at teardown for what Discord itself would refuse or regret: unknown
routes, rejected requests (over a limit), a message that could ping, a thread name over 100 characters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from bot.discord.client import TutorBot
from bot.library import Library
from tests.discord_helpers import HEARTBEAT_INTERVAL, assert_never_pings, assert_thread_names_fit, make_bot
from tests.fakediscord import FakeDiscord


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=HEARTBEAT_INTERVAL) as server:
        yield server
        server.assert_clean()
        assert_never_pings(server)
        assert_thread_names_fit(server)


@pytest.fixture
def library(library_factory: Callable[..., Library]) -> Library:
    """A library of the seed essay, built in the test's tmp dir."""
    return library_factory()


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord, library: Library) -> AsyncIterator[TutorBot]:
    async with fake.running(make_bot(library)) as client:
        yield client  # type: ignore[misc]
