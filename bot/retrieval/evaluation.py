"""Retrieval evaluation: recall@1/3/5 and MRR for dense, BM25 and hybrid, per kind of question."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.retrieval.search import Mode, Searcher

MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")
DEPTH = 10


@dataclass(frozen=True)
class Case:
    question: str
    gold: str
    kind: str = "all"


@dataclass
class Metrics:
    count: int = 0
    r1: float = 0.0
    r3: float = 0.0
    r5: float = 0.0
    mrr: float = 0.0

    def add(self, rank: int | None) -> None:
        self.count += 1
        if rank is not None:
            self.r1 += rank <= 1
            self.r3 += rank <= 3
            self.r5 += rank <= 5
            self.mrr += 1.0 / rank

    def averaged(self) -> dict[str, float | int]:
        n = self.count or 1
        return {"n": self.count, "recall@1": self.r1 / n, "recall@3": self.r3 / n, "recall@5": self.r5 / n,
                "mrr": self.mrr / n}


def load_cases(path: Path) -> list[Case]:
    """Read `{"question", "gold"[, "kind"]}` lines; raises ValueError naming the bad line."""
    cases: list[Case] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            cases.append(Case(str(data["question"]), str(data["gold"]), str(data.get("kind", "all"))))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: expected {{\"question\": str, \"gold\": str}} ({exc})") from None
    return cases


def evaluate(searcher: Searcher, cases: list[Case]) -> dict[str, dict[str, dict[str, float | int]]]:
    """{mode: {kind or "all": metrics}}; a hit counts when its text contains the gold excerpt."""
    table: dict[str, dict[str, Metrics]] = {}
    for mode in MODES:
        per_kind: dict[str, Metrics] = defaultdict(Metrics)
        for case in cases:
            hits = searcher.search(case.question, k=DEPTH, mode=mode)
            rank = next((i for i, hit in enumerate(hits, start=1) if case.gold in hit.passage.text), None)
            per_kind["all"].add(rank)
            if case.kind != "all":
                per_kind[case.kind].add(rank)
        table[mode] = dict(per_kind)
    return {mode: {kind: m.averaged() for kind, m in kinds.items()} for mode, kinds in table.items()}
