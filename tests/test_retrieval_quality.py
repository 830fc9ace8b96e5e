"""Retrieval quality (real model, real index): a regression guard for the numbers in benchmarks/retrieval.md."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.retrieval import ESSAYS, SETS
from bot.library import Library
from bot.retrieval.embedder import Embedder
from bot.retrieval.evaluation import evaluate, load_cases
from bot.retrieval.search import Searcher
from tests.conftest import ROOT, SECOND_ESSAY, SEED, make_library

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


@pytest.fixture(scope="module")
def nine_essays(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, warm_cache: Path) -> Library:
    """All nine essays in one index, as `make eval` builds it: every question competes with every essay."""
    library = make_library(tmp_path_factory.mktemp("nine"), embedder, ESSAYS, warm_cache)
    library.build()
    return library


def test_dev_and_test_sets_are_well_formed_and_answerable(nine_essays: Library) -> None:
    known = {e.id for e in nine_essays.essays()}
    dev, test = load_cases(SETS["dev"]), load_cases(SETS["test"])
    assert len(dev) + len(test) >= 150
    assert sum(c.kind == "paraphrase" for c in dev + test) >= (len(dev) + len(test)) // 2
    single = [{c.essays[0] for c in cases if len(c.essays) == 1} for cases in (dev, test)]
    assert single[0].isdisjoint(single[1])  # split by essay (comparisons may reach across)
    for case in dev + test:
        assert set(case.essays) <= known, case
        # every gold lies inside one passage: a question the chunker made unanswerable would count as a miss
        assert any(case.answered_by(p) for p in nine_essays.index.passages), case.question


def test_hybrid_holds_on_essays_it_was_not_tuned_on(nine_essays: Library) -> None:
    results = evaluate(nine_essays.searcher, load_cases(SETS["test"]))
    hybrid = results["hybrid"]["all"]
    # measured on the torch backend the tests use: 0.903, 0.938, 0.864 (make eval's onnx-int8: 0.912, 0.938, 0.864)
    assert hybrid["recall@3"] >= 0.87 and hybrid["recall@5"] >= 0.92
    assert results["hybrid"]["paraphrase"]["recall@3"] >= 0.83
    for single in ("dense", "bm25"):
        assert hybrid["mrr"] > results[single]["all"]["mrr"]
    focused = evaluate(nine_essays.searcher, load_cases(SETS["test"]), ("hybrid",),
                       lambda case: {"boost": {case.essays[0]: 0.2}} if len(case.essays) == 1 else {})
    assert focused["hybrid"]["all"]["recall@3"] >= 0.89  # the tutor's conversation focus; measured: 0.912


def test_late_interaction_lifts_the_questions_it_was_chosen_on(nine_essays: Library) -> None:
    """Word-piece MaxSim re-ranking against the same search without it, on dev (where its share was chosen)."""
    searcher = nine_essays.searcher
    assert searcher.index.tokens is not None and searcher.index.tokens.passages == len(searcher.index.passages)
    without = Searcher(searcher.index, searcher.embedder, replace(searcher.params, piece_share=0.0))
    cases = load_cases(SETS["dev"])
    on, off = (evaluate(s, cases, ("hybrid",))["hybrid"]["all"] for s in (searcher, without))
    assert on["mrr"] >= off["mrr"] + 0.03 and on["recall@5"] >= off["recall@5"] + 0.04  # measured: +0.052, +0.079
