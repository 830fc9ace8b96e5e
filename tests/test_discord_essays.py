"""End to end: `/essays` and `/thesis` with the real bot, library and tutor on a fake Discord."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.discord.client import TutorBot
from bot.library import Library
from tests.conftest import SECOND_ESSAY, SEED
from tests.discord_helpers import DEFERRED, TIMEOUT, make_bot
from tests.fakediscord import FakeDiscord, SentMessage

pytestmark = pytest.mark.asyncio
pytest_plugins = ("tests.discord_fixtures",)

SEVERANCE = "Severance - Don’t blame the Innie—blame the myth of the “clean slate”"
SUNSHINE = "The Stain That Stays: Eternal Sunshine and the Case Against Forgetting"


async def command(fake: FakeDiscord, name: str, options: dict[str, str] | None = None) -> SentMessage:
    """Run a public slash command as the plain member; returns its first answer with an embed or text."""
    call = await fake.invoke_slash(name, options or {}, user=fake.member)
    deferral = await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
    assert deferral.type == DEFERRED and deferral.elapsed < 3.0
    return await fake.wait_for_message(lambda m: m.interaction_id == call.id and bool(m.embeds or m.content),
                                       timeout=TIMEOUT)


async def test_essays_lists_titles_authors_passages_and_dates(
    fake: FakeDiscord, library_factory: Callable[..., Library]
) -> None:
    async with fake.running(make_bot(library_factory([SEED, SECOND_ESSAY]))):
        answer = await command(fake, "essays")
    (embed,) = answer.embeds
    assert embed["title"] == "Essays (2)" and embed["description"].startswith("2 essays, 10 passages.")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields[SUNSHINE].startswith("`eternal-sunshine` · by Tutor Eval Team · 6 passages · added <t:")
    assert fields[SEVERANCE].startswith("`severance` · 4 passages · added <t:")


async def test_thesis_shows_the_thesis_and_the_claims_by_section(fake: FakeDiscord, bot: TutorBot) -> None:
    answer = await command(fake, "thesis", {"essay": "severance"})
    (embed,) = answer.embeds
    assert embed["title"] == SEVERANCE
    assert embed["description"].startswith("**Thesis**\n> Severance may first seem to revolve around a singular man")
    sections = [f["name"] for f in embed["fields"]]
    assert "The Outie Isn’t a Tragic Hero—He’s a Cautionary Tale" in sections
    assert all(line.startswith("• ") for f in embed["fields"] for line in f["value"].splitlines())
    assert (await command(fake, "thesis")).embeds[0]["title"] == SEVERANCE  # the only essay is the default


async def test_thesis_of_an_unknown_essay(fake: FakeDiscord, bot: TutorBot) -> None:
    answer = await command(fake, "thesis", {"essay": "moby-dick"})
    assert answer.content == "moby-dick: no such essay (known essays: severance)" and not answer.embeds


async def test_thesis_autocompletes_essays(fake: FakeDiscord, library_factory: Callable[..., Library]) -> None:
    async with fake.running(make_bot(library_factory([SEED, SECOND_ESSAY]))):
        choices = await fake.autocomplete("thesis", {"essay": ""}, focused="essay", user=fake.member)
    assert {(c["name"], c["value"]) for c in choices} == {(SEVERANCE, "severance"), (SUNSHINE, "eternal-sunshine")}


async def test_the_library_follows_changes_made_by_another_process(fake: FakeDiscord, bot: TutorBot,
                                                                   library: Library) -> None:
    """The CLI (another process: another `Library` on the same directories) adds an essay, then removes every
    essay: the running bot's refresh loop swaps each build in, and survives an empty library."""
    refresh = bot.cogs["RefreshCog"]
    other = Library(library.settings, embedder=library.embedder)
    assert not await refresh.check()  # type: ignore[attr-defined]
    other.add_files([SECOND_ESSAY])
    assert await refresh.check()  # type: ignore[attr-defined]
    assert "2 essays" in (await command(fake, "essays")).embeds[0]["description"]
    other.remove("severance")
    other.remove("eternal-sunshine")
    assert await refresh.check()  # type: ignore[attr-defined]
    assert (await command(fake, "essays")).content.startswith("The library is empty.")
