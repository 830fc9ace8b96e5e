"""End to end: managing the library from Discord (`/essay add|remove`, `/reindex`) with the real bot and library."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.discord.client import TutorBot
from bot.discord.interactions import ADMIN_ONLY, NOT_A_LIBRARY_SERVER, NOT_HERE
from bot.library import Library
from tests.conftest import SECOND_ESSAY, SEED
from tests.discord_helpers import EPHEMERAL, HEARTBEAT_INTERVAL, TIMEOUT, ask, final_answer, make_bot, snapshot
from tests.fakediscord import FakeDiscord, InteractionRecord
from tests.fakediscord.models import MANAGE_GUILD

pytestmark = pytest.mark.asyncio
pytest_plugins = ("tests.discord_fixtures",)

ADDED = "Added **The Stain That Stays: Eternal Sunshine and the Case Against Forgetting** by Tutor Eval Team"
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("empty.txt", b"", "empty.txt: the file is empty"),
    ("blank.txt", b"  \n\t\r\n  ", "blank.txt: the file contains only whitespace"),
    ("binary.txt", b"Some text\x00\x01\x02 with NUL bytes in it.", "binary.txt: the file looks binary"),
    ("latin1.txt", "Café society is the subject of this long paragraph.".encode("latin-1"),
     "latin1.txt: the file is not valid UTF-8"),
    ("headings.md", b"# A Title\n\n## Part one\n\n## Part two\n", "headings.md: no paragraph text was found"),
    ("big.txt", b"a" * 5_000_001, "big.txt`: it is 5,000,001 bytes, above the limit of 5,000,000 bytes"),
    ("copy-of-severance.txt", SEED.read_bytes(), "copy-of-severance.txt: exact duplicate of"),
    ("essay.docx", b"PK\x03\x04 not really a word document", "essay.docx: unsupported file type .docx"),
]


async def run_admin(fake: FakeDiscord, command: str, options: dict[str, object], *, done: Callable[[str], bool],
                    user: object = None) -> tuple[InteractionRecord, str]:
    """Run an admin command; returns the interaction and the final text of its (ephemeral) answer."""
    call = await fake.invoke_slash(command, options, user=user or fake.admin)  # type: ignore[arg-type]
    response = await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
    assert response.elapsed < 3.0 and (response.data or {}).get("flags", 0) & EPHEMERAL
    return call, await final_answer(fake, call, done)


def essay_ids(library: Library) -> list[str]:
    return sorted(e.id for e in library.essays())


async def test_adding_an_essay_shows_progress_and_the_tutor_uses_it(
    fake: FakeDiscord, bot: TutorBot, library: Library
) -> None:
    attachment = fake.add_attachment(SECOND_ESSAY.name, SECOND_ESSAY.read_bytes())
    call, text = await run_admin(fake, "essay add", {"file": attachment, "title": "Eternal Sunshine"},
                                 done=lambda t: t.startswith("Added"))
    assert text.startswith(ADDED) and "listed as above rather than as “Eternal Sunshine”" in text
    assert text.endswith("The library now has 2 essays (10 passages).")
    progress = [m.content for m in fake.sent if m.interaction_id == call.id and m.content.startswith("Adding")]
    assert progress and progress[0].startswith(f"Adding `{SECOND_ESSAY.name}`: ")
    assert (Path(library.settings.corpus_dir) / SECOND_ESSAY.name).read_bytes() == SECOND_ESSAY.read_bytes()
    assert essay_ids(library) == ["eternal-sunshine", "severance"]
    _, reply = await ask(fake, "Why does Joel want to forget Clementine?", essay="eternal-sunshine")
    assert "The Stain That Stays" in reply.embeds[0]["fields"][0]["value"]


async def test_bad_files_are_rejected_with_their_reason_and_change_nothing(
    fake: FakeDiscord, bot: TutorBot, library: Library
) -> None:
    before = snapshot(library)
    for name, data, reason in BAD_FILES:
        _, text = await run_admin(fake, "essay add", {"file": fake.add_attachment(name, data)},
                                  done=lambda t: "Nothing was changed" in t or "nothing was changed" in t)
        assert reason in text, text
        assert snapshot(library) == before, name
    downloads = [r.path for r in fake.requests if r.path.startswith("/attachments/")]
    assert len(downloads) == len(BAD_FILES) - 1 and not any(p.endswith("/big.txt") for p in downloads)
    assert essay_ids(library) == ["severance"]


async def test_removing_an_essay(fake: FakeDiscord, library_factory: Callable[..., Library]) -> None:
    library = library_factory([SEED, SECOND_ESSAY])
    async with fake.running(make_bot(library, admin_guild_ids=[fake.guild.id])):
        choices = await fake.autocomplete("essay remove", {"essay": "stain"}, focused="essay", user=fake.admin)
        assert [c["value"] for c in choices] == ["eternal-sunshine"]
        before = snapshot(library)
        _, text = await run_admin(fake, "essay remove", {"essay": "moby-dick"}, done=lambda t: "nothing" in t)
        assert "moby-dick: no such essay" in text and snapshot(library) == before
        _, text = await run_admin(fake, "essay remove", {"essay": "eternal-sunshine"},
                                  done=lambda t: t.startswith("Removed"))
    assert text == ("Removed **The Stain That Stays: Eternal Sunshine and the Case Against Forgetting**. "
                    "The library now has 1 essays (4 passages).")
    assert not (Path(library.settings.corpus_dir) / SECOND_ESSAY.name).exists()
    assert essay_ids(library) == ["severance"]


async def test_reindex_picks_up_the_corpus(fake: FakeDiscord, bot: TutorBot, library: Library) -> None:
    _, text = await run_admin(fake, "reindex", {}, done=lambda t: "library now has" in t)
    assert text == "The index was already up to date. The library now has 1 essays (4 passages)."
    shutil.copy(SECOND_ESSAY, Path(library.settings.corpus_dir) / SECOND_ESSAY.name)  # dropped in by hand
    _, text = await run_admin(fake, "reindex", {}, done=lambda t: "library now has" in t)
    assert text.startswith("Index rebuilt in ") and text.endswith("The library now has 2 essays (10 passages).")
    assert essay_ids(library) == ["eternal-sunshine", "severance"]


async def test_admin_commands_refuse_members_without_manage_server(
    fake: FakeDiscord, bot: TutorBot, library: Library
) -> None:
    registered = {c["name"]: c for c in fake.commands.list(fake.guild.id)}
    for name in ("essay", "reindex"):  # Discord hides them from members, and they cannot be used in DMs…
        assert int(registered[name]["default_member_permissions"]) == MANAGE_GUILD
        assert registered[name]["dm_permission"] is False
    before = snapshot(library)
    attachment = fake.add_attachment(SECOND_ESSAY.name, SECOND_ESSAY.read_bytes())
    attempts = [(fake.member, "essay add", {"file": attachment}), (fake.member, "essay remove", {"essay": "severance"}),
                (fake.member, "reindex", {})]
    calls = [await fake.invoke_slash(command, options, user=user) for user, command, options in attempts]
    # …and even an admin is refused outside a server (a DM does not have the command: a forged interaction)
    calls.append(await fake.forge_slash("reindex", user=fake.admin, channel=fake.open_dm(fake.admin),
                                        registered_in=fake.guild))
    for call in calls:
        response = await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
        assert response.type == 4 and response.data is not None, call
        assert (response.data["content"], response.data["flags"]) == (ADMIN_ONLY, EPHEMERAL)
    assert snapshot(library) == before
    assert not [r for r in fake.requests if r.path.startswith("/attachments/")]


async def test_the_bot_keeps_answering_and_heartbeating_while_an_essay_is_added(
    fake: FakeDiscord, library_factory: Callable[..., Library], monkeypatch: pytest.MonkeyPatch
) -> None:
    library = library_factory(warm=False)  # no cached embeddings: the add really embeds its passages
    entered, release = threading.Event(), threading.Event()
    real_add = library.add

    def held_add(*args: object, on_stage: Callable[[str], None], **kwargs: object) -> object:
        """Hold the add at its first index-build stage, in its worker thread, until the test lets go."""

        def stage(text: str) -> None:
            on_stage(text)
            if not entered.is_set():
                entered.set()
                assert release.wait(TIMEOUT)

        return real_add(*args, on_stage=stage, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(library, "add", held_add)
    async with fake.running(make_bot(library, admin_guild_ids=[fake.guild.id])):
        started = time.monotonic()
        attachment = fake.add_attachment(SECOND_ESSAY.name, SECOND_ESSAY.read_bytes())
        add = await fake.invoke_slash("essay add", {"file": attachment}, user=fake.admin)
        assert await asyncio.to_thread(entered.wait, TIMEOUT)
        await ask(fake, "Why does Mark's innie choose to stay?", user=fake.member)  # answered mid-rebuild
        release.set()
        text = await final_answer(fake, add, lambda t: t.startswith("Added"))
        finished = time.monotonic()
        await asyncio.sleep(2 * HEARTBEAT_INTERVAL)
    assert text.startswith(ADDED)
    beats = fake.heartbeat_times[fake.gateway.connections[-1].id]
    during = [later - earlier for earlier, later in itertools.pairwise(beats) if later >= started and
              earlier <= finished]
    print(f"\nheartbeat gaps during /essay add ({finished - started:.2f} s): max {max(during):.3f} s")
    assert len(during) >= 2 and max(during) < 1.0
    assert fake.max_heartbeat_gap() < 1.0


async def test_only_the_servers_that_own_the_library_can_change_it(
    fake: FakeDiscord, library_factory: Callable[..., Library]
) -> None:
    library = library_factory([SEED, SECOND_ESSAY])
    other = fake.state.add_guild("Another Community", owner=fake.state.add_user("other-owner"))
    other_admin = fake.state.add_user("other-admin")
    fake.state.add_member(other, other_admin, roles=[fake.state.add_role(other, "Mods", MANAGE_GUILD)])
    other_channel = fake.state.add_text_channel(other, "reading")
    async with fake.running(make_bot(library, admin_guild_ids=[fake.guild.id])):
        names = {"global": sorted(c["name"] for c in fake.commands.list()),
                 "other": sorted(c["name"] for c in fake.commands.list(other.id))}
        assert "essay" not in names["global"] and "reindex" not in names["global"] and names["other"] == []
        with pytest.raises(LookupError):  # absent there: nobody in that server can even invoke them
            await fake.invoke_slash("reindex", {}, user=other_admin, channel=other_channel)
        _, reply = await ask(fake, "Why does Joel want to forget?", user=other_admin, channel=other_channel)
        assert reply.embeds  # the other server still asks questions of the same library

        before = snapshot(library)
        forged = [  # a stale or crafted command from the other server, by a member with Manage Server there
            await fake.forge_slash("essay remove", {"essay": "severance"}, user=other_admin, channel=other_channel,
                                   registered_in=fake.guild),
            await fake.forge_slash("reindex", user=other_admin, channel=other_channel, registered_in=fake.guild),
            await fake.forge_slash("essay add", {"file": fake.add_attachment("x.txt", b"An essay. " * 50)},
                                   user=other_admin, channel=other_channel, registered_in=fake.guild),
        ]
        answers = [await fake.wait_for_interaction_response(call, timeout=TIMEOUT) for call in forged]
        # the same command as the other server's own (it never registered one): unknown there, refused too
        unknown = await fake.send_command_data({"id": "1", "name": "reindex", "type": 1, "guild_id": str(other.id)},
                                               user=other_admin, channel=other_channel)
        answers.append(await fake.wait_for_interaction_response(unknown, timeout=TIMEOUT))
    assert [(a.type, a.data["content"], a.data["flags"]) for a in answers] == (  # type: ignore[index]
        [(4, NOT_A_LIBRARY_SERVER, EPHEMERAL)] * 3 + [(4, NOT_HERE, EPHEMERAL)])
    assert snapshot(library) == before and essay_ids(library) == ["eternal-sunshine", "severance"]
    assert not [r for r in fake.requests if r.path.startswith("/attachments/")]  # nothing was even downloaded


async def test_with_no_admin_servers_essays_are_managed_from_the_command_line_only(
    fake: FakeDiscord, library: Library
) -> None:
    async with fake.running(make_bot(library)):
        registered = {c["name"] for c in fake.commands.list()} | {c["name"] for c in fake.commands.list(fake.guild.id)}
        assert "ask" in registered and not registered & {"essay", "reindex"}
        before = snapshot(library)
        forged = await fake.send_command_data({"id": "1", "name": "reindex", "type": 1}, user=fake.admin,
                                              channel=fake.channel)
        answer = await fake.wait_for_interaction_response(forged, timeout=TIMEOUT)
    assert answer.data is not None and answer.data["content"] == NOT_HERE and snapshot(library) == before


async def test_a_server_taken_off_the_list_loses_the_commands_at_the_next_start(
    fake: FakeDiscord, library: Library
) -> None:
    async with fake.running(make_bot(library, admin_guild_ids=[fake.guild.id])):
        assert sorted(c["name"] for c in fake.commands.list(fake.guild.id)) == ["essay", "reindex"]
    async with fake.running(make_bot(Library(library.settings, embedder=library.embedder))):
        assert fake.commands.list(fake.guild.id) == [] and "ask" in {c["name"] for c in fake.commands.list()}
    mark = fake.checkpoint()
    async with fake.running(make_bot(Library(library.settings, embedder=library.embedder))):
        pass  # nothing to take back any more: no request for that server
    assert not [r for r in fake.requests.since(mark) if f"/guilds/{fake.guild.id}/commands" in r.path]
