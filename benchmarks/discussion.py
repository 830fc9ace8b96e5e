"""A real weekly opening post and closing summary on corpus/: `python -m benchmarks.discussion`.

The week's thread is scripted (four participants); the tutor answers it as in Discord, and the summary is
what the bot posts when the next week opens. Writes benchmarks/discussion.md, unedited.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bot.config import Settings
from bot.discussion.posts import compose_opening, nudge_question
from bot.discussion.rotation import next_topic
from bot.discussion.summary import Contribution, summarize, weekly_text
from bot.library import Library
from bot.state import ConversationStore
from bot.tutor.engine import Tutor

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "discussion.md"
THREAD = [
    ("Ana", "I agree with it. Mark's outie isn't a hero, he handed his grief to someone else to carry."),
    ("Ben", "I disagree. He lost his wife, and wanting eight hours of relief is human, not a warning sign."),
    ("Ana", "But the essay's point is that the relief has a price, and the innie pays it."),
    ("Chloé", "Is the innie even a separate person, or just Mark with amnesia?"),
    ("Dev", "Honestly the essay is too harsh. Plenty of people switch off at work and are fine."),
    ("Ben", "yeah"),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        library = Library(Settings(corpus_dir=corpus, index_dir=Path(tmp) / "index", _env_file=None))
        library.build()
        tutor = Tutor(library, ConversationStore(Path(tmp) / "db.sqlite3"))
        claim = next_topic(tutor.argmap, library.essays(), [])
        assert claim is not None
        opening = compose_opening(claim, library.index.passages, "2026-W49", tutor.rarity)
        asked = [tutor.reply("thread", text).question for _, text in THREAD]
        open_question = nudge_question(claim, asked, tutor.rarity, len(asked))
        summary = summarize(claim, [Contribution(a, t) for a, t in THREAD], tutor.detector, open_question)
    lines = ["# Weekly discussion sample (unedited)", "", "## Opening post", "",
             f"**{opening.title}** — thread: *{opening.thread_name}*", "", opening.text(), "",
             "## The scripted thread", "", *(f"- {a}: {t}" for a, t in THREAD), "", "## Closing summary", "",
             weekly_text(summary), ""]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    print(OUTPUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
