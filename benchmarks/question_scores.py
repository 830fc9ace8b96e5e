"""How often blind judges passed each counter-question form: `python -m benchmarks.question_scores`.

Every judged round (benchmarks/judgments/<round>.jsonl beside benchmarks/transcripts/<round>.md) is read; each
reply's counter-question (the last line of the tutor's reply) is matched to the judge's "question" score. Forms
are told apart by their first eight words, with quoted slots as “X”, which groups a form's fillings together.
This is what chose which forms to drop (a form most judges fail is a stock question, whatever it was meant for).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS = ROOT / "benchmarks" / "transcripts"
JUDGMENTS = ROOT / "benchmarks" / "judgments"
_TURN = re.compile(r"\*\*Turn (\d+)\. Reader:\*\*.*?\*\*Tutor:\*\*\n\n(.*?)(?=\n\*\*Turn |\Z)", re.DOTALL)


def questions(transcript: Path) -> dict[tuple[str, int], str]:
    """(conversation id, turn) -> the tutor's counter-question, from a transcript as judges read it."""
    found: dict[tuple[str, int], str] = {}
    for block in re.split(r"\n## ", transcript.read_text(encoding="utf-8"))[1:]:
        conversation = block.split("\n", 1)[0].strip()
        for match in _TURN.finditer(block):
            lines = [line.strip() for line in match.group(2).splitlines() if line.strip()]
            if lines:
                found[(conversation, int(match.group(1)))] = lines[-1]
    return found


def form_of(question: str, words: int = 8) -> str:
    return " ".join(re.sub(r"“[^”]*”", "“X”", question).split()[:words])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=int, default=4, help="show forms asked at least this many times")
    parser.add_argument("--rounds", nargs="*", metavar="ROUND",
                        help="only these judged rounds (e.g. test-r9 holdout2-r2); default: all")
    args = parser.parse_args()
    asked: dict[str, list[int]] = defaultdict(list)
    for judged in sorted(JUDGMENTS.glob("*.jsonl")):
        name = judged.stem
        if args.rounds and name not in args.rounds:
            continue
        transcript = TRANSCRIPTS / f"{name}.md"
        # a judge's letters after the round: -r1a, -r1zz, -r14sg (round r14s, judge g)
        for cut in (1, 2):
            if not transcript.is_file():
                transcript = TRANSCRIPTS / f"{name[:-cut]}.md"
        if not transcript.is_file():
            continue
        by_turn = questions(transcript)
        for line in judged.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            question = by_turn.get((row["id"], int(row["turn"])))
            if question is not None:
                asked[form_of(question)].append(int(row["question"]))
    print("| asked | passed | form (first words) |\n|---|---|---|")
    for form, scores in sorted(asked.items(), key=lambda item: (sum(item[1]) / len(item[1]), -len(item[1]))):
        if len(scores) >= args.min:
            print(f"| {len(scores)} | {sum(scores) / len(scores):.2f} | {form} |")


if __name__ == "__main__":
    main()
