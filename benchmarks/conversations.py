"""Transcripts of the scripted conversations, for blind judging:
`python -m benchmarks.conversations [SPLIT]`, SPLIT one of eval/conversations/*.jsonl (dev, test, holdout…).

The scripts (eval/conversations/<split>.jsonl, written before any tuning) are played through the real command
line, `python -m bot chat --json`, one fresh database per conversation, over one index of the whole evaluation
library (corpus/ and eval/essays/: nine essays that compete for the same questions). `--essay` is passed when a
script starts with an essay chosen, as `/ask`'s essay option does.

Writes benchmarks/transcripts/<split>.md (what a judge reads: the essay the reader means, the persona, each
message and the full reply a user sees; nothing of the tutor's own labels) and <split>.jsonl (every reply object,
for debugging). See ../shared/JUDGING.md for the judging procedure and benchmarks/judgments/ for the results.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "eval" / "conversations"
OUTPUT = ROOT / "benchmarks" / "transcripts"


def library_dirs(scratch: Path) -> dict[str, str]:
    """A corpus of every essay (the seed and eval/essays/) and an index built from it, as environment settings."""
    corpus = scratch / "corpus"
    corpus.mkdir()
    for path in [*sorted((ROOT / "corpus").iterdir()), *sorted((ROOT / "eval" / "essays").iterdir())]:
        if path.is_file():
            shutil.copy(path, corpus / path.name)
    env = os.environ | {"CORPUS_DIR": str(corpus), "INDEX_DIR": str(scratch / "index"), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "bot", "index", "build"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return env


def play(script: dict, env: dict[str, str], database: Path) -> list[dict]:
    command = [sys.executable, "-m", "bot", "chat", "--json", "--session", script["id"]]
    if script.get("start_essay"):
        command += ["--essay", script["start_essay"]]
    done = subprocess.run(command, input="\n".join(t.replace("\n", " ") for t in script["turns"]) + "\n",
                          capture_output=True, text=True, env=env | {"DATABASE_PATH": str(database)}, cwd=ROOT,
                          check=True)
    replies = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(replies) != len(script["turns"]):
        raise RuntimeError(f"{script['id']}: {len(replies)} replies to {len(script['turns'])} messages")
    return replies


def transcript(script: dict, replies: list[dict]) -> list[str]:
    about = script.get("about") or "none named by the reader"
    lines = [f"## {script['id']}", "", f"- Persona: {script['persona']}", f"- Essay the reader means: {about}"]
    if script.get("also"):
        lines.append(f"- Second essay the reader brings in: {script['also']}")
    if script.get("start_essay"):
        lines.append(f"- The conversation was started with this essay chosen: {script['start_essay']}")
    lines.append("")
    for number, (message, reply) in enumerate(zip(script["turns"], replies, strict=True), start=1):
        lines += [f"**Turn {number}. Reader:** {message}", "", "**Tutor:**", ""]
        lines += [f"    {line}" for line in reply["reply"].splitlines()] + [""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", default="dev",
                        choices=sorted(path.stem for path in SCRIPTS.glob("*.jsonl")))
    args = parser.parse_args()
    scripts = [json.loads(line) for line in (SCRIPTS / f"{args.split}.jsonl").read_text(encoding="utf-8")
               .splitlines() if line.strip()]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    markdown = [f"# Conversations ({args.split}), unedited", "",
                f"{len(scripts)} scripted conversations from eval/conversations/{args.split}.jsonl, played through "
                "`python -m bot chat --json` (offline composer) over the nine essays of corpus/ and eval/essays/.",
                ""]
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        env = library_dirs(scratch)
        for script in scripts:
            replies = play(script, env, scratch / f"{script['id']}.sqlite3")
            markdown += transcript(script, replies)
            records += [{"id": script["id"], "turn": n, "message": m, **r}
                        for n, (m, r) in enumerate(zip(script["turns"], replies, strict=True), start=1)]
            print(f"{script['id']}: {len(replies)} replies", file=sys.stderr)
    (OUTPUT / f"{args.split}.md").write_text("\n".join(markdown) + "\n", encoding="utf-8")
    (OUTPUT / f"{args.split}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"wrote {OUTPUT / (args.split + '.md')}", file=sys.stderr)


if __name__ == "__main__":
    main()
