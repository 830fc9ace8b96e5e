"""Three scripted eight-turn conversations on the seed essay: `python -m benchmarks.conversations`.

Writes benchmarks/conversations.md, unedited, so a reader can judge the tutor (agreeing, contrarian and
confused users). Each reply is produced by the real tutor over a fresh index of corpus/.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bot.config import Settings
from bot.library import Library
from bot.state import ConversationStore
from bot.tutor.engine import Tutor

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "conversations.md"
PERSONAS = {
    "Agreeing reader": [
        "I think the essay is right, the show is about all of us, not just Mark.",
        "Yes, exactly. Workplaces reward us for hiding our feelings.",
        "I'd say the people who benefit from that are the companies.",
        "True, and the outie made that choice because grief was too much.",
        "I agree that the innie staying is a kind of protest.",
        "Maybe the assumption is that feelings can be switched off at all.",
        "It would mean we should stop praising people for 'leaving baggage at the door'.",
        "Totally, the system is the real villain.",
    ],
    "Contrarian": [
        "I don't buy it. Severance is just a sci-fi thriller about a creepy company.",
        "The outie is obviously the tragic figure. He lost his wife.",
        "No, the innie betrayed Mark. It was selfish, plain and simple.",
        "Blaming the system is a cop-out; Mark chose to get severed.",
        "Nah, switching off at work is healthy, not repression.",
        "The essay reads way too much into one finale.",
        "I still think we should pity him more than the essay allows.",
        "Whatever, it's a TV show, not a critique of capitalism.",
    ],
    "Confused reader": [
        "what is this essay even about?",
        "idk",
        "why?",
        "what does clean slate mean here",
        "hm, so who is the villain?",
        "yes",
        "I'm not sure I follow the part about emotions being a resource",
        "ok",
    ],
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        settings = Settings(corpus_dir=corpus, index_dir=Path(tmp) / "index", _env_file=None)
        library = Library(settings)
        library.build()
        tutor = Tutor(library, ConversationStore(Path(tmp) / "conversations.sqlite3"))
        lines = ["# Sample conversations (unedited)", "",
                 "Produced by `python -m benchmarks.conversations` with the offline composer on corpus/.", ""]
        for persona, messages in PERSONAS.items():
            lines += [f"## {persona}", ""]
            for turn, message in enumerate(messages, start=1):
                reply = tutor.reply(persona, message)
                lines += [f"**{turn}. User:** {message}", "",
                          f"*stance: {reply.stance} · move: {reply.move}*", ""]
                lines += [f"    {line}" for line in reply.reply.splitlines()] + [""]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(OUTPUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
