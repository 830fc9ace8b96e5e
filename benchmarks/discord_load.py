"""Event-loop stall under Discord load: `python -m benchmarks.discord_load`.

The real bot runs on the fake Discord server (tests/fakediscord) with a short heartbeat interval. Four loads:
50 `/ask` from different users dispatched at once; `/essay add` of a new essay into a library of synthetic
essays; 30 people each sending a burst of three messages in their DMs at once while one more floods (20 messages
in 10 s, REPLIES_PER_MINUTE 6 with the minute shortened to 12 s); then `/forget` of one of them. The figure is the
longest gap between the client's gateway heartbeats during each load, against the interval: a blocked event loop
delays heartbeats (and a real Discord drops a bot that misses them).
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import essay_markdown, write_corpus
from bot.config import Settings
from bot.discord.client import TutorBot
from bot.library import Library
from tests.fakediscord import FakeDiscord, FakeUser

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "discord_load.md"
INTERVAL = 0.5
ASKS = 50
BURSTS = 30
FLOOD = 20
FLOOD_PERIOD = 12.0  # the flood limit's minute, shortened so that the flood is answered within the run
TIMEOUT = 300.0
GAPS = ("ask_gap", "add_gap", "burst_gap", "forget_gap")


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest stretch of [start, end] without a heartbeat (heartbeats just outside bound the window)."""
    before = [t for t in times if t < start][-1:]
    inside = [t for t in times if start <= t <= end]
    after = [t for t in times if t > end][:1]
    marks = before + inside + after
    return max((b - a for a, b in itertools.pairwise(marks)), default=end - start)


async def measure(essays: int = 100) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="discord-load-") as scratch:
        root = Path(scratch)
        write_corpus(root / "corpus", essays)
        shutil.copy(ROOT / "corpus" / "severance.txt", root / "corpus")
        settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index",
                            database_path=root / "tutor.sqlite3", replies_per_minute=6, _env_file=None)
        library = Library(settings)
        await asyncio.to_thread(library.build)
        async with FakeDiscord(heartbeat_interval=INTERVAL) as fake:
            settings = settings.model_copy(update={"admin_guild_ids": [fake.guild.id]})
            bot = TutorBot(settings, library=library, guild_ready_timeout=0.05, rate_period=FLOOD_PERIOD)
            async with fake.running(bot):
                await asyncio.sleep(INTERVAL * 3)  # a few heartbeats before the load
                connection = fake.gateway.connections[-1].id
                users = [fake.state.add_user(f"reader{n}") for n in range(ASKS)]
                for user in users:
                    fake.state.add_member(fake.guild, user)
                started = time.monotonic()
                calls = await asyncio.gather(*(
                    fake.invoke_slash("ask", {"question": f"Why does the innie stay? ({n})"}, user=user)
                    for n, user in enumerate(users)))
                await asyncio.gather(*(fake.wait_for_message(
                    lambda m, call=call: m.interaction_id == call.id and bool(m.embeds), timeout=TIMEOUT)
                    for call in calls))
                asks_done = time.monotonic()

                name, text = essay_markdown(seed=1, number=essays + 1)
                attachment = fake.add_attachment(name, text.encode())
                add_started = time.monotonic()
                call = await fake.invoke_slash("essay add", {"file": attachment}, user=fake.admin)
                await fake.wait_for_message(lambda m: m.interaction_id == call.id and "Added" in m.content,
                                            timeout=TIMEOUT)
                add_done = time.monotonic()

                burst_started = time.monotonic()
                await asyncio.gather(flood(fake, users[-1]), *(burst(fake, user) for user in users[:BURSTS]))
                await until_answered(bot)
                burst_done = time.monotonic()

                forget_started = time.monotonic()
                call = await fake.invoke_slash("forget", {}, user=users[0])
                asked = await fake.wait_for_message(lambda m: m.interaction_id == call.id and bool(m.components),
                                                    timeout=TIMEOUT)
                confirm = next(b["custom_id"] for row in asked.components for b in row["components"]
                               if b["label"] == "Delete my data")
                await fake.click_button(asked.message_id, confirm, user=users[0])
                await fake.wait_for_message(lambda m: m.message_id == asked.message_id and m.content.startswith(
                    "Done."), timeout=TIMEOUT)
                forget_done = time.monotonic()
                await asyncio.sleep(INTERVAL * 2)  # the heartbeat after the window closes it
                beats = fake.heartbeat_times[connection]
    return {"interval": INTERVAL, "essays": essays, "asks": ASKS, "asks_s": asks_done - started,
            "ask_gap": longest_gap(beats, started, asks_done), "add_s": add_done - add_started,
            "add_gap": longest_gap(beats, add_started, add_done), "burst_s": burst_done - burst_started,
            "burst_gap": longest_gap(beats, burst_started, burst_done), "forget_s": forget_done - forget_started,
            "forget_gap": longest_gap(beats, forget_started, forget_done)}


async def burst(fake: FakeDiscord, user: FakeUser) -> None:
    """Three messages 0.2 s apart in the user's DM (one burst: one reply)."""
    dm = fake.open_dm(user)
    for n, text in enumerate(("I think the innie stays for his friends.", "And for Helly.", "Is that freedom?")):
        if n:
            await asyncio.sleep(0.2)
        await fake.send_user_message(dm, user, text)


async def flood(fake: FakeDiscord, user: FakeUser) -> None:
    dm = fake.open_dm(user)
    for n in range(FLOOD):
        await fake.send_user_message(dm, user, f"Thought {n}: the outie is to blame.")
        await asyncio.sleep(10 / FLOOD)


async def until_answered(bot: TutorBot) -> None:
    """Until every inbox has answered everything (the flood's last reply comes when its limit lifts)."""
    async with asyncio.timeout(TIMEOUT):
        while not all(inbox.idle for inbox in bot.inboxes.values()):
            await asyncio.sleep(0.05)


def longest(result: dict[str, float]) -> float:
    """The longest heartbeat gap of all the loads."""
    return max(result[gap] for gap in GAPS)


def render(result: dict[str, float]) -> list[str]:
    interval = result["interval"]
    return [
        f"| {int(result['asks'])} `/ask` in flight at once ({result['asks_s']:.1f} s until all answered) | "
        f"{result['ask_gap']:.2f} s | {result['ask_gap'] / interval:.2f}x |",
        f"| `/essay add` into {int(result['essays']) + 1} essays ({result['add_s']:.1f} s) | {result['add_gap']:.2f} s"
        f" | {result['add_gap'] / interval:.2f}x |",
        f"| {BURSTS} bursts of 3 messages at once and a flood of {FLOOD} in 10 s ({result['burst_s']:.1f} s until all "
        f"answered) | {result['burst_gap']:.2f} s | {result['burst_gap'] / interval:.2f}x |",
        f"| `/forget` of a member ({result['forget_s']:.2f} s) | {result['forget_gap']:.2f} s | "
        f"{result['forget_gap'] / interval:.2f}x |",
    ]


def main() -> None:
    result = asyncio.run(measure())
    lines = ["# Event-loop stall under Discord load", "",
             f"The real bot on the fake Discord, heartbeat interval {result['interval']} s.", "",
             "| load | longest heartbeat gap | vs interval |", "|---|---|---|", *render(result)]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
