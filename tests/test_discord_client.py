"""The bot's start-up: intents, command registration, and clear one-line errors instead of tracebacks."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from bot.discord.client import BotStartError, TutorBot, bot_intents, run_bot
from bot.library import Library
from tests.discord_helpers import make_bot
from tests.fakediscord import FakeDiscord

pytest_plugins = ("tests.discord_fixtures",)

COMMANDS = ["ask", "discussion", "essays", "forget", "thesis"]  # everywhere
LIBRARY_COMMANDS = ["essay", "reindex"]  # only in the servers that own the library


def test_a_missing_token_is_a_one_line_error(library: Library) -> None:
    for token in (None, SecretStr(""), SecretStr("  ")):
        with pytest.raises(BotStartError, match=r"^DISCORD_TOKEN is not set: [^\n]+$"):
            run_bot(library.settings.model_copy(update={"discord_token": token}))


@pytest.mark.asyncio
async def test_a_rejected_token_is_a_one_line_error(library: Library) -> None:
    settings = library.settings.model_copy(update={"discord_token": SecretStr("not-the-token")})
    async with FakeDiscord() as fake:
        with pytest.raises(BotStartError, match=r"^Discord rejected DISCORD_TOKEN: [^\n]+$"):
            await asyncio.wait_for(asyncio.to_thread(run_bot, settings), 30)  # its own event loop, like `bot run`
    assert [(e.path, e.status) for e in fake.errors] == [("/api/v10/users/@me", 401)]


@pytest.mark.asyncio
async def test_only_the_needed_intents_and_global_commands(fake: FakeDiscord, bot: TutorBot) -> None:
    intents = bot_intents()
    assert {name for name, on in intents if on} == {"guilds", "guild_messages", "dm_messages", "message_content"}
    assert fake.sessions[0].intents == intents.value
    assert sorted(c["name"] for c in fake.commands.list()) == COMMANDS
    assert sorted(c["name"] for c in fake.commands.list(fake.guild.id)) == LIBRARY_COMMANDS  # an ADMIN_GUILD_IDS one
    ask = next(c for c in fake.commands.list() if c["name"] == "ask")
    options = {o["name"]: o for o in ask["options"]}
    assert options["question"]["required"] and options["essay"]["autocomplete"]


@pytest.mark.asyncio
async def test_commands_sync_to_one_server_when_configured(fake: FakeDiscord, library: Library) -> None:
    async with fake.running(make_bot(library, discord_guild_id=fake.guild.id)):
        assert sorted(c["name"] for c in fake.commands.list(fake.guild.id)) == COMMANDS  # no admin servers
        assert fake.commands.list() == []
    async with fake.running(make_bot(library, discord_guild_id=fake.guild.id, admin_guild_ids=[fake.guild.id])):
        assert sorted(c["name"] for c in fake.commands.list(fake.guild.id)) == sorted(COMMANDS + LIBRARY_COMMANDS)
        assert fake.commands.list() == []
