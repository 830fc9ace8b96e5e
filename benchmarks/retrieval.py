"""Retrieval quality table: `python -m benchmarks.retrieval` (or `make eval`) writes benchmarks/retrieval.md.

Builds a throw-away index from the seed essay, adds the second essay as an admin would, then measures dense,
BM25 and hybrid search, plus ablations of the search settings, on eval/*.jsonl.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.library import Library
from bot.retrieval.evaluation import evaluate, load_cases
from bot.retrieval.search import Searcher, SearchParams

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "retrieval.md"
ABLATIONS = {
    "passage vectors only, RRF": SearchParams(passage_weight=1.0, fusion="rrf", dense_weight=1.0),
    "+ sentence vectors, RRF": SearchParams(fusion="rrf", dense_weight=1.0),
    "+ sentence vectors, weighted blend (default)": SearchParams(),
}


def main() -> None:
    cases = [*load_cases(ROOT / "eval" / "retrieval.jsonl"), *load_cases(ROOT / "eval" / "retrieval-added.jsonl")]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        shutil.copy(ROOT / "corpus" / "severance.txt", corpus)
        library = Library(Settings(corpus_dir=corpus, index_dir=Path(tmp) / "index", _env_file=None))
        library.build()
        library.add_files([ROOT / "eval" / "essays" / "eternal-sunshine.md"])
        lines = ["# Retrieval quality", "", f"{len(cases)} questions over {len(library.essays())} essays "
                 f"({len(library.index.passages)} passages). A hit counts when its text contains the gold excerpt.",
                 "", "| search | questions | n | recall@1 | recall@3 | recall@5 | MRR |",
                 "|---|---|---|---|---|---|---|"]
        for mode, kinds in evaluate(library.searcher, cases).items():
            for kind, m in sorted(kinds.items(), key=lambda item: item[0] != "all"):
                lines.append(f"| {mode} | {kind} | {m['n']} | {m['recall@1']:.2f} | {m['recall@3']:.2f} | "
                             f"{m['recall@5']:.2f} | {m['mrr']:.3f} |")
        lines += ["", "## Ablations (hybrid)", "", "| settings | questions | recall@1 | recall@3 | recall@5 | MRR |",
                  "|---|---|---|---|---|---|"]
        for name, params in ABLATIONS.items():
            searcher = Searcher(library.index, library.embedder, replace(params))
            for kind, m in sorted(evaluate(searcher, cases)["hybrid"].items(), key=lambda item: item[0] != "all"):
                lines.append(f"| {name} | {kind} | {m['recall@1']:.2f} | {m['recall@3']:.2f} | {m['recall@5']:.2f} "
                             f"| {m['mrr']:.3f} |")
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
