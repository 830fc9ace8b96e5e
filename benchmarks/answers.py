"""Does the tutor quote the line that answers? `python -m benchmarks.answers [--show-misses dev]`.

Each question of the retrieval sets (eval/retrieval/dev.jsonl and test.jsonl, written before any tuning, split by
essay) is asked of the tutor as the first message of a conversation about its gold essay, as `/ask` with the
essay option does. A reply answers when one of its quotes contains the gold excerpt (the words that answer the
question); the table also counts replies that deny the essay covers it ("doesn't address", "doesn't say",
"can't point to a line"), which are wrong for every question here: each has an answer in its essay.

This measures the tutor's choice of line within the focus essay, where `make eval` measures retrieval across
essays. Tune the choice on dev only; test is the figure that counts. Writes benchmarks/answers.md.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path

from benchmarks.conversations import library_dirs

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "eval" / "retrieval"
OUTPUT = ROOT / "benchmarks" / "answers.md"
_DENIALS = re.compile(r"doesn't address|doesn't say|can't point to a line|can't find the essay|can't match that|"
                      r"never uses", re.IGNORECASE)


def _plain(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def answered(gold: str, quotes: list[str]) -> bool:
    """A quote holds the gold excerpt (or, for an excerpt that spans two quoted lines, each half of it)."""
    gold = _plain(gold).rstrip(".")
    return any(gold in _plain(quote) for quote in quotes)


def run(split: str, env: dict[str, str]) -> list[dict]:
    """Every question of `split` through the tutor, in-process (one fresh conversation each)."""
    import os

    from bot.config import Settings
    from bot.library import Library
    from bot.state import ConversationStore
    from bot.tutor.engine import Tutor

    os.environ.update(env)
    settings = Settings(_env_file=None)
    tutor = Tutor(Library(settings), ConversationStore(Path(env["DATABASE_PATH"])))
    rows = []
    for number, line in enumerate((SETS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()):
        item = json.loads(line)
        essays = item["essay"] if isinstance(item["essay"], list) else [item["essay"]]
        reply = tutor.reply(f"{split}-{number}", item["question"], essay=essays[0])
        quotes = [q.text for q in reply.quotes]
        golds = item["gold"] if isinstance(item["gold"], list) else [item["gold"]]
        rows.append({**item, "kind": item.get("kind", "direct"), "reply_kind": reply.kind, "quotes": quotes,
                     "lead": reply.answer.split("\n", 1)[0], "hit": any(answered(g, quotes) for g in golds),
                     "denied": bool(_DENIALS.search(reply.answer.split("\n", 1)[0]))})
    return rows


def table(results: dict[str, list[dict]]) -> list[str]:
    lines = ["| set | questions | n | answered (gold line quoted) | denied the essay covers it |",
             "|---|---|---|---|---|"]
    for split, rows in results.items():
        groups: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            groups["all"].append(row)
            groups[row["kind"]].append(row)
        for kind, items in sorted(groups.items(), key=lambda item: (item[0] != "all", item[0])):
            hits = sum(r["hit"] for r in items) / len(items)
            denied = sum(r["denied"] for r in items) / len(items)
            lines.append(f"| {split} | {kind} | {len(items)} | {hits:.3f} | {denied:.3f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", choices=["dev", "test"], help="print the misses of this set (dev only "
                        "when tuning: reading test's misses makes it a dev set)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = library_dirs(Path(scratch)) | {"DATABASE_PATH": str(Path(scratch) / "answers.sqlite3")}
        results = {split: run(split, env) for split in ("dev", "test")}
    lines = ["# Does the tutor quote the answering line?", "", __doc__.split("\n\n")[1].replace("\n", " "), "",
             *table(results), ""]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(table(results)))
    if args.show_misses:
        for row in results[args.show_misses]:
            if not row["hit"]:
                print(json.dumps({k: row[k] for k in ("question", "essay", "gold", "reply_kind", "lead", "quotes")},
                                 ensure_ascii=False))


if __name__ == "__main__":
    main()
