"""Event-loop stall under Discord load: `python -m benchmarks.discord_load`.

The real bot runs on the fake Discord server (tests/fakediscord) with a short heartbeat interval. Two loads:
50 `/ask` from different users dispatched at once, then `/essay add` of a new essay into a library of synthetic
essays. The figure is the longest gap between the client's gateway heartbeats during each load, against the
interval: a blocked event loop delays heartbeats (and a real Discord drops a bot that misses them).
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
from tests.fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "discord_load.md"
INTERVAL = 0.5
ASKS = 50
TIMEOUT = 300.0


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
                            database_path=root / "tutor.sqlite3", cooldown_seconds=0, _env_file=None)
        library = Library(settings)
        await asyncio.to_thread(library.build)
        async with FakeDiscord(heartbeat_interval=INTERVAL) as fake:
            bot = TutorBot(settings, library=library, guild_ready_timeout=0.05)
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
                ask_gap = longest_gap(fake.heartbeat_times[connection], started, asks_done)

                name, text = essay_markdown(seed=1, number=essays + 1)
                attachment = fake.add_attachment(name, text.encode())
                add_started = time.monotonic()
                call = await fake.invoke_slash("essay add", {"file": attachment}, user=fake.admin)
                await fake.wait_for_message(lambda m: m.interaction_id == call.id and "Added" in m.content,
                                            timeout=TIMEOUT)
                add_done = time.monotonic()
                await asyncio.sleep(INTERVAL * 2)  # the heartbeat after the window closes it
                add_gap = longest_gap(fake.heartbeat_times[connection], add_started, add_done)
    return {"interval": INTERVAL, "essays": essays, "asks": ASKS, "asks_s": asks_done - started,
            "ask_gap": ask_gap, "add_s": add_done - add_started, "add_gap": add_gap}


def render(result: dict[str, float]) -> list[str]:
    interval = result["interval"]
    return [
        f"| {int(result['asks'])} `/ask` in flight at once ({result['asks_s']:.1f} s until all answered) | "
        f"{result['ask_gap']:.2f} s | {result['ask_gap'] / interval:.2f}x |",
        f"| `/essay add` into {int(result['essays']) + 1} essays ({result['add_s']:.1f} s) | {result['add_gap']:.2f} s"
        f" | {result['add_gap'] / interval:.2f}x |",
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
