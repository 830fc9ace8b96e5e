"""Retrieval quality on eval/ (real model, real index): a regression guard for the measured numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.library import Library
from bot.retrieval.evaluation import evaluate, load_cases
from tests.conftest import ROOT, SECOND_ESSAY, SEED

EVAL = ROOT / "eval"


def test_eval_files_are_well_formed_and_gold_is_verbatim() -> None:
    seed = SEED.read_text(encoding="utf-8")
    second = SECOND_ESSAY.read_text(encoding="utf-8")
    seed_cases = load_cases(EVAL / "retrieval.jsonl")
    added_cases = load_cases(EVAL / "retrieval-added.jsonl")
    assert len(seed_cases) >= 30 and len(added_cases) >= 5
    assert sum(c.kind == "paraphrase" for c in seed_cases) >= len(seed_cases) // 2
    assert all(c.gold in seed for c in seed_cases)
    assert all(c.gold in second for c in added_cases)


def test_hybrid_meets_the_targets_and_beats_each_method_alone(library_factory: Callable[..., Library]) -> None:
    library = library_factory([SEED])
    library.add_files([SECOND_ESSAY])  # the second essay arrives later, as an admin would add it
    cases = [*load_cases(EVAL / "retrieval.jsonl"), *load_cases(Path(EVAL / "retrieval-added.jsonl"))]
    results = evaluate(library.searcher, cases)
    hybrid = results["hybrid"]
    assert hybrid["all"]["recall@3"] >= 0.90
    assert hybrid["all"]["recall@5"] >= 0.95
    assert hybrid["direct"]["recall@3"] >= 0.95
    assert hybrid["paraphrase"]["recall@3"] >= 0.90
    for single in ("dense", "bm25"):
        assert hybrid["all"]["mrr"] > results[single]["all"]["mrr"]
        assert hybrid["all"]["recall@1"] > results[single]["all"]["recall@1"]
