"""Retrieval evaluation: recall@1/3/5 and MRR for dense, BM25 and hybrid, per kind of question.

A case is one line of JSON: `{"question": str, "gold": str | [str, ...], "kind"?: str, "essay"?: str | [str, ...]}`.
`gold` is a verbatim excerpt of the answering sentence; a list (a question comparing two essays) means any one of
them answers. A hit answers when its passage contains a gold excerpt (compared with runs of white space made one,
so hard-wrapped essays match) and, when `essay` is given, belongs to one of those essays.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.corpus.models import Passage
from bot.retrieval.search import Hit, Mode, Searcher

MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")
DEPTH = 10
_FORMAT = '{"question": str, "gold": str or [str, ...][, "kind": str][, "essay": str or [str, ...]]}'

Options = Callable[["Case"], dict[str, Any]]


def _spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Case:
    question: str
    golds: tuple[str, ...]
    kind: str = "all"
    essays: tuple[str, ...] = ()

    @property
    def gold(self) -> str:
        """The first gold excerpt (the only one, except for comparisons)."""
        return self.golds[0]

    def answered_by(self, passage: Passage) -> bool:
        if self.essays and passage.essay_id not in self.essays:
            return False
        text = _spaced(passage.text)
        return any(_spaced(gold) in text for gold in self.golds)

    def rank(self, hits: Sequence[Hit]) -> int | None:
        """1-based rank of the first hit that answers the question, or None."""
        return next((i for i, hit in enumerate(hits, start=1) if self.answered_by(hit.passage)), None)


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


def _strings(value: object, field: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise TypeError(f"{field!r} must be a non-empty string or a list of them")
    return tuple(items)


def load_cases(path: Path) -> list[Case]:
    """Read the cases of a JSON-lines file; raises ValueError naming the bad line."""
    cases: list[Case] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            essays = _strings(data["essay"], "essay") if data.get("essay") is not None else ()
            cases.append(Case(_strings(data["question"], "question")[0], _strings(data["gold"], "gold"),
                              str(data.get("kind", "all")), essays))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: expected {_FORMAT} ({exc})") from None
    return cases


def ranks(searcher: Searcher, cases: Sequence[Case], mode: Mode = "hybrid",
          options: Options | None = None) -> list[int | None]:
    """Each case's rank of its first answering hit in the top DEPTH (None: not found). `options(case)` gives
    extra keyword arguments for that case's search (an essay filter or boost, say)."""
    return [case.rank(searcher.search(case.question, DEPTH, mode=mode, **(options(case) if options else {})))
            for case in cases]


def summarise(cases: Sequence[Case], found: Sequence[int | None]) -> dict[str, dict[str, float | int]]:
    """{kind or "all": metrics} for the ranks of `cases`."""
    per_kind: dict[str, Metrics] = defaultdict(Metrics)
    for case, rank in zip(cases, found, strict=True):
        per_kind["all"].add(rank)
        if case.kind != "all":
            per_kind[case.kind].add(rank)
    return {kind: m.averaged() for kind, m in per_kind.items()}


def evaluate(
    searcher: Searcher, cases: Sequence[Case], modes: Sequence[Mode] = MODES, options: Options | None = None
) -> dict[str, dict[str, dict[str, float | int]]]:
    """{mode: {kind or "all": metrics}}."""
    return {mode: summarise(cases, ranks(searcher, cases, mode, options)) for mode in modes}
