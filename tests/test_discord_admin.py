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

from bot.client import ADMIN_ONLY, TutorBot
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
    async with fake.running(make_bot(library)):
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
    registered = {c["name"]: c for c in fake.commands.list()}
    for name in ("essay", "reindex"):  # Discord hides them from members, and they cannot be used in DMs…
        assert int(registered[name]["default_member_permissions"]) == MANAGE_GUILD
        assert registered[name]["dm_permission"] is False
    before = snapshot(library)
    attachment = fake.add_attachment(SECOND_ESSAY.name, SECOND_ESSAY.read_bytes())
    dm = fake.open_dm(fake.admin)  # …and even an admin is refused outside a server
    attempts = [(fake.member, fake.channel, "essay add", {"file": attachment}),
                (fake.member, fake.channel, "essay remove", {"essay": "severance"}),
                (fake.member, fake.channel, "reindex", {}), (fake.admin, dm, "reindex", {})]
    for user, channel, command, options in attempts:
        call = await fake.invoke_slash(command, options, user=user, channel=channel)
        response = await fake.wait_for_interaction_response(call, timeout=TIMEOUT)
        assert response.type == 4 and response.data is not None, command
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
    async with fake.running(make_bot(library)):
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
